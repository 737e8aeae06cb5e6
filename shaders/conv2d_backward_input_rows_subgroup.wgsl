// conv2d_backward_input_rows_subgroup: conv2d_backward_input_subgroup.wgsl for a 3×3, stride-1
// convolution (any padding), with an invocation's BR pixels (4 or 8, the constant joined in
// front) side by side in one row of dx, so that the three taps of a kernel row read dy through
// one window of BR + 2 columns:
//   dx[n, ci, iy, ix] = Σ_{ky, kx, co} dy[n, co, iy + p − ky, ix + p − kx] · weight[co, ci, ky, kx]
//   over the taps inside the output. With params.accumulate != 0 the result is added to dx.
// Layouts, row-major: dy [N, C_out, OH, OW], weight [C_out, C_in, 3, 3], dx [N, C_in, H, W].
// One invocation computes pixels ix0..ix0+BR−1 of one row × 16 input channels into vec4
// accumulators (c: pixels 0–3, e: 4–7; a row's last block may reach past W: those pixels are
// computed, never stored). Per kernel row ky and output channel co it loads the BR + 2 dy values
// that pixel j reads through tap kx at window column j + 2 − kx, and lane j < 8 the 3 weights of
// channels j and 8 + j, which subgroupBroadcast hands to the other lanes: at BR = 4, 12 loads
// per 192 multiply-adds (18 when each tap loads its own values, as conv2d_backward_input_subgroup
// does for any shape), at BR = 8, 16 per 384. On lavapipe the loads are the cost; which BR is
// faster depends on the row width (a row of 22 pads to 24 in blocks of 8) and on the device, so
// the tuner measures both. Needs subgroups of at least 8 lanes; no early return before the last
// broadcast. The launcher runs it for the subgroup variant's 3×3 stride-1 passes.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// BR, BC (the block: BR pixels × 16 channels), params and bindings 0–3: joined in front by the
// catalogue (shaders/common/conv_backward_input.wgsl).

// Writes channel ci of the block: pixel j to first + ci · H · W + ix0 + j, where it lies inside
// the row (lo: pixels 0–3, hi: 4–7).
fn store(ci: u32, live: bool, first: u32, ix0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if ci >= p.c_in || !live { return; }
    let at = first + ci * p.h * p.w + ix0;
    for (var j = 0u; j < BR; j++) {
        if ix0 + j >= p.w { return; }
        var v = select(lo[j % 4u], hi[j % 4u], j >= 4u);
        if p.accumulate != 0u { v += dx[at + j]; }
        dx[at + j] = v;
    }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let blocks_w = (p.w + BR - 1u) / BR;
    let blocks = p.batch * p.h * blocks_w;
    let groups_m = (blocks + 63u) / 64u;
    let tiles_n = (p.c_in + 15u) / 16u;
    if group >= groups_m * tiles_n { return; } // the whole workgroup: uniform
    let b = (group % groups_m) * 64u + lid;
    let live = b < blocks;
    let bc = min(b, blocks - 1u);
    let ci0 = (group / groups_m) * 16u;
    // Block bc: image n, row iy, pixels ix0..ix0+BR−1.
    let row = bc / blocks_w;
    let ix0 = (bc - row * blocks_w) * BR;
    let n = row / p.h;
    let iy = row - n * p.h;
    let out_plane = p.out_h * p.out_w;
    let image = n * p.c_out * out_plane;

    // Window column c reads dy column ox0 + c, clamped inside the row; `in` says whether it was.
    let ox0 = i32(ix0 + p.pad) - 2;
    let last = i32(p.out_w) - 1;
    let x0 = u32(clamp(ox0 + 0, 0, last)); let in0 = ox0 + 0 >= 0 && ox0 + 0 <= last;
    let x1 = u32(clamp(ox0 + 1, 0, last)); let in1 = ox0 + 1 >= 0 && ox0 + 1 <= last;
    let x2 = u32(clamp(ox0 + 2, 0, last)); let in2 = ox0 + 2 >= 0 && ox0 + 2 <= last;
    let x3 = u32(clamp(ox0 + 3, 0, last)); let in3 = ox0 + 3 >= 0 && ox0 + 3 <= last;
    let x4 = u32(clamp(ox0 + 4, 0, last)); let in4 = ox0 + 4 >= 0 && ox0 + 4 <= last;
    let x5 = u32(clamp(ox0 + 5, 0, last)); let in5 = ox0 + 5 >= 0 && ox0 + 5 <= last;
    let x6 = u32(clamp(ox0 + 6, 0, last)); let in6 = ox0 + 6 >= 0 && ox0 + 6 <= last;
    let x7 = u32(clamp(ox0 + 7, 0, last)); let in7 = ox0 + 7 >= 0 && ox0 + 7 <= last;
    let x8 = u32(clamp(ox0 + 8, 0, last)); let in8 = ox0 + 8 >= 0 && ox0 + 8 <= last;
    let x9 = u32(clamp(ox0 + 9, 0, last)); let in9 = ox0 + 9 >= 0 && ox0 + 9 <= last;
    // The two weight rows (input channels) this lane loads for its whole subgroup.
    let w_a = min(ci0 + (lane & 7u), p.c_in - 1u) * 9u;
    let w_b = min(ci0 + 8u + (lane & 7u), p.c_in - 1u) * 9u;
    let w_co = p.c_in * 9u; // weight stride between output channels

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);
    var e0 = vec4<f32>(0.0); var e1 = vec4<f32>(0.0); var e2 = vec4<f32>(0.0); var e3 = vec4<f32>(0.0);
    var e4 = vec4<f32>(0.0); var e5 = vec4<f32>(0.0); var e6 = vec4<f32>(0.0); var e7 = vec4<f32>(0.0);
    var e8 = vec4<f32>(0.0); var e9 = vec4<f32>(0.0); var e10 = vec4<f32>(0.0); var e11 = vec4<f32>(0.0);
    var e12 = vec4<f32>(0.0); var e13 = vec4<f32>(0.0); var e14 = vec4<f32>(0.0); var e15 = vec4<f32>(0.0);

    for (var ky = 0u; ky < 3u; ky++) {
        let oy = i32(iy + p.pad) - i32(ky);
        let row_in = oy >= 0 && oy < i32(p.out_h);
        let r = image + u32(clamp(oy, 0, i32(p.out_h) - 1)) * p.out_w;
        // Where a window column is outside the output, its value is taken as 0.
        let h0 = select(0.0, 1.0, row_in && in0);
        let h1 = select(0.0, 1.0, row_in && in1);
        let h2 = select(0.0, 1.0, row_in && in2);
        let h3 = select(0.0, 1.0, row_in && in3);
        let h4 = select(0.0, 1.0, row_in && in4);
        let h5 = select(0.0, 1.0, row_in && in5);
        let h6 = select(0.0, 1.0, row_in && in6);
        let h7 = select(0.0, 1.0, row_in && in7);
        let h8 = select(0.0, 1.0, row_in && in8);
        let h9 = select(0.0, 1.0, row_in && in9);
        for (var co = 0u; co < p.c_out; co++) {
            let o = r + co * out_plane;
            let d0 = dy[o + x0] * h0;
            let d1 = dy[o + x1] * h1;
            let d2 = dy[o + x2] * h2;
            let d3 = dy[o + x3] * h3;
            let d4 = dy[o + x4] * h4;
            let d5 = dy[o + x5] * h5;
            var d6 = 0.0; var d7 = 0.0; var d8 = 0.0; var d9 = 0.0;
            if BR > 4u {
                d6 = dy[o + x6] * h6;
                d7 = dy[o + x7] * h7;
                d8 = dy[o + x8] * h8;
                d9 = dy[o + x9] * h9;
            }
            let t = co * w_co + ky * 3u;
            let wa0 = weight[w_a + t]; let wa1 = weight[w_a + t + 1u]; let wa2 = weight[w_a + t + 2u];
            let wb0 = weight[w_b + t]; let wb1 = weight[w_b + t + 1u]; let wb2 = weight[w_b + t + 2u];
            // tap kx = 0: pixel j reads window column j + 2
            {
                let lo = vec4<f32>(d2, d3, d4, d5);
                let a0 = subgroupBroadcast(wa0, 0u); c0 += lo * a0;
                let a1 = subgroupBroadcast(wa0, 1u); c1 += lo * a1;
                let a2 = subgroupBroadcast(wa0, 2u); c2 += lo * a2;
                let a3 = subgroupBroadcast(wa0, 3u); c3 += lo * a3;
                let a4 = subgroupBroadcast(wa0, 4u); c4 += lo * a4;
                let a5 = subgroupBroadcast(wa0, 5u); c5 += lo * a5;
                let a6 = subgroupBroadcast(wa0, 6u); c6 += lo * a6;
                let a7 = subgroupBroadcast(wa0, 7u); c7 += lo * a7;
                let b0 = subgroupBroadcast(wb0, 0u); c8 += lo * b0;
                let b1 = subgroupBroadcast(wb0, 1u); c9 += lo * b1;
                let b2 = subgroupBroadcast(wb0, 2u); c10 += lo * b2;
                let b3 = subgroupBroadcast(wb0, 3u); c11 += lo * b3;
                let b4 = subgroupBroadcast(wb0, 4u); c12 += lo * b4;
                let b5 = subgroupBroadcast(wb0, 5u); c13 += lo * b5;
                let b6 = subgroupBroadcast(wb0, 6u); c14 += lo * b6;
                let b7 = subgroupBroadcast(wb0, 7u); c15 += lo * b7;
                if BR > 4u {
                    let hi = vec4<f32>(d6, d7, d8, d9);
                    e0 += hi * a0; e1 += hi * a1; e2 += hi * a2; e3 += hi * a3;
                    e4 += hi * a4; e5 += hi * a5; e6 += hi * a6; e7 += hi * a7;
                    e8 += hi * b0; e9 += hi * b1; e10 += hi * b2; e11 += hi * b3;
                    e12 += hi * b4; e13 += hi * b5; e14 += hi * b6; e15 += hi * b7;
                }
            }
            // tap kx = 1: pixel j reads window column j + 1
            {
                let lo = vec4<f32>(d1, d2, d3, d4);
                let a0 = subgroupBroadcast(wa1, 0u); c0 += lo * a0;
                let a1 = subgroupBroadcast(wa1, 1u); c1 += lo * a1;
                let a2 = subgroupBroadcast(wa1, 2u); c2 += lo * a2;
                let a3 = subgroupBroadcast(wa1, 3u); c3 += lo * a3;
                let a4 = subgroupBroadcast(wa1, 4u); c4 += lo * a4;
                let a5 = subgroupBroadcast(wa1, 5u); c5 += lo * a5;
                let a6 = subgroupBroadcast(wa1, 6u); c6 += lo * a6;
                let a7 = subgroupBroadcast(wa1, 7u); c7 += lo * a7;
                let b0 = subgroupBroadcast(wb1, 0u); c8 += lo * b0;
                let b1 = subgroupBroadcast(wb1, 1u); c9 += lo * b1;
                let b2 = subgroupBroadcast(wb1, 2u); c10 += lo * b2;
                let b3 = subgroupBroadcast(wb1, 3u); c11 += lo * b3;
                let b4 = subgroupBroadcast(wb1, 4u); c12 += lo * b4;
                let b5 = subgroupBroadcast(wb1, 5u); c13 += lo * b5;
                let b6 = subgroupBroadcast(wb1, 6u); c14 += lo * b6;
                let b7 = subgroupBroadcast(wb1, 7u); c15 += lo * b7;
                if BR > 4u {
                    let hi = vec4<f32>(d5, d6, d7, d8);
                    e0 += hi * a0; e1 += hi * a1; e2 += hi * a2; e3 += hi * a3;
                    e4 += hi * a4; e5 += hi * a5; e6 += hi * a6; e7 += hi * a7;
                    e8 += hi * b0; e9 += hi * b1; e10 += hi * b2; e11 += hi * b3;
                    e12 += hi * b4; e13 += hi * b5; e14 += hi * b6; e15 += hi * b7;
                }
            }
            // tap kx = 2: pixel j reads window column j + 0
            {
                let lo = vec4<f32>(d0, d1, d2, d3);
                let a0 = subgroupBroadcast(wa2, 0u); c0 += lo * a0;
                let a1 = subgroupBroadcast(wa2, 1u); c1 += lo * a1;
                let a2 = subgroupBroadcast(wa2, 2u); c2 += lo * a2;
                let a3 = subgroupBroadcast(wa2, 3u); c3 += lo * a3;
                let a4 = subgroupBroadcast(wa2, 4u); c4 += lo * a4;
                let a5 = subgroupBroadcast(wa2, 5u); c5 += lo * a5;
                let a6 = subgroupBroadcast(wa2, 6u); c6 += lo * a6;
                let a7 = subgroupBroadcast(wa2, 7u); c7 += lo * a7;
                let b0 = subgroupBroadcast(wb2, 0u); c8 += lo * b0;
                let b1 = subgroupBroadcast(wb2, 1u); c9 += lo * b1;
                let b2 = subgroupBroadcast(wb2, 2u); c10 += lo * b2;
                let b3 = subgroupBroadcast(wb2, 3u); c11 += lo * b3;
                let b4 = subgroupBroadcast(wb2, 4u); c12 += lo * b4;
                let b5 = subgroupBroadcast(wb2, 5u); c13 += lo * b5;
                let b6 = subgroupBroadcast(wb2, 6u); c14 += lo * b6;
                let b7 = subgroupBroadcast(wb2, 7u); c15 += lo * b7;
                if BR > 4u {
                    let hi = vec4<f32>(d4, d5, d6, d7);
                    e0 += hi * a0; e1 += hi * a1; e2 += hi * a2; e3 += hi * a3;
                    e4 += hi * a4; e5 += hi * a5; e6 += hi * a6; e7 += hi * a7;
                    e8 += hi * b0; e9 += hi * b1; e10 += hi * b2; e11 += hi * b3;
                    e12 += hi * b4; e13 += hi * b5; e14 += hi * b6; e15 += hi * b7;
                }
            }
        }
    }

    let first = (n * p.c_in * p.h + iy) * p.w;
    store(ci0 + 0u, live, first, ix0, c0, e0);
    store(ci0 + 1u, live, first, ix0, c1, e1);
    store(ci0 + 2u, live, first, ix0, c2, e2);
    store(ci0 + 3u, live, first, ix0, c3, e3);
    store(ci0 + 4u, live, first, ix0, c4, e4);
    store(ci0 + 5u, live, first, ix0, c5, e5);
    store(ci0 + 6u, live, first, ix0, c6, e6);
    store(ci0 + 7u, live, first, ix0, c7, e7);
    store(ci0 + 8u, live, first, ix0, c8, e8);
    store(ci0 + 9u, live, first, ix0, c9, e9);
    store(ci0 + 10u, live, first, ix0, c10, e10);
    store(ci0 + 11u, live, first, ix0, c11, e11);
    store(ci0 + 12u, live, first, ix0, c12, e12);
    store(ci0 + 13u, live, first, ix0, c13, e13);
    store(ci0 + 14u, live, first, ix0, c14, e14);
    store(ci0 + 15u, live, first, ix0, c15, e15);
}
