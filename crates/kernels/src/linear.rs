//! linear launchers: forward (with bias and optional ReLU), input gradient, weight and bias gradient.

use crate::{Gpu, Kernel, Kernels, LinearShape, Op, Result, Tensor, expect, nonzero, params};

impl LinearShape {
    fn check(&self, op: &str) -> Result<()> {
        nonzero(op, &[("batch", self.batch), ("inputs", self.inputs), ("outputs", self.outputs)])
    }
    fn params(&self, flag: bool) -> params::Linear {
        params::Linear {
            batch: self.batch as u32,
            inputs: self.inputs as u32,
            outputs: self.outputs as u32,
            flag: flag as u32,
        }
    }
}

impl Kernels {
    /// y = x · weightᵀ + bias, then ReLU if `relu`. x may have any shape with `batch × inputs`
    /// elements (a pooled feature map is flattened in NCHW order, as `torch.flatten(x, 1)`).
    pub fn linear_forward(
        &self,
        gpu: &Gpu,
        s: &LinearShape,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        y: &Tensor,
        relu: bool,
    ) -> Result<Op> {
        let op = "linear_forward";
        s.check(op)?;
        expect(op, "input", x, &[s.batch, s.inputs])?;
        expect(op, "weight", weight, &[s.outputs, s.inputs])?;
        expect(op, "bias", bias, &[s.outputs])?;
        expect(op, "output", y, &[s.batch, s.outputs])?;
        let d = self.dispatch(
            gpu,
            self.pick(Kernel::LinearForward, Kernel::LinearForwardTiled),
            &s.params(relu),
            &[&x.buffer, &weight.buffer, &bias.buffer, &y.buffer],
            self.variant.invocations(s.batch, s.outputs),
        );
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), vec![d]))
    }

    /// dx = dy · weight (added to dx if `accumulate`).
    pub fn linear_backward_input(
        &self,
        gpu: &Gpu,
        s: &LinearShape,
        weight: &Tensor,
        dy: &Tensor,
        dx: &Tensor,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "linear_backward_input";
        s.check(op)?;
        expect(op, "weight", weight, &[s.outputs, s.inputs])?;
        expect(op, "output gradient", dy, &[s.batch, s.outputs])?;
        expect(op, "input gradient", dx, &[s.batch, s.inputs])?;
        let d = self.dispatch(
            gpu,
            self.pick(Kernel::LinearBackwardInput, Kernel::LinearBackwardInputTiled),
            &s.params(accumulate),
            &[&dy.buffer, &weight.buffer, &dx.buffer],
            self.variant.invocations(s.batch, s.inputs),
        );
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), vec![d]))
    }

    /// dweight = dyᵀ · x and dbias = Σ_b dy (added to them if `accumulate`).
    pub fn linear_backward_weight(
        &self,
        gpu: &Gpu,
        s: &LinearShape,
        x: &Tensor,
        dy: &Tensor,
        dweight: &Tensor,
        dbias: &Tensor,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "linear_backward_weight";
        s.check(op)?;
        expect(op, "input", x, &[s.batch, s.inputs])?;
        expect(op, "output gradient", dy, &[s.batch, s.outputs])?;
        expect(op, "weight gradient", dweight, &[s.outputs, s.inputs])?;
        expect(op, "bias gradient", dbias, &[s.outputs])?;
        let d = self.dispatch(
            gpu,
            self.pick(Kernel::LinearBackwardWeight, Kernel::LinearBackwardWeightTiled),
            &s.params(accumulate),
            &[&x.buffer, &dy.buffer, &dweight.buffer, &dbias.buffer],
            self.variant.invocations(s.outputs, s.inputs + 1),
        );
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), vec![d]))
    }
}
