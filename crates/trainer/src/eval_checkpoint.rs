//! `trainer eval`: a checkpoint on a whole folder of labelled images, with the checkpoint's
//! class lists aligned to the folder's and accuracy per combination.

use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tensor::Gpu;

use crate::data::{Dataset, Skipped, load_folder};
use crate::evaluate::{confusion_table, evaluate};
use crate::predict::{model_from_checkpoint, name_classes, no_class_names};
use crate::report::accuracies;

/// `trainer eval`'s findings: the report to print, and the files that could not be read.
pub struct CheckpointReport {
    pub text: String,
    pub skipped: Vec<Skipped>,
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
    let mut out = String::new();
    let heads: Vec<String> = model.spec.heads.iter().map(|h| h.name.clone()).collect();
    let (set, skipped) = match labels {
        Some(table) => crate::labels_csv::load_table(data, table, model.spec.image_size)?,
        None => load_folder(data, &heads, model.spec.image_size)?,
    };
    let names: Vec<&str> = set.heads.iter().map(|h| h.name.as_str()).collect();
    anyhow::ensure!(
        names == heads.iter().map(String::as_str).collect::<Vec<_>>(),
        "the data's heads are {} but {} has {}",
        names.join(", "),
        checkpoint.display(),
        heads.join(", ")
    );
    if !ckpt.named_classes && classes.is_empty() {
        // A plain state dict: the folder names the classes, when it has them all.
        for (h, folder) in set.heads.iter().enumerate() {
            let wanted = model.spec.heads[h].classes.len();
            if wanted != folder.classes.len() {
                return Err(no_class_names(&model, checkpoint).context(format!(
                    "the folder has {} {} classes ({}), the checkpoint {wanted}",
                    folder.classes.len(),
                    folder.name,
                    folder.classes.join(", "),
                )));
            }
            model.spec.heads[h].classes = folder.classes.clone();
        }
    }
    let set = align_classes(set, &model.spec.heads)
        .with_context(|| format!("evaluating {} on {}", checkpoint.display(), data.display()))?;
    let all: Vec<usize> = (0..set.len()).collect();
    let e = evaluate(&mut model, &set, &all, batch_size)?;
    writeln!(out, "{} images: accuracy {}  loss {:.3}", e.count, accuracies(&e, &set), e.total_loss())?;
    // Combinations the checkpoint was trained on, when it says: report the others apart.
    let trained_on = ckpt.extra.get("trainer.trained_on").and_then(|j| serde_json::from_str::<Vec<String>>(j).ok());
    if let Some(trained_on) = &trained_on {
        let (seen, unseen): (Vec<usize>, Vec<usize>) =
            all.iter().partition(|&&i| trained_on.contains(&set.combination(i)));
        for (what, idx) in [("seen in training", seen), ("never seen in training", unseen)] {
            if !idx.is_empty() {
                let mut combos: Vec<String> = idx.iter().map(|&i| set.combination(i)).collect();
                combos.sort();
                combos.dedup();
                let e = evaluate(&mut model, &set, &idx, batch_size)?;
                let (count, combos, acc) = (e.count, combos.join(", "), accuracies(&e, &set));
                writeln!(out, "{count} images of combinations {what} ({combos}): accuracy {acc}")?;
            }
        }
    }
    writeln!(out, "{}", by_combination(&mut model, &set, batch_size, trained_on.as_deref())?)?;
    for (h, head) in set.heads.iter().enumerate() {
        write!(out, "confusion matrix, {}:\n{}", head.name, confusion_table(&head.classes, &e.confusion[h]))?;
    }
    Ok(CheckpointReport { text: out.trim_end().to_string(), skipped })
}

/// Accuracy per colour/item combination as a table; combinations the checkpoint was not
/// trained on (when it says) are marked, since those are the ones a two-head network must infer.
fn by_combination(
    model: &mut model::Model,
    set: &Dataset,
    batch: usize,
    trained_on: Option<&[String]>,
) -> Result<String> {
    let mut combos: Vec<String> = (0..set.len()).map(|i| set.combination(i)).collect();
    combos.sort();
    combos.dedup();
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
