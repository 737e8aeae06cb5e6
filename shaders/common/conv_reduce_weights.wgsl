// The part conv2d_reduce_weights and its vec4 form share: the parameter block, the gradient
// buffer (binding 2), which segment an item belongs to, and where its finished sum goes.
// params.table[g] = (at, C_out, K + 1, splits) and (weight_at, bias_at, first workgroup,
// accumulate); offsets count f32s. Each segment starts a workgroup of its own, so that every
// invocation of a workgroup runs the same segment's loop: its length is then uniform, which a
// SIMD compiler (lavapipe's) sees and needs no per-lane masking for. A segment's partial sums
// are blocks of 16 values, each block's splits one after another (conv_backward_weight.wgsl's
// partial_at): value v's split s at at + ((v / 16)·splits + s)·16 + v % 16.

struct Segment {
    shape: vec4<u32>,
    place: vec4<u32>,
}

struct Params {
    segments: u32, groups: u32, _pad0: u32, _pad1: u32,
    table: array<Segment, 4>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read_write> grads: array<f32>;

// The segment workgroup `group` works on.
fn segment_of(group: u32) -> Segment {
    var g = 0u;
    for (var j = 1u; j < p.segments; j++) {
        if group >= p.table[j].place.z { g = j; }
    }
    return p.table[g];
}

// What one invocation reduces: its workgroup's segment, the first of the `per` values it sums
// (counted within the segment), and whether it has any (the grid's and a segment's last
// workgroup run past them).
struct Job {
    seg: Segment,
    first: u32,
    live: bool,
}

fn job_of(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, per: u32) -> Job {
    let group = wid.y * nwg.x + wid.x;
    let seg = segment_of(min(group, p.groups - 1u));
    let first = ((group - seg.place.z) * 64u + lid) * per;
    return Job(seg, first, group < p.groups && first < seg.shape.y * seg.shape.z);
}

// Writes the sum of item `local` of `seg` (column k < K: dweight[co, k]; k = K: dbias[co]), or
// adds it to what is there when the segment accumulates.
fn finish(seg: Segment, local: u32, total: f32) {
    let cols = seg.shape.z;
    let co = local / cols;
    let k = local % cols;
    var at = seg.place.y + co;
    if k + 1u < cols { at = seg.place.x + co * (cols - 1u) + k; }
    var sum = total;
    if seg.place.w != 0u { sum += grads[at]; }
    grads[at] = sum;
}
