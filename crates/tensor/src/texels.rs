//! [`Texels`]: a tensor's values mirrored in an r32float texture (or, for kernels that read
//! only aligned vec4s, an rgba32float one), for kernels that gather them with `textureLoad`
//! instead of storage-buffer loads.
//!
//! Why: lavapipe (Mesa 22.3) turns every storage-buffer load into a loop over its SIMD lanes, a
//! texel fetch into one vector gather. Copying 64 MiB through a kernel measured, on one AVX-512
//! EPYC: storage vec4 loads 17–30 ms, texel fetches 15–24 ms; with AVX-512 masked off
//! (`GALLIUM_OVERRIDE_CPU_CAPS=avx`, an AVX2 machine's code) 59–68 ms against 15–25 ms — and a
//! kernel that gathers the same values many times (a convolution's input patches) pays the
//! loop on every gather.
//!
//! A mirror is filled by a buffer-to-texture copy ([`TexelCopy`]), not by a kernel: on lavapipe
//! a copy is a memcpy on the queue's thread. 64 MiB took 5–9 ms that way on the same EPYC,
//! against 43–52 ms through a fill kernel (124–135 ms with AVX2 only).
//!
//! Layout: value i at texel (i mod [`TEXEL_ROW`], i div [`TEXEL_ROW`]); a power of two, so a
//! kernel finds a texel with a mask and a shift (lavapipe divides lane by lane), and a row is
//! 16 KiB, a whole number of the 256 bytes a copy's rows must be aligned to. A vec4 mirror
//! ([`Texels::new_vec4`]) holds the same bytes in rgba32float texels, [`TEXEL_ROW`] / 4 to a row:
//! values 4i..4i+3 are texel (i mod 1024, i div 1024), one fetch where the r32float mirror takes
//! four (lavapipe fetches a 128-bit texel per lane and transposes; four r32float fetches are four
//! gathers). Kernels read it with
//! `load_x` / `load_dy` from their texel readers (`shaders/*_texels.wgsl`).

use crate::{Gpu, GpuError, Result, Tensor};

/// Texels per texture row (a power of two, within every adapter's 8192 minimum limit).
pub const TEXEL_ROW: usize = 4096;

/// A texture holding `len` f32 values in the layout above.
pub struct Texels {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub len: usize,
    /// Values per texel: 1 (r32float) or 4 (rgba32float).
    pub per_texel: usize,
}

impl Texels {
    /// An uninitialised mirror for `len` values, or a clear error when the adapter's textures
    /// are too small for it (a kernel set then reads the tensor from its buffer instead).
    pub fn new(gpu: &Gpu, label: &str, len: usize) -> Result<Self> {
        Self::make(gpu, label, len, 1)
    }

    /// The same as an rgba32float texture: for kernels that read only vec4s at multiples of 4.
    pub fn new_vec4(gpu: &Gpu, label: &str, len: usize) -> Result<Self> {
        Self::make(gpu, label, len, 4)
    }

    fn make(gpu: &Gpu, label: &str, len: usize, per_texel: usize) -> Result<Self> {
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
            size: wgpu::Extent3d {
                width: (TEXEL_ROW / per_texel) as u32,
                height: rows as u32,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: if per_texel == 4 { wgpu::TextureFormat::Rgba32Float } else { wgpu::TextureFormat::R32Float },
            usage: wgpu::TextureUsages::COPY_DST | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Ok(Texels { texture, view, len, per_texel })
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

/// The copy that fills a mirror from its tensor, recorded into a command encoder between
/// compute passes. It copies the tensor's whole vec4s (the last one's padding too, as kernels
/// that read vec4s see it), whole texture rows first, then the rest of the last row.
pub struct TexelCopy {
    buffer: wgpu::Buffer,
    offset: u64,
    texture: wgpu::Texture,
    values: usize,
    per_texel: usize,
}

impl Texels {
    /// The copy of `x` into this mirror (made for `x.len()` values).
    pub fn copy_from(&self, x: &Tensor) -> Result<TexelCopy> {
        if self.len != x.len() {
            let why = format!("{} holds {} values, the mirror {}", x.label, x.len(), self.len);
            return Err(GpuError::shape("texel mirror copy", why));
        }
        let values = x.len().div_ceil(4) * 4;
        let texture = self.texture.clone();
        Ok(TexelCopy { buffer: x.buffer.clone(), offset: x.offset, texture, values, per_texel: self.per_texel })
    }
}

impl TexelCopy {
    pub fn record(&self, encoder: &mut wgpu::CommandEncoder) {
        let row_bytes = (4 * TEXEL_ROW) as u64;
        let (rows, rest) = (self.values / TEXEL_ROW, self.values % TEXEL_ROW);
        let mut copy = |first_row: usize, width: usize, height: usize| {
            let layout = wgpu::TexelCopyBufferLayout {
                offset: self.offset + first_row as u64 * row_bytes,
                bytes_per_row: Some(row_bytes as u32),
                rows_per_image: None,
            };
            let source = wgpu::TexelCopyBufferInfo { buffer: &self.buffer, layout };
            let target = wgpu::TexelCopyTextureInfo {
                texture: &self.texture,
                mip_level: 0,
                origin: wgpu::Origin3d { x: 0, y: first_row as u32, z: 0 },
                aspect: wgpu::TextureAspect::All,
            };
            let texels = (width / self.per_texel) as u32;
            let size = wgpu::Extent3d { width: texels, height: height as u32, depth_or_array_layers: 1 };
            encoder.copy_buffer_to_texture(source, target, size);
        };
        if rows > 0 {
            copy(0, TEXEL_ROW, rows);
        }
        if rest > 0 {
            copy(rows, rest, 1);
        }
    }

    /// Bytes the copy reads and writes.
    pub fn bytes(&self) -> u64 {
        8 * self.values as u64
    }
}
