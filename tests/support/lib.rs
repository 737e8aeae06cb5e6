//! Shared support for twinhead's tests and benches (the root package's library; not part of the
//! product): the GPU every test shares, comparisons that report what a person can act on, and
//! seeded random data.

pub mod network;

use std::sync::OnceLock;

use kernels::{Gpu, Kernels};
use rand::{Rng, SeedableRng, rngs::StdRng};
use tensor::AdapterChoice;

/// The GPU and compiled kernels shared by every test in a test binary.
///
/// There is no skip: a machine without an adapter fails here, with the message that says how
/// to install one (tests must never pass without having run on a GPU).
pub fn gpu() -> &'static (Gpu, Kernels) {
    static GPU: OnceLock<(Gpu, Kernels)> = OnceLock::new();
    GPU.get_or_init(|| {
        let gpu = Gpu::new(&AdapterChoice::Auto).unwrap_or_else(|e| panic!("GPU tests need an adapter: {e}"));
        if let Some(message) = refuse_slow_gl(&gpu.summary) {
            stop_test_binary(&message);
        }
        eprintln!("GPU tests run on {}", gpu.summary);
        let kernels = Kernels::new(&gpu).unwrap_or_else(|e| panic!("{e}"));
        (gpu, kernels)
    })
}

/// Why the tests will not run on `adapter`: software OpenGL (llvmpipe through EGL) is what wgpu
/// falls back to when Mesa's Vulkan driver is missing; there the suite takes half an hour and
/// wgpu's GL backend can deadlock under parallel tests, so it stops at once and says what to
/// install. Asking for GL by name (`WGPU_BACKEND=gl`) runs the tests there anyway.
pub fn refuse_slow_gl(adapter: &tensor::AdapterSummary) -> Option<String> {
    let asked_for_gl = std::env::var("WGPU_BACKEND").is_ok_and(|b| b.to_lowercase().contains("gl"));
    (adapter.speed == tensor::AdapterSpeed::SoftwareGl && !asked_for_gl).then(|| {
        format!(
            "twinhead's GPU tests found only software OpenGL ({}), not Mesa's Vulkan driver: \
             install it with `{}` and run `cargo test` again (WGPU_BACKEND=gl runs them on GL anyway, \
             slowly and one test at a time: add `-- --test-threads=1`)",
            adapter.name,
            tensor::install_vulkan_hint()
        )
    })
}

/// Ends the whole test binary at once with one message (a panic would repeat it for every test
/// and let the others wait on the same adapter). Written to stderr directly, past the test
/// harness's capture, so that it is seen.
fn stop_test_binary(message: &str) -> ! {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\nerror: {message}\n");
    std::process::exit(2)
}

/// Every kernel variant compiled on the shared GPU: tests of the matrix-product kernels run
/// each of them (every variant the adapter runs, fast or not).
pub fn variants() -> &'static [Kernels] {
    static SETS: OnceLock<Vec<Kernels>> = OnceLock::new();
    SETS.get_or_init(|| {
        let g = &gpu().0;
        kernels::Variant::available(g)
            .into_iter()
            .map(|v| Kernels::with_variant(g, v).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    })
}

/// A kernel set per register block a variant's kernels offer beside their own (every pass whose
/// kernel has the block runs it), one per variant with its split passes cut narrow, and one per
/// other workgroup size its kernels offer: the shapes the tuner may pick, checked like the
/// variants ([`texel_sets`] adds the texel readers).
pub fn shaped_sets() -> &'static [Kernels] {
    static SETS: OnceLock<Vec<Kernels>> = OnceLock::new();
    SETS.get_or_init(|| {
        let mut sets = Vec::new();
        for k in variants() {
            for block in kernels::Kernel::alternative_blocks(k.variant) {
                sets.push(k.trying(kernels::Pick::shaped(k.variant, block)));
            }
            let narrow = kernels::Pick { splits: kernels::Splits::Narrow, ..kernels::Pick::from(k.variant) };
            sets.push(k.trying(narrow));
            for wg in kernels::Kernel::alternative_workgroups(k.variant) {
                sets.push(k.trying(kernels::Pick::grouped(k.variant, wg)));
            }
        }
        sets
    })
}

/// A kernel set per register block a variant's kernels offer beside their own, with the split
/// passes cut narrow: for the tests of the passes that split (elsewhere these sets run what
/// [`shaped_sets`] runs).
pub fn narrow_block_sets() -> &'static [Kernels] {
    static SETS: OnceLock<Vec<Kernels>> = OnceLock::new();
    SETS.get_or_init(|| {
        let narrow = |k: &Kernels, block| kernels::Pick {
            splits: kernels::Splits::Narrow,
            ..kernels::Pick::shaped(k.variant, block)
        };
        variants()
            .iter()
            .flat_map(|k| {
                kernels::Kernel::alternative_blocks(k.variant).into_iter().map(move |b| k.trying(narrow(k, b)))
            })
            .collect()
    })
}

/// A kernel set per variant that has texel readers, in its own shapes and in each other block a
/// texel reader offers, with inputs gathered from texel mirrors: for the tests of the kernels that
/// can (elsewhere these sets run what [`shaped_sets`] runs, checked there).
pub fn texel_sets() -> &'static [Kernels] {
    static SETS: OnceLock<Vec<Kernels>> = OnceLock::new();
    SETS.get_or_init(|| {
        let readers: Vec<&kernels::KernelDesc> =
            kernels::Kernel::ALL.iter().filter(|k| k.texel_reader().is_some()).map(|k| k.desc()).collect();
        let mut sets = Vec::new();
        for k in variants().iter().filter(|k| readers.iter().any(|d| d.variant == Some(k.variant))) {
            sets.push(k.trying(kernels::Pick { texels: true, ..kernels::Pick::from(k.variant) }));
            for d in readers.iter().filter(|d| d.alternative && d.variant == Some(k.variant)) {
                let block = d.block.expect("an alternative has its block");
                sets.push(k.trying(kernels::Pick { texels: true, ..kernels::Pick::shaped(k.variant, block) }));
            }
        }
        sets
    })
}

/// `|actual − expected| <= atol + rtol · |expected|`, element by element.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub atol: f64,
    pub rtol: f64,
}

impl Tolerance {
    pub const fn new(atol: f64, rtol: f64) -> Self {
        Tolerance { atol, rtol }
    }

    /// For a sum of `terms` products of values of magnitude about `scale`, computed in f32:
    /// the rounding error of a length-n sum grows like √n·ε·(typical partial sum), so allow
    /// 8·√n·ε·scale absolute error (ε = 2⁻²³ ≈ 1.2e-7), plus 1e-5 relative error.
    pub fn f32_sum(terms: usize, scale: f64) -> Self {
        Tolerance { atol: 8.0 * (terms as f64).sqrt() * f32::EPSILON as f64 * scale, rtol: 1e-5 }
    }
}

/// Panics with a report if `actual` and `expected` differ beyond `tol` anywhere: the tensor's
/// name, how many elements are off, the worst absolute and relative errors with their index,
/// and the first mismatching `expected vs actual` pairs.
pub fn assert_close(name: &str, actual: &[f32], expected: &[f64], tol: Tolerance) {
    assert_eq!(actual.len(), expected.len(), "{name}: length {} vs expected {}", actual.len(), expected.len());
    let mut bad = Vec::new();
    let (mut worst_abs, mut worst_abs_at) = (0.0f64, 0usize);
    let (mut worst_rel, mut worst_rel_at) = (0.0f64, 0usize);
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let err = (a as f64 - e).abs();
        let err = if err.is_nan() { f64::INFINITY } else { err };
        let rel = err / e.abs().max(f64::MIN_POSITIVE);
        if err > worst_abs {
            (worst_abs, worst_abs_at) = (err, i);
        }
        if rel > worst_rel && err > tol.atol {
            (worst_rel, worst_rel_at) = (rel, i);
        }
        if err > tol.atol + tol.rtol * e.abs() {
            bad.push(i);
        }
    }
    if !bad.is_empty() {
        let pairs: Vec<String> = bad
            .iter()
            .take(6)
            .map(|&i| format!("  [{i}] expected {:.7e} vs got {:.7e}", expected[i], actual[i]))
            .collect();
        panic!(
            "{name}: {} of {} elements off (atol {:.1e}, rtol {:.1e}); worst abs error {:.3e} at [{worst_abs_at}], \
             worst rel error {:.3e} at [{worst_rel_at}]\n{}",
            bad.len(),
            actual.len(),
            tol.atol,
            tol.rtol,
            worst_abs,
            worst_rel,
            pairs.join("\n")
        );
    }
}

/// Seeded uniform values in [lo, hi).
pub fn random(len: usize, seed: u64, lo: f32, hi: f32) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..len).map(|_| rng.random_range(lo..hi)).collect()
}

/// Seeded labels in [0, classes).
pub fn random_labels(len: usize, seed: u64, classes: u32) -> Vec<u32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..len).map(|_| rng.random_range(0..classes)).collect()
}

/// f32 values widened for the f64 reference.
pub fn wide(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// The largest |value|, at least `floor`.
pub fn max_abs(v: &[f64], floor: f64) -> f64 {
    v.iter().fold(floor, |m, x| m.max(x.abs()))
}

/// The real photos at `../shared/datasets/fashion` from the project's root, if present.
///
/// Where they are missing the caller's test says so on stderr and returns early ("SKIPPED"),
/// so that `cargo test` passes on a fresh clone elsewhere — except in CI (`CI=true`), where a
/// missing folder fails the test.
pub fn photos() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/fashion");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "the real photos are missing at {} (CI must have them: shared/ is laid beside the checkout)",
            dir.display()
        );
    }
    // Straight to the stderr handle: the test harness captures eprintln!, and a skip must show.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: the real photos are not at {}; this test needs them", dir.display());
    None
}

/// The CPU this runs on, as every speed figure must name it: its model and its vector extensions
/// (AVX-512 or AVX2 alone decides lavapipe's speed more than anything else).
pub fn cpu_description() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let flags: Vec<&str> =
        info.lines().find(|l| l.starts_with("flags")).map_or(Vec::new(), |l| l.split_whitespace().collect());
    let mut vector: Vec<&str> = flags.iter().copied().filter(|f| f.starts_with("avx512")).collect();
    vector.sort();
    vector.dedup();
    let widest = if !vector.is_empty() {
        format!("AVX-512 ({})", vector.join(" "))
    } else if flags.contains(&"avx2") {
        "AVX2, no AVX-512".to_string()
    } else {
        "no AVX2".to_string()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cores} cores, {widest}")
}
