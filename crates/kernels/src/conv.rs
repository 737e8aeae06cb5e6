//! conv2d launchers: forward (with bias and optional ReLU), input gradient, weight and bias gradient.

use crate::params::MAX_REDUCE_SEGMENTS;
use crate::{
    Conv2dShape, Gpu, GpuError, Kernel, Kernels, Launch, Op, Pass, Pool2dShape, Result, SplitRule, Tensor, Variant,
    Work, expect, nonzero, params, split_reduction,
};

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
        let (relu, argmax, _pad) = (relu as u32, 1, [0; 3]);
        params::Conv2dForward { batch, c_in, h, w, c_out, out_h, out_w, kh, kw, stride, pad, relu, argmax, _pad }
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

/// One convolution's part in [`Kernels::conv2d_reduce_weights`]: its shape, its partial sums
/// (a view of the shared scratch) and its gradients (views of the flat gradient buffer).
pub struct WeightSegment<'a> {
    pub shape: Conv2dShape,
    pub partial: &'a Tensor,
    pub dweight: &'a Tensor,
    pub dbias: &'a Tensor,
    pub accumulate: bool,
}

impl Kernels {
    /// y = conv(x, weight) + bias, then ReLU if `relu`.
    #[allow(clippy::too_many_arguments)] // one argument per binding, as the kernel declares them
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
        let kernel = self.kernel_for(Pass::ConvForward, s);
        let d = self.dispatch(
            gpu,
            kernel,
            &s.forward_params(relu),
            &[("x", x), ("weight", weight), ("bias", bias), ("y", y)],
            Work {
                invocations: kernel.invocations(s.batch * s.out_h() * s.out_w(), s.c_out),
                serial: (s.c_in * s.kh * s.kw) as u64,
                outputs: s.y_shape().iter().product::<usize>() as u64,
                flops: s.flops(),
            },
        )?;
        Ok(Op::new(format!("{op} {:?}", s.y_shape()), vec![d]).for_pass(Pass::ConvForward, s))
    }

    /// Whether [`Self::conv2d_forward_relu_pool`] runs conv `c` followed by pool `p`: in the
    /// subgroup variant, for a 3×3 stride-1 convolution (any padding) and the 2×2 stride-2 pool
    /// of its output (the network's three stages).
    pub fn fuses_pool(&self, c: &Conv2dShape, p: &Pool2dShape) -> bool {
        let pool_of_conv = p.x_shape() == c.y_shape() && p.window == 2 && p.stride == 2;
        let conv_3x3 = c.kh == 3 && c.kw == 3 && c.stride == 1;
        // It reads the weights as vec4s: their length a multiple of 4.
        let weights_in_vec4s = (c.c_out * c.c_in).is_multiple_of(4);
        pool_of_conv && conv_3x3 && weights_in_vec4s && self.variant_for(Pass::ConvForward, c) == Variant::Subgroup
    }

    /// y, argmax = maxpool2d(ReLU(conv(x, weight) + bias)) in one pass, the convolution's own
    /// output never stored (see [`Self::fuses_pool`] for where it applies). Keyed as the
    /// convolution's forward: the tuner weighs it against the variants' plain forward.
    #[allow(clippy::too_many_arguments)]
    pub fn conv2d_forward_relu_pool(
        &self,
        gpu: &Gpu,
        c: &Conv2dShape,
        p: &Pool2dShape,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        y: &Tensor,
        argmax: &Tensor,
    ) -> Result<Op> {
        let op = FUSED_POOL_OP;
        c.check(op)?;
        if !self.fuses_pool(c, p) {
            let why = "the subgroup variant fuses a 3x3 stride-1 conv with the 2x2 stride-2 pool of its output";
            return Err(GpuError::shape(op, format!("{c:?} then {p:?}: {why}")));
        }
        expect(op, "input", x, &c.x_shape())?;
        expect(op, "weight", weight, &c.weight_shape())?;
        expect(op, "bias", bias, &[c.c_out])?;
        expect(op, "output", y, &p.y_shape())?;
        expect(op, "argmax", argmax, &p.y_shape())?;
        // Its pick's block: BR pooled pixels side by side in a pooled row (rows padded to whole
        // blocks), in its pick's workgroups; x gathered from a texel mirror where the pick says so
        // and the adapter's textures hold it, the weights too (Self::dispatch_reading).
        let pick = self.pick_by_key(&crate::pass_key(Pass::ConvForward, c));
        let kernel = Launch::at(Kernel::Conv2dForwardPoolSubgroup.shaped(pick.block), pick.workgroup);
        let windows = kernel.desc().block.map_or(1, |(r, _)| r as usize);
        let pooled = p.batch * p.out_h() * p.out_w();
        let padded = p.batch * p.out_h() * p.out_w().div_ceil(windows) * windows;
        let k_len = c.c_in * c.kh * c.kw;
        let work = Work {
            invocations: kernel.invocations(padded, c.c_out),
            serial: k_len as u64,
            outputs: 2 * (pooled * c.c_out) as u64,
            flops: 2 * (4 * pooled * c.c_out * k_len) as u64,
        };
        let rest = [("bias", bias), ("y", y), ("argmax", argmax)];
        let mirrored = [("x", x), ("weight", weight)];
        let dispatches =
            self.dispatch_reading(gpu, kernel, pick.texels, &c.forward_params(true), &mirrored, &rest, work)?;
        Ok(Op::new(format!("{op} {:?}", p.y_shape()), dispatches).for_pass(Pass::ConvForward, c))
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
        let (kernel, rows) = self.backward_input_kernel(s);
        let texels = self.pick_by_key(&crate::pass_key(Pass::ConvBackwardInput, s)).texels;
        let work = Work {
            invocations: kernel.invocations(rows, s.c_in),
            serial: (s.c_out * s.kh * s.kw) as u64,
            outputs: s.x_shape().iter().product::<usize>() as u64,
            flops: s.flops(),
        };
        let params = s.backward_input_params(accumulate);
        let d = self.dispatch_reading(
            gpu,
            kernel,
            texels,
            &params,
            &[("dy", dy), ("weight", weight)],
            &[("dx", dx)],
            work,
        )?;
        Ok(Op::new(format!("{op} {:?}", s.x_shape()), d).for_pass(Pass::ConvBackwardInput, s))
    }

    /// The kernel conv2d_backward_input runs at `s` and the rows its grid covers: the subgroup
    /// variant's 3×3 stride-1 passes run the row kernel in its pick's block (blocks of 4 or 8
    /// pixels that never cross an image row: each row is padded to whole blocks); everything
    /// else runs its pick's kernel over the N·H·W pixels.
    fn backward_input_kernel(&self, s: &Conv2dShape) -> (Launch, usize) {
        let pick = self.pick_by_key(&crate::pass_key(Pass::ConvBackwardInput, s));
        let kernel = self.kernel_for(Pass::ConvBackwardInput, s);
        if kernel.kernel == Kernel::Conv2dBackwardInputSubgroup && s.kh == 3 && s.kw == 3 && s.stride == 1 {
            let rows = Launch::at(Kernel::Conv2dBackwardInputRowsSubgroup.shaped(pick.block), pick.workgroup);
            let pixels = rows.desc().block.map_or(8, |(r, _)| r as usize);
            (rows, s.batch * s.h * s.w.div_ceil(pixels) * pixels)
        } else {
            (kernel, s.batch * s.h * s.w)
        }
    }

    /// dweight and dbias of conv2d from its input x and dy (added to them if `accumulate`).
    /// Two dispatches: split-K partial sums into a scratch tensor, then their reduction.
    #[allow(clippy::too_many_arguments)] // one argument per binding, as the kernel declares them
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
        let (splits, _) = self.conv2d_weight_splits(s);
        let partial = Tensor::zeros(gpu, "conv2d weight-gradient partial sums", &self.conv2d_partials_shape(s))?;
        let mut dispatches = self.partials_dispatches(gpu, s, x, dy, &partial)?;
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
            Work {
                invocations: (s.c_out * (k_len + 1)) as u64,
                serial: splits as u64,
                outputs: (s.c_out * (k_len + 1)) as u64,
                flops: 0,
            },
        )?;
        dispatches.push(reduce);
        let mut out = Op::new(format!("{op} {:?}", s.weight_shape()), dispatches).for_pass(Pass::ConvBackwardWeight, s);
        out.scratch.push(partial);
        Ok(out)
    }

    /// How conv2d_backward_weight splits its reduction at this shape: (splits, chunk); its
    /// partial sums are [`Self::conv2d_partials_shape`].
    pub fn conv2d_weight_splits(&self, s: &Conv2dShape) -> (usize, usize) {
        let (kernel, cols) = self.weight_kernel(s);
        let tiles = kernel.invocations(s.c_out, cols);
        let outputs = (s.c_out * (s.c_in * s.kh * s.kw + 1)) as u64;
        let width = self.pick_by_key(&crate::pass_key(Pass::ConvBackwardWeight, s)).splits;
        split_reduction(s.batch * s.out_h() * s.out_w(), tiles, outputs, SplitRule::CONV_WEIGHTS, width)
    }

    /// The shape of conv2d_backward_weight's partial sums at `s`: `[⌈V / 16⌉, splits, 16]` for
    /// its V = c_out·(c_in·kh·kw + 1) values — blocks of 16 values, each block's splits one
    /// after another. A split's 16 values fill one 64-byte line, written at one time, and the
    /// reduce (four values an invocation) streams through each block a line a split; the former
    /// `[splits, c_out, K + 1]` had it wait on cold memory for every load.
    pub fn conv2d_partials_shape(&self, s: &Conv2dShape) -> [usize; 3] {
        let (splits, _) = self.conv2d_weight_splits(s);
        [(s.c_out * (s.c_in * s.kh * s.kw + 1)).div_ceil(16), splits, 16]
    }

    /// The kernel of conv2d_backward_weight's partial sums at `s` and the columns its grid
    /// covers: the subgroup variant's 3×3 stride-1 passes over at least 8 input channels run the
    /// row kernel (one invocation per input channel's 9 taps, the bias column riding along);
    /// everything else its pick's kernel over the K + 1 columns.
    fn weight_kernel(&self, s: &Conv2dShape) -> (Launch, usize) {
        let kernel = self.kernel_for(Pass::ConvBackwardWeight, s);
        let rows_apply = s.kh == 3 && s.kw == 3 && s.stride == 1 && s.c_in >= 8;
        if kernel.kernel == Kernel::Conv2dBackwardWeightSubgroup && rows_apply {
            let wg = self.pick_by_key(&crate::pass_key(Pass::ConvBackwardWeight, s)).workgroup;
            (Launch::at(Kernel::Conv2dBackwardWeightRowsSubgroup, wg), s.c_in * 9)
        } else {
            (kernel, s.c_in * s.kh * s.kw + 1)
        }
    }

    /// The weight gradient's partial sums (after the fill of x's texel mirror where the pick
    /// gathers x from one).
    fn partials_dispatches(
        &self,
        gpu: &Gpu,
        s: &Conv2dShape,
        x: &Tensor,
        dy: &Tensor,
        partial: &Tensor,
    ) -> Result<Vec<crate::Dispatch>> {
        let (kernel, grid_cols) = self.weight_kernel(s);
        let (splits, chunk) = self.conv2d_weight_splits(s);
        let cols = s.c_in * s.kh * s.kw + 1;
        let tiles = kernel.invocations(s.c_out, grid_cols);
        let texels = self.pick_by_key(&crate::pass_key(Pass::ConvBackwardWeight, s)).texels;
        let work = Work {
            invocations: tiles * splits as u64,
            serial: chunk as u64,
            outputs: (splits * s.c_out * cols) as u64,
            flops: s.flops(),
        };
        let params = s.backward_weight_params(splits, chunk);
        self.dispatch_reading(gpu, kernel, texels, &params, &[("x", x), ("dy", dy)], &[("partial", partial)], work)
    }

    /// Only the first half of [`Self::conv2d_backward_weight`]: the split-K partial sums into
    /// `partial` ([`Self::conv2d_partials_shape`]). A
    /// training step finishes every convolution's at once with [`Self::conv2d_reduce_weights`].
    pub fn conv2d_backward_weight_partials(
        &self,
        gpu: &Gpu,
        s: &Conv2dShape,
        x: &Tensor,
        dy: &Tensor,
        partial: &Tensor,
    ) -> Result<Op> {
        let op = "conv2d_backward_weight";
        s.check(op)?;
        expect(op, "input", x, &s.x_shape())?;
        expect(op, "output gradient", dy, &s.y_shape())?;
        expect(op, "partial sums", partial, &self.conv2d_partials_shape(s))?;
        let dispatches = self.partials_dispatches(gpu, s, x, dy, partial)?;
        Ok(Op::new(format!("{op} partials {:?}", s.weight_shape()), dispatches).for_pass(Pass::ConvBackwardWeight, s))
    }

    /// Sums the partial sums of several convolutions' weight gradients in one pass: each
    /// segment's partials are a view of `partials`, its gradients views of `grads`.
    pub fn conv2d_reduce_weights(
        &self,
        gpu: &Gpu,
        partials: &Tensor,
        grads: &Tensor,
        segments: &[WeightSegment<'_>],
    ) -> Result<Op> {
        let op = "conv2d_reduce_weights";
        if segments.is_empty() || segments.len() > MAX_REDUCE_SEGMENTS {
            return Err(GpuError::shape(op, format!("1 to {MAX_REDUCE_SEGMENTS} segments, not {}", segments.len())));
        }
        let mut table = [[0u32; 8]; MAX_REDUCE_SEGMENTS];
        let (mut groups, mut serial, mut moved, mut outputs) = (0usize, 0usize, 0usize, 0usize);
        // Four values an invocation, read as vec4s, where every segment's partial sums start at
        // a multiple of four floats.
        let aligned = |t: &Tensor| t.offset.is_multiple_of(16);
        let fours = aligned(partials) && segments.iter().all(|g| aligned(g.partial));
        let (kernel, per) = if fours { (Kernel::Conv2dReduceWeightsVec4, 4) } else { (Kernel::Conv2dReduceWeights, 1) };
        for (row, g) in table.iter_mut().zip(segments) {
            let s = &g.shape;
            let cols = s.c_in * s.kh * s.kw + 1;
            let (splits, _) = self.conv2d_weight_splits(s);
            expect(op, "partial sums", g.partial, &self.conv2d_partials_shape(s))?;
            expect(op, "weight gradient", g.dweight, &s.weight_shape())?;
            expect(op, "bias gradient", g.dbias, &[s.c_out])?;
            let at = |t: &Tensor, within: &Tensor| -> Result<u32> {
                if t.buffer != within.buffer {
                    return Err(GpuError::shape(op, format!("{} is not a view of {}", t.label, within.label)));
                }
                Ok(((t.offset - within.offset) / 4) as u32)
            };
            let (c_out, accumulate) = (s.c_out as u32, g.accumulate as u32);
            // Each segment starts a workgroup of its own (see the kernel).
            let place = [at(g.dweight, grads)?, at(g.dbias, grads)?, groups as u32, accumulate];
            let shape = [at(g.partial, partials)?, c_out, cols as u32, splits as u32];
            row[..4].copy_from_slice(&shape);
            row[4..].copy_from_slice(&place);
            groups += (s.c_out * cols).div_ceil(per).div_ceil(64);
            outputs += s.c_out * cols;
            serial = serial.max(splits);
            // Its partial sums read, its gradients written (and read first when accumulating).
            moved += 4 * s.c_out * cols * (splits + 1 + g.accumulate as usize);
        }
        let p =
            params::ReduceWeights { segments: segments.len() as u32, groups: groups as u32, _pad0: 0, _pad1: 0, table };
        let work = Work { invocations: 64 * groups as u64, serial: serial as u64, outputs: outputs as u64, flops: 0 };
        let mut d = self.dispatch(gpu, kernel, &p, &[("partial", partials), ("grads", grads)], work)?;
        // The bound buffers are the shared scratch and the whole flat gradient: count only the
        // parts this pass touches.
        d.bytes = moved as u64;
        Ok(Op::new(format!("{op} ({} convolutions)", segments.len()), vec![d]))
    }
}

/// The name of a fused conv + ReLU + pool op ([`Kernels::conv2d_forward_relu_pool`]).
const FUSED_POOL_OP: &str = "conv2d_forward_relu_pool";

impl Op {
    /// Whether this op's fused pool writes where each maximum came from, from the next submit
    /// on (work submitted before keeps what it was recorded with: the write goes through the
    /// queue). The backward needs it; inference does not, and skips one store a pooled value.
    /// Ops other than a fused conv + pool are left alone.
    pub fn keep_argmax(&self, gpu: &Gpu, keep: bool) {
        if !self.name.starts_with(FUSED_POOL_OP) {
            return;
        }
        let at = std::mem::offset_of!(params::Conv2dForward, argmax) as u64;
        for d in &self.dispatches {
            gpu.queue.write_buffer(d.params_buffer(), at, bytemuck::bytes_of(&(keep as u32)));
        }
    }
}
