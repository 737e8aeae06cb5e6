// The body of linear_backward_weight_subgroup (shaders/linear_backward_weight_subgroup.wgsl: what
// it computes, its layouts and its work per invocation), shared by its two readers of x: storage
// (that file) and texels (linear_backward_weight_subgroup_texels.wgsl, x gathered from its texel
// mirror, and dy from its own). Each defines bindings 1 (x) and 2 (dy) and
//   fn load_x(b: u32, i: u32) -> vec4<f32>   // x[b, i..i+3], (1, 0, 0, 0) at i = I, zeros past it
//   fn load_dy(b: u32, k: u32) -> vec4<f32>  // dy[b, 4k..4k+3]
// which is all they differ in: a storage load of a lane's own x is a loop over the SIMD lanes on
// lavapipe, a texel fetch a vector gather; the sums are the same.

// BR (the block's outputs), params and binding 0: joined in front by the catalogue
// (shaders/common/linear_backward.wgsl); bindings 1 and 2 (x, dy), load_x and load_dy: the
// reader's, joined after.
@group(0) @binding(3) var<storage, read_write> dweight: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dbias: array<f32>;

// Writes output o of the block: inputs i..i+3 as one vec4 (I % 4 == 0), or the bias gradient
// from the first lane of the vec4 that starts at column I.
fn store(o: u32, i: u32, acc: vec4<f32>) {
    if o >= p.outputs { return; }
    var v = acc;
    if i < p.inputs {
        let idx = o * (p.inputs / 4u) + i / 4u;
        if p.accumulate != 0u { v += dweight[idx]; }
        dweight[idx] = v;
    } else if i == p.inputs {
        var b = v.x;
        if p.accumulate != 0u { b += dbias[o]; }
        dbias[o] = b;
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let groups_i = ((p.inputs + 1u + 3u) / 4u + WG - 1u) / WG;
    if group >= ((p.outputs + BR - 1u) / BR) * groups_i { return; } // the whole workgroup: uniform
    let o0 = (group / groups_i) * BR;
    let i = ((group % groups_i) * WG + lid) * 4u;
    // The dy vec4 this lane loads for its subgroup: outputs o0 + 4·(lane mod BR/4), clamped
    // (outputs past the last are loaded as zeros and never stored).
    let mine = o0 + 4u * ((lane & 7u) % (BR / 4u));
    let d = min(mine, p.outputs - 4u) / 4u;
    let d_live = mine < p.outputs;

    var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0); var a5 = vec4<f32>(0.0); var a6 = vec4<f32>(0.0); var a7 = vec4<f32>(0.0);
    var e0 = vec4<f32>(0.0); var e1 = vec4<f32>(0.0); var e2 = vec4<f32>(0.0); var e3 = vec4<f32>(0.0);
    var e4 = vec4<f32>(0.0); var e5 = vec4<f32>(0.0); var e6 = vec4<f32>(0.0); var e7 = vec4<f32>(0.0);
    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    for (var b = 0u; b < p.batch; b++) {
        let v = load_x(b, i);
        let g = select(vec4<f32>(0.0), load_dy(b, d), d_live);
        let g0 = subgroupBroadcast(g, 0u);
        a0 += v * g0.x; a1 += v * g0.y; a2 += v * g0.z; a3 += v * g0.w;
        let g1 = subgroupBroadcast(g, 1u);
        a4 += v * g1.x; a5 += v * g1.y; a6 += v * g1.z; a7 += v * g1.w;
        if BR > 8u {
            let g2 = subgroupBroadcast(g, 2u);
            e0 += v * g2.x; e1 += v * g2.y; e2 += v * g2.z; e3 += v * g2.w;
            let g3 = subgroupBroadcast(g, 3u);
            e4 += v * g3.x; e5 += v * g3.y; e6 += v * g3.z; e7 += v * g3.w;
        }
        if BR > 16u {
            let g4 = subgroupBroadcast(g, 4u);
            c0 += v * g4.x; c1 += v * g4.y; c2 += v * g4.z; c3 += v * g4.w;
            let g5 = subgroupBroadcast(g, 5u);
            c4 += v * g5.x; c5 += v * g5.y; c6 += v * g5.z; c7 += v * g5.w;
            let g6 = subgroupBroadcast(g, 6u);
            c8 += v * g6.x; c9 += v * g6.y; c10 += v * g6.z; c11 += v * g6.w;
            let g7 = subgroupBroadcast(g, 7u);
            c12 += v * g7.x; c13 += v * g7.y; c14 += v * g7.z; c15 += v * g7.w;
        }
    }

    store(o0 + 0u, i, a0); store(o0 + 1u, i, a1); store(o0 + 2u, i, a2); store(o0 + 3u, i, a3);
    store(o0 + 4u, i, a4); store(o0 + 5u, i, a5); store(o0 + 6u, i, a6); store(o0 + 7u, i, a7);
    if BR > 8u {
        store(o0 + 8u, i, e0); store(o0 + 9u, i, e1); store(o0 + 10u, i, e2); store(o0 + 11u, i, e3);
        store(o0 + 12u, i, e4); store(o0 + 13u, i, e5); store(o0 + 14u, i, e6); store(o0 + 15u, i, e7);
    }
    if BR > 16u {
        store(o0 + 16u, i, c0); store(o0 + 17u, i, c1); store(o0 + 18u, i, c2); store(o0 + 19u, i, c3);
        store(o0 + 20u, i, c4); store(o0 + 21u, i, c5); store(o0 + 22u, i, c6); store(o0 + 23u, i, c7);
        store(o0 + 24u, i, c8); store(o0 + 25u, i, c9); store(o0 + 26u, i, c10); store(o0 + 27u, i, c11);
        store(o0 + 28u, i, c12); store(o0 + 29u, i, c13); store(o0 + 30u, i, c14); store(o0 + 31u, i, c15);
    }
}
