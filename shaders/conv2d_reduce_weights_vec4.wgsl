// conv2d_reduce_weights_vec4: conv2d_reduce_weights.wgsl four values an invocation, read as one
// vec4 per split. Four neighbouring invocations read one 64-byte line a split, and the next
// split's line follows it: each block of 16 values is one stream through memory (a load every
// C_out·(K + 1) floats, as the old [splits, C_out, K + 1] layout had it, left a cold pass
// waiting on memory for each one), and on lavapipe a vec4 load costs about what one float does
// (shared/notes/lavapipe-kernels.md). Each value's splits are still added one after another,
// from 0, in order: the scalar form's sums, bit for bit.
// Needs every segment's partial offset to be a multiple of 4 (the launcher checks).
// Bindings: 0 params (uniform), 1 partial (as vec4s), 2 grads.

// Params, binding 0 and 2, job_of() and finish(): shaders/common/conv_reduce_weights.wgsl.

@group(0) @binding(1) var<storage, read> partial: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let job = job_of(wid, nwg, lid, 4u);
    if !job.live { return; }
    let seg = job.seg;
    let values = seg.shape.y * seg.shape.z;
    let value = job.first;
    let quad = value / 4u;
    let splits = seg.shape.w;
    // In vec4s: the quad's block of 16 values, then its place in it; the next split 4 on.
    let at = seg.shape.x / 4u + (quad / 4u) * splits * 4u + quad % 4u;
    var sum = vec4<f32>(0.0);
    var s = 0u;
    // Four splits loaded a step, then added in order: fewer turns of the loop, whose
    // bookkeeping lavapipe pays lane by lane.
    while s + 4u <= splits {
        let a = partial[at + 4u * s];
        let b = partial[at + 4u * s + 4u];
        let c = partial[at + 4u * s + 8u];
        let d = partial[at + 4u * s + 12u];
        sum += a;
        sum += b;
        sum += c;
        sum += d;
        s += 4u;
    }
    while s < splits {
        sum += partial[at + 4u * s];
        s += 1u;
    }
    // The last quad of a segment may run past its values.
    finish(seg, value, sum.x);
    if value + 1u < values { finish(seg, value + 1u, sum.y); }
    if value + 2u < values { finish(seg, value + 2u, sum.z); }
    if value + 3u < values { finish(seg, value + 3u, sum.w); }
}
