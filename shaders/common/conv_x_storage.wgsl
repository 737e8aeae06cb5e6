// A conv kernel's input x read from its storage buffer: binding 1 and load_x, joined in front
// by the catalogue (conv_x_texels.wgsl has the same from a texel mirror).
// Layout, row-major: x [N, C_in, H, W]; `base` is where the image's channel starts.

@group(0) @binding(1) var<storage, read> x: array<f32>;

// x at (iy, ix) of the plane at `base`, 0 outside it (in the padding).
fn load_x(base: u32, iy: i32, ix: i32) -> f32 {
    let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
    let idx = select(0u, base + u32(iy) * p.w + u32(ix), inside);
    return select(0.0, x[idx], inside);
}
