// A conv input-gradient kernel's operands gathered from their texel mirrors
// (crates/tensor/src/texels.rs: value i at texel (i mod 4096, i div 4096) of an r32float texture,
// filled by a copy just before): bindings 1 (dy) and 2 (weight), load_dy and load_weight, joined
// in front by the catalogue. On lavapipe a texel fetch is one vector gather, a storage load a
// loop over the SIMD lanes.

@group(0) @binding(1) var dy: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

// dy's value i (row-major [N, C_out, OH, OW]).
fn load_dy(i: u32) -> f32 {
    return texel(dy, i);
}

// The weights' value i (row-major [C_out, C_in, KH, KW]).
fn load_weight(i: u32) -> f32 {
    return texel(weight, i);
}
