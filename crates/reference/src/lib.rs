//! The CPU reference for every operation twinhead runs on the GPU.
//!
//! Plain, readable loops, forward and backward, generic over `f32` and `f64` so that the
//! backward passes can be checked against finite differences in `f64` and the GPU kernels
//! against these loops. It depends on nothing of ours; it is the ground truth the rest is
//! measured against, so clarity wins over speed everywhere in it.
//!
//! Layouts are PyTorch's: activations `[N, C, H, W]`, conv weights `[C_out, C_in, KH, KW]`,
//! linear weights `[out, in]`, all row-major.

mod adam;
mod conv;
mod linear;
mod loss;
mod pool;
mod relu;

pub use adam::{Adam, AdamState};
pub use conv::{Conv2dShape, conv2d_backward_input, conv2d_backward_weight, conv2d_forward};
pub use linear::{LinearShape, linear_backward_input, linear_backward_weight, linear_forward};
pub use loss::{CrossEntropy, softmax_cross_entropy};
pub use pool::{Pool2dShape, maxpool2d_backward, maxpool2d_forward};
pub use relu::{relu_backward, relu_forward};

/// The element types the reference runs in.
pub trait Real: num_traits::Float + std::iter::Sum + std::fmt::Debug + Default + 'static {
    fn from_f64(v: f64) -> Self;
}
impl Real for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
impl Real for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
}
