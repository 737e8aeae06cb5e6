// maxpool2d_backward: routes each output's gradient to the input its window took the maximum from.
//   dx[n, c, iy, ix] = Σ_{windows (oy, ox) containing (iy, ix) with argmax = iy·W + ix} dy[n, c, oy, ox]
//   When params.relu_mask != 0, ReLU's backward is fused in: dx = 0 where x (the pooled input,
//   itself a ReLU output) is not positive.
// A gather, one invocation per input element, so overlapping windows need no atomics.
// Layouts, row-major: dy and argmax [N, C, OH, OW], x and dx [N, C, H, W].
// Bindings: 0 params (uniform), 1 dy, 2 argmax (u32), 3 x (read only for the mask), 4 dx.

struct Params {
    planes: u32, h: u32, w: u32, out_h: u32,
    out_w: u32, window: u32, stride: u32, relu_mask: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<u32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    let plane = p.h * p.w;
    if i >= p.planes * plane { return; }
    let at = i % plane;
    let iy = at / p.w;
    let ix = at % p.w;
    let ob = (i / plane) * p.out_h * p.out_w;
    var g = 0.0;
    if p.window <= p.stride {
        // Windows that do not overlap (the usual 2×2, stride 2): at most one contains the
        // input, found with one division per axis instead of four.
        let oy = iy / p.stride;
        let ox = ix / p.stride;
        if oy < p.out_h && ox < p.out_w && iy - oy * p.stride < p.window && ix - ox * p.stride < p.window {
            let o = ob + oy * p.out_w + ox;
            if argmax[o] == at { g = dy[o]; }
        }
    } else {
        // Windows oy with oy·s <= iy < oy·s + window, clipped to the output.
        let oy_lo = select(0u, (iy + 1u - p.window + p.stride - 1u) / p.stride, iy + 1u > p.window);
        let ox_lo = select(0u, (ix + 1u - p.window + p.stride - 1u) / p.stride, ix + 1u > p.window);
        let oy_hi = min(iy / p.stride + 1u, p.out_h);
        let ox_hi = min(ix / p.stride + 1u, p.out_w);
        for (var oy = oy_lo; oy < oy_hi; oy++) {
            for (var ox = ox_lo; ox < ox_hi; ox++) {
                let o = ob + oy * p.out_w + ox;
                if argmax[o] == at { g += dy[o]; }
            }
        }
    }
    if p.relu_mask != 0u && !(x[i] > 0.0) { g = 0.0; }
    dx[i] = g;
}
