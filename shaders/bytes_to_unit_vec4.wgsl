// bytes_to_unit_vec4: the conversion of shaders/common/bytes_to_unit_words.wgsl (joined in front
// by the catalogue: what it computes, its layouts) with the table read from its storage buffer.
// Bindings: 0 params (uniform), 1 bytes, 2 unit, 3 x.

@group(0) @binding(2) var<storage, read> unit: array<f32>;

// b / 255 as the host computes it.
fn lookup(b: u32) -> f32 {
    return unit[b];
}
