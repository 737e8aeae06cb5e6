// What the two scatter forms of maxpool2d_backward share (maxpool2d_backward_scatter and
// maxpool2d_backward_pairs), joined in front of each by the catalogue: the parameter block, the
// bindings they read, and the gradient of one pooled output. Each declares its own `dx`
// (f32, or vec2 pairs).

struct Params {
    planes: u32, h: u32, w: u32, out_h: u32,
    out_w: u32, window: u32, stride: u32, relu_mask: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<u32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;

// dy of pooled output o, masked to 0 by ReLU's backward when params.relu_mask != 0 and the
// pooled value y (the maximum's own input) is not positive.
fn pooled_gradient(o: u32) -> f32 {
    if p.relu_mask != 0u && !(y[o] > 0.0) { return 0.0; }
    return dy[o];
}
