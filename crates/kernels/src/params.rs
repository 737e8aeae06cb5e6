//! Parameter blocks, each mirroring a WGSL `struct Params` field for field (a test compares
//! their sizes with what naga computes from the shaders).

use bytemuck::{Pod, Zeroable};

/// conv2d_forward and conv2d_backward_input; `flag` is `relu` for the forward and
/// `accumulate` for the input gradient.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Conv2d {
    pub batch: u32,
    pub c_in: u32,
    pub h: u32,
    pub w: u32,
    pub c_out: u32,
    pub out_h: u32,
    pub out_w: u32,
    pub kh: u32,
    pub kw: u32,
    pub stride: u32,
    pub pad: u32,
    pub flag: u32,
}

/// conv2d_backward_weight (split-K partial sums).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Conv2dWeight {
    pub conv: Conv2d,
    pub splits: u32,
    pub _pad: [u32; 3],
}

/// conv2d_reduce_weight.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Reduce {
    pub c_out: u32,
    pub k_len: u32,
    pub splits: u32,
    pub accumulate: u32,
}

/// maxpool2d_forward and maxpool2d_backward (`relu_mask` only read by the backward).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Pool2d {
    pub planes: u32,
    pub h: u32,
    pub w: u32,
    pub out_h: u32,
    pub out_w: u32,
    pub window: u32,
    pub stride: u32,
    pub relu_mask: u32,
}

/// relu_forward and relu_backward.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Elementwise {
    pub len: u32,
    pub _pad: [u32; 3],
}

/// linear_forward (`flag` = relu), linear_backward_input and linear_backward_weight (`flag` = accumulate).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Linear {
    pub batch: u32,
    pub inputs: u32,
    pub outputs: u32,
    pub flag: u32,
}

/// softmax_cross_entropy.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct CrossEntropy {
    pub batch: u32,
    pub classes: u32,
    pub slot: u32,
    pub accumulate: u32,
    pub weight: f32,
    pub _pad: [u32; 3],
}

/// adam.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct Adam {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub bias1: f32,
    pub bias2_sqrt: f32,
    pub one_minus_beta1: f32,
    pub one_minus_beta2: f32,
}
