//! Mistakes come back as errors that name what is wrong, never as panics.

use kernels::{Conv2dShape, LinearShape, Tensor};
use tensor::{AdapterChoice, Gpu, GpuError};
use twinhead::gpu;

#[test]
fn an_adapter_name_that_matches_nothing_lists_the_adapters() {
    let err = Gpu::new(&AdapterChoice::Name("no-such-adapter-xyz".into())).err().expect("must fail");
    let text = err.to_string();
    assert!(matches!(err, GpuError::AdapterNotFound { .. }), "{text}");
    assert!(text.contains("no-such-adapter-xyz") && text.contains(&gpu().0.summary.name), "{text}");
    let err = Gpu::new(&AdapterChoice::Index(999)).err().expect("must fail");
    assert!(err.to_string().contains("index 999"), "{err}");
}

#[test]
fn adapter_choice_parses_indices_and_names() {
    assert_eq!(AdapterChoice::parse("1"), AdapterChoice::Index(1));
    assert_eq!(AdapterChoice::parse("llvmpipe"), AdapterChoice::Name("llvmpipe".into()));
}

#[test]
fn a_broken_shader_is_an_error_naming_the_kernel() {
    let (g, _) = gpu();
    let err = g
        .compute_pipeline("my_broken_kernel", "@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }", "main", &[])
        .expect_err("must fail");
    let text = err.to_string();
    assert!(text.contains("my_broken_kernel"), "{text}");
}

#[test]
fn mismatched_shapes_name_the_operation_and_the_shapes() {
    let (g, k) = gpu();
    let s = Conv2dShape { batch: 2, c_in: 3, h: 8, w: 8, c_out: 4, kh: 3, kw: 3, stride: 1, pad: 0 };
    let x = Tensor::zeros(g, "images", &[2, 3, 8, 8]).unwrap();
    let w = Tensor::zeros(g, "conv weight", &[4, 4, 3, 3]).unwrap();
    let b = Tensor::zeros(g, "bias", &[4]).unwrap();
    let y = Tensor::zeros(g, "y", &[2, 4, 6, 6]).unwrap();
    let err = k.conv2d_forward(g, &s, &x, &w, &b, &y, false).err().expect("must fail").to_string();
    assert!(err.contains("conv2d_forward") && err.contains("[4, 4, 3, 3]") && err.contains("[4, 3, 3, 3]"), "{err}");

    let s = LinearShape { batch: 0, inputs: 3, outputs: 2 };
    let err = k.linear_forward(g, &s, &x, &w, &b, &y, false).err().expect("must fail").to_string();
    assert!(err.contains("batch must be at least 1"), "{err}");
}

#[test]
fn a_tensor_beyond_the_device_limits_says_which_limit() {
    let (g, _) = gpu();
    let limit = g.limits().max_storage_buffer_binding_size as usize;
    let err = Tensor::zeros(g, "huge", &[limit / 4 + 1]).err().expect("must fail").to_string();
    assert!(err.contains("max_storage_buffer_binding_size") && err.contains("smaller batch"), "{err}");
}
