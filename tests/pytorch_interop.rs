//! Checkpoints move between PyTorch and twinhead unchanged.
//!
//! PyTorch → twinhead: `tests/fixtures/seednet_small.safetensors` was written by PyTorch
//! (`python tests/pytorch/interop.py fixture`: the reference SeedNet with a 16-wide shared layer
//! for 24×24 images, PyTorch's own init), with its logits on a fixed input; twinhead must
//! reproduce them. twinhead → PyTorch: this test also writes twinhead checkpoints and their
//! logits under `target/interop/`, which `python tests/pytorch/interop.py check FILE JSON`
//! loads into SeedNet with a strict state-dict load and compares (run by hand where torch is).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use model::{HeadSpec, Model, ModelSpec, TrainConfig, load_checkpoint, save_checkpoint};
use twinhead::{Tolerance, assert_close};

/// The fixed input both sides use: 2 images, x[i] = ((i · 7919) mod 1000) / 1000.
fn fixed_input(image_size: usize) -> Vec<f32> {
    (0..2 * 3 * image_size * image_size).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect()
}

fn gpu() -> Arc<tensor::Gpu> {
    Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter"))
}

#[test]
fn a_pytorch_checkpoint_predicts_what_pytorch_predicted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let path = dir.join("seednet_small.safetensors");
    let ck = load_checkpoint(&path).unwrap();
    assert_eq!(ck.spec.heads[0].classes, ["black", "blue", "red"]);
    assert_eq!(ck.spec.heads[1].classes, ["dress", "jeans", "shirt", "shoes"]);
    assert_eq!((ck.spec.image_size, ck.spec.hidden), (24, 16));
    ck.check_against(&ck.spec, &path).unwrap();
    let mut m = Model::new(
        gpu(),
        ck.spec.clone(),
        &TrainConfig { lr: 0.0, loss_weights: vec![1.0, 1.0], seed: 0, kernels: Default::default() },
    )
    .unwrap();
    m.set_parameters(&ck.tensors).unwrap();
    let logits = m.logits(&fixed_input(24), 2).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("seednet_small_expected.json")).unwrap()).unwrap();
    for (h, head) in ["color", "item"].iter().enumerate() {
        let want: Vec<f64> = expected["logits"][head].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        // Both sides compute in f32 with different summation orders: agreement to 1e-5.
        assert_close(&format!("{head} logits vs PyTorch"), &logits[h], &want, Tolerance::new(1e-5, 1e-4));
    }
}

#[test]
fn twinhead_writes_checkpoints_pytorch_can_load() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop");
    std::fs::create_dir_all(&out).unwrap();
    let head = |n: &str, c: &[&str]| HeadSpec { name: n.into(), classes: c.iter().map(|s| s.to_string()).collect() };
    let heads = vec![head("color", &["black", "blue", "red"]), head("item", &["dress", "jeans", "shirt", "shoes"])];
    for (name, spec) in [
        ("twinhead_small", ModelSpec { image_size: 24, hidden: 16, heads: heads.clone() }),
        ("twinhead_full", ModelSpec::tutorial(heads)),
    ] {
        let mut m = Model::new(
            gpu(),
            spec.clone(),
            &TrainConfig { lr: 0.0, loss_weights: vec![1.0, 1.0], seed: 42, kernels: Default::default() },
        )
        .unwrap();
        let path = out.join(format!("{name}.safetensors"));
        save_checkpoint(&path, &spec, &m.parameters().unwrap(), &HashMap::new()).unwrap();
        let logits = m.logits(&fixed_input(spec.image_size), 2).unwrap();
        let json =
            serde_json::json!({"image_size": spec.image_size, "logits": {"color": logits[0], "item": logits[1]}});
        std::fs::write(out.join(format!("{name}.json")), serde_json::to_string_pretty(&json).unwrap()).unwrap();
        // What PyTorch will load: the state dict's names, shapes and f32 dtype.
        let st_bytes = std::fs::read(&path).unwrap();
        let st = safetensors::SafeTensors::deserialize(&st_bytes).unwrap();
        assert_eq!(st.tensor("conv2.weight").unwrap().shape(), [32, 16, 3, 3]);
        assert_eq!(st.tensor("heads.item.weight").unwrap().dtype(), safetensors::Dtype::F32);
    }
}

/// What a PyTorch user saves: `safetensors.torch.save_file(model.state_dict(), path)`, no
/// metadata. The image size comes from fc.weight (30×30 images end in a 2×2 map, so the flatten
/// order is checked against PyTorch's), the classes are named by index until named.
#[test]
fn a_plain_pytorch_state_dict_loads_and_predicts_what_pytorch_predicted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let path = dir.join("seednet_plain.safetensors");
    let ck = load_checkpoint(&path).unwrap();
    assert!(!ck.named_classes);
    assert_eq!((ck.spec.image_size, ck.spec.hidden, ck.spec.feature_side()), (30, 16, 2));
    assert_eq!(ck.spec.heads.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["color", "item"]);
    assert_eq!(ck.spec.heads[0].classes, ["color0", "color1", "color2"]);
    let config = TrainConfig { lr: 0.0, loss_weights: vec![1.0, 1.0], seed: 0, kernels: Default::default() };
    let mut m = Model::new(gpu(), ck.spec.clone(), &config).unwrap();
    m.set_parameters(&ck.tensors).unwrap();
    let logits = m.logits(&fixed_input(30), 2).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("seednet_plain_expected.json")).unwrap()).unwrap();
    for (h, head) in ["color", "item"].iter().enumerate() {
        let want: Vec<f64> = expected["logits"][head].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert_close(&format!("{head} logits vs PyTorch"), &logits[h], &want, Tolerance::new(1e-5, 1e-4));
    }
}
