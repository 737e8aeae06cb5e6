// conv2d_backward_weight_tiled: the GPU variant of conv2d_backward_weight — same formula,
// layouts, parameters and bindings (see conv2d_backward_weight.wgsl):
//   partial(co, k, s) = Σ_{m in chunk s} dy[n, co, oy, ox] · A[m, k]   (A[m, K] = 1: the bias column)
// conv2d_reduce_weight.wgsl sums the partials. A 64-channel × 64-column tile of one chunk per
// workgroup of 256, 4×4 outputs per invocation, the pixel reduction walked 16 rows at a time
// through workgroup memory (see conv2d_forward_tiled.wgsl for why).
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 partial.

// Params, bindings 0, 2, 3 (shaders/common/conv_backward_weight.wgsl), binding 1 and load_x()
// (common/conv_x_dy_storage.wgsl): joined in front by the catalogue.

// a_tile, b_tile and multiply_tiles(): shaders/common/tile_product.wgsl. Here a_tile is
// [16 pixels][64 channels], b_tile [16 pixels][64 columns].

// dy as [co, pixel m]; 0 past the chunk's end.
fn load_a(co: u32, m: u32, m_end: u32) -> f32 {
    let plane = p.out_h * p.out_w;
    if co >= p.c_out || m >= m_end { return 0.0; }
    return dy[((m / plane) * p.c_out + co) * plane + m % plane];
}

// The implicit im2col matrix [pixel m, k], with the bias column k = K of ones.
fn load_b(m: u32, k: u32, m_end: u32) -> f32 {
    let taps = p.kh * p.kw;
    let k_len = p.c_in * taps;
    if m >= m_end || k > k_len { return 0.0; }
    if k == k_len { return 1.0; }
    let plane = p.out_h * p.out_w;
    let r = m % plane;
    let t = k % taps;
    let iy = i32((r / p.out_w) * p.stride + t / p.kw) - i32(p.pad);
    let ix = i32((r % p.out_w) * p.stride + t % p.kw) - i32(p.pad);
    if iy < 0 || ix < 0 || iy >= i32(p.h) || ix >= i32(p.w) { return 0.0; }
    return x[(((m / plane) * p.c_in + k / taps) * p.h + u32(iy)) * p.w + u32(ix)];
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let cols = p.c_in * p.kh * p.kw + 1u;
    let tiles_m = (p.c_out + 63u) / 64u;
    let tiles = tiles_m * ((cols + 63u) / 64u);
    let group = wid.y * nwg.x + wid.x;
    if group >= tiles * p.splits { return; }
    let s = group / tiles;
    let tile = group % tiles;
    let m0 = (tile % tiles_m) * 64u;
    let n0 = (tile / tiles_m) * 64u;
    let rows = p.batch * p.out_h * p.out_w;
    let begin = s * p.chunk;
    let end = min(rows, begin + p.chunk);
    let tx = lid % 16u;
    let ty = lid / 16u;
    var acc: array<f32, 16>;
    for (var k0 = begin; k0 < end; k0 += 16u) {
        for (var q = 0u; q < 4u; q++) {
            let e = lid + 256u * q;
            a_tile[e] = load_a(m0 + e % 64u, k0 + e / 64u, end);
            b_tile[e] = load_b(k0 + e / 64u, n0 + e % 64u, end);
        }
        workgroupBarrier();
        multiply_tiles(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let co = m0 + ty + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let k = n0 + tx + 16u * j;
            if co < p.c_out && k < cols {
                partial[partial_at(s, co, k, cols)] = acc[i * 4u + j];
            }
        }
    }
}
