// The part every conv2d_backward_weight kernel shares (blocked, _tiled, _subgroup): the
// parameter block, bindings 0–3 and load_x, joined in front of each by the catalogue.
// Layouts, row-major: x [N, C_in, H, W], dy [N, C_out, OH, OW], partial: see partial_at below.

struct Params {
    batch: u32, c_in: u32, h: u32, w: u32,
    c_out: u32, out_h: u32, out_w: u32, kh: u32,
    kw: u32, stride: u32, pad: u32, chunk: u32,
    splits: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;

fn load_x(base: u32, iy: i32, ix: i32) -> f32 {
    let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
    let idx = select(0u, base + u32(iy) * p.w + u32(ix), inside);
    return select(0.0, x[idx], inside);
}

// Where chunk s's partial sum of column k of output channel co goes. Value v = co·(K + 1) + k
// is lane v % 8 of block v / 8; a block holds its 8 values' splits four at a time, side by side:
//   partial[v / 8, s / 4, v % 8, s % 4]      ([⌈C_out·(K + 1) / 8⌉, S / 4, 8, 4], S: splits rounded up to 4)
// so that the reduce, one value an invocation, reads 8 neighbouring invocations' next vec4s from
// 128 consecutive bytes, and each block of 8 values from one stream through memory.
fn partial_at(s: u32, co: u32, k: u32, cols: u32) -> u32 {
    let v = co * cols + k;
    let quads = (p.splits + 3u) / 4u;
    return (((v / 8u) * quads + s / 4u) * 8u + v % 8u) * 4u + s % 4u;
}
