//! Kernels that gather their first inputs from texel mirrors (`tensor::Texels`), filled by
//! copies just before them.

use crate::params::ParamsBlock;
use crate::{Bound, Dispatch, Gpu, Kernel, Kernels, Launch, Result, Tensor, Work};
use tensor::Texels;

impl Kernel {
    /// The kernel that computes what this one does with its first inputs gathered from texel
    /// mirrors, if there is one (the conv kernels mirror binding 1; the shared layer's three
    /// passes bindings 1 and 2, both of their operands).
    pub fn texel_reader(self) -> Option<Kernel> {
        match self {
            Kernel::Conv2dForwardPoolSubgroup => Some(Kernel::Conv2dForwardPoolTexels),
            Kernel::Conv2dForwardPoolSubgroup1x16 => Some(Kernel::Conv2dForwardPoolTexels1x16),
            Kernel::Conv2dBackwardWeightSubgroup => Some(Kernel::Conv2dBackwardWeightSubgroupTexels),
            Kernel::Conv2dBackwardWeightRowsSubgroup => Some(Kernel::Conv2dBackwardWeightRowsTexels),
            Kernel::Conv2dBackwardInputRowsSubgroup => Some(Kernel::Conv2dBackwardInputRowsTexels),
            Kernel::Conv2dBackwardInputRowsSubgroup4x16 => Some(Kernel::Conv2dBackwardInputRowsTexels4x16),
            Kernel::LinearForwardSubgroup => Some(Kernel::LinearForwardTexels),
            Kernel::LinearForwardSubgroup32x4 => Some(Kernel::LinearForwardTexels32x4),
            Kernel::LinearBackwardInputSubgroup => Some(Kernel::LinearBackwardInputTexels),
            Kernel::LinearBackwardInputSubgroup32x4 => Some(Kernel::LinearBackwardInputTexels32x4),
            Kernel::LinearBackwardWeightSubgroup => Some(Kernel::LinearBackwardWeightTexels),
            Kernel::LinearBackwardWeightSubgroup32x4 => Some(Kernel::LinearBackwardWeightTexels32x4),
            _ => None,
        }
    }

    /// Whether this texel reader reads its mirrors only as vec4s at multiples of 4 (the
    /// shared layer's rows, Adam's, the conv passes' rows of x or dy and of weights), so that
    /// they can be rgba32float: one fetch per vec4 where an r32float mirror takes four
    /// (`tensor::Texels::new_vec4`).
    pub fn reads_vec4_texels(self) -> bool {
        matches!(
            self,
            Kernel::Conv2dForwardPoolTexels
                | Kernel::Conv2dForwardPoolTexels1x16
                | Kernel::Conv2dBackwardInputRowsTexels
                | Kernel::Conv2dBackwardInputRowsTexels4x16
                | Kernel::LinearForwardTexels
                | Kernel::LinearForwardTexels32x4
                | Kernel::LinearBackwardInputTexels
                | Kernel::LinearBackwardInputTexels32x4
                | Kernel::LinearBackwardWeightTexels
                | Kernel::LinearBackwardWeightTexels32x4
                | Kernel::AdamTexels
        )
    }
}

/// A mirror of `t` for `reader`: rgba32float where it reads only vec4s, else r32float.
pub(crate) fn mirror_for(gpu: &Gpu, reader: Kernel, t: &Tensor) -> Result<Texels> {
    let label = format!("{} texels", t.label);
    if reader.reads_vec4_texels() { Texels::new_vec4(gpu, &label, t.len()) } else { Texels::new(gpu, &label, t.len()) }
}

impl Kernels {
    /// `launch` with the `mirrored` inputs bound first (bindings 1, 2, …) and `rest` after them;
    /// where `texels` asks for it, the kernel has a texel reader and the adapter's textures hold
    /// every mirrored input, that reader instead, after copies that fill their mirrors (the
    /// dispatch keeps the mirrors). A reader gathers from a mirror each input the caller names
    /// here, in this order.
    #[allow(clippy::too_many_arguments)] // a dispatch's own arguments, and which reader
    pub(crate) fn dispatch_reading<P: ParamsBlock>(
        &self,
        gpu: &Gpu,
        launch: Launch,
        texels: bool,
        params: &P,
        mirrored: &[(&str, &Tensor)],
        rest: &[(&str, &Tensor)],
        work: Work,
    ) -> Result<Vec<Dispatch>> {
        let rest = rest.iter().map(|&(name, t)| Bound::tensor(name, t));
        let fits = mirrored.iter().all(|(_, t)| Texels::fits(gpu, t.len()));
        let reader = launch.kernel.texel_reader().filter(|_| texels && fits);
        let Some(reader) = reader else {
            let bound = mirrored.iter().map(|&(name, t)| Bound::tensor(name, t)).chain(rest).collect();
            return Ok(vec![self.dispatch_bound(gpu, launch, params, bound, work)?]);
        };
        let mirrors: Vec<Texels> = mirrored.iter().map(|(_, t)| mirror_for(gpu, reader, t)).collect::<Result<_>>()?;
        let bound = mirrored.iter().zip(&mirrors).map(|(&(name, _), m)| Bound::texels(name, m)).chain(rest).collect();
        let mut d = self.dispatch_bound(gpu, Launch::at(reader, Some(launch.workgroup)), params, bound, work)?;
        for (&(_, t), mirror) in mirrored.iter().zip(&mirrors) {
            d.keep(&mirror.texture);
            d.copy_first(mirror.copy_from(t)?);
        }
        Ok(vec![d])
    }
}
