//! Softmax cross-entropy over a batch, mean over the batch (PyTorch's `cross_entropy`).

use crate::Real;

/// The loss, the gradient of the logits, and how many rows predicted their label.
#[derive(Clone, Debug)]
pub struct CrossEntropy<T> {
    pub loss: T,
    pub dlogits: Vec<T>,
    pub correct: usize,
}

/// logits: `[batch, classes]`, labels: `[batch]`. Rows whose label is not a class
/// (label >= classes) are ignored, like PyTorch's `ignore_index`; V counts the others.
/// loss = (1/V) Σ_valid (logsumexp(logits[b]) − logits[b, label_b]);
/// dlogits[b, c] = (softmax(logits[b])[c] − [c = label_b]) / V, and 0 for ignored rows.
/// A row is correct when its first largest logit is at its label. With no valid row the loss
/// and the gradient are 0.
pub fn softmax_cross_entropy<T: Real>(classes: usize, logits: &[T], labels: &[u32]) -> CrossEntropy<T> {
    let batch = labels.len();
    assert_eq!(logits.len(), batch * classes);
    let valid = labels.iter().filter(|&&l| (l as usize) < classes).count();
    let n = T::from_f64(valid.max(1) as f64);
    let mut loss = T::zero();
    let mut dlogits = Vec::with_capacity(logits.len());
    let mut correct = 0;
    for (row, &label) in logits.chunks(classes).zip(labels) {
        if label as usize >= classes {
            dlogits.extend(std::iter::repeat_n(T::zero(), classes));
            continue;
        }
        let max = row.iter().fold(T::neg_infinity(), |m, &v| m.max(v));
        let sum: T = row.iter().map(|&v| (v - max).exp()).sum();
        loss = loss + (sum.ln() + max - row[label as usize]);
        for (c, &v) in row.iter().enumerate() {
            let p = (v - max).exp() / sum;
            let target = if c == label as usize { T::one() } else { T::zero() };
            dlogits.push((p - target) / n);
        }
        let argmax = (0..classes).fold(0, |best, c| if row[c] > row[best] { c } else { best });
        correct += usize::from(argmax == label as usize);
    }
    CrossEntropy { loss: loss / n, dlogits, correct }
}
