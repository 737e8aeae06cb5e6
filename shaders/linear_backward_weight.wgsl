// linear_backward_weight: the gradients of the linear layer's weight and bias.
//   dweight[o, i] = Σ_b dy[b, o] · x[b, i],   dbias[o] = Σ_b dy[b, o]
//   (computed together: column i = I of x is taken as 1, and its column of the result is dbias).
//   With params.accumulate != 0 the results are added to dweight/dbias instead of replacing them.
// Layouts, row-major: x [B, I], dy [B, O], dweight [O, I], dbias [O].
// A GEMM with rows o, columns i (+1) and reduction b (the batch, short: no split needed).
// One invocation computes an 8-output × 8-input block (8 + 8 loads, 64 multiply-adds per b).
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 dweight, 4 dbias.

// Params and binding 0: shaders/common/linear_backward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbias: array<f32>;

fn store(o: u32, i0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if o >= p.outputs { return; }
    for (var j = 0u; j < 8u; j++) {
        let i = i0 + j;
        if i > p.inputs { return; }
        var v: f32;
        if j < 4u { v = lo[j]; } else { v = hi[j - 4u]; }
        if i < p.inputs {
            let idx = o * p.inputs + i;
            if p.accumulate != 0u { v += dweight[idx]; }
            dweight[idx] = v;
        } else {
            if p.accumulate != 0u { v += dbias[o]; }
            dbias[o] = v;
        }
    }
}

// x[b, i], or 1 for the bias column i = I.
fn load_x(row: u32, i: u32) -> f32 {
    return select(x[row + min(i, p.inputs - 1u)], 1.0, i >= p.inputs);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let tiles_i = (p.inputs + 1u + 7u) / 8u;
    let tiles_o = (p.outputs + 7u) / 8u;
    if inv >= tiles_i * tiles_o { return; }
    let i0 = (inv % tiles_i) * 8u;
    let o0 = (inv / tiles_i) * 8u;
    var oc: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {
        oc[j] = min(o0 + j, p.outputs - 1u);
    }

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    for (var b = 0u; b < p.batch; b++) {
        let xr = b * p.inputs;
        let lo = vec4<f32>(load_x(xr, i0), load_x(xr, i0 + 1u), load_x(xr, i0 + 2u), load_x(xr, i0 + 3u));
        let hi = vec4<f32>(load_x(xr, i0 + 4u), load_x(xr, i0 + 5u), load_x(xr, i0 + 6u), load_x(xr, i0 + 7u));
        let gr = b * p.outputs;
        let g0 = dy[gr + oc[0]]; let g1 = dy[gr + oc[1]];
        let g2 = dy[gr + oc[2]]; let g3 = dy[gr + oc[3]];
        let g4 = dy[gr + oc[4]]; let g5 = dy[gr + oc[5]];
        let g6 = dy[gr + oc[6]]; let g7 = dy[gr + oc[7]];
        c0l += lo * g0; c0h += hi * g0;
        c1l += lo * g1; c1h += hi * g1;
        c2l += lo * g2; c2h += hi * g2;
        c3l += lo * g3; c3h += hi * g3;
        c4l += lo * g4; c4h += hi * g4;
        c5l += lo * g5; c5h += hi * g5;
        c6l += lo * g6; c6h += hi * g6;
        c7l += lo * g7; c7h += hi * g7;
    }

    store(o0 + 0u, i0, c0l, c0h); store(o0 + 1u, i0, c1l, c1h);
    store(o0 + 2u, i0, c2l, c2h); store(o0 + 3u, i0, c3l, c3h);
    store(o0 + 4u, i0, c4l, c4h); store(o0 + 5u, i0, c5l, c5h);
    store(o0 + 6u, i0, c6l, c6h); store(o0 + 7u, i0, c7l, c7h);
}
