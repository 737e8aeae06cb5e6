//! linear launchers: forward (with bias and optional ReLU), input gradient, weight and bias gradient.

use crate::{Gpu, Kernel, Kernels, LinearShape, Op, Pass, Result, Tensor, expect, nonzero, params};

impl LinearShape {
    fn check(&self, op: &str) -> Result<()> {
        nonzero(op, &[("batch", self.batch), ("inputs", self.inputs), ("outputs", self.outputs)])
    }
    fn forward_params(&self, relu: bool) -> params::LinearForward {
        let (batch, inputs, outputs) = (self.batch as u32, self.inputs as u32, self.outputs as u32);
        params::LinearForward { batch, inputs, outputs, relu: relu as u32 }
    }
    fn backward_params(&self, accumulate: bool) -> params::LinearBackward {
        let (batch, inputs, outputs) = (self.batch as u32, self.inputs as u32, self.outputs as u32);
        params::LinearBackward { batch, inputs, outputs, accumulate: accumulate as u32 }
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
        let kernel = self.kernel_for(Pass::LinearForward);
        let d = self.dispatch(
            gpu,
            kernel,
            &s.forward_params(relu),
            &[("x", x), ("weight", weight), ("bias", bias), ("y", y)],
            kernel.desc().invocations(s.batch, s.outputs),
        )?;
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
        let kernel = self.kernel_for(Pass::LinearBackwardInput);
        let d = self.dispatch(
            gpu,
            kernel,
            &s.backward_params(accumulate),
            &[("dy", dy), ("weight", weight), ("dx", dx)],
            kernel.desc().invocations(s.batch, s.inputs),
        )?;
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
        let kernel = self.kernel_for(Pass::LinearBackwardWeight);
        let d = self.dispatch(
            gpu,
            kernel,
            &s.backward_params(accumulate),
            &[("x", x), ("dy", dy), ("dweight", dweight), ("dbias", dbias)],
            kernel.desc().invocations(s.outputs, s.inputs + 1),
        )?;
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), vec![d]))
    }

    /// dx = dy · weight for a layer with few outputs (the heads), one dx value per invocation;
    /// with `relu_output = Some(x)`, where x is the layer's input and a ReLU's output, ReLU's
    /// backward is fused in (dx = 0 where x <= 0). Added to dx if `accumulate`.
    pub fn linear_backward_input_narrow(
        &self,
        gpu: &Gpu,
        s: &LinearShape,
        weight: &Tensor,
        dy: &Tensor,
        relu_output: Option<&Tensor>,
        dx: &Tensor,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "linear_backward_input_narrow";
        s.check(op)?;
        expect(op, "weight", weight, &[s.outputs, s.inputs])?;
        expect(op, "output gradient", dy, &[s.batch, s.outputs])?;
        expect(op, "input gradient", dx, &[s.batch, s.inputs])?;
        if let Some(x) = relu_output {
            expect(op, "ReLU output", x, &[s.batch, s.inputs])?;
        }
        let p = params::LinearBackwardNarrow {
            batch: s.batch as u32,
            inputs: s.inputs as u32,
            outputs: s.outputs as u32,
            accumulate: accumulate as u32,
            relu_mask: relu_output.is_some() as u32,
            _pad: [0; 3],
        };
        let kernel = Kernel::LinearBackwardInputNarrow;
        // Without a mask the x binding is unused; dy (read-only) stands in for it.
        let x = relu_output.unwrap_or(dy);
        let d = self.dispatch(
            gpu,
            kernel,
            &p,
            &[("dy", dy), ("weight", weight), ("x", x), ("dx", dx)],
            kernel.desc().invocations(s.batch, s.inputs),
        )?;
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), vec![d]))
    }
}
