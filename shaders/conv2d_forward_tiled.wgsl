// conv2d_forward_tiled: the GPU variant of conv2d_forward — same formula, layouts, parameters
// and bindings (see conv2d_forward.wgsl):
//   y[n, co, oy, ox] = bias[co] + Σ_{ci, ky, kx} x[n, ci, oy·s + ky − p, ox·s + kx − p] · weight[co, ci, ky, kx]
// One workgroup of 256 computes a 64-pixel × 64-channel tile of y; each invocation a 4×4
// sub-block (rows ty + 16·i, columns tx + 16·j). The reduction is walked 16 at a time: the
// 64×16 slice of the implicit im2col matrix and the 16×64 slice of the weights are staged in
// workgroup memory, so each value comes from global memory once per workgroup instead of once
// per invocation. That is what makes a GEMM fast on a GPU; on CPU adapters workgroup memory
// and barriers are slow, which is why the register-blocked variant exists.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;

// Params, bindings 0, 3, 4 and tap(): shaders/common/conv_forward.wgsl, joined in front by the catalogue.

// a_tile, b_tile and multiply_tiles(): shaders/common/tile_product.wgsl. Here a_tile is
// [16 k][64 rows], b_tile [16 k][64 columns].

// The implicit im2col matrix: row m = (n, oy, ox), column k = (ci, ky, kx); 0 outside.
fn load_a(m: u32, k: u32) -> f32 {
    let plane = p.out_h * p.out_w;
    let taps = p.kh * p.kw;
    if m >= p.batch * plane || k >= p.c_in * taps { return 0.0; }
    let r = m % plane;
    let t = k % taps;
    let iy = i32((r / p.out_w) * p.stride + t / p.kw) - i32(p.pad);
    let ix = i32((r % p.out_w) * p.stride + t % p.kw) - i32(p.pad);
    if iy < 0 || ix < 0 || iy >= i32(p.h) || ix >= i32(p.w) { return 0.0; }
    return x[(((m / plane) * p.c_in + k / taps) * p.h + u32(iy)) * p.w + u32(ix)];
}

fn load_b(k: u32, co: u32) -> f32 {
    let k_len = p.c_in * p.kh * p.kw;
    if k >= k_len || co >= p.c_out { return 0.0; }
    return weight[co * k_len + k];
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let plane = p.out_h * p.out_w;
    let rows = p.batch * plane;
    let k_len = p.c_in * p.kh * p.kw;
    let tiles_m = (rows + 63u) / 64u;
    let tile = wid.y * nwg.x + wid.x;
    if tile >= tiles_m * ((p.c_out + 63u) / 64u) { return; }
    let m0 = (tile % tiles_m) * 64u;
    let n0 = (tile / tiles_m) * 64u;
    let tx = lid % 16u;
    let ty = lid / 16u;
    var acc: array<f32, 16>;
    for (var k0 = 0u; k0 < k_len; k0 += 16u) {
        for (var q = 0u; q < 4u; q++) {
            let e = lid + 256u * q;
            a_tile[e] = load_a(m0 + e % 64u, k0 + e / 64u);
            b_tile[e] = load_b(k0 + e / 64u, n0 + e % 64u);
        }
        workgroupBarrier();
        multiply_tiles(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let m = m0 + ty + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let co = n0 + tx + 16u * j;
            if m < rows && co < p.c_out {
                var v = acc[i * 4u + j] + bias[co];
                if p.relu != 0u { v = max(v, 0.0); }
                y[((m / plane) * p.c_out + co) * plane + m % plane] = v;
            }
        }
    }
}
