//! The run folder as files: made and named, locked by its one trainer, written atomically or a
//! line at a time, cut back on resume, removed when a refused run left it empty. What goes in
//! the files is the other modules' (`config.rs`, `report.rs`, `state.rs`, `epoch.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A run name is one plain folder name inside `--runs-dir`: not empty, not `.` or `..`, no
/// path separators, not absolute.
pub fn check_run_name(name: &str) -> Result<()> {
    let mut parts = Path::new(name).components();
    let plain = matches!((parts.next(), parts.next()), (Some(std::path::Component::Normal(_)), None));
    if !plain || name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        anyhow::bail!(
            "--run-name {name:?}: a run name is one plain folder name (no '/', '..', absolute paths or control characters such as a newline)"
        );
    }
    Ok(())
}

/// A new folder `runs_dir/run-NNNN` (the next free number), or `runs_dir/name` if named, locked
/// for this process. A folder that already holds a run (its config.json) is refused.
pub fn create(runs_dir: &Path, name: Option<&str>) -> Result<(PathBuf, RunLock)> {
    if let Some(n) = name {
        check_run_name(n)?;
    }
    check_runs_dir(runs_dir)?;
    loop {
        let dir = match name {
            Some(n) => runs_dir.join(n),
            None => (1..).map(|i| runs_dir.join(format!("run-{i:04}"))).find(|p| !p.exists()).unwrap(),
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let lock = match RunLock::acquire(&dir) {
            Ok(lock) => lock,
            // Another trainer numbered its run the same a moment ago: take the next number.
            Err(_) if name.is_none() => continue,
            Err(e) => return Err(e),
        };
        if dir.join(CONFIG_FILE).exists() {
            anyhow::bail!(
                "{} already holds a run; choose another --run-name (or continue it with --resume {0})",
                dir.display()
            );
        }
        return Ok((dir, lock));
    }
}

/// `--runs-dir` names a folder or nothing yet; a file of that name is refused with what to do.
pub fn refuse_file_as_runs_dir(runs_dir: &Path) -> Result<()> {
    if runs_dir.exists() && !runs_dir.is_dir() {
        anyhow::bail!(
            "--runs-dir {} is a file, not a folder: give a folder for the run folders (it is made if missing)",
            runs_dir.display()
        );
    }
    Ok(())
}

/// `--runs-dir` is a folder, made if missing ([`refuse_file_as_runs_dir`] first).
pub fn check_runs_dir(runs_dir: &Path) -> Result<()> {
    refuse_file_as_runs_dir(runs_dir)?;
    std::fs::create_dir_all(runs_dir)
        .with_context(|| format!("cannot create the folder --runs-dir {}", runs_dir.display()))
}

/// Removes a run folder this process created when the run failed before it had anything to
/// keep (no metrics, steps or state): a refused run leaves no half-made folder.
pub fn remove_if_empty_run(dir: &Path) {
    let kept = ["metrics.csv", "steps.csv", "state.safetensors", "last.safetensors"];
    if kept.iter().all(|f| !dir.join(f).exists()) {
        for f in [CONFIG_FILE, "adapter.txt", "skipped.txt", LOCK_FILE] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        let _ = std::fs::remove_dir(dir);
    }
}

const LOCK_FILE: &str = "run.lock";
/// The run's configuration ([`super::config::RunConfig`]).
pub const CONFIG_FILE: &str = "config.json";

/// One process's ownership of a run folder: an exclusive lock on `run.lock` (released by the
/// operating system when the process ends, even by a crash), which names the holder.
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    pub fn acquire(dir: &Path) -> Result<RunLock> {
        let path = dir.join(LOCK_FILE);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if file.try_lock().is_err() {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            anyhow::bail!(
                "{} is in use by another trainer ({}); wait for it to finish or stop it, or choose another --run-name",
                dir.display(),
                if holder.is_empty() { "a process that has not said who it is" } else { holder }
            );
        }
        use std::io::Seek;
        file.set_len(0)?;
        file.seek(std::io::SeekFrom::Start(0))?;
        writeln!(file, "process {} on {}", std::process::id(), hostname())?;
        file.flush()?;
        Ok(RunLock { _file: file })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this machine".to_string())
}

/// Writes `text` to `dir/name` atomically (a temporary file, then a rename).
pub fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}

/// Keeps the header and the rows of the CSV `dir/name` whose first column, a number, passes
/// `keep` (a resumed run drops what was logged after its saved state: a killed process may
/// have written rows the state does not have).
pub fn keep_rows(dir: &Path, name: &str, keep: impl Fn(u64) -> bool) -> Result<()> {
    let path = dir.join(name);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(()) };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let first = line.split(',').next().unwrap_or("");
        match first.parse::<u64>() {
            Ok(n) if keep(n) => out.push(line),
            Ok(_) => {}
            Err(_) if i == 0 => out.push(line), // the header
            Err(_) => anyhow::bail!("{}: unreadable row {line:?}; the run folder is damaged", path.display()),
        }
    }
    if out.is_empty() {
        return std::fs::remove_file(&path).with_context(|| format!("cannot rewrite {}", path.display()));
    }
    write(dir, name, &(out.join("\n") + "\n"))
}

/// Appends one line to `dir/name`, writing `header` first if the file is new.
pub fn append_line(dir: &Path, name: &str, header: &str, line: &str) -> Result<()> {
    let path = dir.join(name);
    let fresh = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if fresh {
        writeln!(f, "{header}")?;
    }
    writeln!(f, "{line}")?;
    Ok(())
}
