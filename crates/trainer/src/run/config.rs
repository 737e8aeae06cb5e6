//! A run folder's `config.json`: what the run was asked to do, what it found, and the kernels
//! it chose — so that `--resume` continues it exactly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use model::{KernelChoice, Pick};

use super::folder::{CONFIG_FILE, write};
use super::options::TrainOptions;
use crate::data::{DataSource, Dataset};

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
        let choices = self.kernels.iter().filter_map(|(k, v)| Some((k.clone(), Pick::from_name(v)?))).collect();
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

    /// Adds the kernel choices to the run's config.json, when the folder has one (a run driven
    /// by a test may have none): the run's one writer of that file is [`RunConfig::write`].
    pub fn record_kernels(dir: &Path, choices: BTreeMap<String, String>) -> Result<()> {
        if !dir.join(CONFIG_FILE).exists() {
            return Ok(());
        }
        let mut config = RunConfig::read(dir)?;
        config.kernels = choices;
        config.write(dir)
    }
}
