// conv2d_forward_pool_subgroup: a 3×3, stride-1 convolution with the ReLU and the 2×2,
// stride-2 max-pool that follow it done before anything is stored: only the pooled values and
// where each maximum came from are written, never the convolution's own output (a quarter of
// the stores, and no pass that reads it back).
//   a[n, co, oy, ox] = ReLU(bias[co] + Σ_{ci, ky, kx} x[n, ci, oy + ky − p, ox + kx − p] · weight[co, ci, ky, kx])
//   y[n, co, py, px] = max_{dy, dx < 2} a[n, co, 2py + dy, 2px + dx]
//   argmax[n, co, py, px] = (2py + dy)·OW + 2px + dx of that maximum (the first in row-major
//   order on ties), as maxpool2d_forward.wgsl writes it for maxpool2d_backward_scatter.wgsl.
//   (ReLU only when params.relu != 0; floor mode: a last odd row or column is never computed.)
// Layouts, row-major: x [N, C_in, H, W], weight [C_out, C_in, 3, 3], bias [C_out],
// y and argmax [N, C_out, OH / 2, OW / 2] with OH, OW the convolution's output size; any
// padding p. The launcher uses it only for kh = kw = 3 and stride 1 (Kernels::fuses_pool).
// One invocation computes one pooled pixel × 16 channels: the 4 convolution pixels of its
// window into 16 vec4 accumulators. Those 4 pixels read a 4×4 patch of each input channel, so
// per input channel it loads the patch once (16 loads; taps in the padding read as 0) and
// forms every tap's 4 values from it, and lane j < 8 of each subgroup loads the 9 weights of
// channels j and 8 + j, which subgroupBroadcast hands to the other lanes: 34 loads per 576
// multiply-adds, against 54 for the tap-by-tap conv2d_forward_subgroup.wgsl. The 9 taps are
// written out (constant indices: a private array indexed in a loop is memory on lavapipe).
// (Its sums run over ci outer, taps inner; conv2d_forward_subgroup.wgsl's taps outer: the two
// round differently, each within the f32 tolerance of the reference.)
// Needs subgroups of at least 8 lanes; no early return before the last broadcast.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y, 5 argmax.

// Params, bindings 0–4 and tap(): shaders/common/conv_forward.wgsl, joined in front by the catalogue.
@group(0) @binding(5) var<storage, read_write> argmax: array<u32>;

// Writes one channel of the block: the maximum of its window (the four accumulators are the
// window's pixels in row-major order) and where it is. `at0` is the window's top-left offset in
// the convolution's output plane, `first` where channel 0 of this pooled pixel is stored and
// `plane` the pooled plane's size: the index arithmetic (two divisions) is done once per
// invocation by the caller, not once per channel (lavapipe divides lane by lane).
fn store(co: u32, live: bool, first: u32, plane: u32, at0: u32, acc: vec4<f32>) {
    if co >= p.c_out || !live { return; }
    var v = acc + bias[co];
    if p.relu != 0u { v = max(v, vec4<f32>(0.0)); }
    var best = v.x;
    var at = at0;
    if v.y > best { best = v.y; at = at0 + 1u; }
    if v.z > best { best = v.z; at = at0 + p.out_w; }
    if v.w > best { best = v.w; at = at0 + p.out_w + 1u; }
    let idx = first + co * plane;
    y[idx] = best;
    argmax[idx] = at;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let pool_w = p.out_w / 2u;
    let pool_plane = (p.out_h / 2u) * pool_w;
    let rows = p.batch * pool_plane;
    let groups_m = (rows + 63u) / 64u;
    let tiles_n = (p.c_out + 15u) / 16u;
    if group >= groups_m * tiles_n { return; } // the whole workgroup: uniform
    let m = (group % groups_m) * 64u + lid;
    let co0 = (group / groups_m) * 16u;
    let chw = p.c_in * p.h * p.w;
    let k_len = p.c_in * p.kh * p.kw;

    // The window's 4×4 input patch, row-major: where each value is (0 in the padding) and a
    // factor, 1 inside the image, 0 in the padding.
    let mc = min(m, rows - 1u);
    let r = mc % pool_plane;
    let oy = (r / pool_w) * 2u;
    let ox = (r % pool_w) * 2u;
    let at0 = oy * p.out_w + ox;
    let base = (mc / pool_plane) * chw;
    var at: array<u32, 16>;
    var hit: array<f32, 16>;
    for (var j = 0u; j < 16u; j++) {
        let iy = i32(oy + j / 4u) - i32(p.pad);
        let ix = i32(ox + j % 4u) - i32(p.pad);
        let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
        at[j] = select(0u, base + u32(iy) * p.w + u32(ix), inside);
        hit[j] = select(0.0, 1.0, inside);
    }
    // The two weight rows this lane loads for its whole subgroup.
    let w_a = min(co0 + (lane & 7u), p.c_out - 1u) * k_len;
    let w_b = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * k_len;

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    let hw = p.h * p.w;
    for (var ci = 0u; ci < p.c_in; ci++) {
        let cp = ci * hw;
        let x00 = x[at[0] + cp] * hit[0]; let x01 = x[at[1] + cp] * hit[1]; let x02 = x[at[2] + cp] * hit[2]; let x03 = x[at[3] + cp] * hit[3];
        let x10 = x[at[4] + cp] * hit[4]; let x11 = x[at[5] + cp] * hit[5]; let x12 = x[at[6] + cp] * hit[6]; let x13 = x[at[7] + cp] * hit[7];
        let x20 = x[at[8] + cp] * hit[8]; let x21 = x[at[9] + cp] * hit[9]; let x22 = x[at[10] + cp] * hit[10]; let x23 = x[at[11] + cp] * hit[11];
        let x30 = x[at[12] + cp] * hit[12]; let x31 = x[at[13] + cp] * hit[13]; let x32 = x[at[14] + cp] * hit[14]; let x33 = x[at[15] + cp] * hit[15];
        let k = ci * 9u;
        // tap (0, 0): the window's pixels read patch rows 0–1, columns 0–1
        {
            let v = vec4<f32>(x00, x01, x10, x11);
            let wa = weight[w_a + k + 0u]; let wb = weight[w_b + k + 0u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (0, 1): the window's pixels read patch rows 0–1, columns 1–2
        {
            let v = vec4<f32>(x01, x02, x11, x12);
            let wa = weight[w_a + k + 1u]; let wb = weight[w_b + k + 1u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (0, 2): the window's pixels read patch rows 0–1, columns 2–3
        {
            let v = vec4<f32>(x02, x03, x12, x13);
            let wa = weight[w_a + k + 2u]; let wb = weight[w_b + k + 2u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (1, 0): the window's pixels read patch rows 1–2, columns 0–1
        {
            let v = vec4<f32>(x10, x11, x20, x21);
            let wa = weight[w_a + k + 3u]; let wb = weight[w_b + k + 3u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (1, 1): the window's pixels read patch rows 1–2, columns 1–2
        {
            let v = vec4<f32>(x11, x12, x21, x22);
            let wa = weight[w_a + k + 4u]; let wb = weight[w_b + k + 4u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (1, 2): the window's pixels read patch rows 1–2, columns 2–3
        {
            let v = vec4<f32>(x12, x13, x22, x23);
            let wa = weight[w_a + k + 5u]; let wb = weight[w_b + k + 5u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (2, 0): the window's pixels read patch rows 2–3, columns 0–1
        {
            let v = vec4<f32>(x20, x21, x30, x31);
            let wa = weight[w_a + k + 6u]; let wb = weight[w_b + k + 6u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (2, 1): the window's pixels read patch rows 2–3, columns 1–2
        {
            let v = vec4<f32>(x21, x22, x31, x32);
            let wa = weight[w_a + k + 7u]; let wb = weight[w_b + k + 7u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
        // tap (2, 2): the window's pixels read patch rows 2–3, columns 2–3
        {
            let v = vec4<f32>(x22, x23, x32, x33);
            let wa = weight[w_a + k + 8u]; let wb = weight[w_b + k + 8u];
            c0 += v * subgroupBroadcast(wa, 0u); c1 += v * subgroupBroadcast(wa, 1u);
            c2 += v * subgroupBroadcast(wa, 2u); c3 += v * subgroupBroadcast(wa, 3u);
            c4 += v * subgroupBroadcast(wa, 4u); c5 += v * subgroupBroadcast(wa, 5u);
            c6 += v * subgroupBroadcast(wa, 6u); c7 += v * subgroupBroadcast(wa, 7u);
            c8 += v * subgroupBroadcast(wb, 0u); c9 += v * subgroupBroadcast(wb, 1u);
            c10 += v * subgroupBroadcast(wb, 2u); c11 += v * subgroupBroadcast(wb, 3u);
            c12 += v * subgroupBroadcast(wb, 4u); c13 += v * subgroupBroadcast(wb, 5u);
            c14 += v * subgroupBroadcast(wb, 6u); c15 += v * subgroupBroadcast(wb, 7u);
        }
    }

    let live = m < rows;
    let first = (mc / pool_plane) * p.c_out * pool_plane + r;
    store(co0 + 0u, live, first, pool_plane, at0, c0); store(co0 + 1u, live, first, pool_plane, at0, c1);
    store(co0 + 2u, live, first, pool_plane, at0, c2); store(co0 + 3u, live, first, pool_plane, at0, c3);
    store(co0 + 4u, live, first, pool_plane, at0, c4); store(co0 + 5u, live, first, pool_plane, at0, c5);
    store(co0 + 6u, live, first, pool_plane, at0, c6); store(co0 + 7u, live, first, pool_plane, at0, c7);
    store(co0 + 8u, live, first, pool_plane, at0, c8); store(co0 + 9u, live, first, pool_plane, at0, c9);
    store(co0 + 10u, live, first, pool_plane, at0, c10); store(co0 + 11u, live, first, pool_plane, at0, c11);
    store(co0 + 12u, live, first, pool_plane, at0, c12); store(co0 + 13u, live, first, pool_plane, at0, c13);
    store(co0 + 14u, live, first, pool_plane, at0, c14); store(co0 + 15u, live, first, pool_plane, at0, c15);
}
