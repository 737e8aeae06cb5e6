// conv2d_backward_weight_rows_subgroup: the conv weight gradient's rows kernel
// (shaders/common/conv_backward_weight_rows.wgsl: what it computes, its layouts and its work per
// invocation), reading x from its storage buffer (common/conv_x_dy_storage.wgsl); all of it joined
// in front by the catalogue.
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 partial.
