//! Filling a tensor's texel mirror (`tensor::Texels`), the pass a kernel that gathers its input
//! from textures runs first (shaders/texels_from_vec4.wgsl).

use crate::{Bound, Dispatch, Gpu, GpuError, Kernel, Kernels, Result, Tensor, Work, params};
use tensor::Texels;

impl Kernels {
    /// A dispatch that copies `x` into `mirror` (made for `x.len()` values).
    pub fn texels_from(&self, gpu: &Gpu, x: &Tensor, mirror: &Texels) -> Result<Dispatch> {
        if mirror.len != x.len() {
            let why = format!("{} holds {} values, the mirror {}", x.label, x.len(), mirror.len);
            return Err(GpuError::shape("texels_from_vec4", why));
        }
        let vec4s = x.len().div_ceil(4);
        let work = Work { invocations: vec4s as u64, serial: 1, outputs: x.len() as u64, flops: 0 };
        let p = params::Elementwise { len: vec4s as u32, _pad: [0; 3] };
        let bound = vec![Bound::tensor("src", x), Bound::texels("texels", mirror)];
        self.dispatch_bound(gpu, Kernel::TexelsFromVec4, &p, bound, work)
    }
}
