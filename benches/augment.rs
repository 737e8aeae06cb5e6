//! Time the CPU augmentation of one training batch (32 × 3×96×96) takes, per option and for the
//! recommended set: it runs between GPU steps, so it is to be set beside a training step's time
//! (`cargo bench --bench kernels`, "step"). Reports images/s.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use model::HeadSpec;
use trainer::data::Dataset;
use trainer::data::augment::{Augment, Augmenter};

const BATCH: usize = 32;
const SIZE: usize = 96;

fn dataset() -> Dataset {
    let head = |n: &str, c: &[&str]| HeadSpec { name: n.into(), classes: c.iter().map(|s| s.to_string()).collect() };
    Dataset {
        image_size: SIZE,
        pixels: vec![],
        heads: vec![head("color", &["black", "blue", "red"]), head("item", &["dress", "jeans", "shirt", "shoes"])],
        labels: vec![],
        sources: vec![],
    }
}

fn augmentation(c: &mut Criterion) {
    let data = dataset();
    let pixels = twinhead::random(BATCH * 3 * SIZE * SIZE, 1, 0.0, 1.0);
    let labels = vec![(0..BATCH as u32).map(|i| i % 3).collect::<Vec<_>>(), vec![1; BATCH]];
    let cases = [
        ("recommended", Augment::recommended()),
        ("swap-red-blue 1", Augment { swap_red_blue: 1.0, ..Default::default() }),
        ("grey 1", Augment { grey: 1.0, ..Default::default() }),
        ("blacken 1", Augment { blacken: 1.0, ..Default::default() }),
        ("colorize 1", Augment { colorize: 1.0, ..Default::default() }),
        ("recolor 1", Augment { recolor: 1.0, ..Default::default() }),
        ("jitter 1", Augment { jitter: 1.0, ..Default::default() }),
        ("crop 1", Augment { crop: 1.0, ..Default::default() }),
        ("flip", Augment { flip: true, ..Default::default() }),
    ];
    let mut group = c.benchmark_group("augment batch");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, options) in cases {
        let augmenter = Augmenter::new(&options, &data).unwrap();
        let mut step = 0;
        group.bench_function(name, |b| {
            // A fresh copy of the batch each time (made outside the clock): repeated blackening
            // of one batch would end in subnormal numbers and time those.
            b.iter_batched_ref(
                || (pixels.clone(), labels.clone()),
                |(px, lb)| {
                    step += 1;
                    augmenter.apply(SIZE, px, lb, &mut Augmenter::rng(0, 1, step));
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, augmentation);
criterion_main!(benches);
