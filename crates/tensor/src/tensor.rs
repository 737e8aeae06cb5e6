//! [`Tensor`]: a shape and a labelled GPU storage buffer.

use crate::{Gpu, GpuError, Result};

/// Element type of a tensor. Activations and parameters are f32; labels and pooling indices u32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    U32,
}

/// A dense, row-major tensor living in one GPU storage buffer, from `offset` bytes on (a view
/// into a larger buffer, as the parameters are: one buffer for all of them lets one optimizer
/// pass update every tensor).
pub struct Tensor {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub buffer: wgpu::Buffer,
    /// Where the tensor starts in `buffer`, in bytes (a multiple of the storage offset alignment).
    pub offset: u64,
    pub label: String,
}

/// Bytes a tensor of `len` elements binds: whole vec4s, and at least one (a zero-sized binding
/// is invalid); elementwise kernels read and write 4 values at a time.
fn bound_bytes(len: usize) -> u64 {
    (len.max(1).div_ceil(4) * 16) as u64
}

impl Tensor {
    fn create(gpu: &Gpu, label: &str, shape: &[usize], dtype: DType) -> Result<Self> {
        let t = Self::create_unbound(gpu, label, shape, dtype)?;
        gpu.check_storage_size(&format!("tensor {label} {shape:?}"), t.buffer.size(), "use a smaller batch size")?;
        Ok(t)
    }

    /// A zero-filled tensor that may be larger than one storage binding (up to the largest
    /// buffer): kernels bind it a slice of rows at a time ([`Tensor::rows`]).
    pub fn zeros_unbound(gpu: &Gpu, label: &str, shape: &[usize], dtype: DType) -> Result<Self> {
        Self::create_unbound(gpu, label, shape, dtype)
    }

    fn create_unbound(gpu: &Gpu, label: &str, shape: &[usize], dtype: DType) -> Result<Self> {
        let len: usize = shape.iter().product();
        // The zero padding of the last vec4 is harmless to the kernels.
        let bytes = bound_bytes(len);
        if bytes > gpu.limits().max_buffer_size {
            return Err(GpuError::TooLarge {
                what: format!("tensor {label} {shape:?}"),
                needed: bytes,
                limit: gpu.limits().max_buffer_size,
                limit_name: "max_buffer_size",
                advice: "use a smaller batch size".into(),
            });
        }
        let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(Tensor { shape: shape.to_vec(), dtype, buffer, offset: 0, label: label.to_string() })
    }

    /// An f32 buffer of `bytes` bytes holding several tensors made with [`Tensor::view`].
    pub fn storage(gpu: &Gpu, label: &str, bytes: u64) -> Result<wgpu::Buffer> {
        Ok(Self::create(gpu, label, &[(bytes as usize).div_ceil(4)], DType::F32)?.buffer)
    }

    /// An f32 tensor of `shape` inside `buffer`, `offset` bytes in; `offset` must be a multiple
    /// of the adapter's storage offset alignment and the tensor's bound bytes must fit.
    pub fn view(buffer: &wgpu::Buffer, label: &str, offset: u64, shape: &[usize]) -> Result<Self> {
        let len: usize = shape.iter().product();
        if offset + bound_bytes(len) > buffer.size() {
            return Err(GpuError::shape(
                "tensor view",
                format!("{label} {shape:?} at byte {offset} does not fit a buffer of {} bytes", buffer.size()),
            ));
        }
        Ok(Tensor {
            shape: shape.to_vec(),
            dtype: DType::F32,
            buffer: buffer.clone(),
            offset,
            label: label.to_string(),
        })
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
        t.write_u32(gpu, data)?;
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
        gpu.queue.write_buffer(&self.buffer, self.offset, bytemuck::cast_slice(data));
        Ok(())
    }

    /// Replaces the contents of a u32 tensor with `data`.
    pub fn write_u32(&self, gpu: &Gpu, data: &[u32]) -> Result<()> {
        self.check_len("upload", data.len())?;
        if self.dtype != DType::U32 {
            return Err(GpuError::shape("upload", format!("tensor {} is not u32", self.label)));
        }
        gpu.queue.write_buffer(&self.buffer, self.offset, bytemuck::cast_slice(data));
        Ok(())
    }

    /// Replaces the contents of a u32 tensor with `data` packed four bytes to a value
    /// (little-endian), the last value padded with zeros.
    pub fn write_bytes(&self, gpu: &Gpu, data: &[u8]) -> Result<()> {
        self.check_len("upload", data.len().div_ceil(4))?;
        if self.dtype != DType::U32 {
            return Err(GpuError::shape("upload", format!("tensor {} is not u32", self.label)));
        }
        let whole = data.len() / 4 * 4;
        gpu.queue.write_buffer(&self.buffer, self.offset, &data[..whole]);
        if whole < data.len() {
            let mut tail = [0u8; 4];
            tail[..data.len() - whole].copy_from_slice(&data[whole..]);
            gpu.queue.write_buffer(&self.buffer, self.offset + whole as u64, &tail);
        }
        Ok(())
    }

    /// Downloads an f32 tensor (waits for all queued work).
    pub fn to_vec(&self, gpu: &Gpu) -> Result<Vec<f32>> {
        let bytes = gpu.read_bytes(&self.buffer, self.offset, (self.len().max(1) * 4) as u64)?;
        let mut out: Vec<f32> = bytemuck::pod_collect_to_vec(&bytes);
        out.truncate(self.len());
        Ok(out)
    }

    /// Downloads a u32 tensor.
    pub fn to_vec_u32(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        let bytes = gpu.read_bytes(&self.buffer, self.offset, (self.len().max(1) * 4) as u64)?;
        let mut out: Vec<u32> = bytemuck::pod_collect_to_vec(&bytes);
        out.truncate(self.len());
        Ok(out)
    }

    /// Rows `first .. first + count` of the first dimension, as a tensor of the same buffer and
    /// type (a chunk of a batch); the offset must suit the adapter's storage offset alignment.
    pub fn rows(&self, first: usize, count: usize) -> Result<Tensor> {
        let per_row: usize = self.shape[1..].iter().product();
        if first + count > self.shape[0] {
            return Err(GpuError::shape(
                "tensor rows",
                format!("{} has {} rows, not {}", self.label, self.shape[0], first + count),
            ));
        }
        let mut shape = self.shape.clone();
        shape[0] = count;
        let offset = self.offset + (first * per_row * 4) as u64;
        let label = format!("{} [{first}..{}]", self.label, first + count);
        let mut t = Tensor::view(&self.buffer, &label, offset, &shape)?;
        t.dtype = self.dtype;
        Ok(t)
    }

    /// The tensor's bytes (whole vec4s) as a bind-group resource.
    pub fn binding(&self) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &self.buffer,
            offset: self.offset,
            size: std::num::NonZeroU64::new(bound_bytes(self.len())),
        })
    }

    /// Bytes the tensor binds (its elements rounded up to whole vec4s).
    pub fn bytes(&self) -> u64 {
        bound_bytes(self.len())
    }
}
