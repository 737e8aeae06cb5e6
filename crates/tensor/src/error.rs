//! What can go wrong talking to the GPU: no adapter, a device error, a shape or size the device
//! or an operation cannot take.

use thiserror::Error;

/// What can go wrong at the GPU layer. Every message says what to do about it.
#[derive(Debug, Error)]
pub enum GpuError {
    #[error(
        "no GPU adapter found (backends tried: {backends}). wgpu needs a Vulkan, Metal, DX12 or GL driver; \
         on a machine without a GPU install Mesa's software Vulkan driver lavapipe \
         (Debian/Ubuntu: `apt-get install mesa-vulkan-drivers libvulkan1`)"
    )]
    NoAdapter { backends: String },

    #[error("no adapter matches {wanted:?}; the adapters here are:\n{available}")]
    AdapterNotFound { wanted: String, available: String },

    // The cause is part of the message, not also a `source` (a chain would print it twice).
    #[error("could not open a device on adapter {adapter:?}: {error}")]
    RequestDevice { adapter: String, error: wgpu::RequestDeviceError },

    #[error("kernel {kernel}: {message}")]
    Kernel { kernel: String, message: String },

    #[error("{op}: {message}")]
    Shape { op: String, message: String },

    #[error(
        "{what} needs a buffer of {needed} bytes but the adapter allows at most {limit} bytes ({limit_name}); \
         {advice}"
    )]
    TooLarge { what: String, needed: u64, limit: u64, limit_name: &'static str, advice: String },

    #[error("GPU error during {during}: {message}")]
    Device { during: String, message: String },
}

impl GpuError {
    /// A shape error for operation `op`.
    pub fn shape(op: impl Into<String>, message: impl Into<String>) -> Self {
        GpuError::Shape { op: op.into(), message: message.into() }
    }
}
