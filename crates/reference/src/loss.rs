//! Softmax cross-entropy over a batch, mean over the batch (PyTorch's `cross_entropy`).

use crate::Real;

/// The loss, the gradient of the logits, and how many rows predicted their label.
#[derive(Clone, Debug)]
pub struct CrossEntropy<T> {
    pub loss: T,
    pub dlogits: Vec<T>,
    pub correct: usize,
}

/// logits: `[batch, classes]`, labels: `[batch]`.
/// loss = mean_b (logsumexp(logits[b]) − logits[b, label_b]);
/// dlogits[b, c] = (softmax(logits[b])[c] − [c = label_b]) / batch.
/// A row is correct when its first largest logit is at its label.
pub fn softmax_cross_entropy<T: Real>(classes: usize, logits: &[T], labels: &[u32]) -> CrossEntropy<T> {
    let batch = labels.len();
    assert_eq!(logits.len(), batch * classes);
    let n = T::from_f64(batch as f64);
    let mut loss = T::zero();
    let mut dlogits = Vec::with_capacity(logits.len());
    let mut correct = 0;
    for (row, &label) in logits.chunks(classes).zip(labels) {
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
