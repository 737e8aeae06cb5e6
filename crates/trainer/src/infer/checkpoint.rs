//! A checkpoint made a model: its weights loaded (a training state refused), its classes named
//! from `--classes` when it does not name them itself.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use model::{Checkpoint, Model, TrainConfig, load_checkpoint};
use tensor::Gpu;

/// A model with the checkpoint's weights.
pub fn model_from_checkpoint(gpu: Arc<Gpu>, path: &Path) -> Result<(Model, Checkpoint)> {
    let ckpt = load_checkpoint(path)?;
    if ckpt.tensors.iter().any(|t| t.0.starts_with("adam.")) {
        anyhow::bail!(
            "{} is a training state (weights with Adam's moments, what --resume reads), not a model: \
             give best.safetensors or last.safetensors of the same run folder",
            path.display()
        );
    }
    let config =
        TrainConfig { lr: 0.0, loss_weights: vec![1.0; ckpt.spec.heads.len()], seed: 0, kernels: Default::default() };
    let mut model = Model::new(gpu, ckpt.spec.clone(), &config)?;
    ckpt.check_against(&ckpt.spec, path)?;
    model.set_parameters(&ckpt.tensors)?;
    Ok((model, ckpt))
}

/// Names the classes of `model`'s heads from `--classes head=a,b,c` values (each head at most
/// once, as many names as the head has outputs, non-empty and distinct). With `every_head`
/// (a checkpoint that names no classes, and nothing else to name them) each head must be named.
pub fn name_classes(model: &mut Model, given: &[String], every_head: bool) -> Result<()> {
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
            names.len() == spec_head.classes.len(),
            "--classes {item:?}: head {head} has {} classes, {} names given",
            spec_head.classes.len(),
            names.len()
        );
        anyhow::ensure!(names.iter().all(|n| !n.is_empty()), "--classes {item:?}: a class name is empty");
        if let Some(twice) = names.iter().enumerate().find(|(i, n)| names[..*i].contains(n)) {
            anyhow::bail!("--classes {item:?}: class {:?} is named twice; each class needs its own name", twice.1);
        }
        spec_head.classes = names;
        seen.push(head);
    }
    if every_head {
        let missing: Vec<&str> =
            model.spec.heads.iter().map(|h| h.name.as_str()).filter(|h| !seen.contains(h)).collect();
        if !missing.is_empty() {
            anyhow::bail!(
                "the checkpoint names no classes, and --classes names none for head{} {}: give each head its names \
                 ({})",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                class_examples(model).join(" ")
            );
        }
    }
    Ok(())
}

fn class_examples(model: &Model) -> Vec<String> {
    model
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
        .collect()
}

/// What to say when a checkpoint names no classes and nothing else does.
pub fn no_class_names(model: &Model, path: &Path) -> anyhow::Error {
    let example = class_examples(model);
    anyhow::anyhow!(
        "{} names no classes (a plain PyTorch state dict): give them in the order of the heads' outputs, e.g. {}",
        path.display(),
        example.join(" ")
    )
}
