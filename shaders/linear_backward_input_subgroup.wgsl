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

// BR (the block's rows), params and binding 0: joined in front by the catalogue
// (shaders/common/linear_backward.wgsl).
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

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);
    var e0 = vec4<f32>(0.0); var e1 = vec4<f32>(0.0); var e2 = vec4<f32>(0.0); var e3 = vec4<f32>(0.0);
    var e4 = vec4<f32>(0.0); var e5 = vec4<f32>(0.0); var e6 = vec4<f32>(0.0); var e7 = vec4<f32>(0.0);
    var e8 = vec4<f32>(0.0); var e9 = vec4<f32>(0.0); var e10 = vec4<f32>(0.0); var e11 = vec4<f32>(0.0);
    var e12 = vec4<f32>(0.0); var e13 = vec4<f32>(0.0); var e14 = vec4<f32>(0.0); var e15 = vec4<f32>(0.0);

    for (var k = 0u; k < out4; k++) {
        // Column c of m is weight row 4k + c at inputs i0..i0+3: m * g = Σ_c g[c] · row 4k + c.
        let w = 4u * k * row4 + col;
        let m = mat4x4<f32>(weight[w], weight[w + row4], weight[w + 2u * row4], weight[w + 3u * row4]);
        let ga = dy[da + k];
        let gb = dy[db + k];
        c0 += m * subgroupBroadcast(ga, 0u); c1 += m * subgroupBroadcast(ga, 1u);
        c2 += m * subgroupBroadcast(ga, 2u); c3 += m * subgroupBroadcast(ga, 3u);
        c4 += m * subgroupBroadcast(ga, 4u); c5 += m * subgroupBroadcast(ga, 5u);
        c6 += m * subgroupBroadcast(ga, 6u); c7 += m * subgroupBroadcast(ga, 7u);
        c8 += m * subgroupBroadcast(gb, 0u); c9 += m * subgroupBroadcast(gb, 1u);
        c10 += m * subgroupBroadcast(gb, 2u); c11 += m * subgroupBroadcast(gb, 3u);
        c12 += m * subgroupBroadcast(gb, 4u); c13 += m * subgroupBroadcast(gb, 5u);
        c14 += m * subgroupBroadcast(gb, 6u); c15 += m * subgroupBroadcast(gb, 7u);
        if BR > 16u {
            let gc = dy[dc + k];
            let gd = dy[dd + k];
            e0 += m * subgroupBroadcast(gc, 0u); e1 += m * subgroupBroadcast(gc, 1u);
            e2 += m * subgroupBroadcast(gc, 2u); e3 += m * subgroupBroadcast(gc, 3u);
            e4 += m * subgroupBroadcast(gc, 4u); e5 += m * subgroupBroadcast(gc, 5u);
            e6 += m * subgroupBroadcast(gc, 6u); e7 += m * subgroupBroadcast(gc, 7u);
            e8 += m * subgroupBroadcast(gd, 0u); e9 += m * subgroupBroadcast(gd, 1u);
            e10 += m * subgroupBroadcast(gd, 2u); e11 += m * subgroupBroadcast(gd, 3u);
            e12 += m * subgroupBroadcast(gd, 4u); e13 += m * subgroupBroadcast(gd, 5u);
            e14 += m * subgroupBroadcast(gd, 6u); e15 += m * subgroupBroadcast(gd, 7u);
        }
    }

    store(b0 + 0u, i0, c0); store(b0 + 1u, i0, c1); store(b0 + 2u, i0, c2); store(b0 + 3u, i0, c3);
    store(b0 + 4u, i0, c4); store(b0 + 5u, i0, c5); store(b0 + 6u, i0, c6); store(b0 + 7u, i0, c7);
    store(b0 + 8u, i0, c8); store(b0 + 9u, i0, c9); store(b0 + 10u, i0, c10); store(b0 + 11u, i0, c11);
    store(b0 + 12u, i0, c12); store(b0 + 13u, i0, c13); store(b0 + 14u, i0, c14); store(b0 + 15u, i0, c15);
    if BR > 16u {
        store(b0 + 16u, i0, e0); store(b0 + 17u, i0, e1); store(b0 + 18u, i0, e2); store(b0 + 19u, i0, e3);
        store(b0 + 20u, i0, e4); store(b0 + 21u, i0, e5); store(b0 + 22u, i0, e6); store(b0 + 23u, i0, e7);
        store(b0 + 24u, i0, e8); store(b0 + 25u, i0, e9); store(b0 + 26u, i0, e10); store(b0 + 27u, i0, e11);
        store(b0 + 28u, i0, e12); store(b0 + 29u, i0, e13); store(b0 + 30u, i0, e14); store(b0 + 31u, i0, e15);
    }
}
