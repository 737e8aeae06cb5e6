//! The opened device: adapter, device, queue, and the few helpers everything else shares.

use crate::adapter::{self, AdapterChoice, AdapterSummary};
use crate::{GpuError, Result};

/// An opened GPU: the adapter it came from, its device and queue.
pub struct Gpu {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub summary: AdapterSummary,
}

impl Gpu {
    /// Opens the adapter `choice` names, with the largest buffer limits it offers (batches of
    /// images need big storage bindings) and subgroup operations where it has them.
    pub fn new(choice: &AdapterChoice) -> Result<Self> {
        let instance = adapter::instance();
        let adapter = adapter::choose(&instance, choice)?;
        let index = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
            .iter()
            .position(|a| a.get_info() == adapter.get_info())
            .unwrap_or(0);
        let summary = adapter::summarize(index, &adapter);
        let wanted = wgpu::Features::SUBGROUP;
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("twinhead device"),
            required_features: adapter.features() & wanted,
            required_limits: adapter.limits(),
            ..Default::default()
        }))
        .map_err(|error| GpuError::RequestDevice { adapter: summary.name.clone(), error })?;
        Ok(Gpu { adapter, device, queue, summary })
    }

    /// The device's limits (what buffer sizes are allowed).
    pub fn limits(&self) -> wgpu::Limits {
        self.device.limits()
    }

    /// Checks that a storage buffer of `bytes` can be created and bound; `what` and `advice`
    /// go into the error (for example which batch size would fit).
    pub fn check_storage_size(&self, what: &str, bytes: u64, advice: &str) -> Result<()> {
        let limits = self.limits();
        let checks = [
            (limits.max_storage_buffer_binding_size, "max_storage_buffer_binding_size"),
            (limits.max_buffer_size, "max_buffer_size"),
        ];
        for (limit, limit_name) in checks {
            if bytes > limit {
                return Err(GpuError::TooLarge {
                    what: what.into(),
                    needed: bytes,
                    limit,
                    limit_name,
                    advice: advice.into(),
                });
            }
        }
        Ok(())
    }

    /// Compiles a WGSL compute shader into a pipeline with the layout derived from the shader.
    /// Validation errors come back as [`GpuError::Kernel`] naming `kernel`, not as a panic.
    pub fn compute_pipeline(
        &self,
        kernel: &str,
        source: &str,
        entry_point: &str,
        constants: &[(&str, f64)],
    ) -> Result<wgpu::ComputePipeline> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(kernel),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel),
            layout: None,
            module: &module,
            entry_point: Some(entry_point),
            compilation_options: wgpu::PipelineCompilationOptions { constants, ..Default::default() },
            cache: None,
        });
        match pollster::block_on(scope.pop()) {
            None => Ok(pipeline),
            Some(err) => Err(GpuError::Kernel { kernel: kernel.into(), message: err.to_string() }),
        }
    }

    /// Runs `record` inside one compute pass of one command encoder, submits it, and waits.
    /// Device errors raised by the work are returned, labelled with `label`.
    pub fn run(&self, label: &str, record: impl FnOnce(&mut wgpu::ComputePass<'_>)) -> Result<()> {
        self.run_encoded(label, |encoder| Self::in_one_pass(label, encoder, record))
    }

    /// Records `record` into one compute pass of one command encoder and submits it, without
    /// waiting: the caller decides when to wait for the returned submission.
    pub fn submit(&self, label: &str, record: impl FnOnce(&mut wgpu::ComputePass<'_>)) -> wgpu::SubmissionIndex {
        self.submit_encoded(label, |encoder| Self::in_one_pass(label, encoder, record))
    }

    fn in_one_pass(label: &str, encoder: &mut wgpu::CommandEncoder, record: impl FnOnce(&mut wgpu::ComputePass<'_>)) {
        let mut pass =
            encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(label), timestamp_writes: None });
        record(&mut pass);
    }

    /// [`Gpu::run`] for work that also copies between passes: `record` gets the encoder.
    pub fn run_encoded(&self, label: &str, record: impl FnOnce(&mut wgpu::CommandEncoder)) -> Result<()> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        self.submit_encoded(label, record);
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Device { during: label.into(), message: err.to_string() });
        }
        self.wait(label)
    }

    /// [`Gpu::submit`] for work that also copies between passes: `record` gets the encoder.
    pub fn submit_encoded(&self, label: &str, record: impl FnOnce(&mut wgpu::CommandEncoder)) -> wgpu::SubmissionIndex {
        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        record(&mut encoder);
        self.queue.submit([encoder.finish()])
    }

    /// Blocks until the queue is idle.
    pub fn wait(&self, during: &str) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Device { during: during.into(), message: e.to_string() })
    }

    /// Copies `size` bytes of `buffer` (from `offset`) back to the CPU.
    pub fn read_bytes(&self, buffer: &wgpu::Buffer, offset: u64, size: u64) -> Result<Vec<u8>> {
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback staging"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder =
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
        encoder.copy_buffer_to_buffer(buffer, offset, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let slice = staging.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait("readback")?;
        rx.recv()
            .map_err(|e| GpuError::Device { during: "readback".into(), message: e.to_string() })?
            .map_err(|e| GpuError::Device { during: "readback".into(), message: e.to_string() })?;
        let bytes = slice
            .get_mapped_range()
            .map_err(|e| GpuError::Device { during: "readback".into(), message: format!("{e:?}") })?
            .to_vec();
        staging.unmap();
        Ok(bytes)
    }

    /// A small uniform buffer holding `value` (kernel parameters).
    pub fn uniform<T: bytemuck::Pod>(&self, label: &str, value: &T) -> wgpu::Buffer {
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: std::mem::size_of::<T>().max(16) as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.queue.write_buffer(&buffer, 0, bytemuck::bytes_of(value));
        buffer
    }
}
