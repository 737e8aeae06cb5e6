//! conv2d launchers: forward (with bias and optional ReLU), input gradient, weight and bias gradient.

use crate::{Conv2dShape, Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, expect, nonzero, params};

impl Conv2dShape {
    fn check(&self, op: &str) -> Result<()> {
        nonzero(
            op,
            &[
                ("batch", self.batch),
                ("c_in", self.c_in),
                ("c_out", self.c_out),
                ("kh", self.kh),
                ("kw", self.kw),
                ("stride", self.stride),
            ],
        )?;
        if self.h + 2 * self.pad < self.kh || self.w + 2 * self.pad < self.kw {
            return Err(GpuError::shape(
                op,
                format!(
                    "input {:?} with padding {} is smaller than the kernel {}x{}",
                    self.x_shape(),
                    self.pad,
                    self.kh,
                    self.kw
                ),
            ));
        }
        Ok(())
    }

    fn params(&self, flag: bool) -> params::Conv2d {
        params::Conv2d {
            batch: self.batch as u32,
            c_in: self.c_in as u32,
            h: self.h as u32,
            w: self.w as u32,
            c_out: self.c_out as u32,
            out_h: self.out_h() as u32,
            out_w: self.out_w() as u32,
            kh: self.kh as u32,
            kw: self.kw as u32,
            stride: self.stride as u32,
            pad: self.pad as u32,
            flag: flag as u32,
        }
    }
}

/// How the weight gradient's reduction over all output pixels is split: enough independent
/// chunks for ~16k invocations (a few hundred workgroups of 64, or 64 of 256), each chunk at
/// least 64 rows long.
fn split_k(rows: usize, invocations_per_split: u64) -> (usize, usize) {
    let wanted = (16_384 / invocations_per_split.max(1)).max(1) as usize;
    let splits = wanted.min(rows.div_ceil(64)).max(1);
    let chunk = rows.div_ceil(splits);
    (rows.div_ceil(chunk), chunk)
}

impl Kernels {
    /// y = conv(x, weight) + bias, then ReLU if `relu`.
    pub fn conv2d_forward(
        &self,
        gpu: &Gpu,
        s: &Conv2dShape,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        y: &Tensor,
        relu: bool,
    ) -> Result<Op> {
        let op = "conv2d_forward";
        s.check(op)?;
        expect(op, "input", x, &s.x_shape())?;
        expect(op, "weight", weight, &s.weight_shape())?;
        expect(op, "bias", bias, &[s.c_out])?;
        expect(op, "output", y, &s.y_shape())?;
        let inv = self.variant.invocations(s.batch * s.out_h() * s.out_w(), s.c_out);
        let d = self.dispatch(
            gpu,
            self.pick(Kernel::Conv2dForward, Kernel::Conv2dForwardTiled),
            &s.params(relu),
            &[&x.buffer, &weight.buffer, &bias.buffer, &y.buffer],
            inv,
        );
        Ok(Op::new(format!("{op} {:?}", s.y_shape()), vec![d]))
    }

    /// dx = the gradient of conv2d's input from dy (added to dx if `accumulate`).
    pub fn conv2d_backward_input(
        &self,
        gpu: &Gpu,
        s: &Conv2dShape,
        weight: &Tensor,
        dy: &Tensor,
        dx: &Tensor,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "conv2d_backward_input";
        s.check(op)?;
        expect(op, "weight", weight, &s.weight_shape())?;
        expect(op, "output gradient", dy, &s.y_shape())?;
        expect(op, "input gradient", dx, &s.x_shape())?;
        let inv = self.variant.invocations(s.batch * s.h * s.w, s.c_in);
        let d = self.dispatch(
            gpu,
            self.pick(Kernel::Conv2dBackwardInput, Kernel::Conv2dBackwardInputTiled),
            &s.params(accumulate),
            &[&dy.buffer, &weight.buffer, &dx.buffer],
            inv,
        );
        Ok(Op::new(format!("{op} {:?}", s.x_shape()), vec![d]))
    }

    /// dweight and dbias of conv2d from its input x and dy (added to them if `accumulate`).
    /// Two dispatches: split-K partial sums into a scratch tensor, then their reduction.
    pub fn conv2d_backward_weight(
        &self,
        gpu: &Gpu,
        s: &Conv2dShape,
        x: &Tensor,
        dy: &Tensor,
        dweight: &Tensor,
        dbias: &Tensor,
        accumulate: bool,
    ) -> Result<Op> {
        let op = "conv2d_backward_weight";
        s.check(op)?;
        expect(op, "input", x, &s.x_shape())?;
        expect(op, "output gradient", dy, &s.y_shape())?;
        expect(op, "weight gradient", dweight, &s.weight_shape())?;
        expect(op, "bias gradient", dbias, &[s.c_out])?;
        let k_len = s.c_in * s.kh * s.kw;
        let rows = s.batch * s.out_h() * s.out_w();
        let tile_count = self.variant.invocations(s.c_out, k_len + 1);
        let (splits, chunk) = split_k(rows, tile_count);
        let partial = Tensor::zeros(gpu, "conv2d weight-gradient partial sums", &[splits, s.c_out, k_len + 1])?;
        let mut p = s.params(false);
        p.flag = chunk as u32; // the shader's `chunk` field sits where the others have their flag
        let wp = params::Conv2dWeight { conv: p, splits: splits as u32, _pad: [0; 3] };
        let partials = self.dispatch(
            gpu,
            self.pick(Kernel::Conv2dBackwardWeight, Kernel::Conv2dBackwardWeightTiled),
            &wp,
            &[&x.buffer, &dy.buffer, &partial.buffer],
            tile_count * splits as u64,
        );
        let rp = params::Reduce {
            c_out: s.c_out as u32,
            k_len: k_len as u32,
            splits: splits as u32,
            accumulate: accumulate as u32,
        };
        let reduce = self.dispatch(
            gpu,
            Kernel::Conv2dReduceWeight,
            &rp,
            &[&partial.buffer, &dweight.buffer, &dbias.buffer],
            (s.c_out * (k_len + 1)) as u64,
        );
        let mut out = Op::new(format!("{op} {:?}", s.weight_shape()), vec![partials, reduce]);
        out.scratch.push(partial);
        Ok(out)
    }
}
