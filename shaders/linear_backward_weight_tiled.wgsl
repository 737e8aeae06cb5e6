// linear_backward_weight_tiled: the GPU variant of linear_backward_weight — same formula,
// layouts, parameters and bindings (see linear_backward_weight.wgsl):
//   dweight[o, i] = Σ_b dy[b, o] · x[b, i],   dbias[o] = Σ_b dy[b, o]   (column i = I of x is 1)
// A 64-output × 64-input tile per workgroup of 256, 4×4 outputs per invocation, the batch
// walked 16 rows at a time through workgroup memory (see conv2d_forward_tiled.wgsl for why).
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 dweight, 4 dbias.

// Params and binding 0: shaders/common/linear_backward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbias: array<f32>;

// a_tile, b_tile and multiply_tiles(): shaders/common/tile_product.wgsl. Here a_tile is
// [16 rows b][64 outputs], b_tile [16 rows b][64 inputs (+ the bias column)].

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let cols = p.inputs + 1u;
    let tiles_m = (p.outputs + 63u) / 64u;
    let tile = wid.y * nwg.x + wid.x;
    if tile >= tiles_m * ((cols + 63u) / 64u) { return; }
    let m0 = (tile % tiles_m) * 64u;
    let n0 = (tile / tiles_m) * 64u;
    let tx = lid % 16u;
    let ty = lid / 16u;
    var acc: array<f32, 16>;
    for (var k0 = 0u; k0 < p.batch; k0 += 16u) {
        for (var q = 0u; q < 4u; q++) {
            let e = lid + 256u * q;
            let b = k0 + e / 64u;
            let o = m0 + e % 64u;
            let i = n0 + e % 64u;
            let row_ok = b < p.batch;
            let bb = min(b, p.batch - 1u);
            a_tile[e] = select(0.0, dy[bb * p.outputs + min(o, p.outputs - 1u)], row_ok && o < p.outputs);
            let xv = select(x[bb * p.inputs + min(i, p.inputs - 1u)], 1.0, i == p.inputs);
            b_tile[e] = select(0.0, xv, row_ok && i < cols);
        }
        workgroupBarrier();
        multiply_tiles(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let o = m0 + ty + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let col = n0 + tx + 16u * j;
            if o < p.outputs && col < cols {
                var v = acc[i * 4u + j];
                if col < p.inputs {
                    let idx = o * p.inputs + col;
                    if p.accumulate != 0u { v += dweight[idx]; }
                    dweight[idx] = v;
                } else {
                    if p.accumulate != 0u { v += dbias[o]; }
                    dbias[o] = v;
                }
            }
        }
    }
}
