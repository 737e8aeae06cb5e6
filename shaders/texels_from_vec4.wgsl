// texels_from_vec4: fills a tensor's texel mirror (crates/tensor/src/texels.rs): value i goes to
// texel (i mod 4096, i div 4096) of an r32float storage texture. One invocation per vec4 of the
// source (tensors are allocated in whole vec4s, so the last one is in the buffer; its padding
// lands in texels past the tensor's end, which the texture's last row holds: 4096 is a multiple
// of 4). A texture store, like a fetch, is one vector operation on lavapipe.
// Bindings: 0 params (uniform), 1 src, 2 texels.

struct Params {
    len: u32, _pad0: u32, _pad1: u32, _pad2: u32, // len: the source's vec4s
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var texels: texture_storage_2d<r32float, write>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    if i >= p.len { return; }
    let v = src[i];
    let at = vec2<u32>((4u * i) & 4095u, (4u * i) >> 12u);
    textureStore(texels, at, vec4<f32>(v.x));
    textureStore(texels, at + vec2<u32>(1u, 0u), vec4<f32>(v.y));
    textureStore(texels, at + vec2<u32>(2u, 0u), vec4<f32>(v.z));
    textureStore(texels, at + vec2<u32>(3u, 0u), vec4<f32>(v.w));
}
