// maxpool2d_backward_winners: the second half of maxpool2d_backward for windows that do not
// overlap, after zero_vec4 has cleared dx: only each window's winner is written.
//   dx[n, c, argmax[n, c, oy, ox]] = dy[n, c, oy, ox]   (the other inputs stay 0),
//   masked by ReLU's backward through the pooled value y when params.relu_mask != 0 (0 where
//   y ≤ 0), as in maxpool2d_backward_scatter.wgsl.
// For the planes whose rows cannot be stored in pairs (an odd H or W, floor mode's leftover row
// and column, as conv2's 45×45 output): one store per output instead of one per input, the
// zeros written four to a store by zero_vec4. Needs a pooled output whose length is a multiple
// of 4: one invocation takes outputs 4q..4q+3 in flat order (they may straddle a row or a plane:
// each finds its own), dy, argmax and y read as one vec4 each.
// Layouts, row-major: dy, argmax and y [N, C, OH, OW] read as vec4s, dx [N, C, H, W].
// Bindings: 0 params (uniform), 1 dy, 2 argmax (u32), 3 y (read only for the mask), 4 dx.

// Params, bindings 0–3 and pooled_gradients(): shaders/common/maxpool2d_backward_params.wgsl and
// maxpool2d_quads.wgsl, joined in front by the catalogue.
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let q = (wid.y * nwg.x + wid.x) * 64u + lid;
    let out_plane = p.out_h * p.out_w;
    if 4u * q >= p.planes * out_plane { return; }
    let g = pooled_gradients(q);
    let winner = argmax[q];
    // Output 4q's plane, divided out once (lavapipe divides lane by lane); the next three are in
    // it or, past its end, in the next (a plane has at least 4 outputs).
    let plane = 4u * q / out_plane;
    let left = (plane + 1u) * out_plane - 4u * q; // outputs from 4q to the plane's end
    let plane_len = p.h * p.w;
    let here = plane * plane_len;
    let next = here + plane_len;
    dx[here + winner.x] = g.x;
    dx[select(next, here, left > 1u) + winner.y] = g.y;
    dx[select(next, here, left > 2u) + winner.z] = g.z;
    dx[select(next, here, left > 3u) + winner.w] = g.w;
}
