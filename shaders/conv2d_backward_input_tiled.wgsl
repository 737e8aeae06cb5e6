// conv2d_backward_input_tiled: the GPU variant of conv2d_backward_input — same formula,
// layouts, parameters and bindings (see conv2d_backward_input.wgsl):
//   dx[n, ci, iy, ix] = Σ_{co, ky, kx} dy[n, co, oy, ox] · weight[co, ci, ky, kx],  oy·s = iy + p − ky, ox·s = ix + p − kx
// A 64-pixel × 64-channel tile per workgroup of 256, 4×4 outputs per invocation, reduction
// slices of 16 staged in workgroup memory (see conv2d_forward_tiled.wgsl for why).
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// Params, bindings 0, 2, 3 and, from common/conv_dy_weight_storage.wgsl, 1 and tap(): shaders/common/conv_backward_input.wgsl, joined in front by the catalogue.

// a_tile, b_tile and multiply_tiles(): shaders/common/tile_product.wgsl. Here a_tile is
// [16 k][64 rows], b_tile [16 k][64 columns].

// Row m = (n, iy, ix), column k = (co, ky, kx): the dy value that tap reaches, or 0.
fn load_a(m: u32, k: u32) -> f32 {
    let plane = p.h * p.w;
    let taps = p.kh * p.kw;
    if m >= p.batch * plane || k >= p.c_out * taps { return 0.0; }
    let r = m % plane;
    let t = k % taps;
    let ty = i32(r / p.w + p.pad) - i32(t / p.kw);
    let tx = i32(r % p.w + p.pad) - i32(t % p.kw);
    let s = i32(p.stride);
    if ty < 0 || tx < 0 || ty % s != 0 || tx % s != 0 { return 0.0; }
    let oy = u32(ty / s);
    let ox = u32(tx / s);
    if oy >= p.out_h || ox >= p.out_w { return 0.0; }
    return dy[(((m / plane) * p.c_out + k / taps) * p.out_h + oy) * p.out_w + ox];
}

// Column ci of the weight viewed as [(co, ky, kx), ci].
fn load_b(k: u32, ci: u32) -> f32 {
    let taps = p.kh * p.kw;
    if k >= p.c_out * taps || ci >= p.c_in { return 0.0; }
    return weight[((k / taps) * p.c_in + ci) * taps + k % taps];
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let plane = p.h * p.w;
    let rows = p.batch * plane;
    let k_len = p.c_out * p.kh * p.kw;
    let tiles_m = (rows + 63u) / 64u;
    let tile = wid.y * nwg.x + wid.x;
    if tile >= tiles_m * ((p.c_in + 63u) / 64u) { return; }
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
            let ci = n0 + tx + 16u * j;
            if m < rows && ci < p.c_in {
                let idx = ((m / plane) * p.c_in + ci) * plane + m % plane;
                var v = acc[i * 4u + j];
                if p.accumulate != 0u { v += dx[idx]; }
                dx[idx] = v;
            }
        }
    }
}
