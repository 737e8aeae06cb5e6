//! ReLU launchers (standalone; conv2d and linear can also fuse ReLU into their forward).

use crate::{Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, Work, params};

fn same_len(op: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.len() != b.len() {
        return Err(GpuError::shape(
            op,
            format!("{} {:?} and {} {:?} differ in size", a.label, a.shape, b.label, b.shape),
        ));
    }
    Ok(())
}

impl Kernels {
    /// y = max(x, 0).
    pub fn relu_forward(&self, gpu: &Gpu, x: &Tensor, y: &Tensor) -> Result<Op> {
        same_len("relu_forward", x, y)?;
        let p = params::Elementwise { len: x.len() as u32, _pad: [0; 3] };
        let d = self.dispatch(gpu, Kernel::ReluForward, &p, &[("x", x), ("y", y)], Work::items(x.len()))?;
        Ok(Op::new("relu_forward", vec![d]))
    }

    /// dx = dy where y > 0, else 0 (y is the ReLU's output).
    pub fn relu_backward(&self, gpu: &Gpu, y: &Tensor, dy: &Tensor, dx: &Tensor) -> Result<Op> {
        same_len("relu_backward", y, dy)?;
        same_len("relu_backward", y, dx)?;
        let p = params::Elementwise { len: y.len() as u32, _pad: [0; 3] };
        let d =
            self.dispatch(gpu, Kernel::ReluBackward, &p, &[("y", y), ("dy", dy), ("dx", dx)], Work::items(y.len()))?;
        Ok(Op::new("relu_backward", vec![d]))
    }
}
