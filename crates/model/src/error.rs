use thiserror::Error;

/// What can go wrong in the model layer; each message says what to do.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error(transparent)]
    Gpu(#[from] tensor::GpuError),

    #[error("invalid model: {0}")]
    Spec(String),

    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: String, message: String },

    #[error("checkpoint {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
