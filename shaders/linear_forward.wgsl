// linear_forward: y = x · weightᵀ + bias, then ReLU when params.relu != 0.
//   y[b, o] = bias[o] + Σ_i x[b, i] · weight[o, i]
// Layouts, row-major: x [B, I], weight [O, I] (PyTorch's nn.Linear), bias [O], y [B, O].
// A GEMM with rows b, columns o and reduction i. One invocation computes a BR-row × BC-output
// block (BR + BC loads, BR·BC multiply-adds per i) in vec4 accumulators of 4 rows each. BR and BC
// (each 4 or 8) are the shape's constants, joined in front by the catalogue; the accumulators are
// written out by name (an indexed private array costs memory traffic on lavapipe, 1.9× slower
// measured) and the parts a smaller shape does not use sit behind `if` on the constants, which the
// shader compiler removes.
// Split-K: with params.splits > 1 the reduction is cut into chunks of `chunk` inputs, split s
// taking inputs [s·chunk, (s+1)·chunk); each writes its raw partial sums (no bias, no ReLU) to
// y[s, b, o] (y is then a [splits, B, O] scratch) and linear_reduce.wgsl finishes them. A long
// reduction (the shared layer's 6400 inputs) thus gives a big GPU enough invocations, each with
// a short loop.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

// Params and binding 0: shaders/common/linear_forward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

fn store(s: u32, o: u32, b0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if o >= p.outputs { return; }
    for (var j = 0u; j < BR; j++) {
        let b = b0 + j;
        if b >= p.batch { return; }
        var v: f32;
        if j < 4u { v = lo[j]; } else { v = hi[j - 4u]; }
        if p.splits > 1u {
            y[(s * p.batch + b) * p.outputs + o] = v;
        } else {
            v += bias[o];
            if p.relu != 0u { v = max(v, 0.0); }
            y[b * p.outputs + o] = v;
        }
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let tiles_b = (p.batch + BR - 1u) / BR;
    let tiles_o = (p.outputs + BC - 1u) / BC;
    let tiles = tiles_b * tiles_o;
    if inv >= tiles * p.splits { return; }
    let s = inv / tiles;
    let t = inv % tiles;
    // Neighbouring invocations take neighbouring outputs: they read the same rows of x.
    let o0 = (t % tiles_o) * BC;
    let b0 = (t / tiles_o) * BR;
    let k_end = min(p.inputs, (s + 1u) * p.chunk);
    var xr: array<u32, 8>;
    var wr: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {
        xr[j] = min(b0 + min(j, BR - 1u), p.batch - 1u) * p.inputs;
        wr[j] = min(o0 + min(j, BC - 1u), p.outputs - 1u) * p.inputs;
    }

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    for (var i = s * p.chunk; i < k_end; i++) {
        let lo = vec4<f32>(x[xr[0] + i], x[xr[1] + i], x[xr[2] + i], x[xr[3] + i]);
        let w0 = weight[wr[0] + i]; let w1 = weight[wr[1] + i];
        let w2 = weight[wr[2] + i]; let w3 = weight[wr[3] + i];
        c0l += lo * w0; c1l += lo * w1; c2l += lo * w2; c3l += lo * w3;
        if BR > 4u {
            let hi = vec4<f32>(x[xr[4] + i], x[xr[5] + i], x[xr[6] + i], x[xr[7] + i]);
            c0h += hi * w0; c1h += hi * w1; c2h += hi * w2; c3h += hi * w3;
            if BC > 4u {
                let w4 = weight[wr[4] + i]; let w5 = weight[wr[5] + i];
                let w6 = weight[wr[6] + i]; let w7 = weight[wr[7] + i];
                c4l += lo * w4; c4h += hi * w4; c5l += lo * w5; c5h += hi * w5;
                c6l += lo * w6; c6h += hi * w6; c7l += lo * w7; c7h += hi * w7;
            }
        } else if BC > 4u {
            let w4 = weight[wr[4] + i]; let w5 = weight[wr[5] + i];
            let w6 = weight[wr[6] + i]; let w7 = weight[wr[7] + i];
            c4l += lo * w4; c5l += lo * w5; c6l += lo * w6; c7l += lo * w7;
        }
    }

    store(s, o0 + 0u, b0, c0l, c0h); store(s, o0 + 1u, b0, c1l, c1h);
    store(s, o0 + 2u, b0, c2l, c2h); store(s, o0 + 3u, b0, c3l, c3h);
    if BC > 4u {
        store(s, o0 + 4u, b0, c4l, c4h); store(s, o0 + 5u, b0, c5l, c5h);
        store(s, o0 + 6u, b0, c6l, c6h); store(s, o0 + 7u, b0, c7l, c7h);
    }
}
