//! Resuming is exact: a run stopped in the middle of an epoch and resumed ends with the same
//! weights, bit for bit, and logs the same per-step losses as a run that never stopped. The
//! kernels are deterministic (no atomics, fixed summation orders) and the saved state holds
//! everything a step depends on: weights, both Adam moments, the step count, the moving average
//! of the weights (on by default), and the position in the seeded batch order.

use std::sync::Arc;

use model::{ModelSpec, load_checkpoint};
use trainer::data::augment::Augment;
use trainer::data::synth;
use trainer::run::{Ending, LrSchedule, TrainControl, TrainOptions, run};

fn gpu() -> Arc<tensor::Gpu> {
    Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("needs a GPU adapter"))
}

#[test]
fn a_stopped_and_resumed_run_equals_an_uninterrupted_one() {
    // 60 images: 48 for training in batches of 8 → 6 steps per epoch, 12 in all; with every
    // augmentation on, whose random choices must also repeat after resuming.
    let data = synth::generate(60, 96, 5);
    let augment = Augment {
        swap_red_blue: 0.5,
        grey: 0.3,
        blacken: 0.2,
        colorize: 0.4,
        recolor: 0.3,
        flip: true,
        jitter: 0.5,
        crop: 0.5,
    };
    let opts = TrainOptions {
        epochs: 2,
        batch_size: 8,
        seed: 9,
        augment,
        lr_schedule: LrSchedule::Cosine,
        ..TrainOptions::tutorial(2)
    };
    let spec = ModelSpec::tutorial(data.heads.clone());
    let quiet = &mut |_: &str| {};

    let whole = tempfile::tempdir().unwrap();
    let a = run(gpu(), &data, spec.clone(), &opts, whole.path(), &TrainControl::default(), quiet).unwrap();
    assert!(matches!(a.ending, Ending::Finished { .. }));

    let parts = tempfile::tempdir().unwrap();
    let stop = TrainControl { stop_after_steps: Some(5), ..Default::default() };
    let b = run(gpu(), &data, spec.clone(), &opts, parts.path(), &stop, quiet).unwrap();
    assert_eq!(b.ending, Ending::Interrupted { epoch: 1, position: 5 });
    // A process killed after its last saved state has logged steps (and even an epoch) the state
    // does not have: resuming must drop them, not repeat them.
    let append = |file: &str, rows: &str| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).create(true).open(parts.path().join(file)).unwrap();
        f.write_all(rows.as_bytes()).unwrap();
    };
    append("steps.csv", "6,1,0.5,0.5,3,3\n7,2,0.5,0.5,3,3\n");
    append("metrics.csv", "1,0.1,0.1,0.5,0.5,0.1,0.1,0.5,0.5,0.5,1.0,10.0\n");
    let c = run(gpu(), &data, spec, &opts, parts.path(), &TrainControl::default(), quiet).unwrap();
    assert!(matches!(c.ending, Ending::Finished { .. }));

    let steps = |d: &std::path::Path| std::fs::read_to_string(d.join("steps.csv")).unwrap();
    assert_eq!(steps(whole.path()).lines().count(), 13, "a header and 12 steps");
    assert_eq!(steps(whole.path()), steps(parts.path()), "per-step losses differ");

    let tensors = |d: &std::path::Path, file: &str| {
        let mut t = load_checkpoint(&d.join(file)).unwrap().tensors;
        t.sort_by(|a, b| a.0.cmp(&b.0));
        t
    };
    // The last weights, their moving average, the best (averaged) weights, and the state:
    // weights, both Adam moments, the average and the step count.
    let files = [
        ("last.safetensors", 12),
        ("last_average.safetensors", 12),
        ("best.safetensors", 12),
        ("state.safetensors", 48),
    ];
    for (file, count) in files {
        let (ta, tc) = (tensors(whole.path(), file), tensors(parts.path(), file));
        assert_eq!((ta.len(), tc.len()), (count, count), "{file}: tensors");
        for ((name, _, x), (other, _, y)) in ta.iter().zip(&tc) {
            assert_eq!(name, other);
            assert_eq!(x.len(), y.len(), "{file}: {name}");
            assert!(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()), "{file}: {name} differs after resuming");
        }
    }
    let step = |d: &std::path::Path| {
        load_checkpoint(&d.join("state.safetensors")).unwrap().extra.get("trainer.adam_step").cloned().unwrap()
    };
    assert_eq!((step(whole.path()), step(parts.path())), ("12".to_string(), "12".to_string()));
    // Validation figures agree too (the time columns may not).
    let metrics = |d: &std::path::Path| -> Vec<String> {
        std::fs::read_to_string(d.join("metrics.csv"))
            .unwrap()
            .lines()
            .map(|l| l.rsplitn(3, ',').nth(2).unwrap().to_string())
            .collect()
    };
    assert_eq!(metrics(whole.path()).len(), 3, "a header and 2 epochs");
    assert_eq!(metrics(whole.path()), metrics(parts.path()));
}

#[test]
fn a_diverging_run_stops_at_the_step_that_went_wrong() {
    // A learning rate of 1e30 pushes the weights to ±1e30 in one Adam step; the next forward
    // pass overflows f32 and the loss is NaN at step 2.
    let data = synth::generate(40, 96, 6);
    let opts = TrainOptions {
        epochs: 1,
        batch_size: 8,
        lr: 1e30,
        val_fraction: 0.2,
        seed: 1,
        loss_weights: vec![1.0, 1.0],
        ..TrainOptions::tutorial(2)
    };
    let dir = tempfile::tempdir().unwrap();
    let err = run(
        gpu(),
        &data,
        ModelSpec::tutorial(data.heads.clone()),
        &opts,
        dir.path(),
        &TrainControl::default(),
        &mut |_| {},
    )
    .err()
    .expect("must stop");
    let text = format!("{err:#}");
    assert!(text.contains("at step 2 (epoch 1)") && text.contains("NaN") && text.contains("Lower --lr"), "{text}");
    assert!(text.contains("no checkpoint had been saved yet"), "{text}");
    assert!(!dir.path().join("last.safetensors").exists());
}
