//! softmax cross-entropy launcher: every head's loss in one pass.

use crate::params::{self, MAX_HEADS};
use crate::{Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, Work, expect, nonzero};

/// One classification head's share of a joint logits matrix: its class count and loss weight
/// (its columns follow those of the heads before it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadLoss {
    pub classes: usize,
    pub weight: f32,
}

impl Kernels {
    /// Mean softmax cross-entropy of each head's columns of `logits` [batch, Σ classes] against
    /// its labels (`labels` [heads, batch], u32), with the gradient of the logits scaled by the
    /// head's weight. Head h's unweighted loss and count of correct rows go to
    /// `stats[2·(slot·heads + h)]` and the value after it (added to them if `accumulate`).
    #[allow(clippy::too_many_arguments)]
    pub fn softmax_cross_entropy(
        &self,
        gpu: &Gpu,
        batch: usize,
        heads: &[HeadLoss],
        logits: &Tensor,
        labels: &Tensor,
        dlogits: &Tensor,
        stats: &Tensor,
        slot: usize,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "softmax_cross_entropy";
        let stride: usize = heads.iter().map(|h| h.classes).sum();
        nonzero(op, &[("batch", batch), ("heads", heads.len())])?;
        if heads.len() > MAX_HEADS || heads.iter().any(|h| h.classes == 0) {
            return Err(GpuError::shape(op, format!("1 to {MAX_HEADS} heads of at least 1 class each, not {heads:?}")));
        }
        expect(op, "logits", logits, &[batch, stride])?;
        expect(op, "labels", labels, &[heads.len(), batch])?;
        expect(op, "logits gradient", dlogits, &[batch, stride])?;
        if stats.len() < 2 * heads.len() * (slot + 1) {
            return Err(GpuError::shape(
                op,
                format!("stats {:?} has no slot {slot} for {} heads", stats.shape, heads.len()),
            ));
        }
        let mut table = [[0u32; 4]; MAX_HEADS];
        let mut offset = 0;
        for (row, h) in table.iter_mut().zip(heads) {
            *row = [offset as u32, h.classes as u32, h.weight.to_bits(), 0];
            offset += h.classes;
        }
        let p = params::CrossEntropy {
            batch: batch as u32,
            stride: stride as u32,
            heads: heads.len() as u32,
            slot: slot as u32,
            accumulate: accumulate as u32,
            _pad0: 0,
            _pad1: 0,
            _pad2: 0,
            table,
        };
        // One workgroup of 64 per head: the batch reduction happens inside it.
        let d = self.dispatch(
            gpu,
            Kernel::SoftmaxCrossEntropy,
            &p,
            &[("logits", logits), ("labels", labels), ("dlogits", dlogits), ("stats", stats)],
            // Each invocation takes every 64th row of its head, each row's classes a few times.
            Work {
                invocations: 64 * heads.len() as u64,
                serial: (batch.div_ceil(64) * stride) as u64,
                outputs: (batch * stride + 2 * heads.len()) as u64,
                flops: 0,
            },
        )?;
        Ok(Op::new(format!("{op} [{batch}, {stride}] ({} heads)", heads.len()), vec![d]))
    }
}
