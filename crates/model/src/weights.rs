//! A model's parameters, gradients and Adam moments by name, in state-dict order: what
//! checkpoints, training states and tests read and write.

use crate::model::{Model, NamedMoments};
use crate::{ModelError, NamedTensors, Result};

impl Model {
    /// Every parameter's name, shape and values, in state-dict order.
    pub fn parameters(&self) -> Result<NamedTensors> {
        self.params.all().map(|p| Ok((p.name.clone(), p.shape.clone(), p.value.to_vec(&self.gpu)?))).collect()
    }

    /// Every parameter's gradient from the last step, in state-dict order.
    pub fn gradients(&self) -> Result<Vec<(String, Vec<f32>)>> {
        self.params.all().map(|p| Ok((p.name.clone(), p.grad.to_vec(&self.gpu)?))).collect()
    }

    /// Adam's moments (m, v) of every parameter, in state-dict order.
    pub fn moments(&self) -> Result<Vec<NamedMoments>> {
        self.params.all().map(|p| Ok((p.name.clone(), p.m.to_vec(&self.gpu)?, p.v.to_vec(&self.gpu)?))).collect()
    }

    /// The parameter `name`, which must have `shape`.
    pub(crate) fn param_named(&self, name: &str, shape: &[usize]) -> Result<&crate::parameters::Param> {
        let p =
            self.params.by_name(name).ok_or_else(|| ModelError::Input(format!("the model has no parameter {name}")))?;
        if p.shape != shape {
            return Err(ModelError::Input(format!("{name} is {:?} in the model, {shape:?} given", p.shape)));
        }
        Ok(p)
    }

    /// Replaces parameters by name; every name and shape must be the model's own.
    pub fn set_parameters(&mut self, values: &[(String, Vec<usize>, Vec<f32>)]) -> Result<()> {
        for (name, shape, data) in values {
            let p = self.param_named(name, shape)?;
            p.value.write(&self.gpu, data)?;
        }
        Ok(())
    }

    /// Replaces Adam's moments by name (resuming a run).
    pub fn set_moments(&mut self, moments: &[(String, Vec<f32>, Vec<f32>)], step: u32) -> Result<()> {
        for (name, m, v) in moments {
            let p = self
                .params
                .by_name(name)
                .ok_or_else(|| ModelError::Input(format!("the model has no parameter {name}")))?;
            p.m.write(&self.gpu, m)?;
            p.v.write(&self.gpu, v)?;
        }
        self.step = step;
        Ok(())
    }
}
