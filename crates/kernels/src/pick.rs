//! What runs one matrix-product pass: a [`Variant`], where its kernel offers several a register
//! block, and how wide a split pass is cut — what the tuner measures and a run records
//! (`blocked`, `blocked 4x4`, `subgroup narrow`).

use crate::{Splits, Variant};

/// A variant, the register block its kernel runs in (None: the kernel's own) and how wide a
/// split-K pass is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pick {
    pub variant: Variant,
    pub block: Option<(u32, u32)>,
    pub splits: Splits,
}

impl From<Variant> for Pick {
    fn from(variant: Variant) -> Pick {
        Pick { variant, block: None, splits: Splits::Wide }
    }
}

impl Pick {
    /// `variant` in `block`, split wide.
    pub fn shaped(variant: Variant, block: (u32, u32)) -> Pick {
        Pick { variant, block: Some(block), splits: Splits::Wide }
    }

    /// `blocked`, `blocked 4x4`, `subgroup narrow`, `blocked 4x4 narrow`.
    pub fn name(self) -> String {
        let mut name = self.variant.name().to_string();
        if let Some((r, c)) = self.block {
            name.push_str(&format!(" {r}x{c}"));
        }
        if self.splits == Splits::Narrow {
            name.push_str(" narrow");
        }
        name
    }

    /// Reads [`Pick::name`]'s form back (a plain variant name too, as older runs recorded).
    pub fn from_name(name: &str) -> Option<Pick> {
        let mut words = name.split(' ');
        let mut pick = Pick::from(Variant::from_name(words.next()?)?);
        for word in words {
            match word {
                "narrow" if pick.splits == Splits::Wide => pick.splits = Splits::Narrow,
                _ if pick.block.is_none() && pick.splits == Splits::Wide => {
                    let (r, c) = word.split_once('x')?;
                    pick.block = Some((r.parse().ok()?, c.parse().ok()?));
                }
                _ => return None,
            }
        }
        Some(pick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        let narrow = Pick { variant: Variant::Subgroup, block: Some((4, 16)), splits: Splits::Narrow };
        for pick in [Pick::from(Variant::Tiled), Pick::shaped(Variant::Blocked, (4, 8)), narrow] {
            assert_eq!(Pick::from_name(&pick.name()), Some(pick));
        }
        assert_eq!(Pick::from_name("subgroup 4x16 narrow"), Some(narrow));
        assert_eq!(Pick::from_name("blocked 4x"), None);
        assert_eq!(Pick::from_name("fast"), None);
        assert_eq!(Pick::from_name("blocked narrow 4x4"), None, "the block comes first");
        assert_eq!(Pick::from_name("blocked narrow narrow"), None);
    }
}
