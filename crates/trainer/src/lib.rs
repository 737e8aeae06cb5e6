//! twinhead's trainer: reads labelled photos (or generates garments), trains the dual-head
//! network on the GPU, and evaluates and predicts with its checkpoints. `src/main.rs` is the
//! command line's entry; the rooms are here so that tests can drive them, each importing only
//! the rooms below it:
//!
//! - [`cli`]: the argument definitions and one short handler per subcommand;
//! - [`run`]: training runs — options, start and resume, the loop, the run folder, reports,
//!   plots, the suite;
//! - [`infer`]: checkpoints used — evaluation (also validation's), `eval`, `predict`;
//! - [`data`]: images and labels — folders, tables, generated sets, the split, augmentation, the
//!   feed;
//! - [`device`] (the adapter) and [`stdout`] (checked writes), which any room may use.

pub mod cli;
pub mod data;
pub mod device;
pub mod infer;
pub mod run;
pub mod stdout;
