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

/// Names the classes of `model`'s heads from `--classes head=a,b,c` values (each head at most
/// once, as many names as the head has outputs).
pub fn name_classes(model: &mut Model, given: &[String]) -> Result<()> {
    let mut seen = Vec::new();
    for item in given {
        let (head, names) = item.split_once('=').with_context(|| {
            format!("--classes {item:?}: write it as HEAD=CLASS,CLASS,… (e.g. color=black,blue,red)")
        })?;
        let names: Vec<String> = names.split(',').map(|n| n.trim().to_string()).collect();
        let heads: Vec<String> = model.spec.heads.iter().map(|h| h.name.clone()).collect();
        let spec_head = model.spec.heads.iter_mut().find(|h| h.name == head).with_context(|| {
            format!("--classes {item:?}: the checkpoint has no head {head:?} (its heads: {})", heads.join(", "))
        })?;
        anyhow::ensure!(!seen.contains(&head), "--classes names head {head} twice");
        anyhow::ensure!(
            names.len() == spec_head.classes.len() && names.iter().all(|n| !n.is_empty()),
            "--classes {item:?}: head {head} has {} classes, {} names given",
            spec_head.classes.len(),
            names.len()
        );
        spec_head.classes = names;
        seen.push(head);
    }
    Ok(())
}

/// What to say when a checkpoint names no classes and nothing else does.
pub fn no_class_names(model: &Model, path: &Path) -> anyhow::Error {
    let example: Vec<String> = model
        .spec
        .heads
        .iter()
        .map(|h| {
            format!(
                "--classes {}={}",
                h.name,
                (0..h.classes.len()).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    anyhow::anyhow!(
        "{} names no classes (a plain PyTorch state dict): give them in the order of the heads' outputs, e.g. {}",
        path.display(),
        example.join(" ")
    )
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
