// The part every conv2d_backward_input kernel shares (blocked, _tiled, _subgroup, the rows
// kernels): the parameter block, bindings 0 and 3 and the tap helper, joined in front of each
// by the catalogue; bindings 1 and 2, load_dy and load_weight come from the reader joined beside
// it (conv_dy_weight_storage.wgsl, or conv_dy_weight_texels.wgsl for the rows kernel's texel reader).
// Layouts, row-major: dy [N, C_out, OH, OW], weight [C_out, C_in, KH, KW], dx [N, C_in, H, W].

struct Params {
    batch: u32, c_in: u32, h: u32, w: u32,
    c_out: u32, out_h: u32, out_w: u32, kh: u32,
    kw: u32, stride: u32, pad: u32, accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// Where a pixel reads dy through one tap: the offset of its output pixel in channel 0 (0 when
// there is none) and a factor, 1 if there is one, else 0.
struct Tap {
    at: u32,
    hit: f32,
}

// For the pixel of image base `b` at offset (ty, tx) = (iy + p − ky, ix + p − kx).
fn tap(b: u32, ty: i32, tx: i32) -> Tap {
    let s = i32(p.stride);
    let oy = ty / s;
    let ox = tx / s;
    let hit = ty >= 0 && tx >= 0 && oy * s == ty && ox * s == tx && oy < i32(p.out_h) && ox < i32(p.out_w);
    return Tap(select(0u, b + u32(oy) * p.out_w + u32(ox), hit), select(0.0, 1.0, hit));
}
