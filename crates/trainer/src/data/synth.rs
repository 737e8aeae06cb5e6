//! A data set generated in code, so a fresh machine trains something meaningful with nothing
//! downloaded: garment silhouettes (shirt, dress, jeans, shoes) in three colours (black, blue,
//! red), each with its own size, position, shading and background; optionally a third
//! attribute, the background's pattern (plain or striped), for three-head training.

use model::HeadSpec;
use rand::{Rng, SeedableRng, rngs::StdRng};

use super::Dataset;

pub const COLORS: [&str; 3] = ["black", "blue", "red"];
pub const ITEMS: [&str; 4] = ["dress", "jeans", "shirt", "shoes"];
pub const BACKGROUNDS: [&str; 2] = ["plain", "striped"];

/// Base RGB of each colour; each garment varies around it.
fn base_color(color: usize, rng: &mut StdRng) -> [f32; 3] {
    let j = |rng: &mut StdRng, lo: f32, hi: f32| rng.random_range(lo..hi);
    match color {
        0 => {
            let v = j(rng, 15.0, 60.0);
            [v, v + j(rng, -5.0, 5.0), v + j(rng, -5.0, 8.0)]
        }
        1 => [j(rng, 10.0, 70.0), j(rng, 40.0, 110.0), j(rng, 130.0, 230.0)],
        _ => [j(rng, 150.0, 235.0), j(rng, 10.0, 60.0), j(rng, 20.0, 70.0)],
    }
}

/// Whether (u, v) — coordinates in the garment's own box, both in [−1, 1], v downwards — lies
/// inside the silhouette of `item`.
fn inside(item: usize, u: f32, v: f32) -> bool {
    let au = u.abs();
    match item {
        // dress: narrow bodice, then a skirt widening to the hem, with thin straps on top
        0 => {
            (v > -0.75 && v < -0.2 && au < 0.28)
                || ((-0.2..0.95).contains(&v) && au < 0.28 + 0.55 * (v + 0.2) / 1.15)
                || (v > -0.95 && v <= -0.75 && (au - 0.2).abs() < 0.05)
        }
        // jeans: waistband, then two legs with a gap between them
        1 => {
            (v > -0.95 && v < -0.65 && au < 0.5)
                || ((-0.65..0.95).contains(&v) && au < 0.5 && au > 0.04 + 0.06 * (v + 0.65))
        }
        // shirt: a torso and two sleeves sloping out from the shoulders, a neck cut-out
        2 => {
            let torso = v > -0.75 && v < 0.9 && au < 0.42;
            let sleeve = v > -0.75
                && (0.42..0.9).contains(&au)
                && v < -0.75 + 0.5 * (au - 0.42) + 0.45
                && v > -0.75 + 0.5 * (au - 0.42);
            let neck = v < -0.6 && au < 0.14;
            (torso || sleeve) && !neck
        }
        // shoes: a pair of low profiles, each a sole and a rounded upper
        _ => {
            let shoe = |x: f32| {
                let sole = v > 0.45 && v < 0.6 && x > -0.45 && x < 0.45;
                let upper = ((x + 0.05) / 0.42).powi(2) + ((v - 0.45) / 0.38).powi(2) < 1.0 && v <= 0.45;
                let toe =
                    (x - 0.2) / 0.3 > -1.0 && ((x - 0.2) / 0.3).powi(2) + ((v - 0.45) / 0.2).powi(2) < 1.0 && v <= 0.45;
                sole || upper || toe
            };
            shoe((u + 0.48) * 1.0) || shoe(u - 0.48)
        }
    }
}

/// `count` images of every colour × item combination in turn, size×size, from `seed`.
pub fn generate(count: usize, size: usize, seed: u64) -> Dataset {
    generate_heads(count, size, seed, false)
}

/// Like [`generate`], with a third head, `background`: image i's background is striped when
/// (i / 12) is odd, so every colour × item combination comes with both patterns. The garments
/// and their colours are exactly those of [`generate`] with the same arguments.
pub fn generate_with_background(count: usize, size: usize, seed: u64) -> Dataset {
    generate_heads(count, size, seed, true)
}

fn generate_heads(count: usize, size: usize, seed: u64, background: bool) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let plane = size * size;
    let mut pixels = Vec::with_capacity(count * 3 * plane);
    let mut labels = vec![Vec::with_capacity(count); if background { 3 } else { 2 }];
    for i in 0..count {
        let (color, item) = (i % COLORS.len(), (i / COLORS.len()) % ITEMS.len());
        let striped = background && (i / (COLORS.len() * ITEMS.len())) % 2 == 1;
        let rgb = base_color(color, &mut rng);
        let bg: [f32; 3] = {
            let v = rng.random_range(170.0..250.0);
            [v + rng.random_range(-15.0..15.0), v + rng.random_range(-15.0..15.0), v + rng.random_range(-15.0..15.0)]
        };
        let scale = rng.random_range(0.55..0.95) * size as f32 / 2.0;
        let cx = size as f32 / 2.0 + rng.random_range(-0.12..0.12) * size as f32;
        let cy = size as f32 / 2.0 + rng.random_range(-0.12..0.12) * size as f32;
        let stretch = rng.random_range(0.85..1.15);
        let shade_dir = rng.random_range(-0.35..0.35f32);
        let noise = rng.random_range(2.0..10.0);
        let mut img = vec![0u8; 3 * plane];
        for y in 0..size {
            for x in 0..size {
                let u = (x as f32 - cx) / (scale * stretch);
                let v = (y as f32 - cy) / scale;
                let on = inside(item, u, v);
                // Light falls from one side: shading across the garment, a soft gradient behind it.
                let shade =
                    if on { 1.0 + shade_dir * u - 0.15 * v.max(0.0) } else { 1.0 - 0.1 * (y as f32 / size as f32) };
                // Stripes: every other band of 6 rows of the background is darker.
                let stripe = if striped && !on && (y / 6) % 2 == 1 { 0.7 } else { 1.0 };
                for c in 0..3 {
                    let base = if on { rgb[c] } else { bg[c] * stripe };
                    let value = base * shade + rng.random_range(-noise..noise);
                    img[c * plane + y * size + x] = value.clamp(0.0, 255.0) as u8;
                }
            }
        }
        pixels.extend(img);
        labels[0].push(color as u32);
        labels[1].push(item as u32);
        if background {
            labels[2].push(striped as u32);
        }
    }
    let head = |name: &str, classes: &[&str]| HeadSpec {
        name: name.into(),
        classes: classes.iter().map(|s| s.to_string()).collect(),
    };
    let mut heads = vec![head("color", &COLORS), head("item", &ITEMS)];
    if background {
        heads.push(head("background", &BACKGROUNDS));
    }
    Dataset { image_size: size, pixels, heads, labels, sources: vec!["synthetic".into(); count] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination_appears_and_garments_cover_part_of_the_image() {
        let d = generate(24, 96, 1);
        assert_eq!(d.len(), 24);
        let mut combos: Vec<String> = (0..24).map(|i| d.combination(i)).collect();
        combos.sort();
        combos.dedup();
        assert_eq!(combos.len(), 12);
        for item in 0..4 {
            let covered = (0..96 * 96)
                .filter(|i| inside(item, (i % 96) as f32 / 48.0 - 1.0, (i / 96) as f32 / 48.0 - 1.0))
                .count();
            assert!(covered > 96 * 96 / 10 && covered < 96 * 96 * 7 / 10, "item {item} covers {covered} pixels");
        }
    }

    #[test]
    fn the_background_head_adds_stripes_and_changes_nothing_else() {
        let (two, three) = (generate(48, 32, 3), generate_with_background(48, 32, 3));
        assert_eq!(three.heads.len(), 3);
        assert_eq!(&three.labels[..2], &two.labels[..]);
        let mut combos: Vec<String> = (0..48).map(|i| three.combination(i)).collect();
        combos.sort();
        combos.dedup();
        assert_eq!(combos.len(), 24, "every colour × item with both backgrounds");
        let n = 3 * 32 * 32;
        for i in 0..48 {
            let same = two.pixels[i * n..(i + 1) * n] == three.pixels[i * n..(i + 1) * n];
            assert_eq!(same, three.labels[2][i] == 0, "image {i}: only striped images differ");
        }
    }
}
