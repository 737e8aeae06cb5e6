//! One whole training step of the GPU model — every parameter's gradient and every weight after
//! the Adam step — against the same step composed from the reference crate in f64.

use std::sync::Arc;

use model::{HeadSpec, Model, ModelSpec, TrainConfig};
use reference::*;
use twinhead::network::{Batch, reference_gradients};
use twinhead::{Tolerance, assert_close, max_abs, random, random_labels};

const LR: f64 = 1e-3;

fn spec() -> ModelSpec {
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    // 24×24 images: 22 → pool 11 → 9 → 4 → 2 → 1, so 64 features; a 16-wide shared layer.
    ModelSpec { image_size: 24, hidden: 16, heads: vec![head("color", 3), head("item", 4)] }
}

#[test]
fn one_training_step_matches_the_reference() {
    let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the model test needs a GPU adapter"));
    let s = spec();
    let weights = [1.0f32, 0.5];
    let config = TrainConfig { lr: LR, loss_weights: weights.to_vec(), seed: 7, kernels: Default::default() };
    let mut m = Model::new(gpu, s.clone(), &config).unwrap();
    let batch = 3;
    let images = random(batch * s.image_len(), 1, 0.0, 1.0);
    let labels = vec![random_labels(batch, 2, 3), random_labels(batch, 3, 4)];
    let before = m.parameters().unwrap();
    let params64: Vec<Vec<f64>> = before.iter().map(|(_, _, v)| v.iter().map(|&x| x as f64).collect()).collect();
    let x64: Vec<f64> = images.iter().map(|&v| v as f64).collect();
    let expected =
        reference_gradients(&s, &params64, &Batch { images: &x64, labels: &labels, loss_weights: &[1.0, 0.5] });

    let label_refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
    m.train_step(&images, &label_refs).unwrap();
    let stats = m.take_step_stats().unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!((stats[0].step, stats[0].loss.len()), (1, 2));
    let grads = m.gradients().unwrap();
    // Gradients pass through five layers of f32 sums (at most a few hundred terms each here);
    // each adds a relative error of about √n·ε ≈ 1e-6, so 1e-4 of each tensor's largest
    // gradient is a wide margin that still catches any wrong term.
    for ((name, got), want) in grads.iter().zip(&expected) {
        assert_close(&format!("gradient of {name}"), got, want, Tolerance::new(1e-4 * max_abs(want, 1e-6), 1e-4));
    }

    // Adam's first step moves each weight by lr·m̂/(√v̂ + eps) = lr·g/(|g| + eps): the reference
    // applies it to the reference gradients. Where a gradient is within its noise of 0 the
    // direction is arbitrary, so those elements may differ by up to 2·lr.
    let after = m.parameters().unwrap();
    let adam = Adam { lr: LR, ..Adam::default() };
    for (((name, _, got), p0), g) in after.iter().zip(&params64).zip(&expected) {
        let mut p = p0.clone();
        let mut state = AdamState::new(p.len());
        adam.step(&mut p, g, &mut state);
        let noise = 1e-4 * max_abs(g, 1e-6);
        for i in 0..p.len() {
            let allowed = if g[i].abs() < noise { 2.0 * LR + 1e-6 } else { 1e-6 + 1e-3 * LR };
            let err = (got[i] as f64 - p[i]).abs();
            assert!(err <= allowed, "{name}[{i}] after Adam: got {} expected {} (gradient {})", got[i], p[i], g[i]);
        }
    }
    assert_eq!(m.step, 1);
}

#[test]
fn the_losses_come_back_as_the_reference_computes_them() {
    let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the model test needs a GPU adapter"));
    let s = spec();
    let config = TrainConfig { lr: LR, loss_weights: vec![1.0, 1.0], seed: 11, kernels: Default::default() };
    let mut m = Model::new(gpu, s.clone(), &config).unwrap();
    let batch = 5;
    let images = random(batch * s.image_len(), 4, 0.0, 1.0);
    let labels = [random_labels(batch, 5, 3), random_labels(batch, 6, 4)];
    let logits = m.logits(&images, batch).unwrap();
    let label_refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
    let stats = m.compute_gradients(&images, &label_refs).unwrap();
    for h in 0..2 {
        let ce = softmax_cross_entropy(s.heads[h].classes.len(), &twinhead::wide(&logits[h]), &labels[h]);
        assert!(
            (stats.loss[h] as f64 - ce.loss).abs() < 1e-5 * ce.loss.max(1.0),
            "head {h}: {} vs {}",
            stats.loss[h],
            ce.loss
        );
        assert_eq!(stats.correct[h], ce.correct as u32);
    }
    // Computing gradients is not an optimizer step.
    assert_eq!(m.step, 0);
    assert!(m.take_step_stats().unwrap().is_empty());
}

/// Three training steps in every kernel variant, each against the reference: the gradients
/// (from the weights the GPU holds before the step), then Adam's moments and the weights after it
/// (the reference Adam applied to the GPU's gradients and previous moments, so its bias
/// corrections at steps 2 and 3 and the flat parameter buffers are checked exactly).
#[test]
fn three_steps_in_every_variant_match_the_reference() {
    use kernels::Variant;
    use model::KernelChoice;
    let s = spec();
    let weights = [1.0f64, 0.5];
    let variants = Variant::available(
        &tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the model test needs a GPU adapter"),
    );
    for variant in variants {
        let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the model test needs a GPU adapter"));
        let config =
            TrainConfig { lr: LR, loss_weights: vec![1.0, 0.5], seed: 5, kernels: KernelChoice::Fixed(variant) };
        let mut m = Model::new(gpu, s.clone(), &config).unwrap();
        let batch = 4;
        let mut state: Vec<AdamState<f64>> = Vec::new();
        for step in 1..=3u32 {
            let images = random(batch * s.image_len(), 20 + step as u64, 0.0, 1.0);
            let labels = vec![random_labels(batch, 30 + step as u64, 3), random_labels(batch, 40 + step as u64, 4)];
            let wide = |v: &[f32]| -> Vec<f64> { v.iter().map(|&x| x as f64).collect() };
            let before: Vec<Vec<f64>> = m.parameters().unwrap().iter().map(|(_, _, v)| wide(v)).collect();
            if state.is_empty() {
                state = before.iter().map(|p| AdamState::new(p.len())).collect();
            }
            let expected = reference_gradients(
                &s,
                &before,
                &Batch { images: &wide(&images), labels: &labels, loss_weights: &weights },
            );
            let label_refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
            m.train_step(&images, &label_refs).unwrap();
            assert_eq!(m.take_step_stats().unwrap().len(), 1);
            let grads = m.gradients().unwrap();
            for ((name, got), want) in grads.iter().zip(&expected) {
                let tol = Tolerance::new(1e-4 * max_abs(want, 1e-6), 1e-4);
                assert_close(&format!("{variant:?} step {step}: gradient of {name}"), got, want, tol);
            }
            let moments = m.moments().unwrap();
            let after = m.parameters().unwrap();
            let adam = Adam { lr: LR, ..Adam::default() };
            for (i, ((name, g), (_, gm, gv))) in grads.iter().zip(&moments).enumerate() {
                let mut p = before[i].clone();
                adam.step(&mut p, &wide(g), &mut state[i]);
                // f32 against f64 arithmetic on the same inputs: a few ulps of each value.
                let close = |what: &str, got: &[f32], want: &[f64]| {
                    assert_close(
                        &format!("{variant:?} step {step}: {what} of {name}"),
                        got,
                        want,
                        Tolerance::new(1e-9, 1e-5),
                    );
                };
                close("adam m", gm, &state[i].m);
                close("adam v", gv, &state[i].v);
                close("weights", &after[i].2, &p);
                // Carry the GPU's own moments, so that each step is checked on its own.
                state[i].m = wide(gm);
                state[i].v = wide(gv);
            }
            assert_eq!(m.step, step);
        }
    }
}

/// A batch whose trunk activations are too big for one storage binding runs through the trunk in
/// chunks of images (lavapipe binds 128 MiB: conv1's output for 237 images, so batch 256 is
/// chunked there). Chunked or whole, a step gives the same losses and gradients (the split-K
/// sums are grouped differently: equal to a few ulps), in every variant.
#[test]
fn a_step_in_chunks_of_images_equals_the_whole_batch() {
    use kernels::Variant;
    use model::KernelChoice;
    let s = spec();
    let batch = 9;
    let images = random(batch * s.image_len(), 70, 0.0, 1.0);
    let labels = [random_labels(batch, 71, 3), random_labels(batch, 72, 4)];
    let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
    for variant in Variant::available(&tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter")) {
        let run = |limit: Option<u64>| {
            let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter"));
            let config =
                TrainConfig { lr: LR, loss_weights: vec![1.0, 1.0], seed: 9, kernels: KernelChoice::Fixed(variant) };
            let mut m = Model::new(gpu, s.clone(), &config).unwrap();
            if let Some(bytes) = limit {
                m.limit_bindings(bytes);
            }
            let stats = m.compute_gradients(&images, &refs).unwrap();
            let passes = m.step_ops(batch).unwrap().len();
            (stats, m.gradients().unwrap(), passes)
        };
        let (whole, whole_grads, whole_passes) = run(None);
        // conv1's output is 16·22·22·4 = 30 976 bytes an image: 100 000 bytes hold 3 images.
        let (chunked, chunked_grads, chunked_passes) = run(Some(100_000));
        assert!(chunked_passes > whole_passes, "{variant:?}: the trunk ran in chunks ({chunked_passes} passes)");
        assert_eq!(whole.correct, chunked.correct);
        for h in 0..2 {
            assert!(
                (whole.loss[h] - chunked.loss[h]).abs() <= 1e-6 * whole.loss[h].abs().max(1.0),
                "{variant:?} loss {h}"
            );
        }
        for ((name, a), (_, b)) in whole_grads.iter().zip(&chunked_grads) {
            let want: Vec<f64> = a.iter().map(|&v| v as f64).collect();
            let tol = Tolerance::new(1e-5 * max_abs(&want, 1e-6), 1e-5);
            assert_close(&format!("{variant:?}: chunked gradient of {name}"), b, &want, tol);
        }
    }
}

/// Inference turns the fused pools' argmax stores off and the next training step turns them on
/// again (a parameter write through the queue): steps with inference between them give the very
/// weights the same steps give without it. (A step whose pools kept no argmax would send its
/// gradients through stale winners.)
#[test]
fn inference_between_steps_leaves_the_steps_unchanged() {
    let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the model test needs a GPU adapter"));
    let s = spec();
    // The subgroup variant is the one that fuses conv and pool.
    let fuses = kernels::Variant::available(&gpu).contains(&kernels::Variant::Subgroup);
    assert!(fuses || std::env::var_os("CI").is_none(), "CI's adapter must run the subgroup kernels");
    let kernels = if fuses { model::KernelChoice::Fixed(kernels::Variant::Subgroup) } else { Default::default() };
    let config = TrainConfig { lr: LR, loss_weights: vec![1.0, 1.0], seed: 5, kernels };
    let mut plain = Model::new(gpu.clone(), s.clone(), &config).unwrap();
    let mut mixed = Model::new(gpu, s.clone(), &config).unwrap();
    let batch = 4;
    for step in 0..3 {
        let images = random(batch * s.image_len(), 20 + step, 0.0, 1.0);
        let labels = [random_labels(batch, 30 + step, 3), random_labels(batch, 40 + step, 4)];
        let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
        let other = random(batch * s.image_len(), 50 + step, 0.0, 1.0);
        let seen = mixed.logits(&other, batch).unwrap();
        assert!(seen.iter().flatten().all(|v| v.is_finite()));
        mixed.train_step(&images, &refs).unwrap();
        plain.train_step(&images, &refs).unwrap();
    }
    assert_eq!(plain.parameters().unwrap(), mixed.parameters().unwrap());
    assert_eq!(plain.take_step_stats().unwrap(), mixed.take_step_stats().unwrap());
}
