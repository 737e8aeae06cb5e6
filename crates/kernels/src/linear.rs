//! linear launchers: forward (with bias and optional ReLU), input gradient, weight and bias gradient.

use crate::{
    Gpu, Kernel, Kernels, Launch, LinearShape, Op, Pass, Result, SplitRule, Tensor, Variant, Work, expect, nonzero,
    params, split_reduction,
};

impl LinearShape {
    fn check(&self, op: &str) -> Result<()> {
        nonzero(op, &[("batch", self.batch), ("inputs", self.inputs), ("outputs", self.outputs)])
    }
    /// The shapes both input-gradient launchers take.
    fn check_backward_input(&self, op: &str, weight: &Tensor, dy: &Tensor, dx: &Tensor) -> Result<()> {
        self.check(op)?;
        expect(op, "weight", weight, &[self.outputs, self.inputs])?;
        expect(op, "output gradient", dy, &[self.batch, self.outputs])?;
        expect(op, "input gradient", dx, &[self.batch, self.inputs])
    }

    /// What an input-gradient launch does: dx `[batch, inputs]`, a dot product over the outputs
    /// per value.
    fn backward_input_work(&self, kernel: Launch) -> Work {
        Work {
            invocations: kernel.invocations(self.batch, self.inputs),
            serial: self.outputs as u64,
            outputs: (self.batch * self.inputs) as u64,
            flops: self.flops(),
        }
    }

    fn forward_params(&self, relu: bool, splits: usize, chunk: usize) -> params::LinearForward {
        let (batch, inputs, outputs) = (self.batch as u32, self.inputs as u32, self.outputs as u32);
        let (relu, chunk, splits) = (relu as u32, chunk as u32, splits as u32);
        params::LinearForward { batch, inputs, outputs, relu, chunk, splits, _pad: [0; 2] }
    }
    fn outputs_len(&self) -> u64 {
        (self.batch * self.outputs) as u64
    }
    fn backward_params(&self, accumulate: bool) -> params::LinearBackward {
        let (batch, inputs, outputs) = (self.batch as u32, self.inputs as u32, self.outputs as u32);
        params::LinearBackward { batch, inputs, outputs, accumulate: accumulate as u32 }
    }
}

impl Kernels {
    /// The kernel `pass` runs at `s`: the chosen variant's, except that the subgroup variant's
    /// linear kernels read vec4s along both dimensions and leave other shapes to the blocked ones.
    fn linear_kernel(&self, pass: Pass, s: &LinearShape) -> Launch {
        let kernel = self.kernel_for(pass, s);
        let vec4_rows = s.inputs.is_multiple_of(4) && s.outputs.is_multiple_of(4);
        if kernel.desc().variant == Some(Variant::Subgroup) && !vec4_rows {
            return Launch::at(Kernel::for_pass(pass, Variant::Blocked), Some(kernel.workgroup));
        }
        kernel
    }

    /// y = x · weightᵀ + bias, then ReLU if `relu`. x may have any shape with `batch × inputs`
    /// elements (a pooled feature map is flattened in NCHW order, as `torch.flatten(x, 1)`).
    #[allow(clippy::too_many_arguments)] // one argument per binding, as the kernel declares them
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
        let kernel = self.linear_kernel(Pass::LinearForward, s);
        let tiles = kernel.invocations(s.batch, s.outputs);
        let width = self.pick_by_key(&crate::pass_key(Pass::LinearForward, s)).splits;
        let (splits, chunk) = split_reduction(s.inputs, tiles, s.outputs_len(), SplitRule::LINEAR, width);
        let name = format!("{op} {}->{}", s.inputs, s.outputs);
        // x and the weights from texel mirrors where the pick says so (Self::dispatch_reading).
        let texels = self.pick_by_key(&crate::pass_key(Pass::LinearForward, s)).texels;
        let mirrored = [("x", x), ("weight", weight)];
        let rest = |y| [("bias", bias), ("y", y)];
        let outputs = s.outputs_len() * splits as u64;
        let work = Work { invocations: tiles * splits as u64, serial: chunk as u64, outputs, flops: s.flops() };
        if splits == 1 {
            let params = s.forward_params(relu, 1, s.inputs);
            let d = self.dispatch_reading(gpu, kernel, texels, &params, &mirrored, &rest(y), work)?;
            return Ok(Op::new(name, d).for_pass(Pass::LinearForward, s));
        }
        // Split-K: raw partial sums per split, then their sum with bias and ReLU.
        let partial = Tensor::zeros(gpu, "linear partial sums", &[splits, s.batch, s.outputs])?;
        let params = s.forward_params(relu, splits, chunk);
        let mut dispatches = self.dispatch_reading(gpu, kernel, texels, &params, &mirrored, &rest(&partial), work)?;
        let rp = params::LinearReduce {
            batch: s.batch as u32,
            outputs: s.outputs as u32,
            splits: splits as u32,
            relu: relu as u32,
        };
        let n = s.outputs_len();
        // Four outputs an invocation where they come in fours (the shared layer's 1024), for the
        // variants shaped for CPU adapters; the GPU variant keeps one per output (a wide pass
        // there needs its invocations more than fewer accesses).
        let fours = s.outputs.is_multiple_of(4) && kernel.desc().variant != Some(Variant::Tiled);
        let (reduce_kernel, per) = if fours { (Kernel::LinearReduceVec4, 4) } else { (Kernel::LinearReduce, 1) };
        let reduce = self.dispatch(
            gpu,
            reduce_kernel,
            &rp,
            &[("partial", &partial), ("bias", bias), ("y", y)],
            Work { invocations: n / per, serial: splits as u64, outputs: n, flops: 0 },
        )?;
        dispatches.push(reduce);
        let mut out = Op::new(name, dispatches).for_pass(Pass::LinearForward, s);
        out.scratch.push(partial);
        Ok(out)
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
        s.check_backward_input(op, weight, dy, dx)?;
        let kernel = self.linear_kernel(Pass::LinearBackwardInput, s);
        // dy and the weights from texel mirrors where the pick says so (Self::dispatch_reading).
        let texels = self.pick_by_key(&crate::pass_key(Pass::LinearBackwardInput, s)).texels;
        let params = s.backward_params(accumulate);
        let mirrored = [("dy", dy), ("weight", weight)];
        let work = s.backward_input_work(kernel);
        let d = self.dispatch_reading(gpu, kernel, texels, &params, &mirrored, &[("dx", dx)], work)?;
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), d).for_pass(Pass::LinearBackwardInput, s))
    }

    /// dweight = dyᵀ · x and dbias = Σ_b dy (added to them if `accumulate`).
    #[allow(clippy::too_many_arguments)] // one argument per binding, as the kernel declares them
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
        let kernel = self.linear_kernel(Pass::LinearBackwardWeight, s);
        // x and dy from texel mirrors where the pick says so (Self::dispatch_reading).
        let texels = self.pick_by_key(&crate::pass_key(Pass::LinearBackwardWeight, s)).texels;
        let work = Work {
            invocations: kernel.invocations(s.outputs, s.inputs + 1),
            serial: s.batch as u64,
            outputs: (s.outputs * (s.inputs + 1)) as u64,
            flops: s.flops(),
        };
        let params = s.backward_params(accumulate);
        let rest = [("dweight", dweight), ("dbias", dbias)];
        let d = self.dispatch_reading(gpu, kernel, texels, &params, &[("x", x), ("dy", dy)], &rest, work)?;
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), d).for_pass(Pass::LinearBackwardWeight, s))
    }

    /// dx = dy · weight for a layer with few outputs (the heads), one dx value per invocation;
    /// with `relu_output = Some(x)`, where x is the layer's input and a ReLU's output, ReLU's
    /// backward is fused in (dx = 0 where x <= 0). Added to dx if `accumulate`.
    #[allow(clippy::too_many_arguments)] // one argument per binding, as the kernel declares them
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
        s.check_backward_input(op, weight, dy, dx)?;
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
            s.backward_input_work(kernel.into()),
        )?;
        Ok(Op::new(format!("{op} {}->{}", s.inputs, s.outputs), vec![d]))
    }
}
