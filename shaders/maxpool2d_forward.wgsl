// maxpool2d_forward: max over each window, no padding, floor mode (PyTorch's max_pool2d default).
//   y[n, c, oy, ox] = max_{ky, kx < window} x[n, c, oy·s + ky, ox·s + kx]
//   argmax[n, c, oy, ox] = iy·W + ix of that maximum in its plane (first in row-major order on ties),
//   kept for maxpool2d_backward.
// Layouts, row-major: x [N, C, H, W], y and argmax [N, C, OH, OW]. One invocation per output element
// (pooling is a few loads per output: memory-bound, nothing to block).
// Bindings: 0 params (uniform), 1 x, 2 y, 3 argmax (u32).

struct Params {
    planes: u32, h: u32, w: u32, out_h: u32,
    out_w: u32, window: u32, stride: u32, _pad0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let o = (wid.y * nwg.x + wid.x) * 64u + lid;
    let out_plane = p.out_h * p.out_w;
    if o >= p.planes * out_plane { return; }
    let base = (o / out_plane) * p.h * p.w;
    let r = o % out_plane;
    let iy0 = (r / p.out_w) * p.stride;
    let ix0 = (r % p.out_w) * p.stride;
    var best = -3.4028235e38;
    var best_at = iy0 * p.w + ix0;
    var first = true;
    for (var ky = 0u; ky < p.window; ky++) {
        for (var kx = 0u; kx < p.window; kx++) {
            let at = (iy0 + ky) * p.w + ix0 + kx;
            let v = x[base + at];
            if first || v > best {
                best = v;
                best_at = at;
                first = false;
            }
        }
    }
    y[o] = best;
    argmax[o] = best_at;
}
