//! Kernels chosen by measurement: the tuner times each variant per pass and remembers the
//! choice in a cache file; a cached choice is used without measuring; a recorded choice (a
//! resumed run's) is used as given.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use model::{HeadSpec, KernelChoice, Model, ModelSpec, Pick, TrainConfig, Variant};

fn gpu() -> Arc<tensor::Gpu> {
    Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter"))
}

fn small_model(kernels: KernelChoice) -> Model {
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    // 24×24 images: a network small enough to tune in a moment on lavapipe.
    let spec = ModelSpec { image_size: 24, hidden: 16, heads: vec![head("color", 3), head("item", 4)] };
    Model::new(gpu(), spec, &TrainConfig { lr: 1e-3, loss_weights: vec![1.0, 1.0], seed: 1, kernels }).unwrap()
}

/// The matrix-product passes of one step: 3 conv forwards, 2 conv input gradients, 3 conv
/// weight gradients, and forward, input and weight gradient of the shared layer, plus the
/// heads' forward and weight gradient (their input gradient is the narrow kernel, one variant).
/// Beside them the tuner chooses Adam's reader (storage or texel mirrors, kernels::ADAM_KEY).
const TUNED_PASSES: usize = 13;

#[test]
fn measured_choices_are_cached_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("kernels.json");
    let mut a = small_model(KernelChoice::Measure { cache: Some(cache.clone()) });
    a.prepare(3).unwrap();
    let chosen = a.kernel_choices();
    assert_eq!(chosen.len(), TUNED_PASSES + 1, "{chosen:?}");
    assert!(chosen.values().all(|v| Pick::from_name(v).is_some()), "{chosen:?}");
    assert!(chosen.contains_key(kernels::ADAM_KEY), "{chosen:?}");
    let file: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(file.len(), 1, "one adapter");
    let (adapter, entries) = file.iter().next().unwrap();
    assert!(adapter.contains("kernels "), "the key names the kernel sources' hash: {adapter}");
    assert_eq!(entries, &chosen);

    // A cache that says "tiled" everywhere is believed, not measured again.
    let all_tiled: BTreeMap<String, String> = chosen.keys().map(|k| (k.clone(), "tiled".to_string())).collect();
    let forged: BTreeMap<String, BTreeMap<String, String>> = [(adapter.clone(), all_tiled.clone())].into();
    std::fs::write(&cache, serde_json::to_string(&forged).unwrap()).unwrap();
    let mut b = small_model(KernelChoice::Measure { cache: Some(cache.clone()) });
    b.prepare(3).unwrap();
    assert_eq!(b.kernel_choices(), all_tiled);
    // The summary a person reads: per layer, its variant (one, when all its passes share it).
    let summary = b.kernel_summary();
    assert_eq!(summary.split("; ").count(), 5, "three convs, the shared layer and the heads: {summary}");
    assert!(summary.split("; ").all(|layer| layer.ends_with(": tiled")), "{summary}");
    assert!(summary.starts_with("conv 3→16 on 24×24: tiled; "), "{summary}");
}

#[test]
fn recorded_choices_are_used_as_given() {
    // Every pass blocked except the first one listed, which is tiled, and the shared layer's
    // forward, which runs the blocked kernel in 4×4 blocks.
    let mut a = small_model(KernelChoice::Measure { cache: None });
    a.prepare(2).unwrap();
    let keys: Vec<String> = a.kernel_choices().into_keys().collect();
    let mut recorded: HashMap<String, Pick> = keys.iter().map(|k| (k.clone(), Pick::from(Variant::Blocked))).collect();
    recorded.insert(keys[0].clone(), Pick::from(Variant::Tiled));
    let forward =
        keys.iter().find(|k| k.starts_with("LinearForward") && k.contains("outputs: 16")).expect("the shared layer");
    recorded.insert(forward.clone(), Pick::shaped(Variant::Blocked, (4, 4)));
    let mut b = small_model(KernelChoice::Recorded { choices: recorded.clone(), cache: None });
    b.prepare(2).unwrap();
    let got: HashMap<String, Pick> =
        b.kernel_choices().into_iter().map(|(k, v)| (k, Pick::from_name(&v).unwrap())).collect();
    assert_eq!(got, recorded);
    let ops = b.step_ops(2).unwrap();
    assert!(ops.iter().any(|op| op.dispatches.iter().any(|d| d.label == "linear_forward 4x4")), "the 4×4 kernel runs");
}

#[test]
fn measuring_stops_at_its_time_limit_and_says_so() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("kernels.json");
    // No time at all: nothing is measured, every pass runs the first guess, nothing is cached.
    let mut a = small_model(KernelChoice::Measure { cache: Some(cache.clone()) });
    let lines = Arc::new(Mutex::new(Vec::new()));
    let heard = lines.clone();
    a.limit_tuning(std::time::Duration::ZERO, Box::new(move |l: &str| heard.lock().unwrap().push(l.to_string())));
    a.prepare(3).unwrap();
    let note = a.tuning_note().expect("the limit ran out").to_string();
    assert!(note.contains(&format!("0 of {TUNED_PASSES} passes measured")) && note.contains("next run"), "{note}");
    let guess = Variant::for_adapter(&gpu().adapter.get_info()).name();
    assert!(a.kernel_choices().values().all(|v| v == guess), "{:?}", a.kernel_choices());
    assert!(lines.lock().unwrap().is_empty());
    let cached: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap_or_else(|_| "{}".into())).unwrap();
    assert!(cached.values().all(|m| m.is_empty()), "unmeasured passes are not cached: {cached:?}");

    // Time enough: one progress line per pass, "pass i/13, <what a person calls it>".
    let mut b = small_model(KernelChoice::Measure { cache: None });
    let lines = Arc::new(Mutex::new(Vec::new()));
    let heard = lines.clone();
    b.limit_tuning(
        std::time::Duration::from_secs(600),
        Box::new(move |l: &str| heard.lock().unwrap().push(l.to_string())),
    );
    b.prepare(3).unwrap();
    assert!(b.tuning_note().is_none());
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), TUNED_PASSES, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("choosing kernels: pass 1/{TUNED_PASSES}, conv 3→16 on 24×24, forward")),
        "{lines:?}"
    );
}
