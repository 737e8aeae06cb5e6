//! Timing of every kernel pass at the network's real shapes (batch 32, 3×96×96), of a whole
//! training step and of the inference forward. Each kernel reports FLOP/s as criterion's
//! element throughput (read "Gelem/s" as GFLOP/s); the step and the forward report images/s.
//! Only what the GPU did is timed: each iteration submits and waits; pipelines and buffers are
//! made before the clock starts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kernels::{Conv2dShape, HeadLoss, Kernels, LinearShape, Op, Pool2dShape, Tensor, Variant};
use model::{HeadSpec, KernelChoice, Model, ModelSpec, TrainConfig};
use tensor::{AdapterChoice, Gpu};
use twinhead::{random, random_labels};

const BATCH: usize = 32;

fn gpu() -> Arc<Gpu> {
    let gpu = Gpu::new(&AdapterChoice::Auto).expect("benches need a GPU adapter");
    eprintln!("adapter: {}", gpu.summary);
    Arc::new(gpu)
}

/// Runs `ops` once per iteration, waiting for the device each time.
fn time_ops(gpu: &Gpu, ops: &[&Op], iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        kernels::record::run(gpu, "bench", |r| ops.iter().for_each(|op| op.record(r))).unwrap();
    }
    start.elapsed()
}

fn t(gpu: &Gpu, label: &str, shape: &[usize], seed: u64) -> Tensor {
    Tensor::from_slice(gpu, label, shape, &random(shape.iter().product(), seed, -1.0, 1.0)).unwrap()
}

fn conv_shapes() -> [(&'static str, Conv2dShape); 3] {
    let c = |c_in, side, c_out| Conv2dShape {
        batch: BATCH,
        c_in,
        h: side,
        w: side,
        c_out,
        kh: 3,
        kw: 3,
        stride: 1,
        pad: 0,
    };
    [("conv1", c(3, 96, 16)), ("conv2", c(16, 47, 32)), ("conv3", c(32, 22, 64))]
}

fn bench_kernels(c: &mut Criterion) {
    let gpu = gpu();
    let k = Kernels::new(&gpu).unwrap();
    // The matrix-product passes run in the adapter's variant; with TWINHEAD_BENCH_VARIANTS=all in
    // every variant, to show which suits this adapter (the tiled ones take seconds on lavapipe).
    let variants = match std::env::var("TWINHEAD_BENCH_VARIANTS").as_deref() {
        Ok("all") => Variant::available(&gpu),
        _ => vec![k.variant],
    };
    let sets: Vec<Kernels> = variants.iter().map(|&v| Kernels::with_variant(&gpu, v).unwrap()).collect();
    let mut group = c.benchmark_group(format!("kernels on {}", gpu.summary.name));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    let mut bench = |name: &str, shape: String, flops: u64, op: Op| {
        group.throughput(Throughput::Elements(flops));
        group.bench_function(BenchmarkId::new(name, shape), |b| b.iter_custom(|iters| time_ops(&gpu, &[&op], iters)));
    };
    for k in &sets {
        let v = format!("{:?}", k.variant).to_lowercase();
        for (name, s) in conv_shapes() {
            let x = t(&gpu, "x", &s.x_shape(), 1);
            let w = t(&gpu, "w", &s.weight_shape(), 2);
            let bias = t(&gpu, "b", &[s.c_out], 3);
            let y = t(&gpu, "y", &s.y_shape(), 4);
            let dx = t(&gpu, "dx", &s.x_shape(), 5);
            let (dw, db) = (t(&gpu, "dw", &s.weight_shape(), 6), t(&gpu, "db", &[s.c_out], 7));
            let shape = format!("{:?}->{:?}", s.x_shape(), s.y_shape());
            bench(
                &format!("{name}_forward_{v}"),
                shape.clone(),
                s.flops(),
                k.conv2d_forward(&gpu, &s, &x, &w, &bias, &y, true).unwrap(),
            );
            bench(
                &format!("{name}_backward_input_{v}"),
                shape.clone(),
                s.flops(),
                k.conv2d_backward_input(&gpu, &s, &w, &y, &dx, false).unwrap(),
            );
            bench(
                &format!("{name}_backward_weight_{v}"),
                shape,
                s.flops(),
                k.conv2d_backward_weight(&gpu, &s, &x, &y, &dw, &db, false).unwrap(),
            );
        }
        for (name, s) in [
            ("fc", LinearShape { batch: BATCH, inputs: 6400, outputs: 1024 }),
            ("head_item", LinearShape { batch: BATCH, inputs: 1024, outputs: 4 }),
        ] {
            let x = t(&gpu, "x", &[s.batch, s.inputs], 1);
            let w = t(&gpu, "w", &[s.outputs, s.inputs], 2);
            let bias = t(&gpu, "b", &[s.outputs], 3);
            let y = t(&gpu, "y", &[s.batch, s.outputs], 4);
            let dx = t(&gpu, "dx", &[s.batch, s.inputs], 5);
            let (dw, db) = (t(&gpu, "dw", &[s.outputs, s.inputs], 6), t(&gpu, "db", &[s.outputs], 7));
            let shape = format!("{}x{}->{}", s.batch, s.inputs, s.outputs);
            bench(
                &format!("{name}_forward_{v}"),
                shape.clone(),
                s.flops(),
                k.linear_forward(&gpu, &s, &x, &w, &bias, &y, true).unwrap(),
            );
            bench(
                &format!("{name}_backward_input_{v}"),
                shape.clone(),
                s.flops(),
                k.linear_backward_input(&gpu, &s, &w, &y, &dx, false).unwrap(),
            );
            bench(
                &format!("{name}_backward_weight_{v}"),
                shape,
                s.flops(),
                k.linear_backward_weight(&gpu, &s, &x, &y, &dw, &db, false).unwrap(),
            );
        }
    }
    // Pooling: one comparison per window element.
    {
        let (name, s) = ("pool1", Pool2dShape { batch: BATCH, channels: 16, h: 94, w: 94, window: 2, stride: 2 });
        let x = t(&gpu, "x", &s.x_shape(), 1);
        let y = t(&gpu, "y", &s.y_shape(), 2);
        let arg = Tensor::zeros_u32(&gpu, "argmax", &s.y_shape()).unwrap();
        let dx = t(&gpu, "dx", &s.x_shape(), 3);
        let elems = s.x_shape().iter().product::<usize>() as u64;
        bench(
            &format!("{name}_forward"),
            format!("{:?}", s.x_shape()),
            elems,
            k.maxpool2d_forward(&gpu, &s, &x, &y, &arg).unwrap(),
        );
        bench(
            &format!("{name}_backward"),
            format!("{:?}", s.x_shape()),
            elems,
            k.maxpool2d_backward(&gpu, &s, &y, &arg, Some(&x), &dx).unwrap(),
        );
    }
    let relu_len = BATCH * 1024;
    let (a, b2) = (t(&gpu, "a", &[relu_len], 1), t(&gpu, "b", &[relu_len], 2));
    let dx = t(&gpu, "dx", &[relu_len], 3);
    bench("relu_backward", format!("[{relu_len}]"), relu_len as u64, k.relu_backward(&gpu, &a, &b2, &dx).unwrap());
    // Both heads' losses in one pass, as the training step runs them.
    let logits = t(&gpu, "logits", &[BATCH, 7], 1);
    let joined = [random_labels(BATCH, 2, 3), random_labels(BATCH, 3, 4)].concat();
    let labels = Tensor::from_u32(&gpu, "labels", &[2, BATCH], &joined).unwrap();
    let (dl, stats) = (t(&gpu, "dl", &[BATCH, 7], 3), t(&gpu, "stats", &[4], 4));
    let heads = [HeadLoss { classes: 3, weight: 1.0 }, HeadLoss { classes: 4, weight: 1.0 }];
    bench(
        "softmax_cross_entropy",
        format!("[{BATCH}, 3+4]"),
        (BATCH * 7) as u64,
        k.softmax_cross_entropy(&gpu, BATCH, &heads, &logits, &labels, &dl, &stats, 0, true).unwrap(),
    );
    let n = 6400 * 1024;
    let hyper = k.adam_params_buffer(&gpu);
    let (p, g, m, v) =
        (t(&gpu, "p", &[n], 1), t(&gpu, "g", &[n], 2), t(&gpu, "m", &[n], 3), Tensor::zeros(&gpu, "v", &[n]).unwrap());
    bench("adam", "fc.weight".into(), n as u64, k.adam(&gpu, &hyper, &p, &g, &m, &v).unwrap());
    group.finish();
}

/// The tutorial network with its kernels chosen as the trainer chooses them: measured on this
/// adapter (`TWINHEAD_KERNELS=blocked|tiled|subgroup` forces a variant).
fn tutorial_model(gpu: Arc<Gpu>) -> Model {
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec::tutorial(vec![head("color", 3), head("item", 4)]);
    let kernels = match Variant::from_env().expect("TWINHEAD_KERNELS") {
        Some(v) => KernelChoice::Fixed(v),
        None => KernelChoice::Measure { cache: None },
    };
    Model::new(gpu, spec, &TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 0, kernels }).unwrap()
}

/// The training step and the inference forward at batch 32 and 256 (a batch the adapter cannot
/// hold is reported and skipped).
fn bench_model(c: &mut Criterion) {
    let gpu = gpu();
    let mut model = tutorial_model(gpu.clone());
    println!("cpu: {}", twinhead::cpu_description());
    let mut group = c.benchmark_group(format!("model on {}", gpu.summary.name));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    for batch in [BATCH, 256] {
        if let Err(e) = model.prepare(batch) {
            println!("batch {batch} skipped: {e}");
            continue;
        }
        println!("batch {batch}: kernels {}", model.kernel_summary());
        let images = random(batch * model.spec.image_len(), 1, 0.0, 1.0);
        // The trainer's images cross as bytes and the step's first pass makes them floats.
        let bytes: Vec<u8> = images.iter().map(|v| (v * 255.0) as u8).collect();
        let labels = [random_labels(batch, 2, 3), random_labels(batch, 3, 4)];
        let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
        model.train_step_bytes(&bytes, &refs).unwrap();
        model.take_step_stats().unwrap();
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_function(BenchmarkId::new("training_step", format!("batch {batch}")), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    model.train_step_bytes(&bytes, &refs).unwrap();
                }
                gpu.wait("bench").unwrap();
                start.elapsed()
            })
        });
        group.bench_function(BenchmarkId::new("inference_forward", format!("batch {batch}")), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    model.logits_bytes(&bytes, batch).unwrap();
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_kernels, bench_model);
criterion_main!(benches);
