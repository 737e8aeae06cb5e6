//! max-pool 2d launchers.

use crate::{Gpu, GpuError, Kernel, Kernels, Op, Pool2dShape, Result, Tensor, Work, expect, nonzero, params};

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
    /// The shapes both backward launchers (gather and scatter) take.
    fn check_backward(&self, op: &str, dy: &Tensor, argmax: &Tensor, dx: &Tensor) -> Result<()> {
        self.check(op)?;
        expect(op, "output gradient", dy, &self.y_shape())?;
        expect(op, "argmax", argmax, &self.y_shape())?;
        expect(op, "input gradient", dx, &self.x_shape())
    }

    /// planes, h, w, out_h, out_w, window, stride: the fields both pool blocks start with.
    fn dims(&self) -> [u32; 7] {
        [self.batch * self.channels, self.h, self.w, self.out_h(), self.out_w(), self.window, self.stride]
            .map(|v| v as u32)
    }
    fn forward_params(&self) -> params::Pool2dForward {
        let [planes, h, w, out_h, out_w, window, stride] = self.dims();
        params::Pool2dForward { planes, h, w, out_h, out_w, window, stride, _pad: [0] }
    }
    fn backward_params(&self, relu_mask: bool) -> params::Pool2dBackward {
        let [planes, h, w, out_h, out_w, window, stride] = self.dims();
        params::Pool2dBackward { planes, h, w, out_h, out_w, window, stride, relu_mask: relu_mask as u32 }
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
            &s.forward_params(),
            &[("x", x), ("y", y), ("argmax", argmax)],
            Work { invocations: inv, serial: (s.window * s.window) as u64, outputs: 2 * inv, flops: 0 },
        )?;
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
        s.check_backward(op, dy, argmax, dx)?;
        if let Some(x) = relu_input {
            expect(op, "ReLU output", x, &s.x_shape())?;
        }
        // Without a mask the x binding is unused; dy (read-only) stands in for it.
        let mask = relu_input.unwrap_or(dy);
        let inv = s.x_shape().iter().product::<usize>() as u64;
        let d = self.dispatch(
            gpu,
            Kernel::MaxPool2dBackward,
            &s.backward_params(relu_input.is_some()),
            &[("dy", dy), ("argmax", argmax), ("x", mask), ("dx", dx)],
            // Each input looks at the windows that can contain it.
            Work { invocations: inv, serial: (s.window.div_ceil(s.stride).pow(2)) as u64, outputs: inv, flops: 0 },
        )?;
        Ok(Op::new(format!("{op} {:?}", s.x_shape()), vec![d]))
    }

    /// [`Self::maxpool2d_backward`] for windows that do not overlap (stride >= window), one
    /// invocation per pooled output writing its window and the inputs up to the next. With
    /// `pooled_relu = Some(y)`, y being this pool's output of a ReLU output, ReLU's backward is
    /// fused in: the maximum's input was positive exactly when y is.
    pub fn maxpool2d_backward_scatter(
        &self,
        gpu: &Gpu,
        s: &Pool2dShape,
        dy: &Tensor,
        argmax: &Tensor,
        pooled_relu: Option<&Tensor>,
        dx: &Tensor,
    ) -> Result<Op> {
        let op = "maxpool2d_backward_scatter";
        if s.stride < s.window {
            return Err(GpuError::shape(op, format!("windows of {} overlap at stride {}", s.window, s.stride)));
        }
        s.check_backward(op, dy, argmax, dx)?;
        if let Some(y) = pooled_relu {
            expect(op, "pooled ReLU output", y, &s.y_shape())?;
        }
        // Without a mask the y binding is unused; dy (read-only) stands in for it.
        let mask = pooled_relu.unwrap_or(dy);
        let outputs = s.y_shape().iter().product::<usize>() as u64;
        // The last row and column of windows also own the inputs no window covers.
        let (rows, cols) = (s.h - (s.out_h() - 1) * s.stride, s.w - (s.out_w() - 1) * s.stride);
        let serial = rows.max(s.stride) * cols.max(s.stride);
        // 2×2 windows tiling an even plane store each window's rows as vec2 pairs.
        // Four outputs an invocation, their dy, argmax and y read as vec4s, where they come in fours.
        let pairs = s.window == 2 && s.stride == 2 && s.h.is_multiple_of(2) && s.w.is_multiple_of(2);
        let quads = pairs && outputs.is_multiple_of(4);
        let (kernel, invocations) = match (quads, pairs) {
            (true, _) => (Kernel::MaxPool2dBackwardQuads, outputs / 4),
            (false, true) => (Kernel::MaxPool2dBackwardPairs, outputs),
            (false, false) => (Kernel::MaxPool2dBackwardScatter, outputs),
        };
        // Planes that cannot be stored in pairs: zeros four at a time, then only the winners.
        if !pairs && outputs.is_multiple_of(4) && dx.len().is_multiple_of(4) {
            return self.maxpool2d_backward_winners(gpu, s, dy, argmax, pooled_relu, dx);
        }
        let d = self.dispatch(
            gpu,
            kernel,
            &s.backward_params(pooled_relu.is_some()),
            &[("dy", dy), ("argmax", argmax), ("y", mask), ("dx", dx)],
            Work {
                invocations,
                serial: serial as u64,
                outputs: s.x_shape().iter().product::<usize>() as u64,
                flops: 0,
            },
        )?;
        Ok(Op::new(format!("{op} {:?}", s.x_shape()), vec![d]))
    }
}

impl Kernels {
    /// maxpool2d_backward_scatter as two passes: dx cleared four floats a store, then one store
    /// per pooled output at its winner (see maxpool2d_backward_winners.wgsl). For non-overlapping
    /// windows whose pooled output and input lengths are multiples of 4.
    fn maxpool2d_backward_winners(
        &self,
        gpu: &Gpu,
        s: &Pool2dShape,
        dy: &Tensor,
        argmax: &Tensor,
        pooled_relu: Option<&Tensor>,
        dx: &Tensor,
    ) -> Result<Op> {
        let outputs = s.y_shape().iter().product::<usize>();
        let zero = params::Elementwise { len: (dx.len() / 4) as u32, _pad: [0; 3] };
        let mut clear = self.dispatch(gpu, Kernel::ZeroVec4, &zero, &[("x", dx)], Work::items(dx.len() / 4))?;
        clear.bytes = dx.bytes();
        let mask = pooled_relu.unwrap_or(dy);
        let work = Work { invocations: (outputs / 4) as u64, serial: 4, outputs: outputs as u64, flops: 0 };
        let bindings = [("dy", dy), ("argmax", argmax), ("y", mask), ("dx", dx)];
        let mut winners = self.dispatch(
            gpu,
            Kernel::MaxPool2dBackwardWinners,
            &s.backward_params(pooled_relu.is_some()),
            &bindings,
            work,
        )?;
        // It reads dy, argmax (and y for the mask) and writes one float per output.
        winners.bytes = 4 * (outputs * (3 + pooled_relu.is_some() as usize)) as u64;
        Ok(Op::new(format!("maxpool2d_backward_scatter {:?}", s.x_shape()), vec![clear, winners]))
    }
}
