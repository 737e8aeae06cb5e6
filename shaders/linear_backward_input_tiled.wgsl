// linear_backward_input_tiled: the GPU variant of linear_backward_input — same formula,
// layouts, parameters and bindings (see linear_backward_input.wgsl):
//   dx[b, i] = Σ_o dy[b, o] · weight[o, i]
// A 64-row × 64-input tile per workgroup of 256, 4×4 outputs per invocation, the outputs o
// walked 16 at a time through workgroup memory (see conv2d_forward_tiled.wgsl for why).
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// Params and binding 0: shaders/common/linear_backward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// a_tile, b_tile and multiply_tiles(): shaders/common/tile_product.wgsl. Here a_tile is
// [16 outputs][64 rows], b_tile [16 outputs][64 inputs].

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let tiles_m = (p.batch + 63u) / 64u;
    let tile = wid.y * nwg.x + wid.x;
    if tile >= tiles_m * ((p.inputs + 63u) / 64u) { return; }
    let m0 = (tile % tiles_m) * 64u;
    let n0 = (tile / tiles_m) * 64u;
    let tx = lid % 16u;
    let ty = lid / 16u;
    var acc: array<f32, 16>;
    for (var k0 = 0u; k0 < p.outputs; k0 += 16u) {
        for (var q = 0u; q < 4u; q++) {
            let e = lid + 256u * q;
            // dy rows: consecutive invocations read consecutive outputs of one row.
            let r = e / 16u;
            let o = k0 + e % 16u;
            let b = m0 + r;
            a_tile[(e % 16u) * 64u + r] = select(0.0, dy[min(b, p.batch - 1u) * p.outputs + min(o, p.outputs - 1u)], b < p.batch && o < p.outputs);
            // weight rows: consecutive invocations read consecutive inputs of one output.
            let ko = k0 + e / 64u;
            let i = n0 + e % 64u;
            b_tile[e] = select(0.0, weight[min(ko, p.outputs - 1u) * p.inputs + min(i, p.inputs - 1u)], ko < p.outputs && i < p.inputs);
        }
        workgroupBarrier();
        multiply_tiles(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let b = m0 + ty + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let col = n0 + tx + 16u * j;
            if b < p.batch && col < p.inputs {
                let idx = b * p.inputs + col;
                var v = acc[i * 4u + j];
                if p.accumulate != 0u { v += dx[idx]; }
                dx[idx] = v;
            }
        }
    }
}
