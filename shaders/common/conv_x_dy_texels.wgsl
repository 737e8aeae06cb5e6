// A conv weight-gradient kernel's operands gathered from their texel mirrors
// (crates/tensor/src/texels.rs: value i at texel (i mod 4096, i div 4096) of an r32float texture,
// filled by a copy just before): bindings 1 (x) and 2 (dy), load_x and load_dy, joined in front by
// the catalogue; the storage reader's are in conv_x_dy_storage.wgsl. On lavapipe a texel fetch is
// one vector gather, a storage load a loop over the SIMD lanes.

@group(0) @binding(1) var x: texture_2d<f32>;
@group(0) @binding(2) var dy: texture_2d<f32>;

// x at (iy, ix) of the plane at `base`, 0 outside it (in the padding).
fn load_x(base: u32, iy: i32, ix: i32) -> f32 {
    let inside = iy >= 0 && iy < i32(p.h) && ix >= 0 && ix < i32(p.w);
    let idx = select(0u, base + u32(iy) * p.w + u32(ix), inside);
    return select(0.0, texel(x, idx), inside);
}

// dy's value i.
fn load_dy(i: u32) -> f32 {
    return texel(dy, i);
}
