//! Checkpoints: a round trip keeps every tensor, the classes and the predictions; a checkpoint
//! of another shape is refused with a message naming the differences; PyTorch's own files load.

use std::collections::HashMap;
use std::sync::Arc;

use model::{HeadSpec, Model, ModelSpec, TrainConfig, load_checkpoint, save_checkpoint};
use twinhead::random;

fn gpu() -> Arc<tensor::Gpu> {
    Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter"))
}

fn spec(colors: usize) -> ModelSpec {
    let head =
        |n: &str, names: &[&str]| HeadSpec { name: n.into(), classes: names.iter().map(|s| s.to_string()).collect() };
    let colours = ["black", "blue", "red", "green", "white"];
    ModelSpec::tutorial(vec![head("color", &colours[..colors]), head("item", &["dress", "jeans", "shirt", "shoes"])])
}

#[test]
fn a_checkpoint_round_trip_keeps_weights_classes_and_predictions() {
    let gpu = gpu();
    let config = TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 3, kernels: Default::default() };
    let mut a = Model::new(gpu.clone(), spec(3), &config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    let mut extra = HashMap::new();
    extra.insert("trainer.epoch".to_string(), "7".to_string());
    save_checkpoint(&path, &a.spec, &a.parameters().unwrap(), &extra).unwrap();

    let ck = load_checkpoint(&path).unwrap();
    assert_eq!(ck.spec, spec(3));
    assert_eq!(ck.extra.get("trainer.epoch").map(String::as_str), Some("7"));
    let names: Vec<&str> = ck.tensors.iter().map(|t| t.0.as_str()).collect();
    let expected = [
        "conv1.weight",
        "conv1.bias",
        "conv2.weight",
        "conv2.bias",
        "conv3.weight",
        "conv3.bias",
        "fc.weight",
        "fc.bias",
        "heads.color.weight",
        "heads.color.bias",
        "heads.item.weight",
        "heads.item.bias",
    ];
    let mut sorted = expected.to_vec();
    sorted.sort();
    let mut got = names.clone();
    got.sort();
    assert_eq!(got, sorted);
    assert_eq!(ck.tensors.iter().find(|t| t.0 == "fc.weight").unwrap().1, vec![1024, 6400]);
    assert_eq!(ck.tensors.iter().find(|t| t.0 == "conv1.weight").unwrap().1, vec![16, 3, 3, 3]);

    // Another model (other seed) with the loaded weights predicts exactly the same.
    let mut b = Model::new(gpu, ck.spec.clone(), &TrainConfig { seed: 99, ..config }).unwrap();
    b.set_parameters(&ck.tensors).unwrap();
    let images = random(2 * a.spec.image_len(), 5, 0.0, 1.0);
    assert_eq!(a.logits(&images, 2).unwrap(), b.logits(&images, 2).unwrap());
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_checkpoint_of_another_shape_is_refused_with_the_differences() {
    let gpu = gpu();
    let config = TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 3, kernels: Default::default() };
    let five = Model::new(gpu, spec(5), &config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("five-colours.safetensors");
    save_checkpoint(&path, &five.spec, &five.parameters().unwrap(), &HashMap::new()).unwrap();
    let err = load_checkpoint(&path).unwrap().check_against(&spec(3), &path).unwrap_err().to_string();
    assert!(err.contains("heads.color.weight is [5, 1024], the model needs [3, 1024]"), "{err}");
    assert!(err.contains("five-colours.safetensors"), "{err}");
}

#[test]
fn files_that_are_not_checkpoints_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.safetensors");
    std::fs::write(&text, "these are not weights").unwrap();
    let err = load_checkpoint(&text).unwrap_err().to_string();
    assert!(err.contains("notes.safetensors") && err.contains("not a readable safetensors file"), "{err}");
    let missing = dir.path().join("missing.safetensors");
    let err = load_checkpoint(&missing).unwrap_err().to_string();
    assert!(err.contains("missing.safetensors"), "{err}");
}

/// Rewrites the small PyTorch fixture with `metadata` and `tensors` edited, as a damaged or
/// hostile file would be.
fn forged(dir: &std::path::Path, meta: &[(&str, &str)], edit: impl Fn(&str, &mut Vec<f32>)) -> std::path::PathBuf {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seednet_small.safetensors");
    let ck = load_checkpoint(&fixture).unwrap();
    let mut tensors = ck.tensors.clone();
    for (name, _, data) in &mut tensors {
        edit(name, data);
    }
    let views: Vec<(String, safetensors::tensor::TensorView)> = tensors
        .iter()
        .map(|(n, s, d)| {
            (
                n.clone(),
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), bytemuck::cast_slice(d))
                    .unwrap(),
            )
        })
        .collect();
    let meta: HashMap<String, String> = meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let path = dir.join("forged.safetensors");
    std::fs::write(&path, safetensors::serialize(views, Some(meta)).unwrap()).unwrap();
    path
}

/// Metadata is input too: sizes that do not fit the weights, absurd sizes, and weights that are
/// not numbers are refused with a message, before anything is allocated for them.
#[test]
fn checkpoint_metadata_and_weights_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    // (metadata to set, whether to corrupt the weights, what the refusal says)
    type Case<'a> = (&'a [(&'a str, &'a str)], bool, &'a str);
    let cases: [Case; 5] = [
        (&[("twinhead.image_size", "1000000000")], false, "takes 22 to 4096 pixels a side"),
        (&[("twinhead.image_size", "0")], false, "takes 22 to 4096 pixels a side"),
        (&[("twinhead.image_size", "96")], false, "give 6400 features but fc.weight takes 64"),
        (&[("heads.color.classes", "[\"black\", \"blue\"]")], false, "names 2 classes"),
        (&[], true, "NaN or infinite"),
    ];
    for (meta, poison, says) in cases {
        let path = forged(dir.path(), meta, |name, data| {
            if poison && name == "fc.weight" {
                data[3] = f32::NAN;
                data[5] = f32::INFINITY;
            }
        });
        let e = load_checkpoint(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(says) && e.contains("forged.safetensors"), "{meta:?}: {e}");
    }
    // Unedited, the same file loads.
    assert!(load_checkpoint(&forged(dir.path(), &[], |_, _| {})).is_ok());
}
