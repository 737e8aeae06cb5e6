//! The kernel choices remembered between runs: per adapter, driver and kernel sources, per
//! pass, the variant measured fastest, in a small JSON file, so the next run starts at once.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use kernels::{Kernel, Pick};
use tensor::Gpu;

/// The cache file's contents: per adapter key, per pass key, the chosen variant's name.
type Cache = BTreeMap<String, BTreeMap<String, String>>;

/// What identifies the measurements' conditions: adapter, backend, driver and a hash of every
/// kernel's source (a changed kernel is measured again).
pub(crate) fn adapter_key(gpu: &Gpu) -> String {
    let info = gpu.adapter.get_info();
    // Over the kernel sources: stable across builds and platforms.
    let mut hash = tensor::Fnv1a::default();
    for k in Kernel::ALL {
        hash.eat(k.source().as_bytes());
    }
    let hash = hash.value();
    format!("{} | {:?} | {} {} | kernels {hash:016x}", info.name, info.backend, info.driver, info.driver_info)
}

/// The cache's well-formed entries. A missing or unreadable file only means measuring again; an
/// entry that is not a known variant's name (and block) (an older version's, or a hand edit) is dropped on
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
            Pick::from_name(name).map(|_| (key, name.to_string()))
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

/// The cached choices for this adapter, as pass key → pick.
pub(crate) fn cached_choices(path: &Path, adapter: &str) -> HashMap<String, Pick> {
    let cache = read_cache(path);
    let mine = cache.get(adapter).cloned().unwrap_or_default();
    mine.into_iter().filter_map(|(k, v)| Some((k, Pick::from_name(&v)?))).collect()
}

/// Adds `choices` to the cache file under `adapter`.
pub(crate) fn remember(path: &Path, adapter: &str, choices: &HashMap<String, Pick>) {
    let mut cache = read_cache(path);
    let mine = cache.entry(adapter.to_string()).or_default();
    for (k, v) in choices {
        mine.insert(k.clone(), v.name());
    }
    write_cache(path, &cache);
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
        remember(&path, "gpu B", &[("pass 2".to_string(), Pick::shaped(kernels::Variant::Blocked, (4, 4)))].into());
        let again = read_cache(&path);
        assert_eq!(again["gpu A"]["pass 1"], "subgroup");
        assert_eq!(again["gpu B"].len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
