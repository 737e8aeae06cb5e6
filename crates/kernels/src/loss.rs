//! softmax cross-entropy launcher.

use crate::{Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, expect, nonzero, params};

impl Kernels {
    /// Mean softmax cross-entropy of `logits` [batch, classes] against `labels` [batch] (u32),
    /// with the gradient of the logits scaled by `weight`. The unweighted loss and the count of
    /// correct rows go to `stats[2·slot]` and `stats[2·slot + 1]` (added to them if `accumulate`).
    #[allow(clippy::too_many_arguments)]
    pub fn softmax_cross_entropy(
        &self,
        gpu: &Gpu,
        batch: usize,
        classes: usize,
        logits: &Tensor,
        labels: &Tensor,
        dlogits: &Tensor,
        stats: &Tensor,
        slot: usize,
        weight: f32,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "softmax_cross_entropy";
        nonzero(op, &[("batch", batch), ("classes", classes)])?;
        expect(op, "logits", logits, &[batch, classes])?;
        expect(op, "labels", labels, &[batch])?;
        expect(op, "logits gradient", dlogits, &[batch, classes])?;
        if stats.len() < 2 * (slot + 1) {
            return Err(GpuError::shape(op, format!("stats {:?} has no slot {slot}", stats.shape)));
        }
        let p = params::CrossEntropy {
            batch: batch as u32,
            classes: classes as u32,
            slot: slot as u32,
            accumulate: accumulate as u32,
            weight,
            _pad: [0; 3],
        };
        // A single workgroup: the batch reduction happens inside it.
        let d = self.dispatch(
            gpu,
            Kernel::SoftmaxCrossEntropy,
            &p,
            &[("logits", logits), ("labels", labels), ("dlogits", dlogits), ("stats", stats)],
            1,
        )?;
        Ok(Op::new(format!("{op} [{batch}, {classes}]"), vec![d]))
    }
}
