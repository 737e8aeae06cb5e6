//! Recorded work: dispatches with their pipeline, bindings and size, ready to go into a pass.

use crate::Recorder;

const MAX_GROUPS_X: u64 = 65_535;

/// The shape of one launch's work: what the launch report prints and what the tests that keep
/// a big GPU busy assert, on any machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    /// Invocations that do work (the last workgroup may hold idle ones).
    pub invocations: u64,
    /// The longest serial loop of one invocation: products of a dot product, or terms of a sum.
    pub serial: u64,
    /// Values the launch writes.
    pub outputs: u64,
    /// Floating-point operations of the useful work (2 per multiply-add; 0 where not counted).
    pub flops: u64,
}

impl Work {
    /// One invocation per value written, no loop.
    pub fn items(n: usize) -> Work {
        Work { invocations: n as u64, serial: 1, outputs: n as u64, flops: 0 }
    }
}

/// One kernel launch, fully bound.
pub struct Dispatch {
    pub label: &'static str,
    pub work: Work,
    pub workgroup_size: u64,
    /// Bytes the launch must move at least: each bound tensor read or written once, unless the
    /// launcher knows better (Adam reads and writes its state). What the roofline judges.
    pub bytes: u64,
    pipeline: wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    /// Its parameter block (kept alive with the bind group that refers to it).
    params: wgpu::Buffer,
    _textures: Vec<wgpu::Texture>,
    groups: [u32; 2],
    /// Copies that fill the texel mirrors the kernel reads, recorded just before it.
    before: Vec<tensor::TexelCopy>,
}

impl Dispatch {
    pub(crate) fn new(
        label: &'static str,
        pipeline: wgpu::ComputePipeline,
        bind_group: wgpu::BindGroup,
        params: wgpu::Buffer,
        work: Work,
        workgroup_size: u64,
    ) -> Self {
        // More than 65 535 workgroups spill into y; kernels linearise (x, y) back.
        let total = work.invocations.div_ceil(workgroup_size).max(1);
        let x = total.min(MAX_GROUPS_X);
        let y = total.div_ceil(x);
        Dispatch {
            label,
            work,
            workgroup_size,
            bytes: 0,
            pipeline,
            bind_group,
            params,
            _textures: Vec::new(),
            groups: [x as u32, y as u32],
            before: Vec::new(),
        }
    }

    /// Its parameter block's buffer.
    pub(crate) fn params_buffer(&self) -> &wgpu::Buffer {
        &self.params
    }

    /// Keeps a texture its bind group refers to alive as long as the dispatch.
    pub(crate) fn keep(&mut self, texture: &wgpu::Texture) {
        self._textures.push(texture.clone());
    }

    /// Makes `copy` run before every recording of this dispatch (after those added before it).
    pub(crate) fn copy_first(&mut self, copy: tensor::TexelCopy) {
        self.before.push(copy);
    }

    /// The copies that fill the texel mirrors the kernel reads, run just before it.
    pub fn copies_before(&self) -> &[tensor::TexelCopy] {
        &self.before
    }

    /// Workgroups launched.
    pub fn workgroups(&self) -> u64 {
        self.groups[0] as u64 * self.groups[1] as u64
    }

    /// Records the launch into `pass` (its copies, if any, are the [`Recorder`]'s to record).
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups[0], self.groups[1], 1);
    }

    /// Records only about `groups` of the workgroups (at least one, at most all): a probe that
    /// shows cheaply that a kernel is far slower than another. The output is incomplete; only
    /// the tuner uses it, on scratch it overwrites afterwards. Returns the fraction recorded.
    pub fn record_part(&self, pass: &mut wgpu::ComputePass<'_>, groups: u64) -> f64 {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        let [x, y] = self.groups;
        let n = groups.clamp(1, self.workgroups());
        let part = if n <= x as u64 { [n as u32, 1] } else { [x, (n.div_ceil(x as u64) as u32).min(y)] };
        pass.dispatch_workgroups(part[0], part[1], 1);
        (part[0] as f64 * part[1] as f64) / self.workgroups() as f64
    }
}

/// One operation (a kernel pass, or several where a pass needs a second kernel), bound to its
/// tensors. Build it once, record it every step.
pub struct Op {
    pub name: String,
    /// For a matrix-product pass, its key ([`crate::pass_key`]): which variant runs it is a
    /// choice the tuner can make. `None` for passes every variant runs alike.
    pub key: Option<String>,
    /// For a matrix-product pass, what a person calls it ("conv 16→32 on 48×48, weight
    /// gradient"): what the tuner's progress and summary print.
    pub about: Option<String>,
    pub dispatches: Vec<Dispatch>,
    // Scratch tensors the dispatches use (split-K partial sums).
    pub(crate) scratch: Vec<tensor::Tensor>,
}

impl Op {
    pub(crate) fn new(name: impl Into<String>, dispatches: Vec<Dispatch>) -> Self {
        Op { name: name.into(), key: None, about: None, dispatches, scratch: Vec::new() }
    }

    /// Marks this op as the matrix-product pass `pass` at `shape`, whose variant is a choice.
    pub(crate) fn for_pass(mut self, pass: crate::Pass, shape: &impl crate::shapes::PassShape) -> Self {
        self.key = Some(crate::pass_key(pass, shape));
        self.about = Some(format!("{}, {}", shape.about(), pass.about()));
        self
    }

    /// Records every dispatch of this operation, in order, with the copies they need.
    pub fn record(&self, recorder: &mut Recorder<'_>) {
        for d in &self.dispatches {
            recorder.dispatch(d);
        }
    }

    /// Bytes of scratch memory the operation holds.
    pub fn scratch_bytes(&self) -> u64 {
        self.scratch.iter().map(|t| t.bytes()).sum()
    }
}
