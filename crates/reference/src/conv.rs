//! 2-D convolution (cross-correlation, as PyTorch's `conv2d`), square stride and zero padding.

use crate::Real;

/// x: `[batch, c_in, h, w]`, weight: `[c_out, c_in, kh, kw]`, y: `[batch, c_out, out_h, out_w]`.
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
    pub fn x_len(&self) -> usize {
        self.batch * self.c_in * self.h * self.w
    }
    pub fn w_len(&self) -> usize {
        self.c_out * self.c_in * self.kh * self.kw
    }
    pub fn y_len(&self) -> usize {
        self.batch * self.c_out * self.out_h() * self.out_w()
    }

    /// The input coordinate read by output `(oy, ox)` through tap `(ky, kx)`, if inside the image.
    fn input_at(&self, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let iy = (oy * self.stride + ky).checked_sub(self.pad)?;
        let ix = (ox * self.stride + kx).checked_sub(self.pad)?;
        (iy < self.h && ix < self.w).then_some((iy, ix))
    }

    /// Calls `f(x_index, w_index, y_index)` for every multiply of the convolution.
    fn for_each_tap(&self, mut f: impl FnMut(usize, usize, usize)) {
        let (oh, ow) = (self.out_h(), self.out_w());
        for n in 0..self.batch {
            for co in 0..self.c_out {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let yi = ((n * self.c_out + co) * oh + oy) * ow + ox;
                        for ci in 0..self.c_in {
                            for ky in 0..self.kh {
                                for kx in 0..self.kw {
                                    if let Some((iy, ix)) = self.input_at(oy, ox, ky, kx) {
                                        let xi = ((n * self.c_in + ci) * self.h + iy) * self.w + ix;
                                        let wi = ((co * self.c_in + ci) * self.kh + ky) * self.kw + kx;
                                        f(xi, wi, yi);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// y = conv(x, weight) + bias.
pub fn conv2d_forward<T: Real>(s: &Conv2dShape, x: &[T], weight: &[T], bias: &[T]) -> Vec<T> {
    assert_eq!((x.len(), weight.len(), bias.len()), (s.x_len(), s.w_len(), s.c_out));
    let plane = s.out_h() * s.out_w();
    let mut y: Vec<T> = (0..s.y_len()).map(|i| bias[(i / plane) % s.c_out]).collect();
    s.for_each_tap(|xi, wi, yi| y[yi] = y[yi] + x[xi] * weight[wi]);
    y
}

/// dx[xi] = Σ dy[yi] · weight[wi] over the taps that read xi.
pub fn conv2d_backward_input<T: Real>(s: &Conv2dShape, weight: &[T], dy: &[T]) -> Vec<T> {
    assert_eq!((weight.len(), dy.len()), (s.w_len(), s.y_len()));
    let mut dx = vec![T::zero(); s.x_len()];
    s.for_each_tap(|xi, wi, yi| dx[xi] = dx[xi] + dy[yi] * weight[wi]);
    dx
}

/// (dweight, dbias): dweight[wi] = Σ dy[yi] · x[xi]; dbias[co] = Σ dy over batch and pixels.
pub fn conv2d_backward_weight<T: Real>(s: &Conv2dShape, x: &[T], dy: &[T]) -> (Vec<T>, Vec<T>) {
    assert_eq!((x.len(), dy.len()), (s.x_len(), s.y_len()));
    let mut dw = vec![T::zero(); s.w_len()];
    s.for_each_tap(|xi, wi, yi| dw[wi] = dw[wi] + dy[yi] * x[xi]);
    let plane = s.out_h() * s.out_w();
    let mut db = vec![T::zero(); s.c_out];
    for (i, &g) in dy.iter().enumerate() {
        let co = (i / plane) % s.c_out;
        db[co] = db[co] + g;
    }
    (dw, db)
}
