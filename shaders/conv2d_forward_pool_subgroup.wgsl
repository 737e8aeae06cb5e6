// conv2d_forward_pool_subgroup: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) reading its input from the storage buffer: each of the 16–24 patch values an input
// channel needs is one storage load.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var<storage, read> x: array<f32>;

fn load_x(i: u32) -> f32 {
    return x[i];
}

// The weights as vec4s: a (co, ci) row's 9 taps start anywhere in a vec4 but always lie within
// three (9 floats from offset r ≤ 3 end by 11), so a lane loads them with 3 loads instead of 9
// and picks each tap out by its offset; needs C_out·C_in·9 a multiple of 4 (the launcher fuses
// only then), so that the last row's third vec4 is in the buffer.
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;

// The value at offset r (0–3) of a, b, c, d.
fn at_offset(a: f32, b: f32, c: f32, d: f32, r: u32) -> f32 {
    return select(select(select(a, b, r == 1u), c, r == 2u), d, r == 3u);
}

// The taps of the row starting at float `at`.
fn taps(at: u32) -> Taps {
    let q = at / 4u;
    let r = at % 4u;
    let u = weight[q];
    let v = weight[q + 1u];
    let w = weight[q + 2u];
    return Taps(at_offset(u.x, u.y, u.z, u.w, r), at_offset(u.y, u.z, u.w, v.x, r), at_offset(u.z, u.w, v.x, v.y, r),
                at_offset(u.w, v.x, v.y, v.z, r), at_offset(v.x, v.y, v.z, v.w, r), at_offset(v.y, v.z, v.w, w.x, r),
                at_offset(v.z, v.w, w.x, w.y, r), at_offset(v.w, w.x, w.y, w.z, r), at_offset(w.x, w.y, w.z, w.w, r));
}
