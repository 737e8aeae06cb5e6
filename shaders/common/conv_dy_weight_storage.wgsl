// A conv input-gradient kernel's operands read from their storage buffers: bindings 1 (dy) and
// 2 (weight), load_dy and load_weight, joined in front by the catalogue (conv_dy_weight_texels.wgsl
// is the same from texel mirrors; the kernels other than the rows kernel index weight directly).

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;

// dy's value i (row-major [N, C_out, OH, OW]).
fn load_dy(i: u32) -> f32 {
    return dy[i];
}

// The weights' value i (row-major [C_out, C_in, KH, KW]).
fn load_weight(i: u32) -> f32 {
    return weight[i];
}
