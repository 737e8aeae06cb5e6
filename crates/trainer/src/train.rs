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

use crate::augment::{Augment, Augmenter};
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
    /// Combinations (folder names like `blue_shirt`) kept out of training and of the ordinary
    /// validation split, and reported apart: how well the heads name what they never saw.
    #[serde(default)]
    pub hold_out: Vec<String>,
    #[serde(default)]
    pub augment: Augment,
    #[serde(default)]
    pub lr_schedule: LrSchedule,
}

/// How the learning rate moves over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LrSchedule {
    /// The tutorial's: the same rate throughout.
    #[default]
    Constant,
    /// Half a cosine from the rate down to 0 over the whole run: late epochs move the weights
    /// less, so the last epochs differ less from each other.
    Cosine,
}

impl LrSchedule {
    /// The rate for step `done` (0-based) of `total`.
    pub fn at(self, lr: f64, done: usize, total: usize) -> f64 {
        match self {
            LrSchedule::Constant => lr,
            LrSchedule::Cosine => lr * 0.5 * (1.0 + (std::f64::consts::PI * done as f64 / total.max(1) as f64).cos()),
        }
    }
}

impl TrainOptions {
    /// The tutorial's settings: 15 epochs, batch 32, Adam lr 5e-4, 80/20 split, seed 0.
    pub fn tutorial(heads: usize) -> Self {
        TrainOptions {
            epochs: 15,
            batch_size: 32,
            lr: 5e-4,
            val_fraction: 0.2,
            seed: 0,
            loss_weights: vec![1.0; heads],
            hold_out: Vec::new(),
            augment: Augment::default(),
            lr_schedule: LrSchedule::Constant,
        }
    }
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
    /// The held-out combinations, when there are any.
    pub unseen: Option<Evaluation>,
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
    let unseen = r.unseen.as_ref().map_or(String::new(), |u| format!("  |  unseen {}", accuracies(u, data)));
    format!(
        "epoch {:>2}/{epochs}  train loss {}  |  val loss {:.3}  val acc {}  both {}{unseen}  |  {:.1} s, {:.1} img/s",
        r.epoch,
        train.join(" "),
        r.val.total_loss(),
        acc.join(" "),
        pct(r.val.all_accuracy()),
        r.seconds,
        r.images_per_second
    )
}

/// "color 97.0% item 95.1% both 93.2%".
pub fn accuracies(e: &Evaluation, data: &Dataset) -> String {
    let heads: Vec<String> =
        data.heads.iter().enumerate().map(|(i, h)| format!("{} {}", h.name, pct(e.accuracy(i)))).collect();
    format!("{} both {}", heads.join(" "), pct(e.all_accuracy()))
}

/// Splits the images into those the run may train and validate on and the held-out
/// combinations; every held-out name must be a combination of the data.
fn hold_out(data: &Dataset, names: &[String]) -> Result<(Vec<usize>, Vec<usize>)> {
    let mut combos: Vec<String> = (0..data.len()).map(|i| data.combination(i)).collect();
    let (seen, unseen): (Vec<usize>, Vec<usize>) = (0..data.len()).partition(|&i| !names.contains(&combos[i]));
    combos.sort();
    combos.dedup();
    for name in names {
        if !combos.contains(name) {
            bail!("--hold-out {name}: no such combination in the data (there are {})", combos.join(", "));
        }
    }
    Ok((seen, unseen))
}

fn heads_columns(data: &Dataset, prefix: &str) -> Vec<String> {
    data.heads.iter().map(|h| format!("{prefix}_{}", h.name)).collect()
}

fn csv_header(data: &Dataset, held_out: bool) -> String {
    let mut cols = vec!["epoch".to_string()];
    for p in ["train_loss", "train_acc", "val_loss", "val_acc"] {
        cols.extend(heads_columns(data, p));
    }
    cols.push("val_acc_all".into());
    if held_out {
        cols.extend(heads_columns(data, "unseen_acc"));
        cols.push("unseen_acc_all".into());
    }
    cols.extend(["seconds".into(), "images_per_s".into()]);
    cols.join(",")
}

fn csv_line(r: &EpochReport) -> String {
    let mut v = vec![r.epoch.to_string()];
    v.extend(r.train_loss.iter().map(|x| format!("{x:.6}")));
    v.extend(r.train_accuracy.iter().map(|x| format!("{x:.6}")));
    v.extend(r.val.loss.iter().map(|x| format!("{x:.6}")));
    v.extend((0..r.val.loss.len()).map(|h| format!("{:.6}", r.val.accuracy(h))));
    v.push(format!("{:.6}", r.val.all_accuracy()));
    if let Some(u) = &r.unseen {
        v.extend((0..u.loss.len()).map(|h| format!("{:.6}", u.accuracy(h))));
        v.push(format!("{:.6}", u.all_accuracy()));
    }
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
    let (seen, unseen_idx) = hold_out(data, &opts.hold_out)?;
    let (train_pos, val_pos) = train_val_split(seen.len(), opts.val_fraction, opts.seed);
    let (train_idx, val_idx): (Vec<usize>, Vec<usize>) =
        (train_pos.iter().map(|&i| seen[i]).collect(), val_pos.iter().map(|&i| seen[i]).collect());
    let augmenter = Augmenter::new(&opts.augment, data)?;
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
        Progress {
            epoch: 1,
            position: 0,
            loss_sums: vec![0.0; heads],
            correct: vec![0; heads],
            best: None,
            best_line: String::new(),
        }
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
            let mut labels = data.batch_labels(chunk);
            if augmenter.is_active() {
                augmenter.apply(data.image_size, &mut pixels, &mut labels, &mut Augmenter::rng(opts.seed, epoch, step));
            }
            let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
            model.set_lr(opts.lr_schedule.at(opts.lr, (epoch - 1) * steps + step, opts.epochs * steps));
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
        let unseen =
            if unseen_idx.is_empty() { None } else { Some(evaluate(&mut model, data, &unseen_idx, opts.batch_size)?) };
        let report = EpochReport {
            epoch,
            train_loss: progress.loss_sums.iter().map(|s| s / steps as f64).collect(),
            train_accuracy: progress.correct.iter().map(|&c| c as f64 / train_idx.len() as f64).collect(),
            seconds: start.elapsed().as_secs_f64(),
            images_per_second: (trained * opts.batch_size).min(train_idx.len()) as f64 / train_seconds,
            val,
            unseen,
        };
        let line = epoch_line(&report, opts.epochs, data);
        say(&line);
        run_dir::append_line(dir, "metrics.csv", &csv_header(data, !unseen_idx.is_empty()), &csv_line(&report))?;
        save_weights(&model, &dir.join("last.safetensors"), data, &train_idx, epoch)?;
        let score = (report.val.all_accuracy(), report.val.total_loss());
        if progress.best.is_none_or(|(_, acc, loss)| score.0 > acc || (score.0 == acc && score.1 < loss)) {
            progress.best = Some((epoch, score.0, score.1));
            progress.best_line = line.clone();
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
            best_line: progress.best_line,
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
    say(&format!(
        "best epoch {best_epoch} (checkpoint {}):\n{}",
        dir.join("best.safetensors").display(),
        progress.best_line
    ));
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

#[cfg(test)]
mod tests {
    use super::LrSchedule;

    #[test]
    fn cosine_runs_from_the_rate_to_zero() {
        assert_eq!(LrSchedule::Constant.at(5e-4, 7, 10), 5e-4);
        assert_eq!(LrSchedule::Cosine.at(5e-4, 0, 10), 5e-4);
        assert!((LrSchedule::Cosine.at(5e-4, 5, 10) - 2.5e-4).abs() < 1e-12);
        assert!(LrSchedule::Cosine.at(5e-4, 9, 10) < 0.03 * 5e-4);
    }
}
