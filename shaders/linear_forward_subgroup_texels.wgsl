// linear_forward_subgroup_texels: linear_forward_subgroup's sums
// (shaders/common/linear_forward_subgroup.wgsl, joined in front by the catalogue) with x and the
// weights gathered from their texel mirrors (crates/tensor/src/texels.rs: values 4i..4i+3 at
// texel (i mod 1024, i div 1024) of an rgba32float texture, filled by a copy just before): per 4 inputs
// each lane reads 2 or 4 rows of x and 4 weight rows of its own, each a loop over the SIMD lanes
// from a storage buffer on lavapipe, one fetch of a 128-bit texel a vec4 from a texture (with
// AVX2 only, 30.5 ms against 49–54 for storage at batch 32 with x alone mirrored in r32float
// texels, four gathers a vec4). A pick's `texels`: the tuner
// measures both readers.
// Bindings: 0 params (uniform), 1 x (rgba32float texels), 2 weight (rgba32float texels), 3 bias, 4 y.

@group(0) @binding(1) var x: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

// vec4_at(t, i), values 4i..4i+3: shaders/common/texels_vec4.wgsl, joined in front by the catalogue.

// x[row, 4k..4k+3].
fn load_x(row: u32, k: u32) -> vec4<f32> {
    return vec4_at(x, row * (p.inputs / 4u) + k);
}

// weight[o, 4k..4k+3].
fn load_w(o: u32, k: u32) -> vec4<f32> {
    return vec4_at(weight, o * (p.inputs / 4u) + k);
}
