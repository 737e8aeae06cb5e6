// conv2d_forward_pool_subgroup: the fused 3×3 conv + ReLU + 2×2 max-pool
// (shaders/common/conv_forward_pool.wgsl, joined in front with its parameter block and the other
// bindings) reading its input from the storage buffer: each of the 16–24 patch values an input
// channel needs is one storage load.
// Bindings: 0 params (uniform), 1 x, 2 weight, 3 bias, 4 y, 5 argmax.

@group(0) @binding(1) var<storage, read> x: array<f32>;

fn load_x(i: u32) -> f32 {
    return x[i];
}

// One input channel's patch (cp: the channel's offset), value by value.
fn load_patch(cp: u32) -> Patch46 {
    var x: Patch46;
    x.x00 = load_x(a00 + cp) * h00; x.x01 = load_x(a01 + cp) * h01; x.x02 = load_x(a02 + cp) * h02; x.x03 = load_x(a03 + cp) * h03;
    x.x10 = load_x(a10 + cp) * h10; x.x11 = load_x(a11 + cp) * h11; x.x12 = load_x(a12 + cp) * h12; x.x13 = load_x(a13 + cp) * h13;
    x.x20 = load_x(a20 + cp) * h20; x.x21 = load_x(a21 + cp) * h21; x.x22 = load_x(a22 + cp) * h22; x.x23 = load_x(a23 + cp) * h23;
    x.x30 = load_x(a30 + cp) * h30; x.x31 = load_x(a31 + cp) * h31; x.x32 = load_x(a32 + cp) * h32; x.x33 = load_x(a33 + cp) * h33;
    if BR > 1u {
        x.x04 = load_x(a04 + cp) * h04; x.x05 = load_x(a05 + cp) * h05;
        x.x14 = load_x(a14 + cp) * h14; x.x15 = load_x(a15 + cp) * h15;
        x.x24 = load_x(a24 + cp) * h24; x.x25 = load_x(a25 + cp) * h25;
        x.x34 = load_x(a34 + cp) * h34; x.x35 = load_x(a35 + cp) * h35;
    }
    return x;
}

// The weights as vec4s (taps(at) in shaders/common/conv_forward_pool.wgsl picks a row's 9 taps
// out of the three that hold them).
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;

// Weight values 4q..4q+3.
fn weight_vec4(q: u32) -> vec4<f32> {
    return weight[q];
}
