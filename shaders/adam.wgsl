// adam: one Adam step on every parameter, in place (shaders/common/adam_step.wgsl: the update,
// its semantics and layouts, joined in front by the catalogue), reading the values before the
// step from the storage buffers it writes.
// Bindings: 0 params (uniform), 1 param, 2 m, 3 v, 4 average, 5 grad.

@group(0) @binding(5) var<storage, read> grad: array<vec4<f32>>;

fn load_param(i: u32) -> vec4<f32> { return param[i]; }
fn load_grad(i: u32) -> vec4<f32> { return grad[i]; }
fn load_m(i: u32) -> vec4<f32> { return m[i]; }
fn load_v(i: u32) -> vec4<f32> { return v[i]; }
fn load_average(i: u32) -> vec4<f32> { return average[i]; }
