//! conv2d launchers: forward (with bias and optional ReLU), input gradient, weight and bias gradient.

use crate::{Conv2dShape, Gpu, GpuError, Kernel, Kernels, Op, Pass, Result, Tensor, expect, nonzero, params};

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

    /// The shape fields every conv parameter block starts with, in their order.
    fn dims(&self) -> [u32; 11] {
        [
            self.batch,
            self.c_in,
            self.h,
            self.w,
            self.c_out,
            self.out_h(),
            self.out_w(),
            self.kh,
            self.kw,
            self.stride,
            self.pad,
        ]
        .map(|v| v as u32)
    }

    fn forward_params(&self, relu: bool) -> params::Conv2dForward {
        let [batch, c_in, h, w, c_out, out_h, out_w, kh, kw, stride, pad] = self.dims();
        params::Conv2dForward { batch, c_in, h, w, c_out, out_h, out_w, kh, kw, stride, pad, relu: relu as u32 }
    }

    fn backward_input_params(&self, accumulate: bool) -> params::Conv2dBackwardInput {
        let [batch, c_in, h, w, c_out, out_h, out_w, kh, kw, stride, pad] = self.dims();
        let accumulate = accumulate as u32;
        params::Conv2dBackwardInput { batch, c_in, h, w, c_out, out_h, out_w, kh, kw, stride, pad, accumulate }
    }

    fn backward_weight_params(&self, splits: usize, chunk: usize) -> params::Conv2dBackwardWeight {
        let [batch, c_in, h, w, c_out, out_h, out_w, kh, kw, stride, pad] = self.dims();
        let (splits, chunk) = (splits as u32, chunk as u32);
        params::Conv2dBackwardWeight {
            batch,
            c_in,
            h,
            w,
            c_out,
            out_h,
            out_w,
            kh,
            kw,
            stride,
            pad,
            chunk,
            splits,
            _pad: [0; 3],
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
        let kernel = self.kernel_for(Pass::ConvForward);
        let d = self.dispatch(
            gpu,
            kernel,
            &s.forward_params(relu),
            &[("x", x), ("weight", weight), ("bias", bias), ("y", y)],
            kernel.desc().invocations(s.batch * s.out_h() * s.out_w(), s.c_out),
        )?;
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
        let kernel = self.kernel_for(Pass::ConvBackwardInput);
        let d = self.dispatch(
            gpu,
            kernel,
            &s.backward_input_params(accumulate),
            &[("dy", dy), ("weight", weight), ("dx", dx)],
            kernel.desc().invocations(s.batch * s.h * s.w, s.c_in),
        )?;
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
        let kernel = self.kernel_for(Pass::ConvBackwardWeight);
        let tile_count = kernel.desc().invocations(s.c_out, k_len + 1);
        let (splits, chunk) = split_k(rows, tile_count);
        let partial = Tensor::zeros(gpu, "conv2d weight-gradient partial sums", &[splits, s.c_out, k_len + 1])?;
        let partials = self.dispatch(
            gpu,
            kernel,
            &s.backward_weight_params(splits, chunk),
            &[("x", x), ("dy", dy), ("partial", &partial)],
            tile_count * splits as u64,
        )?;
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
            &[("partial", &partial), ("dweight", dweight), ("dbias", dbias)],
            (s.c_out * (k_len + 1)) as u64,
        )?;
        let mut out = Op::new(format!("{op} {:?}", s.weight_shape()), vec![partials, reduce]);
        out.scratch.push(partial);
        Ok(out)
    }
}
