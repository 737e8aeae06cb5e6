// The fused conv+ReLU+pool kernel's body, shared by conv2d_forward_pool_subgroup.wgsl (x and the
// weights read from their storage buffers) and conv2d_forward_pool_texels.wgsl (both gathered
// from their texel mirrors, crates/tensor/src/texels.rs), each of which declares bindings 1 (x)
// and 2 (weight), load_x(i), the input's value i, and taps(at) (below), and is joined after this
// by the catalogue.
// What it computes: a 3×3, stride-1 convolution with the ReLU and the 2×2,
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
// One invocation computes BR pooled pixels side by side in one pooled row (BR = 1 or 2, the
// constant joined in front) × 16 channels: the 4 convolution pixels of each window into 16 vec4
// accumulators (c: window 0, e: window 1). Those windows read a 4 × (2·BR + 2) patch of each
// input channel, so per input channel it loads the patch once (taps in the padding read as 0)
// and forms every tap's values from it, and lane j < 8 of each subgroup loads the 9 weights of
// channels j and 8 + j (3 vec4 loads each), which subgroupBroadcast hands to the other lanes: at
// BR = 1, 22 loads per 576 multiply-adds (34 with the weights loaded one by one, 54 for the
// tap-by-tap conv2d_forward_subgroup.wgsl), at BR = 2, 30 per 1152 (the weights serve twice the
// pixels). Which is faster depends on the device and the row
// width (a pooled row of 47 pads to 48 at BR = 2): the tuner measures both. The 9 taps are
// written out (constant indices: a private array indexed in a loop is memory on lavapipe), each
// one call of fold16.
// (Its sums run over ci outer, taps inner; conv2d_forward_subgroup.wgsl's taps outer: the two
// round differently, each within the f32 tolerance of the reference.)
// Needs subgroups of at least 8 lanes; no early return before the last broadcast.
// Bindings: 0 params (uniform), 1 x and 2 weight (the reader's), 3 bias, 4 y, 5 argmax.

// BR, BC (the block: BR pooled pixels × 16 channels), params, bindings 0, 3, 4, Block16 and fold16():
// joined in front by the catalogue (shaders/common/conv_forward.wgsl, channel_block.wgsl).
@group(0) @binding(5) var<storage, read_write> argmax: array<u32>;

// The 9 taps of one weight row (one output channel, one input channel), named: constant
// indices keep them in registers.
struct Taps {
    t0: f32, t1: f32, t2: f32, t3: f32, t4: f32, t5: f32, t6: f32, t7: f32, t8: f32,
}

// The taps of the weight row starting at float `at`: the reader's taps(at: u32) -> Taps.

// Writes one channel of one window: the maximum of its window (the four accumulators are the
// window's pixels in row-major order) and where it is. `at0` is the window's top-left offset in
// the convolution's output plane, `first` where channel 0 of this pooled pixel is stored (the
// index arithmetic is done once per invocation: lavapipe divides lane by lane).
fn store(co: u32, live: bool, first: u32, at0: u32, acc: vec4<f32>) {
    if co >= p.c_out || !live { return; }
    var v = acc + bias[co];
    if p.relu != 0u { v = max(v, vec4<f32>(0.0)); }
    var best = v.x;
    var at = at0;
    if v.y > best { best = v.y; at = at0 + 1u; }
    if v.z > best { best = v.z; at = at0 + p.out_w; }
    if v.w > best { best = v.w; at = at0 + p.out_w + 1u; }
    let idx = first + co * (p.out_h / 2u) * (p.out_w / 2u);
    y[idx] = best;
    argmax[idx] = at;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let pool_h = p.out_h / 2u;
    let pool_w = p.out_w / 2u;
    let blocks_w = (pool_w + BR - 1u) / BR;
    let blocks = p.batch * pool_h * blocks_w;
    let groups_m = (blocks + WG - 1u) / WG;
    let tiles_n = (p.c_out + 15u) / 16u;
    if group >= groups_m * tiles_n { return; } // the whole workgroup: uniform
    let b = (group % groups_m) * WG + lid;
    let bc = min(b, blocks - 1u);
    let co0 = (group / groups_m) * 16u;
    let chw = p.c_in * p.h * p.w;

    // Block bc: image n, pooled row py, pooled pixels px0..px0+BR−1.
    let row = bc / blocks_w;
    let px0 = (bc - row * blocks_w) * BR;
    let n = row / pool_h;
    let py = row - n * pool_h;
    let oy = py * 2u;
    let ox = px0 * 2u;
    let at0 = oy * p.out_w + ox;
    let base = n * chw;
    // The windows' 4 × 6 input patch (the last two columns only at BR = 2), row-major: where
    // each value is (0 in the padding) and a factor, 1 inside the image, 0 in the padding.
    var at: array<u32, 24>;
    var hit: array<f32, 24>;
    for (var j = 0u; j < 24u; j++) {
        let iy = i32(oy + j / 6u) - i32(p.pad);
        let ix = i32(ox + j % 6u) - i32(p.pad);
        let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
        at[j] = select(0u, base + u32(iy) * p.w + u32(ix), inside);
        hit[j] = select(0.0, 1.0, inside);
    }
    // The two weight rows this lane loads for its whole subgroup.
    let k_len = p.c_in * 9u;
    let w_a = min(co0 + (lane & 7u), p.c_out - 1u) * k_len;
    let w_b = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * k_len;

    var c: Block16; // window 0
    var e: Block16; // window 1 (BR = 2)

    let hw = p.h * p.w;
    for (var ci = 0u; ci < p.c_in; ci++) {
        let cp = ci * hw;
        let x00 = load_x(at[0] + cp) * hit[0]; let x01 = load_x(at[1] + cp) * hit[1]; let x02 = load_x(at[2] + cp) * hit[2]; let x03 = load_x(at[3] + cp) * hit[3];
        let x10 = load_x(at[6] + cp) * hit[6]; let x11 = load_x(at[7] + cp) * hit[7]; let x12 = load_x(at[8] + cp) * hit[8]; let x13 = load_x(at[9] + cp) * hit[9];
        let x20 = load_x(at[12] + cp) * hit[12]; let x21 = load_x(at[13] + cp) * hit[13]; let x22 = load_x(at[14] + cp) * hit[14]; let x23 = load_x(at[15] + cp) * hit[15];
        let x30 = load_x(at[18] + cp) * hit[18]; let x31 = load_x(at[19] + cp) * hit[19]; let x32 = load_x(at[20] + cp) * hit[20]; let x33 = load_x(at[21] + cp) * hit[21];
        var x04 = 0.0; var x05 = 0.0; var x14 = 0.0; var x15 = 0.0; var x24 = 0.0; var x25 = 0.0; var x34 = 0.0; var x35 = 0.0;
        if BR > 1u {
            x04 = load_x(at[4] + cp) * hit[4]; x05 = load_x(at[5] + cp) * hit[5];
            x14 = load_x(at[10] + cp) * hit[10]; x15 = load_x(at[11] + cp) * hit[11];
            x24 = load_x(at[16] + cp) * hit[16]; x25 = load_x(at[17] + cp) * hit[17];
            x34 = load_x(at[22] + cp) * hit[22]; x35 = load_x(at[23] + cp) * hit[23];
        }
        let k = ci * 9u;
        let ta = taps(w_a + k);
        let tb = taps(w_b + k);
        // Tap (ky, kx): window 0's pixels read patch rows ky, ky + 1 and columns kx, kx + 1 (v);
        // window 1's the two columns on (u).
        fold16(&c, &e, vec4<f32>(x00, x01, x10, x11), vec4<f32>(x02, x03, x12, x13),
               ta.t0, tb.t0, BR > 1u);
        fold16(&c, &e, vec4<f32>(x01, x02, x11, x12), vec4<f32>(x03, x04, x13, x14),
               ta.t1, tb.t1, BR > 1u);
        fold16(&c, &e, vec4<f32>(x02, x03, x12, x13), vec4<f32>(x04, x05, x14, x15),
               ta.t2, tb.t2, BR > 1u);
        fold16(&c, &e, vec4<f32>(x10, x11, x20, x21), vec4<f32>(x12, x13, x22, x23),
               ta.t3, tb.t3, BR > 1u);
        fold16(&c, &e, vec4<f32>(x11, x12, x21, x22), vec4<f32>(x13, x14, x23, x24),
               ta.t4, tb.t4, BR > 1u);
        fold16(&c, &e, vec4<f32>(x12, x13, x22, x23), vec4<f32>(x14, x15, x24, x25),
               ta.t5, tb.t5, BR > 1u);
        fold16(&c, &e, vec4<f32>(x20, x21, x30, x31), vec4<f32>(x22, x23, x32, x33),
               ta.t6, tb.t6, BR > 1u);
        fold16(&c, &e, vec4<f32>(x21, x22, x31, x32), vec4<f32>(x23, x24, x33, x34),
               ta.t7, tb.t7, BR > 1u);
        fold16(&c, &e, vec4<f32>(x22, x23, x32, x33), vec4<f32>(x24, x25, x34, x35),
               ta.t8, tb.t8, BR > 1u);
    }

    let live0 = b < blocks;
    let live1 = live0 && BR > 1u && px0 + 1u < pool_w;
    let first = (n * p.c_out * pool_h + py) * pool_w + px0;
    store(co0 + 0u, live0, first, at0, c.c0); store(co0 + 0u, live1, first + 1u, at0 + 2u, e.c0);
    store(co0 + 1u, live0, first, at0, c.c1); store(co0 + 1u, live1, first + 1u, at0 + 2u, e.c1);
    store(co0 + 2u, live0, first, at0, c.c2); store(co0 + 2u, live1, first + 1u, at0 + 2u, e.c2);
    store(co0 + 3u, live0, first, at0, c.c3); store(co0 + 3u, live1, first + 1u, at0 + 2u, e.c3);
    store(co0 + 4u, live0, first, at0, c.c4); store(co0 + 4u, live1, first + 1u, at0 + 2u, e.c4);
    store(co0 + 5u, live0, first, at0, c.c5); store(co0 + 5u, live1, first + 1u, at0 + 2u, e.c5);
    store(co0 + 6u, live0, first, at0, c.c6); store(co0 + 6u, live1, first + 1u, at0 + 2u, e.c6);
    store(co0 + 7u, live0, first, at0, c.c7); store(co0 + 7u, live1, first + 1u, at0 + 2u, e.c7);
    store(co0 + 8u, live0, first, at0, c.c8); store(co0 + 8u, live1, first + 1u, at0 + 2u, e.c8);
    store(co0 + 9u, live0, first, at0, c.c9); store(co0 + 9u, live1, first + 1u, at0 + 2u, e.c9);
    store(co0 + 10u, live0, first, at0, c.c10); store(co0 + 10u, live1, first + 1u, at0 + 2u, e.c10);
    store(co0 + 11u, live0, first, at0, c.c11); store(co0 + 11u, live1, first + 1u, at0 + 2u, e.c11);
    store(co0 + 12u, live0, first, at0, c.c12); store(co0 + 12u, live1, first + 1u, at0 + 2u, e.c12);
    store(co0 + 13u, live0, first, at0, c.c13); store(co0 + 13u, live1, first + 1u, at0 + 2u, e.c13);
    store(co0 + 14u, live0, first, at0, c.c14); store(co0 + 14u, live1, first + 1u, at0 + 2u, e.c14);
    store(co0 + 15u, live0, first, at0, c.c15); store(co0 + 15u, live1, first + 1u, at0 + 2u, e.c15);
}
