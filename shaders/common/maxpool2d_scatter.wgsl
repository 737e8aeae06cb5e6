// What the scalar scatter forms of maxpool2d_backward share (maxpool2d_backward_scatter and
// maxpool2d_backward_pairs), joined in front of each by the catalogue after the parameter block
// (maxpool2d_backward_params.wgsl): the bindings they read, and the gradient of one pooled
// output. Each declares its own `dx` (f32, or vec2 pairs).
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<u32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;

// dy of pooled output o, masked to 0 by ReLU's backward when params.relu_mask != 0 and the
// pooled value y (the maximum's own input) is not positive.
fn pooled_gradient(o: u32) -> f32 {
    if p.relu_mask != 0u && !(y[o] > 0.0) { return 0.0; }
    return dy[o];
}
