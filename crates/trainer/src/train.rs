//! The training loop, in the pieces a reader looks for: the run's setup (split, model, resume),
//! one training epoch, one validation, the end of an epoch (report, checkpoints, state), and
//! the end of the run. Stops are clean (state saved, resume command printed) and resuming is
//! exact.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use model::{IGNORE, Model, ModelSpec, StepStats, TrainConfig, save_checkpoint};
use tensor::Gpu;

use crate::augment::Augmenter;
use crate::data::Dataset;
use crate::evaluate::{Evaluation, confusion_csv, confusion_table, evaluate};
use crate::feed::{Batch, Feed};
pub use crate::options::{LrSchedule, TrainOptions};
use crate::report::{self, EpochReport};
use crate::run_dir;
use crate::split::{epoch_order, train_val_split};
use crate::state::{self, Progress};

/// How a caller stops a run from outside: `stop` (set by Ctrl-C) ends it cleanly after the
/// current step; `stop_after_steps` does the same once that many Adam steps are done.
#[derive(Clone, Debug, Default)]
pub struct TrainControl {
    pub stop: Arc<AtomicBool>,
    pub stop_after_steps: Option<u32>,
    /// The most time measuring kernels may take (none: no limit).
    pub kernel_time_limit: Option<std::time::Duration>,
}

impl TrainControl {
    /// The one stop condition, checked after every step.
    fn stop_requested(&self, model: &Model) -> bool {
        self.stop.load(Ordering::SeqCst) || self.stop_after_steps.is_some_and(|n| model.step >= n)
    }
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

/// Which images the run trains on, validates on, and holds out.
struct Split {
    train: Vec<usize>,
    val: Vec<usize>,
    /// Images of the `--hold-out` combinations: never trained on, reported apart.
    unseen: Vec<usize>,
}

impl Split {
    /// Holds out whole combinations (each must be one of the data), then splits the rest.
    fn new(data: &Dataset, opts: &TrainOptions) -> Result<Split> {
        let mut combos: Vec<String> = (0..data.len()).map(|i| data.combination(i)).collect();
        let (seen, unseen): (Vec<usize>, Vec<usize>) =
            (0..data.len()).partition(|&i| !opts.hold_out.contains(&combos[i]));
        combos.sort();
        combos.dedup();
        for name in &opts.hold_out {
            if !combos.contains(name) {
                bail!("--hold-out {name}: no such combination in the data (there are {})", combos.join(", "));
            }
        }
        let (train_pos, val_pos) = train_val_split(seen.len(), opts.val_fraction, opts.seed);
        let split = Split {
            train: train_pos.iter().map(|&i| seen[i]).collect(),
            val: val_pos.iter().map(|&i| seen[i]).collect(),
            unseen,
        };
        anyhow::ensure!(!split.train.is_empty(), "no images left for training");
        anyhow::ensure!(
            !split.val.is_empty(),
            "no images left for validation ({} × {} rounds to none); raise --val-fraction or add images",
            seen.len(),
            opts.val_fraction
        );
        anyhow::ensure!(
            opts.batch_size <= split.train.len(),
            "a batch of {} is more than the {} training images; use --batch-size {} or less",
            opts.batch_size,
            split.train.len(),
            split.train.len()
        );
        Ok(split)
    }
}

/// How one training epoch ended.
enum EpochEnd {
    /// Every step ran; `steps` of them in this process (fewer after a resume).
    Completed { steps: usize },
    /// A stop was asked for before the epoch's last step.
    Stopped,
}

/// One run in progress: what every piece of the loop reads.
struct Session<'a> {
    model: Model,
    data: &'a Dataset,
    opts: &'a TrainOptions,
    dir: &'a Path,
    split: Split,
    augmenter: Augmenter,
    control: &'a TrainControl,
    /// Steps in one epoch.
    steps: usize,
}

/// Refuses data and options no run can learn from, before any run folder is made: a head with
/// one class, hold-outs the data lacks, a split without training or validation images, a batch
/// larger than the training images, augmentation the data cannot take.
pub fn check(data: &Dataset, opts: &TrainOptions) -> Result<()> {
    let head_names: Vec<String> = data.heads.iter().map(|h| h.name.clone()).collect();
    opts.check(&head_names)?;
    for h in &data.heads {
        anyhow::ensure!(
            h.classes.len() >= 2,
            "head {} has one class only ({:?}): a classifier needs at least two; add images of other {}s",
            h.name,
            h.classes,
            h.name
        );
    }
    Augmenter::new(&opts.augment, data)?;
    Split::new(data, opts)?;
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
    check(data, opts)?;
    let split = Split::new(data, opts)?;
    let augmenter = Augmenter::new(&opts.augment, data)?;
    let config = TrainConfig {
        lr: opts.lr,
        loss_weights: opts.loss_weights.clone(),
        seed: opts.seed,
        kernels: opts.kernels.clone(),
    };
    let mut model = Model::new(gpu, spec, &config)?;
    if opts.ema > 0.0 {
        model.enable_ema(opts.ema)?;
    }
    if let Some(limit) = control.kernel_time_limit {
        model.limit_tuning(limit, tuning_progress());
    }
    let tuning = Instant::now();
    model.prepare(opts.batch_size).context("preparing the GPU buffers for one batch")?;
    clear_progress_line();
    say(&format!("kernels: {} ({:.1} s to choose)", model.kernel_summary(), tuning.elapsed().as_secs_f64()));
    if let Some(note) = model.tuning_note() {
        say(&format!("warning: {note}"));
    }
    run_dir::record_kernels(dir, &model.kernel_choices())?;
    let mut progress = if dir.join(state::STATE_FILE).exists() {
        let p = state::restore(&mut model, dir)?;
        state::check_position(&p, split.train.len().div_ceil(opts.batch_size), data.heads.len(), dir)?;
        // The logs end exactly where the saved state does.
        let saved_step = model.step as u64;
        run_dir::keep_rows(dir, "steps.csv", |step| step <= saved_step)?;
        run_dir::keep_rows(dir, "metrics.csv", |epoch| epoch < p.epoch as u64)?;
        say(&format!("resuming at epoch {} after {} steps of it (Adam step {})", p.epoch, p.position, model.step));
        p
    } else {
        Progress::start(data.heads.len())
    };
    let steps = split.train.len().div_ceil(opts.batch_size);
    let mut s = Session { model, data, opts, dir, split, augmenter, control, steps };

    let mut reports = Vec::new();
    while progress.epoch <= opts.epochs {
        let epoch = progress.epoch;
        let start = Instant::now();
        let trained = match s.train_epoch(&mut progress)? {
            EpochEnd::Completed { steps } => steps,
            EpochEnd::Stopped => {
                s.save_state(&progress)?;
                say(&format!(
                    "stopped in epoch {epoch} after {} of {} steps; state saved. Resume with: trainer train --resume {}",
                    progress.position,
                    s.steps,
                    dir.display()
                ));
                return Ok(s.summary(reports, Ending::Interrupted { epoch, position: progress.position }));
            }
        };
        let train_seconds = start.elapsed().as_secs_f64();
        let (val, unseen, unseen_weights) = s.validate()?;
        let report = EpochReport {
            epoch,
            train_loss: progress.loss_sums.iter().map(|l| l / s.steps as f64).collect(),
            train_accuracy: progress.correct.iter().zip(&progress.labelled).map(|(&c, &n)| ratio(c, n)).collect(),
            seconds: start.elapsed().as_secs_f64(),
            images_per_second: (trained * opts.batch_size).min(s.split.train.len()) as f64 / train_seconds,
            val,
            unseen,
            unseen_weights,
        };
        progress = s.end_epoch(&report, progress, say)?;
        reports.push(report);
        if s.control.stop_requested(&s.model) && progress.epoch <= opts.epochs {
            say(&format!(
                "stopped after epoch {epoch}; state saved. Resume with: trainer train --resume {}",
                dir.display()
            ));
            return Ok(s.summary(reports, Ending::Interrupted { epoch: epoch + 1, position: 0 }));
        }
    }
    let best_epoch = progress.best.map_or(opts.epochs, |b| b.0);
    s.final_report(&progress, best_epoch, say);
    Ok(s.summary(reports, Ending::Finished { best_epoch }))
}

fn ratio(part: u64, whole: u64) -> f64 {
    part as f64 / whole.max(1) as f64
}

impl Session<'_> {
    /// Trains the steps of `progress.epoch` from `progress.position` on, logging each step.
    fn train_epoch(&mut self, progress: &mut Progress) -> Result<EpochEnd> {
        let (opts, epoch) = (self.opts, progress.epoch);
        let bar = ProgressBar::new(self.steps as u64).with_style(
            ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} steps {msg} ({eta})")
                .unwrap()
                .progress_chars("=> "),
        );
        bar.set_prefix(format!("{epoch}/{}", opts.epochs));
        bar.set_position(progress.position as u64);
        let order = epoch_order(&self.split.train, opts.seed, epoch);
        let first = progress.position;
        let mut batch = Batch::default();
        for (step, chunk) in order.chunks(opts.batch_size).enumerate().skip(first) {
            Feed { data: self.data, augmenter: &self.augmenter, seed: opts.seed }.batch(chunk, epoch, step, &mut batch);
            let labels = &batch.labels;
            for (count, head) in progress.labelled.iter_mut().zip(labels) {
                *count += head.iter().filter(|&&l| l != IGNORE).count() as u64;
            }
            let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
            let done = (epoch - 1) * self.steps + step;
            self.model.set_lr(opts.lr_schedule.at(opts.lr, done, opts.epochs * self.steps));
            self.model.train_step_bytes(&batch.bytes, &refs)?;
            progress.position = step + 1;
            if progress.position.is_multiple_of(16) || progress.position == self.steps {
                self.record_steps(epoch, progress)?;
                let loss: f64 = progress.loss_sums.iter().sum::<f64>() / progress.position as f64;
                bar.set_message(format!("loss {loss:.3}"));
            }
            bar.inc(1);
            if self.control.stop_requested(&self.model) && progress.position < self.steps {
                bar.finish_and_clear();
                self.record_steps(epoch, progress)?;
                return Ok(EpochEnd::Stopped);
            }
        }
        bar.finish_and_clear();
        Ok(EpochEnd::Completed { steps: progress.position - first })
    }

    /// Logs the finished steps' losses to steps.csv and adds them to the epoch's sums; fails on
    /// the first non-finite loss.
    fn record_steps(&mut self, epoch: usize, progress: &mut Progress) -> Result<()> {
        let header = report::steps_header(self.data);
        for s in self.model.take_step_stats()? {
            run_dir::append_line(self.dir, "steps.csv", &header, &report::steps_row(&s, epoch))?;
            if !s.is_finite() {
                bail!(self.diverged(&s, epoch));
            }
            for (h, (l, c)) in s.loss.iter().zip(&s.correct).enumerate() {
                progress.loss_sums[h] += *l as f64;
                progress.correct[h] += *c as u64;
            }
        }
        Ok(())
    }

    fn diverged(&self, s: &StepStats, epoch: usize) -> String {
        let last = self.dir.join("last.safetensors");
        let kept = if last.exists() {
            format!("the last good checkpoint is kept: {}", last.display())
        } else {
            "no checkpoint had been saved yet".to_string()
        };
        format!(
            "the loss became {:?} at step {} (epoch {epoch}); training stopped and nothing after that step was saved; {kept}. \
             Lower --lr (it is the usual cause) and train again",
            s.loss, s.step
        )
    }

    /// The validation split, and the held-out combinations when there are any, measured on the
    /// moving average when the run keeps one (then the held-out ones on the weights too).
    fn validate(&mut self) -> Result<(Evaluation, Option<Evaluation>, Option<Evaluation>)> {
        let (batch, data, split) = (self.opts.batch_size, self.data, &self.split);
        let (val, unseen) = self.model.with_average(|m| -> Result<_> {
            let val = evaluate(m, data, &split.val, batch)?;
            let unseen = match split.unseen.is_empty() {
                true => None,
                false => Some(evaluate(m, data, &split.unseen, batch)?),
            };
            Ok((val, unseen))
        })?;
        let unseen_weights = match self.model.has_ema() && !split.unseen.is_empty() {
            true => Some(evaluate(&mut self.model, data, &split.unseen, batch)?),
            false => None,
        };
        Ok((val, unseen, unseen_weights))
    }

    /// Prints and logs the epoch, saves the last (and, if better, the best) checkpoint and the
    /// state at the start of the next epoch, which it returns.
    fn end_epoch(&self, report: &EpochReport, progress: Progress, say: &mut dyn FnMut(&str)) -> Result<Progress> {
        let (data, dir) = (self.data, self.dir);
        let line = report::epoch_line(report, self.opts.epochs, data);
        say(&line);
        let header = report::metrics_header(data, !self.split.unseen.is_empty(), self.model.has_ema());
        run_dir::append_line(dir, "metrics.csv", &header, &report::metrics_row(report))?;
        self.save_weights("last.safetensors", report.epoch, false)?;
        if self.model.has_ema() {
            self.save_weights("last_average.safetensors", report.epoch, true)?;
        }
        let mut progress = progress;
        let score = (report.val.all_accuracy(), report.val.total_loss());
        if progress.best.is_none_or(|(_, acc, loss)| score.0 > acc || (score.0 == acc && score.1 < loss)) {
            progress.best = Some((report.epoch, score.0, score.1));
            progress.best_line = line;
            progress.best_confusion = report.val.confusion.clone();
            self.save_weights("best.safetensors", report.epoch, true)?;
            for (head, matrix) in data.heads.iter().zip(&report.val.confusion) {
                run_dir::write(dir, &format!("confusion_{}.csv", head.name), &confusion_csv(&head.classes, matrix))?;
            }
        }
        let next = progress.next_epoch();
        state::save(&self.model, dir, &next)?;
        Ok(next)
    }

    /// The state and the last weights, for a stop in the middle of an epoch.
    fn save_state(&self, progress: &Progress) -> Result<()> {
        state::save(&self.model, self.dir, progress)?;
        self.save_weights("last.safetensors", progress.epoch, false)
    }

    /// Saves the weights alone (a PyTorch-loadable state dict) with what they were trained on;
    /// with `average`, the moving average of the weights when the run keeps one (what
    /// validation measured: the best checkpoint).
    fn save_weights(&self, file: &str, epoch: usize, average: bool) -> Result<()> {
        let mut combos: Vec<String> = self.split.train.iter().map(|&i| self.data.combination(i)).collect();
        combos.sort();
        combos.dedup();
        let mut extra = HashMap::new();
        extra.insert("trainer.epoch".into(), epoch.to_string());
        extra.insert("trainer.trained_on".into(), serde_json::to_string(&combos)?);
        let averaged = if average { self.model.average_parameters()? } else { None };
        extra.insert("trainer.weights".into(), if averaged.is_some() { "moving average" } else { "weights" }.into());
        let tensors = match averaged {
            Some(a) => a,
            None => self.model.parameters()?,
        };
        save_checkpoint(&self.dir.join(file), &self.model.spec, &tensors, &extra)?;
        Ok(())
    }

    /// The best epoch's line and confusion matrices.
    fn final_report(&self, progress: &Progress, best_epoch: usize, say: &mut dyn FnMut(&str)) {
        let best = self.dir.join("best.safetensors");
        say(&format!("best epoch {best_epoch} (checkpoint {}):\n{}", best.display(), progress.best_line));
        for (head, matrix) in self.data.heads.iter().zip(&progress.best_confusion) {
            let table = confusion_table(&head.classes, matrix);
            say(&format!("confusion matrix, {} (validation, best epoch):\n{table}", head.name));
        }
    }

    fn summary(&self, epochs: Vec<EpochReport>, ending: Ending) -> RunSummary {
        RunSummary { dir: self.dir.to_path_buf(), epochs, ending }
    }
}

/// Where the kernel measurement's progress goes: one line rewritten in place on a terminal, and
/// only its first line elsewhere (a log file need not hold every pass).
fn tuning_progress() -> Box<dyn FnMut(&str) + Send> {
    use std::io::{IsTerminal, Write};
    let terminal = std::io::stderr().is_terminal();
    let mut first = true;
    Box::new(move |line: &str| {
        if terminal {
            eprint!("\r\x1b[2K{line}");
            let _ = std::io::stderr().flush();
        } else if first {
            eprintln!("{} …", line.split(", ").next().unwrap_or(line));
        }
        first = false;
    })
}

fn clear_progress_line() {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}
