// conv2d_backward_input_rows_subgroup: the conv input gradient's rows kernel
// (shaders/common/conv_backward_input_rows.wgsl: what it computes, its layouts and its work per
// invocation), reading dy from its storage buffer (common/conv_dy_weight_storage.wgsl); all of it joined
// in front by the catalogue.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// The window of the dy row at o, value by value (load_dy: common/conv_dy_weight_storage.wgsl).
fn load_window(o: u32) -> Window10 {
    var d: Window10;
    d.d0 = load_dy(o + x0) * h0; d.d1 = load_dy(o + x1) * h1; d.d2 = load_dy(o + x2) * h2;
    d.d3 = load_dy(o + x3) * h3; d.d4 = load_dy(o + x4) * h4; d.d5 = load_dy(o + x5) * h5;
    if BR > 4u {
        d.d6 = load_dy(o + x6) * h6; d.d7 = load_dy(o + x7) * h7; d.d8 = load_dy(o + x8) * h8; d.d9 = load_dy(o + x9) * h9;
    }
    return d;
}

// The weights' values at, at + 1, at + 2.
fn load_taps3(at: u32) -> vec3<f32> {
    return vec3<f32>(load_weight(at), load_weight(at + 1u), load_weight(at + 2u));
}
