//! Which kernel shape suits this device, per matrix-product pass of the tutorial network's
//! training step at batch 32: the tuner's pick, and every candidate (variant × register block,
//! workgroup size, split width) timed on its own, median of five runs. The picks are kept in
//! `target/shapes-<SETTING>.json` (or `$SHAPES_DIR`);
//! when another setting's file is there, each pass the two settings pick differently is timed in
//! both picks here, so a run shows whether its own pick beats the other setting's on this device.
//!
//! ```sh
//! LP_NATIVE_VECTOR_WIDTH=128 SHAPES_SETTING=w128 cargo bench --bench shapes
//! LP_NATIVE_VECTOR_WIDTH=256 SHAPES_SETTING=w256 cargo bench --bench shapes
//! LP_NATIVE_VECTOR_WIDTH=128 SHAPES_SETTING=w128 cargo bench --bench shapes   # now with w256's picks
//! SHAPES_CANDIDATES="subgroup,subgroup texels" cargo bench --bench shapes      # only these picks
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use kernels::{Op, Pick, Variant};
use model::{HeadSpec, KernelChoice, Model, ModelSpec, TrainConfig};
use tensor::{AdapterChoice, Gpu};

const BATCH: usize = 32;

fn model(gpu: &Arc<Gpu>, kernels: KernelChoice) -> Model {
    let head = |n: &str, c: &[&str]| HeadSpec { name: n.into(), classes: c.iter().map(|s| s.to_string()).collect() };
    let spec = ModelSpec::tutorial(vec![head("color", &["black", "blue", "red"]), head("item", &["a", "b", "c", "d"])]);
    let config = TrainConfig { lr: 5e-4, loss_weights: vec![1.0, 1.0], seed: 0, kernels };
    let mut m = Model::new(gpu.clone(), spec, &config).unwrap();
    m.prepare(BATCH).unwrap();
    m
}

/// The median of five runs of `op`, in milliseconds.
fn millis(gpu: &Gpu, op: &Op) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            kernels::record::run(gpu, &op.name, |r| op.record(r)).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

/// Each matrix-product pass's time (ms) when every pass runs `pick`, by pass key.
fn times_with(gpu: &Arc<Gpu>, keys: &[String], pick: Pick) -> HashMap<String, f64> {
    times_of(gpu, keys.iter().map(|k| (k.clone(), pick)).collect())
}

/// Each matrix-product pass's time (ms) with these choices (every pass's), by pass key.
fn times_of(gpu: &Arc<Gpu>, choices: HashMap<String, Pick>) -> HashMap<String, f64> {
    let mut m = model(gpu, KernelChoice::Recorded { choices, cache: None });
    let ops: Vec<&Op> = m.step_ops(BATCH).unwrap().into_iter().filter(|op| op.key.is_some()).collect();
    ops.iter().map(|op| (op.key.clone().unwrap(), millis(gpu, op))).collect()
}

fn main() {
    let gpu = Arc::new(Gpu::new(&AdapterChoice::Auto).expect("needs a GPU adapter"));
    let setting = std::env::var("SHAPES_SETTING").unwrap_or_else(|_| "this".into());
    eprintln!("adapter: {}; setting {setting}", gpu.summary);
    let tuned = model(&gpu, KernelChoice::Measure { cache: None });
    let picks: BTreeMap<String, String> = tuned.kernel_choices();
    let keys: Vec<String> = picks.keys().cloned().collect();
    // The tuner's candidates, but the tiled kernels, which take seconds a pass on a CPU adapter.
    let cpu = gpu.adapter.get_info().device_type == tensor::wgpu::DeviceType::Cpu;
    let candidates: Vec<Pick> = match std::env::var("SHAPES_CANDIDATES") {
        Ok(names) => {
            names.split(',').map(|n| Pick::from_name(n.trim()).expect("SHAPES_CANDIDATES: pick names")).collect()
        }
        Err(_) => model::candidates(&gpu, Variant::Blocked)
            .into_iter()
            .filter(|c| !(cpu && c.variant == Variant::Tiled))
            .collect(),
    };
    let table: Vec<(Pick, HashMap<String, f64>)> =
        candidates.iter().map(|&c| (c, times_with(&gpu, &keys, c))).collect();
    println!("pass | tuner's pick | {}", candidates.iter().map(|c| c.name()).collect::<Vec<_>>().join(" | "));
    for key in &keys {
        let row: Vec<String> = table.iter().map(|(_, t)| format!("{:.2}", t[key])).collect();
        println!("{key} | {} | {}", picks[key], row.join(" | "));
    }
    // $SHAPES_DIR, else the workspace's target/ (a machine without the checkout sets it).
    let dir = std::env::var_os("SHAPES_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |s: &str| dir.join(format!("shapes-{s}.json"));
    std::fs::write(file(&setting), serde_json::to_string_pretty(&picks).unwrap()).unwrap();
    compare_with_others(&gpu, &setting, &picks, &dir);
}

/// For each other setting's saved picks: the passes picked differently, timed here in both.
fn compare_with_others(gpu: &Arc<Gpu>, setting: &str, picks: &BTreeMap<String, String>, dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(other) = name.strip_prefix("shapes-").and_then(|n| n.strip_suffix(".json")) else { continue };
        if other == setting {
            continue;
        }
        let theirs: BTreeMap<String, String> =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        for (key, mine) in picks {
            let Some(their) = theirs.get(key).filter(|t| *t != mine) else { continue };
            let (Some(a), Some(b)) = (Pick::from_name(mine), Pick::from_name(their)) else { continue };
            if !Variant::available(gpu).contains(&b.variant) {
                println!("{key}: {setting} picks {mine}; {other}'s pick {their} does not run here");
                continue;
            }
            let with = |p: Pick| {
                let mut all: HashMap<String, Pick> =
                    picks.iter().map(|(k, v)| (k.clone(), Pick::from_name(v).unwrap())).collect();
                all.insert(key.clone(), p);
                times_of(gpu, all)[key]
            };
            let (ta, tb) = (with(a), with(b));
            println!("{key}: here ({setting}) {mine} {ta:.2} ms, {other}'s pick {their} {tb:.2} ms ({:.2}×)", tb / ta);
        }
    }
}
