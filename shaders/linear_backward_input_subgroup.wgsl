// linear_backward_input_subgroup: linear_backward_input.wgsl's sums with vec4 loads along the
// reduction and the rows of dy shared through the subgroup.
//   dx[b, i] = Σ_o dy[b, o] · weight[o, i]      (added to dx when params.accumulate != 0)
// Layouts, row-major: dy [B, O], weight [O, I], dx [B, I]; needs I % 4 == 0 and O % 4 == 0
// (the launcher falls back to the blocked kernel otherwise) and subgroups of at least 8 lanes.
// One invocation computes a BR-row × 4-input block (BR = 16 or 32, the constant joined in
// front). A workgroup's invocations share the BR rows (see linear_forward_subgroup.wgsl), so per
// 4 outputs lane j < 8 loads rows j, 8 + j (and at BR = 32, 16 + j and 24 + j) of dy as vec4s
// for its subgroup, and each invocation loads its 4 × 4 weights as four vec4: at BR = 16,
// 2 + 4 vec4 loads per 256 multiply-adds, at BR = 32, 4 + 4 per 512 — each weight is loaded
// once per BR rows of the batch. The tuner measures both.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// BR (the block's rows), params, binding 0, Block16 and fold_rows16(): joined in front by the
// catalogue (shaders/common/linear_backward.wgsl, channel_block.wgsl).
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// Writes row b of the block: inputs i0..i0+3.
fn store(b: u32, i0: u32, acc: vec4<f32>) {
    if b >= p.batch { return; }
    for (var j = 0u; j < 4u; j++) {
        let i = i0 + j;
        if i >= p.inputs { return; }
        var v = acc[j];
        if p.accumulate != 0u { v += dx[b * p.inputs + i]; }
        dx[b * p.inputs + i] = v;
    }
}

// Writes rows b..b+15 of the block (row j in blk.cj).
fn store_rows16(b: u32, i0: u32, blk: Block16) {
    store(b + 0u, i0, blk.c0); store(b + 1u, i0, blk.c1); store(b + 2u, i0, blk.c2); store(b + 3u, i0, blk.c3);
    store(b + 4u, i0, blk.c4); store(b + 5u, i0, blk.c5); store(b + 6u, i0, blk.c6); store(b + 7u, i0, blk.c7);
    store(b + 8u, i0, blk.c8); store(b + 9u, i0, blk.c9); store(b + 10u, i0, blk.c10); store(b + 11u, i0, blk.c11);
    store(b + 12u, i0, blk.c12); store(b + 13u, i0, blk.c13); store(b + 14u, i0, blk.c14); store(b + 15u, i0, blk.c15);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let groups_i = ((p.inputs + 3u) / 4u + WG - 1u) / WG;
    if group >= ((p.batch + BR - 1u) / BR) * groups_i { return; } // the whole workgroup: uniform
    let b0 = (group / groups_i) * BR;
    let i0 = ((group % groups_i) * WG + lid) * 4u;
    let row4 = p.inputs / 4u;   // vec4s per weight row
    let out4 = p.outputs / 4u;  // vec4s per dy row
    let da = min(b0 + (lane & 7u), p.batch - 1u) * out4;
    let db = min(b0 + 8u + (lane & 7u), p.batch - 1u) * out4;
    let dc = min(b0 + 16u + (lane & 7u), p.batch - 1u) * out4;
    let dd = min(b0 + 24u + (lane & 7u), p.batch - 1u) * out4;
    let col = min(i0, p.inputs - 4u) / 4u;

    var c: Block16; // rows b0..b0+15
    var e: Block16; // rows b0+16..b0+31 (BR = 32)

    for (var k = 0u; k < out4; k++) {
        // Column c of m is weight row 4k + c at inputs i0..i0+3: m * g = Σ_c g[c] · row 4k + c.
        let w = 4u * k * row4 + col;
        let m = mat4x4<f32>(weight[w], weight[w + row4], weight[w + 2u * row4], weight[w + 3u * row4]);
        let ga = dy[da + k];
        let gb = dy[db + k];
        fold_rows16(&c, m, ga, gb);
        if BR > 16u {
            fold_rows16(&e, m, dy[dc + k], dy[dd + k]);
        }
    }

    store_rows16(b0, i0, c);
    if BR > 16u { store_rows16(b0 + 16u, i0, e); }
}
