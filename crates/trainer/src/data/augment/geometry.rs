//! The geometric changes of one image: a random crop scaled back to full size, a mirror image.

use rand::{Rng, rngs::StdRng};

/// Crops a square of 70–100% of the side at a random place of one `[3, S, S]` image and scales
/// it back to `S × S` (bilinear; sample centres map onto sample centres).
pub(super) fn random_crop(size: usize, img: &mut [f32], scratch: &mut Vec<f32>, rng: &mut StdRng) {
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

/// Mirrors one `[3, S, S]` image left to right.
pub(super) fn mirror(size: usize, img: &mut [f32]) {
    for row in img.chunks_mut(size) {
        row.reverse();
    }
}
