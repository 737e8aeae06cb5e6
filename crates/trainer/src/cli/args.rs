//! The command line's options of training (`train`, `suite`) and of the device, and what they
//! ask for in the library's terms.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use model::{KernelChoice, Variant};

use crate::data::DataSource;
use crate::data::augment::{Augment, AugmentMode, AugmentOverrides};
use crate::run::options::{LrSchedule, TrainOptions, defaults};
use crate::run::start::{NewRun, Start, TrainRequest, kernel_cache};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KernelsArg {
    Auto,
    Blocked,
    Tiled,
    Subgroup,
}

fn positive_seconds(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// The adapter to run on: its index or part of its name (see --list-adapters).
    #[arg(long)]
    pub adapter: Option<String>,
    /// List the GPU adapters wgpu can use, and exit.
    #[arg(long)]
    pub list_adapters: bool,
}

#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// A folder of `<color>_<item>` subfolders of images. Without it, a generated set of
    /// garment images is used.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The heads the parts of the folder names label, in order: `--heads gender,article,colour`
    /// reads `men_shirt_blue` folders [default: color,item]. Without --data, `color,item,background`
    /// adds a third head to the generated images.
    #[arg(long, value_delimiter = ',')]
    pub heads: Option<Vec<String>>,
    /// A CSV table `path,<head>,<head>,…` of the images (paths relative to --data) and their
    /// labels, instead of folder names; an empty cell means no label for that head.
    #[arg(long, value_name = "FILE.csv")]
    pub labels: Option<PathBuf>,
    /// How many images to generate when --data is not given.
    #[arg(long, default_value_t = defaults::SYNTHETIC_IMAGES)]
    pub synthetic_images: usize,
    /// Epochs to train (with --resume: extends the run to this many) [default: 15].
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    pub batch_size: usize,
    /// Adam's learning rate.
    #[arg(long, default_value_t = defaults::LR)]
    pub lr: f64,
    /// How the learning rate moves: `constant` (the tutorial's) or `cosine` (down to 0 by the end).
    #[arg(long, value_enum, default_value_t = LrSchedule::Constant)]
    pub lr_schedule: LrSchedule,
    /// Decay of the moving average of the weights that validation and the best checkpoint use
    /// (0.99: about the last 100 steps); 0 validates the weights themselves.
    #[arg(long, default_value_t = defaults::EMA)]
    pub ema: f64,
    /// Share of the images held out for validation.
    #[arg(long, default_value_t = defaults::VAL_FRACTION)]
    pub val_fraction: f64,
    /// Seed of the initial weights, the split and the batch order.
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    /// Weight of each head's loss, comma-separated in head order (default 1 each).
    #[arg(long, value_delimiter = ',')]
    pub loss_weights: Option<Vec<f32>>,
    /// Where run folders are created.
    #[arg(long, default_value = "runs")]
    pub runs_dir: PathBuf,
    /// Name of this run's folder (default: the next run-NNNN).
    #[arg(long)]
    pub run_name: Option<String>,
    /// Combinations to keep out of training and ordinary validation and report apart, e.g.
    /// `blue_shirt,black_jeans`.
    #[arg(long, value_delimiter = ',')]
    pub hold_out: Vec<String>,
    /// Augmentation: `on` is the recommended set (--grey 0.25 --blacken 0.2 --colorize 0.5
    /// --recolor 0.5 --crop 0.3 --flip), which teaches the heads to name colour × item
    /// combinations missing from the data; `auto` (the default) turns it on only when some are missing; the options below
    /// override single values.
    #[arg(long, value_enum, default_value_t = AugmentMode::Auto)]
    pub augment: AugmentMode,
    /// Probability of swapping an image's red and blue channels (and its labels red ↔ blue).
    #[arg(long)]
    pub swap_red_blue: Option<f32>,
    /// Probability of training on an image in grey, with its colour loss masked.
    #[arg(long)]
    pub grey: Option<f32>,
    /// Probability of training on a blackened copy of an image (grey, darkened; colour label black).
    #[arg(long)]
    pub blacken: Option<f32>,
    /// Probability of colouring a black garment red or blue (the colour head's other colours
    /// with a measured tint), its shading kept, and labelling it so.
    #[arg(long)]
    pub colorize: Option<f32>,
    /// Probability of moving a coloured garment (red, blue) to another colour of the colour head
    /// by turning its hue, its shading and texture kept, and labelling it so.
    #[arg(long)]
    pub recolor: Option<f32>,
    /// Mirror half of the training images left-right (`--flip false`: never, also when the
    /// recommended set is on).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub flip: Option<bool>,
    /// Probability of a label-keeping colour jitter (saturation, brightness, paler shades).
    #[arg(long)]
    pub jitter: Option<f32>,
    /// Probability of cropping 70–100% of the side at a random place (scaled back to full size).
    #[arg(long)]
    pub crop: Option<f32>,
    /// Which kernel variant runs the matrix products: `auto` times each (and each register block
    /// its kernels offer) on this adapter at the run's shapes and keeps the fastest per pass
    /// (remembered in ~/.cache/twinhead/kernels.json);
    /// `blocked`, `tiled` or `subgroup` (where the adapter has subgroups) forces one. Default:
    /// $TWINHEAD_KERNELS, else auto.
    #[arg(long, value_enum)]
    pub kernels: Option<KernelsArg>,
    /// The most seconds `--kernels auto` may spend measuring; passes left unmeasured then run
    /// the best guess so far (said at the start of the run) and are measured again next run.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = positive_seconds)]
    pub kernel_time_limit: f64,
    /// Continue the run in this folder from its last saved state (its configuration is reused;
    /// --epochs may extend it).
    #[arg(long, value_name = "RUN_DIR")]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub device: DeviceArgs,
}

impl KernelsArg {
    /// What `--kernels` asks of the model.
    fn choice(self) -> KernelChoice {
        match self {
            KernelsArg::Auto => KernelChoice::Measure { cache: kernel_cache() },
            KernelsArg::Blocked => KernelChoice::Fixed(Variant::Blocked),
            KernelsArg::Tiled => KernelChoice::Fixed(Variant::Tiled),
            KernelsArg::Subgroup => KernelChoice::Fixed(Variant::Subgroup),
        }
    }
}

/// The options `--resume` takes; every other training option is the run's own.
const RESUME_TAKES: [&str; 6] = ["epochs", "kernels", "kernel_time_limit", "resume", "adapter", "list_adapters"];

impl TrainArgs {
    /// The run's own settings among the options given on the command line (not defaulted) in
    /// `matches`, for `--resume`'s refusal: every option of this struct but [`RESUME_TAKES`].
    pub fn given_run_settings(matches: &clap::ArgMatches) -> Vec<String> {
        let all = TrainArgs::augment_args(clap::Command::new("train"));
        all.get_arguments()
            .map(|a| a.get_id().as_str())
            .filter(|id| !RESUME_TAKES.contains(id))
            .filter(|id| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
            .map(str::to_string)
            .collect()
    }

    /// What these options ask for; `given` are the run settings given ([`Self::given_run_settings`]),
    /// which `--resume` refuses.
    pub fn request(&self, given: &[String]) -> Result<TrainRequest> {
        let kernel_time_limit = Duration::from_secs_f64(self.kernel_time_limit);
        let kernels = self.kernels.map(KernelsArg::choice);
        if let Some(dir) = &self.resume {
            refuse_on_resume(dir, given)?;
            let start = Start::Resume { dir: dir.clone(), epochs: self.epochs, kernels };
            return Ok(TrainRequest { start, kernel_time_limit });
        }
        Ok(TrainRequest { start: Start::New(Box::new(self.new_run(kernels))), kernel_time_limit })
    }

    fn new_run(&self, kernels: Option<KernelChoice>) -> NewRun {
        // Absolute paths, so that --resume works from any folder.
        let absolute = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let source = DataSource {
            folder: self.data.as_ref().map(absolute),
            synthetic_images: self.synthetic_images,
            heads: self.heads.clone(),
            labels: self.labels.as_ref().map(absolute),
        };
        let options = TrainOptions {
            epochs: self.epochs.unwrap_or(defaults::EPOCHS),
            batch_size: self.batch_size,
            lr: self.lr,
            val_fraction: self.val_fraction,
            seed: self.seed,
            // One per head, resolved once the data says how many heads there are.
            loss_weights: self.loss_weights.clone().unwrap_or_default(),
            hold_out: self.hold_out.clone(),
            // Resolved once the data is loaded.
            augment: Augment::default(),
            lr_schedule: self.lr_schedule,
            ema: self.ema,
            kernels: KernelChoice::default(),
        };
        let augment_overrides = AugmentOverrides {
            swap_red_blue: self.swap_red_blue,
            grey: self.grey,
            blacken: self.blacken,
            colorize: self.colorize,
            recolor: self.recolor,
            jitter: self.jitter,
            crop: self.crop,
            flip: self.flip,
        };
        let (runs_dir, run_name) = (self.runs_dir.clone(), self.run_name.clone());
        NewRun { source, options, augment: self.augment, augment_overrides, kernels, runs_dir, run_name }
    }
}

/// `--resume` keeps the run's settings: any of them given is refused, naming them.
fn refuse_on_resume(dir: &Path, given: &[String]) -> Result<()> {
    let refused: Vec<String> = given.iter().map(|g| format!("--{}", g.replace('_', "-"))).collect();
    if !refused.is_empty() {
        bail!(
            "--resume continues {} with the settings it started with (its config.json); {} cannot change. \
             Leave {} out, or start a new run with them",
            dir.display(),
            refused.join(", "),
            if refused.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}
