//! Layer 1: the reference's backward passes against central finite differences, in f64.
//!
//! For each operation, L = Σ r ⊙ f(inputs) with a fixed random r, so dL/dy = r and the
//! backward pass gives dL/d(input). Each gradient is checked at sampled coordinates and along
//! one random direction u (dL/dt of L(input + t·u) against ⟨grad, u⟩).

use reference::*;
use twinhead::random;

const H: f64 = 1e-6;

fn rand64(len: usize, seed: u64) -> Vec<f64> {
    random(len, seed, -1.0, 1.0).iter().map(|&v| v as f64).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Checks `grad` = d loss / d input at up to 12 coordinates and along one random direction.
fn check(name: &str, input: &[f64], grad: &[f64], loss: impl Fn(&[f64]) -> f64) {
    assert_eq!(input.len(), grad.len(), "{name}: gradient length");
    let at = |shift: &dyn Fn(&mut Vec<f64>, f64)| {
        let mut plus = input.to_vec();
        shift(&mut plus, H);
        let mut minus = input.to_vec();
        shift(&mut minus, -H);
        (loss(&plus) - loss(&minus)) / (2.0 * H)
    };
    let step = (input.len() / 12).max(1);
    for i in (0..input.len()).step_by(step).chain([input.len() - 1]) {
        let numeric = at(&|v: &mut Vec<f64>, h| v[i] += h);
        let err = (numeric - grad[i]).abs();
        assert!(
            err <= 1e-6 + 1e-5 * numeric.abs(),
            "{name}[{i}]: finite difference {numeric:.9e} vs backward {:.9e}",
            grad[i]
        );
    }
    let u = rand64(input.len(), 99);
    let numeric = at(&|v: &mut Vec<f64>, h| v.iter_mut().zip(&u).for_each(|(x, d)| *x += h * d));
    let analytic = dot(grad, &u);
    assert!(
        (numeric - analytic).abs() <= 1e-6 + 1e-5 * numeric.abs(),
        "{name} along a random direction: finite difference {numeric:.9e} vs backward {analytic:.9e}"
    );
}

fn conv_case(s: Conv2dShape) {
    let x = rand64(s.x_len(), 1);
    let w = rand64(s.w_len(), 2);
    let b = rand64(s.c_out, 3);
    let r = rand64(s.y_len(), 4);
    let dx = conv2d_backward_input(&s, &w, &r);
    let (dw, db) = conv2d_backward_weight(&s, &x, &r);
    check(&format!("conv2d dx {s:?}"), &x, &dx, |x| dot(&conv2d_forward(&s, x, &w, &b), &r));
    check(&format!("conv2d dweight {s:?}"), &w, &dw, |w| dot(&conv2d_forward(&s, &x, w, &b), &r));
    check(&format!("conv2d dbias {s:?}"), &b, &db, |b| dot(&conv2d_forward(&s, &x, &w, b), &r));
}

#[test]
fn conv2d_backward_matches_finite_differences() {
    // The network's 3x3 valid convolution, then stride and padding, non-square and 1x1 kernels.
    conv_case(Conv2dShape { batch: 2, c_in: 3, h: 7, w: 6, c_out: 4, kh: 3, kw: 3, stride: 1, pad: 0 });
    conv_case(Conv2dShape { batch: 1, c_in: 2, h: 7, w: 9, c_out: 3, kh: 3, kw: 2, stride: 2, pad: 1 });
    conv_case(Conv2dShape { batch: 3, c_in: 5, h: 4, w: 4, c_out: 2, kh: 1, kw: 1, stride: 1, pad: 0 });
}

#[test]
fn maxpool2d_backward_matches_finite_differences() {
    // Random inputs have no ties, so the max is differentiable at them.
    for s in [
        Pool2dShape { batch: 2, channels: 3, h: 6, w: 6, window: 2, stride: 2 },
        Pool2dShape { batch: 1, channels: 2, h: 7, w: 5, window: 2, stride: 2 }, // odd sizes floor
        Pool2dShape { batch: 1, channels: 1, h: 7, w: 7, window: 3, stride: 2 }, // overlapping windows
    ] {
        let x = rand64(s.x_len(), 5);
        let r = rand64(s.y_len(), 6);
        let (_, arg) = maxpool2d_forward(&s, &x);
        let dx = maxpool2d_backward(&s, &arg, &r);
        check(&format!("maxpool2d dx {s:?}"), &x, &dx, |x| dot(&maxpool2d_forward(&s, x).0, &r));
    }
}

#[test]
fn relu_backward_matches_finite_differences() {
    // Keep inputs away from the kink at 0, where the finite difference is not the derivative.
    let x: Vec<f64> = rand64(40, 7).iter().map(|v| if v.abs() < 0.05 { v + 0.1 } else { *v }).collect();
    let r = rand64(40, 8);
    let dx = relu_backward(&relu_forward(&x), &r);
    check("relu dx", &x, &dx, |x| dot(&relu_forward(x), &r));
}

#[test]
fn linear_backward_matches_finite_differences() {
    let s = LinearShape { batch: 3, inputs: 11, outputs: 5 };
    let x = rand64(s.batch * s.inputs, 9);
    let w = rand64(s.outputs * s.inputs, 10);
    let b = rand64(s.outputs, 11);
    let r = rand64(s.batch * s.outputs, 12);
    let dx = linear_backward_input(&s, &w, &r);
    let (dw, db) = linear_backward_weight(&s, &x, &r);
    check("linear dx", &x, &dx, |x| dot(&linear_forward(&s, x, &w, &b), &r));
    check("linear dweight", &w, &dw, |w| dot(&linear_forward(&s, &x, w, &b), &r));
    check("linear dbias", &b, &db, |b| dot(&linear_forward(&s, &x, &w, b), &r));
}

#[test]
fn softmax_cross_entropy_gradient_matches_finite_differences() {
    let classes = 4;
    // Row 3 is ignored (its label is no class).
    let labels = [0u32, 3, 1, u32::MAX, 2];
    let logits: Vec<f64> = rand64(labels.len() * classes, 13).iter().map(|v| 3.0 * v).collect();
    let ce = softmax_cross_entropy(classes, &logits, &labels);
    check("cross-entropy dlogits", &logits, &ce.dlogits, |l| softmax_cross_entropy(classes, l, &labels).loss);
}

/// The whole network composed from the reference (as `tests/model_step.rs` checks the GPU step
/// against it), proven itself: the gradient of the weighted two-head loss with respect to every
/// parameter tensor against finite differences, at sampled coordinates and along a random
/// direction per tensor. 24×24 images, a 16-wide shared layer, one row's colour label masked.
#[test]
fn the_whole_network_loss_against_finite_differences() {
    use model::{HeadSpec, ModelSpec};
    use twinhead::network::{Batch, reference_gradients, reference_loss};
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let s = ModelSpec { image_size: 24, hidden: 16, heads: vec![head("color", 3), head("item", 4)] };
    let batch = 3;
    let shapes = s.parameters();
    // Weights at PyTorch's scale (U(±1/√fan_in)), so that ReLUs are neither all off nor all on.
    let params: Vec<Vec<f64>> = shapes
        .iter()
        .enumerate()
        .map(|(i, (_, shape))| {
            let fan_in: usize =
                if shape.len() > 1 { shape[1..].iter().product() } else { shapes[i - 1].1[1..].iter().product() };
            let bound = 1.0 / (fan_in as f64).sqrt();
            rand64(shape.iter().product(), 500 + i as u64).iter().map(|v| v * bound).collect()
        })
        .collect();
    let x: Vec<f64> = rand64(batch * s.image_len(), 600).iter().map(|v| 0.5 + 0.5 * v).collect();
    let mut labels = vec![twinhead::random_labels(batch, 601, 3), twinhead::random_labels(batch, 602, 4)];
    labels[0][1] = u32::MAX; // a grey image: its colour is not learnt
    let weights = [1.0, 0.5];
    let b = Batch { images: &x, labels: &labels, loss_weights: &weights };
    let grads = reference_gradients(&s, &params, &b);
    for (i, (name, _)) in shapes.iter().enumerate() {
        check(&format!("network loss / {name}"), &params[i], &grads[i], |p| {
            let mut all = params.clone();
            all[i] = p.to_vec();
            reference_loss(&s, &all, &b)
        });
    }
}
