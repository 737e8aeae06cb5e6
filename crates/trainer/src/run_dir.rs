//! The run folder: configuration, metrics, checkpoints and confusion matrices of one run.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use std::collections::BTreeMap;

use model::{KernelChoice, Variant};

use crate::data::{Dataset, Skipped, load_folder};
use crate::options::{TrainOptions, defaults};
use crate::synth;

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

/// The heads of the tutorial's data: `<color>_<item>` folders.
pub const HEADS: [&str; 2] = ["color", "item"];

/// Where a run's images come from, as saved in its config.json.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DataSource {
    /// A folder of photos, or None for generated images.
    pub folder: Option<PathBuf>,
    pub synthetic_images: usize,
}

impl DataSource {
    /// Reads the folder (with the files it had to skip) or generates the images.
    pub fn load(&self) -> Result<(Dataset, Vec<Skipped>)> {
        let heads: Vec<String> = HEADS.iter().map(|s| s.to_string()).collect();
        match &self.folder {
            Some(dir) => load_folder(dir, &heads, defaults::IMAGE_SIZE),
            None => {
                anyhow::ensure!(self.synthetic_images > 0, "--synthetic-images must be at least 1");
                Ok((synth::generate(self.synthetic_images, defaults::IMAGE_SIZE, 0), Vec::new()))
            }
        }
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
}

const CONFIG_FILE: &str = "config.json";

impl RunConfig {
    pub fn new(data: DataSource, options: TrainOptions, set: &Dataset, skipped_files: usize, adapter: &str) -> Self {
        let heads = set.heads.iter().map(|h| (h.name.clone(), h.classes.clone())).collect();
        let adapter = adapter.to_string();
        RunConfig { data, options, images: set.len(), skipped_files, heads, adapter, kernels: BTreeMap::new() }
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        write(dir, CONFIG_FILE, &serde_json::to_string_pretty(self)?)
    }

    /// The recorded kernel choices as the model takes them, measuring what they lack.
    pub fn kernel_choice(&self, cache: Option<PathBuf>) -> KernelChoice {
        let choices = self.kernels.iter().filter_map(|(k, v)| Some((k.clone(), Variant::from_name(v)?))).collect();
        KernelChoice::Recorded { choices, cache }
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
