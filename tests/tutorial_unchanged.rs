//! The tutorial's run does not change as the trainer grows (more heads, label files): the same
//! seed and the same data give the same weights, bit for bit, as they did when this test was
//! written. The fingerprint below was taken on lavapipe with the blocked kernels (what CI runs);
//! another adapter computes in its own rounding, so there the run is only checked to repeat.

use std::sync::Arc;

use model::{KernelChoice, ModelSpec, Variant, load_checkpoint};
use trainer::data::synth;
use trainer::run::{TrainControl, TrainOptions, run};

/// FNV-1a over every tensor's name and f32 bits, in name order, of last.safetensors.
const LAVAPIPE_FINGERPRINT: u64 = 0x988c_03b4_f4be_3f46;

fn fingerprint(path: &std::path::Path) -> u64 {
    let mut tensors = load_checkpoint(path).unwrap().tensors;
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, _, data) in &tensors {
        for b in name.bytes().chain(data.iter().flat_map(|v| v.to_bits().to_le_bytes())) {
            hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn tutorial_run(gpu: &Arc<tensor::Gpu>) -> u64 {
    let data = synth::generate(48, 96, 5);
    let opts = TrainOptions {
        epochs: 1,
        batch_size: 8,
        kernels: KernelChoice::Fixed(Variant::Blocked),
        ..TrainOptions::tutorial(2)
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = ModelSpec::tutorial(data.heads.clone());
    run(gpu.clone(), &data, spec, &opts, dir.path(), &TrainControl::default(), &mut |_| {}).unwrap();
    fingerprint(&dir.path().join("last.safetensors"))
}

#[test]
fn the_tutorial_run_gives_the_same_weights_as_before() {
    let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter"));
    let got = tutorial_run(&gpu);
    if gpu.summary.name.contains("llvmpipe") {
        assert_eq!(got, LAVAPIPE_FINGERPRINT, "the tutorial's weights changed: {got:#018x}");
    } else {
        eprintln!("{} is not lavapipe: checking that the run repeats bit for bit instead", gpu.summary.name);
        assert_eq!(got, tutorial_run(&gpu));
    }
}
