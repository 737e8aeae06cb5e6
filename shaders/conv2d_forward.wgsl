// conv2d_forward: y = conv(x, weight) + bias, then ReLU when params.relu != 0.
//   y[n, co, oy, ox] = bias[co] + Σ_{ci, ky, kx} x[n, ci, oy·s + ky − p, ox·s + kx − p] · weight[co, ci, ky, kx]
//   (taps that fall in the zero padding contribute nothing)
// Layouts, row-major: x [N, C_in, H, W], weight [C_out, C_in, KH, KW], bias [C_out], y [N, C_out, OH, OW].
// An implicit GEMM: rows m = (n, oy, ox), columns co, reduction over (ky, kx, ci), nothing unfolded in memory.
// One invocation computes a BR-pixel × BC-channel block of y (8 × 8: per k 8 values of x and 8 of
// weight, 64 multiply-adds into 16 vec4 accumulators of 4 pixels each). BR and BC (each 4 or 8)
// are the shape's constants, joined in front by the catalogue; the parts a smaller block does not
// use sit behind `if` on them, which the compiler removes (see linear_forward.wgsl). Register blocking is
// what makes this fast on every adapter (on lavapipe, 1 output per invocation is 20–40× slower).
// Where a tap lands (and whether it falls in the padding) depends only on the pixel and the tap,
// so it is worked out once per tap, outside the loop over input channels.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;

// Params, bindings 0, 3, 4 and tap(): shaders/common/conv_forward.wgsl, joined in front by the catalogue.

// Writes one output channel of the block: BR pixels starting at row m0.
fn store(co: u32, m0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    let rows = p.batch * p.out_h * p.out_w;
    let plane = p.out_h * p.out_w;
    if co >= p.c_out { return; }
    for (var j = 0u; j < BR; j++) {
        let m = m0 + j;
        if m >= rows { return; }
        var v = bias[co];
        if j < 4u { v += lo[j]; } else { v += hi[j - 4u]; }
        if p.relu != 0u { v = max(v, 0.0); }
        y[((m / plane) * p.c_out + co) * plane + m % plane] = v;
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let rows = p.batch * p.out_h * p.out_w;
    let tiles_m = (rows + BR - 1u) / BR;
    let tiles_n = (p.c_out + BC - 1u) / BC;
    if inv >= tiles_m * tiles_n { return; }
    // Neighbouring invocations take neighbouring pixels of the same channels.
    let m0 = (inv % tiles_m) * BR;
    let co0 = (inv / tiles_m) * BC;
    let plane = p.out_h * p.out_w;
    let chw = p.c_in * p.h * p.w;
    let k_len = p.c_in * p.kh * p.kw;

    // Where each of the 8 pixels reads: its image's offset and the top-left tap.
    var xb: array<u32, 8>;
    var iy0: array<i32, 8>;
    var ix0: array<i32, 8>;
    var wr: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {
        let m = min(m0 + min(j, BR - 1u), rows - 1u);
        let r = m % plane;
        xb[j] = (m / plane) * chw;
        iy0[j] = i32((r / p.out_w) * p.stride) - i32(p.pad);
        ix0[j] = i32((r % p.out_w) * p.stride) - i32(p.pad);
        wr[j] = min(co0 + min(j, BC - 1u), p.c_out - 1u) * k_len;
    }

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    let hw = p.h * p.w;
    for (var ky = 0u; ky < p.kh; ky++) {
        let dy = i32(ky);
        for (var kx = 0u; kx < p.kw; kx++) {
            let dx = i32(kx);
            let t0 = tap(xb[0], iy0[0] + dy, ix0[0] + dx); let t1 = tap(xb[1], iy0[1] + dy, ix0[1] + dx);
            let t2 = tap(xb[2], iy0[2] + dy, ix0[2] + dx); let t3 = tap(xb[3], iy0[3] + dy, ix0[3] + dx);
            let t4 = tap(xb[4], iy0[4] + dy, ix0[4] + dx); let t5 = tap(xb[5], iy0[5] + dy, ix0[5] + dx);
            let t6 = tap(xb[6], iy0[6] + dy, ix0[6] + dx); let t7 = tap(xb[7], iy0[7] + dy, ix0[7] + dx);
            let mask_lo = vec4<f32>(t0.hit, t1.hit, t2.hit, t3.hit);
            let mask_hi = vec4<f32>(t4.hit, t5.hit, t6.hit, t7.hit);
            let tk = ky * p.kw + kx;
            let taps = p.kh * p.kw;
            for (var ci = 0u; ci < p.c_in; ci++) {
                let cp = ci * hw;
                let k = ci * taps + tk;
                let lo = vec4<f32>(x[t0.at + cp], x[t1.at + cp], x[t2.at + cp], x[t3.at + cp]) * mask_lo;
                let w0 = weight[wr[0] + k]; let w1 = weight[wr[1] + k];
                let w2 = weight[wr[2] + k]; let w3 = weight[wr[3] + k];
                c0l += lo * w0; c1l += lo * w1; c2l += lo * w2; c3l += lo * w3;
                if BR > 4u {
                    let hi = vec4<f32>(x[t4.at + cp], x[t5.at + cp], x[t6.at + cp], x[t7.at + cp]) * mask_hi;
                    c0h += hi * w0; c1h += hi * w1; c2h += hi * w2; c3h += hi * w3;
                    if BC > 4u {
                        let w4 = weight[wr[4] + k]; let w5 = weight[wr[5] + k];
                        let w6 = weight[wr[6] + k]; let w7 = weight[wr[7] + k];
                        c4l += lo * w4; c4h += hi * w4; c5l += lo * w5; c5h += hi * w5;
                        c6l += lo * w6; c6h += hi * w6; c7l += lo * w7; c7h += hi * w7;
                    }
                } else if BC > 4u {
                    let w4 = weight[wr[4] + k]; let w5 = weight[wr[5] + k];
                    let w6 = weight[wr[6] + k]; let w7 = weight[wr[7] + k];
                    c4l += lo * w4; c5l += lo * w5; c6l += lo * w6; c7l += lo * w7;
                }
            }
        }
    }

    store(co0 + 0u, m0, c0l, c0h); store(co0 + 1u, m0, c1l, c1h);
    store(co0 + 2u, m0, c2l, c2h); store(co0 + 3u, m0, c3l, c3h);
    if BC > 4u {
        store(co0 + 4u, m0, c4l, c4h); store(co0 + 5u, m0, c5l, c5h);
        store(co0 + 6u, m0, c6l, c6h); store(co0 + 7u, m0, c7l, c7h);
    }
}
