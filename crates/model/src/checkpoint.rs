//! Checkpoints: safetensors files whose tensors are exactly the PyTorch state dict of
//! `seed_net.py` (names, shapes, row-major f32), with the class names of each head and the
//! network's shape in the metadata. Written to a temporary file and renamed into place, so a
//! crash mid-write never destroys the previous checkpoint.

use std::collections::HashMap;
use std::path::Path;

use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use crate::{HeadSpec, ModelError, ModelSpec, Result};

/// What a checkpoint holds: the network's shape and every tensor by name.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub spec: ModelSpec,
    pub tensors: NamedTensors,
    /// Other metadata entries (the trainer keeps its own there).
    pub extra: HashMap<String, String>,
    /// Whether the metadata names every head's classes; a plain PyTorch state dict does not,
    /// and its classes are then named by index (`color0`, …) until the caller names them.
    pub named_classes: bool,
}

/// The image sizes a checkpoint may declare: the network needs at least 22×22; beyond 4096×4096
/// a single image's activations are gigabytes.
const IMAGE_SIZES: std::ops::RangeInclusive<usize> = 22..=4096;

fn err(path: &Path, message: impl Into<String>) -> ModelError {
    ModelError::Checkpoint { path: path.display().to_string(), message: message.into() }
}

/// Writes `tensors` with `spec` (and `extra`) in the metadata, atomically.
pub fn save_checkpoint(
    path: &Path,
    spec: &ModelSpec,
    tensors: &[(String, Vec<usize>, Vec<f32>)],
    extra: &HashMap<String, String>,
) -> Result<()> {
    let mut meta = extra.clone();
    meta.insert("format".into(), "pt".into());
    meta.insert("twinhead.image_size".into(), spec.image_size.to_string());
    meta.insert("twinhead.hidden".into(), spec.hidden.to_string());
    let heads: Vec<&str> = spec.heads.iter().map(|h| h.name.as_str()).collect();
    meta.insert("twinhead.heads".into(), serde_json::to_string(&heads).unwrap());
    for h in &spec.heads {
        meta.insert(format!("heads.{}.classes", h.name), serde_json::to_string(&h.classes).unwrap());
    }
    let views = tensors
        .iter()
        .map(|(name, shape, data)| {
            Ok((
                name.clone(),
                TensorView::new(Dtype::F32, shape.clone(), bytemuck::cast_slice(data))
                    .map_err(|e| err(path, e.to_string()))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes = safetensors::serialize(views, Some(meta)).map_err(|e| err(path, e.to_string()))?;
    let tmp = path.with_extension("safetensors.tmp");
    let io = |error| ModelError::Io { path: path.display().to_string(), error };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let written = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    // A full disk leaves no half-written temporary file behind.
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(io)
}

/// Reads a checkpoint. Files written by PyTorch (`safetensors.torch.save_file(model.state_dict())`)
/// load too: without class names in the metadata, classes are named by index, and without an
/// image size it comes from `fc.weight`. What the file says is validated before it is used.
pub fn load_checkpoint(path: &Path) -> Result<Checkpoint> {
    let (tensors, meta) = read_tensors(path)?;
    let shape_of = |name: &str| tensors.iter().find(|t| t.0 == name).map(|t| t.1.clone());
    let (heads, named_classes) = head_specs(path, &tensors, &meta)?;
    let fc = shape_of("fc.weight")
        .ok_or_else(|| err(path, "no tensor fc.weight: this is not a twinhead/SeedNet checkpoint"))?;
    if fc.len() != 2 || fc[0] == 0 {
        return Err(err(path, format!("fc.weight is {fc:?}, not a [hidden, features] matrix")));
    }
    let image_size = image_size(path, &meta, fc[1])?;
    let spec = ModelSpec { image_size, hidden: fc[0], heads };
    if spec.features() != fc[1] {
        return Err(err(
            path,
            format!(
                "images of {image_size}×{image_size} give {} features but fc.weight takes {}: the metadata and the weights disagree",
                spec.features(),
                fc[1]
            ),
        ));
    }
    spec.validate().map_err(|e| err(path, e.to_string()))?;
    let extra = meta
        .into_iter()
        .filter(|(k, _)| !k.starts_with("twinhead.") && !k.starts_with("heads.") && k != "format")
        .collect();
    Ok(Checkpoint { spec, tensors, extra, named_classes })
}

/// Tensors by name: name, shape and values (row-major), in state-dict order.
pub type NamedTensors = Vec<(String, Vec<usize>, Vec<f32>)>;

/// Every tensor as f32 (f64 files are narrowed), refusing any that holds NaN or infinity, and
/// the metadata.
fn read_tensors(path: &Path) -> Result<(NamedTensors, HashMap<String, String>)> {
    let bytes = std::fs::read(path).map_err(|error| ModelError::Io { path: path.display().to_string(), error })?;
    let not_safetensors = |e: safetensors::SafeTensorError| {
        err(
            path,
            format!(
                "not a readable safetensors file ({e}); pass a .safetensors checkpoint written by twinhead or by safetensors.torch.save_file"
            ),
        )
    };
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(not_safetensors)?;
    let st = SafeTensors::deserialize(&bytes).map_err(not_safetensors)?;
    let meta = header.metadata().clone().unwrap_or_default();

    let mut tensors = Vec::new();
    for (name, view) in st.tensors() {
        let data: Vec<f32> = match view.dtype() {
            Dtype::F32 => bytemuck::pod_collect_to_vec(view.data()),
            Dtype::F64 => bytemuck::pod_collect_to_vec::<u8, f64>(view.data()).into_iter().map(|v| v as f32).collect(),
            other => {
                return Err(err(path, format!("tensor {name} is {other:?}; twinhead reads f32 (or f64) weights")));
            }
        };
        tensors.push((name, view.shape().to_vec(), data));
    }
    for (name, _, data) in &tensors {
        let bad = data.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            return Err(err(
                path,
                format!(
                    "tensor {name} holds {bad} values that are NaN or infinite: the file is damaged or its training diverged"
                ),
            ));
        }
    }
    Ok((tensors, meta))
}

/// The heads: from the metadata, or from the tensor names of a plain state dict (sorted, which
/// puts the tutorial's colour before item); and whether the metadata named every head's classes.
fn head_specs(path: &Path, tensors: &NamedTensors, meta: &HashMap<String, String>) -> Result<(Vec<HeadSpec>, bool)> {
    let shape_of = |name: &str| tensors.iter().find(|t| t.0 == name).map(|t| t.1.clone());
    let head_names: Vec<String> = match meta.get("twinhead.heads") {
        Some(j) => serde_json::from_str(j).map_err(|e| err(path, format!("bad head list in metadata: {e}")))?,
        None => {
            let mut names: Vec<String> = tensors
                .iter()
                .filter_map(|t| t.0.strip_prefix("heads.")?.strip_suffix(".weight").map(str::to_string))
                .collect();
            names.sort();
            names
        }
    };
    let mut heads = Vec::new();
    let mut named_classes = true;
    for name in head_names {
        let shape = shape_of(&format!("heads.{name}.weight"))
            .ok_or_else(|| err(path, format!("no tensor heads.{name}.weight")))?;
        let classes: Vec<String> = match meta.get(&format!("heads.{name}.classes")) {
            Some(j) => {
                serde_json::from_str(j).map_err(|e| err(path, format!("bad class list for head {name}: {e}")))?
            }
            None => {
                named_classes = false;
                (0..shape[0]).map(|i| format!("{name}{i}")).collect()
            }
        };
        if classes.len() != shape[0] {
            return Err(err(
                path,
                format!(
                    "head {name}: the metadata names {} classes, heads.{name}.weight has {} rows",
                    classes.len(),
                    shape[0]
                ),
            ));
        }
        heads.push(HeadSpec { name, classes });
    }
    Ok((heads, named_classes))
}

/// The image size: from the metadata (within [`IMAGE_SIZES`]), or the one whose features
/// `fc.weight` takes.
fn image_size(path: &Path, meta: &HashMap<String, String>, features: usize) -> Result<usize> {
    match meta.get("twinhead.image_size") {
        Some(s) => {
            let size: usize = s.parse().map_err(|_| err(path, format!("bad image size {s:?} in metadata")))?;
            if !IMAGE_SIZES.contains(&size) {
                return Err(err(
                    path,
                    format!(
                        "its metadata says images of {size}×{size}; twinhead takes {} to {} pixels a side",
                        IMAGE_SIZES.start(),
                        IMAGE_SIZES.end()
                    ),
                ));
            }
            Ok(size)
        }
        // A plain state dict: the image size whose features fc.weight takes (96 if it fits).
        None => image_size_for(features).ok_or_else(|| {
            err(
                path,
                format!(
                    "fc.weight takes {} features, which no image size between 22 and 4096 gives (64 × side²)",
                    features
                ),
            )
        }),
    }
}

/// The image size that gives `features` flattened features: the tutorial's 96 when it does,
/// otherwise the smallest that does.
fn image_size_for(features: usize) -> Option<usize> {
    let gives = |s: usize| ModelSpec { image_size: s, hidden: 1, heads: Vec::new() }.features() == features;
    std::iter::once(96).chain(IMAGE_SIZES).find(|&s| gives(s))
}

impl Checkpoint {
    /// Checks that the checkpoint has exactly the tensors `spec` needs (names and shapes), and
    /// the same classes per head; the message names every difference.
    pub fn check_against(&self, spec: &ModelSpec, path: &Path) -> Result<()> {
        let mut problems = Vec::new();
        for (name, shape) in spec.parameters() {
            match self.tensors.iter().find(|t| t.0 == name) {
                None => problems.push(format!("missing {name} {shape:?}")),
                Some(t) if t.1 != shape => problems.push(format!("{name} is {:?}, the model needs {shape:?}", t.1)),
                _ => {}
            }
        }
        let known: Vec<String> = spec.parameters().into_iter().map(|(n, _)| n).collect();
        for t in &self.tensors {
            if !known.contains(&t.0) {
                problems.push(format!("unexpected tensor {} {:?}", t.0, t.1));
            }
        }
        for (mine, theirs) in spec.heads.iter().zip(&self.spec.heads) {
            if mine.name == theirs.name
                && mine.classes.len() == theirs.classes.len()
                && mine.classes != theirs.classes
                && !theirs.classes.iter().all(|c| c.starts_with(&theirs.name))
            {
                problems.push(format!(
                    "head {} has classes {:?}, the data has {:?}",
                    mine.name, theirs.classes, mine.classes
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(err(path, format!("does not fit this model:\n  {}", problems.join("\n  "))))
        }
    }
}
