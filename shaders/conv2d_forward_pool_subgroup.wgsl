// conv2d_forward_pool_subgroup: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) reading its input from the storage buffer: each of the 16–24 patch values an input
// channel needs is one storage load.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var<storage, read> x: array<f32>;

fn load_x(i: u32) -> f32 {
    return x[i];
}

// The weights as vec4s (taps(at) in shaders/common/conv_forward_pool.wgsl picks a row's 9 taps
// out of the three that hold them).
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;

// Weight values 4q..4q+3.
fn weight_vec4(q: u32) -> vec4<f32> {
    return weight[q];
}
