//! The model's moving average of the weights ([`crate::ema`]): turned on, standing in for the
//! weights while validation and checkpoints read them, read and restored by name.

use tensor::Tensor;

use crate::ema::Ema;
use crate::model::Model;
use crate::{ModelError, NamedTensors, Result};

/// The average as the model keeps it: on, off, standing in for the weights.
impl Model {
    /// Keeps a moving average of the weights from now on (see the `ema` module), starting at
    /// the current weights; `decay` in (0, 1), e.g. 0.99.
    pub fn enable_ema(&mut self, decay: f64) -> Result<()> {
        if !(decay > 0.0 && decay < 1.0) {
            return Err(ModelError::Input(format!("the moving average's decay {decay} must be above 0 and below 1")));
        }
        let ema = Ema::new(&self.gpu, &self.params.flat.value, decay)?;
        let before = self.ema.replace(ema);
        if let Err(e) = self.rebuild_adam() {
            self.ema = before; // the step's Adam pass still updates what it did
            return Err(e);
        }
        Ok(())
    }

    /// Builds the step's Adam pass again: over every parameter, with the moving average when one
    /// is kept, through the reader the kernel set's choice names (see kernels::ADAM_KEY).
    pub(crate) fn rebuild_adam(&mut self) -> Result<()> {
        let flat = &self.params.flat;
        let average = self.ema.as_ref().map(|e| &e.average);
        let hyper = &self.adam_params;
        self.adam =
            self.kernels.adam_with_average(&self.gpu, hyper, &flat.value, &flat.grad, &flat.m, &flat.v, average)?;
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
