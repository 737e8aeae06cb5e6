//! What decides a training run: the options, their defaults (written here once: the command
//! line and [`TrainOptions::tutorial`] both read them) and their checks.

use anyhow::{Result, ensure};
use model::KernelChoice;

use crate::data::augment::Augment;

/// The tutorial's settings, the defaults of every run.
pub mod defaults {
    pub const EPOCHS: usize = 15;
    pub const BATCH_SIZE: usize = 32;
    pub const LR: f64 = 5e-4;
    pub const VAL_FRACTION: f64 = 0.2;
    pub const SEED: u64 = 0;
    /// Photos are scaled to this square size (the tutorial's network takes 96×96).
    pub const IMAGE_SIZE: usize = 96;
    /// Generated images when no --data is given.
    pub const SYNTHETIC_IMAGES: usize = 480;
    /// The moving average of the weights that validation and the best checkpoint use (0: off).
    pub const EMA: f64 = 0.99;
}

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
    /// Decay of the moving average of the weights that validation and the best checkpoint use;
    /// 0 = none (validation sees the weights themselves). Runs saved before it had none.
    #[serde(default)]
    pub ema: f64,
    /// Which kernels run (measured by default from the command line; the run folder's
    /// config.json records what was chosen).
    #[serde(skip)]
    pub kernels: KernelChoice,
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
    /// The tutorial's settings ([`defaults`]) for a network with `heads` heads.
    pub fn tutorial(heads: usize) -> Self {
        TrainOptions {
            epochs: defaults::EPOCHS,
            batch_size: defaults::BATCH_SIZE,
            lr: defaults::LR,
            val_fraction: defaults::VAL_FRACTION,
            seed: defaults::SEED,
            loss_weights: vec![1.0; heads],
            hold_out: Vec::new(),
            augment: Augment::default(),
            lr_schedule: LrSchedule::Constant,
            ema: defaults::EMA,
            kernels: KernelChoice::default(),
        }
    }

    /// Refuses options no run can use, naming the command-line option to change.
    pub fn check(&self, heads: &[String]) -> Result<()> {
        ensure!(self.batch_size > 0, "--batch-size must be at least 1");
        ensure!(self.epochs > 0, "--epochs: train for at least one epoch");
        ensure!(
            self.lr.is_finite() && self.lr > 0.0,
            "--lr {}: the learning rate must be a positive number (the tutorial's is {})",
            self.lr,
            defaults::LR
        );
        ensure!(
            self.val_fraction > 0.0 && self.val_fraction < 1.0,
            "--val-fraction {}: must be above 0 and below 1 (the best checkpoint is chosen on the validation images; the tutorial's is {})",
            self.val_fraction,
            defaults::VAL_FRACTION
        );
        ensure!(
            (0.0..1.0).contains(&self.ema),
            "--ema {}: the moving average's decay is at least 0 (off) and below 1 (the default is {})",
            self.ema,
            defaults::EMA
        );
        ensure!(
            self.loss_weights.len() == heads.len(),
            "--loss-weights has {} values; give one per head ({})",
            self.loss_weights.len(),
            heads.join(", ")
        );
        ensure!(
            self.loss_weights.iter().all(|w| w.is_finite() && *w >= 0.0),
            "--loss-weights must be finite and not negative: {:?}",
            self.loss_weights
        );
        ensure!(
            self.loss_weights.iter().any(|&w| w > 0.0),
            "--loss-weights {:?}: at least one head needs a weight above 0, or nothing trains",
            self.loss_weights
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_runs_from_the_rate_to_zero() {
        assert_eq!(LrSchedule::Constant.at(5e-4, 7, 10), 5e-4);
        assert_eq!(LrSchedule::Cosine.at(5e-4, 0, 10), 5e-4);
        assert!((LrSchedule::Cosine.at(5e-4, 5, 10) - 2.5e-4).abs() < 1e-12);
        assert!(LrSchedule::Cosine.at(5e-4, 9, 10) < 0.03 * 5e-4);
    }

    #[test]
    fn unusable_options_are_refused_with_the_option_named() {
        let heads = ["color".to_string(), "item".to_string()];
        assert!(TrainOptions::tutorial(2).check(&heads).is_ok());
        let bad = [
            (TrainOptions { batch_size: 0, ..TrainOptions::tutorial(2) }, "--batch-size"),
            (TrainOptions { epochs: 0, ..TrainOptions::tutorial(2) }, "--epochs"),
            (TrainOptions { val_fraction: 1.0, ..TrainOptions::tutorial(2) }, "--val-fraction"),
            (TrainOptions { val_fraction: 0.0, ..TrainOptions::tutorial(2) }, "--val-fraction"),
            (TrainOptions { lr: -1.0, ..TrainOptions::tutorial(2) }, "--lr"),
            (TrainOptions { lr: 0.0, ..TrainOptions::tutorial(2) }, "--lr"),
            (TrainOptions { lr: f64::NAN, ..TrainOptions::tutorial(2) }, "--lr"),
            (TrainOptions { ema: 1.0, ..TrainOptions::tutorial(2) }, "--ema"),
            (TrainOptions { ema: -0.5, ..TrainOptions::tutorial(2) }, "--ema"),
            (TrainOptions { loss_weights: vec![0.0, 0.0], ..TrainOptions::tutorial(2) }, "--loss-weights"),
            (TrainOptions::tutorial(3), "--loss-weights"),
            (TrainOptions { loss_weights: vec![1.0, -1.0], ..TrainOptions::tutorial(2) }, "--loss-weights"),
        ];
        for (opts, option) in bad {
            let e = opts.check(&heads).unwrap_err().to_string();
            assert!(e.contains(option), "{e}");
        }
    }
}
