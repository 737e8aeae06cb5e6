//! The training loop: epochs of GPU steps, validation, metrics, checkpoints, clean stops and
//! exact resumption.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use model::{Model, ModelSpec, StepStats, TrainConfig, save_checkpoint};
use tensor::Gpu;

use crate::data::Dataset;
use crate::evaluate::{Evaluation, confusion_csv, confusion_table, evaluate};
use crate::run_dir;
use crate::split::{epoch_order, train_val_split};
use crate::state::{self, Progress};

/// Everything that decides a training run (saved in the run folder's config.json).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub val_fraction: f64,
    pub seed: u64,
    pub loss_weights: Vec<f32>,
}

/// How a caller stops a run from outside: `stop` (set by Ctrl-C) ends it cleanly after the
/// current step; `stop_after_steps` does the same once that many Adam steps are done.
#[derive(Clone, Debug, Default)]
pub struct TrainControl {
    pub stop: Arc<AtomicBool>,
    pub stop_after_steps: Option<u32>,
}

/// One epoch's figures.
#[derive(Clone, Debug)]
pub struct EpochReport {
    pub epoch: usize,
    pub train_loss: Vec<f64>,
    pub train_accuracy: Vec<f64>,
    pub val: Evaluation,
    pub seconds: f64,
    pub images_per_second: f64,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    Finished {
        best_epoch: usize,
    },
    /// Stopped on request, state saved: resume continues at this epoch after `position` steps.
    Interrupted {
        epoch: usize,
        position: usize,
    },
}

/// What a run (or this part of a resumed run) did.
pub struct RunSummary {
    pub dir: PathBuf,
    pub epochs: Vec<EpochReport>,
    pub ending: Ending,
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn epoch_line(r: &EpochReport, epochs: usize, data: &Dataset) -> String {
    let heads = &data.heads;
    let train: Vec<String> = heads.iter().zip(&r.train_loss).map(|(h, l)| format!("{} {l:.3}", h.name)).collect();
    let acc: Vec<String> =
        heads.iter().enumerate().map(|(i, h)| format!("{} {}", h.name, pct(r.val.accuracy(i)))).collect();
    format!(
        "epoch {:>2}/{epochs}  train loss {}  |  val loss {:.3}  val acc {}  both {}  |  {:.1} s, {:.1} img/s",
        r.epoch,
        train.join(" "),
        r.val.total_loss(),
        acc.join(" "),
        pct(r.val.all_accuracy()),
        r.seconds,
        r.images_per_second
    )
}

fn heads_columns(data: &Dataset, prefix: &str) -> Vec<String> {
    data.heads.iter().map(|h| format!("{prefix}_{}", h.name)).collect()
}

fn csv_header(data: &Dataset) -> String {
    let mut cols = vec!["epoch".to_string()];
    for p in ["train_loss", "train_acc", "val_loss", "val_acc"] {
        cols.extend(heads_columns(data, p));
    }
    cols.extend(["val_acc_all".into(), "seconds".into(), "images_per_s".into()]);
    cols.join(",")
}

fn csv_line(r: &EpochReport) -> String {
    let mut v = vec![r.epoch.to_string()];
    v.extend(r.train_loss.iter().map(|x| format!("{x:.6}")));
    v.extend(r.train_accuracy.iter().map(|x| format!("{x:.6}")));
    v.extend(r.val.loss.iter().map(|x| format!("{x:.6}")));
    v.extend((0..r.val.loss.len()).map(|h| format!("{:.6}", r.val.accuracy(h))));
    v.push(format!("{:.6}", r.val.all_accuracy()));
    v.push(format!("{:.3}", r.seconds));
    v.push(format!("{:.2}", r.images_per_second));
    v.join(",")
}

/// Saves the weights alone (a PyTorch-loadable state dict) with what they were trained on.
fn save_weights(model: &Model, path: &Path, data: &Dataset, train: &[usize], epoch: usize) -> Result<()> {
    let mut combos: Vec<String> = train.iter().map(|&i| data.combination(i)).collect();
    combos.sort();
    combos.dedup();
    let mut extra = HashMap::new();
    extra.insert("trainer.epoch".into(), epoch.to_string());
    extra.insert("trainer.trained_on".into(), serde_json::to_string(&combos)?);
    save_checkpoint(path, &model.spec, &model.parameters()?, &extra)?;
    Ok(())
}

/// Logs each step's losses to steps.csv and fails on the first non-finite loss.
fn record_steps(steps: &[StepStats], epoch: usize, data: &Dataset, dir: &Path, progress: &mut Progress) -> Result<()> {
    let mut header = vec!["step".to_string(), "epoch".to_string()];
    header.extend(heads_columns(data, "loss"));
    header.extend(heads_columns(data, "correct"));
    for s in steps {
        let mut line = vec![s.step.to_string(), epoch.to_string()];
        // Shortest representation that reads back to the same f32: resumed runs compare exactly.
        line.extend(s.loss.iter().map(|l| format!("{l}")));
        line.extend(s.correct.iter().map(|c| c.to_string()));
        run_dir::append_line(dir, "steps.csv", &header.join(","), &line.join(","))?;
        if !s.is_finite() {
            let last = dir.join("last.safetensors");
            let kept = if last.exists() {
                format!("the last good checkpoint is kept: {}", last.display())
            } else {
                "no checkpoint had been saved yet".to_string()
            };
            bail!(
                "the loss became {:?} at step {} (epoch {epoch}); training stopped and nothing after that step was saved; {kept}. \
                 Lower --lr (it is the usual cause) and train again",
                s.loss,
                s.step
            );
        }
        for (h, (l, c)) in s.loss.iter().zip(&s.correct).enumerate() {
            progress.loss_sums[h] += *l as f64;
            progress.correct[h] += *c as u64;
        }
    }
    Ok(())
}

/// Trains on `data` in the run folder `dir`, or resumes the run there when it holds a saved
/// state. `say` receives each line meant for the user.
pub fn run(
    gpu: Arc<Gpu>,
    data: &Dataset,
    spec: ModelSpec,
    opts: &TrainOptions,
    dir: &Path,
    control: &TrainControl,
    say: &mut dyn FnMut(&str),
) -> Result<RunSummary> {
    anyhow::ensure!(opts.batch_size > 0, "the batch size must be at least 1");
    anyhow::ensure!(opts.epochs > 0, "train for at least one epoch");
    anyhow::ensure!(
        opts.loss_weights.iter().all(|w| w.is_finite() && *w >= 0.0),
        "loss weights must be finite and not negative: {:?}",
        opts.loss_weights
    );
    let (train_idx, val_idx) = train_val_split(data.len(), opts.val_fraction, opts.seed);
    anyhow::ensure!(!train_idx.is_empty(), "no images left for training");
    anyhow::ensure!(
        opts.batch_size <= train_idx.len(),
        "a batch of {} is more than the {} training images; use --batch-size {} or less",
        opts.batch_size,
        train_idx.len(),
        train_idx.len()
    );
    let config = TrainConfig { lr: opts.lr, loss_weights: opts.loss_weights.clone(), seed: opts.seed };
    let mut model = Model::new(gpu, spec, &config)?;
    model.prepare(opts.batch_size).context("preparing the GPU buffers for one batch")?;
    let heads = data.heads.len();
    let mut progress = if dir.join(state::STATE_FILE).exists() {
        let p = state::restore(&mut model, dir)?;
        say(&format!("resuming at epoch {} after {} steps of it (Adam step {})", p.epoch, p.position, model.step));
        p
    } else {
        Progress { epoch: 1, position: 0, loss_sums: vec![0.0; heads], correct: vec![0; heads], best: None }
    };

    let steps = train_idx.len().div_ceil(opts.batch_size);
    let mut reports: Vec<EpochReport> = Vec::new();
    let mut pixels = Vec::new();
    while progress.epoch <= opts.epochs {
        let epoch = progress.epoch;
        let start = Instant::now();
        let bar = ProgressBar::new(steps as u64).with_style(
            ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} steps {msg} ({eta})")
                .unwrap()
                .progress_chars("=> "),
        );
        bar.set_prefix(format!("{epoch}/{}", opts.epochs));
        bar.set_position(progress.position as u64);
        let order = epoch_order(&train_idx, opts.seed, epoch);
        let first = progress.position;
        for (step, chunk) in order.chunks(opts.batch_size).enumerate().skip(first) {
            data.batch_pixels(chunk, &mut pixels);
            let labels = data.batch_labels(chunk);
            let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
            model.train_step(&pixels, &refs)?;
            progress.position = step + 1;
            if progress.position % 16 == 0 || progress.position == steps {
                record_steps(&model.take_step_stats()?, epoch, data, dir, &mut progress)?;
                let loss: f64 = progress.loss_sums.iter().sum::<f64>() / progress.position as f64;
                bar.set_message(format!("loss {loss:.3}"));
            }
            bar.inc(1);
            let asked =
                control.stop.load(Ordering::SeqCst) || control.stop_after_steps.is_some_and(|n| model.step >= n);
            if asked && progress.position < steps {
                bar.finish_and_clear();
                record_steps(&model.take_step_stats()?, epoch, data, dir, &mut progress)?;
                state::save(&model, dir, &progress)?;
                save_weights(&model, &dir.join("last.safetensors"), data, &train_idx, epoch)?;
                say(&format!(
                    "stopped in epoch {epoch} after {} of {steps} steps; state saved. Resume with: trainer train --resume {}",
                    progress.position,
                    dir.display()
                ));
                return Ok(RunSummary {
                    dir: dir.to_path_buf(),
                    epochs: reports,
                    ending: Ending::Interrupted { epoch, position: progress.position },
                });
            }
        }
        let trained = progress.position - first;
        let train_seconds = start.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let val = evaluate(&mut model, data, &val_idx, opts.batch_size)?;
        let report = EpochReport {
            epoch,
            train_loss: progress.loss_sums.iter().map(|s| s / steps as f64).collect(),
            train_accuracy: progress.correct.iter().map(|&c| c as f64 / train_idx.len() as f64).collect(),
            seconds: start.elapsed().as_secs_f64(),
            images_per_second: (trained * opts.batch_size).min(train_idx.len()) as f64 / train_seconds,
            val,
        };
        say(&epoch_line(&report, opts.epochs, data));
        run_dir::append_line(dir, "metrics.csv", &csv_header(data), &csv_line(&report))?;
        save_weights(&model, &dir.join("last.safetensors"), data, &train_idx, epoch)?;
        let score = (report.val.all_accuracy(), report.val.total_loss());
        if progress.best.is_none_or(|(_, acc, loss)| score.0 > acc || (score.0 == acc && score.1 < loss)) {
            progress.best = Some((epoch, score.0, score.1));
            save_weights(&model, &dir.join("best.safetensors"), data, &train_idx, epoch)?;
            for (h, head) in data.heads.iter().enumerate() {
                run_dir::write(
                    dir,
                    &format!("confusion_{}.csv", head.name),
                    &confusion_csv(&head.classes, &report.val.confusion[h]),
                )?;
            }
        }
        reports.push(report);
        progress = Progress {
            epoch: epoch + 1,
            position: 0,
            loss_sums: vec![0.0; heads],
            correct: vec![0; heads],
            best: progress.best,
        };
        state::save(&model, dir, &progress)?;
        let asked = control.stop.load(Ordering::SeqCst) || control.stop_after_steps.is_some_and(|n| model.step >= n);
        if asked && progress.epoch <= opts.epochs {
            say(&format!(
                "stopped after epoch {epoch}; state saved. Resume with: trainer train --resume {}",
                dir.display()
            ));
            return Ok(RunSummary {
                dir: dir.to_path_buf(),
                epochs: reports,
                ending: Ending::Interrupted { epoch: epoch + 1, position: 0 },
            });
        }
    }
    let best_epoch = progress.best.map_or(opts.epochs, |b| b.0);
    say(&format!("best epoch {best_epoch} (checkpoint {})", dir.join("best.safetensors").display()));
    for head in &data.heads {
        let text = std::fs::read_to_string(dir.join(format!("confusion_{}.csv", head.name)))?;
        let matrix: Vec<Vec<u64>> =
            text.lines().skip(1).map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap_or(0)).collect()).collect();
        say(&format!(
            "confusion matrix, {} (validation, best epoch):\n{}",
            head.name,
            confusion_table(&head.classes, &matrix)
        ));
    }
    Ok(RunSummary { dir: dir.to_path_buf(), epochs: reports, ending: Ending::Finished { best_epoch } })
}
