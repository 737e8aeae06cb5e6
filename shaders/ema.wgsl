// ema: one step of an exponential moving average of the parameters, in place:
//   average ← average + rate · (param − average)
// with rate = 1 − decay for this step (the host lowers the decay over the first steps, so the
// average does not dwell on the random initial weights; see model::ema).
// Layouts: param and average are [len], read as vec4s (the flat parameter buffers hold whole
// vec4s; the zero padding stays zero). One invocation per vec4.
// Bindings: 0 params (uniform), 1 param, 2 average.

struct Params {
    rate: f32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> param: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> average: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    if i >= arrayLength(&average) { return; }
    let a = average[i];
    average[i] = a + p.rate * (param[i] - a);
}
