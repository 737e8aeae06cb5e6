// A conv input-gradient kernel's dy read from its storage buffer: binding 1 and load_dy, joined
// in front by the catalogue (conv_dy_texels.wgsl is the same from a texel mirror).

@group(0) @binding(1) var<storage, read> dy: array<f32>;

// dy's value i (row-major [N, C_out, OH, OW]).
fn load_dy(i: u32) -> f32 {
    return dy[i];
}
