// The rows kernel of the conv input gradient, shared by conv2d_backward_input_rows_subgroup.wgsl
// (dy and the weights from their storage buffers) and conv2d_backward_input_rows_texels.wgsl
// (both from texel mirrors): the catalogue joins the reader (common/conv_dy_weight_storage.wgsl or conv_dy_weight_texels.wgsl) in front.
// What it computes: conv2d_backward_input_subgroup.wgsl for a 3×3, stride-1
// convolution (any padding), with an invocation's BR pixels (4 or 8, the constant joined in
// front) side by side in one row of dx, so that the three taps of a kernel row read dy through
// one window of BR + 2 columns:
//   dx[n, ci, iy, ix] = Σ_{ky, kx, co} dy[n, co, iy + p − ky, ix + p − kx] · weight[co, ci, ky, kx]
//   over the taps inside the output. With params.accumulate != 0 the result is added to dx.
// Layouts, row-major: dy [N, C_out, OH, OW], weight [C_out, C_in, 3, 3], dx [N, C_in, H, W].
// One invocation computes pixels ix0..ix0+BR−1 of one row × 16 input channels into vec4
// accumulators (c: pixels 0–3, e: 4–7; a row's last block may reach past W: those pixels are
// computed, never stored). Per kernel row ky and output channel co it loads the BR + 2 dy values
// that pixel j reads through tap kx at window column j + 2 − kx, and lane j < 8 the 3 weights of
// channels j and 8 + j, which subgroupBroadcast hands to the other lanes: at BR = 4, 12 loads
// per 192 multiply-adds (18 when each tap loads its own values, as conv2d_backward_input_subgroup
// does for any shape), at BR = 8, 16 per 384. On lavapipe the loads are the cost; which BR is
// faster depends on the row width (a row of 22 pads to 24 in blocks of 8) and on the device, so
// the tuner measures both. Needs subgroups of at least 8 lanes; no early return before the last
// broadcast. The launcher runs it for the subgroup variant's 3×3 stride-1 passes.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// BR, BC (the block: BR pixels × 16 channels), params, bindings 0, 3, Block16 and fold16():
// joined in front by the catalogue (shaders/common/conv_backward_input.wgsl, channel_block.wgsl);
// bindings 1 and 2, load_window() and load_taps3(): the reader's, joined after.

// Writes channel ci of the block: pixel j to first + ci · H · W + ix0 + j, where it lies inside
// the row (lo: pixels 0–3, hi: 4–7).
fn store(ci: u32, live: bool, first: u32, ix0: u32, lo: vec4<f32>, hi: vec4<f32>) {
    if ci >= p.c_in || !live { return; }
    let at = first + ci * p.h * p.w + ix0;
    for (var j = 0u; j < BR; j++) {
        if ix0 + j >= p.w { return; }
        var v = select(lo[j % 4u], hi[j % 4u], j >= 4u);
        if p.accumulate != 0u { v += dx[at + j]; }
        dx[at + j] = v;
    }
}

// Where the window's columns are, set by main and read by the reader's load_window(o) (module
// scope, as a function cannot see main's lets): x{c}, column c's offset in a dy row, clamped
// inside the row; in{c}, whether it was inside; h{c} (1 or 0) and k{c} (the same as a bool),
// whether column c of the current kernel row's window is inside the output; start, where column
// 0 would be (negative or past the row at the edges).
var<private> x0: u32; var<private> x1: u32; var<private> x2: u32; var<private> x3: u32; var<private> x4: u32; var<private> x5: u32; var<private> x6: u32; var<private> x7: u32; var<private> x8: u32; var<private> x9: u32;
var<private> in0: bool; var<private> in1: bool; var<private> in2: bool; var<private> in3: bool; var<private> in4: bool; var<private> in5: bool; var<private> in6: bool; var<private> in7: bool; var<private> in8: bool; var<private> in9: bool;
var<private> h0: f32; var<private> h1: f32; var<private> h2: f32; var<private> h3: f32; var<private> h4: f32; var<private> h5: f32; var<private> h6: f32; var<private> h7: f32; var<private> h8: f32; var<private> h9: f32;
var<private> k0: bool; var<private> k1: bool; var<private> k2: bool; var<private> k3: bool; var<private> k4: bool; var<private> k5: bool; var<private> k6: bool; var<private> k7: bool; var<private> k8: bool; var<private> k9: bool;
var<private> start: i32;

// One window of dy (columns 0 to BR + 1; 6–9 only at BR = 8): what the reader's
// load_window(o: u32) returns for the dy row starting at o, values outside the output 0; and
// load_taps3(at: u32) -> vec3<f32>, the weights' values at, at + 1, at + 2.
struct Window10 {
    d0: f32, d1: f32, d2: f32, d3: f32, d4: f32, d5: f32, d6: f32, d7: f32, d8: f32, d9: f32,
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let blocks_w = (p.w + BR - 1u) / BR;
    let blocks = p.batch * p.h * blocks_w;
    let groups_m = (blocks + WG - 1u) / WG;
    let tiles_n = (p.c_in + 15u) / 16u;
    if group >= groups_m * tiles_n { return; } // the whole workgroup: uniform
    let b = (group % groups_m) * WG + lid;
    let live = b < blocks;
    let bc = min(b, blocks - 1u);
    let ci0 = (group / groups_m) * 16u;
    // Block bc: image n, row iy, pixels ix0..ix0+BR−1.
    let row = bc / blocks_w;
    let ix0 = (bc - row * blocks_w) * BR;
    let n = row / p.h;
    let iy = row - n * p.h;
    let out_plane = p.out_h * p.out_w;
    let image = n * p.c_out * out_plane;

    // Window column c reads dy column ox0 + c, clamped inside the row; `in` says whether it was.
    let ox0 = i32(ix0 + p.pad) - 2;
    let last = i32(p.out_w) - 1;
    start = ox0;
    x0 = u32(clamp(ox0 + 0, 0, last)); in0 = ox0 + 0 >= 0 && ox0 + 0 <= last;
    x1 = u32(clamp(ox0 + 1, 0, last)); in1 = ox0 + 1 >= 0 && ox0 + 1 <= last;
    x2 = u32(clamp(ox0 + 2, 0, last)); in2 = ox0 + 2 >= 0 && ox0 + 2 <= last;
    x3 = u32(clamp(ox0 + 3, 0, last)); in3 = ox0 + 3 >= 0 && ox0 + 3 <= last;
    x4 = u32(clamp(ox0 + 4, 0, last)); in4 = ox0 + 4 >= 0 && ox0 + 4 <= last;
    x5 = u32(clamp(ox0 + 5, 0, last)); in5 = ox0 + 5 >= 0 && ox0 + 5 <= last;
    x6 = u32(clamp(ox0 + 6, 0, last)); in6 = ox0 + 6 >= 0 && ox0 + 6 <= last;
    x7 = u32(clamp(ox0 + 7, 0, last)); in7 = ox0 + 7 >= 0 && ox0 + 7 <= last;
    x8 = u32(clamp(ox0 + 8, 0, last)); in8 = ox0 + 8 >= 0 && ox0 + 8 <= last;
    x9 = u32(clamp(ox0 + 9, 0, last)); in9 = ox0 + 9 >= 0 && ox0 + 9 <= last;
    // The two weight rows (input channels) this lane loads for its whole subgroup.
    let w_a = min(ci0 + (lane & 7u), p.c_in - 1u) * 9u;
    let w_b = min(ci0 + 8u + (lane & 7u), p.c_in - 1u) * 9u;
    let w_co = p.c_in * 9u; // weight stride between output channels

    var c: Block16; // pixels 0–3
    var e: Block16; // pixels 4–7 (BR = 8)

    for (var ky = 0u; ky < 3u; ky++) {
        let oy = i32(iy + p.pad) - i32(ky);
        let row_in = oy >= 0 && oy < i32(p.out_h);
        let r = image + u32(clamp(oy, 0, i32(p.out_h) - 1)) * p.out_w;
        // Where a window column is outside the output, its value is taken as 0.
        h0 = select(0.0, 1.0, row_in && in0); k0 = row_in && in0;
        h1 = select(0.0, 1.0, row_in && in1); k1 = row_in && in1;
        h2 = select(0.0, 1.0, row_in && in2); k2 = row_in && in2;
        h3 = select(0.0, 1.0, row_in && in3); k3 = row_in && in3;
        h4 = select(0.0, 1.0, row_in && in4); k4 = row_in && in4;
        h5 = select(0.0, 1.0, row_in && in5); k5 = row_in && in5;
        h6 = select(0.0, 1.0, row_in && in6); k6 = row_in && in6;
        h7 = select(0.0, 1.0, row_in && in7); k7 = row_in && in7;
        h8 = select(0.0, 1.0, row_in && in8); k8 = row_in && in8;
        h9 = select(0.0, 1.0, row_in && in9); k9 = row_in && in9;
        for (var co = 0u; co < p.c_out; co++) {
            let o = r + co * out_plane;
            let d = load_window(o);
            let t = co * w_co + ky * 3u;
            let wa = load_taps3(w_a + t);
            let wb = load_taps3(w_b + t);
            // Tap kx: pixel j reads window column j + 2 − kx (c: pixels 0–3, e: 4–7).
            fold16(&c, &e, vec4<f32>(d.d2, d.d3, d.d4, d.d5), vec4<f32>(d.d6, d.d7, d.d8, d.d9), wa.x, wb.x, BR > 4u);
            fold16(&c, &e, vec4<f32>(d.d1, d.d2, d.d3, d.d4), vec4<f32>(d.d5, d.d6, d.d7, d.d8), wa.y, wb.y, BR > 4u);
            fold16(&c, &e, vec4<f32>(d.d0, d.d1, d.d2, d.d3), vec4<f32>(d.d4, d.d5, d.d6, d.d7), wa.z, wb.z, BR > 4u);
        }
    }

    let first = (n * p.c_in * p.h + iy) * p.w;
    store(ci0 + 0u, live, first, ix0, c.c0, e.c0);
    store(ci0 + 1u, live, first, ix0, c.c1, e.c1);
    store(ci0 + 2u, live, first, ix0, c.c2, e.c2);
    store(ci0 + 3u, live, first, ix0, c.c3, e.c3);
    store(ci0 + 4u, live, first, ix0, c.c4, e.c4);
    store(ci0 + 5u, live, first, ix0, c.c5, e.c5);
    store(ci0 + 6u, live, first, ix0, c.c6, e.c6);
    store(ci0 + 7u, live, first, ix0, c.c7, e.c7);
    store(ci0 + 8u, live, first, ix0, c.c8, e.c8);
    store(ci0 + 9u, live, first, ix0, c.c9, e.c9);
    store(ci0 + 10u, live, first, ix0, c.c10, e.c10);
    store(ci0 + 11u, live, first, ix0, c.c11, e.c11);
    store(ci0 + 12u, live, first, ix0, c.c12, e.c12);
    store(ci0 + 13u, live, first, ix0, c.c13, e.c13);
    store(ci0 + 14u, live, first, ix0, c.c14, e.c14);
    store(ci0 + 15u, live, first, ix0, c.c15, e.c15);
}
