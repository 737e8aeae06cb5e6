// The accumulators of a subgroup kernel whose invocations share 16 channels (weights loaded by
// lanes 0–7 and handed out by subgroupBroadcast), and the multiply-adds of one tap, joined in
// front of each such kernel by the catalogue (conv2d_forward_pool_subgroup,
// conv2d_backward_input_rows_subgroup); and the same 16 accumulators as 16 rows of a 4-column
// block, with their multiply-adds against a 4 × 4 matrix (linear_backward_input_subgroup). A struct of named vec4s, not an array: lavapipe keeps
// named values in registers and an indexed private array in memory.

// The value at offset r (0–3) of a, b, c, d: a run of values that starts anywhere in a vec4,
// picked out of the vec4s that hold it.
fn at_offset(a: f32, b: f32, c: f32, d: f32, r: u32) -> f32 {
    return select(select(select(a, b, r == 1u), c, r == 2u), d, r == 3u);
}

// Channel j of the block in cj: four pixels (or a window's four) along the vec4.
struct Block16 {
    c0: vec4<f32>, c1: vec4<f32>, c2: vec4<f32>, c3: vec4<f32>,
    c4: vec4<f32>, c5: vec4<f32>, c6: vec4<f32>, c7: vec4<f32>,
    c8: vec4<f32>, c9: vec4<f32>, c10: vec4<f32>, c11: vec4<f32>,
    c12: vec4<f32>, c13: vec4<f32>, c14: vec4<f32>, c15: vec4<f32>,
}

// One tap: lo += v · w[j] for each channel j, and hi += u · w[j] when `both` (a constant at every
// call, so the other half costs nothing where a block has one set of pixels). Lane j < 8 holds
// the tap's weight of channel j in wa and of channel 8 + j in wb; each is broadcast once and
// used for both sets.
fn fold16(lo: ptr<function, Block16>, hi: ptr<function, Block16>, v: vec4<f32>, u: vec4<f32>, wa: f32, wb: f32,
          both: bool) {
    let a0 = subgroupBroadcast(wa, 0u); let a1 = subgroupBroadcast(wa, 1u);
    let a2 = subgroupBroadcast(wa, 2u); let a3 = subgroupBroadcast(wa, 3u);
    let a4 = subgroupBroadcast(wa, 4u); let a5 = subgroupBroadcast(wa, 5u);
    let a6 = subgroupBroadcast(wa, 6u); let a7 = subgroupBroadcast(wa, 7u);
    let b0 = subgroupBroadcast(wb, 0u); let b1 = subgroupBroadcast(wb, 1u);
    let b2 = subgroupBroadcast(wb, 2u); let b3 = subgroupBroadcast(wb, 3u);
    let b4 = subgroupBroadcast(wb, 4u); let b5 = subgroupBroadcast(wb, 5u);
    let b6 = subgroupBroadcast(wb, 6u); let b7 = subgroupBroadcast(wb, 7u);
    (*lo).c0 += v * a0; (*lo).c1 += v * a1; (*lo).c2 += v * a2; (*lo).c3 += v * a3;
    (*lo).c4 += v * a4; (*lo).c5 += v * a5; (*lo).c6 += v * a6; (*lo).c7 += v * a7;
    (*lo).c8 += v * b0; (*lo).c9 += v * b1; (*lo).c10 += v * b2; (*lo).c11 += v * b3;
    (*lo).c12 += v * b4; (*lo).c13 += v * b5; (*lo).c14 += v * b6; (*lo).c15 += v * b7;
    if both {
        (*hi).c0 += u * a0; (*hi).c1 += u * a1; (*hi).c2 += u * a2; (*hi).c3 += u * a3;
        (*hi).c4 += u * a4; (*hi).c5 += u * a5; (*hi).c6 += u * a6; (*hi).c7 += u * a7;
        (*hi).c8 += u * b0; (*hi).c9 += u * b1; (*hi).c10 += u * b2; (*hi).c11 += u * b3;
        (*hi).c12 += u * b4; (*hi).c13 += u * b5; (*hi).c14 += u * b6; (*hi).c15 += u * b7;
    }
}

// Rows j of a 16-row block against 4 × 4 of a matrix: acc.cj += m · g_j, where g_j (row j's four
// values along the reduction) is lane j's ga for rows 0–7 and lane j − 8's gb for rows 8–15.
fn fold_rows16(acc: ptr<function, Block16>, m: mat4x4<f32>, ga: vec4<f32>, gb: vec4<f32>) {
    (*acc).c0 += m * subgroupBroadcast(ga, 0u); (*acc).c1 += m * subgroupBroadcast(ga, 1u);
    (*acc).c2 += m * subgroupBroadcast(ga, 2u); (*acc).c3 += m * subgroupBroadcast(ga, 3u);
    (*acc).c4 += m * subgroupBroadcast(ga, 4u); (*acc).c5 += m * subgroupBroadcast(ga, 5u);
    (*acc).c6 += m * subgroupBroadcast(ga, 6u); (*acc).c7 += m * subgroupBroadcast(ga, 7u);
    (*acc).c8 += m * subgroupBroadcast(gb, 0u); (*acc).c9 += m * subgroupBroadcast(gb, 1u);
    (*acc).c10 += m * subgroupBroadcast(gb, 2u); (*acc).c11 += m * subgroupBroadcast(gb, 3u);
    (*acc).c12 += m * subgroupBroadcast(gb, 4u); (*acc).c13 += m * subgroupBroadcast(gb, 5u);
    (*acc).c14 += m * subgroupBroadcast(gb, 6u); (*acc).c15 += m * subgroupBroadcast(gb, 7u);
}
