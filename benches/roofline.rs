//! The roofline of the adapter at hand: its streaming copy bandwidth and its multiply-add peak,
//! each measured with WGSL probes (`shaders/roofline/`), the best of a few shapes. Every pass of
//! `step_breakdown` is judged against these two figures. Then what reading values one at a time
//! costs from a storage buffer and from a texel mirror (`tensor::Texels`): the two readers a conv
//! kernel may have, between which the tuner chooses.
//!
//! `cargo bench --bench roofline`

use kernels::roofline;
use tensor::{AdapterChoice, Gpu};

fn main() {
    // criterion-style arguments (e.g. --bench) are accepted and ignored.
    let gpu = Gpu::new(&AdapterChoice::Auto).expect("needs a GPU adapter");
    println!("adapter: {}", gpu.summary);
    println!("cpu: {}", twinhead::cpu_description());
    let copy = roofline::copy_bandwidth(&gpu).expect("the copy probe runs");
    println!("copy bandwidth (read + write): {copy:.2} GB/s");
    let peak = roofline::fma_peak(&gpu).expect("the multiply-add probe runs");
    println!("multiply-add peak: {peak:.2} GFLOP/s");
    println!("ridge: {:.1} FLOP per byte", peak / copy);
    // What a conv kernel that gathers its input pays per value, through each reader it may have.
    let (storage, texels) = roofline::gather_bandwidths(&gpu).expect("the gather probes run");
    println!("values read one at a time (read + write): storage {storage:.2} GB/s, texels {texels:.2} GB/s");
}
