fn main() {
    if let Err(e) = trainer::cli::main() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
