// conv2d_backward_input_rows_texels: the conv input gradient's rows kernel
// (shaders/common/conv_backward_input_rows.wgsl: what it computes, its layouts and its work per
// invocation), gathering dy and the weights from their texel mirrors
// (common/conv_dy_weight_texels.wgsl), filled just before; all of it joined in front by the
// catalogue. A pick's `texels`: the tuner measures both.
// Bindings: 0 params (uniform), 1 dy and 2 weight (rgba32float texels), 3 dx.
