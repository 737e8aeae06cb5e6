// The fused conv+ReLU+pool kernel's body, shared by conv2d_forward_pool_subgroup.wgsl (x and the
// weights read from their storage buffers) and conv2d_forward_pool_texels.wgsl (both gathered
// from their texel mirrors, crates/tensor/src/texels.rs), each of which declares bindings 1 (x)
// and 2 (weight), load_patch(cp), an input channel's patch (Patch46, below), and weight_vec4(q),
// the weights' values 4q..4q+3, and is joined after this by the catalogue.
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
// accumulators (c0: window 0, c1: window 1). Those windows read a 4 × (2·BR + 2) patch of each
// input channel, so per input channel it loads the patch once (taps in the padding read as 0)
// and forms every tap's values from it, and lane j < 8 of each subgroup loads the 9 weights of
// channels j and 8 + j (3 vec4 loads each), which subgroupBroadcast hands to the other lanes: at
// BR = 1, 22 loads per 576 multiply-adds (34 with the weights loaded one by one, 54 for the
// tap-by-tap conv2d_forward_subgroup.wgsl), at BR = 2, 30 per 1152 (the weights serve twice the
// pixels). Which is faster depends on the device and the row
// width (a pooled row of 47 pads to 48 at BR = 2): the tuner measures both. The 9 taps are
// written out (constant indices: a private array indexed in a loop is memory on lavapipe) and
// folded channel by channel (fold_taps16: with AVX2, the three forwards at batch 32 took 66–74 ms
// this way against 72–78 tap by tap, with each tap's 16 channels in turn).
// (Its sums run over ci outer, taps inner; conv2d_forward_subgroup.wgsl's taps outer: the two
// round differently, each within the f32 tolerance of the reference.)
// Needs subgroups of at least 8 lanes; no early return before the last broadcast.
// Bindings: 0 params (uniform), 1 x and 2 weight (the reader's), 3 bias, 4 y, 5 argmax.

// BR, BC (the block: BR pooled pixels × 16 channels), params, bindings 0, 3, 4 and Block16:
// joined in front by the catalogue (shaders/common/conv_forward.wgsl, channel_block.wgsl).
@group(0) @binding(5) var<storage, read_write> argmax: array<u32>;


// The 9 taps of one weight row (one output channel, one input channel), named: constant
// indices keep them in registers.
struct Taps {
    t0: f32, t1: f32, t2: f32, t3: f32, t4: f32, t5: f32, t6: f32, t7: f32, t8: f32,
}

// The taps of the weight row starting at float `at`: a (co, ci) row's 9 taps start anywhere in
// a vec4 but always lie within three (9 floats from offset r ≤ 3 end by 11), so a lane reads
// them as 3 vec4s (the reader's weight_vec4(q), values 4q..4q+3) instead of 9 values and picks
// each tap out by its offset; needs C_out·C_in·9 a multiple of 4 (the launcher fuses only then),
// so that the last row's third vec4 is in the buffer.
fn taps(at: u32) -> Taps {
    let q = at / 4u;
    let r = at % 4u;
    let u = weight_vec4(q);
    let v = weight_vec4(q + 1u);
    let w = weight_vec4(q + 2u);
    return Taps(at_offset(u.x, u.y, u.z, u.w, r), at_offset(u.y, u.z, u.w, v.x, r), at_offset(u.z, u.w, v.x, v.y, r),
                at_offset(u.w, v.x, v.y, v.z, r), at_offset(v.x, v.y, v.z, v.w, r), at_offset(v.y, v.z, v.w, w.x, r),
                at_offset(v.z, v.w, w.x, w.y, r), at_offset(v.w, w.x, w.y, w.z, r), at_offset(w.x, w.y, w.z, w.w, r));
}

// The nine tap vectors of one window (the four pixels each tap multiplies), in tap order.
struct Patch {
    t0: vec4<f32>, t1: vec4<f32>, t2: vec4<f32>, t3: vec4<f32>, t4: vec4<f32>,
    t5: vec4<f32>, t6: vec4<f32>, t7: vec4<f32>, t8: vec4<f32>,
}

// acc + Σ_t v.t · w.t, added tap by tap in tap order (the rounding of fold16 tap after tap).
fn dot9(acc: vec4<f32>, v: Patch, w: Taps) -> vec4<f32> {
    var a = acc;
    a += v.t0 * w.t0; a += v.t1 * w.t1; a += v.t2 * w.t2; a += v.t3 * w.t3; a += v.t4 * w.t4;
    a += v.t5 * w.t5; a += v.t6 * w.t6; a += v.t7 * w.t7; a += v.t8 * w.t8;
    return a;
}

// Lane j's taps, handed to every lane (subgroupBroadcast wants a constant lane: one per lane).
fn lane0(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 0u), subgroupBroadcast(t.t1, 0u), subgroupBroadcast(t.t2, 0u), subgroupBroadcast(t.t3, 0u), subgroupBroadcast(t.t4, 0u), subgroupBroadcast(t.t5, 0u), subgroupBroadcast(t.t6, 0u), subgroupBroadcast(t.t7, 0u), subgroupBroadcast(t.t8, 0u)); }
fn lane1(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 1u), subgroupBroadcast(t.t1, 1u), subgroupBroadcast(t.t2, 1u), subgroupBroadcast(t.t3, 1u), subgroupBroadcast(t.t4, 1u), subgroupBroadcast(t.t5, 1u), subgroupBroadcast(t.t6, 1u), subgroupBroadcast(t.t7, 1u), subgroupBroadcast(t.t8, 1u)); }
fn lane2(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 2u), subgroupBroadcast(t.t1, 2u), subgroupBroadcast(t.t2, 2u), subgroupBroadcast(t.t3, 2u), subgroupBroadcast(t.t4, 2u), subgroupBroadcast(t.t5, 2u), subgroupBroadcast(t.t6, 2u), subgroupBroadcast(t.t7, 2u), subgroupBroadcast(t.t8, 2u)); }
fn lane3(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 3u), subgroupBroadcast(t.t1, 3u), subgroupBroadcast(t.t2, 3u), subgroupBroadcast(t.t3, 3u), subgroupBroadcast(t.t4, 3u), subgroupBroadcast(t.t5, 3u), subgroupBroadcast(t.t6, 3u), subgroupBroadcast(t.t7, 3u), subgroupBroadcast(t.t8, 3u)); }
fn lane4(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 4u), subgroupBroadcast(t.t1, 4u), subgroupBroadcast(t.t2, 4u), subgroupBroadcast(t.t3, 4u), subgroupBroadcast(t.t4, 4u), subgroupBroadcast(t.t5, 4u), subgroupBroadcast(t.t6, 4u), subgroupBroadcast(t.t7, 4u), subgroupBroadcast(t.t8, 4u)); }
fn lane5(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 5u), subgroupBroadcast(t.t1, 5u), subgroupBroadcast(t.t2, 5u), subgroupBroadcast(t.t3, 5u), subgroupBroadcast(t.t4, 5u), subgroupBroadcast(t.t5, 5u), subgroupBroadcast(t.t6, 5u), subgroupBroadcast(t.t7, 5u), subgroupBroadcast(t.t8, 5u)); }
fn lane6(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 6u), subgroupBroadcast(t.t1, 6u), subgroupBroadcast(t.t2, 6u), subgroupBroadcast(t.t3, 6u), subgroupBroadcast(t.t4, 6u), subgroupBroadcast(t.t5, 6u), subgroupBroadcast(t.t6, 6u), subgroupBroadcast(t.t7, 6u), subgroupBroadcast(t.t8, 6u)); }
fn lane7(t: Taps) -> Taps { return Taps(subgroupBroadcast(t.t0, 7u), subgroupBroadcast(t.t1, 7u), subgroupBroadcast(t.t2, 7u), subgroupBroadcast(t.t3, 7u), subgroupBroadcast(t.t4, 7u), subgroupBroadcast(t.t5, 7u), subgroupBroadcast(t.t6, 7u), subgroupBroadcast(t.t7, 7u), subgroupBroadcast(t.t8, 7u)); }

// All nine taps of one input channel for one or two windows (v0 always, v1 when BR > 1),
// channel by channel: each accumulator is loaded and stored once per input
// channel, not once per tap (with 32 or more vec4 accumulators, beyond AVX2's 16 registers,
// every update of the tap-major fold16 was a load and a store), and each weight broadcast serves
// both windows.
fn fold_taps16(w0: ptr<function, Block16>, w1: ptr<function, Block16>, v0: Patch, v1: Patch, ta: Taps, tb: Taps) {
    { let w = lane0(ta); (*w0).c0 = dot9((*w0).c0, v0, w); if BR > 1u { (*w1).c0 = dot9((*w1).c0, v1, w); } }
    { let w = lane1(ta); (*w0).c1 = dot9((*w0).c1, v0, w); if BR > 1u { (*w1).c1 = dot9((*w1).c1, v1, w); } }
    { let w = lane2(ta); (*w0).c2 = dot9((*w0).c2, v0, w); if BR > 1u { (*w1).c2 = dot9((*w1).c2, v1, w); } }
    { let w = lane3(ta); (*w0).c3 = dot9((*w0).c3, v0, w); if BR > 1u { (*w1).c3 = dot9((*w1).c3, v1, w); } }
    { let w = lane4(ta); (*w0).c4 = dot9((*w0).c4, v0, w); if BR > 1u { (*w1).c4 = dot9((*w1).c4, v1, w); } }
    { let w = lane5(ta); (*w0).c5 = dot9((*w0).c5, v0, w); if BR > 1u { (*w1).c5 = dot9((*w1).c5, v1, w); } }
    { let w = lane6(ta); (*w0).c6 = dot9((*w0).c6, v0, w); if BR > 1u { (*w1).c6 = dot9((*w1).c6, v1, w); } }
    { let w = lane7(ta); (*w0).c7 = dot9((*w0).c7, v0, w); if BR > 1u { (*w1).c7 = dot9((*w1).c7, v1, w); } }
    { let w = lane0(tb); (*w0).c8 = dot9((*w0).c8, v0, w); if BR > 1u { (*w1).c8 = dot9((*w1).c8, v1, w); } }
    { let w = lane1(tb); (*w0).c9 = dot9((*w0).c9, v0, w); if BR > 1u { (*w1).c9 = dot9((*w1).c9, v1, w); } }
    { let w = lane2(tb); (*w0).c10 = dot9((*w0).c10, v0, w); if BR > 1u { (*w1).c10 = dot9((*w1).c10, v1, w); } }
    { let w = lane3(tb); (*w0).c11 = dot9((*w0).c11, v0, w); if BR > 1u { (*w1).c11 = dot9((*w1).c11, v1, w); } }
    { let w = lane4(tb); (*w0).c12 = dot9((*w0).c12, v0, w); if BR > 1u { (*w1).c12 = dot9((*w1).c12, v1, w); } }
    { let w = lane5(tb); (*w0).c13 = dot9((*w0).c13, v0, w); if BR > 1u { (*w1).c13 = dot9((*w1).c13, v1, w); } }
    { let w = lane6(tb); (*w0).c14 = dot9((*w0).c14, v0, w); if BR > 1u { (*w1).c14 = dot9((*w1).c14, v1, w); } }
    { let w = lane7(tb); (*w0).c15 = dot9((*w0).c15, v0, w); if BR > 1u { (*w1).c15 = dot9((*w1).c15, v1, w); } }
}

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
    // Inference has no backward to need it (Op::keep_argmax): a store saved (each a loop over
    // the SIMD lanes on lavapipe).
    if p.argmax != 0u { argmax[idx] = at; }
}

// Where each of the patch's values is, set once per invocation by main and read by the reader's
// load_patch(cp) in every input channel (module-scope, as a function cannot see main's lets):
// a{r}{c}, value (r, c)'s offset in channel 0 (0 in the padding), k{r}{c} whether it is inside
// the image; s{r}, where row r's column 0 would be in channel 0 (negative or past the row where
// the patch sticks out of the image).
var<private> a00: u32; var<private> a01: u32; var<private> a02: u32; var<private> a03: u32; var<private> a04: u32; var<private> a05: u32;
var<private> a10: u32; var<private> a11: u32; var<private> a12: u32; var<private> a13: u32; var<private> a14: u32; var<private> a15: u32;
var<private> a20: u32; var<private> a21: u32; var<private> a22: u32; var<private> a23: u32; var<private> a24: u32; var<private> a25: u32;
var<private> a30: u32; var<private> a31: u32; var<private> a32: u32; var<private> a33: u32; var<private> a34: u32; var<private> a35: u32;
var<private> k00: bool; var<private> k01: bool; var<private> k02: bool; var<private> k03: bool; var<private> k04: bool; var<private> k05: bool;
var<private> k10: bool; var<private> k11: bool; var<private> k12: bool; var<private> k13: bool; var<private> k14: bool; var<private> k15: bool;
var<private> k20: bool; var<private> k21: bool; var<private> k22: bool; var<private> k23: bool; var<private> k24: bool; var<private> k25: bool;
var<private> k30: bool; var<private> k31: bool; var<private> k32: bool; var<private> k33: bool; var<private> k34: bool; var<private> k35: bool;
var<private> s0: i32; var<private> s1: i32; var<private> s2: i32; var<private> s3: i32;

// One input channel's patch: value (r, c) in xRC (0 in the padding; columns 4 and 5 only at
// BR = 2), what the reader's load_patch(cp: u32) returns for the channel at offset cp.
struct Patch46 {
    x00: f32, x01: f32, x02: f32, x03: f32, x04: f32, x05: f32,
    x10: f32, x11: f32, x12: f32, x13: f32, x14: f32, x15: f32,
    x20: f32, x21: f32, x22: f32, x23: f32, x24: f32, x25: f32,
    x30: f32, x31: f32, x32: f32, x33: f32, x34: f32, x35: f32,
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
    // The windows' input patch, 4 rows × the 2·BR + 2 columns they read (4 or 6): the offsets
    // above. Named values, not arrays: lavapipe keeps an array written in a loop in memory, and
    // reads each element back with a gather.
    let iy0 = i32(oy + 0u) - i32(p.pad); let in0 = iy0 >= 0 && iy0 < i32(p.h); let row0 = base + u32(max(iy0, 0)) * p.w;
    let iy1 = i32(oy + 1u) - i32(p.pad); let in1 = iy1 >= 0 && iy1 < i32(p.h); let row1 = base + u32(max(iy1, 0)) * p.w;
    let iy2 = i32(oy + 2u) - i32(p.pad); let in2 = iy2 >= 0 && iy2 < i32(p.h); let row2 = base + u32(max(iy2, 0)) * p.w;
    let iy3 = i32(oy + 3u) - i32(p.pad); let in3 = iy3 >= 0 && iy3 < i32(p.h); let row3 = base + u32(max(iy3, 0)) * p.w;
    s0 = i32(base) + iy0 * i32(p.w) + i32(ox) - i32(p.pad);
    s1 = i32(base) + iy1 * i32(p.w) + i32(ox) - i32(p.pad);
    s2 = i32(base) + iy2 * i32(p.w) + i32(ox) - i32(p.pad);
    s3 = i32(base) + iy3 * i32(p.w) + i32(ox) - i32(p.pad);
    let ix0 = i32(ox + 0u) - i32(p.pad); let ok0 = ix0 >= 0 && ix0 < i32(p.w); let col0 = u32(max(ix0, 0));
    let ix1 = i32(ox + 1u) - i32(p.pad); let ok1 = ix1 >= 0 && ix1 < i32(p.w); let col1 = u32(max(ix1, 0));
    let ix2 = i32(ox + 2u) - i32(p.pad); let ok2 = ix2 >= 0 && ix2 < i32(p.w); let col2 = u32(max(ix2, 0));
    let ix3 = i32(ox + 3u) - i32(p.pad); let ok3 = ix3 >= 0 && ix3 < i32(p.w); let col3 = u32(max(ix3, 0));
    let ix4 = i32(ox + 4u) - i32(p.pad); let ok4 = ix4 >= 0 && ix4 < i32(p.w); let col4 = u32(max(ix4, 0));
    let ix5 = i32(ox + 5u) - i32(p.pad); let ok5 = ix5 >= 0 && ix5 < i32(p.w); let col5 = u32(max(ix5, 0));
    a00 = select(0u, row0 + col0, in0 && ok0); k00 = in0 && ok0;
    a01 = select(0u, row0 + col1, in0 && ok1); k01 = in0 && ok1;
    a02 = select(0u, row0 + col2, in0 && ok2); k02 = in0 && ok2;
    a03 = select(0u, row0 + col3, in0 && ok3); k03 = in0 && ok3;
    a04 = select(0u, row0 + col4, in0 && ok4); k04 = in0 && ok4;
    a05 = select(0u, row0 + col5, in0 && ok5); k05 = in0 && ok5;
    a10 = select(0u, row1 + col0, in1 && ok0); k10 = in1 && ok0;
    a11 = select(0u, row1 + col1, in1 && ok1); k11 = in1 && ok1;
    a12 = select(0u, row1 + col2, in1 && ok2); k12 = in1 && ok2;
    a13 = select(0u, row1 + col3, in1 && ok3); k13 = in1 && ok3;
    a14 = select(0u, row1 + col4, in1 && ok4); k14 = in1 && ok4;
    a15 = select(0u, row1 + col5, in1 && ok5); k15 = in1 && ok5;
    a20 = select(0u, row2 + col0, in2 && ok0); k20 = in2 && ok0;
    a21 = select(0u, row2 + col1, in2 && ok1); k21 = in2 && ok1;
    a22 = select(0u, row2 + col2, in2 && ok2); k22 = in2 && ok2;
    a23 = select(0u, row2 + col3, in2 && ok3); k23 = in2 && ok3;
    a24 = select(0u, row2 + col4, in2 && ok4); k24 = in2 && ok4;
    a25 = select(0u, row2 + col5, in2 && ok5); k25 = in2 && ok5;
    a30 = select(0u, row3 + col0, in3 && ok0); k30 = in3 && ok0;
    a31 = select(0u, row3 + col1, in3 && ok1); k31 = in3 && ok1;
    a32 = select(0u, row3 + col2, in3 && ok2); k32 = in3 && ok2;
    a33 = select(0u, row3 + col3, in3 && ok3); k33 = in3 && ok3;
    a34 = select(0u, row3 + col4, in3 && ok4); k34 = in3 && ok4;
    a35 = select(0u, row3 + col5, in3 && ok5); k35 = in3 && ok5;
    // The two weight rows this lane loads for its whole subgroup.
    let k_len = p.c_in * 9u;
    let w_a = min(co0 + (lane & 7u), p.c_out - 1u) * k_len;
    let w_b = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * k_len;

    var c0: Block16; // window 0
    var c1: Block16; // window 1 (BR = 2)

    let hw = p.h * p.w;
    for (var ci = 0u; ci < p.c_in; ci++) {
        let cp = ci * hw;
        let x = load_patch(cp);
        let k = ci * 9u;
        let ta = taps(w_a + k);
        let tb = taps(w_b + k);
        // Tap (ky, kx) of window k reads patch rows ky, ky + 1 and columns 2k + kx, 2k + kx + 1.
        let v0 = Patch(vec4<f32>(x.x00, x.x01, x.x10, x.x11), vec4<f32>(x.x01, x.x02, x.x11, x.x12), vec4<f32>(x.x02, x.x03, x.x12, x.x13),
                       vec4<f32>(x.x10, x.x11, x.x20, x.x21), vec4<f32>(x.x11, x.x12, x.x21, x.x22), vec4<f32>(x.x12, x.x13, x.x22, x.x23),
                       vec4<f32>(x.x20, x.x21, x.x30, x.x31), vec4<f32>(x.x21, x.x22, x.x31, x.x32), vec4<f32>(x.x22, x.x23, x.x32, x.x33));
        let v1 = Patch(vec4<f32>(x.x02, x.x03, x.x12, x.x13), vec4<f32>(x.x03, x.x04, x.x13, x.x14), vec4<f32>(x.x04, x.x05, x.x14, x.x15),
                       vec4<f32>(x.x12, x.x13, x.x22, x.x23), vec4<f32>(x.x13, x.x14, x.x23, x.x24), vec4<f32>(x.x14, x.x15, x.x24, x.x25),
                       vec4<f32>(x.x22, x.x23, x.x32, x.x33), vec4<f32>(x.x23, x.x24, x.x33, x.x34), vec4<f32>(x.x24, x.x25, x.x34, x.x35));
        fold_taps16(&c0, &c1, v0, v1, ta, tb);
    }

    let first = (n * p.c_out * pool_h + py) * pool_w + px0;
    let live0 = b < blocks;
    let live1 = live0 && BR > 1u && px0 + 1u < pool_w;
    store(co0 + 0u, live0, first, at0, c0.c0); store(co0 + 0u, live1, first + 1u, at0 + 2u, c1.c0);
    store(co0 + 1u, live0, first, at0, c0.c1); store(co0 + 1u, live1, first + 1u, at0 + 2u, c1.c1);
    store(co0 + 2u, live0, first, at0, c0.c2); store(co0 + 2u, live1, first + 1u, at0 + 2u, c1.c2);
    store(co0 + 3u, live0, first, at0, c0.c3); store(co0 + 3u, live1, first + 1u, at0 + 2u, c1.c3);
    store(co0 + 4u, live0, first, at0, c0.c4); store(co0 + 4u, live1, first + 1u, at0 + 2u, c1.c4);
    store(co0 + 5u, live0, first, at0, c0.c5); store(co0 + 5u, live1, first + 1u, at0 + 2u, c1.c5);
    store(co0 + 6u, live0, first, at0, c0.c6); store(co0 + 6u, live1, first + 1u, at0 + 2u, c1.c6);
    store(co0 + 7u, live0, first, at0, c0.c7); store(co0 + 7u, live1, first + 1u, at0 + 2u, c1.c7);
    store(co0 + 8u, live0, first, at0, c0.c8); store(co0 + 8u, live1, first + 1u, at0 + 2u, c1.c8);
    store(co0 + 9u, live0, first, at0, c0.c9); store(co0 + 9u, live1, first + 1u, at0 + 2u, c1.c9);
    store(co0 + 10u, live0, first, at0, c0.c10); store(co0 + 10u, live1, first + 1u, at0 + 2u, c1.c10);
    store(co0 + 11u, live0, first, at0, c0.c11); store(co0 + 11u, live1, first + 1u, at0 + 2u, c1.c11);
    store(co0 + 12u, live0, first, at0, c0.c12); store(co0 + 12u, live1, first + 1u, at0 + 2u, c1.c12);
    store(co0 + 13u, live0, first, at0, c0.c13); store(co0 + 13u, live1, first + 1u, at0 + 2u, c1.c13);
    store(co0 + 14u, live0, first, at0, c0.c14); store(co0 + 14u, live1, first + 1u, at0 + 2u, c1.c14);
    store(co0 + 15u, live0, first, at0, c0.c15); store(co0 + 15u, live1, first + 1u, at0 + 2u, c1.c15);
}
