//! A run's complete state for resuming: weights, Adam's moments and step count, the moving
//! average of the weights when the run keeps one, and where in the data the run stands, in one
//! file (`state.safetensors`) written atomically.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use model::{Model, load_checkpoint, save_checkpoint};

pub const STATE_FILE: &str = "state.safetensors";

/// Where a run stands between two steps.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// The epoch in progress (1-based) and how many of its steps are done.
    pub epoch: usize,
    pub position: usize,
    /// Per head, this epoch's sums so far: batch-mean losses, correct rows, and rows that had
    /// a label for the head (augmentation can mask one).
    pub loss_sums: Vec<f64>,
    pub correct: Vec<u64>,
    #[serde(default)]
    pub labelled: Vec<u64>,
    /// The best epoch so far: (epoch, both-correct accuracy, validation loss).
    pub best: Option<(usize, f64, f64)>,
    /// The best epoch's line as printed.
    #[serde(default)]
    pub best_line: String,
    /// The best epoch's validation confusion matrix per head, `[truth][predicted]`.
    #[serde(default)]
    pub best_confusion: Vec<Vec<Vec<u64>>>,
}

impl Progress {
    /// The start of a run with `heads` heads.
    pub fn start(heads: usize) -> Progress {
        Progress {
            epoch: 1,
            loss_sums: vec![0.0; heads],
            correct: vec![0; heads],
            labelled: vec![0; heads],
            ..Default::default()
        }
    }

    /// The start of the next epoch: this epoch's sums cleared, the best epoch kept.
    pub fn next_epoch(self) -> Progress {
        let heads = self.loss_sums.len();
        Progress {
            epoch: self.epoch + 1,
            best: self.best,
            best_line: self.best_line,
            best_confusion: self.best_confusion,
            ..Progress::start(heads)
        }
    }
}

/// Saves weights, moments, step count and `progress` to `dir/state.safetensors`.
pub fn save(model: &Model, dir: &Path, progress: &Progress) -> Result<()> {
    let mut tensors = model.parameters()?;
    for (name, m, v) in model.moments()? {
        let shape = tensors.iter().find(|t| t.0 == name).map(|t| t.1.clone()).unwrap();
        tensors.push((format!("adam.m.{name}"), shape.clone(), m));
        tensors.push((format!("adam.v.{name}"), shape, v));
    }
    for (name, shape, average) in model.average_parameters()?.unwrap_or_default() {
        tensors.push((format!("ema.{name}"), shape, average));
    }
    let mut meta = HashMap::new();
    meta.insert("trainer.progress".to_string(), serde_json::to_string(progress)?);
    meta.insert("trainer.adam_step".to_string(), model.step.to_string());
    save_checkpoint(&dir.join(STATE_FILE), &model.spec, &tensors, &meta)?;
    Ok(())
}

/// Restores a model saved by [`save`] and returns where the run stood.
pub fn restore(model: &mut Model, dir: &Path) -> Result<Progress> {
    let path = dir.join(STATE_FILE);
    let ck = load_checkpoint(&path)?;
    let mut progress: Progress =
        serde_json::from_str(ck.extra.get("trainer.progress").context("no progress in the state file")?)
            .with_context(|| format!("{}: unreadable progress", path.display()))?;
    // States saved before labelled rows were counted: count from here on.
    progress.labelled.resize(progress.loss_sums.len(), 0);
    let step: u32 = ck.extra.get("trainer.adam_step").context("no Adam step in the state file")?.parse()?;
    let (mut weights, mut moments, mut average) = (Vec::new(), HashMap::new(), Vec::new());
    for (name, shape, data) in ck.tensors {
        if let Some(p) = name.strip_prefix("ema.") {
            average.push((p.to_string(), shape, data));
        } else if let Some(p) = name.strip_prefix("adam.m.") {
            moments.entry(p.to_string()).or_insert((Vec::new(), Vec::new())).0 = data;
        } else if let Some(p) = name.strip_prefix("adam.v.") {
            moments.entry(p.to_string()).or_insert((Vec::new(), Vec::new())).1 = data;
        } else {
            weights.push((name, shape, data));
        }
    }
    model.set_parameters(&weights).with_context(|| format!("{} does not fit the run's model", path.display()))?;
    let moments: Vec<(String, Vec<f32>, Vec<f32>)> = moments.into_iter().map(|(n, (m, v))| (n, m, v)).collect();
    model.set_moments(&moments, step)?;
    if model.has_ema() {
        anyhow::ensure!(
            !average.is_empty(),
            "{} has no moving average of the weights, which the run keeps",
            path.display()
        );
        model.set_average_parameters(&average)?;
    }
    Ok(progress)
}
