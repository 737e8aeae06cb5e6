// conv2d_backward_weight_rows_texels: the conv weight gradient's rows kernel
// (shaders/common/conv_backward_weight_rows.wgsl: what it computes, its layouts and its work per
// invocation), gathering x and dy from their texel mirrors (common/conv_x_dy_texels.wgsl); all of it joined in
// front by the catalogue. A pick's `texels`: the tuner measures both readers.
// Bindings: 0 params (uniform), 1 x and 2 dy (r32float texels), 3 partial.
