//! An exponential moving average of the weights, kept on the GPU beside them and updated in
//! Adam's pass, from each step's new weights (no pass of its own).
//!
//! Why: at a constant learning rate the weights of consecutive epochs differ enough that what
//! validation cannot see (combinations never trained on) swings from one epoch to the next;
//! the average of the last few hundred steps' weights moves slowly and is what validation and
//! the best checkpoint use when it is on.
//!
//! The decay of step t (1-based) is min(decay, (1 + t) / (10 + t)): the first steps weigh the
//! new weights heavily, so the average does not dwell on the random initial ones.

use tensor::{Gpu, Tensor};

use crate::Result;

pub(crate) struct Ema {
    pub decay: f64,
    /// The average, laid out as the flat parameter buffer.
    pub average: Tensor,
    /// Room for the weights while the average stands in for them ([`Ema::swap`]).
    spare: Tensor,
    /// Whether the average is in the parameter buffer now (and the weights in `average`).
    pub swapped: bool,
}

impl Ema {
    /// An average that starts at the current `weights` (the flat parameter buffer).
    pub fn new(gpu: &Gpu, weights: &Tensor, decay: f64) -> Result<Ema> {
        let average = Tensor::zeros(gpu, "moving average of the parameters", &weights.shape)?;
        let spare = Tensor::zeros(gpu, "parameters while the average stands in", &weights.shape)?;
        copy(gpu, weights, &average);
        Ok(Ema { decay, average, spare, swapped: false })
    }

    /// 1 − the decay of step `step` (1-based).
    pub fn rate(decay: f64, step: u32) -> f32 {
        let warm = (1.0 + step as f64) / (10.0 + step as f64);
        (1.0 - decay.min(warm)) as f32
    }

    /// Exchanges the weights in `weights` and the average, on the GPU (in queue order, after
    /// every step submitted before).
    pub fn swap(&mut self, gpu: &Gpu, weights: &Tensor) {
        copy(gpu, weights, &self.spare);
        copy(gpu, &self.average, weights);
        copy(gpu, &self.spare, &self.average);
        self.swapped = !self.swapped;
    }
}

/// Copies `from` into `to` (same size) in a submit of its own.
fn copy(gpu: &Gpu, from: &Tensor, to: &Tensor) {
    let mut encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("copy") });
    encoder.copy_buffer_to_buffer(&from.buffer, from.offset, &to.buffer, to.offset, from.bytes());
    gpu.queue.submit([encoder.finish()]);
}
