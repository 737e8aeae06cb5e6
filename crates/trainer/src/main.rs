fn main() {
    quiet_mesa_without_a_session();
    if let Err(e) = trainer::cli::main() {
        // A reader that closed early (`| head -1`) ends the command quietly, as in coreutils.
        if trainer::stdout::is_closed_reader(&e) {
            std::process::exit(0);
        }
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// Mesa's Vulkan driver prints "XDG_RUNTIME_DIR is invalid or not set" several times at every
/// start where no login session made that folder (a server, a container, CI); a private folder
/// of this user's in the temporary directory stands in for it.
fn quiet_mesa_without_a_session() {
    #[cfg(unix)]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("twinhead-runtime-{uid}"));
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        let private = std::fs::metadata(&dir).is_ok_and(|m| m.uid() == uid && m.permissions().mode() & 0o077 == 0);
        if private {
            // SAFETY: the first thing main does, before any other thread exists.
            unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
        }
    }
}
