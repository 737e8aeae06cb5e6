//! ReLU and its gradient.

use crate::Real;

/// y = max(x, 0).
pub fn relu_forward<T: Real>(x: &[T]) -> Vec<T> {
    x.iter().map(|&v| v.max(T::zero())).collect()
}

/// dx = dy where the output was positive, else 0 (PyTorch's convention: the gradient at 0 is 0).
pub fn relu_backward<T: Real>(y: &[T], dy: &[T]) -> Vec<T> {
    assert_eq!(y.len(), dy.len());
    y.iter().zip(dy).map(|(&v, &g)| if v > T::zero() { g } else { T::zero() }).collect()
}
