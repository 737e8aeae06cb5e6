//! Standard output, every write checked: a full disk is an error that says so, and a reader
//! that closed early (`trainer predict … | head -1`) ends the command quietly, as coreutils do,
//! instead of a panic. Training lines are different: the run folder keeps everything they say,
//! so a closed reader never stops a run.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

/// Writes `text` and a newline to standard output, flushed.
pub fn line(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|_| out.flush()).context("cannot write to standard output")
}

/// Whether `error` is a reader of standard output that went away (a closed pipe).
pub fn is_closed_reader(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<csv::Error>().is_some_and(
                |c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe),
            )
    })
}

/// A training line: written while standard output takes it; after the first failure, said once
/// on standard error and then left to the run folder's files.
pub fn training_line(text: &str) {
    static GAVE_UP: AtomicBool = AtomicBool::new(false);
    if GAVE_UP.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = line(text) {
        GAVE_UP.store(true, Ordering::Relaxed);
        if !is_closed_reader(&e) {
            eprintln!("warning: {e:#}; the run goes on, its metrics.csv and steps.csv keep every line");
        }
    }
}
