//! Layer 3: tiny cases worked out by hand (arange inputs), with exact expected values.
//! Every value here is an integer or a short binary fraction, so f32 represents it exactly
//! and the kernels must reproduce it exactly (except the loss, which goes through exp/log).

use kernels::{AdamHyper, Conv2dShape, HeadLoss, LinearShape, Pool2dShape, Tensor};
use twinhead::{gpu, variants};

fn arange(n: usize) -> Vec<f32> {
    (0..n).map(|i| i as f32).collect()
}
fn t(label: &str, shape: &[usize], data: &[f32]) -> Tensor {
    Tensor::from_slice(&gpu().0, label, shape, data).unwrap()
}
fn z(label: &str, shape: &[usize]) -> Tensor {
    Tensor::zeros(&gpu().0, label, shape).unwrap()
}
fn run(op: kernels::Result<kernels::Op>) {
    let op = op.unwrap();
    kernels::record::run(&gpu().0, &op.name, |r| op.record(r)).unwrap();
}
fn read(t: &Tensor) -> Vec<f32> {
    t.to_vec(&gpu().0).unwrap()
}

#[test]
fn conv2d_on_arange() {
    for k in variants() {
        conv2d_on_arange_with(k);
    }
}

fn conv2d_on_arange_with(k: &kernels::Kernels) {
    let g = &gpu().0;
    // x[i, j] = 4i + j on a 4×4 image, 2×2 kernel [[1, 2], [3, 4]], bias 0.5:
    // y[i, j] = (4i+j) + 2(4i+j+1) + 3(4i+j+4) + 4(4i+j+5) + 0.5 = 40i + 10j + 34.5
    let s = Conv2dShape { batch: 1, c_in: 1, h: 4, w: 4, c_out: 1, kh: 2, kw: 2, stride: 1, pad: 0 };
    let x = t("x", &[1, 1, 4, 4], &arange(16));
    let w = t("w", &[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
    let b = t("b", &[1], &[0.5]);
    let y = z("y", &[1, 1, 3, 3]);
    run(k.conv2d_forward(g, &s, &x, &w, &b, &y, false));
    assert_eq!(read(&y), [34.5, 44.5, 54.5, 74.5, 84.5, 94.5, 114.5, 124.5, 134.5]);

    // dy = 1 everywhere: each input collects the kernel taps that read it.
    let dy = t("dy", &[1, 1, 3, 3], &[1.0; 9]);
    let dx = z("dx", &[1, 1, 4, 4]);
    run(k.conv2d_backward_input(g, &s, &w, &dy, &dx, false));
    assert_eq!(read(&dx), [1.0, 3.0, 3.0, 2.0, 4.0, 10.0, 10.0, 6.0, 4.0, 10.0, 10.0, 6.0, 3.0, 7.0, 7.0, 4.0]);

    // dw[ky, kx] = Σ of the 3×3 block of x at (ky, kx) = 9(4ky + kx) + 45; db = 9 outputs.
    let (dw, db) = (z("dw", &[1, 1, 2, 2]), z("db", &[1]));
    run(k.conv2d_backward_weight(g, &s, &x, &dy, &dw, &db, false));
    assert_eq!(read(&dw), [45.0, 54.0, 81.0, 90.0]);
    assert_eq!(read(&db), [9.0]);

    // Gradients accumulate on request (llm.c's rule: += after an explicit zeroing).
    run(k.conv2d_backward_weight(g, &s, &x, &dy, &dw, &db, true));
    assert_eq!(read(&dw), [90.0, 108.0, 162.0, 180.0]);
    assert_eq!(read(&db), [18.0]);
}

#[test]
fn conv2d_padding_on_arange() {
    for k in variants() {
        conv2d_padding_on_arange_with(k);
    }
}

fn conv2d_padding_on_arange_with(k: &kernels::Kernels) {
    let g = &gpu().0;
    // A 3×3 kernel of ones with padding 1 on a 2×2 image [[0, 1], [2, 3]]: every output sees
    // the whole image, so y = 6 everywhere; stride 2 keeps only the top-left output.
    let s = Conv2dShape { batch: 1, c_in: 1, h: 2, w: 2, c_out: 1, kh: 3, kw: 3, stride: 1, pad: 1 };
    let x = t("x", &[1, 1, 2, 2], &arange(4));
    let (w, b) = (t("w", &[1, 1, 3, 3], &[1.0; 9]), t("b", &[1], &[0.0]));
    let y = z("y", &[1, 1, 2, 2]);
    run(k.conv2d_forward(g, &s, &x, &w, &b, &y, false));
    assert_eq!(read(&y), [6.0; 4]);
    let s2 = Conv2dShape { stride: 2, ..s };
    let y2 = z("y", &[1, 1, 1, 1]);
    run(k.conv2d_forward(g, &s2, &x, &w, &b, &y2, false));
    assert_eq!(read(&y2), [6.0]);
}

#[test]
fn maxpool2d_on_arange() {
    let (g, k) = gpu();
    let s = Pool2dShape { batch: 1, channels: 1, h: 4, w: 4, window: 2, stride: 2 };
    let x = t("x", &[1, 1, 4, 4], &arange(16));
    let (y, arg) = (z("y", &[1, 1, 2, 2]), Tensor::zeros_u32(g, "argmax", &[1, 1, 2, 2]).unwrap());
    run(k.maxpool2d_forward(g, &s, &x, &y, &arg));
    assert_eq!(read(&y), [5.0, 7.0, 13.0, 15.0]);
    assert_eq!(arg.to_vec_u32(g).unwrap(), [5, 7, 13, 15]);
    let dy = t("dy", &[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
    let dx = z("dx", &[1, 1, 4, 4]);
    run(k.maxpool2d_backward(g, &s, &dy, &arg, None, &dx));
    let mut expected = [0.0f32; 16];
    (expected[5], expected[7], expected[13], expected[15]) = (1.0, 2.0, 3.0, 4.0);
    assert_eq!(read(&dx), expected);

    // Ties go to the first position in row-major order, like PyTorch; a 5×5 input floors to 2×2.
    let s = Pool2dShape { batch: 1, channels: 1, h: 5, w: 5, window: 2, stride: 2 };
    let x = t("x", &[1, 1, 5, 5], &[1.0; 25]);
    run(k.maxpool2d_forward(g, &s, &x, &y, &arg));
    assert_eq!(arg.to_vec_u32(g).unwrap(), [0, 2, 10, 12]);
}

#[test]
fn relu_on_small_values() {
    let (g, k) = gpu();
    let x = t("x", &[5], &[-2.0, -1.0, 0.0, 1.0, 2.0]);
    let y = z("y", &[5]);
    run(k.relu_forward(g, &x, &y));
    assert_eq!(read(&y), [0.0, 0.0, 0.0, 1.0, 2.0]);
    let (dy, dx) = (t("dy", &[5], &[3.0; 5]), z("dx", &[5]));
    run(k.relu_backward(g, &y, &dy, &dx));
    assert_eq!(read(&dx), [0.0, 0.0, 0.0, 3.0, 3.0]); // the gradient at 0 is 0
}

#[test]
fn linear_on_arange() {
    for k in variants() {
        linear_on_arange_with(k);
    }
}

fn linear_on_arange_with(k: &kernels::Kernels) {
    let g = &gpu().0;
    // x = [[0, 1, 2], [3, 4, 5]], weight = [[0, 1, 2], [3, 4, 5]], bias = [1, −1]
    let s = LinearShape { batch: 2, inputs: 3, outputs: 2 };
    let x = t("x", &[2, 3], &arange(6));
    let w = t("w", &[2, 3], &arange(6));
    let b = t("b", &[2], &[1.0, -1.0]);
    let y = z("y", &[2, 2]);
    run(k.linear_forward(g, &s, &x, &w, &b, &y, false));
    assert_eq!(read(&y), [6.0, 13.0, 15.0, 49.0]);
    let dy = t("dy", &[2, 2], &[1.0; 4]);
    let dx = z("dx", &[2, 3]);
    run(k.linear_backward_input(g, &s, &w, &dy, &dx, false));
    assert_eq!(read(&dx), [3.0, 5.0, 7.0, 3.0, 5.0, 7.0]);
    let (dw, db) = (z("dw", &[2, 3]), z("db", &[2]));
    run(k.linear_backward_weight(g, &s, &x, &dy, &dw, &db, false));
    assert_eq!(read(&dw), [3.0, 5.0, 7.0, 3.0, 5.0, 7.0]);
    assert_eq!(read(&db), [2.0, 2.0]);
}

#[test]
fn cross_entropy_on_known_probabilities() {
    let (g, k) = gpu();
    // Row 0: logits [0, 0], label 0 → p = [½, ½], loss ln 2.
    // Row 1: logits [0, ln 3], label 1 → p = [¼, ¾], loss ln(4/3).
    // Mean loss ln(8/3)/2; both rows correct (row 0's tie goes to the first class).
    let logits = t("logits", &[2, 2], &[0.0, 0.0, 0.0, 3f32.ln()]);
    let labels = Tensor::from_u32(g, "labels", &[1, 2], &[0, 1]).unwrap();
    let (dl, stats) = (z("dlogits", &[2, 2]), z("stats", &[2]));
    run(k.softmax_cross_entropy(
        g,
        2,
        &[HeadLoss { classes: 2, weight: 1.0 }],
        &logits,
        &labels,
        &dl,
        &stats,
        0,
        false,
    ));
    let s = read(&stats);
    assert!((s[0] as f64 - (8.0f64 / 3.0).ln() / 2.0).abs() < 1e-6, "loss {}", s[0]);
    assert_eq!(s[1], 2.0);
    let d = read(&dl);
    let expected = [-0.25, 0.25, 0.125, -0.125];
    for (got, want) in d.iter().zip(expected) {
        assert!((got - want).abs() < 1e-7, "dlogits {d:?} vs {expected:?}");
    }
}

#[test]
fn adam_first_step_by_hand() {
    let (g, k) = gpu();
    // p = 1, g = 0.5, lr 0.1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25 → p = 1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.9
    let hyper = k.adam_params_buffer(g);
    g.queue.write_buffer(&hyper, 0, bytemuck::bytes_of(&AdamHyper::new(0.1).at_step(1)));
    let (p, gr, m, v) = (t("p", &[1], &[1.0]), t("g", &[1], &[0.5]), z("m", &[1]), z("v", &[1]));
    run(k.adam(g, &hyper, &p, &gr, &m, &v));
    assert!((read(&p)[0] - 0.9).abs() < 1e-6, "param {}", read(&p)[0]);
    assert!((read(&m)[0] - 0.05).abs() < 1e-8);
    assert!((read(&v)[0] - 0.00025).abs() < 1e-9);
}
