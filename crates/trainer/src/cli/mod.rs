//! The command line: `trainer [train]`, `trainer suite`, `trainer predict`, `trainer eval`,
//! `trainer plot` — the argument definitions and, per subcommand, a handler of a few lines that
//! calls the library. Process exits are `main`'s: a handler says how the command ended.

mod args;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use args::{DeviceArgs, KernelsArg, TrainArgs};

use crate::device;
use crate::infer::eval::evaluate_checkpoint;
use crate::infer::predict::{PredictFormat, predict_files};
use crate::run::options::defaults;
use crate::run::plot::plot_run;
use crate::run::start;
use crate::run::suite::{SuiteEnd, run_suite};
use crate::run::{Ending, TrainControl};
use crate::stdout;

#[derive(Parser, Debug)]
#[command(
    name = "trainer",
    version,
    about = "Train, evaluate and use twinhead's dual-head garment classifier on the GPU"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub train: TrainArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
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

/// How a command ended, for `main` to turn into the process's exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Stopped by Ctrl-C, its state saved (exit status 130, as a shell reports SIGINT).
    Interrupted,
}

/// Installs the Ctrl-C handler and gives its stop flag: `main`'s, called only by a command that
/// trains (the others stop at once on Ctrl-C, as any command does).
pub type StopOnCtrlC<'a> = &'a dyn Fn() -> Result<Arc<AtomicBool>>;

/// Runs `cli`; `given` are the run settings given on the command line (for `--resume`).
pub fn dispatch(cli: Cli, given: &[String], stop_on_ctrl_c: StopOnCtrlC) -> Result<Outcome> {
    match cli.command {
        None => train(cli.train, given, stop_on_ctrl_c),
        Some(Command::Train(args)) => train(args, given, stop_on_ctrl_c),
        Some(Command::Suite { train, pairs, seeds }) => suite(train, pairs, &seeds, stop_on_ctrl_c),
        Some(Command::Predict { checkpoint, images, classes, format, device }) => {
            let Some(gpu) = open(&device)? else { return Ok(Outcome::Done) };
            predict_files(gpu, &checkpoint, &images, &classes, format).map(|_| Outcome::Done)
        }
        Some(Command::Plot { run_dir }) => {
            plot_run(&run_dir)?.iter().try_for_each(|file| stdout::line(file)).map(|_| Outcome::Done)
        }
        Some(Command::Eval { checkpoint, data, batch_size, classes, labels, device }) => {
            let Some(gpu) = open(&device)? else { return Ok(Outcome::Done) };
            evaluate_checkpoint(gpu, &checkpoint, &data, batch_size, &classes, labels.as_deref())?.print()?;
            Ok(Outcome::Done)
        }
    }
}

/// The adapter the options name, or None when they ask for the list (printed here).
fn open(device: &DeviceArgs) -> Result<Option<Arc<tensor::Gpu>>> {
    if device.list_adapters {
        device::list()?;
        return Ok(None);
    }
    device::open(device.adapter.as_deref()).map(Some)
}

fn train(args: TrainArgs, given: &[String], stop_on_ctrl_c: StopOnCtrlC) -> Result<Outcome> {
    let request = args.request(given)?;
    start::check_location(&request)?;
    let Some(gpu) = open(&args.device)? else { return Ok(Outcome::Done) };
    let control = TrainControl { stop: stop_on_ctrl_c()?, ..Default::default() };
    let summary = start::train(gpu, &request, control)?;
    Ok(match summary.ending {
        Ending::Finished { .. } => Outcome::Done,
        Ending::Interrupted { .. } => Outcome::Interrupted,
    })
}

fn suite(args: TrainArgs, pairs: Option<Vec<String>>, seeds: &[u64], stop_on_ctrl_c: StopOnCtrlC) -> Result<Outcome> {
    let request = args.request(&[])?;
    let Some(gpu) = open(&args.device)? else { return Ok(Outcome::Done) };
    let control = TrainControl { stop: stop_on_ctrl_c()?, ..Default::default() };
    Ok(match run_suite(gpu, &request, pairs, seeds, control)? {
        SuiteEnd::Finished => Outcome::Done,
        SuiteEnd::Stopped => Outcome::Interrupted,
    })
}
