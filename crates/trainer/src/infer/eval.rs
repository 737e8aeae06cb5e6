//! `trainer eval`: a checkpoint on a whole folder of labelled images, with the checkpoint's
//! class lists aligned to the folder's and accuracy per combination.

use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tensor::Gpu;

use model::Model;

use super::checkpoint::{model_from_checkpoint, name_classes, no_class_names};
use super::evaluate::{accuracies, confusion_table, evaluate};
use crate::data::{DataSource, Dataset, Skipped, skipped_text};
use crate::stdout;

/// `trainer eval`'s findings: the report to print, and the files that could not be read.
pub struct CheckpointReport {
    pub text: String,
    pub skipped: Vec<Skipped>,
}

impl CheckpointReport {
    /// The report on standard output, the skipped files on standard error.
    pub fn print(&self) -> Result<()> {
        stdout::line(&self.text)?;
        if !self.skipped.is_empty() {
            eprint!("{}", skipped_text(&self.skipped));
        }
        Ok(())
    }
}

/// Evaluates a checkpoint on a whole folder of labelled images: accuracy, seen and unseen
/// combinations apart (when the checkpoint says what it was trained on), accuracy per
/// combination and confusion matrices.
pub fn evaluate_checkpoint(
    gpu: Arc<Gpu>,
    checkpoint: &Path,
    data: &Path,
    batch_size: usize,
    classes: &[String],
    labels: Option<&Path>,
) -> Result<CheckpointReport> {
    anyhow::ensure!(batch_size > 0, "--batch-size must be at least 1");
    let (mut model, ckpt) = model_from_checkpoint(gpu, checkpoint)?;
    name_classes(&mut model, classes, false)?;
    let heads: Vec<String> = model.spec.heads.iter().map(|h| h.name.clone()).collect();
    // A label table names its heads in its header; a folder's parts are the checkpoint's heads.
    let source = DataSource {
        folder: Some(data.to_path_buf()),
        synthetic_images: 0,
        heads: labels.is_none().then(|| heads.clone()),
        labels: labels.map(Path::to_path_buf),
    };
    let (set, skipped) = source.load(model.spec.image_size)?;
    let names: Vec<&str> = set.heads.iter().map(|h| h.name.as_str()).collect();
    anyhow::ensure!(
        names == heads.iter().map(String::as_str).collect::<Vec<_>>(),
        "the data's heads are {} but {} has {}",
        names.join(", "),
        checkpoint.display(),
        heads.join(", ")
    );
    if !ckpt.named_classes && classes.is_empty() {
        classes_from_folder(&mut model, &set, checkpoint)?;
    }
    let set = align_classes(set, &model.spec.heads)
        .with_context(|| format!("evaluating {} on {}", checkpoint.display(), data.display()))?;
    // Combinations the checkpoint was trained on, when it says: reported apart.
    let trained_on = ckpt.extra.get("trainer.trained_on").and_then(|j| serde_json::from_str::<Vec<String>>(j).ok());
    let text = report(&mut model, &set, batch_size, trained_on.as_deref())?;
    Ok(CheckpointReport { text, skipped })
}

/// A plain state dict names no classes: the folder names them, when it has them all.
fn classes_from_folder(model: &mut Model, set: &Dataset, checkpoint: &Path) -> Result<()> {
    for (h, folder) in set.heads.iter().enumerate() {
        let wanted = model.spec.heads[h].classes.len();
        if wanted != folder.classes.len() {
            return Err(no_class_names(model, checkpoint).context(format!(
                "the folder has {} {} classes ({}), the checkpoint {wanted}",
                folder.classes.len(),
                folder.name,
                folder.classes.join(", "),
            )));
        }
        model.spec.heads[h].classes = folder.classes.clone();
    }
    Ok(())
}

/// The report's text: the whole set, seen and unseen apart, per combination, confusion matrices.
fn report(model: &mut Model, set: &Dataset, batch_size: usize, trained_on: Option<&[String]>) -> Result<String> {
    let mut out = String::new();
    let all: Vec<usize> = (0..set.len()).collect();
    let e = evaluate(model, set, &all, batch_size)?;
    writeln!(out, "{} images: accuracy {}  loss {:.3}", e.count, accuracies(&e, set), e.total_loss())?;
    if let Some(trained_on) = trained_on {
        let (seen, unseen): (Vec<usize>, Vec<usize>) =
            all.iter().partition(|&&i| trained_on.contains(&set.combination(i)));
        for (what, idx) in [("seen in training", seen), ("never seen in training", unseen)] {
            if !idx.is_empty() {
                let combos = set.combinations(idx.iter().copied()).join(", ");
                let e = evaluate(model, set, &idx, batch_size)?;
                let (count, acc) = (e.count, accuracies(&e, set));
                writeln!(out, "{count} images of combinations {what} ({combos}): accuracy {acc}")?;
            }
        }
    }
    writeln!(out, "{}", by_combination(model, set, batch_size, trained_on)?)?;
    for (h, head) in set.heads.iter().enumerate() {
        write!(out, "confusion matrix, {}:\n{}", head.name, confusion_table(&head.classes, &e.confusion[h]))?;
    }
    Ok(out.trim_end().to_string())
}

/// Accuracy per colour/item combination as a table; combinations the checkpoint was not
/// trained on (when it says) are marked, since those are the ones a two-head network must infer.
fn by_combination(model: &mut Model, set: &Dataset, batch: usize, trained_on: Option<&[String]>) -> Result<String> {
    let combos = set.combinations(0..set.len());
    let width = combos.iter().map(|c| c.len() + 1).max().unwrap_or(0).max(11);
    let mut out = format!("{:<width$} {:>6}", "combination", "images");
    for head in &set.heads {
        out += &format!(" {:>6}", head.name);
    }
    out += "   both\n";
    for combo in &combos {
        let idx: Vec<usize> = (0..set.len()).filter(|&i| &set.combination(i) == combo).collect();
        let e = evaluate(model, set, &idx, batch)?;
        let unseen = trained_on.is_some_and(|t| !t.contains(combo));
        let name = format!("{combo}{}", if unseen { "*" } else { "" });
        out += &format!("{name:<width$} {:>6}", e.count);
        for h in 0..set.heads.len() {
            out += &format!(" {:>5.1}%", 100.0 * e.accuracy(h));
        }
        out += &format!(" {:>5.1}%\n", 100.0 * e.all_accuracy());
    }
    if trained_on.is_some_and(|t| combos.iter().any(|c| !t.contains(c))) {
        out += "* never seen in training\n";
    }
    Ok(out)
}

/// Re-labels a folder's images with the checkpoint's class lists (a folder may lack some
/// classes the model knows); a class the model does not know is an error.
pub fn align_classes(mut set: Dataset, model_heads: &[model::HeadSpec]) -> Result<Dataset> {
    for (h, (mine, theirs)) in set.heads.iter().zip(model_heads).enumerate() {
        let map: Vec<u32> = mine
            .classes
            .iter()
            .map(|c| {
                theirs.classes.iter().position(|t| t == c).map(|p| p as u32).with_context(|| {
                    format!(
                        "the folder has {} class {c:?}, which the model does not know ({:?})",
                        mine.name, theirs.classes
                    )
                })
            })
            .collect::<Result<_>>()?;
        for l in set.labels[h].iter_mut().filter(|l| **l != model::IGNORE) {
            *l = map[*l as usize];
        }
    }
    set.heads = model_heads.to_vec();
    Ok(set)
}
