//! 2-D max pooling without padding; odd sizes floor like PyTorch (`ceil_mode=False`).

use crate::Real;

/// x: `[batch, channels, h, w]`, y: `[batch, channels, out_h, out_w]`.
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
    pub fn x_len(&self) -> usize {
        self.batch * self.channels * self.h * self.w
    }
    pub fn y_len(&self) -> usize {
        self.batch * self.channels * self.out_h() * self.out_w()
    }
}

/// (y, argmax): each output is its window's maximum; argmax is the position `iy * w + ix` of
/// that maximum within its input plane, the first one in row-major order on ties.
pub fn maxpool2d_forward<T: Real>(s: &Pool2dShape, x: &[T]) -> (Vec<T>, Vec<u32>) {
    assert_eq!(x.len(), s.x_len());
    let (oh, ow) = (s.out_h(), s.out_w());
    let mut y = Vec::with_capacity(s.y_len());
    let mut arg = Vec::with_capacity(s.y_len());
    for plane in 0..s.batch * s.channels {
        let xp = &x[plane * s.h * s.w..(plane + 1) * s.h * s.w];
        for oy in 0..oh {
            for ox in 0..ow {
                let mut best = (T::neg_infinity(), 0);
                for ky in 0..s.window {
                    for kx in 0..s.window {
                        let i = (oy * s.stride + ky) * s.w + ox * s.stride + kx;
                        if xp[i] > best.0 {
                            best = (xp[i], i);
                        }
                    }
                }
                y.push(best.0);
                arg.push(best.1 as u32);
            }
        }
    }
    (y, arg)
}

/// dx: each output's gradient goes to the input its argmax names (summed where windows overlap).
pub fn maxpool2d_backward<T: Real>(s: &Pool2dShape, argmax: &[u32], dy: &[T]) -> Vec<T> {
    assert_eq!((argmax.len(), dy.len()), (s.y_len(), s.y_len()));
    let plane_out = s.out_h() * s.out_w();
    let mut dx = vec![T::zero(); s.x_len()];
    for (o, (&a, &g)) in argmax.iter().zip(dy).enumerate() {
        let xi = (o / plane_out) * s.h * s.w + a as usize;
        dx[xi] = dx[xi] + g;
    }
    dx
}
