// Reading a texel mirror (crates/tensor/src/texels.rs: value j at texel (j mod 4096, j div 4096)
// of an r32float texture): a gather per value, where a lane's own value from a storage buffer is
// a loop over the SIMD lanes on lavapipe. Joined in front of every texel reader by the catalogue.

// Value j.
fn texel(t: texture_2d<f32>, j: u32) -> f32 {
    return textureLoad(t, vec2<u32>(j & 4095u, j >> 12u), 0).x;
}

// The 4 values from j on, j a multiple of 4 (rows are 4096 values: one row holds them).
fn texels4(t: texture_2d<f32>, j: u32) -> vec4<f32> {
    let at = vec2<u32>(j & 4095u, j >> 12u);
    let a = textureLoad(t, at, 0).x;
    let b = textureLoad(t, at + vec2<u32>(1u, 0u), 0).x;
    let c = textureLoad(t, at + vec2<u32>(2u, 0u), 0).x;
    let d = textureLoad(t, at + vec2<u32>(3u, 0u), 0).x;
    return vec4<f32>(a, b, c, d);
}
