// maxpool2d_backward_pairs: maxpool2d_backward_scatter for 2×2 windows at stride 2 over an even
// H and W (no leftover row or column), one invocation per pooled output:
//   dx[n, c, iy, ix] = dy[n, c, oy, ox] where iy·W + ix = argmax[n, c, oy, ox], else 0,
//   for iy in {2·oy, 2·oy + 1}, ix in {2·ox, 2·ox + 1}; with params.relu_mask != 0 the pooled
//   value y masks it (0 where y ≤ 0), as in the scatter form.
// Each window's two rows are stored as two vec2 (W even: every row pair starts at an even
// index): three loads and two stores per output instead of three and four. On lavapipe every
// storage access costs about the same per lane whatever its width, so the count is the cost.
// Layouts, row-major: dy, argmax and y [N, C, OH, OW], dx [N, C, H, W] read as vec2 pairs.
// Bindings: 0 params (uniform), 1 dy, 2 argmax (u32), 3 y (read only for the mask), 4 dx.

// Params, bindings 0-3 and pooled_gradient: shaders/common/maxpool2d_scatter.wgsl, joined in front.
@group(0) @binding(4) var<storage, read_write> dx: array<vec2<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let o = (wid.y * nwg.x + wid.x) * 64u + lid;
    if o >= p.planes * p.out_h * p.out_w { return; }
    // Two divisions per output instead of four (lavapipe divides lane by lane).
    let row = o / p.out_w;      // pooled row over all planes
    let ox = o - row * p.out_w;
    let plane = row / p.out_h;
    let oy = row - plane * p.out_h;
    let g = pooled_gradient(o);
    let winner = argmax[o];
    let base = plane * p.h * p.w;
    let top = 2u * oy * p.w + 2u * ox;
    let bottom = top + p.w;
    dx[(base + top) / 2u] = vec2<f32>(select(0.0, g, winner == top), select(0.0, g, winner == top + 1u));
    dx[(base + bottom) / 2u] = vec2<f32>(select(0.0, g, winner == bottom), select(0.0, g, winner == bottom + 1u));
}
