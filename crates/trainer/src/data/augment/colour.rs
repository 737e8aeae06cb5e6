//! The colour changes of one image's planes: grey, blackened, colourised, recoloured, jittered,
//! and the HSV arithmetic they share.

use rand::{Rng, rngs::StdRng};

/// The luminance of an RGB colour (ITU-R BT.601 weights, what PIL's greyscale uses).
pub(super) fn luminance(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// The image in grey: every pixel its luminance.
pub(super) fn grey([r, g, b]: [&mut [f32]; 3]) {
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let y = luminance(*r, *g, *b);
        (*r, *g, *b) = (y, y, y);
    }
}

/// The image made a black garment: grey, then y⁴, which keeps white (1) white and takes mid
/// tones (0.5) to 0.06.
pub(super) fn blacken([r, g, b]: [&mut [f32]; 3]) {
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let y = luminance(*r, *g, *b).powi(4);
        (*r, *g, *b) = (y, y, y);
    }
}

/// Colours one image's dark pixels `tint` (a measured colour), keeping their shading and
/// texture: a pixel of luminance y takes the tint's hue (±10° at random) and saturation
/// (×0.7–1.1) at value v·y / 0.15, v the tint's value (×0.75–1.25), so a black garment's
/// typical y ≈ 0.15 lands on the tint and its folds and seams stay darker or lighter (a black
/// garment is low in contrast; keeping it is what makes coloured jeans look like denim). Dark
/// pixels (y ≤ 0.35) change in full, fading out to none at y = 0.6: a white background and
/// skin stay as they are.
pub(super) fn colorize([r, g, b]: [&mut [f32]; 3], tint: [f32; 3], rng: &mut StdRng) {
    let (hue, saturation, value) = hsv(tint);
    let hue = hue + rng.random_range(-10.0f32..=10.0);
    let saturation = (saturation * rng.random_range(0.7f32..=1.1)).min(1.0);
    let value = value * rng.random_range(0.75f32..=1.25);
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let y = luminance(*r, *g, *b);
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
pub(super) fn transfer([r, g, b]: [&mut [f32]; 3], from: [f32; 3], to: [f32; 3], rng: &mut StdRng) {
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
pub(super) fn hsv([r, g, b]: [f32; 3]) -> (f32, f32, f32) {
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
pub(super) fn rgb(hue: f32, s: f32, v: f32) -> [f32; 3] {
    let channel = |n: f32| {
        let k = (n + hue.rem_euclid(360.0) / 60.0) % 6.0;
        v - v * s * k.min(4.0 - k).clamp(0.0, 1.0)
    };
    [channel(5.0), channel(3.0), channel(1.0)]
}

/// Label-keeping colour jitter of one image's planes: saturation ×[0.5, 1], brightness
/// ×[0.85, 1.15], and, unless the garment is black, a blend of up to 30% towards white.
pub(super) fn jitter_colour([r, g, b]: [&mut [f32]; 3], is_black: bool, rng: &mut StdRng) {
    let saturation = rng.random_range(0.5f32..=1.0);
    let brightness = rng.random_range(0.85f32..=1.15);
    let pale = if is_black { 0.0 } else { rng.random_range(0.0f32..=0.3) };
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        let y = luminance(*r, *g, *b);
        for v in [r, g, b] {
            let c = (y + saturation * (*v - y)) * brightness;
            *v = (c + pale * (1.0 - c)).clamp(0.0, 1.0);
        }
    }
}
