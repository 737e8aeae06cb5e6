// conv2d_reduce_weight: finishes conv2d_backward_weight by summing its split-K partials.
//   dweight[co, k] = Σ_s partial(co, k, s)  (k < K),   dbias[co] = Σ_s partial(co, K, s)
//   With params.accumulate != 0 the sums are added to dweight/dbias instead of replacing them.
// Layouts: partial in blocks of 16 values, each block's splits one after another
// (common/conv_backward_weight.wgsl, partial_at); row-major dweight [C_out, K], dbias [C_out].
// One invocation per (co, k) column; the s loop runs in a fixed order, so results are deterministic.
// Bindings: 0 params (uniform), 1 partial, 2 dweight, 3 dbias.

struct Params {
    c_out: u32, k_len: u32, splits: u32, accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbias: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * 64u + lid;
    let cols = p.k_len + 1u;
    let total = p.c_out * cols;
    if inv >= total { return; }
    // Value inv in its block of 16; the next split 16 floats on.
    let at = (inv / 16u) * p.splits * 16u + inv % 16u;
    var sum = 0.0;
    for (var s = 0u; s < p.splits; s++) {
        sum += partial[at + 16u * s];
    }
    let co = inv / cols;
    let k = inv % cols;
    if k < p.k_len {
        let idx = co * p.k_len + k;
        if p.accumulate != 0u { sum += dweight[idx]; }
        dweight[idx] = sum;
    } else {
        if p.accumulate != 0u { sum += dbias[co]; }
        dbias[co] = sum;
    }
}
