//! twinhead's trainer: reads labelled photos (or generates garments), trains the dual-head
//! network on the GPU, and evaluates and predicts with its checkpoints. `src/main.rs` is the
//! command line; the pieces are here so that tests can drive them.

pub mod augment;
pub mod cli;
pub mod data;
pub mod eval_checkpoint;
pub mod evaluate;
pub mod feed;
pub mod labels_csv;
pub mod options;
pub mod plot;
pub mod predict;
pub mod report;
pub mod run_dir;
pub mod split;
pub mod state;
pub mod stdout;
pub mod suite;
pub mod synth;
pub mod train;
