// linear_reduce_vec4: linear_reduce four outputs at a time, for O a multiple of 4: sums the
// splits' partial products in order 0, 1, … (deterministic, the same sums as linear_reduce),
// adds the bias, then ReLU when params.relu != 0.
//   y[b, o] = bias[o] + Σ_s partial[s, b, o]
// Layouts, row-major, read as vec4 along o: partial [splits, B, O], bias [O], y [B, O].
// One invocation per vec4 of y: lavapipe pays per storage access whatever its width.
// Bindings: 0 params (uniform), 1 partial, 2 bias, 3 y.

struct Params {
    batch: u32, outputs: u32, splits: u32, relu: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    let len = p.batch * p.outputs / 4u;
    if i >= len { return; }
    var v = vec4<f32>(0.0);
    for (var s = 0u; s < p.splits; s++) {
        v += partial[s * len + i];
    }
    v += bias[i % (p.outputs / 4u)];
    if p.relu != 0u { v = max(v, vec4<f32>(0.0)); }
    y[i] = v;
}
