//! The augmentations applied: one image at a time, with its own random stream.

use anyhow::{Result, bail};
use model::IGNORE;
use rand::{Rng, SeedableRng, rngs::StdRng};

use super::Augment;
use super::colour::{blacken, colorize, grey, jitter_colour, transfer};
use super::geometry::{mirror, random_crop};
use crate::data::Dataset;
use crate::data::colours::{ColourHead, Needs};

/// What the augmentation needs to know about the labels.
pub struct Augmenter {
    pub options: Augment,
    /// The data's colour head, when it has one: what the colour-moving augmentations act on.
    colour: Option<ColourHead>,
}

impl Augmenter {
    /// The augmentations of `options` for this data, refusing those its colour head cannot take.
    pub fn new(options: &Augment, data: &Dataset) -> Result<Self> {
        let colour = ColourHead::of(&data.heads);
        let heads: Vec<String> = data.heads.iter().map(|h| format!("{} ({})", h.name, h.classes.join(", "))).collect();
        let has = format!("this data's heads are {}", heads.join("; "));
        let lacks = |need: fn(&ColourHead) -> bool| colour.as_ref().is_none_or(|c| !need(c));
        let refusals = [
            ("swap-red-blue", options.swap_red_blue, lacks(|c| c.red_blue.is_some()), Needs::RedAndBlue),
            ("grey", options.grey, colour.is_none(), Needs::Head),
            ("blacken", options.blacken, lacks(|c| c.black.is_some()), Needs::Black),
            ("colorize", options.colorize, lacks(|c| c.black.is_some() && !c.tints.is_empty()), Needs::BlackAndATint),
            ("recolor", options.recolor, lacks(|c| !c.tints.is_empty()), Needs::ATint),
        ];
        for (name, p, lacking, needs) in refusals {
            if p > 0.0 && lacking {
                let why = if name == "grey" { " (its loss is masked on grey images)" } else { "" };
                bail!("--{name} needs {}{why}; {has}", needs.describe());
            }
        }
        for (name, p) in options.probabilities() {
            if !(0.0..=1.0).contains(&p) {
                bail!("--{name} is a probability between 0 and 1, not {p}");
            }
        }
        Ok(Augmenter { options: options.clone(), colour })
    }

    pub fn is_active(&self) -> bool {
        let o = &self.options;
        o.probabilities().iter().any(|&(_, p)| p > 0.0) || o.flip
    }

    /// The random stream of one step: fixed by the run's seed, the epoch and the step, so a
    /// resumed run augments exactly as an uninterrupted one.
    pub fn rng(seed: u64, epoch: usize, step: usize) -> StdRng {
        StdRng::seed_from_u64(seed ^ 0xA5A5_5A5A_D00D_F00D ^ ((epoch as u64) << 32) ^ step as u64)
    }

    /// Transforms a batch in place with one random stream: `pixels` is `[n, 3, S, S]` in
    /// [0, 1], `labels[h][i]`.
    pub fn apply(&self, size: usize, pixels: &mut [f32], labels: &mut [Vec<u32>], rng: &mut StdRng) {
        for (i, img) in pixels.chunks_mut(3 * size * size).enumerate() {
            let mut own: Vec<u32> = labels.iter().map(|l| l[i]).collect();
            self.apply_image(size, img, &mut own, rng);
            for (l, v) in labels.iter_mut().zip(own) {
                l[i] = v;
            }
        }
    }

    /// The random stream of image `i` of a step: fixed by the run's seed, the epoch, the step
    /// and the image's place in the batch, so that the images of a batch can be augmented on any
    /// number of threads and a resumed run augments exactly as an uninterrupted one.
    pub fn image_rng(seed: u64, epoch: usize, step: usize, i: usize) -> StdRng {
        // splitmix64 over the four numbers: nearby steps and images get unrelated streams.
        let mut x = seed ^ 0xA5A5_5A5A_D00D_F00D;
        for v in [epoch as u64, step as u64, i as u64] {
            x = (x ^ v).wrapping_add(0x9E37_79B9_7F4A_7C15);
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^= x >> 31;
        }
        StdRng::seed_from_u64(x)
    }

    /// Transforms one image `[3, S, S]` in [0, 1] in place, and its label per head.
    pub fn apply_image(&self, size: usize, img: &mut [f32], labels: &mut [u32], rng: &mut StdRng) {
        let plane = size * size;
        if rng.random::<f32>() < self.options.crop {
            random_crop(size, img, &mut Vec::new(), rng);
        }
        if let Some(colour) = &self.colour {
            let (r, rest) = img.split_at_mut(plane);
            let (g, b) = rest.split_at_mut(plane);
            self.move_colour(colour, [r, g, b], &mut labels[colour.head], rng);
        }
        if self.options.flip && rng.random::<bool>() {
            mirror(size, img);
        }
    }

    /// The colour-moving augmentations of one image's planes and its colour label, in a fixed
    /// order (each draws from `rng` only as before, so that a run's random stream is stable).
    fn move_colour(&self, colour: &ColourHead, [r, g, b]: [&mut [f32]; 3], label: &mut u32, rng: &mut StdRng) {
        let o = &self.options;
        // Drawn only when on, so that runs without it keep their random streams.
        if colour.is_black(*label) && o.colorize > 0.0 && rng.random::<f32>() < o.colorize {
            let (class, tint) = colour.tints[rng.random_range(0..colour.tints.len())];
            colorize([r, g, b], tint, rng);
            *label = class;
        }
        // Coloured garments only: black ones are --colorize's (both would colour ¾ of them).
        let own = *label;
        if let Some(from) = colour.tint_of(own).filter(|_| o.recolor > 0.0)
            && rng.random::<f32>() < o.recolor
        {
            let others: Vec<&(u32, [f32; 3])> = colour.tints.iter().filter(|t| t.0 != own).collect();
            if !others.is_empty() {
                let &(class, to) = others[rng.random_range(0..others.len())];
                transfer([r, g, b], from, to, rng);
                *label = class;
            }
        }
        if rng.random::<f32>() < o.swap_red_blue {
            r.swap_with_slice(b);
            *label = colour.swapped(*label);
        }
        if rng.random::<f32>() < o.grey {
            grey([r, g, b]);
            *label = IGNORE;
        }
        if let Some(black) = colour.black.filter(|_| rng.random::<f32>() < o.blacken) {
            blacken([r, g, b]);
            *label = black;
        }
        if rng.random::<f32>() < o.jitter {
            jitter_colour([r, g, b], colour.is_black(*label), rng);
        }
    }
}
