// The parameter block every linear backward kernel shares (input and weight gradients, blocked,
// _tiled, _subgroup and _vec4), joined in front of each by the catalogue; each kernel declares
// its own storage bindings.

struct Params {
    batch: u32, inputs: u32, outputs: u32, accumulate: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
