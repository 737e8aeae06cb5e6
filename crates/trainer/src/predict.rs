//! Prediction and evaluation with a saved checkpoint.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use model::{Checkpoint, Model, TrainConfig, load_checkpoint};
use tensor::Gpu;

use crate::data::load_image;
use crate::evaluate::{argmax, softmax};

/// A model with the checkpoint's weights.
pub fn model_from_checkpoint(gpu: Arc<Gpu>, path: &Path) -> Result<(Model, Checkpoint)> {
    let ckpt = load_checkpoint(path)?;
    let config =
        TrainConfig { lr: 0.0, loss_weights: vec![1.0; ckpt.spec.heads.len()], seed: 0, kernels: Default::default() };
    let mut model = Model::new(gpu, ckpt.spec.clone(), &config)?;
    ckpt.check_against(&ckpt.spec, path)?;
    model.set_parameters(&ckpt.tensors)?;
    Ok((model, ckpt))
}

/// One image's answer per head: (head name, class, probability).
pub type Prediction = Vec<(String, String, f64)>;

/// Predicts every image; a file that cannot be read is reported in its place.
pub fn predict(model: &mut Model, images: &[impl AsRef<Path>]) -> Result<Vec<Result<Prediction>>> {
    let mut out = Vec::new();
    for path in images {
        let path = path.as_ref();
        let planes = match load_image(path, model.spec.image_size) {
            Ok(p) => p,
            Err(e) => {
                out.push(Err(e.context(format!("{}", path.display()))));
                continue;
            }
        };
        let pixels: Vec<f32> = planes.iter().map(|&b| b as f32 / 255.0).collect();
        let logits = model.logits(&pixels, 1).with_context(|| format!("predicting {}", path.display()))?;
        let answer = model
            .spec
            .heads
            .iter()
            .zip(&logits)
            .map(|(h, row)| {
                let c = argmax(row);
                (h.name.clone(), h.classes[c].clone(), softmax(row)[c])
            })
            .collect();
        out.push(Ok(answer));
    }
    Ok(out)
}
