//! Fully connected layer: y = x · weightᵀ + bias.

use crate::Real;

/// x: `[batch, inputs]`, weight: `[outputs, inputs]`, y: `[batch, outputs]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearShape {
    pub batch: usize,
    pub inputs: usize,
    pub outputs: usize,
}

/// y[b, o] = Σ_i x[b, i] · weight[o, i] + bias[o].
pub fn linear_forward<T: Real>(s: &LinearShape, x: &[T], weight: &[T], bias: &[T]) -> Vec<T> {
    assert_eq!((x.len(), weight.len(), bias.len()), (s.batch * s.inputs, s.outputs * s.inputs, s.outputs));
    let mut y = Vec::with_capacity(s.batch * s.outputs);
    for b in 0..s.batch {
        let xr = &x[b * s.inputs..(b + 1) * s.inputs];
        for o in 0..s.outputs {
            let wr = &weight[o * s.inputs..(o + 1) * s.inputs];
            y.push(bias[o] + xr.iter().zip(wr).map(|(&a, &w)| a * w).sum::<T>());
        }
    }
    y
}

/// dx[b, i] = Σ_o dy[b, o] · weight[o, i].
pub fn linear_backward_input<T: Real>(s: &LinearShape, weight: &[T], dy: &[T]) -> Vec<T> {
    let mut dx = vec![T::zero(); s.batch * s.inputs];
    for b in 0..s.batch {
        for o in 0..s.outputs {
            let g = dy[b * s.outputs + o];
            for i in 0..s.inputs {
                dx[b * s.inputs + i] = dx[b * s.inputs + i] + g * weight[o * s.inputs + i];
            }
        }
    }
    dx
}

/// (dweight, dbias): dweight[o, i] = Σ_b dy[b, o] · x[b, i]; dbias[o] = Σ_b dy[b, o].
pub fn linear_backward_weight<T: Real>(s: &LinearShape, x: &[T], dy: &[T]) -> (Vec<T>, Vec<T>) {
    let mut dw = vec![T::zero(); s.outputs * s.inputs];
    let mut db = vec![T::zero(); s.outputs];
    for b in 0..s.batch {
        for o in 0..s.outputs {
            let g = dy[b * s.outputs + o];
            db[o] = db[o] + g;
            for i in 0..s.inputs {
                dw[o * s.inputs + i] = dw[o * s.inputs + i] + g * x[b * s.inputs + i];
            }
        }
    }
    (dw, db)
}
