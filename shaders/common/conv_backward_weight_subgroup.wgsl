// The body of conv2d_backward_weight_subgroup (shaders/conv2d_backward_weight_subgroup.wgsl: what
// it computes, its layouts and its work per invocation), shared by its two readers of x and dy: storage
// (common/conv_x_dy_storage.wgsl) and texels (common/conv_x_dy_texels.wgsl), which differ only in
// bindings 1 and 2, load_x(base, iy, ix) and load_dy(i). Params and bindings 0, 3: common/conv_backward_weight.wgsl.
// All joined in front by the catalogue.

// Writes channel co of the block: columns k0..k0+3.
fn store(s: u32, co: u32, k0: u32, acc: vec4<f32>) {
    let cols = p.c_in * p.kh * p.kw + 1u;
    if co >= p.c_out { return; }
    for (var j = 0u; j < 4u; j++) {
        let k = k0 + j;
        if k >= cols { return; }
        partial[partial_at(s, co, k, cols)] = acc[j];
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let k_len = p.c_in * p.kh * p.kw;
    let groups_k = ((k_len + 1u + 3u) / 4u + WG - 1u) / WG;
    let tiles_c = (p.c_out + 15u) / 16u;
    let per_split = groups_k * tiles_c;
    if group >= per_split * p.splits { return; } // the whole workgroup: uniform
    let s = group / per_split;
    let t = group % per_split;
    let co0 = (t / groups_k) * 16u;
    let k0 = ((t % groups_k) * WG + lid) * 4u;
    let out_plane = p.out_h * p.out_w;
    let chunk = chunk_pixels(s);
    let m_begin = chunk.x;
    let m_end = chunk.y;
    let chw = p.c_in * p.h * p.w;
    // Column j reads x at offset xo[j] + (oy·st + ey[j], ox·st + ex[j]); bias[j] is 1 for
    // column K (whose value is 1) and 0 otherwise, keep[j] 0 for column K and past it.
    var xo: array<u32, 4>;
    var ey: array<i32, 4>;
    var ex: array<i32, 4>;
    var keep: vec4<f32>;
    var bias: vec4<f32>;
    for (var j = 0u; j < 4u; j++) {
        let k = k0 + j;
        let at = column_tap(min(k, k_len - 1u));
        xo[j] = at.plane;
        ey[j] = at.dy;
        ex[j] = at.dx;
        keep[j] = select(0.0, 1.0, k < k_len);
        bias[j] = select(0.0, 1.0, k == k_len);
    }
    // The two dy channels this lane loads for its subgroup.
    let da = min(co0 + (lane & 7u), p.c_out - 1u) * out_plane;
    let db = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * out_plane;

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    // Pixel m = (n, oy, ox) of the chunk, stepped along in row-major order instead of divided
    // out for every m: lavapipe divides lane by lane, and four divisions per 64 multiply-adds
    // cost this pass a quarter of its time.
    var n = m_begin / out_plane;
    var oy = (m_begin % out_plane) / p.out_w;
    var ox = m_begin % p.out_w;
    for (var m = m_begin; m < m_end; m++) {
        let r = oy * p.out_w + ox;
        let iy = i32(oy * p.stride);
        let ix = i32(ox * p.stride);
        let xb = n * chw;
        let a = vec4<f32>(load_x(xb + xo[0], iy + ey[0], ix + ex[0]), load_x(xb + xo[1], iy + ey[1], ix + ex[1]),
                          load_x(xb + xo[2], iy + ey[2], ix + ex[2]), load_x(xb + xo[3], iy + ey[3], ix + ex[3]))
                * keep + bias;
        let dyb = n * p.c_out * out_plane + r;
        let ga = load_dy(dyb + da);
        let gb = load_dy(dyb + db);
        c0 += a * subgroupBroadcast(ga, 0u); c1 += a * subgroupBroadcast(ga, 1u);
        c2 += a * subgroupBroadcast(ga, 2u); c3 += a * subgroupBroadcast(ga, 3u);
        c4 += a * subgroupBroadcast(ga, 4u); c5 += a * subgroupBroadcast(ga, 5u);
        c6 += a * subgroupBroadcast(ga, 6u); c7 += a * subgroupBroadcast(ga, 7u);
        c8 += a * subgroupBroadcast(gb, 0u); c9 += a * subgroupBroadcast(gb, 1u);
        c10 += a * subgroupBroadcast(gb, 2u); c11 += a * subgroupBroadcast(gb, 3u);
        c12 += a * subgroupBroadcast(gb, 4u); c13 += a * subgroupBroadcast(gb, 5u);
        c14 += a * subgroupBroadcast(gb, 6u); c15 += a * subgroupBroadcast(gb, 7u);
        ox += 1u;
        if ox == p.out_w {
            ox = 0u;
            oy += 1u;
            if oy == p.out_h { oy = 0u; n += 1u; }
        }
    }

    store(s, co0 + 0u, k0, c0); store(s, co0 + 1u, k0, c1); store(s, co0 + 2u, k0, c2); store(s, co0 + 3u, k0, c3);
    store(s, co0 + 4u, k0, c4); store(s, co0 + 5u, k0, c5); store(s, co0 + 6u, k0, c6); store(s, co0 + 7u, k0, c7);
    store(s, co0 + 8u, k0, c8); store(s, co0 + 9u, k0, c9); store(s, co0 + 10u, k0, c10); store(s, co0 + 11u, k0, c11);
    store(s, co0 + 12u, k0, c12); store(s, co0 + 13u, k0, c13); store(s, co0 + 14u, k0, c14); store(s, co0 + 15u, k0, c15);
}
