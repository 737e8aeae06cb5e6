// The conv input gradient's rows kernel's operands read from their texel mirrors
// (crates/tensor/src/texels.rs: rgba32float, values 4q..4q+3 at texel (q mod 1024, q div 1024),
// filled by a copy just before): bindings 1 (dy) and 2 (weight), load_window and load_taps3,
// joined in front by the catalogue. A window's 6 or 10 values and a weight row's 3 come from the
// vec4s that hold them, picked out by their offset (at_offset: channel_block.wgsl): 3 or 4
// fetches a window instead of 6 or 10 gathers, 2 a weight row instead of 3. On lavapipe a texel
// fetch is one vector gather, a storage load a loop over the SIMD lanes.

@group(0) @binding(1) var dy: texture_2d<f32>;
@group(0) @binding(2) var weight: texture_2d<f32>;

// The window of the dy row at o: from column start on (the privates of
// shaders/common/conv_backward_input_rows.wgsl), values outside the output masked to 0.
fn load_window(o: u32) -> Window10 {
    let j = i32(o) + start;
    let q = u32(j >> 2u); // floor(j / 4), as a u32: a vec4 before the first is out of the mirror
    let r = u32(j & 3);
    let a = vec4_at(dy, q);
    let b = vec4_at(dy, q + 1u);
    let c = vec4_at(dy, q + 2u);
    let e = select(vec4<f32>(0.0), vec4_at(dy, q + 3u), BR > 4u);
    var d: Window10;
    d.d0 = select(0.0, at_offset(a.x, a.y, a.z, a.w, r), k0);
    d.d1 = select(0.0, at_offset(a.y, a.z, a.w, b.x, r), k1);
    d.d2 = select(0.0, at_offset(a.z, a.w, b.x, b.y, r), k2);
    d.d3 = select(0.0, at_offset(a.w, b.x, b.y, b.z, r), k3);
    d.d4 = select(0.0, at_offset(b.x, b.y, b.z, b.w, r), k4);
    d.d5 = select(0.0, at_offset(b.y, b.z, b.w, c.x, r), k5);
    if BR > 4u {
        d.d6 = select(0.0, at_offset(b.z, b.w, c.x, c.y, r), k6);
        d.d7 = select(0.0, at_offset(b.w, c.x, c.y, c.z, r), k7);
        d.d8 = select(0.0, at_offset(c.x, c.y, c.z, c.w, r), k8);
        d.d9 = select(0.0, at_offset(c.y, c.z, c.w, e.x, r), k9);
    }
    return d;
}

// The weights' values at, at + 1, at + 2 (row-major [C_out, C_in, 3, 3]).
fn load_taps3(at: u32) -> vec3<f32> {
    let q = at / 4u;
    let r = at % 4u;
    let u = vec4_at(weight, q);
    let v = vec4_at(weight, q + 1u);
    return vec3<f32>(at_offset(u.x, u.y, u.z, u.w, r), at_offset(u.y, u.z, u.w, v.x, r), at_offset(u.z, u.w, v.x, v.y, r));
}
