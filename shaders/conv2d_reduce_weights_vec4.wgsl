// conv2d_reduce_weights_vec4: conv2d_reduce_weights.wgsl with each value's splits read four at
// a time as vec4s. 8 neighbouring invocations (a lavapipe SIMD row) read 128 consecutive bytes a
// step and each block of 8 values is one stream through memory (a load every C_out·(K + 1)
// floats, as the old [splits, C_out, K + 1] layout had it, left a cold pass waiting on memory
// for each one), and on lavapipe a vec4 load costs about what one float does
// (shared/notes/lavapipe-kernels.md). The four are still added one after another, from 0, in
// the order of the splits: the scalar form's sums, bit for bit.
// Needs every segment's partial offset to be a multiple of 4 (the launcher checks).
// Bindings: 0 params (uniform), 1 partial (as vec4s), 2 grads.

// Params, binding 0 and 2, segment_of() and finish(): shaders/common/conv_reduce_weights.wgsl.

@group(0) @binding(1) var<storage, read> partial: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let group = wid.y * nwg.x + wid.x;
    if group >= p.groups { return; }
    let seg = segment_of(group);
    let value = (group - seg.place.z) * 64u + lid;
    if value >= seg.shape.y * seg.shape.z { return; }
    let splits = seg.shape.w;
    // In vec4s: value's block, then its lane; its next four splits 8 vec4s on.
    let at = seg.shape.x / 4u + (value / 8u) * ((splits + 3u) / 4u) * 8u + value % 8u;
    var sum = 0.0;
    let whole = splits / 4u;
    var q = 0u;
    // Four vec4s loaded a step, their sixteen values then added in order: fewer turns of the
    // loop, whose bookkeeping lavapipe pays per lane.
    while q + 4u <= whole {
        let a = partial[at + 8u * q];
        let b = partial[at + 8u * q + 8u];
        let c = partial[at + 8u * q + 16u];
        let d = partial[at + 8u * q + 24u];
        sum += a.x; sum += a.y; sum += a.z; sum += a.w;
        sum += b.x; sum += b.y; sum += b.z; sum += b.w;
        sum += c.x; sum += c.y; sum += c.z; sum += c.w;
        sum += d.x; sum += d.y; sum += d.z; sum += d.w;
        q += 4u;
    }
    while q < whole {
        let v = partial[at + 8u * q];
        sum += v.x;
        sum += v.y;
        sum += v.z;
        sum += v.w;
        q += 1u;
    }
    // The last 1–3 splits, without the padding after them.
    let rest = splits % 4u;
    if rest != 0u {
        let v = partial[at + 8u * whole];
        sum += v.x;
        if rest > 1u { sum += v.y; }
        if rest > 2u { sum += v.z; }
    }
    finish(seg, value, sum);
}
