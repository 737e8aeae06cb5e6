// linear_forward_subgroup: linear_forward.wgsl's sums with vec4 loads along the reduction and
// the rows of x shared through the subgroup.
//   y[b, o] = bias[o] + Σ_i x[b, i] · weight[o, i]      (then ReLU when params.relu != 0)
// Layouts, row-major: x [B, I], weight [O, I] (PyTorch's nn.Linear), bias [O], y [B, O];
// needs I % 4 == 0 (x and weight are read as vec4 along i; the launcher falls back to the
// blocked kernel otherwise) and subgroups of at least 8 lanes.
// One invocation computes a BR-row × 4-output block (BR = 16 or 32, the constant joined in
// front). Every invocation of a workgroup takes the same BR rows (a workgroup covers 64
// consecutive 4-output blocks; past the outputs its invocations compute a clamped copy and store
// nothing), so per 4 inputs lane j < 8 loads rows j, 8 + j (and at BR = 32, 16 + j and 24 + j)
// of x as vec4s and subgroupBroadcast hands them to the others: at BR = 16, 2 + 4 vec4 loads per
// 256 multiply-adds (64 scalar loads in linear_forward.wgsl), at BR = 32, 4 + 4 per 512 — each
// weight is loaded once per BR rows of the batch. The tuner measures both.
// Split-K as in linear_forward.wgsl: with params.splits > 1 split s sums inputs
// [s·chunk, (s+1)·chunk) into y[s, b, o] (raw, for linear_reduce.wgsl).
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y.

// The body: shaders/common/linear_forward_subgroup.wgsl, joined in front by the catalogue.

@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;

// x[row, 4k..4k+3].
fn load_x(row: u32, k: u32) -> vec4<f32> {
    return x[row * (p.inputs / 4u) + k];
}

// weight[o, 4k..4k+3].
fn load_w(o: u32, k: u32) -> vec4<f32> {
    return weight[o * (p.inputs / 4u) + k];
}
