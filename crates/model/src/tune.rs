//! Choosing kernels by measurement: for each matrix-product pass of a training step at the
//! run's shapes, every variant is timed on this adapter and the fastest runs. The choice is
//! remembered per adapter, driver and kernel sources in a small JSON cache file, so the next
//! run starts at once.
//!
//! Tuning stays short even where one variant is far slower (the tiled kernels on lavapipe):
//! each candidate after the first is probed on a sixteenth of its workgroups, and dropped when
//! that part alone takes more than twice the best full time so far.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use kernels::{Kernel, Op, Variant};
use tensor::Gpu;

use crate::Result;

/// The fraction of workgroups a probe runs.
const PROBE_DIVISOR: u32 = 16;
/// Full timings per surviving candidate (the median counts).
const REPEATS: usize = 3;

/// The cache file's contents: per adapter key, per pass key, the chosen variant's name.
type Cache = BTreeMap<String, BTreeMap<String, String>>;

/// What identifies the measurements' conditions: adapter, backend, driver and a hash of every
/// kernel's source (a changed kernel is measured again).
pub(crate) fn adapter_key(gpu: &Gpu) -> String {
    let info = gpu.adapter.get_info();
    // FNV-1a over the kernel sources: stable across builds and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for k in Kernel::ALL {
        for b in k.source().bytes() {
            hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{} | {:?} | {} {} | kernels {hash:016x}", info.name, info.backend, info.driver, info.driver_info)
}

pub(crate) fn read_cache(path: &Path) -> Cache {
    // A missing or unreadable cache only means measuring again.
    std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

pub(crate) fn write_cache(path: &Path, cache: &Cache) {
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(cache).unwrap_or_default())?;
        std::fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        eprintln!("warning: cannot write the kernel choice cache {}: {e}", path.display());
    }
}

/// The cached choices for this adapter, as pass key → variant.
pub(crate) fn cached_choices(path: &Path, adapter: &str) -> HashMap<String, Variant> {
    let cache = read_cache(path);
    let mine = cache.get(adapter).cloned().unwrap_or_default();
    mine.into_iter().filter_map(|(k, v)| Some((k, Variant::from_name(&v)?))).collect()
}

/// Adds `choices` to the cache file under `adapter`.
pub(crate) fn remember(path: &Path, adapter: &str, choices: &HashMap<String, Variant>) {
    let mut cache = read_cache(path);
    let mine = cache.entry(adapter.to_string()).or_default();
    for (k, v) in choices {
        mine.insert(k.clone(), v.name().to_string());
    }
    write_cache(path, &cache);
}

fn seconds(gpu: &Gpu, op: &Op, divisor: Option<u32>) -> Result<f64> {
    let start = Instant::now();
    gpu.run(&op.name, |pass| {
        for d in &op.dispatches {
            match divisor {
                Some(n) => d.record_part(pass, n),
                None => d.record(pass),
            }
        }
    })?;
    Ok(start.elapsed().as_secs_f64())
}

fn median(gpu: &Gpu, op: &Op) -> Result<f64> {
    let mut t = (0..REPEATS).map(|_| seconds(gpu, op, None)).collect::<Result<Vec<_>>>()?;
    t.sort_by(f64::total_cmp);
    Ok(t[REPEATS / 2])
}

/// The fastest variant of one pass: `candidates[i]` is the pass built with `variants[i]`, the
/// first being the first guess.
pub(crate) fn fastest(gpu: &Gpu, variants: &[Variant], candidates: &[&Op]) -> Result<Variant> {
    seconds(gpu, candidates[0], None)?; // warm-up: first-dispatch costs are not the kernel's
    let mut best = (median(gpu, candidates[0])?, variants[0]);
    for (&variant, op) in variants.iter().zip(candidates).skip(1) {
        seconds(gpu, op, Some(PROBE_DIVISOR))?; // warm-up
        if seconds(gpu, op, Some(PROBE_DIVISOR))? > 2.0 * best.0 {
            continue;
        }
        let t = median(gpu, op)?;
        if t < best.0 {
            best = (t, variant);
        }
    }
    Ok(best.1)
}
