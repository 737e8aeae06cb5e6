//! Adam's reader, chosen by measurement as a pass's kernel is: the step read from the storage
//! buffers it writes, or from texel mirrors of them filled by copies just before
//! (shaders/adam_texels.wgsl). Which is faster depends on the CPU under lavapipe: on one EPYC,
//! with AVX2 only the mirrors took the step from 124 to 83 ms, with AVX-512 from 32 to 62.
//! Timed on scratch tensors of the parameters' size: a step on the model's own would move its
//! weights and optimizer state.

use std::collections::HashMap;
use std::time::Instant;

use kernels::{ADAM_KEY, Pick};
use tensor::Tensor;

use super::timing;
use crate::Result;
use crate::model::Model;

impl Model {
    /// Takes Adam's reader from the cache's choices when they have it, unless chosen already;
    /// returns whether it is chosen now.
    pub(super) fn take_known_adam(&mut self, known: &HashMap<String, Pick>) -> Result<bool> {
        if self.kernels.choices().contains_key(ADAM_KEY) {
            return Ok(true);
        }
        match known.get(ADAM_KEY) {
            Some(&pick) => self.use_adam(pick).map(|_| true),
            None => Ok(false),
        }
    }

    /// Chooses Adam's reader, unless chosen already or out of time (it then keeps the storage
    /// reader, measured again next run); returns the pick when it was measured.
    pub(super) fn choose_adam(&mut self, first: Pick, deadline: Instant) -> Result<Option<Pick>> {
        if self.kernels.choices().contains_key(ADAM_KEY) || Instant::now() >= deadline {
            return Ok(None);
        }
        let len = self.params.flat.value.len();
        let scratch = ["param", "grad", "m", "v"]
            .map(|name| Tensor::zeros(&self.gpu, &format!("adam timing {name}"), &[len]))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let hyper = self.kernels.adam_params_buffer(&self.gpu);
        let picks = [Pick { texels: false, ..first }, Pick { texels: true, ..first }];
        let ops = picks
            .iter()
            .map(|&p| {
                self.kernels.trying(p).adam(&self.gpu, &hyper, &scratch[0], &scratch[1], &scratch[2], &scratch[3])
            })
            .collect::<Result<Vec<_>, _>>()?;
        let best = timing::fastest(&self.gpu, &picks, &ops.iter().collect::<Vec<_>>(), deadline)?;
        self.use_adam(best)?;
        Ok(Some(best))
    }

    /// Runs Adam with `pick`'s reader from now on (rebuilds the step's Adam pass).
    pub(super) fn use_adam(&mut self, pick: Pick) -> Result<()> {
        self.kernels.set_choice(ADAM_KEY.to_string(), pick);
        self.rebuild_adam()
    }
}
