// linear_forward_subgroup: linear_forward.wgsl's sums with vec4 loads along the reduction and
// the rows of x shared through the subgroup.
//   y[b, o] = bias[o] + Σ_i x[b, i] · weight[o, i]      (then ReLU when params.relu != 0)
// Layouts, row-major: x [B, I], weight [O, I] (PyTorch's nn.Linear), bias [O], y [B, O];
// needs I % 4 == 0 (x and weight are read as vec4 along i; the launcher falls back to the
// blocked kernel otherwise) and subgroups of at least 8 lanes.
// One invocation computes a 16-row × 4-output block. Every invocation of a workgroup takes the
// same 16 rows (a workgroup covers 64 consecutive 4-output blocks; past the outputs its
// invocations compute a clamped copy and store nothing), so per 4 inputs lane j < 8 loads rows
// j and 8 + j of x as two vec4 and subgroupBroadcast hands them to the others: 2 + 4 vec4 loads
// per 256 multiply-adds, against 64 scalar loads in linear_forward.wgsl.
// Split-K as in linear_forward.wgsl: with params.splits > 1 split s sums inputs
// [s·chunk, (s+1)·chunk) into y[s, b, o] (raw, for linear_reduce.wgsl).
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

// Params and binding 0: shaders/common/linear_forward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
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

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let groups_o = ((p.outputs + 3u) / 4u + 63u) / 64u;
    let per_split = ((p.batch + 15u) / 16u) * groups_o;
    if group >= per_split * p.splits { return; } // the whole workgroup: uniform
    let s = group / per_split;
    let t = group % per_split;
    let b0 = (t / groups_o) * 16u;
    let o0 = ((t % groups_o) * 64u + lid) * 4u;
    let row4 = p.inputs / 4u; // vec4s per row
    // The two rows of x this lane loads for its subgroup, and the four weight rows it uses.
    let xa = min(b0 + (lane & 7u), p.batch - 1u) * row4;
    let xb = min(b0 + 8u + (lane & 7u), p.batch - 1u) * row4;
    let w0 = min(o0, p.outputs - 1u) * row4;
    let w1 = min(o0 + 1u, p.outputs - 1u) * row4;
    let w2 = min(o0 + 2u, p.outputs - 1u) * row4;
    let w3 = min(o0 + 3u, p.outputs - 1u) * row4;

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    let k_begin = s * p.chunk / 4u;
    let k_end = min(p.inputs, (s + 1u) * p.chunk) / 4u;
    for (var k = k_begin; k < k_end; k++) {
        // Column c of m is weight row o0 + c: v * m = (dot(v, row o0), …, dot(v, row o0 + 3)).
        let m = mat4x4<f32>(weight[w0 + k], weight[w1 + k], weight[w2 + k], weight[w3 + k]);
        let va = x[xa + k];
        let vb = x[xb + k];
        c0 += subgroupBroadcast(va, 0u) * m; c1 += subgroupBroadcast(va, 1u) * m;
        c2 += subgroupBroadcast(va, 2u) * m; c3 += subgroupBroadcast(va, 3u) * m;
        c4 += subgroupBroadcast(va, 4u) * m; c5 += subgroupBroadcast(va, 5u) * m;
        c6 += subgroupBroadcast(va, 6u) * m; c7 += subgroupBroadcast(va, 7u) * m;
        c8 += subgroupBroadcast(vb, 0u) * m; c9 += subgroupBroadcast(vb, 1u) * m;
        c10 += subgroupBroadcast(vb, 2u) * m; c11 += subgroupBroadcast(vb, 3u) * m;
        c12 += subgroupBroadcast(vb, 4u) * m; c13 += subgroupBroadcast(vb, 5u) * m;
        c14 += subgroupBroadcast(vb, 6u) * m; c15 += subgroupBroadcast(vb, 7u) * m;
    }

    store(s, b0 + 0u, o0, c0); store(s, b0 + 1u, o0, c1); store(s, b0 + 2u, o0, c2); store(s, b0 + 3u, o0, c3);
    store(s, b0 + 4u, o0, c4); store(s, b0 + 5u, o0, c5); store(s, b0 + 6u, o0, c6); store(s, b0 + 7u, o0, c7);
    store(s, b0 + 8u, o0, c8); store(s, b0 + 9u, o0, c9); store(s, b0 + 10u, o0, c10); store(s, b0 + 11u, o0, c11);
    store(s, b0 + 12u, o0, c12); store(s, b0 + 13u, o0, c13); store(s, b0 + 14u, o0, c14); store(s, b0 + 15u, o0, c15);
}
