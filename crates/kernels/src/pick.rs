//! What runs one matrix-product pass: a [`Variant`] and, where its kernel offers several, a
//! register block — what the tuner measures and a run records (`blocked`, `blocked 4x4`).

use crate::Variant;

/// A variant, and the register block its kernel runs in (None: the kernel's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pick {
    pub variant: Variant,
    pub block: Option<(u32, u32)>,
}

impl From<Variant> for Pick {
    fn from(variant: Variant) -> Pick {
        Pick { variant, block: None }
    }
}

impl Pick {
    /// `blocked`, or `blocked 4x4` with a block.
    pub fn name(self) -> String {
        match self.block {
            None => self.variant.name().to_string(),
            Some((r, c)) => format!("{} {r}x{c}", self.variant.name()),
        }
    }

    /// Reads [`Pick::name`]'s form back (a plain variant name too, as older runs recorded).
    pub fn from_name(name: &str) -> Option<Pick> {
        let (variant, block) = match name.split_once(' ') {
            None => (name, None),
            Some((v, b)) => {
                let (r, c) = b.split_once('x')?;
                (v, Some((r.parse().ok()?, c.parse().ok()?)))
            }
        };
        Some(Pick { variant: Variant::from_name(variant)?, block })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for pick in [Pick::from(Variant::Tiled), Pick { variant: Variant::Blocked, block: Some((4, 8)) }] {
            assert_eq!(Pick::from_name(&pick.name()), Some(pick));
        }
        assert_eq!(Pick::from_name("blocked 4x"), None);
        assert_eq!(Pick::from_name("fast"), None);
    }
}
