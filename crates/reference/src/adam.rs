//! Adam with PyTorch's semantics (`torch.optim.Adam`, no weight decay, no amsgrad).

use crate::Real;

/// Adam's hyper-parameters.
#[derive(Clone, Copy, Debug)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl Default for Adam {
    fn default() -> Self {
        Adam { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }
    }
}

/// One parameter tensor's moments and the step count.
#[derive(Clone, Debug)]
pub struct AdamState<T> {
    pub m: Vec<T>,
    pub v: Vec<T>,
    pub step: u32,
}

impl<T: Real> AdamState<T> {
    pub fn new(len: usize) -> Self {
        AdamState { m: vec![T::zero(); len], v: vec![T::zero(); len], step: 0 }
    }
}

impl Adam {
    /// One step, in PyTorch's order of operations:
    /// m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
    /// p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps)   (eps outside the square root).
    pub fn step<T: Real>(&self, params: &mut [T], grads: &[T], state: &mut AdamState<T>) {
        state.step += 1;
        let t = state.step as i32;
        let c = T::from_f64;
        let (b1, b2) = (c(self.beta1), c(self.beta2));
        let bias1 = T::one() - b1.powi(t);
        let bias2_sqrt = (T::one() - b2.powi(t)).sqrt();
        let step_size = c(self.lr) / bias1;
        for i in 0..params.len() {
            let g = grads[i];
            state.m[i] = b1 * state.m[i] + (T::one() - b1) * g;
            state.v[i] = b2 * state.v[i] + (T::one() - b2) * g * g;
            let denom = state.v[i].sqrt() / bias2_sqrt + c(self.eps);
            params[i] = params[i] - step_size * state.m[i] / denom;
        }
    }
}
