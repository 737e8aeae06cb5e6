//! The GPU layer of twinhead.
//!
//! Everything above this crate talks to the GPU through it: choosing an adapter (honouring
//! `WGPU_BACKEND` and `WGPU_ADAPTER_NAME`, or an index/name given by the program), opening the
//! device and queue, and [`Tensor`]s — a shape plus a labelled storage buffer — with upload and
//! download. It knows nothing about neural networks. Beside them, the one stable hash ([`Fnv1a`])
//! the crates above use for what they write to disk and compare later.

mod adapter;
mod error;
mod fnv;
mod gpu;
mod tensor;
mod texels;

pub use adapter::{
    AdapterChoice, AdapterSpeed, AdapterSummary, install_vulkan_hint, install_vulkan_hint_for, list_adapters,
};
pub use error::GpuError;
pub use fnv::Fnv1a;
pub use gpu::Gpu;
pub use tensor::{DType, Tensor};
pub use texels::{TEXEL_ROW, TexelCopy, Texels};
pub use wgpu;

/// Result type of this crate.
pub type Result<T, E = GpuError> = std::result::Result<T, E>;
