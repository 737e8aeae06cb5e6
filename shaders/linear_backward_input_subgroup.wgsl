// linear_backward_input_subgroup: linear_backward_input.wgsl's sums with vec4 loads along the
// reduction and the rows of dy shared through the subgroup.
//   dx[b, i] = Σ_o dy[b, o] · weight[o, i]      (added to dx when params.accumulate != 0)
// Layouts, row-major: dy [B, O], weight [O, I], dx [B, I]; needs I % 4 == 0 and O % 4 == 0
// (the launcher falls back to the blocked kernel otherwise) and subgroups of at least 8 lanes.
// One invocation computes a BR-row × 4-input block (BR = 16 or 32, the constant joined in
// front). A workgroup's invocations share the BR rows (see linear_forward_subgroup.wgsl), so per
// 4 outputs lane j < 8 loads rows j, 8 + j (and at BR = 32, 16 + j and 24 + j) of dy as vec4s
// for its subgroup, and each invocation loads its 4 × 4 weights as four vec4: at BR = 16,
// 2 + 4 vec4 loads per 256 multiply-adds, at BR = 32, 4 + 4 per 512 — each weight is loaded
// once per BR rows of the batch. The tuner measures both.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 dx.

// BR (the block's rows), params, binding 0, Block16 and fold_rows16(), and the body
// (shaders/common/linear_backward_input_subgroup.wgsl): joined in front by the catalogue
// (with shaders/common/linear_backward.wgsl, channel_block.wgsl).
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;

// dy[row, 4k..4k+3].
fn load_dy(row: u32, k: u32) -> vec4<f32> {
    return dy[row * (p.outputs / 4u) + k];
}

// weight[o, 4c..4c+3].
fn load_w(o: u32, c: u32) -> vec4<f32> {
    return weight[o * (p.inputs / 4u) + c];
}
