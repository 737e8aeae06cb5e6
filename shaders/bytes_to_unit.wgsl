// bytes_to_unit: x[i] = unit[byte i of `bytes`], the images of a batch made floats in [0, 1] on
// the device: `bytes` holds `len` bytes packed four to a u32 (little-endian), `unit` the 256
// values b / 255 as the CPU computes them (a table, so every device gets the same bits a
// division on the host would).
// Layout: bytes [ceil(len / 4)] u32, unit [256] f32, x [len] f32 (NCHW images, row-major).
// One invocation per u32: four bytes in, four floats out. Bindings: 0 params (uniform), 1 bytes,
// 2 unit, 3 x.

struct Params {
    len: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> bytes: array<u32>;
@group(0) @binding(2) var<storage, read> unit: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let word = (wid.y * nwg.x + wid.x) * 64u + lid;
    let first = 4u * word;
    if first >= p.len { return; }
    let packed = bytes[word];
    for (var k = 0u; k < 4u; k++) {
        if first + k < p.len {
            x[first + k] = unit[(packed >> (8u * k)) & 0xffu];
        }
    }
}
