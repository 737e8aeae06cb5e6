// conv2d_backward_weight_subgroup_texels: conv2d_backward_weight_subgroup's partial sums
// (shaders/common/conv_backward_weight_subgroup.wgsl: what it computes, its layouts and its work
// per invocation) gathering x and dy from their texel mirrors (common/conv_x_dy_texels.wgsl); all of it joined
// in front by the catalogue. The kernel of the weight gradients the rows kernel does not take
// (conv1's 3 input channels). A pick's `texels`: the tuner measures both readers.
// Bindings: 0 params (uniform), 1 x and 2 dy (r32float texels), 3 partial.
