//! Parameter blocks, each mirroring one WGSL `struct Params` field for field. Every block
//! lists its fields with their byte offsets ([`ParamsBlock::FIELDS`]), and a test reads every
//! shader with naga and compares its `Params` member names, offsets and size with that list.
//! Fields whose name starts with `_` are padding to a multiple of 16 bytes (uniform layout) and
//! are not compared by name.

use bytemuck::{Pod, Zeroable};

/// A parameter block: a `#[repr(C)]` struct whose bytes are a shader's uniform `Params`.
pub trait ParamsBlock: Pod {
    /// Every field and its byte offset, in declaration order (the `_pad` array left out; fields
    /// named `_…` are padding the shader test does not compare by name).
    const FIELDS: &'static [(&'static str, usize)];
}

/// The layout a kernel declares for its parameter block: what the shader test checks.
#[derive(Clone, Copy, Debug)]
pub struct ParamsLayout {
    pub type_name: &'static str,
    pub size: usize,
    pub fields: &'static [(&'static str, usize)],
}

impl ParamsLayout {
    pub const fn of<P: ParamsBlock>(type_name: &'static str) -> Self {
        ParamsLayout { type_name, size: std::mem::size_of::<P>(), fields: P::FIELDS }
    }
}

/// Declares a parameter block: the struct, and its field list with offsets.
macro_rules! params_block {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),* $(,)? } $(pad $pad:literal)?) => {
        $(#[$doc])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Pod, Zeroable)]
        pub struct $name {
            $(pub $field: $ty,)*
            $(pub _pad: [u32; $pad],)?
        }
        impl ParamsBlock for $name {
            const FIELDS: &'static [(&'static str, usize)] =
                &[$((stringify!($field), std::mem::offset_of!($name, $field)),)*];
        }
    };
}

params_block! {
    /// conv2d_forward: the convolution's shape, whether ReLU follows and (the fused pool's)
    /// whether where each maximum came from is written: the backward's need, which inference
    /// turns off ([`crate::Op::keep_argmax`]).
    Conv2dForward {
        batch: u32, c_in: u32, h: u32, w: u32, c_out: u32, out_h: u32, out_w: u32, kh: u32,
        kw: u32, stride: u32, pad: u32, relu: u32, argmax: u32,
    } pad 3
}

params_block! {
    /// conv2d_backward_input: the convolution's shape and whether dx is added to.
    Conv2dBackwardInput {
        batch: u32, c_in: u32, h: u32, w: u32, c_out: u32, out_h: u32, out_w: u32, kh: u32,
        kw: u32, stride: u32, pad: u32, accumulate: u32,
    }
}

params_block! {
    /// conv2d_backward_weight (split-K partial sums): `splits` chunks of `chunk` output pixels.
    Conv2dBackwardWeight {
        batch: u32, c_in: u32, h: u32, w: u32, c_out: u32, out_h: u32, out_w: u32, kh: u32,
        kw: u32, stride: u32, pad: u32, chunk: u32, splits: u32,
    } pad 3
}

params_block! {
    /// conv2d_reduce_weight: sums `splits` partial weight gradients of `c_out × (k_len + 1)`.
    Reduce { c_out: u32, k_len: u32, splits: u32, accumulate: u32 }
}

params_block! {
    /// maxpool2d_forward.
    Pool2dForward { planes: u32, h: u32, w: u32, out_h: u32, out_w: u32, window: u32, stride: u32 } pad 1
}

params_block! {
    /// maxpool2d_backward; `relu_mask` fuses ReLU's backward.
    Pool2dBackward {
        planes: u32, h: u32, w: u32, out_h: u32, out_w: u32, window: u32, stride: u32, relu_mask: u32,
    }
}

params_block! {
    /// relu_forward and relu_backward.
    Elementwise { len: u32 } pad 3
}

params_block! {
    /// linear_forward; with `splits` > 1 each split of `chunk` inputs writes raw partial sums.
    LinearForward { batch: u32, inputs: u32, outputs: u32, relu: u32, chunk: u32, splits: u32 } pad 2
}

params_block! {
    /// linear_reduce: the end of a split-K linear_forward.
    LinearReduce { batch: u32, outputs: u32, splits: u32, relu: u32 }
}

/// The most convolutions one conv2d_reduce_weights pass finishes.
pub const MAX_REDUCE_SEGMENTS: usize = 4;

params_block! {
    /// conv2d_reduce_weights: `table[g]` = (partial offset, C_out, K + 1, splits, weight
    /// offset, bias offset, first workgroup, accumulate) of segment g; offsets in f32s; `groups`
    /// the workgroups of all segments.
    ReduceWeights { segments: u32, groups: u32, _pad0: u32, _pad1: u32, table: [[u32; 8]; MAX_REDUCE_SEGMENTS] }
}

params_block! {
    /// linear_backward_input and linear_backward_weight.
    LinearBackward { batch: u32, inputs: u32, outputs: u32, accumulate: u32 }
}

params_block! {
    /// softmax_cross_entropy over every head at once: `table[h]` = (first column, classes,
    /// bits of the loss weight as f32, unused) of head h, for up to [`MAX_HEADS`] heads.
    CrossEntropy {
        batch: u32, stride: u32, heads: u32, slot: u32, accumulate: u32, _pad0: u32, _pad1: u32, _pad2: u32,
        table: [[u32; 4]; MAX_HEADS],
    }
}

/// The most classification heads one cross-entropy pass takes (its parameter table's length).
pub const MAX_HEADS: usize = 16;

params_block! {
    /// linear_backward_input_narrow; `relu_mask` fuses the backward of the ReLU that made x.
    LinearBackwardNarrow { batch: u32, inputs: u32, outputs: u32, accumulate: u32, relu_mask: u32 } pad 3
}

params_block! {
    /// adam: the step's hyper-parameters with its bias corrections (computed in f64 on the host).
    /// `average_rate` > 0: the moving average of the parameters follows with that rate.
    Adam {
        lr: f32, beta1: f32, beta2: f32, eps: f32,
        bias1: f32, bias2_sqrt: f32, one_minus_beta1: f32, one_minus_beta2: f32,
        average_rate: f32,
    } pad 3
}
