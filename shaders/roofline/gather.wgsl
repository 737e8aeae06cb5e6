// Roofline probe: what reading values one at a time costs, through either reader a conv kernel
// may have (shaders/common/conv_x_dy_storage.wgsl, or the texel readers): dst[i] = the 4 values
// 4i..4i+3 of the source, read as 4 separate loads, from the storage buffer `src` (entry point
// from_storage) or from its texel mirror `texels` (from_texels; crates/tensor/src/texels.rs: value
// j at texel (j mod 4096, j div 4096)). Bytes moved: 2 × 16 × count.
// Bindings: 0 `p` (uniform: vec4 count), 1 `src` (from_storage), 2 `texels` (from_texels), 3 `dst`.

struct Params {
    count: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var texels: texture_2d<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<vec4<f32>>;

fn texel(j: u32) -> f32 {
    return textureLoad(texels, vec2<u32>(j & 4095u, j >> 12u), 0).x;
}

@compute @workgroup_size(64)
fn from_storage(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count { return; }
    let j = 4u * i;
    dst[i] = vec4<f32>(src[j], src[j + 1u], src[j + 2u], src[j + 3u]);
}

@compute @workgroup_size(64)
fn from_texels(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count { return; }
    let j = 4u * i;
    dst[i] = vec4<f32>(texel(j), texel(j + 1u), texel(j + 2u), texel(j + 3u));
}
