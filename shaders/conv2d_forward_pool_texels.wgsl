// conv2d_forward_pool_texels: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) gathering its input from the input's texel mirror (crates/tensor/src/texels.rs,
// filled by a copy just before): lavapipe makes a texel fetch one vector gather
// where a storage load is a loop over the SIMD lanes, and each input value is gathered by up to
// 4 windows × every 16-channel block; the weights from their own mirror (with AVX2 only, lanes
// 0–7 loading two weight rows a channel from storage cost about a third of the pass).
// Bindings: 0 params (uniform), 1 x (r32float, value i at texel (i mod 4096, i div 4096)),
// 2 weight (rgba32float, values 4q..4q+3 at texel (q mod 1024, q div 1024)), 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var x: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

fn load_x(i: u32) -> f32 {
    return texel(x, i);
}

// Weight values 4q..4q+3, one fetch from the weights' rgba32float mirror (vec4_at:
// shaders/common/texels_vec4.wgsl). taps(at) in shaders/common/conv_forward_pool.wgsl picks a
// row's 9 taps out of the three vec4s that hold them: with AVX2 at batch 32, three fetches and 27
// selects a row took the three forwards 56.3–63.6 ms against 63.3–70.6 with nine fetches from an
// r32float mirror (alternating runs).
fn weight_vec4(q: u32) -> vec4<f32> {
    return vec4_at(weight, q);
}
