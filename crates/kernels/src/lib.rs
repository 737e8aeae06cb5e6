//! Typed launchers for twinhead's WGSL kernels, forward and backward.
//!
//! Each operation the dual-head network needs — conv2d, max-pool, ReLU, linear, softmax
//! cross-entropy and Adam — has one WGSL file per pass under `shaders/` and a launcher here
//! that checks shapes, fills the kernel's parameter block and binds the tensors. A launcher
//! returns an [`Op`]: ready-made dispatches that a caller records into its own compute pass, so
//! that a whole training step goes into one command encoder and one submit. Pipelines are built
//! once, in [`Kernels::new`].
//!
//! Layouts are PyTorch's (NCHW activations, `[C_out, C_in, KH, KW]` conv weights, `[out, in]`
//! linear weights), so parameters move to and from PyTorch without transposes.

mod adam;
mod conv;
mod kernel;
mod linear;
mod loss;
mod op;
pub mod params;
use params::ParamsBlock;
mod pool;
mod relu;
mod shapes;

pub use adam::AdamHyper;
pub use kernel::{Grid, Kernel, KernelDesc, Pass, Variant};
pub use loss::HeadLoss;
pub use op::{Dispatch, Op};
pub use shapes::{Conv2dShape, LinearShape, Pool2dShape};
pub use tensor::{Gpu, GpuError, Result, Tensor};

use std::collections::HashMap;

/// Every compute pipeline of one [`Variant`], compiled once for one device.
pub struct Kernels {
    pipelines: HashMap<Kernel, wgpu::ComputePipeline>,
    pub variant: Variant,
}

impl Kernels {
    /// Compiles the kernels of the variant that suits the adapter ([`Variant::for_adapter`]).
    /// A shader the device rejects comes back as an error naming it.
    pub fn new(gpu: &Gpu) -> Result<Self> {
        Self::with_variant(gpu, Variant::for_adapter(&gpu.adapter.get_info()))
    }

    /// Compiles the kernels of `variant` (every variant runs on every adapter; tests run both).
    pub fn with_variant(gpu: &Gpu, variant: Variant) -> Result<Self> {
        let mut pipelines = HashMap::new();
        for &kernel in Kernel::ALL.iter().filter(|k| k.used_by(variant)) {
            let desc = kernel.desc();
            pipelines.insert(kernel, gpu.compute_pipeline(desc.name, desc.source, desc.entry_point, &[])?);
        }
        Ok(Kernels { pipelines, variant })
    }

    /// The kernel this set's variant runs for a matrix-product pass.
    fn kernel_for(&self, pass: Pass) -> Kernel {
        Kernel::for_pass(pass, self.variant)
    }

    /// One dispatch of `kernel` over `invocations` threads with `params` in binding 0 and the
    /// named tensors from binding 1 on, in the order the kernel declares them.
    fn dispatch<P: ParamsBlock>(
        &self,
        gpu: &Gpu,
        kernel: Kernel,
        params: &P,
        bindings: &[(&str, &Tensor)],
        invocations: u64,
    ) -> Result<Dispatch> {
        let desc = kernel.desc();
        if P::FIELDS != desc.params.fields || std::mem::size_of::<P>() != desc.params.size {
            return Err(GpuError::shape(desc.name, format!("parameter block is not {}", desc.params.type_name)));
        }
        let uniform = gpu.uniform(&format!("{} params", desc.name), params);
        self.dispatch_with(gpu, kernel, uniform, bindings, invocations)
    }

    /// Like [`Self::dispatch`], with a parameter buffer the caller keeps updating (Adam's step).
    fn dispatch_with(
        &self,
        gpu: &Gpu,
        kernel: Kernel,
        uniform: wgpu::Buffer,
        bindings: &[(&str, &Tensor)],
        invocations: u64,
    ) -> Result<Dispatch> {
        let desc = kernel.desc();
        let names: Vec<&str> = bindings.iter().map(|(name, _)| *name).collect();
        if names != desc.bindings {
            return Err(GpuError::shape(
                desc.name,
                format!("bindings {names:?} given, the kernel declares {:?}", desc.bindings),
            ));
        }
        let pipeline = &self.pipelines[&kernel];
        let mut entries = vec![wgpu::BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }];
        for (i, (_, t)) in bindings.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry { binding: i as u32 + 1, resource: t.binding() });
        }
        let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(desc.name),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        Ok(Dispatch::new(desc.name, pipeline.clone(), bind_group, uniform, invocations, desc.workgroup_size as u64))
    }
}

/// Checks that `t` holds as many elements as `shape` says, naming the operation and both shapes.
fn expect(op: &str, what: &str, t: &Tensor, shape: &[usize]) -> Result<()> {
    let want: usize = shape.iter().product();
    if t.len() != want {
        return Err(GpuError::shape(
            op,
            format!("{what} {} is {:?} ({} elements), expected {:?} ({want})", t.label, t.shape, t.len(), shape),
        ));
    }
    Ok(())
}

fn nonzero(op: &str, dims: &[(&str, usize)]) -> Result<()> {
    for (name, v) in dims {
        if *v == 0 {
            return Err(GpuError::shape(op, format!("{name} must be at least 1")));
        }
    }
    Ok(())
}
