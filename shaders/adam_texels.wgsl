// adam_texels: one Adam step on every parameter (shaders/common/adam_step.wgsl: the update, its
// semantics and layouts, joined in front by the catalogue), reading the values before the step
// from texel mirrors of param, grad, m, v and the average (crates/tensor/src/texels.rs: values
// 4i..4i+3 at texel (i mod 1024, i div 1024) of an rgba32float texture, each filled by a copy
// just before) and
// writing the storage buffers. On lavapipe a storage load is a loop over the SIMD lanes and a
// texel fetch one vector gather: with AVX2 only the step took 83 ms this way against 124 ms
// (copies included), with AVX-512 62 against 32; the tuner measures both (crates/model/src/tune).
// Bindings: 0 params (uniform), 1 param, 2 m, 3 v, 4 average, 5–9 the mirrors of param, grad, m,
// v, average.

@group(0) @binding(5) var param_texels: texture_2d<f32>;
@group(0) @binding(6) var grad_texels: texture_2d<f32>;
@group(0) @binding(7) var m_texels: texture_2d<f32>;
@group(0) @binding(8) var v_texels: texture_2d<f32>;
@group(0) @binding(9) var average_texels: texture_2d<f32>;

// vec4_at(t, i), values 4i..4i+3 of a mirror: shaders/common/texels_vec4.wgsl, joined in front.
fn load_param(i: u32) -> vec4<f32> { return vec4_at(param_texels, i); }
fn load_grad(i: u32) -> vec4<f32> { return vec4_at(grad_texels, i); }
fn load_m(i: u32) -> vec4<f32> { return vec4_at(m_texels, i); }
fn load_v(i: u32) -> vec4<f32> { return vec4_at(v_texels, i); }
fn load_average(i: u32) -> vec4<f32> { return vec4_at(average_texels, i); }
