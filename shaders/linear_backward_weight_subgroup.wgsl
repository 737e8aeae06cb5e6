// linear_backward_weight_subgroup: linear_backward_weight.wgsl's sums with the rows of dy shared
// through the subgroup.
//   dweight[o, i] = Σ_b dy[b, o] · x[b, i],   dbias[o] = Σ_b dy[b, o]
//   (computed together: column i = I of x is taken as 1, and its column of the result is dbias).
//   With params.accumulate != 0 the results are added to dweight/dbias instead of replacing them.
// Layouts, row-major: x [B, I], dy [B, O], dweight [O, I], dbias [O]; needs I % 4 == 0 and
// O % 4 == 0 (x, dy and dweight are read as vec4s; the launcher falls back to the blocked kernel
// otherwise) and subgroups of at least 8 lanes.
// One invocation computes a BR-output × 4-input block (BR = 16 or 32, the constant joined in
// front; the code also reads BR = 8, measured 2.2–2.4× slower: twice the loads per product).
// Every invocation of a workgroup takes the same BR outputs (a workgroup covers WG consecutive
// 4-input blocks; past the inputs its invocations compute a clamped copy and store nothing), so
// per b each lane loads one vec4 of x (its own inputs) and one vec4 of dy — lane j the outputs
// o0 + 4·(j mod BR/4) — and subgroupBroadcast hands the dy vec4s to the others: 2 loads per
// 4·BR multiply-adds, against 4 per 64 in 8×8 blocks that share nothing (the kernel this one
// replaced, linear_backward_weight_vec4: this is 1.1× as fast on lavapipe with AVX-512 and
// 1.8× with AVX2 only, where a load costs more). The sums run over b in order, as in every
// sibling. (Four rows a step, so that an accumulator takes four updates per loop-carried blend,
// measured no faster.)
// Bindings: 0 params (uniform), 1 x, 2 dy, 3 dweight, 4 dbias.

// The body: shaders/common/linear_backward_weight_subgroup.wgsl, joined in front by the catalogue.

@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> dy: array<vec4<f32>>;

// dy[b, 4k..4k+3].
fn load_dy(b: u32, k: u32) -> vec4<f32> {
    return dy[b * (p.outputs / 4u) + k];
}

// x[b, i..i+3] for i a multiple of 4: (1, 0, 0, 0) at the bias column i = I, zeros past it.
fn load_x(b: u32, i: u32) -> vec4<f32> {
    let v = x[b * (p.inputs / 4u) + min(i, p.inputs - 4u) / 4u];
    return select(select(vec4<f32>(0.0), vec4<f32>(1.0, 0.0, 0.0, 0.0), i == p.inputs), v, i < p.inputs);
}
