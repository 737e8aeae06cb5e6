//! The device's roofline, measured with WGSL on the adapter at hand: its streaming bandwidth (a
//! vec4 copy, GB/s) and its multiply-add peak (register-resident fma chains, GFLOP/s), each the
//! best of a few shapes. A pass is then judged against what this device can do: a pass whose
//! FLOPs per byte are below the ridge (peak ÷ bandwidth) is bound by memory, above it by
//! arithmetic, and its share of that bound says how much is left to gain.
//!
//! The probes live in `shaders/roofline/` (they are not network kernels, so not in the
//! catalogue); `cargo bench --bench roofline` prints the figures, `step_breakdown` uses them.

use std::time::Instant;

use tensor::{Gpu, Result, Tensor};
use wgpu::util::DeviceExt;

const COPY_SOURCE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/roofline/copy.wgsl"));
const FMA_SOURCE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/roofline/fma.wgsl"));
const GATHER_SOURCE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/roofline/gather.wgsl"));

/// What the device can do at best.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roofline {
    /// Bytes read plus bytes written per second by the best copy shape, in GB/s (10⁹ B/s).
    pub copy_gb_per_s: f64,
    /// FLOPs per second of the best register-resident fma shape, in GFLOP/s (2 per multiply-add).
    pub peak_gflop_per_s: f64,
}

/// Which bound limits a pass, and the share of it the pass reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judgement {
    pub bound: Bound,
    /// The pass's rate over the bound's rate (1.0: at the roof).
    pub share: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Memory,
    Compute,
}

impl Roofline {
    /// FLOPs per byte where the two roofs meet.
    pub fn ridge(&self) -> f64 {
        self.peak_gflop_per_s / self.copy_gb_per_s
    }

    /// The bound of a pass that moves `bytes` and computes `flops` in `seconds`, and its share:
    /// the time the bound allows over the time taken.
    pub fn judge(&self, bytes: u64, flops: u64, seconds: f64) -> Judgement {
        let memory_s = bytes as f64 / (self.copy_gb_per_s * 1e9);
        let compute_s = flops as f64 / (self.peak_gflop_per_s * 1e9);
        let (bound, floor) = if compute_s > memory_s { (Bound::Compute, compute_s) } else { (Bound::Memory, memory_s) };
        Judgement { bound, share: floor / seconds }
    }
}

fn median_seconds(
    gpu: &Gpu,
    label: &str,
    runs: usize,
    mut record: impl FnMut(&mut wgpu::ComputePass<'_>),
) -> Result<f64> {
    gpu.run(label, &mut record)?; // first touch and pipeline warm-up
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        gpu.run(label, &mut record)?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times[runs / 2])
}

fn uniform(gpu: &Gpu, bytes: &[u8]) -> wgpu::Buffer {
    gpu.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("roofline params"),
        contents: bytes,
        usage: wgpu::BufferUsages::UNIFORM,
    })
}

fn bind(gpu: &Gpu, pipeline: &wgpu::ComputePipeline, params: &wgpu::Buffer, tensors: &[&Tensor]) -> wgpu::BindGroup {
    let mut entries = vec![wgpu::BindGroupEntry { binding: 0, resource: params.as_entire_binding() }];
    for (i, t) in tensors.iter().enumerate() {
        entries.push(wgpu::BindGroupEntry { binding: i as u32 + 1, resource: t.binding() });
    }
    gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("roofline"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &entries,
    })
}

/// Workgroups `(x, y)` for `groups` workgroups: x at most 65 535, and as few empty ones as
/// that allows (an empty workgroup still costs lavapipe a quarter of a microsecond).
fn grid(groups: u64) -> (u32, u32) {
    let y = groups.div_ceil(65_535).max(1);
    (groups.div_ceil(y).max(1) as u32, y as u32)
}

/// The best streaming copy rate over a few shapes (vec4s per invocation), in GB/s counting the
/// bytes read and written. `bytes` per buffer: large enough to leave the caches (64 MiB; less
/// where the adapter binds less).
pub fn copy_bandwidth(gpu: &Gpu) -> Result<f64> {
    let bytes = (64u64 << 20).min(gpu.limits().max_storage_buffer_binding_size);
    let count = (bytes / 16) as usize;
    let src = Tensor::zeros(gpu, "roofline copy source", &[count * 4])?;
    let dst = Tensor::zeros(gpu, "roofline copy destination", &[count * 4])?;
    let mut best: f64 = 0.0;
    for per_invocation in [1u32, 2, 4, 8, 16] {
        let pipeline =
            gpu.compute_pipeline("roofline_copy", COPY_SOURCE, "main", &[("PER_INVOCATION", per_invocation as f64)])?;
        let invocations = (count as u64).div_ceil(per_invocation as u64);
        let groups = invocations.div_ceil(64);
        let (x, y) = grid(groups);
        let stride = (x as u64 * y as u64 * 64).min(u32::MAX as u64) as u32;
        let params = uniform(gpu, bytemuck::cast_slice(&[count as u32, stride, 0, 0]));
        let group = bind(gpu, &pipeline, &params, &[&src, &dst]);
        let s = median_seconds(gpu, "roofline copy", 5, |pass| {
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(x, y, 1);
        })?;
        best = best.max(2.0 * (count * 16) as f64 / s / 1e9);
    }
    Ok(best)
}

/// The best multiply-add rate over a few launch sizes, in GFLOP/s.
pub fn fma_peak(gpu: &Gpu) -> Result<f64> {
    let pipeline = gpu.compute_pipeline("roofline_fma", FMA_SOURCE, "main", &[])?;
    let mut best: f64 = 0.0;
    // Enough workgroups to fill a big GPU, and few enough to keep a CPU adapter's run short.
    for (groups, iterations) in [(64u64, 4096u32), (1024, 1024), (16_384, 256)] {
        let invocations = groups * 64;
        let out = Tensor::zeros(gpu, "roofline fma output", &[invocations as usize * 4])?;
        let params = uniform(gpu, bytemuck::cast_slice(&[iterations, 1.0f32.to_bits(), 0, 0]));
        let group = bind(gpu, &pipeline, &params, &[&out]);
        let (x, y) = grid(groups);
        let s = median_seconds(gpu, "roofline fma", 5, |pass| {
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(x, y, 1);
        })?;
        let flops = invocations as f64 * iterations as f64 * 8.0 * 4.0 * 4.0 * 2.0;
        best = best.max(flops / s / 1e9);
    }
    Ok(best)
}

/// Streams `bytes` through the device (read and written once), so that what a pass timed next
/// finds in the caches is what a training step would leave there, not its own previous run.
pub struct CacheFlush {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    grid: (u32, u32),
    _tensors: [Tensor; 2],
}

impl CacheFlush {
    pub fn new(gpu: &Gpu, bytes: u64) -> Result<CacheFlush> {
        let count = (bytes / 16) as usize;
        let src = Tensor::zeros(gpu, "cache flush source", &[count * 4])?;
        let dst = Tensor::zeros(gpu, "cache flush destination", &[count * 4])?;
        let pipeline = gpu.compute_pipeline("cache_flush", COPY_SOURCE, "main", &[("PER_INVOCATION", 4.0)])?;
        let grid = grid((count as u64).div_ceil(4).div_ceil(64));
        let stride = grid.0 * grid.1 * 64;
        let params = uniform(gpu, bytemuck::cast_slice(&[count as u32, stride, 0, 0]));
        let group = bind(gpu, &pipeline, &params, &[&src, &dst]);
        Ok(CacheFlush { pipeline, group, grid, _tensors: [src, dst] })
    }

    pub fn run(&self, gpu: &Gpu) -> Result<()> {
        gpu.run("cache flush", |pass| {
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &self.group, &[]);
            pass.dispatch_workgroups(self.grid.0, self.grid.1, 1);
        })
    }
}

/// What reading values one at a time costs through each reader a conv kernel may have: GB/s
/// (read and written) of a 64 MiB copy whose every float is its own load, (from the storage
/// buffer, from its texel mirror), median of five runs each, the two alternating. On lavapipe a
/// storage load is a loop over the SIMD lanes and a texel fetch one vector gather, and which is
/// cheaper depends on the CPU (AVX-512's masked lane operations make the loop cheap).
pub fn gather_bandwidths(gpu: &Gpu) -> Result<(f64, f64)> {
    let bytes = (64u64 << 20).min(gpu.limits().max_storage_buffer_binding_size);
    let count = (bytes / 16) as usize;
    let src = Tensor::zeros(gpu, "roofline gather source", &[count * 4])?;
    let dst = Tensor::zeros(gpu, "roofline gather destination", &[count * 4])?;
    let mirror = tensor::Texels::new(gpu, "roofline gather texels", count * 4)?;
    let params = uniform(gpu, bytemuck::cast_slice(&[count as u32, 0]));
    let (x, y) = grid((count as u64).div_ceil(64));
    let readers = [("from_storage", src.binding()), ("from_texels", mirror.binding())];
    let mut launches = Vec::new();
    for (entry, (binding, source)) in readers.into_iter().enumerate().map(|(i, r)| (r.0, (i as u32 + 1, r.1))) {
        let pipeline = gpu.compute_pipeline("roofline_gather", GATHER_SOURCE, entry, &[])?;
        let entries = [
            wgpu::BindGroupEntry { binding: 0, resource: params.as_entire_binding() },
            wgpu::BindGroupEntry { binding, resource: source },
            wgpu::BindGroupEntry { binding: 3, resource: dst.binding() },
        ];
        let layout = pipeline.get_bind_group_layout(0);
        let desc = wgpu::BindGroupDescriptor { label: Some("roofline gather"), layout: &layout, entries: &entries };
        launches.push((gpu.device.create_bind_group(&desc), pipeline));
    }
    let mut runs: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..6 {
        for (reader, (group, pipeline)) in launches.iter().enumerate() {
            let start = Instant::now();
            gpu.run("roofline gather", |pass| {
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            })?;
            if round > 0 {
                runs[reader].push(start.elapsed().as_secs_f64()); // the first round warms up
            }
        }
    }
    let rate = |mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        2.0 * (count * 16) as f64 / t[t.len() / 2] / 1e9
    };
    let [storage, texels] = runs;
    Ok((rate(storage), rate(texels)))
}

/// Both roofs of this device.
pub fn measure(gpu: &Gpu) -> Result<Roofline> {
    Ok(Roofline { copy_gb_per_s: copy_bandwidth(gpu)?, peak_gflop_per_s: fma_peak(gpu)? })
}
