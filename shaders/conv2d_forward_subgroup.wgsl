// conv2d_forward_subgroup: conv2d_forward.wgsl's sums, with the weights shared through the
// subgroup instead of loaded by every invocation.
//   y[n, co, oy, ox] = bias[co] + Σ_{ci, ky, kx} x[n, ci, oy·s + ky − p, ox·s + kx − p] · weight[co, ci, ky, kx]
//   (taps that fall in the zero padding contribute nothing)
// Layouts, row-major: x [N, C_in, H, W], weight [C_out, C_in, KH, KW], bias [C_out], y [N, C_out, OH, OW].
// An implicit GEMM: rows m = (n, oy, ox), columns co, reduction over (ky, kx, ci).
// One invocation computes a 4-pixel × 16-channel block of y into 16 vec4 accumulators. Every
// invocation of a workgroup takes the same 16 channels (a workgroup covers WG consecutive 4-pixel
// blocks, WG the catalogue's workgroup size or the tuner's; the last may run past the pixels, its
// invocations compute a clamped copy and store nothing), so per k lane j < 8 of each subgroup loads the weights of channels j and 8 + j
// and subgroupBroadcast hands them to the other lanes: 4 loads of x and 2 of weight per 64
// multiply-adds, against 8 + 8 in conv2d_forward.wgsl. On lavapipe a storage load costs ~20
// instructions per lane and a broadcast one register permute (shared/notes/lavapipe-kernels.md).
// Needs subgroups of at least 8 lanes; no early return before the last broadcast (subgroup
// operations want uniform control flow).
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;

// Params, bindings 0, 3, 4 and tap(): shaders/common/conv_forward.wgsl, joined in front by the catalogue.

// Writes one output channel of the block: 4 pixels starting at row m0.
fn store(co: u32, m0: u32, acc: vec4<f32>) {
    let rows = p.batch * p.out_h * p.out_w;
    let plane = p.out_h * p.out_w;
    if co >= p.c_out { return; }
    for (var j = 0u; j < 4u; j++) {
        let m = m0 + j;
        if m >= rows { return; }
        var v = bias[co] + acc[j];
        if p.relu != 0u { v = max(v, 0.0); }
        y[((m / plane) * p.c_out + co) * plane + m % plane] = v;
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let rows = p.batch * p.out_h * p.out_w;
    let groups_m = ((rows + 3u) / 4u + WG - 1u) / WG;
    let tiles_n = (p.c_out + 15u) / 16u;
    if group >= groups_m * tiles_n { return; } // the whole workgroup: uniform
    let m0 = ((group % groups_m) * WG + lid) * 4u;
    let co0 = (group / groups_m) * 16u;
    let plane = p.out_h * p.out_w;
    let chw = p.c_in * p.h * p.w;
    let k_len = p.c_in * p.kh * p.kw;

    // Where each of the 4 pixels reads: its image's offset and the top-left tap.
    var xb: array<u32, 4>;
    var iy0: array<i32, 4>;
    var ix0: array<i32, 4>;
    for (var j = 0u; j < 4u; j++) {
        let m = min(m0 + j, rows - 1u);
        let r = m % plane;
        xb[j] = (m / plane) * chw;
        iy0[j] = i32((r / p.out_w) * p.stride) - i32(p.pad);
        ix0[j] = i32((r % p.out_w) * p.stride) - i32(p.pad);
    }
    // The two weight rows this lane loads for its whole subgroup.
    let w_a = min(co0 + (lane & 7u), p.c_out - 1u) * k_len;
    let w_b = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * k_len;

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    let hw = p.h * p.w;
    let taps = p.kh * p.kw;
    for (var ky = 0u; ky < p.kh; ky++) {
        let dy = i32(ky);
        for (var kx = 0u; kx < p.kw; kx++) {
            let dx = i32(kx);
            let t0 = tap(xb[0], iy0[0] + dy, ix0[0] + dx); let t1 = tap(xb[1], iy0[1] + dy, ix0[1] + dx);
            let t2 = tap(xb[2], iy0[2] + dy, ix0[2] + dx); let t3 = tap(xb[3], iy0[3] + dy, ix0[3] + dx);
            let mask = vec4<f32>(t0.hit, t1.hit, t2.hit, t3.hit);
            let tk = ky * p.kw + kx;
            for (var ci = 0u; ci < p.c_in; ci++) {
                let cp = ci * hw;
                let k = ci * taps + tk;
                let xv = vec4<f32>(x[t0.at + cp], x[t1.at + cp], x[t2.at + cp], x[t3.at + cp]) * mask;
                let wa = weight[w_a + k];
                let wb = weight[w_b + k];
                c0 += xv * subgroupBroadcast(wa, 0u); c1 += xv * subgroupBroadcast(wa, 1u);
                c2 += xv * subgroupBroadcast(wa, 2u); c3 += xv * subgroupBroadcast(wa, 3u);
                c4 += xv * subgroupBroadcast(wa, 4u); c5 += xv * subgroupBroadcast(wa, 5u);
                c6 += xv * subgroupBroadcast(wa, 6u); c7 += xv * subgroupBroadcast(wa, 7u);
                c8 += xv * subgroupBroadcast(wb, 0u); c9 += xv * subgroupBroadcast(wb, 1u);
                c10 += xv * subgroupBroadcast(wb, 2u); c11 += xv * subgroupBroadcast(wb, 3u);
                c12 += xv * subgroupBroadcast(wb, 4u); c13 += xv * subgroupBroadcast(wb, 5u);
                c14 += xv * subgroupBroadcast(wb, 6u); c15 += xv * subgroupBroadcast(wb, 7u);
            }
        }
    }

    store(co0 + 0u, m0, c0); store(co0 + 1u, m0, c1); store(co0 + 2u, m0, c2); store(co0 + 3u, m0, c3);
    store(co0 + 4u, m0, c4); store(co0 + 5u, m0, c5); store(co0 + 6u, m0, c6); store(co0 + 7u, m0, c7);
    store(co0 + 8u, m0, c8); store(co0 + 9u, m0, c9); store(co0 + 10u, m0, c10); store(co0 + 11u, m0, c11);
    store(co0 + 12u, m0, c12); store(co0 + 13u, m0, c13); store(co0 + 14u, m0, c14); store(co0 + 15u, m0, c15);
}
