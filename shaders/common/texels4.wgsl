// Reading 4 consecutive values of a texel mirror (crates/tensor/src/texels.rs: value j at texel
// (j mod 4096, j div 4096) of an r32float texture): four gathers, where a lane's own vec4 from a
// storage buffer is a loop over the SIMD lanes on lavapipe. Joined in front of the linear
// kernels' texel readers by the catalogue.

// The 4 values from j on, j a multiple of 4 (rows are 4096 values: one row holds them).
fn texels4(t: texture_2d<f32>, j: u32) -> vec4<f32> {
    let at = vec2<u32>(j & 4095u, j >> 12u);
    let a = textureLoad(t, at, 0).x;
    let b = textureLoad(t, at + vec2<u32>(1u, 0u), 0).x;
    let c = textureLoad(t, at + vec2<u32>(2u, 0u), 0).x;
    let d = textureLoad(t, at + vec2<u32>(3u, 0u), 0).x;
    return vec4<f32>(a, b, c, d);
}
