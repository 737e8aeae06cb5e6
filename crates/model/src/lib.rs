//! The multi-task network of twinhead: one shared convolutional trunk, one linear head per task.
//!
//! ```text
//! x [N, 3, S, S] → conv 3→16 (3×3) + ReLU → max-pool 2 → conv 16→32 + ReLU → max-pool 2
//!   → conv 32→64 + ReLU → max-pool 2 → flatten (NCHW) → linear → hidden + ReLU
//!   → one linear head per task (colour 1024→3, item 1024→4 for the tutorial's photos)
//! ```
//! Loss: the sum of the heads' mean cross-entropies, each with a weight (1 by default).
//!
//! A training step (forward, losses, backward, Adam) is recorded into one command encoder and
//! submitted at once; only the per-head loss sums and correct counts come back, and only when
//! asked for. Parameters are initialised as PyTorch initialises `nn.Conv2d`/`nn.Linear`, and
//! checkpoints are safetensors files with exactly the state dict of the reference PyTorch
//! module (`conv1.weight` … `heads.item.bias`), so weights move between the two unchanged.

mod average;
mod checkpoint;
mod ema;
mod error;
mod init;
mod model;
mod parameters;
mod plan;
mod spec;
mod tune;
mod weights;

pub use checkpoint::{Checkpoint, NamedTensors, load_checkpoint, save_checkpoint};
pub use error::ModelError;
pub use kernels::{Pick, Variant};
pub use model::{IGNORE, KernelChoice, Model, StepStats, TrainConfig};
pub use plan::STATS_WINDOW;
pub use spec::{HeadSpec, ModelSpec};
pub use tune::{TuneLimits, candidates};

pub type Result<T, E = ModelError> = std::result::Result<T, E>;
