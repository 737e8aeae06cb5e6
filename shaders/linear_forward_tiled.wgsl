// linear_forward_tiled: the GPU variant of linear_forward — same formula, layouts, parameters
// and bindings (see linear_forward.wgsl):
//   y[b, o] = bias[o] + Σ_i x[b, i] · weight[o, i]   (then ReLU when params.relu != 0)
// A 64-row × 64-output tile per workgroup of 256, 4×4 outputs per invocation, the inputs walked
// 16 at a time through workgroup memory (see conv2d_forward_tiled.wgsl for why). Split-K as in
// linear_forward.wgsl: with splits > 1, workgroup (tile, s) sums inputs [s·chunk, (s+1)·chunk)
// into y[s, b, o] raw, and linear_reduce.wgsl finishes.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

// Params and binding 0: shaders/common/linear_forward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// a_tile, b_tile and multiply_tiles(): shaders/common/tile_product.wgsl. Here a_tile is
// [16 inputs][64 rows], b_tile [16 inputs][64 outputs].

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let tiles_m = (p.batch + 63u) / 64u;
    let tiles = tiles_m * ((p.outputs + 63u) / 64u);
    let group = wid.y * nwg.x + wid.x;
    if group >= tiles * p.splits { return; }
    let s = group / tiles;
    let tile = group % tiles;
    let k_end = min(p.inputs, (s + 1u) * p.chunk);
    let m0 = (tile % tiles_m) * 64u;
    let n0 = (tile / tiles_m) * 64u;
    let tx = lid % 16u;
    let ty = lid / 16u;
    var acc: array<f32, 16>;
    for (var k0 = s * p.chunk; k0 < k_end; k0 += 16u) {
        // Consecutive invocations read consecutive inputs of one row: coalesced.
        for (var q = 0u; q < 4u; q++) {
            let e = lid + 256u * q;
            let r = e / 16u;
            let k = k0 + e % 16u;
            let b = m0 + r;
            let o = n0 + r;
            a_tile[(e % 16u) * 64u + r] = select(0.0, x[min(b, p.batch - 1u) * p.inputs + min(k, p.inputs - 1u)], b < p.batch && k < k_end);
            b_tile[(e % 16u) * 64u + r] = select(0.0, weight[min(o, p.outputs - 1u) * p.inputs + min(k, p.inputs - 1u)], o < p.outputs && k < k_end);
        }
        workgroupBarrier();
        multiply_tiles(&acc, tx, ty);
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let b = m0 + ty + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let o = n0 + tx + 16u * j;
            if b < p.batch && o < p.outputs {
                var v = acc[i * 4u + j];
                if p.splits > 1u {
                    y[(s * p.batch + b) * p.outputs + o] = v;
                } else {
                    v += bias[o];
                    if p.relu != 0u { v = max(v, 0.0); }
                    y[b * p.outputs + o] = v;
                }
            }
        }
    }
}
