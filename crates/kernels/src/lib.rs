//! Typed launchers for twinhead's WGSL kernels, forward and backward.
//!
//! Each operation the dual-head network needs — conv2d, max-pool, ReLU, linear, softmax
//! cross-entropy and Adam — has one WGSL file per pass and variant under `shaders/` (the parts
//! a pass's variants share — parameter block, bindings, helpers — in `shaders/common/`, joined
//! in front by the catalogue) and a launcher here that checks shapes, fills the kernel's parameter block and binds the tensors. A launcher
//! returns an [`Op`]: ready-made dispatches that a caller records into its own compute pass, so
//! that a whole training step goes into one command encoder and one submit. Pipelines are built
//! once, in [`Kernels::new`].
//!
//! Layouts are PyTorch's (NCHW activations, `[C_out, C_in, KH, KW]` conv weights, `[out, in]`
//! linear weights), so parameters move to and from PyTorch without transposes.

mod adam;
mod catalogue;
mod conv;
mod kernel;
mod linear;
mod loss;
mod op;
pub mod params;
mod pick;
use params::ParamsBlock;
mod pool;
pub mod record;
mod relu;
pub mod roofline;
mod shapes;
mod split;
mod texels;

pub use adam::{ADAM_KEY, AdamHyper};
pub use conv::WeightSegment;
pub use kernel::{Grid, Kernel, KernelDesc, Pass, Variant};
pub use loss::HeadLoss;
pub use op::{Dispatch, Op, Work};
pub use pick::{Launch, Pick};
pub use record::Recorder;
pub use relu::unit_table;
pub use shapes::{Conv2dShape, LinearShape, PassShape, Pool2dShape};
pub use split::{MAX_SERIAL, MIN_INVOCATIONS, SplitRule, Splits, WIDE_OUTPUT, split_reduction};
pub use tensor::{Gpu, GpuError, Result, Tensor};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The compute pipelines of one device, each compiled once, and which [`Variant`] each
/// matrix-product pass runs: `variant` unless a choice was made for that pass at that shape
/// ([`Kernels::choose`], what the tuner does after measuring).
pub struct Kernels {
    /// Shared with the kernel sets [`Kernels::trying`] makes: a pipeline is compiled once.
    pipelines: Arc<Mutex<HashMap<Launch, wgpu::ComputePipeline>>>,
    pub variant: Variant,
    /// The register block every pass runs in unless chosen otherwise (None: each kernel's own).
    pub block: Option<(u32, u32)>,
    /// How wide the split passes are cut unless chosen otherwise.
    pub splits: Splits,
    /// Whether a pass whose kernel can gathers its input from a texel mirror unless chosen otherwise.
    pub texels: bool,
    /// The workgroup size every pass whose kernel offers it runs in unless chosen otherwise
    /// (None: each kernel's own).
    pub workgroup: Option<u32>,
    choices: Mutex<HashMap<String, Pick>>,
}

impl Variant {
    /// The variants `gpu` runs ([`Variant::runs_on`]), in [`Variant::ALL`]'s order.
    pub fn available(gpu: &Gpu) -> Vec<Variant> {
        let (info, features) = (gpu.adapter.get_info(), gpu.device.features());
        Variant::ALL.into_iter().filter(|v| v.runs_on(&info, features)).collect()
    }
}

/// The key of a matrix-product pass at one shape (its batch included), as choices are stored.
pub fn pass_key(pass: Pass, shape: &impl std::fmt::Debug) -> String {
    format!("{pass:?} {shape:?}")
}

impl Kernels {
    /// Compiles the kernels of the variant that suits the adapter ([`Variant::for_adapter`]).
    /// A shader the device rejects comes back as an error naming it.
    pub fn new(gpu: &Gpu) -> Result<Self> {
        Self::with_variant(gpu, Variant::for_adapter(&gpu.adapter.get_info()))
    }

    /// Compiles the kernels of `variant` (every variant runs on every adapter; tests run both).
    /// Other variants' kernels are compiled when a choice first needs them.
    pub fn with_variant(gpu: &Gpu, variant: Variant) -> Result<Self> {
        if !variant.runs_on(&gpu.adapter.get_info(), gpu.device.features()) {
            return Err(GpuError::shape(
                variant.name(),
                format!(
                    "the {} kernels need subgroups of at least 8 lanes, which {} lacks",
                    variant.name(),
                    gpu.summary.name
                ),
            ));
        }
        let k = Kernels {
            pipelines: Default::default(),
            variant,
            block: None,
            splits: Splits::Wide,
            texels: false,
            workgroup: None,
            choices: Mutex::new(HashMap::new()),
        };
        for &kernel in Kernel::ALL.iter().filter(|k| k.used_by(variant)) {
            k.pipeline(gpu, kernel.into())?;
        }
        Ok(k)
    }

    /// A kernel set in which every matrix-product pass runs `pick` (a pass whose kernel lacks
    /// its block runs its own), whatever was chosen here: what the tuner builds a candidate step
    /// from. It shares this set's compiled pipelines.
    pub fn trying(&self, pick: Pick) -> Kernels {
        let Pick { variant, block, splits, texels, workgroup } = pick;
        let pipelines = self.pipelines.clone();
        Kernels { pipelines, variant, block, splits, texels, workgroup, choices: Mutex::new(HashMap::new()) }
    }

    /// The pipeline of `launch` (a kernel at one workgroup size), compiled on first use.
    fn pipeline(&self, gpu: &Gpu, launch: Launch) -> Result<wgpu::ComputePipeline> {
        let mut pipelines = self.pipelines.lock().expect("pipeline cache poisoned");
        if let Some(p) = pipelines.get(&launch) {
            return Ok(p.clone());
        }
        let desc = launch.desc();
        let p = gpu.compute_pipeline(desc.label, &desc.source_at(launch.workgroup), desc.entry_point, &[])?;
        pipelines.insert(launch, p.clone());
        Ok(p)
    }

    /// Runs `pick` for `pass` at `shape` from now on (ops built before keep their kernel).
    pub fn choose(&self, pass: Pass, shape: &impl std::fmt::Debug, pick: impl Into<Pick>) {
        self.set_choice(pass_key(pass, shape), pick.into());
    }

    /// Like [`Self::choose`], by key (see [`pass_key`]).
    pub fn set_choice(&self, key: String, pick: Pick) {
        self.choices.lock().expect("choices poisoned").insert(key, pick);
    }

    /// Every choice made, by pass key.
    pub fn choices(&self) -> HashMap<String, Pick> {
        self.choices.lock().expect("choices poisoned").clone()
    }

    /// What the pass with this key runs: its choice, else this set's default.
    pub fn pick_by_key(&self, key: &str) -> Pick {
        let (variant, block, splits, texels, workgroup) =
            (self.variant, self.block, self.splits, self.texels, self.workgroup);
        let default = Pick { variant, block, splits, texels, workgroup };
        self.choices.lock().expect("choices poisoned").get(key).copied().unwrap_or(default)
    }

    /// The variant `pass` runs at `shape`.
    pub fn variant_for(&self, pass: Pass, shape: &impl std::fmt::Debug) -> Variant {
        self.pick_by_key(&pass_key(pass, shape)).variant
    }

    /// The kernel a matrix-product pass runs at `shape`: its pick's variant's, in its pick's block
    /// and workgroup size.
    fn kernel_for(&self, pass: Pass, shape: &impl std::fmt::Debug) -> Launch {
        let pick = self.pick_by_key(&pass_key(pass, shape));
        Launch::at(Kernel::for_pass(pass, pick.variant).shaped(pick.block), pick.workgroup)
    }

    /// One dispatch of `kernel` over `invocations` threads with `params` in binding 0 and the
    /// named tensors from binding 1 on, in the order the kernel declares them.
    fn dispatch<P: ParamsBlock>(
        &self,
        gpu: &Gpu,
        kernel: impl Into<Launch>,
        params: &P,
        bindings: &[(&str, &Tensor)],
        work: Work,
    ) -> Result<Dispatch> {
        self.dispatch_bound(gpu, kernel, params, Bound::tensors(bindings), work)
    }

    /// Like [`Self::dispatch`], with any resources bound (a texel mirror beside tensors).
    fn dispatch_bound<P: ParamsBlock>(
        &self,
        gpu: &Gpu,
        kernel: impl Into<Launch>,
        params: &P,
        bindings: Vec<Bound<'_>>,
        work: Work,
    ) -> Result<Dispatch> {
        let kernel = kernel.into();
        let desc = kernel.desc();
        if P::FIELDS != desc.params.fields || std::mem::size_of::<P>() != desc.params.size {
            return Err(GpuError::shape(desc.name, format!("parameter block is not {}", desc.params.type_name)));
        }
        let uniform = gpu.uniform(&format!("{} params", desc.name), params);
        self.dispatch_with_bound(gpu, kernel, uniform, bindings, work)
    }

    /// Like [`Self::dispatch_bound`], with a parameter buffer the caller keeps updating (Adam's
    /// step).
    fn dispatch_with_bound(
        &self,
        gpu: &Gpu,
        kernel: impl Into<Launch>,
        uniform: wgpu::Buffer,
        bindings: Vec<Bound<'_>>,
        work: Work,
    ) -> Result<Dispatch> {
        let kernel = kernel.into();
        let desc = kernel.desc();
        let names: Vec<&str> = bindings.iter().map(|b| b.name).collect();
        if names != desc.bindings {
            return Err(GpuError::shape(
                desc.name,
                format!("bindings {names:?} given, the kernel declares {:?}", desc.bindings),
            ));
        }
        let pipeline = self.pipeline(gpu, kernel)?;
        let bytes = bindings.iter().map(|b| b.bytes).sum();
        let mut entries = vec![wgpu::BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }];
        for (i, b) in bindings.into_iter().enumerate() {
            entries.push(wgpu::BindGroupEntry { binding: i as u32 + 1, resource: b.resource });
        }
        let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(desc.label),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        let mut d = Dispatch::new(desc.label, pipeline, bind_group, uniform, work, kernel.workgroup as u64);
        d.bytes = bytes;
        Ok(d)
    }
}

/// One resource a dispatch binds, by the name the kernel declares it under, with the bytes it
/// holds (what the roofline counts).
struct Bound<'a> {
    name: &'a str,
    resource: wgpu::BindingResource<'a>,
    bytes: u64,
}

impl<'a> Bound<'a> {
    fn tensor(name: &'a str, t: &'a Tensor) -> Self {
        Bound { name, resource: t.binding(), bytes: t.bytes() }
    }

    fn tensors(named: &[(&'a str, &'a Tensor)]) -> Vec<Self> {
        named.iter().map(|&(name, t)| Bound::tensor(name, t)).collect()
    }

    fn texels(name: &'a str, t: &'a tensor::Texels) -> Self {
        Bound { name, resource: t.binding(), bytes: t.bytes() }
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
