//! Label-aware augmentation of training batches, done on the CPU while the GPU runs the
//! previous step (a training step only waits for the step before it).
//!
//! Why: a two-head network should name colour/item combinations it never saw, but a head learns
//! whatever correlations the data has (every shoe in the photos is black, so "shoes" drifts
//! towards "black"). Two transformations break such links in a way whose effect on the labels
//! is known:
//! - swapping the red and blue channels turns a red garment blue and a blue one red (black stays
//!   black), so the colour label is swapped too and the item label kept;
//! - a grey copy keeps the item but hides the colour: its colour loss is masked (label IGNORE);
//! - a blackened copy (grey, then darkened by a power curve that keeps a white background white)
//!   turns any garment black: the colour label becomes black, the item label is kept. It is the
//!   only way to show the colour head black garments other than the kinds the data has in black.
//! - a colourised copy of a black garment (its dark pixels given the hue of a red or blue measured
//!   from the photos, their shading kept, white kept white) labelled with that colour: the
//!   opposite direction. An item the data has in black only (every shoe) otherwise teaches the
//!   item head that dark means that item, and the same item in a colour is called something else.
//!
//! Three label-keeping ones vary what the photos of one source share beyond colour and shape:
//! - colour jitter: less saturation, some brightness change, and for garments that are not black
//!   a paler shade (a pale blue shirt is still blue; a pale black one would be grey, so black
//!   garments are not lightened);
//! - a random crop of 70–100% of the side, scaled back to the full size (framing and scale);
//! - a mirror image, left to right.
//!
//! The crop and the mirror are in the recommended set: they give the item head back part of
//! what the colour changes cost it on the combinations the data has.

use anyhow::{Result, bail};
use model::{HeadSpec, IGNORE};
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::data::Dataset;

/// Which augmentations run, and how often (probabilities per image; 0 = off).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Augment {
    /// Swap the red and blue channels (and the labels red ↔ blue).
    pub swap_red_blue: f32,
    /// Replace the image by its grey version and mask its colour loss.
    pub grey: f32,
    /// Make the garment black (grey, then darkened) and label it black.
    #[serde(default)]
    pub blacken: f32,
    /// Colour a black garment one of the colour head's other colours (its shading kept) and
    /// label it so.
    #[serde(default)]
    pub colorize: f32,
    /// Move a coloured garment (one whose colour has a measured tint) to another of the colour
    /// head's colours that has one, and label it so: its hue is turned, its shading and texture
    /// kept — the photos' red, where swapping channels gives an orange-brown from a blue. Black
    /// garments are `colorize`'s.
    #[serde(default)]
    pub recolor: f32,
    /// Mirror left-right half of the images.
    pub flip: bool,
    /// Colour jitter that keeps the labels (saturation, brightness, paler shades).
    #[serde(default)]
    pub jitter: f32,
    /// Crop 70–100% of the side at a random place and scale it back to the full size.
    #[serde(default)]
    pub crop: f32,
}

/// When augmentation is used (`--augment`). `auto` by default: data that lacks colour × item
/// combinations gets the recommended set, so that the model names them; data with every
/// combination gets none, because there the set costs about two points of validation accuracy
/// (measured; see the README) for nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AugmentMode {
    /// None (options given one by one still apply).
    Off,
    /// The recommended set, for naming combinations the training data does not have.
    On,
    /// The recommended set when the training data leaves out some colour × item combinations
    /// (held-out ones count as left out), none when it has them all.
    #[default]
    Auto,
}

impl Augment {
    /// What closes most of the gap on combinations never seen in training, measured with the
    /// README's suite: grey copies, blackened copies, colourised black ones and recoloured ones
    /// (recolouring replaced swapping red ↔ blue, whose "red" from a blue is orange-brown). The
    /// mirrored and cropped copies keep every label: they give the item head back part of what
    /// the colour changes cost it on the data's own combinations (a 10-seed mean of 95.4% item
    /// accuracy on the whole photo set against 95.0% without them) and steady the unseen figures.
    pub fn recommended() -> Self {
        Augment { grey: 0.25, blacken: 0.2, colorize: 0.5, recolor: 0.5, crop: 0.3, flip: true, ..Default::default() }
    }

    /// Resolves `mode` for a data set with these heads whose training part has the combinations
    /// `trained_on`; says why in words. `Auto` leaves out what the class names do not allow
    /// (no swap without red and blue, no blackening without black).
    pub fn for_data(mode: AugmentMode, trained_on: &[String], heads: &[HeadSpec]) -> (Self, String) {
        let grid: usize = heads.iter().map(|h| h.classes.len()).product();
        match mode {
            AugmentMode::Off if trained_on.len() < grid => (
                Augment::default(),
                format!(
                    "the training data has {} of the {grid} combinations; --augment on teaches the heads to name \
                     the others",
                    trained_on.len()
                ),
            ),
            AugmentMode::Off => (Augment::default(), "--augment on or auto to turn it on".into()),
            AugmentMode::On => (Augment::recommended(), "--augment on".into()),
            AugmentMode::Auto if trained_on.len() < grid => (
                Augment::recommended().within(heads),
                format!(
                    "the training data has {} of the {grid} combinations, so the heads must learn to name the others; \
                     --augment off trains without",
                    trained_on.len()
                ),
            ),
            AugmentMode::Auto => (Augment::default(), format!("the training data has all {grid} combinations")),
        }
    }

    /// Without the parts the heads' class names do not allow.
    fn within(mut self, heads: &[HeadSpec]) -> Self {
        let colour = heads.iter().find(|h| h.name == "color");
        let has = |class: &str| colour.is_some_and(|h| h.classes.iter().any(|c| c == class));
        if !(has("red") && has("blue")) {
            self.swap_red_blue = 0.0;
        }
        if colour.is_none() {
            self.grey = 0.0;
        }
        if !has("black") {
            self.blacken = 0.0;
            self.colorize = 0.0;
        }
        if !TINTS.iter().any(|(name, _)| has(name)) {
            self.colorize = 0.0;
            self.recolor = 0.0;
        }
        self
    }

    /// Every probability option with its command-line name (without the dashes), in one place so
    /// that checking and describing them cannot miss one.
    pub fn probabilities(&self) -> [(&'static str, f32); 7] {
        [
            ("swap-red-blue", self.swap_red_blue),
            ("grey", self.grey),
            ("blacken", self.blacken),
            ("colorize", self.colorize),
            ("recolor", self.recolor),
            ("jitter", self.jitter),
            ("crop", self.crop),
        ]
    }

    /// The options in words, as on the command line.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, p) in self.probabilities() {
            if p > 0.0 {
                parts.push(format!("{name} {p}"));
            }
        }
        if self.flip {
            parts.push("flip".into());
        }
        if parts.is_empty() { "none".into() } else { parts.join(", ") }
    }
}

/// The colours a black garment can be tinted to: the mean colour of the garments' pixels
/// (luminance below 0.6) in the tutorial's red and blue photos, measured at 96×96; green and
/// yellow are plain guesses for other data.
const TINTS: [(&str, [f32; 3]); 4] = [
    ("red", [0.68, 0.13, 0.15]),
    ("blue", [0.20, 0.31, 0.48]),
    ("green", [0.15, 0.45, 0.20]),
    ("yellow", [0.85, 0.75, 0.15]),
];

/// What the augmentation needs to know about the labels.
pub struct Augmenter {
    pub options: Augment,
    /// Index of the colour head, and of the red and blue classes in it.
    colour: Option<(usize, u32, u32)>,
    /// Index of the black class of the colour head.
    black: Option<u32>,
    /// The colour head's classes a black garment can be tinted to, with their tints.
    tints: Vec<(u32, [f32; 3])>,
}

impl Augmenter {
    pub fn new(options: &Augment, data: &Dataset) -> Result<Self> {
        let colour = data.heads.iter().position(|h| h.name == "color").and_then(|h| {
            let class = |name: &str| data.heads[h].classes.iter().position(|c| c == name).map(|i| i as u32);
            Some((h, class("red")?, class("blue")?))
        });
        let head_only = data.heads.iter().position(|h| h.name == "color");
        let heads: Vec<String> = data.heads.iter().map(|h| format!("{} ({})", h.name, h.classes.join(", "))).collect();
        let has = format!("this data's heads are {}", heads.join("; "));
        if options.swap_red_blue > 0.0 && colour.is_none() {
            bail!("--swap-red-blue needs a head named color with the classes red and blue; {has}");
        }
        if options.grey > 0.0 && head_only.is_none() {
            bail!("--grey needs a head named color (its loss is masked on grey images); {has}");
        }
        let black = head_only.and_then(|h| data.heads[h].classes.iter().position(|c| c == "black")).map(|i| i as u32);
        if options.blacken > 0.0 && black.is_none() {
            bail!("--blacken needs a head named color with the class black; {has}");
        }
        let tints: Vec<(u32, [f32; 3])> = head_only
            .map(|h| {
                let class = |name: &str| data.heads[h].classes.iter().position(|c| c == name).map(|i| i as u32);
                TINTS.iter().filter_map(|&(name, rgb)| Some((class(name)?, rgb))).collect()
            })
            .unwrap_or_default();
        if options.colorize > 0.0 && (black.is_none() || tints.is_empty()) {
            let known: Vec<&str> = TINTS.iter().map(|t| t.0).collect();
            bail!("--colorize needs a head named color with the class black and one of {}; {has}", known.join(", "));
        }
        if options.recolor > 0.0 && tints.is_empty() {
            let known: Vec<&str> = TINTS.iter().map(|t| t.0).collect();
            bail!("--recolor needs a head named color with one of the classes {}; {has}", known.join(", "));
        }
        for (name, p) in options.probabilities() {
            if !(0.0..=1.0).contains(&p) {
                bail!("--{name} is a probability between 0 and 1, not {p}");
            }
        }
        let colour = colour.or(head_only.map(|h| (h, u32::MAX, u32::MAX)));
        Ok(Augmenter { options: options.clone(), colour, black, tints })
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
        let mut scratch = Vec::new();
        if rng.random::<f32>() < self.options.crop {
            random_crop(size, img, &mut scratch, rng);
        }
        let (r, rest) = img.split_at_mut(plane);
        let (g, b) = rest.split_at_mut(plane);
        if let Some((h, red, blue)) = self.colour {
            // Drawn only when on, so that runs without it keep their random streams.
            let is_black = self.black.is_some_and(|k| labels[h] == k);
            if is_black && self.options.colorize > 0.0 && rng.random::<f32>() < self.options.colorize {
                let (class, tint) = self.tints[rng.random_range(0..self.tints.len())];
                colorize(r, g, b, tint, rng);
                labels[h] = class;
            }
            // Coloured garments only: black ones are --colorize's (both would colour ¾ of them).
            let own = labels[h];
            let from = self.tints.iter().find(|t| t.0 == own).map(|t| t.1);
            if let Some(from) = from.filter(|_| self.options.recolor > 0.0)
                && rng.random::<f32>() < self.options.recolor
            {
                let others: Vec<&(u32, [f32; 3])> = self.tints.iter().filter(|t| t.0 != own).collect();
                if !others.is_empty() {
                    let &(class, to) = others[rng.random_range(0..others.len())];
                    transfer(r, g, b, from, to, rng);
                    labels[h] = class;
                }
            }
            if rng.random::<f32>() < self.options.swap_red_blue {
                r.swap_with_slice(b);
                let l = &mut labels[h];
                *l = if *l == red {
                    blue
                } else if *l == blue {
                    red
                } else {
                    *l
                };
            }
            if rng.random::<f32>() < self.options.grey {
                for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
                    let y = 0.299 * *r + 0.587 * *g + 0.114 * *b;
                    (*r, *g, *b) = (y, y, y);
                }
                labels[h] = IGNORE;
            }
            if let Some(black) = self.black.filter(|_| rng.random::<f32>() < self.options.blacken) {
                // y⁴ keeps white (1) white and takes mid tones (0.5) to 0.06: a black garment.
                for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
                    let y = (0.299 * *r + 0.587 * *g + 0.114 * *b).powi(4);
                    (*r, *g, *b) = (y, y, y);
                }
                labels[h] = black;
            }
            if rng.random::<f32>() < self.options.jitter {
                let is_black = self.black.is_some_and(|k| labels[h] == k);
                jitter_colour(r, g, b, is_black, rng);
            }
        }
        if self.options.flip && rng.random::<bool>() {
            for channel in img.chunks_mut(plane) {
                for row in channel.chunks_mut(size) {
                    row.reverse();
                }
            }
        }
    }
}

/// Colours one image's dark pixels `tint` (a measured colour), keeping their shading and
/// texture: a pixel of luminance y takes the tint's hue (±10° at random) and saturation
/// (×0.7–1.1) at value v·y / 0.15, v the tint's value (×0.75–1.25), so a black garment's
/// typical y ≈ 0.15 lands on the tint and its folds and seams stay darker or lighter (a black
/// garment is low in contrast; keeping it is what makes coloured jeans look like denim). Dark
/// pixels (y ≤ 0.35) change in full, fading out to none at y = 0.6: a white background and
/// skin stay as they are.
fn colorize(r: &mut [f32], g: &mut [f32], b: &mut [f32], tint: [f32; 3], rng: &mut StdRng) {
    let (hue, saturation, value) = hsv(tint);
    let hue = hue + rng.random_range(-10.0f32..=10.0);
    let saturation = (saturation * rng.random_range(0.7f32..=1.1)).min(1.0);
    let value = value * rng.random_range(0.75f32..=1.25);
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let y = 0.299 * *r + 0.587 * *g + 0.114 * *b;
        let w = ((0.6 - y) / 0.25).clamp(0.0, 1.0);
        if w > 0.0 {
            let coloured = rgb(hue, saturation, (value * y / 0.15).min(1.0));
            for (c, m) in [(&mut *r, coloured[0]), (&mut *g, coloured[1]), (&mut *b, coloured[2])] {
                *c += w * (m - *c);
            }
        }
    }
}

/// Moves one image's garment from colour `from` to colour `to` (both measured tints) keeping its
/// shading, texture and its shades' spread: every pixel whose hue lies near `from`'s has its hue
/// turned by the angle from `from` to `to`, its saturation kept and its value scaled by the
/// ratio of the two colours' values (×0.85–1.15 at random), so the garment's mean lands on `to`.
/// Near: within 15° in full, fading out over the next 10°, and only as far as the pixel has
/// colour at all (saturation 0.1 → 0.25), so a white or grey background, and skin beside a blue
/// garment, stay as they are (skin beside a red one, 15–30° from red, mostly does).
fn transfer(r: &mut [f32], g: &mut [f32], b: &mut [f32], from: [f32; 3], to: [f32; 3], rng: &mut StdRng) {
    let (from_hue, _, from_value) = hsv(from);
    let (to_hue, _, to_value) = hsv(to);
    // The photos' red garments are brighter than their blue ones: a blue garment moved to red
    // keeps its shading but is lit as a red one (a dark maroon would pass for black).
    let brightness = to_value / from_value * rng.random_range(0.85f32..=1.15);
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let (h, s, v) = hsv([*r, *g, *b]);
        let off = (h - from_hue + 540.0).rem_euclid(360.0) - 180.0; // −180..180
        let near = (1.0 - (off.abs() - 15.0) / 10.0).clamp(0.0, 1.0);
        let coloured = ((s - 0.1) / 0.15).clamp(0.0, 1.0);
        let w = near * coloured;
        if w > 0.0 {
            let moved = rgb(to_hue + off, s, (v * brightness).min(1.0));
            for (c, m) in [(&mut *r, moved[0]), (&mut *g, moved[1]), (&mut *b, moved[2])] {
                *c += w * (m - *c);
            }
        }
    }
}

/// Hue in degrees [0, 360), saturation and value of an RGB colour in [0, 1].
fn hsv([r, g, b]: [f32; 3]) -> (f32, f32, f32) {
    let max = r.max(g).max(b);
    let spread = max - r.min(g).min(b);
    if spread <= 1e-6 {
        return (0.0, 0.0, max);
    }
    let h = if max == r {
        (g - b) / spread
    } else if max == g {
        2.0 + (b - r) / spread
    } else {
        4.0 + (r - g) / spread
    };
    ((60.0 * h).rem_euclid(360.0), spread / max, max)
}

/// The RGB colour of a hue in degrees (any angle), saturation and value.
fn rgb(hue: f32, s: f32, v: f32) -> [f32; 3] {
    let channel = |n: f32| {
        let k = (n + hue.rem_euclid(360.0) / 60.0) % 6.0;
        v - v * s * k.min(4.0 - k).clamp(0.0, 1.0)
    };
    [channel(5.0), channel(3.0), channel(1.0)]
}

/// Crops a square of 70–100% of the side at a random place of one `[3, S, S]` image and scales
/// it back to `S × S` (bilinear; sample centres map onto sample centres).
fn random_crop(size: usize, img: &mut [f32], scratch: &mut Vec<f32>, rng: &mut StdRng) {
    let side = size as f32 * rng.random_range(0.7f32..=1.0);
    let (x0, y0) = (rng.random_range(0.0..=size as f32 - side), rng.random_range(0.0..=size as f32 - side));
    scratch.clear();
    scratch.extend_from_slice(img);
    let scale = side / size as f32;
    let last = (size - 1) as f32;
    // Where output index `o` samples the source: its two neighbours and the weight of the second.
    let taps = |start: f32, o: usize| {
        let at = (start + (o as f32 + 0.5) * scale - 0.5).clamp(0.0, last);
        let lo = at.floor() as usize;
        (lo, (lo + 1).min(size - 1), at - lo as f32)
    };
    // The horizontal taps are the same for every row and channel: work them out once.
    let columns: Vec<(usize, usize, f32)> = (0..size).map(|x| taps(x0, x)).collect();
    let plane = size * size;
    for c in 0..3 {
        let src = &scratch[c * plane..(c + 1) * plane];
        let dst = &mut img[c * plane..(c + 1) * plane];
        for (y, out) in dst.chunks_exact_mut(size).enumerate() {
            let (y_lo, y_hi, wy) = taps(y0, y);
            let (top, bottom) = (&src[y_lo * size..][..size], &src[y_hi * size..][..size]);
            for (o, &(lo, hi, wx)) in out.iter_mut().zip(&columns) {
                let upper = top[lo] + (top[hi] - top[lo]) * wx;
                let lower = bottom[lo] + (bottom[hi] - bottom[lo]) * wx;
                *o = upper + (lower - upper) * wy;
            }
        }
    }
}

/// Label-keeping colour jitter of one image's planes: saturation ×[0.5, 1], brightness
/// ×[0.85, 1.15], and, unless the garment is black, a blend of up to 30% towards white.
fn jitter_colour(r: &mut [f32], g: &mut [f32], b: &mut [f32], is_black: bool, rng: &mut StdRng) {
    let saturation = rng.random_range(0.5f32..=1.0);
    let brightness = rng.random_range(0.85f32..=1.15);
    let pale = if is_black { 0.0 } else { rng.random_range(0.0f32..=0.3) };
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let y = 0.299 * *r + 0.587 * *g + 0.114 * *b;
        for v in [r, g, b] {
            let c = (y + saturation * (*v - y)) * brightness;
            *v = (c + pale * (1.0 - c)).clamp(0.0, 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Dataset {
        let head =
            |n: &str, c: &[&str]| HeadSpec { name: n.into(), classes: c.iter().map(|s| s.to_string()).collect() };
        Dataset {
            image_size: 2,
            pixels: vec![],
            heads: vec![head("color", &["black", "blue", "red"]), head("item", &["dress", "shirt"])],
            labels: vec![],
            sources: vec![],
        }
    }

    #[test]
    fn swapping_red_and_blue_swaps_the_colour_labels() {
        let a = Augmenter::new(&Augment { swap_red_blue: 1.0, ..Default::default() }, &data()).unwrap();
        // Three 2×2 images: channels R = 0.1·k, G = 0.5, B = 0.9.
        let mut px: Vec<f32> =
            (0..3).flat_map(|k| [vec![0.1 * k as f32; 4], vec![0.5; 4], vec![0.9; 4]].concat()).collect();
        let mut labels = vec![vec![0, 1, 2], vec![1, 0, 1]];
        a.apply(2, &mut px, &mut labels, &mut Augmenter::rng(1, 1, 0));
        assert_eq!(labels, vec![vec![0, 2, 1], vec![1, 0, 1]], "black stays, blue ↔ red, items kept");
        assert_eq!(&px[12..16], &[0.9; 4]);
        assert_eq!(&px[20..24], &[0.1; 4]);
    }

    #[test]
    fn grey_copies_mask_the_colour_loss() {
        let a = Augmenter::new(&Augment { grey: 1.0, ..Default::default() }, &data()).unwrap();
        let mut px: Vec<f32> = [vec![1.0; 4], vec![0.0; 4], vec![0.0; 4]].concat();
        let mut labels = vec![vec![2], vec![1]];
        a.apply(2, &mut px, &mut labels, &mut Augmenter::rng(1, 1, 0));
        assert_eq!(labels, vec![vec![IGNORE], vec![1]]);
        assert!(px.iter().all(|&v| (v - 0.299).abs() < 1e-6));
    }

    #[test]
    fn blackened_copies_are_labelled_black() {
        let a = Augmenter::new(&Augment { blacken: 1.0, ..Default::default() }, &data()).unwrap();
        // A mid-grey garment pixel and a white background pixel.
        let mut px: Vec<f32> = [vec![0.5, 1.0, 0.5, 1.0], vec![0.5, 1.0, 0.5, 1.0], vec![0.5, 1.0, 0.5, 1.0]].concat();
        let mut labels = vec![vec![2], vec![1]];
        a.apply(2, &mut px, &mut labels, &mut Augmenter::rng(1, 1, 0));
        assert_eq!(labels, vec![vec![0], vec![1]], "red becomes black, the item stays");
        assert!((px[0] - 0.0625).abs() < 1e-6 && (px[1] - 1.0).abs() < 1e-6, "{px:?}");
    }

    #[test]
    fn colourised_black_garments_take_a_colour_label() {
        let a = Augmenter::new(&Augment { colorize: 1.0, ..Default::default() }, &data()).unwrap();
        let mut rng = Augmenter::rng(2, 1, 0);
        let mut seen = Vec::new();
        for _ in 0..20 {
            // Three 1×1 images: a dark garment labelled black, the same labelled blue, white labelled black.
            let mut px = vec![0.15, 0.15, 0.15, 0.15, 0.15, 0.15, 1.0, 1.0, 1.0];
            let mut labels = vec![vec![0, 1, 0], vec![1, 0, 1]];
            a.apply(1, &mut px, &mut labels, &mut rng);
            let colour = labels[0][0];
            assert!(colour == 1 || colour == 2, "black becomes blue or red: {labels:?}");
            assert_eq!(labels[0][1], 1, "a blue garment stays blue");
            assert_eq!(labels[1], vec![1, 0, 1], "items are kept");
            let (r, b) = (px[0], px[2]);
            assert!(if colour == 2 { r > 2.0 * b } else { b > 1.5 * r }, "tinted as labelled: {px:?}");
            assert_eq!(&px[3..6], &[0.15; 3], "only black garments are tinted");
            assert!(px[6..].iter().all(|&v| (v - 1.0).abs() < 1e-6), "white stays white: {px:?}");
            seen.push(colour);
        }
        assert!(seen.contains(&1) && seen.contains(&2), "both colours drawn: {seen:?}");
        // A 2×2 black garment (planes r, g, b): y = 0.15, a fold at half that, white, skin.
        let mut px = vec![0.15, 0.075, 1.0, 0.9, 0.15, 0.075, 1.0, 0.7, 0.15, 0.075, 1.0, 0.55];
        let mut labels = vec![vec![0], vec![1]];
        a.apply(2, &mut px, &mut labels, &mut rng);
        let (hue, _, v) = hsv([px[0], px[4], px[8]]);
        let (tint_hue, _, tint_value) = hsv(if labels[0][0] == 2 { TINTS[0].1 } else { TINTS[1].1 });
        let off = (hue - tint_hue + 540.0).rem_euclid(360.0) - 180.0;
        assert!(off.abs() <= 10.0 + 1e-3, "the tint's hue ±10°: {hue} vs {tint_hue}");
        assert!(
            (0.75 * tint_value - 1e-4..=1.25 * tint_value + 1e-4).contains(&v),
            "y = 0.15 lands on the tint: {px:?}"
        );
        for c in 0..3 {
            assert!((px[4 * c + 1] - 0.5 * px[4 * c]).abs() < 1e-5, "the fold stays half as bright: {px:?}");
        }
        assert_eq!((px[2], px[6], px[10]), (1.0, 1.0, 1.0), "white stays white: {px:?}");
        assert_eq!((px[3], px[7], px[11]), (0.9, 0.7, 0.55), "skin stays skin: {px:?}");
        let mut heads = data().heads;
        heads[0].classes = vec!["black".into(), "white".into()];
        let e = Augmenter::new(&Augment { colorize: 0.5, ..Default::default() }, &Dataset { heads, ..data() })
            .err()
            .expect("no colour to tint to");
        assert!(e.to_string().contains("--colorize"), "{e}");
    }

    #[test]
    fn recoloured_garments_take_another_colour_label() {
        let a = Augmenter::new(&Augment { recolor: 1.0, ..Default::default() }, &data()).unwrap();
        let mut rng = Augmenter::rng(4, 1, 0);
        for _ in 0..10 {
            // Three 1×1 images (r, g, b each): a dark garment labelled black, a blue one, a red one.
            let mut px = vec![0.15, 0.15, 0.15, 0.2, 0.31, 0.48, 0.68, 0.13, 0.15];
            let mut labels = vec![vec![0, 1, 2], vec![1, 0, 3]];
            a.apply(1, &mut px, &mut labels, &mut rng);
            assert_eq!(labels[1], vec![1, 0, 3], "items are kept");
            assert_eq!(labels[0][0], 0, "black garments are --colorize's: {labels:?}");
            assert_eq!(&px[..3], &[0.15; 3]);
            assert_eq!((labels[0][1], labels[0][2]), (2, 1), "blue becomes red, red blue: {labels:?}");
            for (i, &c) in labels[0].iter().enumerate().skip(1) {
                let (r, b) = (px[3 * i], px[3 * i + 2]);
                assert!(if c == 2 { r > 2.0 * b } else { b > 1.5 * r }, "image {i} tinted as labelled: {px:?}");
            }
        }
        // A 2×2 blue garment (planes r, g, b): its colour, a fold half as bright, a white pixel
        // and a skin-coloured one.
        let mut px = vec![0.2, 0.1, 1.0, 0.9, 0.31, 0.155, 1.0, 0.7, 0.48, 0.24, 1.0, 0.55];
        let mut labels = vec![vec![1], vec![0]];
        a.apply(2, &mut px, &mut labels, &mut rng);
        assert_eq!(labels[0], vec![2], "blue becomes red");
        let (hue, s, v) = hsv([px[0], px[4], px[8]]);
        assert!(!(15.0..345.0).contains(&hue), "the garment's hue is red's: {hue} ({px:?})");
        assert!((s - hsv([0.2, 0.31, 0.48]).1).abs() < 1e-4, "saturation kept: {px:?}");
        assert!((0.85 * 0.68 - 1e-4..=1.15 * 0.68 + 1e-4).contains(&v), "the red tint's value, ×0.85–1.15: {px:?}");
        for c in 0..3 {
            assert!((px[4 * c + 1] - 0.5 * px[4 * c]).abs() < 1e-5, "the fold stays half as bright: {px:?}");
        }
        assert_eq!((px[2], px[6], px[10]), (1.0, 1.0, 1.0), "white stays white: {px:?}");
        assert_eq!((px[3], px[7], px[11]), (0.9, 0.7, 0.55), "skin stays skin: {px:?}");
    }

    #[test]
    fn hsv_and_back_is_the_identity() {
        for c in [[0.68, 0.13, 0.15], [0.2, 0.31, 0.48], [0.9, 0.7, 0.55], [0.5, 0.5, 0.5], [0.1, 0.8, 0.3]] {
            let (h, s, v) = hsv(c);
            let back = rgb(h, s, v);
            assert!(c.iter().zip(back).all(|(a, b)| (a - b).abs() < 1e-5), "{c:?} → ({h}, {s}, {v}) → {back:?}");
        }
        assert!((hsv([0.2, 0.31, 0.48]).0 - 216.4).abs() < 0.1);
        assert_eq!(rgb(-120.0, 1.0, 1.0), rgb(240.0, 1.0, 1.0));
    }

    #[test]
    fn crops_keep_labels_and_scale_a_ramp_into_a_ramp() {
        let a = Augmenter::new(&Augment { crop: 1.0, ..Default::default() }, &data()).unwrap();
        // One 16×16 image whose value is its column (R), its row (G), and constant 0.25 (B).
        let s = 16;
        let mut px: Vec<f32> = (0..3 * s * s)
            .map(|k| match k / (s * s) {
                0 => (k % s) as f32,
                1 => ((k / s) % s) as f32,
                _ => 0.25,
            })
            .collect();
        let mut labels = vec![vec![2], vec![1]];
        a.apply(s, &mut px, &mut labels, &mut Augmenter::rng(3, 1, 0));
        assert_eq!(labels, vec![vec![2], vec![1]]);
        assert!(px[2 * s * s..].iter().all(|&v| (v - 0.25).abs() < 1e-6), "a constant plane stays constant");
        for row in px[..s * s].chunks(s) {
            let steps: Vec<f32> = row.windows(2).map(|w| w[1] - w[0]).collect();
            // A crop of 70–100% of the side scales the column ramp's slope of 1 by 0.7–1.
            assert!(steps.iter().all(|&d| (0.69..=1.001).contains(&d)), "{steps:?}");
            assert!((steps[0] - steps[s - 2]).abs() < 1e-4, "one scale across the row: {steps:?}");
            assert!(row[0] >= -1e-6 && row[s - 1] <= (s - 1) as f32 + 1e-4);
        }
        assert!(px[s * s..2 * s * s].chunks(s).all(|row| row.iter().all(|&v| v == row[0])), "rows stay rows");
    }

    #[test]
    fn jitter_keeps_labels_and_never_pales_black() {
        let a = Augmenter::new(&Augment { jitter: 1.0, ..Default::default() }, &data()).unwrap();
        let mut rng = Augmenter::rng(5, 1, 0);
        for label in [0u32, 1, 2] {
            // A 2×2 image: a dark reddish pixel (0.1, 0.05, 0.05), a grey one (0.5, 0.5, 0.5), two black.
            let mut px = vec![0.1, 0.5, 0.0, 0.0, 0.05, 0.5, 0.0, 0.0, 0.05, 0.5, 0.0, 0.0];
            let mut labels = vec![vec![label], vec![1]];
            a.apply(2, &mut px, &mut labels, &mut rng);
            assert_eq!(labels, vec![vec![label], vec![1]]);
            assert!(px.iter().all(|v| (0.0..=1.0).contains(v)));
            assert!((px[5] - px[9]).abs() < 1e-6 && (px[1] - px[5]).abs() < 1e-6, "grey stays grey: {px:?}");
            if label == 0 {
                assert!(px[0] <= 0.1 * 1.15 + 1e-6, "black is not lightened: {px:?}");
            }
        }
    }

    #[test]
    fn auto_augments_only_data_that_lacks_combinations() {
        let combos = |n: usize| (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>();
        let heads = data().heads; // colour: black, blue, red; item: dress, shirt
        let (a, why) = Augment::for_data(AugmentMode::Auto, &combos(5), &heads);
        assert_eq!(a, Augment::recommended());
        assert!(why.contains("5 of the 6"), "{why}");
        assert_eq!(Augment::for_data(AugmentMode::Auto, &combos(6), &heads).0, Augment::default());
        assert_eq!(Augment::for_data(AugmentMode::Off, &combos(5), &heads).0, Augment::default());
        assert_eq!(Augment::for_data(AugmentMode::On, &combos(6), &heads).0, Augment::recommended());
        let mut other = data().heads;
        other[0].classes = vec!["green".into(), "red".into(), "black".into()];
        let (a, _) = Augment::for_data(AugmentMode::Auto, &combos(5), &other);
        assert_eq!((a.grey, a.blacken, a.colorize, a.recolor), (0.25, 0.2, 0.5, 0.5), "green and red have tints");
        other[0].classes = vec!["white".into(), "grey".into()];
        let (a, _) = Augment::for_data(AugmentMode::Auto, &combos(3), &other);
        assert_eq!((a.grey, a.blacken, a.colorize, a.recolor), (0.25, 0.0, 0.0, 0.0), "no black, no tint");
        assert_eq!((a.crop, a.flip), (0.3, true), "mirroring and cropping keep any labels");
        assert_eq!(
            Augment::recommended().describe(),
            "grey 0.25, blacken 0.2, colorize 0.5, recolor 0.5, crop 0.3, flip"
        );
    }

    #[test]
    fn impossible_options_are_refused() {
        let err = Augmenter::new(&Augment { crop: 1.5, ..Default::default() }, &data()).err().unwrap();
        assert_eq!(err.to_string(), "--crop is a probability between 0 and 1, not 1.5");
        let mut d = data();
        d.heads[0].classes = vec!["green".into()];
        assert!(Augmenter::new(&Augment { swap_red_blue: 0.5, ..Default::default() }, &d).is_err());
    }
}
