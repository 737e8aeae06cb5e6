// linear_backward_input: the gradient of the linear layer's input.
//   dx[b, i] = Σ_o dy[b, o] · weight[o, i]
//   With params.accumulate != 0 the result is added to dx instead of replacing it.
// Layouts, row-major: dy [B, O], weight [O, I], dx [B, I].
// A GEMM with rows b, columns i and reduction o. One invocation computes a BR-row × BC-input block
// (BR, BC each 4 or 8: the shape's constants, joined in front by the catalogue; the parts a smaller
// block does not use sit behind `if` on them, which the compiler removes — see linear_forward.wgsl).
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// Params and binding 0: shaders/common/linear_backward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

fn store(i: u32, b0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if i >= p.inputs { return; }
    for (var j = 0u; j < BR; j++) {
        let b = b0 + j;
        if b >= p.batch { return; }
        var v: f32;
        if j < 4u { v = lo[j]; } else { v = hi[j - 4u]; }
        let idx = b * p.inputs + i;
        if p.accumulate != 0u { v += dx[idx]; }
        dx[idx] = v;
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let tiles_b = (p.batch + BR - 1u) / BR;
    let tiles_i = (p.inputs + BC - 1u) / BC;
    if inv >= tiles_b * tiles_i { return; }
    let i0 = (inv % tiles_i) * BC;
    let b0 = (inv / tiles_i) * BR;
    var gr: array<u32, 8>;
    var wc: array<u32, 8>;
    for (var j = 0u; j < 8u; j++) {
        gr[j] = min(b0 + min(j, BR - 1u), p.batch - 1u) * p.outputs;
        wc[j] = min(i0 + min(j, BC - 1u), p.inputs - 1u);
    }

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    for (var o = 0u; o < p.outputs; o++) {
        let lo = vec4<f32>(dy[gr[0] + o], dy[gr[1] + o], dy[gr[2] + o], dy[gr[3] + o]);
        let row = o * p.inputs;
        let w0 = weight[row + wc[0]]; let w1 = weight[row + wc[1]];
        let w2 = weight[row + wc[2]]; let w3 = weight[row + wc[3]];
        c0l += lo * w0; c1l += lo * w1; c2l += lo * w2; c3l += lo * w3;
        if BR > 4u {
            let hi = vec4<f32>(dy[gr[4] + o], dy[gr[5] + o], dy[gr[6] + o], dy[gr[7] + o]);
            c0h += hi * w0; c1h += hi * w1; c2h += hi * w2; c3h += hi * w3;
            if BC > 4u {
                let w4 = weight[row + wc[4]]; let w5 = weight[row + wc[5]];
                let w6 = weight[row + wc[6]]; let w7 = weight[row + wc[7]];
                c4l += lo * w4; c4h += hi * w4; c5l += lo * w5; c5h += hi * w5;
                c6l += lo * w6; c6h += hi * w6; c7l += lo * w7; c7h += hi * w7;
            }
        } else if BC > 4u {
            let w4 = weight[row + wc[4]]; let w5 = weight[row + wc[5]];
            let w6 = weight[row + wc[6]]; let w7 = weight[row + wc[7]];
            c4l += lo * w4; c5l += lo * w5; c6l += lo * w6; c7l += lo * w7;
        }
    }

    store(i0 + 0u, b0, c0l, c0h); store(i0 + 1u, b0, c1l, c1h);
    store(i0 + 2u, b0, c2l, c2h); store(i0 + 3u, b0, c3l, c3h);
    if BC > 4u {
        store(i0 + 4u, b0, c4l, c4h); store(i0 + 5u, b0, c5l, c5h);
        store(i0 + 6u, b0, c6l, c6h); store(i0 + 7u, b0, c7l, c7h);
    }
}
