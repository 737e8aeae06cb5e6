// conv2d_backward_weight: partial sums of the gradient of conv2d's weight and bias (split-K).
//   partial(co, k, s) = Σ_{m in chunk s} dy[n, co, oy, ox] · A[m, k]   with m = (n, oy, ox),
//   A[m, k] = x[n, ci, oy·st + ky − p, ox·st + kx − p] for k = (ci, ky, kx) < K, and A[m, K] = 1,
//   so column K of the result is the bias gradient. conv2d_reduce_weight.wgsl sums over s.
// Layouts, row-major: x [N, C_in, H, W], dy [N, C_out, OH, OW], partial in blocks of 16 values (common/conv_backward_weight.wgsl, partial_at).
// The reduction runs over every pixel of the batch (282 752 for conv1 at batch 32), so it is split
// into `splits` chunks of `chunk` rows to give the GPU enough independent work.
// One invocation computes an 8-channel × 8-column block for one chunk (8 + 8 loads, 64 multiply-adds per row).
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 partial.

// Params, bindings 0, 2, 3 (shaders/common/conv_backward_weight.wgsl), binding 1 and load_x()
// (common/conv_x_dy_storage.wgsl): joined in front by the catalogue.

fn store(s: u32, co: u32, k0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    let cols = p.c_in * p.kh * p.kw + 1u;
    if co >= p.c_out { return; }
    for (var j = 0u; j < 8u; j++) {
        let k = k0 + j;
        if k >= cols { return; }
        var v: f32;
        if j < 4u { v = lo[j]; } else { v = hi[j - 4u]; }
        partial[partial_at(s, co, k, cols)] = v;
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let k_len = p.c_in * p.kh * p.kw;
    let tiles_k = (k_len + 1u + 7u) / 8u;
    let tiles_c = (p.c_out + 7u) / 8u;
    let tiles = tiles_k * tiles_c;
    if inv >= tiles * p.splits { return; }
    let s = inv / tiles;
    let t = inv % tiles;
    let k0 = (t % tiles_k) * 8u;
    let co0 = (t / tiles_k) * 8u;
    let out_plane = p.out_h * p.out_w;
    let chunk = chunk_pixels(s);
    let m_begin = chunk.x;
    let m_end = chunk.y;
    let chw = p.c_in * p.h * p.w;

    // Column j reads x at offset xo[j] + (oy·st + ey[j], ox·st + ex[j]); is_bias[j] marks column K.
    var xo: array<u32, 8>;
    var ey: array<i32, 8>;
    var ex: array<i32, 8>;
    var is_bias: array<bool, 8>;
    var dr: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {
        let k = min(k0 + j, k_len);
        is_bias[j] = k == k_len;
        let at = column_tap(min(k, k_len - 1u));
        xo[j] = at.plane;
        ey[j] = at.dy;
        ex[j] = at.dx;
        dr[j] = min(co0 + j, p.c_out - 1u) * out_plane;
    }

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    // Pixel m = (n, oy, ox), stepped along instead of divided out for every m (lavapipe
    // divides lane by lane).
    var n = m_begin / out_plane;
    var oy = (m_begin % out_plane) / p.out_w;
    var ox = m_begin % p.out_w;
    for (var m = m_begin; m < m_end; m++) {
        let r = oy * p.out_w + ox;
        let iy = i32(oy * p.stride);
        let ix = i32(ox * p.stride);
        let xb = n * chw;
        let dyb = n * p.c_out * out_plane + r;
        let lo = vec4<f32>(select(load_x(xb + xo[0], iy + ey[0], ix + ex[0]), 1.0, is_bias[0]),
                           select(load_x(xb + xo[1], iy + ey[1], ix + ex[1]), 1.0, is_bias[1]),
                           select(load_x(xb + xo[2], iy + ey[2], ix + ex[2]), 1.0, is_bias[2]),
                           select(load_x(xb + xo[3], iy + ey[3], ix + ex[3]), 1.0, is_bias[3]));
        let hi = vec4<f32>(select(load_x(xb + xo[4], iy + ey[4], ix + ex[4]), 1.0, is_bias[4]),
                           select(load_x(xb + xo[5], iy + ey[5], ix + ex[5]), 1.0, is_bias[5]),
                           select(load_x(xb + xo[6], iy + ey[6], ix + ex[6]), 1.0, is_bias[6]),
                           select(load_x(xb + xo[7], iy + ey[7], ix + ex[7]), 1.0, is_bias[7]));
        let g0 = dy[dyb + dr[0]]; let g1 = dy[dyb + dr[1]];
        let g2 = dy[dyb + dr[2]]; let g3 = dy[dyb + dr[3]];
        let g4 = dy[dyb + dr[4]]; let g5 = dy[dyb + dr[5]];
        let g6 = dy[dyb + dr[6]]; let g7 = dy[dyb + dr[7]];
        c0l += lo * g0; c0h += hi * g0;
        c1l += lo * g1; c1h += hi * g1;
        c2l += lo * g2; c2h += hi * g2;
        c3l += lo * g3; c3h += hi * g3;
        c4l += lo * g4; c4h += hi * g4;
        c5l += lo * g5; c5h += hi * g5;
        c6l += lo * g6; c6h += hi * g6;
        c7l += lo * g7; c7h += hi * g7;
        ox += 1u;
        if ox == p.out_w {
            ox = 0u;
            oy += 1u;
            if oy == p.out_h { oy = 0u; n += 1u; }
        }
    }

    store(s, co0 + 0u, k0, c0l, c0h); store(s, co0 + 1u, k0, c1l, c1h);
    store(s, co0 + 2u, k0, c2l, c2h); store(s, co0 + 3u, k0, c3l, c3h);
    store(s, co0 + 4u, k0, c4l, c4h); store(s, co0 + 5u, k0, c5l, c5h);
    store(s, co0 + 6u, k0, c6l, c6h); store(s, co0 + 7u, k0, c7l, c7h);
}
