//! Recorded work: dispatches with their pipeline, bindings and size, ready to go into a pass.

const MAX_GROUPS_X: u64 = 65_535;

/// One kernel launch, fully bound.
pub struct Dispatch {
    pub label: &'static str,
    pipeline: wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    // Kept alive with the bind group that refers to it.
    _params: wgpu::Buffer,
    groups: [u32; 2],
}

impl Dispatch {
    pub(crate) fn new(
        label: &'static str,
        pipeline: wgpu::ComputePipeline,
        bind_group: wgpu::BindGroup,
        params: wgpu::Buffer,
        invocations: u64,
        workgroup_size: u64,
    ) -> Self {
        // More than 65 535 workgroups spill into y; kernels linearise (x, y) back.
        let total = invocations.div_ceil(workgroup_size).max(1);
        let x = total.min(MAX_GROUPS_X);
        let y = total.div_ceil(x);
        Dispatch { label, pipeline, bind_group, _params: params, groups: [x as u32, y as u32] }
    }

    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups[0], self.groups[1], 1);
    }
}

/// One operation (a kernel pass, or several where a pass needs a second kernel), bound to its
/// tensors. Build it once, record it every step.
pub struct Op {
    pub name: String,
    pub dispatches: Vec<Dispatch>,
    // Scratch tensors the dispatches use (split-K partial sums).
    pub(crate) scratch: Vec<tensor::Tensor>,
}

impl Op {
    pub(crate) fn new(name: impl Into<String>, dispatches: Vec<Dispatch>) -> Self {
        Op { name: name.into(), dispatches, scratch: Vec::new() }
    }

    /// Records every dispatch of this operation, in order, into `pass`.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        for d in &self.dispatches {
            d.record(pass);
        }
    }

    /// Bytes of scratch memory the operation holds.
    pub fn scratch_bytes(&self) -> u64 {
        self.scratch.iter().map(|t| t.buffer.size()).sum()
    }
}
