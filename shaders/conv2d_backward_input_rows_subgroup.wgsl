// conv2d_backward_input_rows_subgroup: the conv input gradient's rows kernel
// (shaders/common/conv_backward_input_rows.wgsl: what it computes, its layouts and its work per
// invocation), reading dy from its storage buffer (common/conv_dy_weight_storage.wgsl); all of it joined
// in front by the catalogue.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.
