// What the four-at-a-time scatter forms of maxpool2d_backward share (maxpool2d_backward_quads
// and maxpool2d_backward_winners), joined in front of each by the catalogue after the parameter
// block (maxpool2d_backward_params.wgsl): dy, argmax and y read as vec4s (a pooled output whose
// length is a multiple of 4), and the gradients of four pooled outputs. Each declares its own `dx`.

@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> argmax: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> y: array<vec4<f32>>;

// dy of pooled outputs 4q..4q+3, each masked to 0 by ReLU's backward when params.relu_mask != 0
// and its pooled value y (the maximum's own input) is not positive.
fn pooled_gradients(q: u32) -> vec4<f32> {
    if p.relu_mask != 0u { return select(vec4<f32>(0.0), dy[q], y[q] > vec4<f32>(0.0)); }
    return dy[q];
}
