// conv2d_reduce_weights: finishes the split-K weight gradients of several convolutions in one
// pass (the training step's three), each summing its splits' partial sums into the flat
// gradient buffer where that convolution's weight and bias gradients live.
//   for segment g: dweight_g[co, k] = Σ_s partial[at_g + (s·C_out + co)·(K + 1) + k]   (k < K)
//                  dbias_g[co]      = Σ_s partial[at_g + (s·C_out + co)·(K + 1) + K]
//   written to grads[weight_at_g + co·K + k] and grads[bias_at_g + co], or added to them when the
//   segment's accumulate flag is set. The splits are summed in order: deterministic.
// Layouts: partial holds each segment's [splits, C_out, K + 1] block at its own offset; grads is
// the flat gradient buffer; offsets count f32s. params.table[g] = (at, C_out, K + 1, splits) and
// (weight_at, bias_at, first item, accumulate); segment g owns items [first_g, first_g + C_out·(K + 1)).
// One invocation per weight or bias value of every segment.
// Bindings: 0 params (uniform), 1 partial, 2 grads.

struct Segment {
    shape: vec4<u32>,
    place: vec4<u32>,
}

struct Params {
    segments: u32, items: u32, _pad0: u32, _pad1: u32,
    table: array<Segment, 4>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    if i >= p.items { return; }
    var g = 0u;
    for (var j = 1u; j < p.segments; j++) {
        if i >= p.table[j].place.z { g = j; }
    }
    let seg = p.table[g];
    let c_out = seg.shape.y;
    let cols = seg.shape.z;
    let local = i - seg.place.z;
    var sum = 0.0;
    for (var s = 0u; s < seg.shape.w; s++) {
        sum += partial[seg.shape.x + s * c_out * cols + local];
    }
    let co = local / cols;
    let k = local % cols;
    var at = seg.place.y + co;
    if k + 1u < cols { at = seg.place.x + co * (cols - 1u) + k; }
    if seg.place.w != 0u { sum += grads[at]; }
    grads[at] = sum;
}
