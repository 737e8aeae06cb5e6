// maxpool2d_backward_quads: maxpool2d_backward_pairs four pooled outputs at a time, for 2×2
// windows at stride 2 over an even H and W and a pooled output whose length is a multiple of 4:
//   dx[n, c, iy, ix] = dy[n, c, oy, ox] where iy·W + ix = argmax[n, c, oy, ox], else 0,
//   for iy in {2·oy, 2·oy + 1}, ix in {2·ox, 2·ox + 1}; with params.relu_mask != 0 the pooled
//   value y masks it (0 where y ≤ 0), as in the scatter form.
// One invocation takes pooled outputs 4q..4q+3 in flat order (they may straddle a row or a
// plane: each finds its own place): dy, argmax and y read as one vec4 each, and each window's two
// rows stored as two vec2: 3 loads and 8 stores per 4 outputs, against 12 and 8 in the pairs
// form. On lavapipe every storage access costs about the same per lane whatever its width, so
// the count is the cost.
// Layouts, row-major: dy, argmax and y [N, C, OH, OW] read as vec4s, dx [N, C, H, W] as vec2s.
// Bindings: 0 params (uniform), 1 dy, 2 argmax (u32), 3 y (read only for the mask), 4 dx.

// Params, bindings 0–3 and pooled_gradients(): shaders/common/maxpool2d_backward_params.wgsl and
// maxpool2d_quads.wgsl, joined in front by the catalogue.
@group(0) @binding(4) var<storage, read_write> dx: array<vec2<f32>>;

// Stores the window of the pooled output at (plane, oy, ox): g at the winner's place, 0 at the
// other three.
fn scatter(plane: u32, oy: u32, ox: u32, g: f32, winner: u32) {
    let base = plane * p.h * p.w;
    let top = 2u * oy * p.w + 2u * ox;
    let bottom = top + p.w;
    dx[(base + top) / 2u] = vec2<f32>(select(0.0, g, winner == top), select(0.0, g, winner == top + 1u));
    dx[(base + bottom) / 2u] = vec2<f32>(select(0.0, g, winner == bottom), select(0.0, g, winner == bottom + 1u));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let q = (wid.y * nwg.x + wid.x) * 64u + lid;
    if 4u * q >= p.planes * p.out_h * p.out_w { return; }
    let g = pooled_gradients(q);
    let winner = argmax[q];
    // Output 4q's place, divided out once (lavapipe divides lane by lane), then stepped along
    // the flat order for the next three.
    let row = 4u * q / p.out_w; // pooled row over all planes
    var ox = 4u * q - row * p.out_w;
    var plane = row / p.out_h;
    var oy = row - plane * p.out_h;
    scatter(plane, oy, ox, g.x, winner.x);
    for (var j = 1u; j < 4u; j++) {
        ox += 1u;
        if ox == p.out_w {
            ox = 0u;
            oy += 1u;
            if oy == p.out_h { oy = 0u; plane += 1u; }
        }
        scatter(plane, oy, ox, g[j], winner[j]);
    }
}
