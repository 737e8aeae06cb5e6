//! Evaluation: losses, accuracies, both-correct and confusion matrices over a set of images.

use anyhow::Result;
use model::Model;

use crate::data::Dataset;

/// What a model gets right on a set of images. A head counts only the images that have a label
/// for it (a label table may leave cells empty); "all heads correct" counts the images labelled
/// for every head.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub count: usize,
    /// Per head, the images with a label for it.
    pub labelled: Vec<usize>,
    /// Images labelled for every head.
    pub fully_labelled: usize,
    /// Mean cross-entropy per head.
    pub loss: Vec<f64>,
    /// Correct predictions per head.
    pub correct: Vec<usize>,
    /// Images labelled for every head whose every head is correct.
    pub all_correct: usize,
    /// Per head, `confusion[truth][predicted]`.
    pub confusion: Vec<Vec<Vec<u64>>>,
}

impl Evaluation {
    pub fn accuracy(&self, head: usize) -> f64 {
        self.correct[head] as f64 / self.labelled[head].max(1) as f64
    }
    pub fn all_accuracy(&self) -> f64 {
        self.all_correct as f64 / self.fully_labelled.max(1) as f64
    }
    pub fn total_loss(&self) -> f64 {
        self.loss.iter().sum()
    }
}

/// A share as a percentage with one decimal: `97.0%`.
pub fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// "color 97.0% item 95.1% both 93.2%".
pub fn accuracies(e: &Evaluation, data: &Dataset) -> String {
    let heads: Vec<String> =
        data.heads.iter().enumerate().map(|(i, h)| format!("{} {}", h.name, pct(e.accuracy(i)))).collect();
    format!("{} both {}", heads.join(" "), pct(e.all_accuracy()))
}

/// Index of the first largest value.
pub fn argmax(row: &[f32]) -> usize {
    (0..row.len()).fold(0, |best, c| if row[c] > row[best] { c } else { best })
}

/// Softmax probabilities of one row of logits.
pub fn softmax(row: &[f32]) -> Vec<f64> {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
    let exps: Vec<f64> = row.iter().map(|&v| (v as f64 - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// Runs the model over `indices` of `data` in batches of at most `batch`.
pub fn evaluate(model: &mut Model, data: &Dataset, indices: &[usize], batch: usize) -> Result<Evaluation> {
    let heads = data.heads.len();
    let mut e = Evaluation {
        count: indices.len(),
        labelled: vec![0; heads],
        fully_labelled: 0,
        loss: vec![0.0; heads],
        correct: vec![0; heads],
        all_correct: 0,
        confusion: data.heads.iter().map(|h| vec![vec![0; h.classes.len()]; h.classes.len()]).collect(),
    };
    let mut bytes = Vec::new();
    let n = data.image_len();
    for chunk in indices.chunks(batch.max(1)) {
        // The images cross as bytes; the device makes them floats.
        bytes.clear();
        chunk.iter().for_each(|&i| bytes.extend_from_slice(&data.pixels[i * n..(i + 1) * n]));
        let logits = model.logits_bytes(&bytes, chunk.len())?;
        let mut all = vec![true; chunk.len()];
        for (h, head_logits) in logits.iter().enumerate().take(heads) {
            let classes = data.heads[h].classes.len();
            for (row, (&i, ok)) in head_logits.chunks(classes).zip(chunk.iter().zip(all.iter_mut())) {
                let truth = data.labels[h][i] as usize;
                if truth >= classes {
                    *ok = false; // no label for this head: not counted, not "all correct" either
                    continue;
                }
                e.labelled[h] += 1;
                let p = softmax(row);
                e.loss[h] -= p[truth].max(1e-300).ln();
                let guess = argmax(row);
                e.confusion[h][truth][guess] += 1;
                if guess == truth {
                    e.correct[h] += 1;
                } else {
                    *ok = false;
                }
            }
        }
        e.all_correct += all.iter().filter(|&&ok| ok).count();
        e.fully_labelled += chunk.iter().filter(|&&i| (0..heads).all(|h| data.labels[h][i] != model::IGNORE)).count();
    }
    for (l, &n) in e.loss.iter_mut().zip(&e.labelled) {
        *l /= n.max(1) as f64;
    }
    Ok(e)
}

/// A confusion matrix as text: rows are the truth, columns the prediction.
pub fn confusion_table(classes: &[String], matrix: &[Vec<u64>]) -> String {
    let width = classes.iter().map(|c| c.len()).max().unwrap_or(4).max(6);
    let first = width.max(17);
    let mut out = format!("{:>first$}", "truth \\ predicted");
    for c in classes {
        out += &format!(" {c:>width$}");
    }
    out.push('\n');
    for (c, row) in classes.iter().zip(matrix) {
        out += &format!("{c:>first$}");
        for v in row {
            out += &format!(" {v:>width$}");
        }
        out.push('\n');
    }
    out
}

/// A confusion matrix as CSV.
pub fn confusion_csv(classes: &[String], matrix: &[Vec<u64>]) -> String {
    let mut out = format!("truth\\predicted,{}\n", classes.join(","));
    for (c, row) in classes.iter().zip(matrix) {
        out += &format!("{c},{}\n", row.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","));
    }
    out
}
