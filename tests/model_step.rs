//! One whole training step of the GPU model — every parameter's gradient and every weight after
//! the Adam step — against the same step composed from the reference crate in f64.

use std::sync::Arc;

use model::{HeadSpec, Model, ModelSpec, TrainConfig};
use reference::*;
use twinhead::{Tolerance, assert_close, max_abs, random, random_labels};

const LR: f64 = 1e-3;

fn spec() -> ModelSpec {
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    // 24×24 images: 22 → pool 11 → 9 → 4 → 2 → 1, so 64 features; a 16-wide shared layer.
    ModelSpec { image_size: 24, hidden: 16, heads: vec![head("color", 3), head("item", 4)] }
}

struct Stage {
    conv: Conv2dShape,
    pool: Pool2dShape,
}

fn stages(batch: usize, s: &ModelSpec) -> Vec<Stage> {
    (0..3)
        .map(|i| {
            let c = s.conv(i, batch);
            let p = s.pool(i, batch);
            Stage {
                conv: Conv2dShape {
                    batch,
                    c_in: c.c_in,
                    h: c.h,
                    w: c.w,
                    c_out: c.c_out,
                    kh: 3,
                    kw: 3,
                    stride: 1,
                    pad: 0,
                },
                pool: Pool2dShape { batch, channels: p.channels, h: p.h, w: p.w, window: 2, stride: 2 },
            }
        })
        .collect()
}

/// The reference's gradients (state-dict order) for the summed, weighted loss.
fn reference_gradients(
    s: &ModelSpec,
    batch: usize,
    params: &[Vec<f64>],
    x: &[f64],
    labels: &[Vec<u32>],
    weights: &[f64],
) -> Vec<Vec<f64>> {
    let st = stages(batch, s);
    let mut acts = vec![]; // post-ReLU conv outputs
    let mut inputs = vec![x.to_vec()]; // each conv's input
    let mut args = vec![];
    for (i, stage) in st.iter().enumerate() {
        let a = relu_forward(&conv2d_forward(&stage.conv, &inputs[i], &params[2 * i], &params[2 * i + 1]));
        let (p, arg) = maxpool2d_forward(&stage.pool, &a);
        acts.push(a);
        args.push(arg);
        inputs.push(p);
    }
    let fc = LinearShape { batch, inputs: s.features(), outputs: s.hidden };
    let hidden = relu_forward(&linear_forward(&fc, &inputs[3], &params[6], &params[7]));
    let mut grads = vec![vec![]; params.len()];
    let mut dhidden = vec![0.0; batch * s.hidden];
    for (h, head) in s.heads.iter().enumerate() {
        let hs = LinearShape { batch, inputs: s.hidden, outputs: head.classes.len() };
        let logits = linear_forward(&hs, &hidden, &params[8 + 2 * h], &params[9 + 2 * h]);
        let ce = softmax_cross_entropy(head.classes.len(), &logits, &labels[h]);
        let dl: Vec<f64> = ce.dlogits.iter().map(|g| g * weights[h]).collect();
        let (dw, db) = linear_backward_weight(&hs, &hidden, &dl);
        grads[8 + 2 * h] = dw;
        grads[9 + 2 * h] = db;
        for (acc, g) in dhidden.iter_mut().zip(linear_backward_input(&hs, &params[8 + 2 * h], &dl)) {
            *acc += g;
        }
    }
    let dpre = relu_backward(&hidden, &dhidden);
    let (dw, db) = linear_backward_weight(&fc, &inputs[3], &dpre);
    grads[6] = dw;
    grads[7] = db;
    let mut dpooled = linear_backward_input(&fc, &params[6], &dpre);
    for i in (0..3).rev() {
        let da = relu_backward(&acts[i], &maxpool2d_backward(&st[i].pool, &args[i], &dpooled));
        let (dw, db) = conv2d_backward_weight(&st[i].conv, &inputs[i], &da);
        grads[2 * i] = dw;
        grads[2 * i + 1] = db;
        dpooled = conv2d_backward_input(&st[i].conv, &params[2 * i], &da);
    }
    grads
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
    let expected = reference_gradients(&s, batch, &params64, &x64, &labels, &[1.0, 0.5]);

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
    let labels = vec![random_labels(batch, 5, 3), random_labels(batch, 6, 4)];
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
