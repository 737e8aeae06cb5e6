//! What can go wrong in the model crate: a spec that cannot be built, input of the wrong shape,
//! a checkpoint that does not fit, or the GPU layer's errors.

use thiserror::Error;

/// What can go wrong in the model layer; each message says what to do.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error(transparent)]
    Gpu(#[from] tensor::GpuError),

    /// The network's own description is unusable (no heads, images too small, …).
    #[error("invalid model: {0}")]
    Spec(String),

    /// What was handed to a model at run time does not fit it (images, labels, batch size,
    /// parameters by name).
    #[error("invalid input: {0}")]
    Input(String),

    #[error(
        "a batch of {batch} needs {needed} bytes for {tensor}, over this adapter's {limit_name} of {limit} bytes; \
         the largest batch that fits is {fits}: use --batch-size {fits} or less"
    )]
    BatchTooLarge { batch: usize, tensor: String, needed: u64, limit: u64, limit_name: &'static str, fits: usize },

    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: String, message: String },

    // The I/O error is part of the message and not also a `source`: printed as a chain (anyhow's
    // `{:#}`) it would otherwise read twice ("Is a directory: Is a directory").
    #[error("checkpoint {path}: {error}")]
    Io { path: String, error: std::io::Error },
}
