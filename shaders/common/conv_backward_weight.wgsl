// The part every conv2d_backward_weight kernel shares (blocked, _tiled, _subgroup, the rows
// kernels): the parameter block, bindings 0 and 3, partial_at, chunk_pixels and column_tap,
// joined in front of each by the catalogue; bindings 1 and 2, load_x and load_dy come from the
// reader joined beside it (conv_x_dy_storage.wgsl or conv_x_dy_texels.wgsl).
// Layouts, row-major: x [N, C_in, H, W], dy [N, C_out, OH, OW], partial: see partial_at below.

struct Params {
    batch: u32, c_in: u32, h: u32, w: u32,
    c_out: u32, out_h: u32, out_w: u32, kh: u32,
    kw: u32, stride: u32, pad: u32, chunk: u32,
    splits: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;

// Where chunk s's partial sum of column k of output channel co goes. Value v = co·(K + 1) + k
// lies in block v / 16 of 16 values, and a block holds its values' splits one after another:
//   partial[v / 16, s, v % 16]      ([⌈C_out·(K + 1) / 16⌉, splits, 16])
// A split's 16 values fill one 64-byte line (written by one workgroup, at one time), and the
// reduce, four values an invocation, reads a block as one stream through memory: the next
// split's vec4 is the next 64 bytes, not C_out·(K + 1) floats on (from cold memory, a wait per
// load).
fn partial_at(s: u32, co: u32, k: u32, cols: u32) -> u32 {
    let v = co * cols + k;
    return ((v / 16u) * p.splits + s) * 16u + v % 16u;
}

// The output pixels m = (n, oy, ox) of chunk s, in row-major order: [x, y) of the batch's.
fn chunk_pixels(s: u32) -> vec2<u32> {
    let rows = p.batch * p.out_h * p.out_w;
    let begin = s * p.chunk;
    return vec2<u32>(begin, min(rows, begin + p.chunk));
}

// Where column k < K reads x: its input channel's plane (an offset within the image) and its
// tap's row and column offset from (oy·st, ox·st), the padding taken off.
struct ColumnTap {
    plane: u32,
    dy: i32,
    dx: i32,
}

fn column_tap(k: u32) -> ColumnTap {
    let taps = p.kh * p.kw;
    let tap = k % taps;
    return ColumnTap((k / taps) * p.h * p.w, i32(tap / p.kw) - i32(p.pad), i32(tap % p.kw) - i32(p.pad));
}
