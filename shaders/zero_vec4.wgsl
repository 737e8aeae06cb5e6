// zero_vec4: x = 0, four floats at a time: `len` vec4s (a tensor whose length is a multiple of
// 4). What a scatter that writes only some elements needs first (maxpool2d_backward_winners).
// One invocation per vec4 (memory-bound). Bindings: 0 params (uniform), 1 x.

struct Params {
    len: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    if i >= p.len { return; }
    x[i] = vec4<f32>(0.0);
}
