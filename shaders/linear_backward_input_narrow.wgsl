// linear_backward_input_narrow: the gradient of a narrow linear layer's input (few outputs, such
// as the classification heads), optionally through the ReLU that produced that input.
//   dx[b, i] = [x[b, i] > 0 when relu_mask != 0] · Σ_o dy[b, o] · weight[o, i]
//   With params.accumulate != 0 the result is added to dx instead of replacing it.
// Layouts, row-major: dy [B, O], weight [O, I], x and dx [B, I].
// The reduction is over O (7 for the tutorial's heads), so a GEMM's blocking would leave a big GPU
// with a few hundred invocations: here one invocation computes one dx value (B·I invocations,
// 32 768 at batch 32), reading a row of dy and a column of weight. Fusing ReLU's backward saves a pass.
// Bindings: 0 params (uniform), 1 dy, 2 weight, 3 x (read only for the mask), 4 dx.

struct Params {
    batch: u32, inputs: u32, outputs: u32, accumulate: u32,
    relu_mask: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let at = (wid.y * nwg.x + wid.x) * 64u + lid;
    if at >= p.batch * p.inputs { return; }
    // Neighbouring invocations take neighbouring inputs of one row: their weight reads coalesce.
    let b = at / p.inputs;
    let i = at % p.inputs;
    var g = 0.0;
    for (var o = 0u; o < p.outputs; o++) {
        g += dy[b * p.outputs + o] * weight[o * p.inputs + i];
    }
    if p.relu_mask != 0u && x[at] <= 0.0 { g = 0.0; }
    if p.accumulate != 0u { g += dx[at]; }
    dx[at] = g;
}
