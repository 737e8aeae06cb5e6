// One Adam step on one parameter tensor, in place, with PyTorch's semantics (the body of
// adam.wgsl and adam_texels.wgsl, which differ only in where they read param, grad, m, v and the
// average from: the storage buffers, or texel mirrors of them):
//   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
//   param ← param − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)      (eps outside the square root)
// The bias corrections depend only on the step t, so the host passes bias1 = 1 − β1ᵗ and
// bias2_sqrt = √(1 − β2ᵗ), and also 1 − β1 and 1 − β2, all computed in f64 as PyTorch does
// (1 − β2 in f32 arithmetic would be off by 5e-5 relative); one params buffer serves every
// tensor of a step.
// Layouts: param, grad, m, v all [len], read as vec4s: tensor buffers hold whole vec4s, and the
// zero padding past len stays zero (a zero gradient moves nothing). One invocation per vec4:
// on CPU adapters a vec4 load costs about what a scalar one does, so this is 4× fewer loads.
// With average_rate > 0 the moving average of the parameters follows in the same pass
// (model::ema): average ← average + average_rate · (param_new − average); otherwise the average
// binding is a stand-in that is never touched.

// Each reader defines load_param, load_grad, load_m, load_v, load_average (i: u32) -> vec4<f32>:
// the values before the step. The writes go to the storage buffers declared here.
// Bindings here: 0 params (uniform), 1 param, 2 m, 3 v, 4 average; the reader's from 5 on.

struct Params {
    lr: f32, beta1: f32, beta2: f32, eps: f32,
    bias1: f32, bias2_sqrt: f32, one_minus_beta1: f32, one_minus_beta2: f32,
    average_rate: f32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> m: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> average: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    if i >= arrayLength(&param) { return; }
    let g = load_grad(i);
    let m_new = p.beta1 * load_m(i) + p.one_minus_beta1 * g;
    let v_new = p.beta2 * load_v(i) + p.one_minus_beta2 * g * g;
    m[i] = m_new;
    v[i] = v_new;
    let denom = sqrt(v_new) / p.bias2_sqrt + vec4<f32>(p.eps);
    let param_new = load_param(i) - (p.lr / p.bias1) * m_new / denom;
    param[i] = param_new;
    if p.average_rate > 0.0 {
        let a = load_average(i);
        average[i] = a + p.average_rate * (param_new - a);
    }
}
