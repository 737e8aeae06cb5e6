// bytes_to_unit_texels: the conversion of shaders/common/bytes_to_unit_words.wgsl (joined in front
// by the catalogue: what it computes, its layouts) with the table read from its texel mirror
// (crates/tensor/src/texels.rs: value b at texel (b, 0), filled by a copy just before): on
// lavapipe a storage load is a loop over the SIMD lanes, a texel fetch one gather (with AVX2 at
// batch 32, 3.1 ms against 5.1 from storage; natively on the same EPYC, 3.4-5.2 against 2.1-2.9).
// Bindings: 0 params (uniform), 1 bytes, 2 unit (r32float texels), 3 x.

@group(0) @binding(2) var unit: texture_2d<f32>;

// b / 255 as the host computes it.
fn lookup(b: u32) -> f32 {
    return textureLoad(unit, vec2<u32>(b, 0u), 0).x;
}
