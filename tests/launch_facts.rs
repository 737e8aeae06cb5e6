//! The launch facts of a whole training step at the tutorial's shapes (batch 32), which do not
//! depend on the adapter: how many passes a step records, how many invocations each pass runs
//! and how long a serial loop each invocation has. A change that would starve a big GPU (a pass
//! with too few invocations, a reduction left in one long loop, more passes per step) fails here
//! on any machine, lavapipe included. `cargo bench --bench step_breakdown` prints the same facts
//! beside the measured times.

use std::sync::Arc;

use kernels::{MAX_SERIAL, MIN_INVOCATIONS, Variant, WIDE_OUTPUT};
use model::{HeadSpec, KernelChoice, Model, ModelSpec, TrainConfig};

/// At most this many dispatches per training step (forward, losses, backward, Adam): 25 in the
/// blocked variant today, whose pools run apart from the convolutions and whose odd plane's
/// max-pool backward clears dx before writing the winners.
const MAX_PASSES_PER_STEP: usize = 25;

fn gpu() -> Arc<tensor::Gpu> {
    Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the launch facts need a GPU adapter"))
}

/// Every variant this adapter runs (the subgroup one needs subgroups of 8 lanes or more).
fn variants() -> Vec<Variant> {
    Variant::available(&gpu())
}

fn tutorial_model(variant: Variant) -> Model {
    let gpu = gpu();
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec::tutorial(vec![head("color", 3), head("item", 4)]);
    let config = TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 0, kernels: KernelChoice::Fixed(variant) };
    Model::new(gpu, spec, &config).unwrap()
}

/// (op, kernel, invocations, serial, outputs) of every dispatch of one step.
fn facts(model: &mut Model) -> Vec<(String, &'static str, u64, u64, u64)> {
    let ops = model.step_ops(32).unwrap();
    ops.iter()
        .flat_map(|op| {
            op.dispatches.iter().map(|d| (op.name.clone(), d.label, d.work.invocations, d.work.serial, d.work.outputs))
        })
        .collect()
}

#[test]
fn a_training_step_is_at_most_25_passes_in_every_variant() {
    for variant in variants() {
        let mut model = tutorial_model(variant);
        // The trainer's default keeps a moving average of the weights: it rides in Adam's pass.
        model.enable_ema(0.99).unwrap();
        let f = facts(&mut model);
        let list: Vec<String> = f.iter().map(|x| format!("{} ({})", x.0, x.1)).collect();
        assert!(f.len() <= MAX_PASSES_PER_STEP, "{variant:?}: {} passes per step:\n{}", f.len(), list.join("\n"));
        // The heads run as one layer and Adam as one pass, whatever the number of heads.
        assert_eq!(f.iter().filter(|x| x.1 == "adam").count(), 1, "{variant:?}: one Adam pass");
        assert_eq!(f.iter().filter(|x| x.1 == "softmax_cross_entropy").count(), 1, "{variant:?}: one loss pass");
    }
}

#[test]
fn no_invocation_loops_over_more_than_1024_products() {
    for variant in variants() {
        let mut model = tutorial_model(variant);
        for (op, kernel, _, serial, _) in facts(&mut model) {
            assert!(serial as usize <= MAX_SERIAL, "{variant:?}: {op} ({kernel}) loops {serial} times per invocation");
        }
    }
}

/// The GPU variant keeps a big GPU busy: every pass that writes 32k values or more runs on at
/// least 16k invocations. (The blocked variant is shaped for CPU adapters, where each workgroup
/// is one job for one thread and few long invocations are what is fast; the tuner offers it on
/// a GPU only when it measures faster there.)
#[test]
fn wide_passes_run_on_at_least_16k_invocations_in_the_gpu_variant() {
    let mut model = tutorial_model(Variant::Tiled);
    for (op, kernel, invocations, _, outputs) in facts(&mut model) {
        if outputs >= WIDE_OUTPUT {
            assert!(
                invocations >= MIN_INVOCATIONS,
                "{op} ({kernel}) writes {outputs} values on only {invocations} invocations"
            );
        }
    }
}

/// A batch whose trunk runs in chunks fuses each chunk's conv and pool as that chunk's own
/// kernel choice says: the chunks' shapes are the ones the tuner measures, the whole batch's has
/// no choice (it had decided the fusion, so a tuned subgroup run of a chunked batch ran every
/// convolution apart from its pool).
#[test]
fn chunks_fuse_conv_and_pool_by_their_own_choice() {
    if !variants().contains(&Variant::Subgroup) {
        eprintln!("this adapter runs no subgroup kernels, the only ones that fuse: nothing to check");
        return;
    }
    // conv1's output is 16·22·22·4 = 30 976 bytes an image: 100 000 bytes hold 3 of the 8.
    let (batch, limit) = (8, 100_000);
    let mut reference = tutorial_model(Variant::Subgroup);
    reference.limit_bindings(limit);
    let ops = reference.step_ops(batch).unwrap();
    let labels = |ops: &[&kernels::Op]| -> Vec<&'static str> {
        ops.iter().flat_map(|op| op.dispatches.iter().map(|d| d.label)).collect()
    };
    let want = labels(&ops);
    // Adam's op has no pass key; its reader is recorded too (else the tuner times it, and a
    // texel reader that wins on this adapter would differ from the subgroup variant's own).
    let keys = ops.iter().filter_map(|op| op.key.clone()).chain([kernels::ADAM_KEY.to_string()]);
    let choices: std::collections::HashMap<String, kernels::Pick> =
        keys.map(|key| (key, Variant::Subgroup.into())).collect();
    drop(ops);
    // Every chunk's pass recorded as subgroup; the model's own first guess is another variant.
    let gpu = gpu();
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec::tutorial(vec![head("color", 3), head("item", 4)]);
    let kernels = KernelChoice::Recorded { choices, cache: None };
    let config = TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 0, kernels };
    let mut recorded = Model::new(gpu, spec, &config).unwrap();
    recorded.limit_bindings(limit);
    let got = labels(&recorded.step_ops(batch).unwrap());
    let apart = got.iter().filter(|&&l| l == "maxpool2d_forward").count();
    assert_eq!(apart, 0, "{apart} chunks ran their pool apart from their convolution");
    assert_eq!(got, want, "the recorded choices run what the subgroup variant runs");
}
