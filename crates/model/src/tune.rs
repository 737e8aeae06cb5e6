//! Choosing kernels by measurement: for each matrix-product pass of a training step at the
//! run's shapes, every variant is timed on this adapter and the fastest runs. The choice is
//! remembered per adapter, driver and kernel sources in a small JSON cache file, so the next
//! run starts at once.
//!
//! Tuning stays short even where one variant is far slower (the tiled kernels on lavapipe):
//! each candidate after the first is probed on a 64th of its workgroups, and dropped when
//! that part alone takes more than twice the best full time so far.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use kernels::{Kernel, Op, Variant};
use tensor::Gpu;

use crate::Result;

/// The smaller probe runs a 64th of each dispatch's workgroups but at least this many (so that
/// both probes keep every thread of a CPU adapter busy and the time they add is the work's);
/// the larger probe twice as many.
const PROBE_MIN_GROUPS: u64 = 8;
/// Full timings per candidate; the fastest counts (the first run also pays first-touch costs,
/// which the second does not).
const REPEATS: usize = 2;

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

/// The cache's well-formed entries. A missing or unreadable file only means measuring again; an
/// entry that is not a known variant's name (an older version's, or a hand edit) is dropped on
/// its own, keeping every other adapter's and pass's measurements.
pub(crate) fn read_cache(path: &Path) -> Cache {
    let Some(serde_json::Value::Object(adapters)) =
        std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok())
    else {
        return Cache::new();
    };
    let mut cache = Cache::new();
    for (adapter, passes) in adapters {
        let serde_json::Value::Object(passes) = passes else { continue };
        let valid = passes.into_iter().filter_map(|(key, v)| {
            let name = v.as_str()?;
            Variant::from_name(name).map(|_| (key, name.to_string()))
        });
        cache.insert(adapter, valid.collect());
    }
    cache
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

fn seconds(gpu: &Gpu, op: &Op) -> Result<f64> {
    let start = Instant::now();
    gpu.run(&op.name, |pass| op.record(pass))?;
    Ok(start.elapsed().as_secs_f64())
}

/// Runs `scale` times a 64th of each dispatch's workgroups (at least `scale` ×
/// [`PROBE_MIN_GROUPS`]): (seconds, the largest fraction of a dispatch's work run).
fn probe(gpu: &Gpu, op: &Op, scale: u64) -> Result<(f64, f64)> {
    let mut fraction = 0.0f64;
    let start = Instant::now();
    gpu.run(&op.name, |pass| {
        for d in &op.dispatches {
            let groups = scale * (d.workgroups() / 64).max(PROBE_MIN_GROUPS);
            fraction = fraction.max(d.record_part(pass, groups));
        }
    })?;
    Ok((start.elapsed().as_secs_f64(), fraction))
}

/// A low estimate of a full run from two probes, one twice the other: the time added per unit
/// of work, carried to the whole. A device that the probes do not fill (a big GPU) shows little
/// added time, so the estimate stays low and the candidate is measured in full: a probe can
/// only spare the time of a candidate, never lose one that would win.
fn estimate(gpu: &Gpu, op: &Op) -> Result<f64> {
    let (t1, f1) = probe(gpu, op, 1)?;
    let (t2, f2) = probe(gpu, op, 2)?;
    if f2 <= f1 {
        return Ok(t2.max(t1));
    }
    let per_work = ((t2 - t1) / (f2 - f1)).max(0.0);
    Ok(t2 + per_work * (1.0 - f2))
}

fn fastest_of_runs(gpu: &Gpu, op: &Op) -> Result<f64> {
    (0..REPEATS).map(|_| seconds(gpu, op)).try_fold(f64::INFINITY, |best, t| Ok(best.min(t?)))
}

/// The fastest variant of one pass: `candidates[i]` is the pass built with `variants[i]`, the
/// first being the first guess.
/// Candidates not yet tried when `deadline` passes are left out (the best so far wins).
pub(crate) fn fastest(gpu: &Gpu, variants: &[Variant], candidates: &[&Op], deadline: Instant) -> Result<Variant> {
    let mut best = (fastest_of_runs(gpu, candidates[0])?, variants[0]);
    for (&variant, op) in variants.iter().zip(candidates).skip(1) {
        if Instant::now() >= deadline {
            break;
        }
        if estimate(gpu, op)? > 2.0 * best.0 {
            continue;
        }
        let t = fastest_of_runs(gpu, op)?;
        if t < best.0 {
            best = (t, variant);
        }
    }
    Ok(best.1)
}

/// The variant that occurs most often (the first of equals in [`Variant::ALL`]'s order).
pub(crate) fn most_common(choices: impl Iterator<Item = Variant>) -> Option<Variant> {
    let mut counts = [0usize; Variant::ALL.len()];
    for v in choices {
        counts[Variant::ALL.iter().position(|&a| a == v).unwrap_or(0)] += 1;
    }
    let (i, &n) = counts.iter().enumerate().max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))?;
    (n > 0).then(|| Variant::ALL[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_cache_entry_is_dropped_alone() {
        let dir = std::env::temp_dir().join(format!("twinhead-cache-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kernels.json");
        let text = r#"{
            "gpu A": {"pass 1": "subgroup", "pass 2": "no-such-variant", "pass 3": 7},
            "gpu B": {"pass 1": "tiled"},
            "gpu C": "not a table"
        }"#;
        std::fs::write(&path, text).unwrap();
        let cache = read_cache(&path);
        let a: Vec<(&str, &str)> = cache["gpu A"].iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(a, [("pass 1", "subgroup")]);
        assert_eq!(cache["gpu B"]["pass 1"], "tiled");
        assert!(!cache.contains_key("gpu C"));
        // Remembering a new choice keeps every good entry of the file.
        remember(&path, "gpu B", &[("pass 2".to_string(), Variant::Blocked)].into());
        let again = read_cache(&path);
        assert_eq!(again["gpu A"]["pass 1"], "subgroup");
        assert_eq!(again["gpu B"].len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
