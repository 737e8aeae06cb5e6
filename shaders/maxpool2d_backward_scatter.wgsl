// maxpool2d_backward_scatter: maxpool2d_backward for windows that do not overlap (stride >=
// window, the network's 2×2 stride 2), one invocation per pooled output instead of per input.
//   Output (oy, ox) owns the inputs iy in [oy·s, next_y), ix in [ox·s, next_x), where next is the
//   next window's start, or H / W for the last one (so the inputs no window covers, floor mode's
//   leftovers, get their zero too):
//   dx[n, c, iy, ix] = dy[n, c, oy, ox] where iy·W + ix = argmax[n, c, oy, ox], else 0.
//   When params.relu_mask != 0, ReLU's backward is fused in through the pooled value y: the
//   maximum's input equals y, so it was positive exactly when y > 0 (dx = 0 otherwise). Reading
//   y once per output replaces reading the ReLU output once per input.
// Three loads per output and a store per input (the gather reads two or three per input).
// Layouts, row-major: dy, argmax and y [N, C, OH, OW], dx [N, C, H, W].
// Bindings: 0 params (uniform), 1 dy, 2 argmax (u32), 3 y (read only for the mask), 4 dx.

// Params, bindings 0-3 and pooled_gradient: shaders/common/maxpool2d_scatter.wgsl, joined in front.
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let o = (wid.y * nwg.x + wid.x) * 64u + lid;
    let out_plane = p.out_h * p.out_w;
    if o >= p.planes * out_plane { return; }
    let at = o % out_plane;
    let oy = at / p.out_w;
    let ox = at % p.out_w;
    let y0 = oy * p.stride;
    let x0 = ox * p.stride;
    let y1 = select((oy + 1u) * p.stride, p.h, oy + 1u == p.out_h);
    let x1 = select((ox + 1u) * p.stride, p.w, ox + 1u == p.out_w);
    let g = pooled_gradient(o);
    let winner = argmax[o];
    let base = (o / out_plane) * p.h * p.w;
    for (var iy = y0; iy < y1; iy++) {
        for (var ix = x0; ix < x1; ix++) {
            let i = iy * p.w + ix;
            dx[base + i] = select(0.0, g, i == winner);
        }
    }
}
