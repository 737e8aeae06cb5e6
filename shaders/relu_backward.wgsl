// relu_backward: dx = dy where the ReLU's output y is positive, else 0 (the gradient at 0 is 0,
// as in PyTorch). Elementwise over `len` values; taking y rather than the pre-activation lets the
// forward overwrite its input.
// One invocation per element. Bindings: 0 params (uniform), 1 y, 2 dy, 3 dx.

struct Params {
    len: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * 64u + lid;
    if i >= p.len { return; }
    dx[i] = select(0.0, dy[i], y[i] > 0.0);
}
