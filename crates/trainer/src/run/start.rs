//! Starting a run from what was asked: a new run (its data loaded, its options completed, its
//! folder made) or the continuation of a saved one (its configuration read back and checked
//! against the data and the adapter), then the training and its last words.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use model::{KernelChoice, ModelSpec, Variant};
use tensor::Gpu;

use super::config::RunConfig;
use super::folder::{self, RunLock};
use super::options::{TrainOptions, defaults};
use super::session::{self, Ending, RunSummary, TrainControl};
use super::state;
use crate::data::augment::{Augment, AugmentMode, AugmentOverrides};
use crate::data::source::check_head_names;
use crate::data::{DataSource, Dataset, Skipped, skipped_text};
use crate::stdout;

/// What `trainer train` is asked to do.
#[derive(Clone, Debug)]
pub struct TrainRequest {
    pub start: Start,
    /// The most time choosing kernels may take.
    pub kernel_time_limit: Duration,
}

/// A new run, or the run in a folder continued.
#[derive(Clone, Debug)]
pub enum Start {
    New(Box<NewRun>),
    /// `--resume DIR`: the run's own settings, but for the epochs (extended) and the kernels
    /// (forced), when given.
    Resume {
        dir: PathBuf,
        epochs: Option<usize>,
        kernels: Option<KernelChoice>,
    },
}

/// A new run's settings.
#[derive(Clone, Debug)]
pub struct NewRun {
    pub source: DataSource,
    /// Its loss weights may be empty (one per head, once the data says how many); its
    /// augmentation is chosen from `augment` once the data is loaded, its kernels from `kernels`.
    pub options: TrainOptions,
    pub augment: AugmentMode,
    pub augment_overrides: AugmentOverrides,
    /// `--kernels` when given; else $TWINHEAD_KERNELS, else measured ([`default_kernels`]).
    pub kernels: Option<KernelChoice>,
    pub runs_dir: PathBuf,
    pub run_name: Option<String>,
}

/// Where measured kernel choices are remembered: $TWINHEAD_KERNEL_CACHE, else the user's cache
/// folder ($XDG_CACHE_HOME or ~/.cache) under twinhead/.
pub fn kernel_cache() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TWINHEAD_KERNEL_CACHE") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("twinhead").join("kernels.json"))
}

/// The kernels of a new run when none were forced: $TWINHEAD_KERNELS, else measured.
pub fn default_kernels() -> Result<KernelChoice> {
    Ok(match Variant::from_env().map_err(anyhow::Error::msg)? {
        Some(v) => KernelChoice::Fixed(v),
        None => KernelChoice::Measure { cache: kernel_cache() },
    })
}

/// Refuses, before anything is loaded or measured, a new run that could not be put anywhere.
pub fn check_location(request: &TrainRequest) -> Result<()> {
    if let Start::New(new) = &request.start {
        folder::refuse_file_as_runs_dir(&new.runs_dir)?;
        if let Some(name) = &new.run_name {
            folder::check_run_name(name)?;
        }
        if let Some(heads) = &new.source.heads {
            check_head_names(heads)?;
        }
    }
    Ok(())
}

/// Trains as asked on `gpu`: loads the data, refuses what cannot train before a run folder is
/// made for it, trains, plots. A fresh run refused or failed before it logged anything leaves
/// no folder.
pub fn train(gpu: Arc<Gpu>, request: &TrainRequest, control: TrainControl) -> Result<RunSummary> {
    let (source, mut opts) = source_and_options(request)?;
    match &source.folder {
        Some(f) => eprintln!("reading photos from {}", f.display()),
        None => eprintln!(
            "no --data given: training on {} generated garment images (pass --data DIR for real photos)",
            source.synthetic_images
        ),
    }
    let (data, skipped) = source.load(defaults::IMAGE_SIZE)?;
    complete_options(request, &mut opts, &data);
    let spec = ModelSpec::tutorial(data.heads.clone());
    spec.check_batch_fits(&gpu.limits(), opts.batch_size)?;
    session::check(&data, &opts)?;
    let (dir, _lock) = match &request.start {
        Start::Resume { dir, .. } => (dir.clone(), resumable_folder(dir, &data, &opts, &gpu)?),
        Start::New(new) => {
            let (dir, lock) = folder::create(&new.runs_dir, new.run_name.as_deref())?;
            let adapter = gpu.summary.to_string();
            RunConfig::new(source.clone(), opts.clone(), &data, skipped.len(), &adapter).write(&dir)?;
            (dir, lock)
        }
    };
    let control = TrainControl { kernel_time_limit: Some(request.kernel_time_limit), ..control };
    let result = train_in(gpu, &data, &skipped, spec, &opts, &dir, control);
    if result.is_err() && matches!(request.start, Start::New(_)) {
        folder::remove_if_empty_run(&dir);
    }
    result
}

/// The source and options of a new run as asked, or of the run to resume as saved.
fn source_and_options(request: &TrainRequest) -> Result<(DataSource, TrainOptions)> {
    match &request.start {
        Start::New(new) => {
            let mut opts = new.options.clone();
            opts.kernels = match &new.kernels {
                Some(forced) => forced.clone(),
                None => default_kernels()?,
            };
            Ok((new.source.clone(), opts))
        }
        Start::Resume { dir, epochs, kernels } => {
            let saved = RunConfig::read(dir)?;
            let mut opts = saved.options.clone();
            if let Some(e) = epochs {
                opts.epochs = *e;
            }
            // The kernels the run chose, so that it goes on computing exactly as before.
            opts.kernels = kernels.clone().unwrap_or_else(|| saved.kernel_choice(kernel_cache()));
            Ok((saved.data, opts))
        }
    }
}

/// Fills in what depends on the data: one loss weight per head, and a new run's augmentation.
fn complete_options(request: &TrainRequest, opts: &mut TrainOptions, data: &Dataset) {
    if opts.loss_weights.is_empty() {
        opts.loss_weights = vec![1.0; data.heads.len()];
    }
    if let Start::New(new) = &request.start {
        opts.augment = choose_augment(new, data);
    }
}

/// `--augment` for this data, with the single options given on top; says what it chose and why.
fn choose_augment(new: &NewRun, data: &Dataset) -> Augment {
    let hold_out = &new.options.hold_out;
    let trained_on = data.combinations((0..data.len()).filter(|&i| !hold_out.contains(&data.combination(i))));
    let (a, why) = Augment::for_data(new.augment, &trained_on, &data.heads);
    let a = new.augment_overrides.apply(a);
    eprintln!("augmentation: {} ({why})", a.describe());
    a
}

/// Locks the folder of a run to resume and checks that it can go on here: the same data, a
/// state to go on from; another adapter is warned of.
fn resumable_folder(dir: &Path, data: &Dataset, opts: &TrainOptions, gpu: &Gpu) -> Result<RunLock> {
    let lock = RunLock::acquire(dir)?;
    let saved = RunConfig::read(dir)?;
    saved.check_same_data(data, dir)?;
    state::check_resumable(dir, opts.epochs)?;
    if !saved.same_adapter(&gpu.summary) {
        eprintln!(
            "warning: {} started on {} and resumes on {}: the kernels compute in another order there, \
             so the result will not be bit for bit that of an uninterrupted run",
            dir.display(),
            saved.adapter,
            gpu.summary
        );
    }
    Ok(lock)
}

/// Runs the training in the prepared (and locked) run folder `dir`, and draws its plots.
fn train_in(
    gpu: Arc<Gpu>,
    data: &Dataset,
    skipped: &[Skipped],
    spec: ModelSpec,
    opts: &TrainOptions,
    dir: &Path,
    control: TrainControl,
) -> Result<RunSummary> {
    folder::write(dir, "adapter.txt", &format!("{}\n", gpu.summary))?;
    if !skipped.is_empty() {
        folder::write(dir, "skipped.txt", &skipped_text(skipped))?;
    }
    let classes: Vec<String> = data.heads.iter().map(|h| format!("{} {:?}", h.name, h.classes)).collect();
    eprintln!("{} images; heads: {}; run folder {}", data.len(), classes.join(", "), dir.display());
    let summary = session::run(gpu, data, spec, opts, dir, &control, &mut |line: &str| stdout::training_line(line))?;
    if !skipped.is_empty() {
        eprint!("{}", skipped_text(skipped));
    }
    super::plot::plot_run(dir)
        .map(|files| eprintln!("plots: {}", files.join(", ")))
        .unwrap_or_else(|e| eprintln!("warning: no plots: {e:#}"));
    if let Ending::Finished { best_epoch } = summary.ending {
        eprintln!("run folder: {} (best epoch {best_epoch})", summary.dir.display());
    }
    Ok(summary)
}
