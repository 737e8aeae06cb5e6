// The body of linear_backward_input_subgroup (shaders/linear_backward_input_subgroup.wgsl: what
// it computes, its layouts and its work per invocation), shared by its two readers: storage
// (that file) and texels (linear_backward_input_subgroup_texels.wgsl, dy and the weights
// gathered from their texel mirrors). Each defines bindings 1 (dy) and 2 (weight) and
//   fn load_dy(row: u32, k: u32) -> vec4<f32>  // dy[row, 4k..4k+3]
//   fn load_w(o: u32, c: u32) -> vec4<f32>     // weight[o, 4c..4c+3]
// which is all they differ in (see common/linear_forward_subgroup.wgsl); the sums are the same.

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
    let out4 = p.outputs / 4u;  // vec4s per dy row
    // The rows of dy this lane loads for its subgroup (two, or four at BR = 32), and the vec4
    // column of the weights it uses.
    let da = min(b0 + (lane & 7u), p.batch - 1u);
    let db = min(b0 + 8u + (lane & 7u), p.batch - 1u);
    let dc = min(b0 + 16u + (lane & 7u), p.batch - 1u);
    let dd = min(b0 + 24u + (lane & 7u), p.batch - 1u);
    let col = min(i0, p.inputs - 4u) / 4u;

    var c: Block16; // rows b0..b0+15
    var e: Block16; // rows b0+16..b0+31 (BR = 32)

    for (var k = 0u; k < out4; k++) {
        // Column c of m is weight row 4k + c at inputs i0..i0+3: m * g = Σ_c g[c] · row 4k + c.
        let o = 4u * k;
        let m = mat4x4<f32>(load_w(o, col), load_w(o + 1u, col), load_w(o + 2u, col), load_w(o + 3u, col));
        fold_rows16(&c, m, load_dy(da, k), load_dy(db, k));
        if BR > 16u {
            fold_rows16(&e, m, load_dy(dc, k), load_dy(dd, k));
        }
    }

    store_rows16(b0, i0, c);
    if BR > 16u { store_rows16(b0 + 16u, i0, e); }
}
