//! Three Adam steps on the GPU equal three steps of the reference (PyTorch's semantics).

use kernels::{AdamHyper, Tensor};
use reference::{Adam, AdamState};
use twinhead::{Tolerance, assert_close, gpu, random};

#[test]
fn three_adam_steps_match_the_reference() {
    three_steps_match(&gpu().1);
}

/// The same through the reader that takes param, grad, m and v from texel mirrors (the tuner's
/// choice where texel fetches are the cheaper loads): five copies, then the texel kernel.
#[test]
fn three_adam_steps_from_texel_mirrors_match_the_reference() {
    let (_, k) = gpu();
    let k = k.trying(kernels::Pick { texels: true, ..kernels::Pick::from(k.variant) });
    three_steps_match(&k);
}

fn three_steps_match(k: &kernels::Kernels) {
    let g = &gpu().0;
    let hyper = AdamHyper::new(5e-4);
    let reference_adam = Adam { lr: hyper.lr, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps };
    for (len, seed) in [(1usize, 1u64), (1000, 2), (4_194_320, 3)] {
        // The last length needs a second row of workgroups (more than 65 535 × 64 elements).
        let params = random(len, seed, -1.0, 1.0);
        let mut expected: Vec<f64> = params.iter().map(|&v| v as f64).collect();
        let mut state = AdamState::<f64>::new(len);
        let p = Tensor::from_slice(g, "param", &[len], &params).unwrap();
        let (m, v) = (Tensor::zeros(g, "m", &[len]).unwrap(), Tensor::zeros(g, "v", &[len]).unwrap());
        let grad = Tensor::zeros(g, "grad", &[len]).unwrap();
        let buffer = k.adam_params_buffer(g);
        let op = k.adam(g, &buffer, &p, &grad, &m, &v).unwrap();
        let copies: usize = op.dispatches.iter().map(|d| d.copies_before().len()).sum();
        assert_eq!(copies, if k.texels { 5 } else { 0 }, "mirrors filled before the step [{len}]");
        for step in 1..=3u32 {
            // Gradients of very different sizes, including ones far below eps's scale.
            let scale = [1.0f32, 1e-3, 1e-9][step as usize - 1];
            let grads: Vec<f32> = random(len, seed * 10 + step as u64, -1.0, 1.0).iter().map(|v| v * scale).collect();
            grad.write(g, &grads).unwrap();
            g.queue.write_buffer(&buffer, 0, bytemuck::bytes_of(&hyper.at_step(step)));
            kernels::record::run(g, "adam step", |r| op.record(r)).unwrap();
            let wide: Vec<f64> = grads.iter().map(|&v| v as f64).collect();
            reference_adam.step(&mut expected, &wide, &mut state);
        }
        // Each step moves a parameter by at most ~lr; f32 rounding of the update is ~1e-7
        // relative to it, and of the parameter itself ε·|p|.
        let tol = Tolerance::new(1e-7, 4.0 * f32::EPSILON as f64);
        assert_close(&format!("adam param [{len}]"), &p.to_vec(g).unwrap(), &expected, tol);
        assert_close(&format!("adam m [{len}]"), &m.to_vec(g).unwrap(), &state.m, Tolerance::new(1e-9, 1e-5));
        assert_close(&format!("adam v [{len}]"), &v.to_vec(g).unwrap(), &state.v, Tolerance::new(1e-12, 1e-5));
        assert_eq!(state.step, 3);
    }
}
