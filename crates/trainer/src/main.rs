//! `trainer`: parses the command line, runs it, and turns how it ended into the exit status —
//! the one place the process exits (0; 1 with the error; 130 when Ctrl-C stopped a run).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches};
use trainer::cli::{Cli, Outcome, TrainArgs, dispatch};

fn main() {
    quiet_mesa_without_a_session();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // The run settings given on the command line, for --resume's refusal.
    let train_matches = match matches.subcommand() {
        Some(("train", m)) => m,
        _ => &matches,
    };
    let given = TrainArgs::given_run_settings(train_matches);
    match dispatch(cli, &given, &stop_on_ctrl_c) {
        Ok(Outcome::Done) => {}
        Ok(Outcome::Interrupted) => std::process::exit(130),
        // A reader that closed early (`| head -1`) ends the command quietly, as in coreutils.
        Err(e) if trainer::stdout::is_closed_reader(&e) => std::process::exit(0),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}

/// Ctrl-C ends the current step, saves the state and says how to resume; a second one quits.
/// One handler per process (a suite trains several runs), sharing one stop flag.
fn stop_on_ctrl_c() -> Result<Arc<AtomicBool>> {
    static STOP: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    if let Some(stop) = STOP.get() {
        return Ok(stop.clone());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping after this step (Ctrl-C again to quit at once)");
    })
    .context("cannot install the Ctrl-C handler")?;
    let _ = STOP.set(stop.clone());
    Ok(stop)
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
