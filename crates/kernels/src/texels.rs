//! Kernels that gather their first input from a texel mirror (`tensor::Texels`), filled by a
//! copy just before them.

use crate::params::ParamsBlock;
use crate::{Bound, Dispatch, Gpu, Kernel, Kernels, Launch, Result, Tensor, Work};
use tensor::Texels;

impl Kernel {
    /// The kernel that computes what this one does with its first input (binding 1) gathered
    /// from a texel mirror, if there is one.
    pub fn texel_reader(self) -> Option<Kernel> {
        match self {
            Kernel::Conv2dForwardPoolSubgroup => Some(Kernel::Conv2dForwardPoolTexels),
            Kernel::Conv2dForwardPoolSubgroup1x16 => Some(Kernel::Conv2dForwardPoolTexels1x16),
            Kernel::Conv2dBackwardWeightSubgroup => Some(Kernel::Conv2dBackwardWeightSubgroupTexels),
            Kernel::Conv2dBackwardWeightRowsSubgroup => Some(Kernel::Conv2dBackwardWeightRowsTexels),
            Kernel::Conv2dBackwardInputRowsSubgroup => Some(Kernel::Conv2dBackwardInputRowsTexels),
            Kernel::Conv2dBackwardInputRowsSubgroup4x16 => Some(Kernel::Conv2dBackwardInputRowsTexels4x16),
            Kernel::LinearBackwardWeightSubgroup => Some(Kernel::LinearBackwardWeightTexels),
            Kernel::LinearBackwardWeightSubgroup32x4 => Some(Kernel::LinearBackwardWeightTexels32x4),
            _ => None,
        }
    }
}

impl Kernels {
    /// `launch` with `first` bound first (binding 1) and `rest` after it; where `texels` asks for
    /// it, the kernel has a texel reader and the adapter's textures hold `first`, that reader
    /// instead, after a copy that fills `first`'s mirror (the dispatch keeps the mirror).
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
        let bound = std::iter::once(Bound::texels(name, &mirror)).chain(rest).collect();
        let mut d = self.dispatch_bound(gpu, Launch::at(reader, Some(launch.workgroup)), params, bound, work)?;
        d.keep(&mirror.texture);
        d.copy_first(mirror.copy_from(x)?);
        Ok(vec![d])
    }
}
