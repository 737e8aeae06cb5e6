// The parameter block every linear_forward kernel shares (blocked, _tiled, _subgroup), joined
// in front of each by the catalogue (crates/kernels/src/catalogue.rs); each kernel declares its own
// storage bindings (the subgroup one reads vec4s).

struct Params {
    batch: u32, inputs: u32, outputs: u32, relu: u32,
    chunk: u32, splits: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
