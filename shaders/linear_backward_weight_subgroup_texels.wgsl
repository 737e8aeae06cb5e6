// linear_backward_weight_subgroup_texels: linear_backward_weight_subgroup's sums
// (shaders/common/linear_backward_weight_subgroup.wgsl, joined in front by the catalogue) with x
// and dy gathered from their texel mirrors (crates/tensor/src/texels.rs: values 4i..4i+3 at
// texel (i mod 1024, i div 1024) of an rgba32float texture, filled by a copy just before): each lane
// reads its own 4 inputs of x and 4 outputs of dy per row b, each a loop over the SIMD lanes from
// a storage buffer on lavapipe, one fetch of a 128-bit texel a vec4 from a texture. A pick's `texels`: the tuner
// measures both readers.
// Bindings: 0 params (uniform), 1 x (rgba32float texels), 2 dy (rgba32float texels), 3 dweight, 4 dbias.

@group(0) @binding(1) var x: texture_2d<f32>;
@group(0) @binding(2) var dy: texture_2d<f32>;

// vec4_at(t, i), values 4i..4i+3: shaders/common/texels_vec4.wgsl, joined in front by the catalogue.

// x[b, i..i+3] for i a multiple of 4: (1, 0, 0, 0) at the bias column i = I, zeros past it.
fn load_x(b: u32, i: u32) -> vec4<f32> {
    let v = vec4_at(x, b * (p.inputs / 4u) + min(i, p.inputs - 4u) / 4u);
    return select(select(vec4<f32>(0.0), vec4<f32>(1.0, 0.0, 0.0, 0.0), i == p.inputs), v, i < p.inputs);
}

// dy[b, 4k..4k+3].
fn load_dy(b: u32, k: u32) -> vec4<f32> {
    return vec4_at(dy, b * (p.outputs / 4u) + k);
}
