//! The training loop: epochs of GPU steps, validation, metrics, checkpoints.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use model::{Model, ModelSpec, TrainConfig, save_checkpoint};
use tensor::Gpu;

use crate::data::Dataset;
use crate::evaluate::{Evaluation, confusion_csv, confusion_table, evaluate};
use crate::run_dir;
use crate::split::{epoch_order, train_val_split};

/// Everything that decides a training run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub val_fraction: f64,
    pub seed: u64,
    pub loss_weights: Vec<f32>,
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

/// What a finished run leaves behind.
pub struct RunSummary {
    pub dir: PathBuf,
    pub epochs: Vec<EpochReport>,
    pub best_epoch: usize,
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn epoch_line(r: &EpochReport, epochs: usize, data: &Dataset) -> String {
    let heads = &data.heads;
    let train: Vec<String> = heads
        .iter()
        .zip(&r.train_loss)
        .map(|(h, l)| format!("{} {l:.3}", h.name))
        .collect();
    let acc: Vec<String> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{} {}", h.name, pct(r.val.accuracy(i))))
        .collect();
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

fn csv_header(data: &Dataset) -> String {
    let mut cols = vec!["epoch".to_string()];
    for h in &data.heads {
        cols.push(format!("train_loss_{}", h.name));
    }
    for h in &data.heads {
        cols.push(format!("train_acc_{}", h.name));
    }
    for h in &data.heads {
        cols.push(format!("val_loss_{}", h.name));
    }
    for h in &data.heads {
        cols.push(format!("val_acc_{}", h.name));
    }
    cols.extend([
        "val_acc_all".into(),
        "seconds".into(),
        "images_per_s".into(),
    ]);
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

fn save(model: &Model, path: &Path, data: &Dataset, train: &[usize], epoch: usize) -> Result<()> {
    let mut combos: Vec<String> = train.iter().map(|&i| data.combination(i)).collect();
    combos.sort();
    combos.dedup();
    let mut extra = HashMap::new();
    extra.insert("trainer.epoch".into(), epoch.to_string());
    extra.insert("trainer.trained_on".into(), serde_json::to_string(&combos)?);
    save_checkpoint(path, &model.spec, &model.parameters()?, &extra)?;
    Ok(())
}

/// Trains a fresh model on `data`, writing everything into `dir`. `say` receives each line meant
/// for the user (epoch lines, confusion matrices).
pub fn train(
    gpu: Arc<Gpu>,
    data: &Dataset,
    opts: &TrainOptions,
    dir: &Path,
    say: &mut dyn FnMut(&str),
) -> Result<RunSummary> {
    let spec = ModelSpec {
        image_size: data.image_size,
        hidden: 1024,
        heads: data.heads.clone(),
    };
    train_spec(gpu, data, spec, opts, dir, say)
}

/// [`train`] with an explicit network shape (tests use a narrower one).
pub fn train_spec(
    gpu: Arc<Gpu>,
    data: &Dataset,
    spec: ModelSpec,
    opts: &TrainOptions,
    dir: &Path,
    say: &mut dyn FnMut(&str),
) -> Result<RunSummary> {
    anyhow::ensure!(opts.batch_size > 0, "the batch size must be at least 1");
    anyhow::ensure!(opts.epochs > 0, "train for at least one epoch");
    let (train_idx, val_idx) = train_val_split(data.len(), opts.val_fraction, opts.seed);
    anyhow::ensure!(!train_idx.is_empty(), "no images left for training");
    anyhow::ensure!(
        opts.batch_size <= train_idx.len(),
        "a batch of {} is more than the {} training images; use --batch-size {} or less",
        opts.batch_size,
        train_idx.len(),
        train_idx.len()
    );
    let config = TrainConfig {
        lr: opts.lr,
        loss_weights: opts.loss_weights.clone(),
        seed: opts.seed,
    };
    let mut model = Model::new(gpu, spec, &config)?;
    model
        .prepare(opts.batch_size)
        .context("preparing the GPU buffers for one batch")?;

    let steps = train_idx.len().div_ceil(opts.batch_size);
    let mut reports: Vec<EpochReport> = Vec::new();
    let mut best: Option<(usize, f64, f64)> = None; // (epoch, both-correct, loss)
    let mut pixels = Vec::new();
    for epoch in 1..=opts.epochs {
        let start = Instant::now();
        let bar = ProgressBar::new(steps as u64).with_style(
            ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} steps {msg} ({eta})",
            )
            .unwrap()
            .progress_chars("=> "),
        );
        bar.set_prefix(format!("{epoch}/{}", opts.epochs));
        let order = epoch_order(&train_idx, opts.seed, epoch);
        let mut sums = vec![(0.0f64, 0u64); data.heads.len()];
        for (step, chunk) in order.chunks(opts.batch_size).enumerate() {
            data.batch_pixels(chunk, &mut pixels);
            let labels = data.batch_labels(chunk);
            let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
            model.train_step(&pixels, &refs)?;
            if (step + 1) % 10 == 0 || step + 1 == steps {
                for (s, h) in sums.iter_mut().zip(model.take_stats()?) {
                    s.0 += h.loss_sum;
                    s.1 += h.correct;
                }
                let loss: f64 = sums.iter().map(|s| s.0).sum::<f64>() / (step + 1) as f64;
                bar.set_message(format!("loss {loss:.3}"));
            }
            bar.inc(1);
        }
        let train_seconds = start.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let val = evaluate(&mut model, data, &val_idx, opts.batch_size)?;
        let report = EpochReport {
            epoch,
            train_loss: sums.iter().map(|s| s.0 / steps as f64).collect(),
            train_accuracy: sums
                .iter()
                .map(|s| s.1 as f64 / train_idx.len() as f64)
                .collect(),
            seconds: start.elapsed().as_secs_f64(),
            images_per_second: train_idx.len() as f64 / train_seconds,
            val,
        };
        say(&epoch_line(&report, opts.epochs, data));
        run_dir::append_line(dir, "metrics.csv", &csv_header(data), &csv_line(&report))?;
        save(
            &model,
            &dir.join("last.safetensors"),
            data,
            &train_idx,
            epoch,
        )?;
        let score = (report.val.all_accuracy(), report.val.total_loss());
        if best.is_none_or(|(_, acc, loss)| score.0 > acc || (score.0 == acc && score.1 < loss)) {
            best = Some((epoch, score.0, score.1));
            save(
                &model,
                &dir.join("best.safetensors"),
                data,
                &train_idx,
                epoch,
            )?;
        }
        reports.push(report);
    }
    let best_epoch = best.map(|b| b.0).unwrap_or(opts.epochs);
    let best_report = &reports[best_epoch - 1];
    say(&format!(
        "best epoch {best_epoch}: val acc {}  both {}  (checkpoint {})",
        data.heads
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{} {}", h.name, pct(best_report.val.accuracy(i))))
            .collect::<Vec<_>>()
            .join(" "),
        pct(best_report.val.all_accuracy()),
        dir.join("best.safetensors").display()
    ));
    for (h, head) in data.heads.iter().enumerate() {
        let m = &best_report.val.confusion[h];
        say(&format!(
            "confusion matrix, {} (validation, best epoch):\n{}",
            head.name,
            confusion_table(&head.classes, m)
        ));
        run_dir::write(
            dir,
            &format!("confusion_{}.csv", head.name),
            &confusion_csv(&head.classes, m),
        )?;
    }
    Ok(RunSummary {
        dir: dir.to_path_buf(),
        epochs: reports,
        best_epoch,
    })
}
