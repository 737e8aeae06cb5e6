//! The kernel catalogue: names, WGSL sources and parameter block sizes.

use crate::params;

/// Every WGSL kernel twinhead has, one per file under `shaders/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    Conv2dForward,
    Conv2dBackwardInput,
    Conv2dBackwardWeight,
    Conv2dReduceWeight,
    MaxPool2dForward,
    MaxPool2dBackward,
    ReluForward,
    ReluBackward,
    LinearForward,
    LinearBackwardInput,
    LinearBackwardWeight,
    SoftmaxCrossEntropy,
    Adam,
    Conv2dForwardTiled,
    Conv2dBackwardInputTiled,
    Conv2dBackwardWeightTiled,
    LinearForwardTiled,
    LinearBackwardInputTiled,
    LinearBackwardWeightTiled,
}

/// Which family of matrix-product kernels runs (conv and linear, forward and both gradients).
/// Both compute the same thing and pass the same tests; they differ in how they use the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// 8×8 outputs per invocation in registers, no workgroup memory, no barriers: fast where
    /// "GPU" threads are CPU SIMD lanes (lavapipe), where workgroup memory and barriers are slow.
    Blocked,
    /// 64×64 tiles per workgroup with operands staged in workgroup memory: the classic GPU GEMM.
    Tiled,
}

impl Variant {
    pub const ALL: [Variant; 2] = [Variant::Blocked, Variant::Tiled];

    /// Invocations for a rows × cols matrix-product output: one per 8×8 block (blocked), or a
    /// workgroup of 256 per 64×64 tile (tiled).
    pub(crate) fn invocations(self, rows: usize, cols: usize) -> u64 {
        match self {
            Variant::Blocked => (rows.div_ceil(8) * cols.div_ceil(8)) as u64,
            Variant::Tiled => (rows.div_ceil(64) * cols.div_ceil(64)) as u64 * 256,
        }
    }

    /// The variant for an adapter: `TWINHEAD_KERNELS=blocked|tiled` if set, otherwise blocked
    /// for CPU adapters (measured: `cargo bench` on lavapipe) and tiled for real GPUs.
    pub fn for_adapter(info: &wgpu::AdapterInfo) -> Variant {
        match std::env::var("TWINHEAD_KERNELS").as_deref() {
            Ok("blocked") => Variant::Blocked,
            Ok("tiled") => Variant::Tiled,
            _ if info.device_type == wgpu::DeviceType::Cpu => Variant::Blocked,
            _ => Variant::Tiled,
        }
    }
}

macro_rules! shader {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/", $file))
    };
}

impl Kernel {
    pub const ALL: [Kernel; 19] = [
        Kernel::Conv2dForward,
        Kernel::Conv2dBackwardInput,
        Kernel::Conv2dBackwardWeight,
        Kernel::Conv2dReduceWeight,
        Kernel::MaxPool2dForward,
        Kernel::MaxPool2dBackward,
        Kernel::ReluForward,
        Kernel::ReluBackward,
        Kernel::LinearForward,
        Kernel::LinearBackwardInput,
        Kernel::LinearBackwardWeight,
        Kernel::SoftmaxCrossEntropy,
        Kernel::Adam,
        Kernel::Conv2dForwardTiled,
        Kernel::Conv2dBackwardInputTiled,
        Kernel::Conv2dBackwardWeightTiled,
        Kernel::LinearForwardTiled,
        Kernel::LinearBackwardInputTiled,
        Kernel::LinearBackwardWeightTiled,
    ];

    /// The tiled kernels, which only the [`Variant::Tiled`] family uses.
    pub fn is_tiled(self) -> bool {
        matches!(
            self,
            Kernel::Conv2dForwardTiled
                | Kernel::Conv2dBackwardInputTiled
                | Kernel::Conv2dBackwardWeightTiled
                | Kernel::LinearForwardTiled
                | Kernel::LinearBackwardInputTiled
                | Kernel::LinearBackwardWeightTiled
        )
    }

    /// Whether the kernels of `variant` include this one.
    pub fn used_by(self, variant: Variant) -> bool {
        let matmul_blocked = matches!(
            self,
            Kernel::Conv2dForward
                | Kernel::Conv2dBackwardInput
                | Kernel::Conv2dBackwardWeight
                | Kernel::LinearForward
                | Kernel::LinearBackwardInput
                | Kernel::LinearBackwardWeight
        );
        match variant {
            Variant::Blocked => !self.is_tiled(),
            Variant::Tiled => !matmul_blocked,
        }
    }

    /// Invocations per workgroup (the shader's `@workgroup_size`).
    pub fn workgroup_size(self) -> u64 {
        if self.is_tiled() { 256 } else { 64 }
    }

    /// The kernel's name, which is also its file name without `.wgsl` and its wgpu label.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Conv2dForward => "conv2d_forward",
            Kernel::Conv2dBackwardInput => "conv2d_backward_input",
            Kernel::Conv2dBackwardWeight => "conv2d_backward_weight",
            Kernel::Conv2dReduceWeight => "conv2d_reduce_weight",
            Kernel::MaxPool2dForward => "maxpool2d_forward",
            Kernel::MaxPool2dBackward => "maxpool2d_backward",
            Kernel::ReluForward => "relu_forward",
            Kernel::ReluBackward => "relu_backward",
            Kernel::LinearForward => "linear_forward",
            Kernel::LinearBackwardInput => "linear_backward_input",
            Kernel::LinearBackwardWeight => "linear_backward_weight",
            Kernel::SoftmaxCrossEntropy => "softmax_cross_entropy",
            Kernel::Adam => "adam",
            Kernel::Conv2dForwardTiled => "conv2d_forward_tiled",
            Kernel::Conv2dBackwardInputTiled => "conv2d_backward_input_tiled",
            Kernel::Conv2dBackwardWeightTiled => "conv2d_backward_weight_tiled",
            Kernel::LinearForwardTiled => "linear_forward_tiled",
            Kernel::LinearBackwardInputTiled => "linear_backward_input_tiled",
            Kernel::LinearBackwardWeightTiled => "linear_backward_weight_tiled",
        }
    }

    /// The WGSL source, embedded at compile time.
    pub fn source(self) -> &'static str {
        match self {
            Kernel::Conv2dForward => shader!("conv2d_forward.wgsl"),
            Kernel::Conv2dBackwardInput => shader!("conv2d_backward_input.wgsl"),
            Kernel::Conv2dBackwardWeight => shader!("conv2d_backward_weight.wgsl"),
            Kernel::Conv2dReduceWeight => shader!("conv2d_reduce_weight.wgsl"),
            Kernel::MaxPool2dForward => shader!("maxpool2d_forward.wgsl"),
            Kernel::MaxPool2dBackward => shader!("maxpool2d_backward.wgsl"),
            Kernel::ReluForward => shader!("relu_forward.wgsl"),
            Kernel::ReluBackward => shader!("relu_backward.wgsl"),
            Kernel::LinearForward => shader!("linear_forward.wgsl"),
            Kernel::LinearBackwardInput => shader!("linear_backward_input.wgsl"),
            Kernel::LinearBackwardWeight => shader!("linear_backward_weight.wgsl"),
            Kernel::SoftmaxCrossEntropy => shader!("softmax_cross_entropy.wgsl"),
            Kernel::Adam => shader!("adam.wgsl"),
            Kernel::Conv2dForwardTiled => shader!("conv2d_forward_tiled.wgsl"),
            Kernel::Conv2dBackwardInputTiled => shader!("conv2d_backward_input_tiled.wgsl"),
            Kernel::Conv2dBackwardWeightTiled => shader!("conv2d_backward_weight_tiled.wgsl"),
            Kernel::LinearForwardTiled => shader!("linear_forward_tiled.wgsl"),
            Kernel::LinearBackwardInputTiled => shader!("linear_backward_input_tiled.wgsl"),
            Kernel::LinearBackwardWeightTiled => shader!("linear_backward_weight_tiled.wgsl"),
        }
    }

    /// Size in bytes of the Rust mirror of the shader's `Params` struct.
    pub fn params_size(self) -> usize {
        use std::mem::size_of;
        match self {
            Kernel::Conv2dForward
            | Kernel::Conv2dBackwardInput
            | Kernel::Conv2dForwardTiled
            | Kernel::Conv2dBackwardInputTiled => size_of::<params::Conv2d>(),
            Kernel::Conv2dBackwardWeight | Kernel::Conv2dBackwardWeightTiled => size_of::<params::Conv2dWeight>(),
            Kernel::Conv2dReduceWeight => size_of::<params::Reduce>(),
            Kernel::MaxPool2dForward | Kernel::MaxPool2dBackward => size_of::<params::Pool2d>(),
            Kernel::ReluForward | Kernel::ReluBackward => size_of::<params::Elementwise>(),
            Kernel::LinearForward
            | Kernel::LinearBackwardInput
            | Kernel::LinearBackwardWeight
            | Kernel::LinearForwardTiled
            | Kernel::LinearBackwardInputTiled
            | Kernel::LinearBackwardWeightTiled => size_of::<params::Linear>(),
            Kernel::SoftmaxCrossEntropy => size_of::<params::CrossEntropy>(),
            Kernel::Adam => size_of::<params::Adam>(),
        }
    }
}
