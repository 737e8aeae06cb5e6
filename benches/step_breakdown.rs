//! The launch report of one training step of the tutorial network, at batch 32 and 256: per
//! pass, its median time run alone (less the cost of a submit, which a step pays once), its share of the step, the bytes it must move and its FLOPs,
//! which roof bounds it on this device (the roofline measured first, `kernels::roofline`) and
//! the share of that roof it reaches (and, for a memory-bound pass, of a copy of its own bytes
//! timed in alternation with it, the median of five rounds' ratios: a small pass pays a
//! dispatch's fixed costs that a 64 MiB copy spreads thin, and this VM's speed drifts by the
//! minute, which the roof measured at the start does not see), workgroups, invocations and the longest serial loop of one
//! invocation; then the number of passes per step. The next optimisation is chosen by
//! measurement; the adapter-independent columns are asserted in `tests/launch_facts.rs`.
//!
//! `cargo bench --bench step_breakdown` (kernels as the trainer would choose them: measured on
//! this adapter; `TWINHEAD_KERNELS=blocked|tiled|subgroup` forces a variant;
//! `STEP_BREAKDOWN_BATCHES=32` times only that batch size; `STEP_BREAKDOWN_PASSES=reduce` only
//! the passes whose name or kernel contains the word; `STEP_BREAKDOWN_WARM=1` without flushing
//! the caches before each run; `STEP_BREAKDOWN_CACHE=file` keeps the tuner's picks in the file
//! and reuses them, so that runs compare the same kernels).

use std::sync::Arc;
use std::time::Instant;

use kernels::roofline::{self, Bound, CacheFlush, Roofline};
use kernels::{Op, Variant};
use model::{HeadSpec, KernelChoice, Model, ModelSpec, TrainConfig};
use tensor::{AdapterChoice, Gpu};
use twinhead::{random, random_labels};

#[derive(Default)]
struct Row {
    name: String,
    secs: f64,
    bytes: u64,
    flops: u64,
    workgroups: u64,
    invocations: u64,
    serial: u64,
    /// A copy of the pass's own bytes timed in alternation with it, over the pass's time: the
    /// median of the rounds' ratios (the VM's speed drifts by the minute; alternating, both
    /// see the same minute).
    copy_share: f64,
}

/// What one submit of one tiny dispatch and the wait for it cost (the median of 21): run alone,
/// every pass pays it once, inside a step's single submit it does not. Subtracted from each
/// pass's time, so that a small pass is judged by what it does, not by the submit around it.
fn submit_overhead(gpu: &Gpu) -> f64 {
    let tiny = CacheFlush::new(gpu, 16).unwrap();
    let mut times: Vec<f64> = (0..21)
        .map(|_| {
            let start = Instant::now();
            tiny.run(gpu).unwrap();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[10]
}

/// Each dispatch of `op` run alone: the median of five runs, each after the caches were
/// flushed (in a step, the passes before it have evicted what it last touched), less the
/// submit's own cost, with its launch facts; and a copy of its bytes run in alternation with it.
fn time_op(gpu: &Gpu, flush: &CacheFlush, overhead: f64, op: &Op, rows: &mut Vec<Row>) {
    // STEP_BREAKDOWN_PASSES=reduce times only the dispatches whose name or kernel contains it.
    let only = std::env::var("STEP_BREAKDOWN_PASSES").unwrap_or_default();
    // STEP_BREAKDOWN_WARM=1 leaves the caches as the pass's previous run left them: what a pass
    // whose inputs the pass just before it wrote sees (the reduces), against the cold default.
    let warm = std::env::var_os("STEP_BREAKDOWN_WARM").is_some();
    let timed = |run: &dyn Fn()| {
        if !warm {
            flush.run(gpu).unwrap();
        }
        let start = Instant::now();
        run();
        (start.elapsed().as_secs_f64() - overhead).max(1e-6)
    };
    for d in op.dispatches.iter().filter(|d| op.name.contains(&only) || d.label.contains(&only)) {
        // A kernel that reads a texel mirror has the copy that fills it timed as its own row.
        let fills = d.copies_before();
        if !fills.is_empty() {
            let run = || gpu.run_encoded(&op.name, |encoder| fills.iter().for_each(|f| f.record(encoder))).unwrap();
            let bytes = fills.iter().map(|f| f.bytes()).sum();
            let facts = Row { name: format!("{} (copy to texels)", op.name), bytes, ..Row::default() };
            rows.push(time_row(gpu, &timed, facts, &run));
        }
        let run = || gpu.run(&op.name, |pass| d.record(pass)).unwrap();
        let facts = Row {
            name: format!("{} ({})", op.name, d.label),
            bytes: d.bytes,
            flops: d.work.flops,
            workgroups: d.workgroups(),
            invocations: d.work.invocations,
            serial: d.work.serial,
            ..Row::default()
        };
        rows.push(time_row(gpu, &timed, facts, &run));
    }
}

/// `facts` with the median of five runs of `run` and its share of a same-size copy, alternating.
fn time_row(gpu: &Gpu, timed: &dyn Fn(&dyn Fn()) -> f64, facts: Row, run: &dyn Fn()) -> Row {
    let copy = CacheFlush::new(gpu, (facts.bytes / 2).max(16)).unwrap();
    let (mut times, mut shares): (Vec<f64>, Vec<f64>) = (0..5)
        .map(|_| {
            let pass = timed(run);
            let same_bytes = timed(&|| copy.run(gpu).unwrap());
            (pass, same_bytes / pass)
        })
        .unzip();
    times.sort_by(f64::total_cmp);
    shares.sort_by(f64::total_cmp);
    Row { secs: times[2], copy_share: shares[2], ..facts }
}

fn report(gpu: &Arc<Gpu>, roof: &Roofline, batch: usize) -> Result<(), String> {
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec::tutorial(vec![head("color", 3), head("item", 4)]);
    let kernels = match Variant::from_env().expect("TWINHEAD_KERNELS") {
        Some(v) => KernelChoice::Fixed(v),
        // STEP_BREAKDOWN_CACHE=file keeps the tuner's picks there and reuses them: runs to compare.
        None => KernelChoice::Measure { cache: std::env::var_os("STEP_BREAKDOWN_CACHE").map(Into::into) },
    };
    let config = TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 0, kernels };
    let mut model = Model::new(gpu.clone(), spec, &config).map_err(|e| e.to_string())?;
    let images = random(batch * model.spec.image_len(), 1, 0.0, 1.0);
    let labels = [random_labels(batch, 2, 3), random_labels(batch, 3, 4)];
    let refs: Vec<&[u32]> = labels.iter().map(|l| l.as_slice()).collect();
    model.train_step(&images, &refs).map_err(|e| e.to_string())?;
    model.take_step_stats().map_err(|e| e.to_string())?;
    println!("\nbatch {batch}; kernels: {}", model.kernel_summary());

    // The trainer's step: its images' conversion from bytes first, then the step's own passes.
    let flush = CacheFlush::new(gpu, 64 << 20).map_err(|e| e.to_string())?;
    let overhead = submit_overhead(gpu);
    println!("one submit and wait: {:.3} ms (taken off each pass below: a step submits once)", overhead * 1e3);
    let mut rows = Vec::new();
    if let Some(op) = model.input_op(batch).map_err(|e| e.to_string())? {
        time_op(gpu, &flush, overhead, op, &mut rows);
    }
    for op in model.step_ops(batch).map_err(|e| e.to_string())? {
        time_op(gpu, &flush, overhead, op, &mut rows);
    }
    let total: f64 = rows.iter().map(|r| r.secs).sum();
    println!(
        "{:<72} {:>9} {:>6} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>10} {:>11} {:>7}",
        "pass",
        "ms",
        "share",
        "MB",
        "MFLOP",
        "GFLOP/s",
        "bound",
        "roof%",
        "copy%",
        "workgroups",
        "invocations",
        "serial"
    );
    for r in &rows {
        let gflops = if r.flops > 0 { format!("{:.1}", r.flops as f64 / r.secs / 1e9) } else { "-".into() };
        let judged = roof.judge(r.bytes, r.flops, r.secs);
        let bound = match judged.bound {
            Bound::Memory => "memory",
            Bound::Compute => "FLOPs",
        };
        // A memory-bound pass against a copy of its own bytes, timed in alternation with it.
        let copy = match judged.bound {
            Bound::Memory if r.bytes > 0 => format!("{:.0}%", 100.0 * r.copy_share),
            _ => "-".into(),
        };
        println!(
            "{:<72} {:>9.3} {:>5.1}% {:>8.1} {:>8.1} {:>8} {:>6} {:>5.0}% {:>6} {:>10} {:>11} {:>7}",
            r.name,
            r.secs * 1e3,
            100.0 * r.secs / total,
            r.bytes as f64 / 1e6,
            r.flops as f64 / 1e6,
            gflops,
            bound,
            100.0 * judged.share,
            copy,
            r.workgroups,
            r.invocations,
            r.serial
        );
    }
    println!("{:<72} {:>9.3}   (sum of the passes run one at a time)", "total", total * 1e3);
    let copies = rows.iter().filter(|r| r.workgroups == 0).count();
    println!("passes per training step: {} (and {copies} copies to texel mirrors)", rows.len() - copies);
    // The same step recorded whole into one submit, as the trainer runs it (each timed alone).
    let bytes: Vec<u8> = images.iter().map(|v| (v * 255.0) as u8).collect();
    let mut whole: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            model.train_step_bytes(&bytes, &refs).unwrap();
            model.take_step_stats().unwrap();
            start.elapsed().as_secs_f64()
        })
        .collect();
    whole.sort_by(f64::total_cmp);
    println!("{:<72} {:>9.3}   (the whole step in one submit, median of 5)", "step", whole[2] * 1e3);
    let start = Instant::now();
    for _ in 0..8 {
        model.train_step_bytes(&bytes, &refs).unwrap();
    }
    model.take_step_stats().unwrap();
    println!(
        "{:<72} {:>9.3}   (8 steps queued as the trainer queues them, per step)",
        "step",
        start.elapsed().as_secs_f64() / 8.0 * 1e3
    );
    Ok(())
}

fn main() {
    // criterion-style arguments (e.g. --bench) are accepted and ignored.
    let gpu = Arc::new(Gpu::new(&AdapterChoice::Auto).expect("needs a GPU adapter"));
    println!("adapter: {}", gpu.summary);
    println!("cpu: {}", twinhead::cpu_description());
    let roof = roofline::measure(&gpu).expect("the roofline probes run");
    println!(
        "roofline: copy {:.1} GB/s, multiply-add peak {:.1} GFLOP/s (ridge {:.1} FLOP/byte)",
        roof.copy_gb_per_s,
        roof.peak_gflop_per_s,
        roof.ridge()
    );
    // STEP_BREAKDOWN_BATCHES=32 (a comma list) times only those batch sizes.
    let batches: Vec<usize> = match std::env::var("STEP_BREAKDOWN_BATCHES") {
        Ok(list) => list.split(',').map(|b| b.trim().parse().expect("STEP_BREAKDOWN_BATCHES: numbers")).collect(),
        Err(_) => vec![32, 256],
    };
    for batch in batches {
        if let Err(e) = report(&gpu, &roof, batch) {
            println!("\nbatch {batch}: {e}");
        }
    }
}
