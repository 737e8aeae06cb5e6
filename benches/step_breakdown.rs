//! The share of one training step (batch 32, the tutorial network) each kernel takes, so the
//! next optimisation is chosen by measurement: every operation of the step is run alone, five
//! times, and its median time is listed with its share of the sum.
//!
//! `cargo bench --bench step_breakdown`

use std::sync::Arc;
use std::time::Instant;

use model::{HeadSpec, Model, ModelSpec, TrainConfig};
use tensor::{AdapterChoice, Gpu};
use twinhead::{random, random_labels};

fn main() {
    // criterion-style arguments (e.g. --bench) are accepted and ignored.
    let gpu = Arc::new(Gpu::new(&AdapterChoice::Auto).expect("needs a GPU adapter"));
    println!("adapter: {}", gpu.summary);
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec::tutorial(vec![head("color", 3), head("item", 4)]);
    let mut model =
        Model::new(gpu.clone(), spec, &TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 0 }).unwrap();
    let batch = 32;
    let images = random(batch * model.spec.image_len(), 1, 0.0, 1.0);
    let labels = [random_labels(batch, 2, 3), random_labels(batch, 3, 4)];
    let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
    model.train_step(&images, &refs).unwrap();
    model.take_step_stats().unwrap();

    let ops = model.step_ops(batch).unwrap();
    let mut rows = Vec::new();
    for op in &ops {
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                gpu.run(&op.name, |pass| op.record(pass)).unwrap();
                start.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        rows.push((op.name.clone(), times[2]));
    }
    let total: f64 = rows.iter().map(|r| r.1).sum();
    // Adam's per-tensor ops are many and small: group them.
    let adam: f64 = rows.iter().filter(|r| r.0.starts_with("adam")).map(|r| r.1).sum();
    rows.retain(|r| !r.0.starts_with("adam"));
    rows.push(("adam (all parameters)".into(), adam));
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("{:<55} {:>9} {:>7}", "operation", "ms", "share");
    for (name, secs) in &rows {
        println!("{name:<55} {:>9.2} {:>6.1}%", secs * 1e3, 100.0 * secs / total);
    }
    println!("{:<55} {:>9.2}   (sum of the operations run one at a time)", "total", total * 1e3);
}
