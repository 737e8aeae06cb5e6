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
    x.x00 = select(0.0, load_x(a00 + cp), k00); x.x01 = select(0.0, load_x(a01 + cp), k01); x.x02 = select(0.0, load_x(a02 + cp), k02); x.x03 = select(0.0, load_x(a03 + cp), k03);
    x.x10 = select(0.0, load_x(a10 + cp), k10); x.x11 = select(0.0, load_x(a11 + cp), k11); x.x12 = select(0.0, load_x(a12 + cp), k12); x.x13 = select(0.0, load_x(a13 + cp), k13);
    x.x20 = select(0.0, load_x(a20 + cp), k20); x.x21 = select(0.0, load_x(a21 + cp), k21); x.x22 = select(0.0, load_x(a22 + cp), k22); x.x23 = select(0.0, load_x(a23 + cp), k23);
    x.x30 = select(0.0, load_x(a30 + cp), k30); x.x31 = select(0.0, load_x(a31 + cp), k31); x.x32 = select(0.0, load_x(a32 + cp), k32); x.x33 = select(0.0, load_x(a33 + cp), k33);
    if BR > 1u {
        x.x04 = select(0.0, load_x(a04 + cp), k04); x.x05 = select(0.0, load_x(a05 + cp), k05);
        x.x14 = select(0.0, load_x(a14 + cp), k14); x.x15 = select(0.0, load_x(a15 + cp), k15);
        x.x24 = select(0.0, load_x(a24 + cp), k24); x.x25 = select(0.0, load_x(a25 + cp), k25);
        x.x34 = select(0.0, load_x(a34 + cp), k34); x.x35 = select(0.0, load_x(a35 + cp), k35);
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
