//! The tutorial network composed from the reference crate's operations in f64: its loss and
//! its gradients, for checking the GPU model's whole step and, by finite differences, the
//! composition itself.

use model::ModelSpec;
use reference::*;

/// One batch as the reference takes it: `[batch, 3, S, S]` images, each head's labels (a row
/// whose label is no class is masked for that head), and each head's loss weight.
#[derive(Clone, Copy)]
pub struct Batch<'a> {
    pub images: &'a [f64],
    pub labels: &'a [Vec<u32>],
    pub loss_weights: &'a [f64],
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

/// The trunk's forward pass and what its backward needs.
struct Trunk {
    /// Each conv's input (the images, then each pool's output; the last is the flat features).
    inputs: Vec<Vec<f64>>,
    /// Each conv's ReLU output, and where each pool took its maxima.
    acts: Vec<Vec<f64>>,
    args: Vec<Vec<u32>>,
    /// The shared layer's ReLU output.
    hidden: Vec<f64>,
}

fn trunk(s: &ModelSpec, batch: usize, params: &[Vec<f64>], x: &[f64]) -> Trunk {
    let mut t = Trunk { inputs: vec![x.to_vec()], acts: vec![], args: vec![], hidden: vec![] };
    for (i, stage) in stages(batch, s).iter().enumerate() {
        let a = relu_forward(&conv2d_forward(&stage.conv, &t.inputs[i], &params[2 * i], &params[2 * i + 1]));
        let (p, arg) = maxpool2d_forward(&stage.pool, &a);
        t.acts.push(a);
        t.args.push(arg);
        t.inputs.push(p);
    }
    let fc = LinearShape { batch, inputs: s.features(), outputs: s.hidden };
    t.hidden = relu_forward(&linear_forward(&fc, &t.inputs[3], &params[6], &params[7]));
    t
}

/// The reference's gradients (state-dict order) for the summed, weighted loss.
pub fn reference_gradients(s: &ModelSpec, params: &[Vec<f64>], b: &Batch<'_>) -> Vec<Vec<f64>> {
    let Batch { images: x, labels, loss_weights: weights } = *b;
    let batch = labels[0].len();
    let st = stages(batch, s);
    let Trunk { inputs, acts, args, hidden } = trunk(s, batch, params, x);
    let fc = LinearShape { batch, inputs: s.features(), outputs: s.hidden };
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

/// The weighted sum of the heads' mean cross-entropies, forward only (what the gradients are of).
pub fn reference_loss(s: &ModelSpec, params: &[Vec<f64>], b: &Batch<'_>) -> f64 {
    let Batch { images: x, labels, loss_weights: weights } = *b;
    let batch = labels[0].len();
    let hidden = trunk(s, batch, params, x).hidden;
    let mut loss = 0.0;
    for (h, head) in s.heads.iter().enumerate() {
        let hs = LinearShape { batch, inputs: s.hidden, outputs: head.classes.len() };
        let logits = linear_forward(&hs, &hidden, &params[8 + 2 * h], &params[9 + 2 * h]);
        loss += weights[h] * softmax_cross_entropy(head.classes.len(), &logits, &labels[h]).loss;
    }
    loss
}
