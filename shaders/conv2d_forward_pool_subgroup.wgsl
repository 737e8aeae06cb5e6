// conv2d_forward_pool_subgroup: conv2d_forward_subgroup.wgsl with the ReLU and the 2×2,
// stride-2 max-pool that follow it done before anything is stored: only the pooled values and
// where each maximum came from are written, never the convolution's own output (a quarter of
// the stores, and no pass that reads it back).
//   a[n, co, oy, ox] = ReLU(bias[co] + Σ_{ci, ky, kx} x[n, ci, oy·s + ky − p, ox·s + kx − p] · weight[co, ci, ky, kx])
//   y[n, co, py, px] = max_{dy, dx < 2} a[n, co, 2py + dy, 2px + dx]
//   argmax[n, co, py, px] = (2py + dy)·OW + 2px + dx of that maximum (the first in row-major
//   order on ties), as maxpool2d_forward.wgsl writes it for maxpool2d_backward_scatter.wgsl.
//   (ReLU only when params.relu != 0; floor mode: a last odd row or column is never computed.)
// Layouts, row-major: x [N, C_in, H, W], weight [C_out, C_in, KH, KW], bias [C_out],
// y and argmax [N, C_out, OH / 2, OW / 2] with OH, OW the convolution's output size.
// One invocation computes one pooled pixel × 16 channels: the 4 convolution pixels of its
// window into 16 vec4 accumulators, the weights shared through the subgroup as in
// conv2d_forward_subgroup.wgsl. Needs subgroups of at least 8 lanes; no early return before the
// last broadcast.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y, 5 argmax.

struct Params {
    batch: u32, c_in: u32, h: u32, w: u32,
    c_out: u32, out_h: u32, out_w: u32, kh: u32,
    kw: u32, stride: u32, pad: u32, relu: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> argmax: array<u32>;

// Where a pixel reads x through one tap: the offset in channel 0 (0 in the padding) and a
// factor, 1 inside the image, 0 in the padding.
struct Tap {
    at: u32,
    hit: f32,
}

fn tap(base: u32, iy: i32, ix: i32) -> Tap {
    let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
    return Tap(select(0u, base + u32(iy) * p.w + u32(ix), inside), select(0.0, 1.0, inside));
}

// Writes one channel of the block: the maximum of its window (the four accumulators are the
// window's pixels in row-major order) and where it is. `at0` is the window's top-left offset in
// the convolution's output plane.
fn store(co: u32, m: u32, at0: u32, acc: vec4<f32>) {
    if co >= p.c_out || m >= p.batch * (p.out_h / 2u) * (p.out_w / 2u) { return; }
    var v = acc + bias[co];
    if p.relu != 0u { v = max(v, vec4<f32>(0.0)); }
    var best = v.x;
    var at = at0;
    if v.y > best { best = v.y; at = at0 + 1u; }
    if v.z > best { best = v.z; at = at0 + p.out_w; }
    if v.w > best { best = v.w; at = at0 + p.out_w + 1u; }
    let plane = (p.out_h / 2u) * (p.out_w / 2u);
    let idx = ((m / plane) * p.c_out + co) * plane + m % plane;
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

    // The window's four convolution pixels, row-major: where each reads x (its image's offset
    // and top-left tap).
    let mc = min(m, rows - 1u);
    let r = mc % pool_plane;
    let oy = (r / pool_w) * 2u;
    let ox = (r % pool_w) * 2u;
    let at0 = oy * p.out_w + ox;
    let base = (mc / pool_plane) * chw;
    var xb = array<u32, 4>(base, base, base, base);
    var iy0: array<i32, 4>;
    var ix0: array<i32, 4>;
    for (var j = 0u; j < 4u; j++) {
        iy0[j] = i32((oy + j / 2u) * p.stride) - i32(p.pad);
        ix0[j] = i32((ox + j % 2u) * p.stride) - i32(p.pad);
    }
    // The two weight rows this lane loads for its whole subgroup.
    let w_a = min(co0 + (lane & 7u), p.c_out - 1u) * k_len;
    let w_b = min(co0 + 8u + (lane & 7u), p.c_out - 1u) * k_len;

    var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0); var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);
    var c4 = vec4<f32>(0.0); var c5 = vec4<f32>(0.0); var c6 = vec4<f32>(0.0); var c7 = vec4<f32>(0.0);
    var c8 = vec4<f32>(0.0); var c9 = vec4<f32>(0.0); var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
    var c12 = vec4<f32>(0.0); var c13 = vec4<f32>(0.0); var c14 = vec4<f32>(0.0); var c15 = vec4<f32>(0.0);

    let hw = p.h * p.w;
    let taps = p.kh * p.kw;
    for (var ky = 0u; ky < p.kh; ky++) {
        let dy = i32(ky);
        for (var kx = 0u; kx < p.kw; kx++) {
            let dx = i32(kx);
            let t0 = tap(xb[0], iy0[0] + dy, ix0[0] + dx); let t1 = tap(xb[1], iy0[1] + dy, ix0[1] + dx);
            let t2 = tap(xb[2], iy0[2] + dy, ix0[2] + dx); let t3 = tap(xb[3], iy0[3] + dy, ix0[3] + dx);
            let mask = vec4<f32>(t0.hit, t1.hit, t2.hit, t3.hit);
            let tk = ky * p.kw + kx;
            for (var ci = 0u; ci < p.c_in; ci++) {
                let cp = ci * hw;
                let k = ci * taps + tk;
                let xv = vec4<f32>(x[t0.at + cp], x[t1.at + cp], x[t2.at + cp], x[t3.at + cp]) * mask;
                let wa = weight[w_a + k];
                let wb = weight[w_b + k];
                c0 += xv * subgroupBroadcast(wa, 0u); c1 += xv * subgroupBroadcast(wa, 1u);
                c2 += xv * subgroupBroadcast(wa, 2u); c3 += xv * subgroupBroadcast(wa, 3u);
                c4 += xv * subgroupBroadcast(wa, 4u); c5 += xv * subgroupBroadcast(wa, 5u);
                c6 += xv * subgroupBroadcast(wa, 6u); c7 += xv * subgroupBroadcast(wa, 7u);
                c8 += xv * subgroupBroadcast(wb, 0u); c9 += xv * subgroupBroadcast(wb, 1u);
                c10 += xv * subgroupBroadcast(wb, 2u); c11 += xv * subgroupBroadcast(wb, 3u);
                c12 += xv * subgroupBroadcast(wb, 4u); c13 += xv * subgroupBroadcast(wb, 5u);
                c14 += xv * subgroupBroadcast(wb, 6u); c15 += xv * subgroupBroadcast(wb, 7u);
            }
        }
    }

    store(co0 + 0u, m, at0, c0); store(co0 + 1u, m, at0, c1); store(co0 + 2u, m, at0, c2); store(co0 + 3u, m, at0, c3);
    store(co0 + 4u, m, at0, c4); store(co0 + 5u, m, at0, c5); store(co0 + 6u, m, at0, c6); store(co0 + 7u, m, at0, c7);
    store(co0 + 8u, m, at0, c8); store(co0 + 9u, m, at0, c9); store(co0 + 10u, m, at0, c10); store(co0 + 11u, m, at0, c11);
    store(co0 + 12u, m, at0, c12); store(co0 + 13u, m, at0, c13); store(co0 + 14u, m, at0, c14); store(co0 + 15u, m, at0, c15);
}
