// conv2d_forward_pool_texels: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) gathering its input from the input's texel mirror (crates/tensor/src/texels.rs,
// filled by a copy just before): lavapipe makes a texel fetch one vector gather
// where a storage load is a loop over the SIMD lanes, and each input value is gathered by up to
// 4 windows × every 16-channel block.
// Bindings: 0 params (uniform), 1 x (r32float, value i at texel (i mod 4096, i div 4096)),
// 2 weight, 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var x: texture_2d<f32>;

fn load_x(i: u32) -> f32 {
    return textureLoad(x, vec2<u32>(i & 4095u, i >> 12u), 0).x;
}
