// A conv weight-gradient kernel's operands read from their storage buffers: bindings 1 (x) and
// 2 (dy), load_x and load_dy, joined in front by the catalogue (conv_x_dy_texels.wgsl has the same
// from texel mirrors; the kernels other than the subgroup and rows kernels index dy directly).
// Layouts, row-major: x [N, C_in, H, W], dy [N, C_out, OH, OW]; `base` is where the image's
// channel starts.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;

// x at (iy, ix) of the plane at `base`, 0 outside it (in the padding).
fn load_x(base: u32, iy: i32, ix: i32) -> f32 {
    let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
    let idx = select(0u, base + u32(iy) * p.w + u32(ix), inside);
    return select(0.0, x[idx], inside);
}

// dy's value i.
fn load_dy(i: u32) -> f32 {
    return dy[i];
}
