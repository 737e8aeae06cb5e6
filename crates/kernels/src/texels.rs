//! Filling a tensor's texel mirror (`tensor::Texels`), the pass a kernel that gathers its input
//! from textures runs first (shaders/texels_from_vec4.wgsl).

use crate::params::ParamsBlock;
use crate::{Bound, Dispatch, Gpu, GpuError, Kernel, Kernels, Launch, Result, Tensor, Work, params};
use tensor::Texels;

impl Kernel {
    /// The kernel that computes what this one does with its first input (binding 1) gathered
    /// from a texel mirror, if there is one.
    pub fn texel_reader(self) -> Option<Kernel> {
        match self {
            Kernel::Conv2dForwardPoolSubgroup => Some(Kernel::Conv2dForwardPoolTexels),
            Kernel::Conv2dForwardPoolSubgroup1x16 => Some(Kernel::Conv2dForwardPoolTexels1x16),
            Kernel::Conv2dBackwardWeightRowsSubgroup => Some(Kernel::Conv2dBackwardWeightRowsTexels),
            Kernel::Conv2dBackwardInputRowsSubgroup => Some(Kernel::Conv2dBackwardInputRowsTexels),
            Kernel::Conv2dBackwardInputRowsSubgroup4x16 => Some(Kernel::Conv2dBackwardInputRowsTexels4x16),
            _ => None,
        }
    }
}

impl Kernels {
    /// `launch` with `first` bound first (binding 1) and `rest` after it; where `texels` asks for
    /// it, the kernel has a texel reader and the adapter's textures hold `first`, that reader
    /// instead, after a pass that fills `first`'s mirror (the op keeps the mirror).
    #[allow(clippy::too_many_arguments)] // a dispatch's own arguments, and which reader
    pub(crate) fn dispatch_reading<P: ParamsBlock>(
        &self,
        gpu: &Gpu,
        launch: Launch,
        texels: bool,
        params: &P,
        first: (&str, &Tensor),
        rest: &[(&str, &Tensor)],
        work: Work,
    ) -> Result<Vec<Dispatch>> {
        let (name, x) = first;
        let rest = rest.iter().map(|&(name, t)| Bound::tensor(name, t));
        let reader = launch.kernel.texel_reader().filter(|_| texels && Texels::fits(gpu, x.len()));
        let Some(reader) = reader else {
            let bound = std::iter::once(Bound::tensor(name, x)).chain(rest).collect();
            return Ok(vec![self.dispatch_bound(gpu, launch, params, bound, work)?]);
        };
        let mirror = Texels::new(gpu, &format!("{} texels", x.label), x.len())?;
        let fill = self.texels_from(gpu, x, &mirror)?;
        let bound = std::iter::once(Bound::texels(name, &mirror)).chain(rest).collect();
        let mut d = self.dispatch_bound(gpu, Launch::at(reader, Some(launch.workgroup)), params, bound, work)?;
        d.keep(&mirror.texture);
        Ok(vec![fill, d])
    }

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
