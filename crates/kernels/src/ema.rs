//! The moving average of the parameters (model::ema decides the rate per step).

use crate::{Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, Work, params};

impl Kernels {
    /// A uniform buffer for the average's per-step rate; write [`params::Ema`] before each submit.
    pub fn ema_params_buffer(&self, gpu: &Gpu) -> wgpu::Buffer {
        gpu.uniform("ema params", &params::Ema { rate: 0.0, _pad: [0; 3] })
    }

    /// average ← average + rate · (param − average), reading the rate from `rate`.
    pub fn ema(&self, gpu: &Gpu, rate: &wgpu::Buffer, param: &Tensor, average: &Tensor) -> Result<Op> {
        if average.len() != param.len() {
            return Err(GpuError::shape(
                "ema",
                format!("{} {:?} does not match {} {:?}", average.label, average.shape, param.label, param.shape),
            ));
        }
        let d = self.dispatch_with(
            gpu,
            Kernel::Ema,
            rate.clone(),
            &[("param", param), ("average", average)],
            Work { invocations: param.len().div_ceil(4) as u64, serial: 1, outputs: param.len() as u64, flops: 0 },
        )?;
        Ok(Op::new(format!("ema {}", param.label), vec![d]))
    }
}
