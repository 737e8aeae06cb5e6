// conv2d_backward_weight_subgroup: conv2d_backward_weight.wgsl's partial sums, with dy shared
// through the subgroup instead of loaded by every invocation.
//   partial(co, k, s) = Σ_{m in chunk s} dy[n, co, oy, ox] · A[m, k]   with m = (n, oy, ox),
//   A[m, k] = x[n, ci, oy·st + ky − p, ox·st + kx − p] for k = (ci, ky, kx) < K, and A[m, K] = 1,
//   so column K of the result is the bias gradient. conv2d_reduce_weight(s).wgsl sums over s.
// Layouts, row-major: x [N, C_in, H, W], dy [N, C_out, OH, OW], partial in blocks of 16 values (common/conv_backward_weight.wgsl, partial_at).
// One invocation computes a 16-channel × 4-column block for one chunk into 16 vec4
// accumulators. A workgroup is WG invocations (8 unless the tuner picks another: one subgroup on
// lavapipe; a part of one elsewhere) on the same chunk and 16 channels, each on its own 4 columns, so per pixel lane
// j < 8 loads dy of channels j and 8 + j and subgroupBroadcast hands them to the others: 4 loads
// of x and 2 of dy per 64 multiply-adds, against 8 + 8. Workgroups of 8 (not 64) by default because the
// column blocks of a workgroup are padded to whole workgroups and these reductions have few
// columns (28 for conv1). Needs subgroups of at least 8 lanes; no early return before the last
// broadcast.
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 partial.

// The body: shaders/common/conv_backward_weight_subgroup.wgsl; params, bindings 0, 2, 3
// (common/conv_backward_weight.wgsl), bindings 1, 2, load_x() and load_dy() (common/conv_x_dy_storage.wgsl): all
// joined in front by the catalogue.
