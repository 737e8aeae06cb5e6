//! The run folder: configuration, metrics, checkpoints and confusion matrices of one run.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A new folder `runs_dir/run-NNNN` (the next free number), or `runs_dir/name` if named.
pub fn create(runs_dir: &Path, name: Option<&str>) -> Result<PathBuf> {
    std::fs::create_dir_all(runs_dir).with_context(|| format!("cannot create {}", runs_dir.display()))?;
    let dir = match name {
        Some(n) => runs_dir.join(n),
        None => (1..).map(|i| runs_dir.join(format!("run-{i:04}"))).find(|p| !p.exists()).unwrap(),
    };
    if dir.join("metrics.csv").exists() {
        anyhow::bail!("{} already holds a run; choose another --run-name", dir.display());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Writes `text` to `dir/name` atomically (a temporary file, then a rename).
pub fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
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
