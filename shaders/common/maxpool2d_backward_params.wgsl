// The parameter block every scatter form of maxpool2d_backward reads (maxpool2d_backward_scatter,
// _pairs, _quads, _winners), joined in front of each by the catalogue before its bindings
// (shaders/common/maxpool2d_scatter.wgsl for scalars, maxpool2d_quads.wgsl for vec4s).

struct Params {
    planes: u32, h: u32, w: u32, out_h: u32,
    out_w: u32, window: u32, stride: u32, relu_mask: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
