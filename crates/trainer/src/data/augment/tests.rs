//! The augmentations' unit tests: labels moved as the pixels are, and hand-checked pixels.

use model::{HeadSpec, IGNORE};

use super::colour::{hsv, rgb};
use super::*;
use crate::data::Dataset;

/// The tutorial's tints of red and blue, as `ColourHead` has them.
const RED: [f32; 3] = [0.68, 0.13, 0.15];
const BLUE: [f32; 3] = [0.20, 0.31, 0.48];

fn data() -> Dataset {
    let head = |n: &str, c: &[&str]| HeadSpec { name: n.into(), classes: c.iter().map(|s| s.to_string()).collect() };
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
    let (tint_hue, _, tint_value) = hsv(if labels[0][0] == 2 { RED } else { BLUE });
    let off = (hue - tint_hue + 540.0).rem_euclid(360.0) - 180.0;
    assert!(off.abs() <= 10.0 + 1e-3, "the tint's hue ±10°: {hue} vs {tint_hue}");
    assert!((0.75 * tint_value - 1e-4..=1.25 * tint_value + 1e-4).contains(&v), "y = 0.15 lands on the tint: {px:?}");
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
    assert_eq!(Augment::recommended().describe(), "grey 0.25, blacken 0.2, colorize 0.5, recolor 0.5, crop 0.3, flip");
}

#[test]
fn impossible_options_are_refused() {
    let err = Augmenter::new(&Augment { crop: 1.5, ..Default::default() }, &data()).err().unwrap();
    assert_eq!(err.to_string(), "--crop is a probability between 0 and 1, not 1.5");
    let mut d = data();
    d.heads[0].classes = vec!["green".into()];
    assert!(Augmenter::new(&Augment { swap_red_blue: 0.5, ..Default::default() }, &d).is_err());
}
