//! The colour head as the colour-moving augmentations see it: which head names colours, and
//! which of its classes are black, red and blue or have a measured tint. The one place the
//! tutorial's head and class names are written; every other piece reads them from here.

use model::HeadSpec;

/// The head whose classes are colours (the tutorial's `<color>_<item>` folders).
pub const COLOUR_HEAD: &str = "color";

/// The colours a black garment can be tinted to: the mean colour of the garments' pixels
/// (luminance below 0.6) in the tutorial's red and blue photos, measured at 96×96; green and
/// yellow are plain guesses for other data.
const TINTS: [(&str, [f32; 3]); 4] = [
    ("red", [0.68, 0.13, 0.15]),
    ("blue", [0.20, 0.31, 0.48]),
    ("green", [0.15, 0.45, 0.20]),
    ("yellow", [0.85, 0.75, 0.15]),
];

/// The colour head of one data set.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourHead {
    /// Its place among the heads.
    pub head: usize,
    /// The class of black garments.
    pub black: Option<u32>,
    /// The red and blue classes, when it has both: what swapping the red and blue channels
    /// exchanges.
    pub red_blue: Option<(u32, u32)>,
    /// The classes with a measured tint, with their tints.
    pub tints: Vec<(u32, [f32; 3])>,
}

/// What an augmentation needs of the colour head, in words for a message.
#[derive(Clone, Copy, Debug)]
pub enum Needs {
    Head,
    RedAndBlue,
    Black,
    BlackAndATint,
    ATint,
}

impl Needs {
    pub fn describe(self) -> String {
        let tinted: Vec<&str> = TINTS.iter().map(|t| t.0).collect();
        match self {
            Needs::Head => format!("a head named {COLOUR_HEAD}"),
            Needs::RedAndBlue => format!("a head named {COLOUR_HEAD} with the classes red and blue"),
            Needs::Black => format!("a head named {COLOUR_HEAD} with the class black"),
            Needs::BlackAndATint => {
                format!("a head named {COLOUR_HEAD} with the class black and one of {}", tinted.join(", "))
            }
            Needs::ATint => format!("a head named {COLOUR_HEAD} with one of the classes {}", tinted.join(", ")),
        }
    }
}

impl ColourHead {
    /// The colour head among `heads`, if there is one.
    pub fn of(heads: &[HeadSpec]) -> Option<ColourHead> {
        let head = heads.iter().position(|h| h.name == COLOUR_HEAD)?;
        let class = |name: &str| heads[head].classes.iter().position(|c| c == name).map(|i| i as u32);
        let tints = TINTS.iter().filter_map(|&(name, rgb)| Some((class(name)?, rgb))).collect();
        Some(ColourHead { head, black: class("black"), red_blue: class("red").zip(class("blue")), tints })
    }

    /// The tint of class `label`, when it has one.
    pub fn tint_of(&self, label: u32) -> Option<[f32; 3]> {
        self.tints.iter().find(|t| t.0 == label).map(|t| t.1)
    }

    /// The label of a garment whose red and blue channels were swapped: red ↔ blue, others kept.
    pub fn swapped(&self, label: u32) -> u32 {
        match self.red_blue {
            Some((red, blue)) if label == red => blue,
            Some((red, blue)) if label == blue => red,
            _ => label,
        }
    }

    pub fn is_black(&self, label: u32) -> bool {
        self.black == Some(label)
    }
}
