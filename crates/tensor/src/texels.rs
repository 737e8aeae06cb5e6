//! [`Texels`]: a tensor's values mirrored in an r32float texture, for kernels that gather them
//! with `textureLoad` instead of storage-buffer loads.
//!
//! Why: lavapipe (Mesa 22.3) turns every storage-buffer load into a loop over its SIMD lanes, a
//! texel fetch into one vector gather. Copying 64 MiB through a kernel measured, on one AVX-512
//! EPYC: storage vec4 loads 17–30 ms, texel fetches 15–24 ms; with AVX-512 masked off
//! (`GALLIUM_OVERRIDE_CPU_CAPS=avx`, an AVX2 machine's code) 59–68 ms against 15–25 ms — and a
//! kernel that gathers the same values many times (a convolution's input patches) pays the
//! loop on every gather. A mirror costs one pass that writes each value once.
//!
//! Layout: value i at texel (i mod [`TEXEL_ROW`], i div [`TEXEL_ROW`]); a power of two, so a
//! kernel finds a texel with a mask and a shift (lavapipe divides lane by lane). Kernels read it
//! with `load_x` from `shaders/common/x_texels.wgsl`.

use crate::{Gpu, GpuError, Result};

/// Texels per texture row (a power of two, within every adapter's 8192 minimum limit).
pub const TEXEL_ROW: usize = 4096;

/// A texture holding `len` f32 values in the layout above.
pub struct Texels {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub len: usize,
}

impl Texels {
    /// An uninitialised mirror for `len` values, or a clear error when the adapter's textures
    /// are too small for it (a kernel set then reads the tensor from its buffer instead).
    pub fn new(gpu: &Gpu, label: &str, len: usize) -> Result<Self> {
        let rows = len.div_ceil(TEXEL_ROW).max(1);
        let limit = gpu.limits().max_texture_dimension_2d;
        if rows as u64 > limit as u64 {
            return Err(GpuError::TooLarge {
                what: format!("texel mirror of {label} ({len} values, {rows} rows of {TEXEL_ROW})"),
                needed: rows as u64,
                limit: limit as u64,
                limit_name: "max_texture_dimension_2d",
                advice: "use a smaller batch size".into(),
            });
        }
        let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some(label),
            size: wgpu::Extent3d { width: TEXEL_ROW as u32, height: rows as u32, depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::R32Float,
            usage: wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Ok(Texels { texture, view, len })
    }

    /// Whether a mirror of `len` values fits this adapter's textures.
    pub fn fits(gpu: &Gpu, len: usize) -> bool {
        len.div_ceil(TEXEL_ROW) as u64 <= gpu.limits().max_texture_dimension_2d as u64
    }

    /// The texture as a bind-group resource (sampled or storage, as the kernel declares it).
    pub fn binding(&self) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::TextureView(&self.view)
    }

    /// The bytes its values take.
    pub fn bytes(&self) -> u64 {
        4 * self.len as u64
    }
}
