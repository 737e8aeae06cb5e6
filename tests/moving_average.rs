//! The moving average of the weights (`Model::enable_ema`): after every step it equals the
//! average computed on the CPU from the weights read back after each step, with the decay's
//! warm-up; it can stand in for the weights and gives them back unchanged; and no step trains
//! while it stands in.

use std::sync::Arc;

use model::{HeadSpec, Model, ModelSpec, TrainConfig};
use twinhead::{random, random_labels};

fn model() -> Model {
    let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the average test needs a GPU adapter"));
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec { image_size: 24, hidden: 16, heads: vec![head("color", 3), head("item", 4)] };
    let config = TrainConfig { lr: 1e-2, loss_weights: vec![1.0, 1.0], seed: 3, kernels: Default::default() };
    Model::new(gpu, spec, &config).unwrap()
}

fn values(p: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<Vec<f32>> {
    p.iter().map(|(_, _, v)| v.clone()).collect()
}

#[test]
fn the_average_follows_the_weights_step_by_step() {
    let mut m = model();
    let decay = 0.9;
    m.enable_ema(decay).unwrap();
    let mut expected = values(&m.parameters().unwrap());
    assert_eq!(values(&m.average_parameters().unwrap().unwrap()), expected, "it starts at the weights");
    let batch = 4;
    for step in 1..=6u32 {
        let images = random(batch * m.spec.image_len(), 100 + step as u64, 0.0, 1.0);
        let labels = [random_labels(batch, 200 + step as u64, 3), random_labels(batch, 300 + step as u64, 4)];
        m.train_step(&images, &[&labels[0], &labels[1]]).unwrap();
        // The first steps' decay is (1 + t) / (10 + t) (0.18 at step 1), then `decay`.
        let rate = (1.0 - decay.min((1.0 + step as f64) / (10.0 + step as f64))) as f32;
        let weights = values(&m.parameters().unwrap());
        for (avg, w) in expected.iter_mut().zip(&weights) {
            for (a, &x) in avg.iter_mut().zip(w) {
                *a += rate * (x - *a);
            }
        }
        let got = values(&m.average_parameters().unwrap().unwrap());
        for (t, (g, e)) in got.iter().zip(&expected).enumerate() {
            for (i, (a, b)) in g.iter().zip(e).enumerate() {
                assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-3), "step {step}, tensor {t}[{i}]: {a} vs {b}");
            }
        }
        assert_ne!(got, weights, "step {step}: the average lags the weights");
    }
}

#[test]
fn the_average_stands_in_and_gives_the_weights_back() {
    let mut m = model();
    m.enable_ema(0.5).unwrap();
    let batch = 3;
    let images = random(batch * m.spec.image_len(), 7, 0.0, 1.0);
    let labels = [random_labels(batch, 8, 3), random_labels(batch, 9, 4)];
    for _ in 0..3 {
        m.train_step(&images, &[&labels[0], &labels[1]]).unwrap();
    }
    let (weights, average) = (m.parameters().unwrap(), m.average_parameters().unwrap().unwrap());
    assert_ne!(values(&weights), values(&average));
    let raw_logits = m.logits(&images, batch).unwrap();
    let (inside, avg_logits, refused) = m
        .with_average(|m| -> model::Result<_> {
            let refused = m.train_step(&images, &[&labels[0], &labels[1]]).is_err();
            Ok((m.parameters()?, m.logits(&images, batch)?, refused))
        })
        .unwrap();
    assert_eq!(values(&inside), values(&average), "the average is in the weights' place");
    assert!(refused, "no training step while the average stands in");
    assert_ne!(avg_logits, raw_logits);
    assert_eq!(values(&m.parameters().unwrap()), values(&weights), "the weights are back, bit for bit");
    assert_eq!(values(&m.average_parameters().unwrap().unwrap()), values(&average));
    assert_eq!(m.logits(&images, batch).unwrap(), raw_logits);
    // Setting the average (a resumed run) reads back as set.
    let mut m2 = model();
    m2.enable_ema(0.5).unwrap();
    m2.set_average_parameters(&average).unwrap();
    assert_eq!(values(&m2.average_parameters().unwrap().unwrap()), values(&average));
}
