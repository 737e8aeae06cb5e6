//! `trainer predict`: each image's class and probability per head, as text, JSON or CSV.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use model::Model;
use tensor::Gpu;

use super::checkpoint::{model_from_checkpoint, name_classes, no_class_names};
use super::evaluate::{argmax, softmax};
use crate::data::load_image;
use crate::stdout;

/// How predictions are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PredictFormat {
    Text,
    Json,
    Csv,
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
        let logits = model.logits_bytes(&planes, 1).with_context(|| format!("predicting {}", path.display()))?;
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

/// `trainer predict`: each image's answer per head, printed in `format`; a file that cannot be
/// read is said on standard error and counted, and the command fails at the end if any was.
pub fn predict_files(
    gpu: Arc<Gpu>,
    checkpoint: &Path,
    images: &[PathBuf],
    classes: &[String],
    format: PredictFormat,
) -> Result<()> {
    let (mut model, ckpt) = model_from_checkpoint(gpu, checkpoint)?;
    if !ckpt.named_classes && classes.is_empty() {
        return Err(no_class_names(&model, checkpoint));
    }
    name_classes(&mut model, classes, !ckpt.named_classes)?;
    let mut answers = Vec::new();
    let mut failures = 0;
    for (path, result) in images.iter().zip(predict(&mut model, images)?) {
        match result {
            Ok(answer) => answers.push((path.as_path(), answer)),
            Err(e) => {
                failures += 1;
                eprintln!("{e:#}");
            }
        }
    }
    let heads: Vec<&str> = model.spec.heads.iter().map(|h| h.name.as_str()).collect();
    match format {
        PredictFormat::Text => print_text(&answers)?,
        PredictFormat::Json => print_json(&answers)?,
        PredictFormat::Csv => print_csv(&answers, &heads)?,
    }
    if failures > 0 {
        bail!("{failures} of {} images could not be read", images.len());
    }
    Ok(())
}

/// One image's path and its answer.
type Answer<'a> = (&'a Path, Prediction);

/// A line per image: `path: color red (98.1%), item shirt (99.0%)`.
fn print_text(answers: &[Answer]) -> Result<()> {
    for (path, answer) in answers {
        let parts: Vec<String> = answer.iter().map(|(h, c, p)| format!("{h} {c} ({:.1}%)", 100.0 * p)).collect();
        stdout::line(&format!("{}: {}", path.display(), parts.join(", ")))?;
    }
    Ok(())
}

/// An array of records `{"path": …, "<head>": {"class": …, "probability": …}}`.
fn print_json(answers: &[Answer]) -> Result<()> {
    let records: Vec<serde_json::Value> = answers
        .iter()
        .map(|(path, answer)| {
            let mut record = serde_json::Map::new();
            record.insert("path".into(), path.display().to_string().into());
            for (h, c, p) in answer {
                record.insert(h.clone(), serde_json::json!({ "class": c, "probability": p }));
            }
            serde_json::Value::Object(record)
        })
        .collect();
    stdout::line(&serde_json::to_string_pretty(&records)?)
}

/// A header `path,<head>,<head>_probability,…` and a row per image.
fn print_csv(answers: &[Answer], heads: &[&str]) -> Result<()> {
    let mut out = csv::Writer::from_writer(std::io::stdout());
    let mut header = vec!["path".to_string()];
    for h in heads {
        header.extend([h.to_string(), format!("{h}_probability")]);
    }
    out.write_record(&header)?;
    for (path, answer) in answers {
        let mut row = vec![path.display().to_string()];
        for (_, c, p) in answer {
            row.extend([c.clone(), format!("{p:.6}")]);
        }
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}
