// linear_backward_weight_vec4: linear_backward_weight.wgsl's sums with vec4 loads (the subgroup
// variant's kernel for this pass: the rows it reads differ per invocation, so nothing is
// broadcast; the vec4 loads are what pays).
//   dweight[o, i] = Σ_b dy[b, o] · x[b, i],   dbias[o] = Σ_b dy[b, o]
//   (computed together: column i = I of x is taken as 1, and its column of the result is dbias).
//   With params.accumulate != 0 the results are added to dweight/dbias instead of replacing them.
// Layouts, row-major: x [B, I], dy [B, O], dweight [O, I], dbias [O]; needs I % 4 == 0 and
// O % 4 == 0 (the launcher falls back to the blocked kernel otherwise).
// One invocation computes an 8-output × 8-input block: per b, 2 vec4 loads of dy and 2 of x for
// 64 multiply-adds (linear_backward_weight.wgsl: 16 scalar loads), and stores it as 16 vec4s.
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 dweight, 4 dbias.

// Params and binding 0: shaders/common/linear_backward.wgsl, joined in front by the catalogue.
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> dweight: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dbias: array<f32>;

// Writes output o of the block: inputs i0..i0+7 as whole vec4s (I % 4 == 0), and the bias
// gradient from the first lane of the vec4 that starts at column I.
fn store(o: u32, i0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if o >= p.outputs { return; }
    let row4 = o * (p.inputs / 4u);
    for (var half = 0u; half < 2u; half++) {
        let i = i0 + 4u * half;
        var v = select(lo, hi, half == 1u);
        if i < p.inputs {
            let idx = row4 + i / 4u;
            if p.accumulate != 0u { v += dweight[idx]; }
            dweight[idx] = v;
        } else if i == p.inputs {
            var b = v.x;
            if p.accumulate != 0u { b += dbias[o]; }
            dbias[o] = b;
        }
    }
}

// x[b, i..i+3] for i a multiple of 4: (1, 0, 0, 0) at the bias column i = I, zeros past it.
fn load_x(row4: u32, i: u32) -> vec4<f32> {
    let v = x[row4 + min(i, p.inputs - 4u) / 4u];
    return select(select(vec4<f32>(0.0), vec4<f32>(1.0, 0.0, 0.0, 0.0), i == p.inputs), v, i < p.inputs);
}

// dy[b, o..o+3] for o a multiple of 4, zeros past the outputs.
fn load_dy(row4: u32, o: u32) -> vec4<f32> {
    return select(vec4<f32>(0.0), dy[row4 + min(o, p.outputs - 4u) / 4u], o < p.outputs);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let inv = (wid.y * nwg.x + wid.x) * WG + lid;
    let tiles_i = (p.inputs + 1u + 7u) / 8u;
    let tiles_o = (p.outputs + 7u) / 8u;
    if inv >= tiles_i * tiles_o { return; }
    // Neighbouring invocations take neighbouring inputs of the same outputs.
    let i0 = (inv % tiles_i) * 8u;
    let o0 = (inv / tiles_i) * 8u;

    var c0l = vec4<f32>(0.0); var c0h = vec4<f32>(0.0);
    var c1l = vec4<f32>(0.0); var c1h = vec4<f32>(0.0);
    var c2l = vec4<f32>(0.0); var c2h = vec4<f32>(0.0);
    var c3l = vec4<f32>(0.0); var c3h = vec4<f32>(0.0);
    var c4l = vec4<f32>(0.0); var c4h = vec4<f32>(0.0);
    var c5l = vec4<f32>(0.0); var c5h = vec4<f32>(0.0);
    var c6l = vec4<f32>(0.0); var c6h = vec4<f32>(0.0);
    var c7l = vec4<f32>(0.0); var c7h = vec4<f32>(0.0);

    for (var b = 0u; b < p.batch; b++) {
        let xr = b * (p.inputs / 4u);
        let dr = b * (p.outputs / 4u);
        let lo = load_x(xr, i0);
        let hi = load_x(xr, i0 + 4u);
        let ga = load_dy(dr, o0);
        let gb = load_dy(dr, o0 + 4u);
        c0l += lo * ga.x; c0h += hi * ga.x;
        c1l += lo * ga.y; c1h += hi * ga.y;
        c2l += lo * ga.z; c2h += hi * ga.z;
        c3l += lo * ga.w; c3h += hi * ga.w;
        c4l += lo * gb.x; c4h += hi * gb.x;
        c5l += lo * gb.y; c5h += hi * gb.y;
        c6l += lo * gb.z; c6h += hi * gb.z;
        c7l += lo * gb.w; c7h += hi * gb.w;
    }

    store(o0 + 0u, i0, c0l, c0h); store(o0 + 1u, i0, c1l, c1h);
    store(o0 + 2u, i0, c2l, c2h); store(o0 + 3u, i0, c3l, c3h);
    store(o0 + 4u, i0, c4l, c4h); store(o0 + 5u, i0, c5l, c5h);
    store(o0 + 6u, i0, c6l, c6h); store(o0 + 7u, i0, c7l, c7h);
}
