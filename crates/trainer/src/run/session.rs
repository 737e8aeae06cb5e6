//! The training loop, in the pieces a reader looks for: the run's setup (split, model, resume),
//! one training epoch and its steps' log; the end of an epoch is `epoch.rs`'s. Stops are clean (state saved, resume command printed) and resuming is
//! exact.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use model::{IGNORE, Model, ModelSpec, StepStats, TrainConfig};
use tensor::Gpu;

use super::config::RunConfig;
use super::folder;
use super::options::TrainOptions;
use super::report::{self, EpochReport};
use super::state::{self, Progress};
use crate::data::Dataset;
use crate::data::augment::Augmenter;
use crate::data::feed::{Batch, Feed};
use crate::data::split::{Split, epoch_order};

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

/// How one training epoch ended.
enum EpochEnd {
    /// Every step ran; `steps` of them in this process (fewer after a resume).
    Completed { steps: usize },
    /// A stop was asked for before the epoch's last step.
    Stopped,
}

/// One run in progress: what every piece of the loop reads.
pub(super) struct Session<'a> {
    pub(super) model: Model,
    pub(super) data: &'a Dataset,
    pub(super) opts: &'a TrainOptions,
    pub(super) dir: &'a Path,
    pub(super) split: Split,
    pub(super) augmenter: Augmenter,
    pub(super) control: &'a TrainControl,
    /// Steps in one epoch.
    pub(super) steps: usize,
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
    split_of(data, opts)?;
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
    let model = prepared_model(gpu, spec, opts, dir, control, say)?;
    let split = split_of(data, opts)?;
    let augmenter = Augmenter::new(&opts.augment, data)?;
    let steps = split.train.len().div_ceil(opts.batch_size);
    let mut s = Session { model, data, opts, dir, split, augmenter, control, steps };
    let mut progress = s.restore_or_start(say)?;
    let mut reports = Vec::new();
    while progress.epoch <= opts.epochs {
        let epoch = progress.epoch;
        let start = Instant::now();
        let trained = match s.train_epoch(&mut progress)? {
            EpochEnd::Completed { steps } => steps,
            EpochEnd::Stopped => return s.stop_in_epoch(&progress, reports, say),
        };
        let report = s.epoch_report(&progress, trained, start)?;
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

/// The run's split, refusing a batch larger than its training images.
fn split_of(data: &Dataset, opts: &TrainOptions) -> Result<Split> {
    let split = Split::new(data, &opts.hold_out, opts.val_fraction, opts.seed)?;
    anyhow::ensure!(
        opts.batch_size <= split.train.len(),
        "a batch of {} is more than the {} training images; use --batch-size {} or less",
        opts.batch_size,
        split.train.len(),
        split.train.len()
    );
    Ok(split)
}

/// The model of a run with its kernels chosen (said, and recorded in the run's config.json).
fn prepared_model(
    gpu: Arc<Gpu>,
    spec: ModelSpec,
    opts: &TrainOptions,
    dir: &Path,
    control: &TrainControl,
    say: &mut dyn FnMut(&str),
) -> Result<Model> {
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
    RunConfig::record_kernels(dir, model.kernel_choices())?;
    Ok(model)
}

fn ratio(part: u64, whole: u64) -> f64 {
    part as f64 / whole.max(1) as f64
}

impl Session<'_> {
    /// Where the run stands: the saved state's place (the logs cut back to it), or the start.
    fn restore_or_start(&mut self, say: &mut dyn FnMut(&str)) -> Result<Progress> {
        let (dir, heads) = (self.dir, self.data.heads.len());
        if !dir.join(state::STATE_FILE).exists() {
            return Ok(Progress::start(heads));
        }
        let p = state::restore(&mut self.model, dir)?;
        state::check_position(&p, self.steps, heads, dir)?;
        // The logs end exactly where the saved state does.
        let saved_step = self.model.step as u64;
        folder::keep_rows(dir, "steps.csv", |step| step <= saved_step)?;
        folder::keep_rows(dir, "metrics.csv", |epoch| epoch < p.epoch as u64)?;
        say(&format!("resuming at epoch {} after {} steps of it (Adam step {})", p.epoch, p.position, self.model.step));
        Ok(p)
    }

    /// Saves the state of a run stopped inside an epoch and says how to resume it.
    fn stop_in_epoch(
        &self,
        progress: &Progress,
        reports: Vec<EpochReport>,
        say: &mut dyn FnMut(&str),
    ) -> Result<RunSummary> {
        self.save_state(progress)?;
        say(&format!(
            "stopped in epoch {} after {} of {} steps; state saved. Resume with: trainer train --resume {}",
            progress.epoch,
            progress.position,
            self.steps,
            self.dir.display()
        ));
        Ok(self.summary(reports, Ending::Interrupted { epoch: progress.epoch, position: progress.position }))
    }

    /// The figures of the epoch just trained (`trained` steps of it in this process), with its
    /// validation.
    fn epoch_report(&mut self, progress: &Progress, trained: usize, start: Instant) -> Result<EpochReport> {
        let train_seconds = start.elapsed().as_secs_f64();
        let (val, unseen, unseen_weights) = self.validate()?;
        let batch = self.opts.batch_size;
        Ok(EpochReport {
            epoch: progress.epoch,
            train_loss: progress.loss_sums.iter().map(|l| l / self.steps as f64).collect(),
            train_accuracy: progress.correct.iter().zip(&progress.labelled).map(|(&c, &n)| ratio(c, n)).collect(),
            seconds: start.elapsed().as_secs_f64(),
            images_per_second: (trained * batch).min(self.split.train.len()) as f64 / train_seconds,
            val,
            unseen,
            unseen_weights,
        })
    }

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
            folder::append_line(self.dir, "steps.csv", &header, &report::steps_row(&s, epoch))?;
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

    pub(super) fn summary(&self, epochs: Vec<EpochReport>, ending: Ending) -> RunSummary {
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
