// linear_backward_input_subgroup_texels: linear_backward_input_subgroup's sums
// (shaders/common/linear_backward_input_subgroup.wgsl, joined in front by the catalogue) with dy
// and the weights gathered from their texel mirrors (crates/tensor/src/texels.rs, filled by
// copies just before), as linear_forward_subgroup_texels.wgsl reads x and the weights: one
// 128-bit texel fetch a vec4 (rgba32float mirrors) where a storage load is a loop over the SIMD lanes on lavapipe. A pick's
// `texels`: the tuner measures both readers.
// Bindings: 0 params (uniform), 1 dy (rgba32float texels), 2 weight (rgba32float texels), 3 dx.

@group(0) @binding(1) var dy: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

// vec4_at(t, i), values 4i..4i+3: shaders/common/texels_vec4.wgsl, joined in front by the catalogue.

// dy[row, 4k..4k+3].
fn load_dy(row: u32, k: u32) -> vec4<f32> {
    return vec4_at(dy, row * (p.outputs / 4u) + k);
}

// weight[o, 4c..4c+3].
fn load_w(o: u32, c: u32) -> vec4<f32> {
    return vec4_at(weight, o * (p.inputs / 4u) + c);
}
