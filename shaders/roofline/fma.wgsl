// Roofline probe: the multiply-add peak. Each invocation keeps 8 vec4 accumulators in
// registers and updates each of them 4 times per loop iteration (unrolled: a loop-carried
// value written once per iteration costs lavapipe a mask blend), with no memory traffic but one
// store at the end so that nothing is optimised away.
//
// Bindings: 0 `p` (uniform: iterations), 1 `out` (one vec4 per invocation).
// FLOPs: invocations × iterations × 8 accumulators × 4 updates × 4 lanes × 2.

struct Params {
    iterations: u32,
    seed: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    // Each update multiplies by another accumulator, so that no compiler can fold a chain of
    // them into fewer operations (with a constant factor, 4 chained fmas fold into one under
    // fast-math); the values stay near the fixed point of a = a·a + c, about 0.113.
    let c = vec4<f32>(0.1) + vec4<f32>(p.seed, 0.0, 0.0, 0.0) * 1e-3 + f32(gid.x) * 1e-9;
    var a0 = c;
    var a1 = c + 0.01;
    var a2 = c + 0.02;
    var a3 = c + 0.03;
    var a4 = c + 0.04;
    var a5 = c + 0.05;
    var a6 = c + 0.06;
    var a7 = c + 0.07;
    for (var i = 0u; i < p.iterations; i++) {
        a0 = fma(a0, a1, c); a1 = fma(a1, a2, c); a2 = fma(a2, a3, c); a3 = fma(a3, a4, c);
        a4 = fma(a4, a5, c); a5 = fma(a5, a6, c); a6 = fma(a6, a7, c); a7 = fma(a7, a0, c);
        a0 = fma(a0, a1, c); a1 = fma(a1, a2, c); a2 = fma(a2, a3, c); a3 = fma(a3, a4, c);
        a4 = fma(a4, a5, c); a5 = fma(a5, a6, c); a6 = fma(a6, a7, c); a7 = fma(a7, a0, c);
        a0 = fma(a0, a1, c); a1 = fma(a1, a2, c); a2 = fma(a2, a3, c); a3 = fma(a3, a4, c);
        a4 = fma(a4, a5, c); a5 = fma(a5, a6, c); a6 = fma(a6, a7, c); a7 = fma(a7, a0, c);
        a0 = fma(a0, a1, c); a1 = fma(a1, a2, c); a2 = fma(a2, a3, c); a3 = fma(a3, a4, c);
        a4 = fma(a4, a5, c); a5 = fma(a5, a6, c); a6 = fma(a6, a7, c); a7 = fma(a7, a0, c);
    }
    out[gid.x] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}
