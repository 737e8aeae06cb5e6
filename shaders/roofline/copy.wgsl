// Roofline probe: streaming copy, dst[i] = src[i], vec4 at a time.
//
// Bindings: 0 `p` (uniform: vec4 count, stride between an invocation's vec4s), 1 `src`, 2 `dst`.
// One invocation copies PER_INVOCATION vec4s, `stride` apart (consecutive invocations touch
// consecutive vec4s, as a GPU coalesces them). Bytes moved: 2 × 16 × count.

struct Params {
    count: u32,
    stride: u32,
}

override PER_INVOCATION: u32 = 4u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let first = gid.x + gid.y * groups.x * 64u;
    for (var k = 0u; k < PER_INVOCATION; k++) {
        let i = first + k * p.stride;
        if i < p.count {
            dst[i] = src[i];
        }
    }
}
