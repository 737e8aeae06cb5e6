//! The run folder: configuration, metrics, checkpoints and confusion matrices of one run.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use std::collections::BTreeMap;

use model::{KernelChoice, Variant};

use crate::data::{Dataset, Skipped, load_folder};
use crate::options::{TrainOptions, defaults};
use crate::synth;

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

/// The heads of the tutorial's data: `<color>_<item>` folders.
pub const HEADS: [&str; 2] = ["color", "item"];

/// Head names become state-dict keys (`heads.<name>.weight`) and CSV columns.
fn check_head_names(heads: &[String]) -> Result<()> {
    anyhow::ensure!(!heads.is_empty(), "--heads needs at least one head name");
    for (i, h) in heads.iter().enumerate() {
        anyhow::ensure!(
            !h.is_empty() && !h.contains(['.', '_', ',', '/']) && !heads[..i].contains(h),
            "--heads {}: each head name must be non-empty, without '.', '_', ',' or '/', and not repeated",
            heads.join(",")
        );
    }
    Ok(())
}

/// Where a run's images come from, as saved in its config.json.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DataSource {
    /// A folder of photos, or None for generated images.
    pub folder: Option<PathBuf>,
    pub synthetic_images: usize,
    /// `--heads`: the heads the parts of `<a>_<b>[_<c>…]` folder names label, in order; None
    /// for the tutorial's `color,item` (or, with a label table, its header's).
    #[serde(default)]
    pub heads: Option<Vec<String>>,
    /// `--labels`: a table `path,<head>,…` of the images in `folder` and their labels.
    #[serde(default)]
    pub labels: Option<PathBuf>,
}

impl DataSource {
    /// Reads the folder (with the files it had to skip) or generates the images.
    pub fn load(&self) -> Result<(Dataset, Vec<Skipped>)> {
        let tutorial: Vec<String> = HEADS.iter().map(|s| s.to_string()).collect();
        if let Some(heads) = &self.heads {
            check_head_names(heads)?;
        }
        let size = defaults::IMAGE_SIZE;
        let (data, skipped) = match (&self.folder, &self.labels) {
            (Some(dir), Some(table)) => crate::labels_csv::load_table(dir, table, size)?,
            (None, Some(_)) => anyhow::bail!("--labels needs --data: the folder the table's paths are relative to"),
            (Some(dir), None) => load_folder(dir, self.heads.as_ref().unwrap_or(&tutorial), size)?,
            (None, None) => {
                anyhow::ensure!(self.synthetic_images > 0, "--synthetic-images must be at least 1");
                let with_background = [tutorial.clone(), vec!["background".to_string()]].concat();
                match &self.heads {
                    None => (synth::generate(self.synthetic_images, size, 0), Vec::new()),
                    Some(h) if *h == tutorial => (synth::generate(self.synthetic_images, size, 0), Vec::new()),
                    Some(h) if *h == with_background => {
                        (synth::generate_with_background(self.synthetic_images, size, 0), Vec::new())
                    }
                    Some(h) => anyhow::bail!(
                        "--heads {}: the generated images have the heads color,item (or color,item,background); \
                         pass --data for other heads",
                        h.join(",")
                    ),
                }
            }
        };
        if let (Some(given), Some(_)) = (&self.heads, &self.labels) {
            let header: Vec<String> = data.heads.iter().map(|h| h.name.clone()).collect();
            anyhow::ensure!(
                *given == header,
                "--heads {} but the label table's header names {}; leave --heads out (the header names the heads)",
                given.join(","),
                header.join(",")
            );
        }
        Ok((data, skipped))
    }
}

/// A run folder's `config.json`: what the run was asked to do and what it found.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct RunConfig {
    pub data: DataSource,
    pub options: TrainOptions,
    pub images: usize,
    pub skipped_files: usize,
    pub heads: Vec<(String, Vec<String>)>,
    pub adapter: String,
    /// The kernel variant each matrix-product pass ran (pass key → variant), as measured at the
    /// start of the run; a resumed run runs the same.
    #[serde(default)]
    pub kernels: BTreeMap<String, String>,
    /// [`Dataset::fingerprint`] of the data the run started on.
    #[serde(default)]
    pub data_fingerprint: String,
}

const CONFIG_FILE: &str = "config.json";

impl RunConfig {
    pub fn new(data: DataSource, options: TrainOptions, set: &Dataset, skipped_files: usize, adapter: &str) -> Self {
        let heads = set.heads.iter().map(|h| (h.name.clone(), h.classes.clone())).collect();
        let adapter = adapter.to_string();
        let data_fingerprint = set.fingerprint();
        let kernels = BTreeMap::new();
        RunConfig { data, options, images: set.len(), skipped_files, heads, adapter, kernels, data_fingerprint }
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        write(dir, CONFIG_FILE, &serde_json::to_string_pretty(self)?)
    }

    /// The recorded kernel choices as the model takes them, measuring what they lack.
    pub fn kernel_choice(&self, cache: Option<PathBuf>) -> KernelChoice {
        let choices = self.kernels.iter().filter_map(|(k, v)| Some((k.clone(), Variant::from_name(v)?))).collect();
        KernelChoice::Recorded { choices, cache }
    }

    /// Whether `adapter` is the one the run started on (name, backend and driver; what is said
    /// of its speed may change between versions).
    pub fn same_adapter(&self, adapter: &tensor::AdapterSummary) -> bool {
        let identity = |text: &str| {
            let text = text.split(" — ").next().unwrap_or(text);
            // Without the index: the same adapter may be listed at another place.
            text.split_once("] ").map_or(text, |(_, rest)| rest).to_string()
        };
        self.adapter.is_empty() || identity(&self.adapter) == identity(&adapter.to_string())
    }

    /// Resuming needs the data the run started on: the split and batch order depend on it.
    pub fn check_same_data(&self, data: &Dataset, dir: &Path) -> Result<()> {
        let now = data.fingerprint();
        if !self.data_fingerprint.is_empty() && self.data_fingerprint != now {
            anyhow::bail!(
                "cannot resume {}: its data changed since the run started (then {}, now {}); the validation split \
                 and batch order would change with it. Restore the data, or start a new run",
                dir.display(),
                self.data_fingerprint,
                now
            );
        }
        Ok(())
    }

    /// The configuration of the run in `dir` (for `--resume`).
    pub fn read(dir: &Path) -> Result<RunConfig> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!("cannot resume {}: no readable {CONFIG_FILE} in it (is it a run folder?)", dir.display())
        })?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a twinhead run configuration", path.display()))
    }
}

/// Adds the kernel choices to the run's config.json, when the folder has one.
pub fn record_kernels(dir: &Path, choices: &BTreeMap<String, String>) -> Result<()> {
    let path = dir.join(CONFIG_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(()) };
    let mut config: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a twinhead run configuration", path.display()))?;
    config["kernels"] = serde_json::to_value(choices)?;
    write(dir, CONFIG_FILE, &serde_json::to_string_pretty(&config)?)
}
