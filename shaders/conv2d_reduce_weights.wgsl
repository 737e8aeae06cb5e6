// conv2d_reduce_weights: finishes the split-K weight gradients of several convolutions in one
// pass (the training step's three), each summing its splits' partial sums into the flat
// gradient buffer where that convolution's weight and bias gradients live.
//   for segment g: dweight_g[co, k] = Σ_s partial_g[co, k, s]   (k < K)
//                  dbias_g[co]      = Σ_s partial_g[co, K, s]
//   written to grads[weight_at_g + co·K + k] and grads[bias_at_g + co], or added to them when the
//   segment's accumulate flag is set. The splits are summed in order: deterministic.
// Layouts: partial holds each segment's partial sums at its own offset, in blocks of 16 values
// (see the shared part); grads is the flat gradient buffer. One invocation per value. This form reads one float at a time, for
// blocks at offsets that are no multiple of 4 (conv2d_reduce_weights_vec4 takes the others).
// Bindings: 0 params (uniform), 1 partial, 2 grads.

// Params, binding 0 and 2, job_of() and finish(): shaders/common/conv_reduce_weights.wgsl.

@group(0) @binding(1) var<storage, read> partial: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let job = job_of(wid, nwg, lid, 1u);
    if !job.live { return; }
    let seg = job.seg;
    let value = job.first;
    let at = seg.shape.x + (value / 16u) * seg.shape.w * 16u + value % 16u;
    var sum = 0.0;
    for (var s = 0u; s < seg.shape.w; s++) {
        sum += partial[at + 16u * s];
    }
    finish(seg, value, sum);
}
