// Reading a texel mirror (crates/tensor/src/texels.rs: value j at texel (j mod 4096, j div 4096)
// of an r32float texture): a gather per value, where a lane's own value from a storage buffer is
// a loop over the SIMD lanes on lavapipe. Joined in front of every texel reader of single values
// by the catalogue (the readers of vec4s use texels_vec4.wgsl).

// Value j.
fn texel(t: texture_2d<f32>, j: u32) -> f32 {
    return textureLoad(t, vec2<u32>(j & 4095u, j >> 12u), 0).x;
}
