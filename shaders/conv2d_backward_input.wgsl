// conv2d_backward_input: the gradient of conv2d's input.
//   dx[n, ci, iy, ix] = Σ_{ky, kx, co} dy[n, co, oy, ox] · weight[co, ci, ky, kx]
//   over the taps with oy·s = iy + p − ky and ox·s = ix + p − kx inside the output.
//   With params.accumulate != 0 the result is added to dx instead of replacing it.
// Layouts, row-major: dy [N, C_out, OH, OW], weight [C_out, C_in, KH, KW], dx [N, C_in, H, W].
// An implicit GEMM: rows m = (n, iy, ix), columns ci, reduction k = (ky, kx, co).
// One invocation computes an 8-pixel × 8-channel block of dx. Which output pixel a tap reaches
// (a division by the stride and a bounds test) depends only on the pixel and the tap, so it is
// worked out once per tap, outside the loop over output channels: the inner loop is 8 + 8 loads
// and 64 multiply-adds with no integer division (divisions are scalar and slow on CPU adapters).
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// Params, bindings 0, 2, 3 and, from common/conv_dy_weight_storage.wgsl, 1 and tap(): shaders/common/conv_backward_input.wgsl, joined in front by the catalogue.

fn store(ci: u32, m0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    let rows = p.batch * p.h * p.w;
    let plane = p.h * p.w;
    if ci >= p.c_in { return; }
    for (var j = 0u; j < 8u; j++) {
        let m = m0 + j;
        if m >= rows { return; }
        var v: f32;
        if j < 4u { v = lo[j]; } else { v = hi[j - 4u]; }
        let idx = ((m / plane) * p.c_in + ci) * plane + m % plane;
        if p.accumulate != 0u { v += dx[idx]; }
        dx[idx] = v;
    }
}
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let rows = p.batch * p.h * p.w;
    let tiles_m = (rows + 7u) / 8u;
    let tiles_n = (p.c_in + 7u) / 8u;
    if inv >= tiles_m * tiles_n { return; }
    let m0 = (inv % tiles_m) * 8u;
    let ci0 = (inv / tiles_m) * 8u;
    let plane = p.h * p.w;
    let out_plane = p.out_h * p.out_w;
    let taps = p.kh * p.kw;
    let w_co = p.c_in * taps; // weight stride between output channels

    var db: array<u32, 8>;
    var ty0: array<i32, 8>;
    var tx0: array<i32, 8>;
    var wr: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {
        let m = min(m0 + j, rows - 1u);
        let r = m % plane;
        db[j] = (m / plane) * p.c_out * out_plane;
        ty0[j] = i32(r / p.w + p.pad);
        tx0[j] = i32(r % p.w + p.pad);
        wr[j] = min(ci0 + j, p.c_in - 1u) * taps;
    }

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    for (var ky = 0u; ky < p.kh; ky++) {
        let ey = i32(ky);
        for (var kx = 0u; kx < p.kw; kx++) {
            let ex = i32(kx);
            let t0 = tap(db[0], ty0[0] - ey, tx0[0] - ex); let t1 = tap(db[1], ty0[1] - ey, tx0[1] - ex);
            let t2 = tap(db[2], ty0[2] - ey, tx0[2] - ex); let t3 = tap(db[3], ty0[3] - ey, tx0[3] - ex);
            let t4 = tap(db[4], ty0[4] - ey, tx0[4] - ex); let t5 = tap(db[5], ty0[5] - ey, tx0[5] - ex);
            let t6 = tap(db[6], ty0[6] - ey, tx0[6] - ex); let t7 = tap(db[7], ty0[7] - ey, tx0[7] - ex);
            let a0 = t0.at; let a1 = t1.at; let a2 = t2.at; let a3 = t3.at;
            let a4 = t4.at; let a5 = t5.at; let a6 = t6.at; let a7 = t7.at;
            let mask_lo = vec4<f32>(t0.hit, t1.hit, t2.hit, t3.hit);
            let mask_hi = vec4<f32>(t4.hit, t5.hit, t6.hit, t7.hit);
            let tw = ky * p.kw + kx;
            for (var co = 0u; co < p.c_out; co++) {
                let o = co * out_plane;
                let lo = vec4<f32>(dy[a0 + o], dy[a1 + o], dy[a2 + o], dy[a3 + o]) * mask_lo;
                let hi = vec4<f32>(dy[a4 + o], dy[a5 + o], dy[a6 + o], dy[a7 + o]) * mask_hi;
                let t = co * w_co + tw;
                let w0 = weight[wr[0] + t]; let w1 = weight[wr[1] + t];
                let w2 = weight[wr[2] + t]; let w3 = weight[wr[3] + t];
                let w4 = weight[wr[4] + t]; let w5 = weight[wr[5] + t];
                let w6 = weight[wr[6] + t]; let w7 = weight[wr[7] + t];
                c0l += lo * w0; c0h += hi * w0;
                c1l += lo * w1; c1h += hi * w1;
                c2l += lo * w2; c2h += hi * w2;
                c3l += lo * w3; c3h += hi * w3;
                c4l += lo * w4; c4h += hi * w4;
                c5l += lo * w5; c5h += hi * w5;
                c6l += lo * w6; c6h += hi * w6;
                c7l += lo * w7; c7h += hi * w7;
            }
        }
    }

    store(ci0 + 0u, m0, c0l, c0h); store(ci0 + 1u, m0, c1l, c1h);
    store(ci0 + 2u, m0, c2l, c2h); store(ci0 + 3u, m0, c3l, c3h);
    store(ci0 + 4u, m0, c4l, c4h); store(ci0 + 5u, m0, c5l, c5h);
    store(ci0 + 6u, m0, c6l, c6h); store(ci0 + 7u, m0, c7l, c7h);
}
