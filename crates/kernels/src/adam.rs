//! Adam launcher: one pass over every parameter, reading either from the storage buffers it
//! writes or from texel mirrors of them (the choice under [`ADAM_KEY`], made by measurement).

use crate::{Bound, Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, Work, params};
use tensor::Texels;

/// The key of Adam's choice among a kernel set's choices: a pick's `texels` says whether the
/// step reads param, grad, m, v (and the average) from texel mirrors (shaders/adam_texels.wgsl).
pub const ADAM_KEY: &str = "adam";

/// Adam's hyper-parameters (PyTorch's defaults except the learning rate, which the caller sets).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamHyper {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl AdamHyper {
    pub fn new(lr: f64) -> Self {
        AdamHyper { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 }
    }

    /// The parameter block for step `t` (1-based): the bias corrections are computed here in f64.
    pub fn at_step(&self, t: u32) -> params::Adam {
        params::Adam {
            lr: self.lr as f32,
            beta1: self.beta1 as f32,
            beta2: self.beta2 as f32,
            eps: self.eps as f32,
            bias1: (1.0 - self.beta1.powi(t as i32)) as f32,
            bias2_sqrt: (1.0 - self.beta2.powi(t as i32)).sqrt() as f32,
            one_minus_beta1: (1.0 - self.beta1) as f32,
            one_minus_beta2: (1.0 - self.beta2) as f32,
            average_rate: 0.0,
            _pad: [0; 3],
        }
    }
}

impl Kernels {
    /// A uniform buffer for Adam's per-step parameters, shared by every tensor's update; write
    /// [`AdamHyper::at_step`] into it before each step's submit.
    pub fn adam_params_buffer(&self, gpu: &Gpu) -> wgpu::Buffer {
        gpu.uniform("adam params", &AdamHyper::new(0.0).at_step(1))
    }

    /// param, m and v updated in place from grad, reading hyper-parameters from `hyper`.
    pub fn adam(
        &self,
        gpu: &Gpu,
        hyper: &wgpu::Buffer,
        param: &Tensor,
        grad: &Tensor,
        m: &Tensor,
        v: &Tensor,
    ) -> Result<Op> {
        self.adam_with_average(gpu, hyper, param, grad, m, v, None)
    }

    /// [`Self::adam`], and with `average` the moving average of the parameters in the same
    /// pass, at the rate `hyper`'s `average_rate` says (0: untouched).
    #[allow(clippy::too_many_arguments)]
    pub fn adam_with_average(
        &self,
        gpu: &Gpu,
        hyper: &wgpu::Buffer,
        param: &Tensor,
        grad: &Tensor,
        m: &Tensor,
        v: &Tensor,
        average: Option<&Tensor>,
    ) -> Result<Op> {
        let mut others = vec![grad, m, v];
        others.extend(average);
        for t in others {
            if t.len() != param.len() {
                return Err(GpuError::shape(
                    "adam",
                    format!("{} {:?} does not match parameter {} {:?}", t.label, t.shape, param.label, param.shape),
                ));
            }
        }
        // Without an average the binding gets a stand-in the kernel never touches (rate 0).
        let stand_in;
        let bound = match average {
            Some(a) => a,
            None => {
                stand_in = Tensor::zeros(gpu, "no moving average", &[4])?;
                &stand_in
            }
        };
        // One vec4 per invocation; it writes param, m and v (and the average).
        let work = Work {
            invocations: param.len().div_ceil(4) as u64,
            serial: 1,
            outputs: (3 + average.is_some() as u64) * param.len() as u64,
            flops: 0,
        };
        let written = [("param", param), ("m", m), ("v", v), ("average", bound)];
        let read = [param, grad, m, v, bound];
        let texels = self.pick_by_key(ADAM_KEY).texels && Texels::fits(gpu, param.len());
        let mut d = if texels {
            let mirrors = read
                .iter()
                .map(|t| crate::texels::mirror_for(gpu, Kernel::AdamTexels, t))
                .collect::<Result<Vec<_>>>()?;
            let names = ["param_texels", "grad_texels", "m_texels", "v_texels", "average_texels"];
            let mut bound = Bound::tensors(&written);
            bound.extend(names.iter().zip(&mirrors).map(|(&name, mirror)| Bound::texels(name, mirror)));
            let mut d = self.dispatch_with_bound(gpu, Kernel::AdamTexels, hyper.clone(), bound, work)?;
            for (mirror, t) in mirrors.iter().zip(read) {
                d.keep(&mirror.texture);
                d.copy_first(mirror.copy_from(t)?);
            }
            d
        } else {
            let bound = Bound::tensors(&[("param", param), ("m", m), ("v", v), ("average", bound), ("grad", grad)]);
            self.dispatch_with_bound(gpu, Kernel::Adam, hyper.clone(), bound, work)?
        };
        // Reads param, grad, m, v (and the average), writes param, m, v (and the average).
        let streams = 7 + 2 * average.is_some() as u64;
        d.bytes = streams * 4 * param.len() as u64;
        Ok(Op::new(format!("adam {}", param.label), vec![d]))
    }
}
