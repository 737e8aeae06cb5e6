//! Finding and choosing adapters.

use crate::{GpuError, Result};

/// Which adapter to open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AdapterChoice {
    /// `WGPU_ADAPTER_NAME` if set, otherwise wgpu's default (high performance) adapter.
    #[default]
    Auto,
    /// The adapter at this position in [`list_adapters`].
    Index(usize),
    /// The first adapter whose name contains this text (case-insensitive).
    Name(String),
}

impl AdapterChoice {
    /// Parses a user's `--adapter` value: a number is an index, anything else a name.
    pub fn parse(text: &str) -> Self {
        match text.trim().parse::<usize>() {
            Ok(i) => AdapterChoice::Index(i),
            Err(_) => AdapterChoice::Name(text.trim().to_string()),
        }
    }
}

/// What a person needs to know to pick an adapter.
#[derive(Clone, Debug)]
pub struct AdapterSummary {
    pub index: usize,
    pub name: String,
    pub backend: String,
    pub device_type: String,
    pub driver: String,
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {} ({}, {}, driver: {})", self.index, self.name, self.backend, self.device_type, self.driver)
    }
}

/// An instance over the backends `WGPU_BACKEND` names; without it, the primary backends
/// (Vulkan, Metal, DX12) first, and every backend (GL too) only when those find nothing —
/// probing GL needlessly prints EGL warnings on headless machines.
pub(crate) fn instance() -> wgpu::Instance {
    let from_env = wgpu::InstanceDescriptor::new_without_display_handle_from_env;
    if std::env::var_os("WGPU_BACKEND").is_some() {
        return wgpu::Instance::new(from_env());
    }
    let primary = wgpu::Instance::new(wgpu::InstanceDescriptor { backends: wgpu::Backends::PRIMARY, ..from_env() });
    if pollster::block_on(primary.enumerate_adapters(wgpu::Backends::all())).is_empty() {
        wgpu::Instance::new(from_env())
    } else {
        primary
    }
}

pub(crate) fn summarize(index: usize, adapter: &wgpu::Adapter) -> AdapterSummary {
    let info = adapter.get_info();
    AdapterSummary {
        index,
        name: info.name,
        backend: format!("{:?}", info.backend),
        device_type: format!("{:?}", info.device_type),
        driver: format!("{} {}", info.driver, info.driver_info).trim().to_string(),
    }
}

fn enumerate(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
}

/// Every adapter wgpu can see on this machine (after `WGPU_BACKEND` filtering).
pub fn list_adapters() -> Vec<AdapterSummary> {
    enumerate(&instance()).iter().enumerate().map(|(i, a)| summarize(i, a)).collect()
}

fn describe(adapters: &[wgpu::Adapter]) -> String {
    if adapters.is_empty() {
        return "  (none)".into();
    }
    adapters.iter().enumerate().map(|(i, a)| format!("  {}", summarize(i, a))).collect::<Vec<_>>().join("\n")
}

pub(crate) fn choose(instance: &wgpu::Instance, choice: &AdapterChoice) -> Result<wgpu::Adapter> {
    let adapters = enumerate(instance);
    if adapters.is_empty() {
        let backends = std::env::var("WGPU_BACKEND").unwrap_or_else(|_| "all".into());
        return Err(GpuError::NoAdapter { backends });
    }
    let by_name = |wanted: &str| -> Result<wgpu::Adapter> {
        let needle = wanted.to_lowercase();
        adapters
            .iter()
            .find(|a| a.get_info().name.to_lowercase().contains(&needle))
            .cloned()
            .ok_or_else(|| GpuError::AdapterNotFound { wanted: wanted.to_string(), available: describe(&adapters) })
    };
    match choice {
        AdapterChoice::Index(i) => adapters
            .get(*i)
            .cloned()
            .ok_or_else(|| GpuError::AdapterNotFound { wanted: format!("index {i}"), available: describe(&adapters) }),
        AdapterChoice::Name(name) => by_name(name),
        AdapterChoice::Auto => match std::env::var("WGPU_ADAPTER_NAME") {
            Ok(name) if !name.is_empty() => by_name(&name),
            _ => pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            }))
            .or_else(|_| Ok(adapters[0].clone())),
        },
    }
}
