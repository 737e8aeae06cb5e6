//! [`Tensor`]: a shape and a labelled GPU storage buffer.

use crate::{Gpu, GpuError, Result};

/// Element type of a tensor. Activations and parameters are f32; labels and pooling indices u32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    U32,
}

/// A dense, row-major tensor living in one GPU storage buffer.
pub struct Tensor {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub buffer: wgpu::Buffer,
    pub label: String,
}

impl Tensor {
    fn create(gpu: &Gpu, label: &str, shape: &[usize], dtype: DType) -> Result<Self> {
        let len: usize = shape.iter().product();
        // Whole vec4s, and at least one (a zero-sized binding is invalid): elementwise kernels
        // read and write 4 values at a time, and the zero padding is harmless to them.
        let bytes = (len.max(1).div_ceil(4) * 16) as u64;
        gpu.check_storage_size(&format!("tensor {label} {shape:?}"), bytes, "use a smaller batch size")?;
        let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(Tensor { shape: shape.to_vec(), dtype, buffer, label: label.to_string() })
    }

    /// A zero-filled f32 tensor (wgpu zero-initialises new buffers).
    pub fn zeros(gpu: &Gpu, label: &str, shape: &[usize]) -> Result<Self> {
        Self::create(gpu, label, shape, DType::F32)
    }

    /// A zero-filled u32 tensor.
    pub fn zeros_u32(gpu: &Gpu, label: &str, shape: &[usize]) -> Result<Self> {
        Self::create(gpu, label, shape, DType::U32)
    }

    /// An f32 tensor holding `data` (whose length must match `shape`).
    pub fn from_slice(gpu: &Gpu, label: &str, shape: &[usize], data: &[f32]) -> Result<Self> {
        let t = Self::zeros(gpu, label, shape)?;
        t.write(gpu, data)?;
        Ok(t)
    }

    /// A u32 tensor holding `data`.
    pub fn from_u32(gpu: &Gpu, label: &str, shape: &[usize], data: &[u32]) -> Result<Self> {
        let t = Self::zeros_u32(gpu, label, shape)?;
        t.check_len("upload", data.len())?;
        gpu.queue.write_buffer(&t.buffer, 0, bytemuck::cast_slice(data));
        Ok(t)
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check_len(&self, op: &str, got: usize) -> Result<()> {
        if got != self.len() {
            return Err(GpuError::shape(
                op,
                format!("tensor {} {:?} holds {} elements, data has {got}", self.label, self.shape, self.len()),
            ));
        }
        Ok(())
    }

    /// Replaces the contents with `data` (queued; ordered before the next submit).
    pub fn write(&self, gpu: &Gpu, data: &[f32]) -> Result<()> {
        self.check_len("upload", data.len())?;
        if self.dtype != DType::F32 {
            return Err(GpuError::shape("upload", format!("tensor {} is not f32", self.label)));
        }
        gpu.queue.write_buffer(&self.buffer, 0, bytemuck::cast_slice(data));
        Ok(())
    }

    /// Replaces the contents of a u32 tensor with `data`.
    pub fn write_u32(&self, gpu: &Gpu, data: &[u32]) -> Result<()> {
        self.check_len("upload", data.len())?;
        if self.dtype != DType::U32 {
            return Err(GpuError::shape("upload", format!("tensor {} is not u32", self.label)));
        }
        gpu.queue.write_buffer(&self.buffer, 0, bytemuck::cast_slice(data));
        Ok(())
    }

    /// Downloads an f32 tensor (waits for all queued work).
    pub fn to_vec(&self, gpu: &Gpu) -> Result<Vec<f32>> {
        let bytes = gpu.read_bytes(&self.buffer, 0, (self.len().max(1) * 4).next_multiple_of(4) as u64)?;
        let mut out: Vec<f32> = bytemuck::pod_collect_to_vec(&bytes);
        out.truncate(self.len());
        Ok(out)
    }

    /// Downloads a u32 tensor.
    pub fn to_vec_u32(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        let bytes = gpu.read_bytes(&self.buffer, 0, (self.len().max(1) * 4) as u64)?;
        let mut out: Vec<u32> = bytemuck::pod_collect_to_vec(&bytes);
        out.truncate(self.len());
        Ok(out)
    }

    /// The whole buffer as a bind-group resource.
    pub fn binding(&self) -> wgpu::BindingResource<'_> {
        self.buffer.as_entire_binding()
    }
}
