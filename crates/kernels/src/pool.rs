//! max-pool 2d launchers.

use crate::{Gpu, GpuError, Kernel, Kernels, Op, Pool2dShape, Result, Tensor, expect, nonzero, params};

impl Pool2dShape {
    fn check(&self, op: &str) -> Result<()> {
        nonzero(
            op,
            &[("batch", self.batch), ("channels", self.channels), ("window", self.window), ("stride", self.stride)],
        )?;
        if self.h < self.window || self.w < self.window {
            return Err(GpuError::shape(
                op,
                format!("input {:?} is smaller than the window {}", self.x_shape(), self.window),
            ));
        }
        Ok(())
    }
    fn params(&self, relu_mask: bool) -> params::Pool2d {
        params::Pool2d {
            planes: (self.batch * self.channels) as u32,
            h: self.h as u32,
            w: self.w as u32,
            out_h: self.out_h() as u32,
            out_w: self.out_w() as u32,
            window: self.window as u32,
            stride: self.stride as u32,
            relu_mask: relu_mask as u32,
        }
    }
}

impl Kernels {
    /// y = max over each window of x; argmax (u32) records where each maximum came from.
    pub fn maxpool2d_forward(&self, gpu: &Gpu, s: &Pool2dShape, x: &Tensor, y: &Tensor, argmax: &Tensor) -> Result<Op> {
        let op = "maxpool2d_forward";
        s.check(op)?;
        expect(op, "input", x, &s.x_shape())?;
        expect(op, "output", y, &s.y_shape())?;
        expect(op, "argmax", argmax, &s.y_shape())?;
        let inv = s.y_shape().iter().product::<usize>() as u64;
        let d = self.dispatch(
            gpu,
            Kernel::MaxPool2dForward,
            &s.params(false),
            &[&x.buffer, &y.buffer, &argmax.buffer],
            inv,
        );
        Ok(Op::new(format!("{op} {:?}", s.y_shape()), vec![d]))
    }

    /// dx from dy through the recorded argmax. With `relu_input = Some(x)`, where x is the pooled
    /// input and itself a ReLU output, ReLU's backward is fused in (dx = 0 where x <= 0).
    pub fn maxpool2d_backward(
        &self,
        gpu: &Gpu,
        s: &Pool2dShape,
        dy: &Tensor,
        argmax: &Tensor,
        relu_input: Option<&Tensor>,
        dx: &Tensor,
    ) -> Result<Op> {
        let op = "maxpool2d_backward";
        s.check(op)?;
        expect(op, "output gradient", dy, &s.y_shape())?;
        expect(op, "argmax", argmax, &s.y_shape())?;
        expect(op, "input gradient", dx, &s.x_shape())?;
        if let Some(x) = relu_input {
            expect(op, "ReLU output", x, &s.x_shape())?;
        }
        // Without a mask the x binding is unused; dy (read-only) stands in for it.
        let mask = relu_input.map_or(&dy.buffer, |x| &x.buffer);
        let inv = s.x_shape().iter().product::<usize>() as u64;
        let d = self.dispatch(
            gpu,
            Kernel::MaxPool2dBackward,
            &s.params(relu_input.is_some()),
            &[&dy.buffer, &argmax.buffer, mask, &dx.buffer],
            inv,
        );
        Ok(Op::new(format!("{op} {:?}", s.x_shape()), vec![d]))
    }
}
