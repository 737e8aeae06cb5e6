// Reading a vec4 texel mirror (crates/tensor/src/texels.rs, Texels::new_vec4: values 4i..4i+3 at
// texel (i mod 1024, i div 1024) of an rgba32float texture, the bytes of an r32float mirror):
// one fetch per vec4, where the r32float mirror's texels4 (texels4.wgsl) takes four gathers.
// Joined in front of the texel readers that read only vec4s at multiples of 4 (the shared
// layer's and Adam's) by the catalogue.

// The 4 values from j on, j a multiple of 4.
fn texels4(t: texture_2d<f32>, j: u32) -> vec4<f32> {
    return textureLoad(t, vec2<u32>((j >> 2u) & 1023u, j >> 12u), 0);
}
