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

use crate::model::Model;
use crate::{ModelError, NamedTensors, Result};

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

/// The average as the model keeps it: on, off, standing in for the weights.
impl Model {
    /// Keeps a moving average of the weights from now on (see the `ema` module), starting at
    /// the current weights; `decay` in (0, 1), e.g. 0.99.
    pub fn enable_ema(&mut self, decay: f64) -> Result<()> {
        if !(decay > 0.0 && decay < 1.0) {
            return Err(ModelError::Input(format!("the moving average's decay {decay} must be above 0 and below 1")));
        }
        let ema = Ema::new(&self.gpu, &self.params.flat.value, decay)?;
        let flat = &self.params.flat;
        let (hyper, average) = (&self.adam_params, Some(&ema.average));
        self.adam =
            self.kernels.adam_with_average(&self.gpu, hyper, &flat.value, &flat.grad, &flat.m, &flat.v, average)?;
        self.ema = Some(ema);
        Ok(())
    }

    /// Whether a moving average is kept.
    pub fn has_ema(&self) -> bool {
        self.ema.is_some()
    }

    /// Runs `f` with the moving average standing in for the weights (evaluation, checkpoints),
    /// then puts the weights back; without an average, `f` sees the weights.
    pub fn with_average<T, E>(&mut self, f: impl FnOnce(&mut Model) -> Result<T, E>) -> Result<T, E> {
        let Some(mut ema) = self.ema.take() else { return f(self) };
        ema.swap(&self.gpu, &self.params.flat.value);
        self.ema = Some(ema);
        let out = f(self);
        let mut ema = self.ema.take().expect("the average is kept while it stands in");
        ema.swap(&self.gpu, &self.params.flat.value);
        self.ema = Some(ema);
        out
    }

    /// The moving average of every parameter, in state-dict order (as [`Model::parameters`]).
    pub fn average_parameters(&self) -> Result<Option<NamedTensors>> {
        let Some(ema) = &self.ema else { return Ok(None) };
        // While the average stands in for the weights, it is in the parameter buffer.
        let holder = if ema.swapped { &self.params.flat.value } else { &ema.average };
        let all = holder.to_vec(&self.gpu)?;
        let base = self.params.flat.value.offset;
        let out = self
            .params
            .all()
            .map(|p| {
                let first = ((p.value.offset - base) / 4) as usize;
                (p.name.clone(), p.shape.clone(), all[first..first + p.value.len()].to_vec())
            })
            .collect();
        Ok(Some(out))
    }

    /// Replaces the moving average by name (resuming a run); the average must be on.
    pub fn set_average_parameters(&mut self, values: &[(String, Vec<usize>, Vec<f32>)]) -> Result<()> {
        let Some(ema) = self.ema.as_ref().filter(|e| !e.swapped) else {
            return Err(ModelError::Input("no moving average is kept to set (or it stands in for the weights)".into()));
        };
        for (name, shape, data) in values {
            let p = self.param_named(name, shape)?;
            let offset = ema.average.offset + (p.value.offset - self.params.flat.value.offset);
            Tensor::view(&ema.average.buffer, name, offset, shape)?.write(&self.gpu, data)?;
        }
        Ok(())
    }
}
