//! The adapter a command runs on: opened by index or name (or wgpu's choice), said on the first
//! line of every run, or listed.

use std::sync::Arc;

use anyhow::Result;
use tensor::{AdapterChoice, Gpu, list_adapters};

use crate::stdout;

/// Opens the adapter `adapter` names (its index or part of its name), or the default one, and
/// says which it is (and, on a slow path, what gets a faster one).
pub fn open(adapter: Option<&str>) -> Result<Arc<Gpu>> {
    let choice = adapter.map(AdapterChoice::parse).unwrap_or_default();
    let gpu = Gpu::new(&choice)?;
    eprintln!("adapter: {}", gpu.summary);
    Ok(Arc::new(gpu))
}

/// Prints the adapters wgpu can use, one a line (or how to get one when there is none).
pub fn list() -> Result<()> {
    let adapters = list_adapters();
    if adapters.is_empty() {
        stdout::line(&format!("no GPU adapters found; install a Vulkan driver: {}", tensor::install_vulkan_hint()))?;
    }
    for a in adapters {
        stdout::line(&a.to_string())?;
    }
    Ok(())
}
