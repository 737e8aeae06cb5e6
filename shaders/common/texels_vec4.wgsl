// Reading a vec4 texel mirror (crates/tensor/src/texels.rs, Texels::new_vec4: values 4i..4i+3 at
// texel (i mod 1024, i div 1024) of an rgba32float texture, the bytes of an r32float mirror):
// one fetch per vec4, where an r32float mirror (texels4.wgsl) takes four gathers. Joined in front
// of the texel readers that read vec4s at multiples of 4 (the shared layer's, Adam's, the conv
// forward's weights) by the catalogue.

// Values 4i..4i+3.
fn vec4_at(t: texture_2d<f32>, i: u32) -> vec4<f32> {
    return textureLoad(t, vec2<u32>(i & 1023u, i >> 10u), 0);
}
