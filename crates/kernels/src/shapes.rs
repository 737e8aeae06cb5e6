//! Shapes of the operations, with the output sizes they imply.

/// conv2d: x `[batch, c_in, h, w]`, weight `[c_out, c_in, kh, kw]`, y `[batch, c_out, out_h, out_w]`;
/// the same stride and zero padding along both axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dShape {
    pub batch: usize,
    pub c_in: usize,
    pub h: usize,
    pub w: usize,
    pub c_out: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub pad: usize,
}

impl Conv2dShape {
    pub fn out_h(&self) -> usize {
        (self.h + 2 * self.pad - self.kh) / self.stride + 1
    }
    pub fn out_w(&self) -> usize {
        (self.w + 2 * self.pad - self.kw) / self.stride + 1
    }
    pub fn x_shape(&self) -> [usize; 4] {
        [self.batch, self.c_in, self.h, self.w]
    }
    pub fn weight_shape(&self) -> [usize; 4] {
        [self.c_out, self.c_in, self.kh, self.kw]
    }
    pub fn y_shape(&self) -> [usize; 4] {
        [self.batch, self.c_out, self.out_h(), self.out_w()]
    }
    /// Multiply-adds of one pass, times two (the FLOPs of forward, input or weight gradient).
    pub fn flops(&self) -> u64 {
        2 * (self.batch * self.c_out * self.out_h() * self.out_w() * self.c_in * self.kh * self.kw) as u64
    }
}

/// max-pool 2d: x `[batch, channels, h, w]`, y `[batch, channels, out_h, out_w]`, no padding,
/// floor mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2dShape {
    pub batch: usize,
    pub channels: usize,
    pub h: usize,
    pub w: usize,
    pub window: usize,
    pub stride: usize,
}

impl Pool2dShape {
    pub fn out_h(&self) -> usize {
        (self.h - self.window) / self.stride + 1
    }
    pub fn out_w(&self) -> usize {
        (self.w - self.window) / self.stride + 1
    }
    pub fn x_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.h, self.w]
    }
    pub fn y_shape(&self) -> [usize; 4] {
        [self.batch, self.channels, self.out_h(), self.out_w()]
    }
}

/// linear: x `[batch, inputs]`, weight `[outputs, inputs]`, y `[batch, outputs]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearShape {
    pub batch: usize,
    pub inputs: usize,
    pub outputs: usize,
}

impl LinearShape {
    pub fn flops(&self) -> u64 {
        2 * (self.batch * self.inputs * self.outputs) as u64
    }
}

/// The shape of a matrix-product pass, as a person names it in a progress line or a summary.
pub trait PassShape: std::fmt::Debug {
    fn about(&self) -> String;
}

impl PassShape for Conv2dShape {
    fn about(&self) -> String {
        format!("conv {}→{} on {}×{}", self.c_in, self.c_out, self.h, self.w)
    }
}

impl PassShape for LinearShape {
    fn about(&self) -> String {
        format!("linear {}→{}", self.inputs, self.outputs)
    }
}
