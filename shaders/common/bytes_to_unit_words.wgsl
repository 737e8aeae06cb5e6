// The body of the bytes-to-floats conversion for a length that is a multiple of 4 (every batch
// of whole RGB images whose pixel count is even), shared by its two readers of the table:
// bytes_to_unit_vec4.wgsl (from storage) and bytes_to_unit_texels.wgsl (from a texel mirror),
// each of which declares binding 2 and lookup(b), joined after this by the catalogue. Each u32's
// four floats are stored as one vec4, a quarter of the stores (on lavapipe every storage access
// costs about the same whatever its width).
//   x[i] = unit[byte i of `bytes`]: the images of a batch made floats in [0, 1] on the device,
//   `unit` holding the 256 values b / 255 as the CPU computes them (a table, so that every
//   device gets the bits a division on the host would).
// Layout: bytes [len / 4] u32 (four bytes each, little-endian), unit [256] f32, x [len / 4]
// vec4 (NCHW images, row-major). Bindings: 0 params (uniform), 1 bytes, 2 unit (the reader's),
// 3 x.

struct Params {
    len: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> bytes: array<u32>;
@group(0) @binding(3) var<storage, read_write> x: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let word = (wid.y * nwg.x + wid.x) * 64u + lid;
    if 4u * word >= p.len { return; }
    let packed = bytes[word];
    x[word] = vec4<f32>(lookup(packed & 0xffu), lookup((packed >> 8u) & 0xffu), lookup((packed >> 16u) & 0xffu),
                        lookup(packed >> 24u));
}
