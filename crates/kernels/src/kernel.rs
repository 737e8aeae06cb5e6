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
}

macro_rules! shader {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/", $file))
    };
}

impl Kernel {
    pub const ALL: [Kernel; 13] = [
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
    ];

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
        }
    }

    /// Size in bytes of the Rust mirror of the shader's `Params` struct.
    pub fn params_size(self) -> usize {
        use std::mem::size_of;
        match self {
            Kernel::Conv2dForward | Kernel::Conv2dBackwardInput => size_of::<params::Conv2d>(),
            Kernel::Conv2dBackwardWeight => size_of::<params::Conv2dWeight>(),
            Kernel::Conv2dReduceWeight => size_of::<params::Reduce>(),
            Kernel::MaxPool2dForward | Kernel::MaxPool2dBackward => size_of::<params::Pool2d>(),
            Kernel::ReluForward | Kernel::ReluBackward => size_of::<params::Elementwise>(),
            Kernel::LinearForward | Kernel::LinearBackwardInput | Kernel::LinearBackwardWeight => {
                size_of::<params::Linear>()
            }
            Kernel::SoftmaxCrossEntropy => size_of::<params::CrossEntropy>(),
            Kernel::Adam => size_of::<params::Adam>(),
        }
    }
}
