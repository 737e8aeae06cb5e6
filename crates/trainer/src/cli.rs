//! The command line: `trainer [train]`, `trainer predict`, `trainer eval`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use model::{KernelChoice, ModelSpec, Variant};
use tensor::{AdapterChoice, Gpu, list_adapters};

use crate::augment::{Augment, AugmentMode};
use crate::data::{Dataset, Skipped};
use crate::eval_checkpoint::evaluate_checkpoint;
use crate::options::{LrSchedule, TrainOptions, defaults};
use crate::predict::{model_from_checkpoint, name_classes, no_class_names, predict};
use crate::run_dir::{self, DataSource, RunConfig};
use crate::stdout;
use crate::suite;
use crate::train::{Ending, RunSummary, TrainControl, run};

#[derive(Parser, Debug)]
#[command(
    name = "trainer",
    version,
    about = "Train, evaluate and use twinhead's dual-head garment classifier on the GPU"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    train: TrainArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train a model (the default when no command is given).
    Train(TrainArgs),
    /// Print each image's predicted class and probability per head.
    Predict {
        /// A checkpoint written by `trainer train` (or a PyTorch state dict in safetensors).
        #[arg(long)]
        checkpoint: PathBuf,
        /// Image files.
        #[arg(required = true)]
        images: Vec<PathBuf>,
        /// Class names for a checkpoint without them (a plain PyTorch state dict), one head at
        /// a time in output order: `--classes color=black,blue,red --classes item=dress,jeans,shirt,shoes`.
        #[arg(long)]
        classes: Vec<String>,
        /// `text` (a line per image), `json` (an array of records) or `csv` (a header
        /// `path,<head>,<head>_probability,…` and a row per image), for other tools to read.
        #[arg(long, value_enum, default_value_t = PredictFormat::Text)]
        format: PredictFormat,
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// The unseen-combinations suite: one training run per held-out pair and seed (the
    /// training options as for `train`), then one table of seen and unseen accuracy per pair —
    /// mean and worst seed — and how much the unseen figure swings between epochs. Slow: each
    /// run is a full training run.
    Suite {
        #[command(flatten)]
        train: TrainArgs,
        /// The held-out pairs, `;`-separated [default: the three of the suite, see the README].
        #[arg(long, value_delimiter = ';')]
        pairs: Option<Vec<String>>,
        /// The seeds each pair runs with.
        #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
        seeds: Vec<u64>,
    },
    /// Draw (again) the PNG plots of a run folder.
    Plot {
        /// A run folder written by `trainer train`.
        run_dir: PathBuf,
    },
    /// Accuracy and confusion matrices of a checkpoint on a whole folder of labelled images.
    Eval {
        #[arg(long)]
        checkpoint: PathBuf,
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = defaults::BATCH_SIZE)]
        batch_size: usize,
        /// Class names for a checkpoint without them, as for `predict` (default: the data
        /// folder's own, when each head has as many as the checkpoint).
        #[arg(long)]
        classes: Vec<String>,
        /// A label table `path,<head>,…` for the images of --data, as `train --labels` takes.
        #[arg(long, value_name = "FILE.csv")]
        labels: Option<PathBuf>,
        #[command(flatten)]
        device: DeviceArgs,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum KernelsArg {
    Auto,
    Blocked,
    Tiled,
    Subgroup,
}

/// Where measured kernel choices are remembered: $TWINHEAD_KERNEL_CACHE, else the user's cache
/// folder ($XDG_CACHE_HOME or ~/.cache) under twinhead/.
fn kernel_cache() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TWINHEAD_KERNEL_CACHE") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("twinhead").join("kernels.json"))
}

fn positive_seconds(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

/// `--kernels`, or $TWINHEAD_KERNELS, or measuring.
fn kernel_choice(arg: Option<KernelsArg>) -> Result<KernelChoice> {
    let arg = match arg {
        Some(a) => a,
        None => match std::env::var("TWINHEAD_KERNELS").ok().as_deref() {
            None | Some("") | Some("auto") => KernelsArg::Auto,
            Some("blocked") => KernelsArg::Blocked,
            Some("tiled") => KernelsArg::Tiled,
            Some("subgroup") => KernelsArg::Subgroup,
            Some(other) => bail!("TWINHEAD_KERNELS={other}: use auto, blocked, tiled or subgroup"),
        },
    };
    Ok(match arg {
        KernelsArg::Auto => KernelChoice::Measure { cache: kernel_cache() },
        KernelsArg::Blocked => KernelChoice::Fixed(Variant::Blocked),
        KernelsArg::Tiled => KernelChoice::Fixed(Variant::Tiled),
        KernelsArg::Subgroup => KernelChoice::Fixed(Variant::Subgroup),
    })
}

#[derive(Args, Debug, Clone)]
struct DeviceArgs {
    /// The adapter to run on: its index or part of its name (see --list-adapters).
    #[arg(long)]
    adapter: Option<String>,
    /// List the GPU adapters wgpu can use, and exit.
    #[arg(long)]
    list_adapters: bool,
}

#[derive(Args, Debug, Clone)]
struct TrainArgs {
    /// A folder of `<color>_<item>` subfolders of images. Without it, a generated set of
    /// garment images is used.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The heads the parts of the folder names label, in order: `--heads gender,article,colour`
    /// reads `men_shirt_blue` folders [default: color,item]. Without --data, `color,item,background`
    /// adds a third head to the generated images.
    #[arg(long, value_delimiter = ',')]
    heads: Option<Vec<String>>,
    /// A CSV table `path,<head>,<head>,…` of the images (paths relative to --data) and their
    /// labels, instead of folder names; an empty cell means no label for that head.
    #[arg(long, value_name = "FILE.csv")]
    labels: Option<PathBuf>,
    /// How many images to generate when --data is not given.
    #[arg(long, default_value_t = defaults::SYNTHETIC_IMAGES)]
    synthetic_images: usize,
    /// Epochs to train (with --resume: extends the run to this many) [default: 15].
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    batch_size: usize,
    /// Adam's learning rate.
    #[arg(long, default_value_t = defaults::LR)]
    lr: f64,
    /// How the learning rate moves: `constant` (the tutorial's) or `cosine` (down to 0 by the end).
    #[arg(long, value_enum, default_value_t = LrSchedule::Constant)]
    lr_schedule: LrSchedule,
    /// Decay of the moving average of the weights that validation and the best checkpoint use
    /// (0.99: about the last 100 steps); 0 validates the weights themselves.
    #[arg(long, default_value_t = defaults::EMA)]
    ema: f64,
    /// Share of the images held out for validation.
    #[arg(long, default_value_t = defaults::VAL_FRACTION)]
    val_fraction: f64,
    /// Seed of the initial weights, the split and the batch order.
    #[arg(long, default_value_t = defaults::SEED)]
    seed: u64,
    /// Weight of each head's loss, comma-separated in head order (default 1 each).
    #[arg(long, value_delimiter = ',')]
    loss_weights: Option<Vec<f32>>,
    /// Where run folders are created.
    #[arg(long, default_value = "runs")]
    runs_dir: PathBuf,
    /// Name of this run's folder (default: the next run-NNNN).
    #[arg(long)]
    run_name: Option<String>,
    /// Combinations to keep out of training and ordinary validation and report apart, e.g.
    /// `blue_shirt,black_jeans`.
    #[arg(long, value_delimiter = ',')]
    hold_out: Vec<String>,
    /// Augmentation: `on` is the recommended set (--grey 0.25 --blacken 0.2 --colorize 0.5
    /// --recolor 0.5 --crop 0.3 --flip), which teaches the heads to name colour × item
    /// combinations missing from the data; `auto` (the default) turns it on only when some are missing; the options below
    /// override single values.
    #[arg(long, value_enum, default_value_t = AugmentMode::Auto)]
    augment: AugmentMode,
    /// Probability of swapping an image's red and blue channels (and its labels red ↔ blue).
    #[arg(long)]
    swap_red_blue: Option<f32>,
    /// Probability of training on an image in grey, with its colour loss masked.
    #[arg(long)]
    grey: Option<f32>,
    /// Probability of training on a blackened copy of an image (grey, darkened; colour label black).
    #[arg(long)]
    blacken: Option<f32>,
    /// Probability of colouring a black garment red or blue (the colour head's other colours
    /// with a measured tint), its shading kept, and labelling it so.
    #[arg(long)]
    colorize: Option<f32>,
    /// Probability of moving a coloured garment (red, blue) to another colour of the colour head
    /// by turning its hue, its shading and texture kept, and labelling it so.
    #[arg(long)]
    recolor: Option<f32>,
    /// Mirror half of the training images left-right (`--flip false`: never, also when the
    /// recommended set is on).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    flip: Option<bool>,
    /// Probability of a label-keeping colour jitter (saturation, brightness, paler shades).
    #[arg(long)]
    jitter: Option<f32>,
    /// Probability of cropping 70–100% of the side at a random place (scaled back to full size).
    #[arg(long)]
    crop: Option<f32>,
    /// Which kernel variant runs the matrix products: `auto` times each on this adapter at the
    /// run's shapes and keeps the fastest per pass (remembered in ~/.cache/twinhead/kernels.json);
    /// `blocked`, `tiled` or `subgroup` (where the adapter has subgroups) forces one. Default:
    /// $TWINHEAD_KERNELS, else auto.
    #[arg(long, value_enum)]
    kernels: Option<KernelsArg>,
    /// The most seconds `--kernels auto` may spend measuring; passes left unmeasured then run
    /// the best guess so far (said at the start of the run) and are measured again next run.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = positive_seconds)]
    kernel_time_limit: f64,
    /// Continue the run in this folder from its last saved state (its configuration is reused;
    /// --epochs may extend it).
    #[arg(long, value_name = "RUN_DIR")]
    resume: Option<PathBuf>,
    #[command(flatten)]
    device: DeviceArgs,
}

fn open_gpu(device: &DeviceArgs) -> Result<Option<Arc<Gpu>>> {
    if device.list_adapters {
        let adapters = list_adapters();
        if adapters.is_empty() {
            stdout::line(&format!(
                "no GPU adapters found; install a Vulkan driver: {}",
                tensor::install_vulkan_hint()
            ))?;
        }
        for a in adapters {
            stdout::line(&a.to_string())?;
        }
        return Ok(None);
    }
    let choice = device.adapter.as_deref().map(AdapterChoice::parse).unwrap_or_default();
    let gpu = Gpu::new(&choice)?;
    // The first line of every run: which adapter, and (on a slow path) what gets a faster one.
    eprintln!("adapter: {}", gpu.summary);
    Ok(Some(Arc::new(gpu)))
}

fn report_skipped(skipped: &[Skipped]) -> String {
    let mut out = format!("{} files could not be read and were skipped:\n", skipped.len());
    for s in skipped {
        out += &format!("  {}: {}\n", s.path.display(), s.reason);
    }
    out
}

/// `--augment` for this data, with the single options given on top; says what it chose and why.
fn choose_augment(args: &TrainArgs, data: &Dataset) -> Augment {
    let mut trained_on: Vec<String> =
        (0..data.len()).map(|i| data.combination(i)).filter(|c| !args.hold_out.contains(c)).collect();
    trained_on.sort();
    trained_on.dedup();
    let (mut a, why) = Augment::for_data(args.augment, &trained_on, &data.heads);
    let given = [
        (&mut a.swap_red_blue, args.swap_red_blue),
        (&mut a.grey, args.grey),
        (&mut a.blacken, args.blacken),
        (&mut a.colorize, args.colorize),
        (&mut a.recolor, args.recolor),
        (&mut a.jitter, args.jitter),
        (&mut a.crop, args.crop),
    ];
    for (value, arg) in given {
        if let Some(p) = arg {
            *value = p;
        }
    }
    if let Some(flip) = args.flip {
        a.flip = flip;
    }
    eprintln!("augmentation: {} ({why})", a.describe());
    a
}

/// The source and options of a new run from the arguments, or of the run to resume.
fn source_and_options(args: &TrainArgs) -> Result<(DataSource, TrainOptions)> {
    if let Some(dir) = &args.resume {
        let saved = RunConfig::read(dir)?;
        let mut opts = saved.options.clone();
        if let Some(e) = args.epochs {
            opts.epochs = e;
        }
        // The kernels the run chose, so that it goes on computing exactly as before.
        opts.kernels = match args.kernels {
            Some(_) => kernel_choice(args.kernels)?,
            None => saved.kernel_choice(kernel_cache()),
        };
        return Ok((saved.data, opts));
    }
    // An absolute path, so that --resume works from any folder.
    let folder = args.data.as_ref().map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone()));
    let labels = args.labels.as_ref().map(|l| std::path::absolute(l).unwrap_or_else(|_| l.clone()));
    let source = DataSource { folder, synthetic_images: args.synthetic_images, heads: args.heads.clone(), labels };
    let opts = TrainOptions {
        epochs: args.epochs.unwrap_or(defaults::EPOCHS),
        batch_size: args.batch_size,
        lr: args.lr,
        val_fraction: args.val_fraction,
        seed: args.seed,
        // One per head, resolved once the data says how many heads there are.
        loss_weights: args.loss_weights.clone().unwrap_or_default(),
        hold_out: args.hold_out.clone(),
        // Resolved once the data is loaded (see `choose_augment`).
        augment: Augment::default(),
        lr_schedule: args.lr_schedule,
        ema: args.ema,
        kernels: kernel_choice(args.kernels)?,
    };
    Ok((source, opts))
}

/// Ctrl-C ends the current step, saves the state and says how to resume; a second one quits.
fn stop_on_ctrl_c() -> Result<TrainControl> {
    // One handler per process (a suite trains several runs), sharing one stop flag.
    static STOP: std::sync::OnceLock<Arc<std::sync::atomic::AtomicBool>> = std::sync::OnceLock::new();
    if let Some(stop) = STOP.get() {
        return Ok(TrainControl { stop: stop.clone(), ..Default::default() });
    }
    let control = TrainControl::default();
    let stop = control.stop.clone();
    ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping after this step (Ctrl-C again to quit at once)");
    })
    .context("cannot install the Ctrl-C handler")?;
    let _ = STOP.set(control.stop.clone());
    Ok(control)
}

/// The training options a user may give: with `--resume` each of them is refused (the run keeps
/// its own), but for `--epochs` (extends the run) and `--kernels`.
const RUN_SETTINGS: [&str; 23] = [
    "data",
    "heads",
    "labels",
    "synthetic_images",
    "batch_size",
    "lr",
    "lr_schedule",
    "ema",
    "val_fraction",
    "seed",
    "loss_weights",
    "runs_dir",
    "run_name",
    "hold_out",
    "augment",
    "swap_red_blue",
    "grey",
    "blacken",
    "colorize",
    "recolor",
    "flip",
    "jitter",
    "crop",
];

fn run_train(args: TrainArgs, given: &[&str]) -> Result<Option<RunSummary>> {
    if let Some(dir) = &args.resume {
        let refused: Vec<String> =
            given.iter().filter(|g| RUN_SETTINGS.contains(g)).map(|g| format!("--{}", g.replace('_', "-"))).collect();
        if !refused.is_empty() {
            bail!(
                "--resume continues {} with the settings it started with (its config.json); {} cannot change. \
                 Leave {} out, or start a new run with them",
                dir.display(),
                refused.join(", "),
                if refused.len() == 1 { "it" } else { "them" }
            );
        }
    }
    // Where the run would go is checked before anything is loaded or measured.
    if args.resume.is_none() {
        run_dir::refuse_file_as_runs_dir(&args.runs_dir)?;
        if let Some(name) = &args.run_name {
            run_dir::check_run_name(name)?;
        }
    }
    let Some(gpu) = open_gpu(&args.device)? else { return Ok(None) };
    let (source, mut opts) = source_and_options(&args)?;
    match &source.folder {
        Some(f) => eprintln!("reading photos from {}", f.display()),
        None => eprintln!(
            "no --data given: training on {} generated garment images (pass --data DIR for real photos)",
            source.synthetic_images
        ),
    }
    let (data, skipped) = source.load()?;
    if opts.loss_weights.is_empty() {
        opts.loss_weights = vec![1.0; data.heads.len()];
    }
    if args.resume.is_none() {
        opts.augment = choose_augment(&args, &data);
    }
    let spec = ModelSpec::tutorial(data.heads.clone());
    // Refuse what cannot train before a run folder is made for it.
    spec.check_batch_fits(&gpu.limits(), opts.batch_size)?;
    crate::train::check(&data, &opts)?;
    let (dir, _lock) = match &args.resume {
        Some(dir) => {
            let lock = run_dir::RunLock::acquire(dir)?;
            let saved = RunConfig::read(dir)?;
            saved.check_same_data(&data, dir)?;
            crate::state::check_resumable(dir, opts.epochs)?;
            if !saved.same_adapter(&gpu.summary) {
                eprintln!(
                    "warning: {} started on {} and resumes on {}: the kernels compute in another order there, \
                     so the result will not be bit for bit that of an uninterrupted run",
                    dir.display(),
                    saved.adapter,
                    gpu.summary
                );
            }
            (dir.clone(), lock)
        }
        None => {
            let (dir, lock) = run_dir::create(&args.runs_dir, args.run_name.as_deref())?;
            let adapter = gpu.summary.to_string();
            RunConfig::new(source.clone(), opts.clone(), &data, skipped.len(), &adapter).write(&dir)?;
            (dir, lock)
        }
    };
    let fresh = args.resume.is_none();
    let result = train_in(gpu, &data, &skipped, spec, &opts, &dir, args.kernel_time_limit);
    if result.is_err() && fresh {
        run_dir::remove_if_empty_run(&dir);
    }
    result.map(Some)
}

/// `trainer suite`: every pair × seed as a training run of its own in one suite folder, the
/// table printed after each run and kept in the folder's suite.md.
fn run_suite(args: TrainArgs, pairs: Option<Vec<String>>, seeds: &[u64]) -> Result<()> {
    if args.resume.is_some() || !args.hold_out.is_empty() {
        bail!(
            "trainer suite chooses --hold-out per run (--pairs) and starts fresh runs: leave --hold-out and --resume out"
        );
    }
    let pairs = pairs.unwrap_or_else(|| suite::PAIRS.iter().map(|p| p.to_string()).collect());
    check_suite(&args, &pairs, seeds)?;
    run_dir::check_runs_dir(&args.runs_dir)?;
    let dir = (1..).map(|i| args.runs_dir.join(format!("suite-{i:03}"))).find(|p| !p.exists()).unwrap();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let total = pairs.len() * seeds.len();
    eprintln!("suite: {total} runs ({} pairs × seeds {seeds:?}) in {}", pairs.len(), dir.display());
    let (mut runs, mut heads) = (Vec::new(), Vec::new());
    for pair in &pairs {
        for &seed in seeds {
            let start = std::time::Instant::now();
            let mut one = args.clone();
            one.hold_out = pair.split(',').map(|s| s.trim().to_string()).collect();
            one.seed = seed;
            one.runs_dir = dir.clone();
            one.run_name = Some(format!("{}-seed{seed}", pair.replace(',', "-")));
            eprintln!("suite: run {} of {total}: --hold-out {pair} --seed {seed}", runs.len() + 1);
            let summary = match run_train(one, &[]) {
                Ok(Some(summary)) => summary,
                Ok(None) => return Ok(()),
                Err(e) => {
                    // A suite folder that holds nothing yet is not left behind.
                    let _ = std::fs::remove_dir(&dir);
                    return Err(e);
                }
            };
            let Ending::Finished { best_epoch } = summary.ending else { return Ok(()) };
            if heads.is_empty() {
                heads = RunConfig::read(&summary.dir)?.heads.into_iter().map(|h| h.0).collect();
            }
            let run = suite::SuiteRun::new(pair, seed, &summary.epochs, best_epoch)
                .context("a suite run ended without held-out figures")?;
            runs.push(run);
            let table = suite::table(&runs, &heads);
            run_dir::write(&dir, "suite.md", &table)?;
            stdout::training_line(&table);
            eprintln!("suite: that run took {:.1} min", start.elapsed().as_secs_f64() / 60.0);
        }
    }
    Ok(())
}

/// Everything a suite's runs would refuse, checked before the first of them: seeds given twice,
/// pairs the data lacks, options no run can use.
fn check_suite(args: &TrainArgs, pairs: &[String], seeds: &[u64]) -> Result<()> {
    if let Some((i, seed)) = seeds.iter().enumerate().find(|(i, s)| seeds[..*i].contains(s)) {
        bail!("--seeds names seed {seed} twice (at place {}): each run of a pair needs its own seed", i + 1);
    }
    if let Some(pair) = pairs.iter().find(|p| pairs.iter().filter(|q| q == p).count() > 1) {
        bail!("--pairs names {pair} twice");
    }
    let (source, _) = source_and_options(args)?;
    let (data, _) = source.load()?;
    for pair in pairs {
        let mut one = args.clone();
        one.hold_out = pair.split(',').map(|s| s.trim().to_string()).collect();
        let (_, mut opts) = source_and_options(&one)?;
        if opts.loss_weights.is_empty() {
            opts.loss_weights = vec![1.0; data.heads.len()];
        }
        crate::train::check(&data, &opts).with_context(|| format!("--pairs {pair}"))?;
    }
    Ok(())
}

/// Runs the training in the prepared (and locked) run folder `dir`.
fn train_in(
    gpu: Arc<Gpu>,
    data: &Dataset,
    skipped: &[Skipped],
    spec: ModelSpec,
    opts: &TrainOptions,
    dir: &Path,
    kernel_time_limit: f64,
) -> Result<RunSummary> {
    run_dir::write(dir, "adapter.txt", &format!("{}\n", gpu.summary))?;
    if !skipped.is_empty() {
        run_dir::write(dir, "skipped.txt", &report_skipped(skipped))?;
    }
    let classes: Vec<String> = data.heads.iter().map(|h| format!("{} {:?}", h.name, h.classes)).collect();
    eprintln!("{} images; heads: {}; run folder {}", data.len(), classes.join(", "), dir.display());

    let mut control = stop_on_ctrl_c()?;
    control.kernel_time_limit = Some(std::time::Duration::from_secs_f64(kernel_time_limit));
    let summary = run(gpu, data, spec, opts, dir, &control, &mut |line: &str| stdout::training_line(line))?;
    if !skipped.is_empty() {
        eprint!("{}", report_skipped(skipped));
    }
    crate::plot::plot_run(dir)
        .map(|files| eprintln!("plots: {}", files.join(", ")))
        .unwrap_or_else(|e| eprintln!("warning: no plots: {e:#}"));
    match summary.ending {
        Ending::Finished { best_epoch } => eprintln!("run folder: {} (best epoch {best_epoch})", summary.dir.display()),
        Ending::Interrupted { .. } => std::process::exit(130),
    }
    Ok(summary)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum PredictFormat {
    Text,
    Json,
    Csv,
}

fn run_predict(
    checkpoint: &Path,
    images: &[PathBuf],
    classes: &[String],
    format: PredictFormat,
    device: &DeviceArgs,
) -> Result<()> {
    let Some(gpu) = open_gpu(device)? else { return Ok(()) };
    let (mut model, ckpt) = model_from_checkpoint(gpu, checkpoint)?;
    if !ckpt.named_classes && classes.is_empty() {
        return Err(no_class_names(&model, checkpoint));
    }
    name_classes(&mut model, classes, !ckpt.named_classes)?;
    let mut answers = Vec::new();
    let mut failures = 0;
    for (path, result) in images.iter().zip(predict(&mut model, images)?) {
        match result {
            Ok(answer) => answers.push((path, answer)),
            Err(e) => {
                failures += 1;
                eprintln!("{e:#}");
            }
        }
    }
    match format {
        PredictFormat::Text => {
            for (path, answer) in &answers {
                let parts: Vec<String> =
                    answer.iter().map(|(h, c, p)| format!("{h} {c} ({:.1}%)", 100.0 * p)).collect();
                stdout::line(&format!("{}: {}", path.display(), parts.join(", ")))?;
            }
        }
        PredictFormat::Json => {
            let records: Vec<serde_json::Value> = answers
                .iter()
                .map(|(path, answer)| {
                    let mut record = serde_json::Map::new();
                    record.insert("path".into(), path.display().to_string().into());
                    for (h, c, p) in answer {
                        record.insert(h.clone(), serde_json::json!({ "class": c, "probability": p }));
                    }
                    serde_json::Value::Object(record)
                })
                .collect();
            stdout::line(&serde_json::to_string_pretty(&records)?)?;
        }
        PredictFormat::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout());
            let mut header = vec!["path".to_string()];
            for h in &model.spec.heads {
                header.extend([h.name.clone(), format!("{}_probability", h.name)]);
            }
            out.write_record(&header)?;
            for (path, answer) in &answers {
                let mut row = vec![path.display().to_string()];
                for (_, c, p) in answer {
                    row.extend([c.clone(), format!("{p:.6}")]);
                }
                out.write_record(&row)?;
            }
            out.flush()?;
        }
    }
    if failures > 0 {
        bail!("{failures} of {} images could not be read", images.len());
    }
    Ok(())
}

pub fn main() -> Result<()> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // The options given on the command line (not defaulted), for --resume's refusal.
    let train_matches = match matches.subcommand() {
        Some(("train", m)) => m,
        _ => &matches,
    };
    let given: Vec<&str> = RUN_SETTINGS
        .into_iter()
        .filter(|id| train_matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
        .collect();
    match cli.command {
        None => run_train(cli.train, &given).map(|_| ()),
        Some(Command::Train(args)) => run_train(args, &given).map(|_| ()),
        Some(Command::Suite { train, pairs, seeds }) => run_suite(train, pairs, &seeds),
        Some(Command::Predict { checkpoint, images, classes, format, device }) => {
            run_predict(&checkpoint, &images, &classes, format, &device)
        }
        Some(Command::Plot { run_dir }) => {
            for file in crate::plot::plot_run(&run_dir)? {
                stdout::line(&file)?;
            }
            Ok(())
        }
        Some(Command::Eval { checkpoint, data, batch_size, classes, labels, device }) => {
            let Some(gpu) = open_gpu(&device)? else { return Ok(()) };
            let report = evaluate_checkpoint(gpu, &checkpoint, &data, batch_size, &classes, labels.as_deref())?;
            stdout::line(&report.text)?;
            if !report.skipped.is_empty() {
                eprint!("{}", report_skipped(&report.skipped));
            }
            Ok(())
        }
    }
}
