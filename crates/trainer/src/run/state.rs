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

/// Where a saved run stands, from its state file's metadata alone (no tensor is read); `None`
/// when the folder has no state file.
pub fn saved_progress(dir: &Path) -> Result<Option<Progress>> {
    let path = dir.join(STATE_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes)
        .map_err(|e| anyhow::anyhow!("{} is not a readable training state: {e}", path.display()))?;
    let text = header.metadata().as_ref().and_then(|m| m.get("trainer.progress")).with_context(|| {
        format!("{} holds no training progress: it is not a state written by trainer", path.display())
    })?;
    let progress = serde_json::from_str(text).with_context(|| format!("{}: unreadable progress", path.display()))?;
    Ok(Some(progress))
}

/// Whether `dir` holds a run `--resume` can continue to `epochs` epochs: a saved state that is
/// not past its last epoch. The refusal says what is missing and what to do.
pub fn check_resumable(dir: &Path, epochs: usize) -> Result<Progress> {
    let Some(progress) = saved_progress(dir)? else {
        anyhow::bail!(
            "cannot resume {}: it has no saved state ({STATE_FILE}). The state is saved at the end of every epoch \
             and on Ctrl-C, so the run was stopped before its first save, or the file was removed; there is nothing \
             to continue from, and starting over would mix a second run into this one's logs. Start a new run \
             (without --resume; remove this folder if you no longer need it)",
            dir.display()
        );
    };
    let done = progress.epoch.saturating_sub(1);
    if progress.position == 0 && progress.epoch > epochs {
        anyhow::bail!(
            "{} is complete: it trained {done} epoch{}. To train it further, resume with --epochs {} or more",
            dir.display(),
            if done == 1 { "" } else { "s" },
            done + 1
        );
    }
    if progress.epoch > epochs {
        anyhow::bail!(
            "cannot resume {} with --epochs {epochs}: it is already in epoch {}; give --epochs {} or more",
            dir.display(),
            progress.epoch,
            progress.epoch
        );
    }
    Ok(progress)
}

/// Checks a restored position against the data: a damaged or foreign state file must not
/// resume into an epoch of zeros.
pub fn check_position(progress: &Progress, steps_per_epoch: usize, heads: usize, dir: &Path) -> Result<()> {
    let sums = [progress.loss_sums.len(), progress.correct.len(), progress.labelled.len()];
    if progress.epoch == 0 || progress.position >= steps_per_epoch || sums.iter().any(|&n| n != heads) {
        anyhow::bail!(
            "{}: the saved position (epoch {}, step {} of an epoch of {steps_per_epoch}, sums for {} heads of {heads}) \
             does not fit this run's data; the file is damaged or from another run. Start a new run",
            dir.join(STATE_FILE).display(),
            progress.epoch,
            progress.position,
            progress.loss_sums.len()
        );
    }
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
