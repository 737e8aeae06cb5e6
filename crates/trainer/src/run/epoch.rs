//! The end of an epoch: validation, the epoch's line and metrics row, the checkpoints (last,
//! best, their moving averages) and the state a resumed run starts from; and the run's last
//! words.

use std::collections::HashMap;

use anyhow::Result;
use model::save_checkpoint;

use super::folder;
use super::report::{self, EpochReport};
use super::session::Session;
use super::state::{self, Progress};
use crate::infer::evaluate::{Evaluation, confusion_csv, confusion_table, evaluate};

impl Session<'_> {
    /// The validation split, and the held-out combinations when there are any, measured on the
    /// moving average when the run keeps one (then the held-out ones on the weights too).
    pub(super) fn validate(&mut self) -> Result<(Evaluation, Option<Evaluation>, Option<Evaluation>)> {
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
    pub(super) fn end_epoch(
        &self,
        report: &EpochReport,
        progress: Progress,
        say: &mut dyn FnMut(&str),
    ) -> Result<Progress> {
        let (data, dir) = (self.data, self.dir);
        let line = report::epoch_line(report, self.opts.epochs, data);
        say(&line);
        let header = report::metrics_header(data, !self.split.unseen.is_empty(), self.model.has_ema());
        folder::append_line(dir, "metrics.csv", &header, &report::metrics_row(report))?;
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
                folder::write(dir, &format!("confusion_{}.csv", head.name), &confusion_csv(&head.classes, matrix))?;
            }
        }
        let next = progress.next_epoch();
        state::save(&self.model, dir, &next)?;
        Ok(next)
    }

    /// The state and the last weights, for a stop in the middle of an epoch.
    pub(super) fn save_state(&self, progress: &Progress) -> Result<()> {
        state::save(&self.model, self.dir, progress)?;
        self.save_weights("last.safetensors", progress.epoch, false)
    }

    /// Saves the weights alone (a PyTorch-loadable state dict) with what they were trained on;
    /// with `average`, the moving average of the weights when the run keeps one (what
    /// validation measured: the best checkpoint).
    pub(super) fn save_weights(&self, file: &str, epoch: usize, average: bool) -> Result<()> {
        let combos = self.data.combinations(self.split.train.iter().copied());
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
    pub(super) fn final_report(&self, progress: &Progress, best_epoch: usize, say: &mut dyn FnMut(&str)) {
        let best = self.dir.join("best.safetensors");
        say(&format!("best epoch {best_epoch} (checkpoint {}):\n{}", best.display(), progress.best_line));
        for (head, matrix) in self.data.heads.iter().zip(&progress.best_confusion) {
            let table = confusion_table(&head.classes, matrix);
            say(&format!("confusion matrix, {} (validation, best epoch):\n{table}", head.name));
        }
    }
}
