//! What runs one matrix-product pass: a [`Variant`], where its kernel offers several a register
//! block and a workgroup size, and how wide a split pass is cut — what the tuner measures and a
//! run records (`blocked`, `blocked 4x4`, `subgroup narrow`, `subgroup texels`, `subgroup wg32`).

use crate::{Kernel, KernelDesc, Splits, Variant};

/// A variant, the register block its kernel runs in (None: the kernel's own), how wide a
/// split-K pass is cut, whether a kernel that can gathers its input from a texel mirror
/// (`tensor::Texels`) instead of its storage buffer, and the workgroup size (None: the kernel's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pick {
    pub variant: Variant,
    pub block: Option<(u32, u32)>,
    pub splits: Splits,
    pub texels: bool,
    pub workgroup: Option<u32>,
}

impl From<Variant> for Pick {
    fn from(variant: Variant) -> Pick {
        Pick { variant, block: None, splits: Splits::Wide, texels: false, workgroup: None }
    }
}

impl Pick {
    /// `variant` in `block`, split wide.
    pub fn shaped(variant: Variant, block: (u32, u32)) -> Pick {
        Pick { block: Some(block), ..Pick::from(variant) }
    }

    /// `variant`'s own shapes in workgroups of `wg`.
    pub fn grouped(variant: Variant, wg: u32) -> Pick {
        Pick { workgroup: Some(wg), ..Pick::from(variant) }
    }

    /// `blocked`, `blocked 4x4`, `subgroup narrow`, `subgroup 1x16 texels wg32`: the variant, then
    /// whatever differs from its kernels' own shapes, in that order.
    pub fn name(self) -> String {
        let mut name = self.variant.name().to_string();
        if let Some((r, c)) = self.block {
            name.push_str(&format!(" {r}x{c}"));
        }
        if self.splits == Splits::Narrow {
            name.push_str(" narrow");
        }
        if self.texels {
            name.push_str(" texels");
        }
        if let Some(wg) = self.workgroup {
            name.push_str(&format!(" wg{wg}"));
        }
        name
    }

    /// Reads [`Pick::name`]'s form back (a plain variant name too, as older runs recorded).
    pub fn from_name(name: &str) -> Option<Pick> {
        let mut words = name.split(' ');
        let mut pick = Pick::from(Variant::from_name(words.next()?)?);
        for word in words {
            // Each word in its place: block, then narrow, then texels, then the workgroup size.
            let later_set = pick.workgroup.is_some();
            match word {
                _ if later_set => return None,
                "texels" if !pick.texels => pick.texels = true,
                "narrow" if pick.splits == Splits::Wide && !pick.texels => pick.splits = Splits::Narrow,
                _ if word.starts_with("wg") => pick.workgroup = Some(word[2..].parse().ok().filter(|&wg| wg > 0)?),
                _ if pick.block.is_none() && pick.splits == Splits::Wide && !pick.texels => {
                    let (r, c) = word.split_once('x')?;
                    pick.block = Some((r.parse().ok()?, c.parse().ok()?));
                }
                _ => return None,
            }
        }
        Some(pick)
    }
}

/// One kernel at one workgroup size: what a dispatch launches and a pipeline is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Launch {
    pub kernel: Kernel,
    pub workgroup: u32,
}

impl From<Kernel> for Launch {
    fn from(kernel: Kernel) -> Launch {
        Launch { kernel, workgroup: kernel.desc().workgroup_size }
    }
}

impl Launch {
    /// `kernel` in workgroups of `wg` where it runs at that size, else at its own.
    pub fn at(kernel: Kernel, wg: Option<u32>) -> Launch {
        match wg {
            Some(wg) if kernel.desc().runs_at(wg) => Launch { kernel, workgroup: wg },
            _ => Launch::from(kernel),
        }
    }

    pub fn desc(self) -> &'static KernelDesc {
        self.kernel.desc()
    }

    /// Invocations over a `rows × cols` output in this launch's workgroups.
    pub fn invocations(self, rows: usize, cols: usize) -> u64 {
        self.desc().invocations_at(rows, cols, self.workgroup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        let narrow = Pick { block: Some((4, 16)), splits: Splits::Narrow, ..Pick::from(Variant::Subgroup) };
        let grouped = Pick { workgroup: Some(128), ..narrow };
        let texels = Pick { texels: true, ..grouped };
        for pick in [Pick::from(Variant::Tiled), Pick::shaped(Variant::Blocked, (4, 8)), narrow, grouped, texels] {
            assert_eq!(Pick::from_name(&pick.name()), Some(pick));
        }
        assert_eq!(Pick::from_name("subgroup 4x16 narrow"), Some(narrow));
        assert_eq!(Pick::from_name("subgroup 4x16 narrow wg128"), Some(grouped));
        assert_eq!(Pick::from_name("subgroup 4x16 narrow texels wg128"), Some(texels));
        assert_eq!(Pick::from_name("subgroup texels narrow"), None, "narrow comes before texels");
        assert_eq!(Pick::from_name("subgroup texels texels"), None);
        assert_eq!(Pick::from_name("blocked wg32"), Some(Pick::grouped(Variant::Blocked, 32)));
        assert_eq!(Pick::from_name("blocked 4x"), None);
        assert_eq!(Pick::from_name("fast"), None);
        assert_eq!(Pick::from_name("blocked narrow 4x4"), None, "the block comes first");
        assert_eq!(Pick::from_name("blocked wg32 narrow"), None, "the workgroup size comes last");
        assert_eq!(Pick::from_name("blocked narrow narrow"), None);
        assert_eq!(Pick::from_name("blocked wg0"), None);
        assert_eq!(Pick::from_name("blocked wgx"), None);
    }

    #[test]
    fn a_launch_runs_at_a_size_its_kernel_offers_else_at_its_own() {
        let k = Kernel::for_pass(crate::Pass::ConvForward, Variant::Blocked);
        assert_eq!(Launch::at(k, Some(128)).workgroup, 128);
        assert_eq!(Launch::at(k, Some(100)).workgroup, k.desc().workgroup_size);
        assert_eq!(Launch::at(Kernel::Adam, Some(128)), Launch::from(Kernel::Adam), "Adam's size is fixed");
    }
}
