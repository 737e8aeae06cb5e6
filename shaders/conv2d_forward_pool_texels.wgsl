// conv2d_forward_pool_texels: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) gathering its input from the input's texel mirror (crates/tensor/src/texels.rs,
// filled by a copy just before): lavapipe makes a texel fetch one vector gather
// where a storage load is a loop over the SIMD lanes, and each input value is gathered by up to
// 4 windows × every 16-channel block; the weights the same way, from their own mirror (with AVX2
// only, lanes 0–7 loading two weight rows a channel from storage cost about a third of the pass).
// Bindings: 0 params (uniform), 1 x and 2 weight (r32float, value i at texel (i mod 4096,
// i div 4096)), 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var x: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

fn load_x(i: u32) -> f32 {
    return texel(x, i);
}

// The taps of the weight row starting at float `at`: nine gathers (from storage, three vec4
// loads, each a loop over the SIMD lanes on lavapipe, and 27 selects).
fn taps(at: u32) -> Taps {
    return Taps(texel(weight, at), texel(weight, at + 1u), texel(weight, at + 2u), texel(weight, at + 3u), texel(weight, at + 4u),
                texel(weight, at + 5u), texel(weight, at + 6u), texel(weight, at + 7u), texel(weight, at + 8u));
}
