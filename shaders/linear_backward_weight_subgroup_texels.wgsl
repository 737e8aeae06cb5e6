// linear_backward_weight_subgroup_texels: linear_backward_weight_subgroup's sums
// (shaders/common/linear_backward_weight_subgroup.wgsl, joined in front by the catalogue) with x
// gathered from its texel mirror (crates/tensor/src/texels.rs: value j at texel (j mod 4096,
// j div 4096) of an r32float texture, filled by a copy just before): each lane reads its own
// 4 inputs of x per row b, a loop over the SIMD lanes from a storage buffer on lavapipe, 4 vector
// gathers from a texture. A pick's `texels`: the tuner measures both readers.
// Bindings: 0 params (uniform), 1 x (r32float texels), 2 dy, 3 dweight, 4 dbias.

@group(0) @binding(1) var x: texture_2d<f32>;

fn texel(j: u32) -> f32 {
    return textureLoad(x, vec2<u32>(j & 4095u, j >> 12u), 0).x;
}

// x[b, i..i+3] for i a multiple of 4: (1, 0, 0, 0) at the bias column i = I, zeros past it.
fn load_x(b: u32, i: u32) -> vec4<f32> {
    let j = b * p.inputs + min(i, p.inputs - 4u);
    let v = vec4<f32>(texel(j), texel(j + 1u), texel(j + 2u), texel(j + 3u));
    return select(select(vec4<f32>(0.0), vec4<f32>(1.0, 0.0, 0.0, 0.0), i == p.inputs), v, i < p.inputs);
}
