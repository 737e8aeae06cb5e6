// The body of linear_forward_subgroup (shaders/linear_forward_subgroup.wgsl: what it computes,
// its layouts and its work per invocation), shared by its two readers of x: storage (that file)
// and texels (linear_forward_subgroup_texels.wgsl, x gathered from its texel mirror). Each
// defines binding 1 and
//   fn load_x(row: u32, k: u32) -> vec4<f32>   // x[row, 4k..4k+3]
//   fn load_w(o: u32, k: u32) -> vec4<f32>     // weight[o, 4k..4k+3]
// and bindings 1 (x) and 2 (weight), which is all they differ in: a storage load of a lane's own
// values is a loop over the SIMD lanes on lavapipe, a texel fetch a vector gather; the sums are
// the same.

// BR, WG (the block and workgroup), params and binding 0: joined in front by the catalogue
// (shaders/common/linear_forward.wgsl); bindings 1 and 2 (x, weight), load_x and load_w: the
// reader's, joined after.
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// Writes row b of the block: outputs o0..o0+3.
fn store(s: u32, b: u32, o0: u32, acc: vec4<f32>) {
    if b >= p.batch { return; }
    for (var j = 0u; j < 4u; j++) {
        let o = o0 + j;
        if o >= p.outputs { return; }
        if p.splits > 1u {
            y[(s * p.batch + b) * p.outputs + o] = acc[j];
        } else {
            var v = acc[j] + bias[o];
            if p.relu != 0u { v = max(v, 0.0); }
            y[b * p.outputs + o] = v;
        }
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let groups_o = ((p.outputs + 3u) / 4u + WG - 1u) / WG;
    let per_split = ((p.batch + BR - 1u) / BR) * groups_o;
    if group >= per_split * p.splits { return; } // the whole workgroup: uniform
    let s = group / per_split;
    let t = group % per_split;
    let b0 = (t / groups_o) * BR;
    let o0 = ((t % groups_o) * WG + lid) * 4u;
    // The rows of x this lane loads for its subgroup (two, or four at BR = 32), and the four
    // weight rows it uses.
    let xa = min(b0 + (lane & 7u), p.batch - 1u);
    let xb = min(b0 + 8u + (lane & 7u), p.batch - 1u);
    let xc = min(b0 + 16u + (lane & 7u), p.batch - 1u);
    let xd = min(b0 + 24u + (lane & 7u), p.batch - 1u);
    let w0 = min(o0, p.outputs - 1u);
    let w1 = min(o0 + 1u, p.outputs - 1u);
    let w2 = min(o0 + 2u, p.outputs - 1u);
    let w3 = min(o0 + 3u, p.outputs - 1u);

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);
    var e0 = vec4<f32>(0.0); var e1 = vec4<f32>(0.0); var e2 = vec4<f32>(0.0); var e3 = vec4<f32>(0.0);
    var e4 = vec4<f32>(0.0); var e5 = vec4<f32>(0.0); var e6 = vec4<f32>(0.0); var e7 = vec4<f32>(0.0);
    var e8 = vec4<f32>(0.0); var e9 = vec4<f32>(0.0); var e10 = vec4<f32>(0.0); var e11 = vec4<f32>(0.0);
    var e12 = vec4<f32>(0.0); var e13 = vec4<f32>(0.0); var e14 = vec4<f32>(0.0); var e15 = vec4<f32>(0.0);

    let k_begin = s * p.chunk / 4u;
    let k_end = min(p.inputs, (s + 1u) * p.chunk) / 4u;
    for (var k = k_begin; k < k_end; k++) {
        // Column c of m is weight row o0 + c: v * m = (dot(v, row o0), …, dot(v, row o0 + 3)).
        let m = mat4x4<f32>(load_w(w0, k), load_w(w1, k), load_w(w2, k), load_w(w3, k));
        let va = load_x(xa, k);
        let vb = load_x(xb, k);
        c0 += subgroupBroadcast(va, 0u) * m; c1 += subgroupBroadcast(va, 1u) * m;
        c2 += subgroupBroadcast(va, 2u) * m; c3 += subgroupBroadcast(va, 3u) * m;
        c4 += subgroupBroadcast(va, 4u) * m; c5 += subgroupBroadcast(va, 5u) * m;
        c6 += subgroupBroadcast(va, 6u) * m; c7 += subgroupBroadcast(va, 7u) * m;
        c8 += subgroupBroadcast(vb, 0u) * m; c9 += subgroupBroadcast(vb, 1u) * m;
        c10 += subgroupBroadcast(vb, 2u) * m; c11 += subgroupBroadcast(vb, 3u) * m;
        c12 += subgroupBroadcast(vb, 4u) * m; c13 += subgroupBroadcast(vb, 5u) * m;
        c14 += subgroupBroadcast(vb, 6u) * m; c15 += subgroupBroadcast(vb, 7u) * m;
        if BR > 16u {
            let vc = load_x(xc, k);
            let vd = load_x(xd, k);
            e0 += subgroupBroadcast(vc, 0u) * m; e1 += subgroupBroadcast(vc, 1u) * m;
            e2 += subgroupBroadcast(vc, 2u) * m; e3 += subgroupBroadcast(vc, 3u) * m;
            e4 += subgroupBroadcast(vc, 4u) * m; e5 += subgroupBroadcast(vc, 5u) * m;
            e6 += subgroupBroadcast(vc, 6u) * m; e7 += subgroupBroadcast(vc, 7u) * m;
            e8 += subgroupBroadcast(vd, 0u) * m; e9 += subgroupBroadcast(vd, 1u) * m;
            e10 += subgroupBroadcast(vd, 2u) * m; e11 += subgroupBroadcast(vd, 3u) * m;
            e12 += subgroupBroadcast(vd, 4u) * m; e13 += subgroupBroadcast(vd, 5u) * m;
            e14 += subgroupBroadcast(vd, 6u) * m; e15 += subgroupBroadcast(vd, 7u) * m;
        }
    }

    store(s, b0 + 0u, o0, c0); store(s, b0 + 1u, o0, c1); store(s, b0 + 2u, o0, c2); store(s, b0 + 3u, o0, c3);
    store(s, b0 + 4u, o0, c4); store(s, b0 + 5u, o0, c5); store(s, b0 + 6u, o0, c6); store(s, b0 + 7u, o0, c7);
    store(s, b0 + 8u, o0, c8); store(s, b0 + 9u, o0, c9); store(s, b0 + 10u, o0, c10); store(s, b0 + 11u, o0, c11);
    store(s, b0 + 12u, o0, c12); store(s, b0 + 13u, o0, c13); store(s, b0 + 14u, o0, c14); store(s, b0 + 15u, o0, c15);
    if BR > 16u {
        store(s, b0 + 16u, o0, e0); store(s, b0 + 17u, o0, e1);
        store(s, b0 + 18u, o0, e2); store(s, b0 + 19u, o0, e3);
        store(s, b0 + 20u, o0, e4); store(s, b0 + 21u, o0, e5);
        store(s, b0 + 22u, o0, e6); store(s, b0 + 23u, o0, e7);
        store(s, b0 + 24u, o0, e8); store(s, b0 + 25u, o0, e9);
        store(s, b0 + 26u, o0, e10); store(s, b0 + 27u, o0, e11);
        store(s, b0 + 28u, o0, e12); store(s, b0 + 29u, o0, e13);
        store(s, b0 + 30u, o0, e14); store(s, b0 + 31u, o0, e15);
    }
}
