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
    /// How fast this adapter can be expected to be (software, GL, hardware).
    pub speed: AdapterSpeed,
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {} ({}, {}, driver: {})", self.index, self.name, self.backend, self.device_type, self.driver)?;
        match self.speed {
            AdapterSpeed::Hardware => Ok(()),
            _ => write!(f, " — {}", self.speed.describe()),
        }
    }
}

/// What kind of speed an adapter offers: a person choosing one, or wondering why a run is slow,
/// needs to know that a software rasteriser runs the kernels on the CPU, and that wgpu's GL
/// backend on Mesa's llvmpipe is several times slower than Mesa's Vulkan driver on the same CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdapterSpeed {
    /// A GPU with its own driver.
    Hardware,
    /// A software Vulkan/Metal/DX12 driver (lavapipe, SwiftShader, WARP): the CPU, at its best.
    Software,
    /// A software OpenGL driver (llvmpipe through EGL): the slowest path.
    SoftwareGl,
    /// OpenGL on a real GPU: works, without subgroups and slower than the GPU's Vulkan driver.
    HardwareGl,
}

/// Measured on one 2-core AMD EPYC (AVX-512), Mesa 22.3.6, 2026-12-01: the trainer's default
/// run (generated images, batch 32) trained at this many times the images/s on Vulkan lavapipe
/// as on GL llvmpipe (`WGPU_BACKEND=gl`); `docs/speed.md` has the figures.
pub const VULKAN_OVER_GL_LLVMPIPE: f64 = 2.5;

impl AdapterSpeed {
    /// Classifies an adapter from what wgpu reports of it.
    pub fn of(info: &wgpu::AdapterInfo) -> Self {
        let name = info.name.to_lowercase();
        let software_name = ["llvmpipe", "lavapipe", "swiftshader", "softpipe", "warp", "microsoft basic render"]
            .iter()
            .any(|s| name.contains(s));
        let software = software_name || info.device_type == wgpu::DeviceType::Cpu;
        match (software, info.backend == wgpu::Backend::Gl) {
            (true, true) => AdapterSpeed::SoftwareGl,
            (true, false) => AdapterSpeed::Software,
            (false, true) => AdapterSpeed::HardwareGl,
            (false, false) => AdapterSpeed::Hardware,
        }
    }

    /// A few words on the adapter's speed, and for the slow GL path the command that gets the
    /// faster one on this operating system.
    pub fn describe(self) -> String {
        match self {
            AdapterSpeed::Hardware => "a GPU".into(),
            AdapterSpeed::Software => "software: runs on the CPU (correct, far slower than a GPU)".into(),
            AdapterSpeed::SoftwareGl => format!(
                "SLOW: software OpenGL on the CPU; Mesa's Vulkan driver trains about {VULKAN_OVER_GL_LLVMPIPE}× \
                 faster on the same CPU: {}",
                install_vulkan_hint()
            ),
            AdapterSpeed::HardwareGl => {
                format!("OpenGL: slower than this GPU's Vulkan driver, which wgpu prefers: {}", install_vulkan_hint())
            }
        }
    }

    /// Whether a run on this adapter should warn before it starts.
    pub fn is_slow_path(self) -> bool {
        matches!(self, AdapterSpeed::SoftwareGl | AdapterSpeed::HardwareGl)
    }
}

/// The one command that installs a Vulkan driver on this operating system (read from
/// `/etc/os-release` on Linux), or what to look for elsewhere.
pub fn install_vulkan_hint() -> String {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    install_vulkan_hint_for(std::env::consts::OS, &release)
}

/// [`install_vulkan_hint`] for an operating system and the text of its `/etc/os-release`.
pub fn install_vulkan_hint_for(os: &str, os_release: &str) -> String {
    let ids: Vec<String> = os_release
        .lines()
        .filter_map(|l| l.strip_prefix("ID=").or_else(|| l.strip_prefix("ID_LIKE=")))
        .flat_map(|v| v.trim_matches('"').split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let is = |id: &str| ids.iter().any(|i| i == id);
    match os {
        "linux" if is("debian") || is("ubuntu") => "sudo apt-get install mesa-vulkan-drivers libvulkan1".into(),
        "linux" if is("fedora") || is("rhel") => "sudo dnf install mesa-vulkan-drivers vulkan-loader".into(),
        "linux" if is("arch") => "sudo pacman -S vulkan-swrast vulkan-icd-loader".into(),
        "linux" if is("alpine") => "sudo apk add mesa-vulkan-swrast vulkan-loader".into(),
        "linux" if is("suse") || is("opensuse") => "sudo zypper install libvulkan_lvp libvulkan1".into(),
        "linux" => "install Mesa's Vulkan drivers (lavapipe) and the Vulkan loader with your package manager".into(),
        "windows" => "install your GPU vendor's driver (it brings DX12 and Vulkan)".into(),
        _ => "install a Vulkan driver for this machine".into(),
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
    let speed = AdapterSpeed::of(&info);
    AdapterSummary {
        index,
        name: info.name,
        backend: format!("{:?}", info.backend),
        device_type: format!("{:?}", info.device_type),
        driver: format!("{} {}", info.driver, info.driver_info).trim().to_string(),
        speed,
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
