// The rows kernel of the conv weight gradient, shared by conv2d_backward_weight_rows_subgroup.wgsl
// (x and dy from their storage buffers) and conv2d_backward_weight_rows_texels.wgsl (both from texel
// mirrors): the catalogue joins the reader (common/conv_x_dy_storage.wgsl, or the texel kernel's own) in front.
// What it computes: conv2d_backward_weight_subgroup.wgsl's partial sums for
// a 3×3, stride-1 convolution (any padding), walking the chunk's pixels row by row so that each
// kernel row reads x through a sliding window:
//   partial(co, k, s) = Σ_{m in chunk s} dy[n, co, oy, ox] · x[n, ci, oy + ky − p, ox + kx − p]
//   for k = (ci, ky, kx) < K, and partial(co, K, s) = Σ_{m in chunk s} dy[n, co, oy, ox] (the
//   bias gradient). conv2d_reduce_weight(s).wgsl sums over s.
// Layouts, row-major: x [N, C_in, H, W], dy [N, C_out, OH, OW], partial in blocks of 16 values (common/conv_backward_weight.wgsl, partial_at).
// One invocation computes 16 output channels × the 9 taps of one input channel ci (and, for
// ci = 0, the bias column) for one chunk, into 36 vec4 accumulators along the channels. A
// workgroup is WG invocations (8 unless the tuner picks another: one subgroup on lavapipe) on the same chunk and 16 channels, each
// on its own input channel. Per pixel a lane loads one new x value per kernel row (the window's
// other two columns are the previous pixel's) and dy of channels j and 8 + j, which
// subgroupBroadcast hands to the others: 5 loads per 144 multiply-adds, against 6 per 64 in
// conv2d_backward_weight_subgroup.wgsl (on lavapipe the loads are the cost). Eight input
// channels fill a subgroup, so the launcher runs it where C_in ≥ 8. Needs subgroups of at least 8
// lanes; no early return before the last broadcast.
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 partial.

// Params, bindings 0, 3 (shaders/common/conv_backward_weight.wgsl) and bindings 1, 2 with load_x()
// and load_dy() (the reader): joined in front by the catalogue.

// Writes column k (tap k of the block's input channel) of the block's 16 channels: q0 holds
// channels co0..co0+3, q1 the next four, and so on.
fn store_tap(s: u32, co0: u32, k: u32, live: bool, q0: vec4<f32>, q1: vec4<f32>, q2: vec4<f32>, q3: vec4<f32>) {
    if !live { return; }
    let cols = p.c_in * 9u + 1u;
    for (var j = 0u; j < 16u; j++) {
        let co = co0 + j;
        if co >= p.c_out { return; }
        let q = select(select(q0, q1, j >= 4u), select(q2, q3, j >= 12u), j >= 8u);
        partial[partial_at(s, co, k, cols)] = q[j % 4u];
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let groups_ci = (p.c_in + WG - 1u) / WG;
    let tiles_c = (p.c_out + 15u) / 16u;
    let per_split = groups_ci * tiles_c;
    if group >= per_split * p.splits { return; } // the whole workgroup: uniform
    let s = group / per_split;
    let t = group % per_split;
    let co0 = (t / groups_ci) * 16u;
    let ci = (t % groups_ci) * WG + lid;
    let live = ci < p.c_in;
    let cic = min(ci, p.c_in - 1u);
    let out_plane = p.out_h * p.out_w;
    let rows = p.batch * out_plane;
    let m_begin = min(rows, s * p.chunk);
    let m_end = min(rows, m_begin + p.chunk);
    // The two dy channels this lane loads for its subgroup.
    let da = min(co0 + (lane & 7u), p.c_out - 1u) * out_plane;
    let db = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * out_plane;

    var t000 = vec4<f32>(0.0); var t001 = vec4<f32>(0.0); var t002 = vec4<f32>(0.0); var t003 = vec4<f32>(0.0);
    var t010 = vec4<f32>(0.0); var t011 = vec4<f32>(0.0); var t012 = vec4<f32>(0.0); var t013 = vec4<f32>(0.0);
    var t020 = vec4<f32>(0.0); var t021 = vec4<f32>(0.0); var t022 = vec4<f32>(0.0); var t023 = vec4<f32>(0.0);
    var t100 = vec4<f32>(0.0); var t101 = vec4<f32>(0.0); var t102 = vec4<f32>(0.0); var t103 = vec4<f32>(0.0);
    var t110 = vec4<f32>(0.0); var t111 = vec4<f32>(0.0); var t112 = vec4<f32>(0.0); var t113 = vec4<f32>(0.0);
    var t120 = vec4<f32>(0.0); var t121 = vec4<f32>(0.0); var t122 = vec4<f32>(0.0); var t123 = vec4<f32>(0.0);
    var t200 = vec4<f32>(0.0); var t201 = vec4<f32>(0.0); var t202 = vec4<f32>(0.0); var t203 = vec4<f32>(0.0);
    var t210 = vec4<f32>(0.0); var t211 = vec4<f32>(0.0); var t212 = vec4<f32>(0.0); var t213 = vec4<f32>(0.0);
    var t220 = vec4<f32>(0.0); var t221 = vec4<f32>(0.0); var t222 = vec4<f32>(0.0); var t223 = vec4<f32>(0.0);
    var bias0 = vec4<f32>(0.0); var bias1 = vec4<f32>(0.0); var bias2 = vec4<f32>(0.0); var bias3 = vec4<f32>(0.0);

    // Pixel m = (n, oy, ox), stepped along; the chunk is walked one row segment at a time.
    var n = m_begin / out_plane;
    var oy = (m_begin % out_plane) / p.out_w;
    var ox = m_begin % p.out_w;
    var m = m_begin;
    while m < m_end {
        let seg = min(p.out_w - ox, m_end - m);
        let xb = (n * p.c_in + cic) * p.h * p.w;
        let iy = i32(oy) - i32(p.pad);
        let ix = i32(ox) - i32(p.pad);
        // Columns 0 and 1 of the window of each kernel row; column 2 is loaded per pixel.
        var r0a = load_x(xb, iy, ix); var r0b = load_x(xb, iy, ix + 1);
        var r1a = load_x(xb, iy + 1, ix); var r1b = load_x(xb, iy + 1, ix + 1);
        var r2a = load_x(xb, iy + 2, ix); var r2b = load_x(xb, iy + 2, ix + 1);
        let dyb = n * p.c_out * out_plane + oy * p.out_w + ox;
        for (var j = 0u; j < seg; j++) {
            let r0c = load_x(xb, iy, ix + i32(j) + 2);
            let r1c = load_x(xb, iy + 1, ix + i32(j) + 2);
            let r2c = load_x(xb, iy + 2, ix + i32(j) + 2);
            let ga = load_dy(dyb + j + da);
            let gb = load_dy(dyb + j + db);
            let g0 = vec4<f32>(subgroupBroadcast(ga, 0u), subgroupBroadcast(ga, 1u), subgroupBroadcast(ga, 2u), subgroupBroadcast(ga, 3u));
            let g1 = vec4<f32>(subgroupBroadcast(ga, 4u), subgroupBroadcast(ga, 5u), subgroupBroadcast(ga, 6u), subgroupBroadcast(ga, 7u));
            let g2 = vec4<f32>(subgroupBroadcast(gb, 0u), subgroupBroadcast(gb, 1u), subgroupBroadcast(gb, 2u), subgroupBroadcast(gb, 3u));
            let g3 = vec4<f32>(subgroupBroadcast(gb, 4u), subgroupBroadcast(gb, 5u), subgroupBroadcast(gb, 6u), subgroupBroadcast(gb, 7u));
            t000 += r0a * g0; t001 += r0a * g1; t002 += r0a * g2; t003 += r0a * g3;
            t010 += r0b * g0; t011 += r0b * g1; t012 += r0b * g2; t013 += r0b * g3;
            t020 += r0c * g0; t021 += r0c * g1; t022 += r0c * g2; t023 += r0c * g3;
            t100 += r1a * g0; t101 += r1a * g1; t102 += r1a * g2; t103 += r1a * g3;
            t110 += r1b * g0; t111 += r1b * g1; t112 += r1b * g2; t113 += r1b * g3;
            t120 += r1c * g0; t121 += r1c * g1; t122 += r1c * g2; t123 += r1c * g3;
            t200 += r2a * g0; t201 += r2a * g1; t202 += r2a * g2; t203 += r2a * g3;
            t210 += r2b * g0; t211 += r2b * g1; t212 += r2b * g2; t213 += r2b * g3;
            t220 += r2c * g0; t221 += r2c * g1; t222 += r2c * g2; t223 += r2c * g3;
            bias0 += g0; bias1 += g1; bias2 += g2; bias3 += g3;
            r0a = r0b; r0b = r0c; r1a = r1b; r1b = r1c; r2a = r2b; r2b = r2c;
        }
        m += seg;
        ox += seg;
        if ox == p.out_w {
            ox = 0u;
            oy += 1u;
            if oy == p.out_h { oy = 0u; n += 1u; }
        }
    }

    let k0 = cic * 9u;
    store_tap(s, co0, k0 + 0u, live, t000, t001, t002, t003);
    store_tap(s, co0, k0 + 1u, live, t010, t011, t012, t013);
    store_tap(s, co0, k0 + 2u, live, t020, t021, t022, t023);
    store_tap(s, co0, k0 + 3u, live, t100, t101, t102, t103);
    store_tap(s, co0, k0 + 4u, live, t110, t111, t112, t113);
    store_tap(s, co0, k0 + 5u, live, t120, t121, t122, t123);
    store_tap(s, co0, k0 + 6u, live, t200, t201, t202, t203);
    store_tap(s, co0, k0 + 7u, live, t210, t211, t212, t213);
    store_tap(s, co0, k0 + 8u, live, t220, t221, t222, t223);
    // The bias column, once: from the lane of input channel 0.
    store_tap(s, co0, p.c_in * 9u, live && ci == 0u, bias0, bias1, bias2, bias3);
}
