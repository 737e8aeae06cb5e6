// The part every conv2d_forward kernel shares (conv2d_forward, _tiled, _subgroup,
// _pool_subgroup, _pool_texels): the parameter block, bindings 0, 3 and 4 and the tap helper (each
// kernel declares binding 1, the input, and 2, the weights, as it reads them: a storage buffer or
// a texel mirror, floats or vec4s). The catalogue
// (crates/kernels/src/catalogue.rs) joins it in front of each kernel's own file: WGSL has no includes.
// Layouts, row-major: x [N, C_in, H, W], weight [C_out, C_in, KH, KW], bias [C_out], y [N, C_out, OH, OW].

struct Params {
    batch: u32, c_in: u32, h: u32, w: u32,
    c_out: u32, out_h: u32, out_w: u32, kh: u32,
    kw: u32, stride: u32, pad: u32, relu: u32,
    argmax: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

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
