// conv2d_backward_input_subgroup: conv2d_backward_input.wgsl's sums, with the weights shared
// through the subgroup instead of loaded by every invocation.
//   dx[n, ci, iy, ix] = Σ_{ky, kx, co} dy[n, co, oy, ox] · weight[co, ci, ky, kx]
//   over the taps with oy·s = iy + p − ky and ox·s = ix + p − kx inside the output.
//   With params.accumulate != 0 the result is added to dx instead of replacing it.
// Layouts, row-major: dy [N, C_out, OH, OW], weight [C_out, C_in, KH, KW], dx [N, C_in, H, W].
// An implicit GEMM: rows m = (n, iy, ix), columns ci, reduction k = (ky, kx, co).
// One invocation computes a 4-pixel × 16-channel block of dx into 16 vec4 accumulators; a
// workgroup's invocations share the 16 channels (see conv2d_forward_subgroup.wgsl), so per k
// lane j < 8 loads the weights of channels j and 8 + j for its subgroup: 4 loads of dy and 2 of
// weight per 64 multiply-adds. Needs subgroups of at least 8 lanes; no early return before the
// last broadcast.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// Params, bindings 0, 2, 3 and, from common/conv_dy_weight_storage.wgsl, 1 and tap(): shaders/common/conv_backward_input.wgsl, joined in front by the catalogue.

// Writes channel ci of the block: pixel j goes to first[j] + ci · H · W, where first[j] (its
// channel-0 offset, computed once per invocation: lavapipe divides lane by lane) is past the
// end of dx for a pixel beyond the last row.
fn store(ci: u32, first: vec4<u32>, acc: vec4<f32>) {
    if ci >= p.c_in { return; }
    let end = p.batch * p.c_in * p.h * p.w;
    for (var j = 0u; j < 4u; j++) {
        if first[j] >= end { return; }
        let idx = first[j] + ci * p.h * p.w;
        var v = acc[j];
        if p.accumulate != 0u { v += dx[idx]; }
        dx[idx] = v;
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let rows = p.batch * p.h * p.w;
    let groups_m = ((rows + 3u) / 4u + WG - 1u) / WG;
    let tiles_n = (p.c_in + 15u) / 16u;
    if group >= groups_m * tiles_n { return; } // the whole workgroup: uniform
    let m0 = ((group % groups_m) * WG + lid) * 4u;
    let ci0 = (group / groups_m) * 16u;
    let plane = p.h * p.w;
    let out_plane = p.out_h * p.out_w;
    let taps = p.kh * p.kw;
    let w_co = p.c_in * taps; // weight stride between output channels

    var db: array<u32, 4>;
    var ty0: array<i32, 4>;
    var tx0: array<i32, 4>;
    var first: vec4<u32>;
    for (var j = 0u; j < 4u; j++) {
        let m = min(m0 + j, rows - 1u);
        let r = m % plane;
        db[j] = (m / plane) * p.c_out * out_plane;
        first[j] = select((m / plane) * p.c_in * plane + r, p.batch * p.c_in * plane, m0 + j >= rows);
        ty0[j] = i32(r / p.w + p.pad);
        tx0[j] = i32(r % p.w + p.pad);
    }
    // The two weight rows (input channels) this lane loads for its whole subgroup.
    let w_a = min(ci0 + (lane & 7u), p.c_in - 1u) * taps;
    let w_b = min(ci0 + 8u + (lane & 7u), p.c_in - 1u) * taps;

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    for (var ky = 0u; ky < p.kh; ky++) {
        let ey = i32(ky);
        for (var kx = 0u; kx < p.kw; kx++) {
            let ex = i32(kx);
            let t0 = tap(db[0], ty0[0] - ey, tx0[0] - ex); let t1 = tap(db[1], ty0[1] - ey, tx0[1] - ex);
            let t2 = tap(db[2], ty0[2] - ey, tx0[2] - ex); let t3 = tap(db[3], ty0[3] - ey, tx0[3] - ex);
            let a0 = t0.at; let a1 = t1.at; let a2 = t2.at; let a3 = t3.at;
            let mask = vec4<f32>(t0.hit, t1.hit, t2.hit, t3.hit);
            let tw = ky * p.kw + kx;
            for (var co = 0u; co < p.c_out; co++) {
                let o = co * out_plane;
                let g = vec4<f32>(dy[a0 + o], dy[a1 + o], dy[a2 + o], dy[a3 + o]) * mask;
                let t = co * w_co + tw;
                let wa = weight[w_a + t];
                let wb = weight[w_b + t];
                c0 += g * subgroupBroadcast(wa, 0u); c1 += g * subgroupBroadcast(wa, 1u);
                c2 += g * subgroupBroadcast(wa, 2u); c3 += g * subgroupBroadcast(wa, 3u);
                c4 += g * subgroupBroadcast(wa, 4u); c5 += g * subgroupBroadcast(wa, 5u);
                c6 += g * subgroupBroadcast(wa, 6u); c7 += g * subgroupBroadcast(wa, 7u);
                c8 += g * subgroupBroadcast(wb, 0u); c9 += g * subgroupBroadcast(wb, 1u);
                c10 += g * subgroupBroadcast(wb, 2u); c11 += g * subgroupBroadcast(wb, 3u);
                c12 += g * subgroupBroadcast(wb, 4u); c13 += g * subgroupBroadcast(wb, 5u);
                c14 += g * subgroupBroadcast(wb, 6u); c15 += g * subgroupBroadcast(wb, 7u);
            }
        }
    }

    store(ci0 + 0u, first, c0); store(ci0 + 1u, first, c1); store(ci0 + 2u, first, c2); store(ci0 + 3u, first, c3);
    store(ci0 + 4u, first, c4); store(ci0 + 5u, first, c5); store(ci0 + 6u, first, c6); store(ci0 + 7u, first, c7);
    store(ci0 + 8u, first, c8); store(ci0 + 9u, first, c9); store(ci0 + 10u, first, c10); store(ci0 + 11u, first, c11);
    store(ci0 + 12u, first, c12); store(ci0 + 13u, first, c13); store(ci0 + 14u, first, c14); store(ci0 + 15u, first, c15);
}
