// conv2d_forward_pool_texels: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) reading its input from the input's texel mirror (crates/tensor/src/texels.rs,
// filled by a copy just before): lavapipe makes a texel fetch one vector gather
// where a storage load is a loop over the SIMD lanes, and each input value is read by up to
// 4 windows × every 16-channel block; the weights from their own mirror (with AVX2 only, lanes
// 0–7 loading two weight rows a channel from storage cost about a third of the pass). Both
// mirrors are rgba32float: a patch row's 6 values and a weight row's 9 come from the 3 vec4s
// that hold them, picked out by their offset (at_offset), instead of one r32float gather each.
// Bindings: 0 params (uniform), 1 x and 2 weight (rgba32float, values 4q..4q+3 at texel
// (q mod 1024, q div 1024)), 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var x: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

// Six values of a row of the input from offset j on (j may be negative or past the row where the
// patch sticks out of the image: those values are masked by the caller), from the vec4s that
// hold them: j's vec4 and the next one or two (at BR = 1 the patch needs only four values).
struct Row6 {
    v0: f32, v1: f32, v2: f32, v3: f32, v4: f32, v5: f32,
}

fn x_row(j: i32) -> Row6 {
    let q = u32(j >> 2u); // floor(j / 4), as a u32: a vec4 before the first is out of the mirror
    let r = u32(j & 3);
    let u = vec4_at(x, q);
    let v = vec4_at(x, q + 1u);
    let w = select(vec4<f32>(0.0), vec4_at(x, q + 2u), BR > 1u);
    return Row6(at_offset(u.x, u.y, u.z, u.w, r), at_offset(u.y, u.z, u.w, v.x, r), at_offset(u.z, u.w, v.x, v.y, r),
                at_offset(u.w, v.x, v.y, v.z, r), at_offset(v.x, v.y, v.z, v.w, r), at_offset(v.y, v.z, v.w, w.x, r));
}

// One input channel's patch (cp: the channel's offset): each row's values as vec4s (three or
// two fetches a row instead of six or four gathers), values outside the image 0.
fn load_patch(cp: u32) -> Patch46 {
    let r0 = x_row(s0 + i32(cp));
    let r1 = x_row(s1 + i32(cp));
    let r2 = x_row(s2 + i32(cp));
    let r3 = x_row(s3 + i32(cp));
    var x: Patch46;
    x.x00 = select(0.0, r0.v0, k00); x.x01 = select(0.0, r0.v1, k01); x.x02 = select(0.0, r0.v2, k02); x.x03 = select(0.0, r0.v3, k03); x.x04 = select(0.0, r0.v4, k04); x.x05 = select(0.0, r0.v5, k05);
    x.x10 = select(0.0, r1.v0, k10); x.x11 = select(0.0, r1.v1, k11); x.x12 = select(0.0, r1.v2, k12); x.x13 = select(0.0, r1.v3, k13); x.x14 = select(0.0, r1.v4, k14); x.x15 = select(0.0, r1.v5, k15);
    x.x20 = select(0.0, r2.v0, k20); x.x21 = select(0.0, r2.v1, k21); x.x22 = select(0.0, r2.v2, k22); x.x23 = select(0.0, r2.v3, k23); x.x24 = select(0.0, r2.v4, k24); x.x25 = select(0.0, r2.v5, k25);
    x.x30 = select(0.0, r3.v0, k30); x.x31 = select(0.0, r3.v1, k31); x.x32 = select(0.0, r3.v2, k32); x.x33 = select(0.0, r3.v3, k33); x.x34 = select(0.0, r3.v4, k34); x.x35 = select(0.0, r3.v5, k35);
    return x;
}

// Weight values 4q..4q+3, one fetch from the weights' rgba32float mirror (vec4_at:
// shaders/common/texels_vec4.wgsl). taps(at) in shaders/common/conv_forward_pool.wgsl picks a
// row's 9 taps out of the three vec4s that hold them: with AVX2 at batch 32, three fetches and 27
// selects a row took the three forwards 56.3–63.6 ms against 63.3–70.6 with nine fetches from an
// r32float mirror (alternating runs).
fn weight_vec4(q: u32) -> vec4<f32> {
    return vec4_at(weight, q);
}
