//! Layer 2: every GPU kernel, forward and backward, against the f64 reference — at the
//! network's own shapes (batch 32, 3×96×96 through conv 3→16→32→64 and 6400→1024) and at
//! awkward ones (batch 1, odd sizes, channel counts that are no multiple of the 8×8 tiles).
//!
//! Tolerances: the kernels sum in f32; the reference sums the same f32 inputs in f64, so the
//! difference is the kernel's rounding. For a sum of n terms [`Tolerance::f32_sum`] allows
//! 8·√n·ε times the largest output (random-signed rounding errors grow like √n; 8 is margin),
//! which stays far below any indexing mistake (those are errors of the size of the outputs).
//! Pooling and ReLU only select values, so they must match exactly.
//!
//! Every kernel variant the adapter runs is checked (`variants()`): blocked, tiled, and the
//! subgroup one where the device has subgroups of 8 lanes or more (lavapipe has). The subgroup
//! kernels share loaded operands between lanes but multiply and add in f32 one product at a
//! time like the others, so the same tolerance applies: their precision is f32's, only the
//! order of the sums differs (the fused conv + pool sums over input channels outside the taps).

use kernels::{Conv2dShape, HeadLoss, LinearShape, Pool2dShape, Tensor};
use twinhead::{
    Tolerance, assert_close, gpu, max_abs, narrow_block_sets, random, random_labels, shaped_sets, texel_sets, variants,
    wide,
};

fn upload(label: &str, shape: &[usize], data: &[f32]) -> Tensor {
    Tensor::from_slice(&gpu().0, label, shape, data).unwrap()
}

fn zeros(label: &str, shape: &[usize]) -> Tensor {
    Tensor::zeros(&gpu().0, label, shape).unwrap()
}

fn run(op: &kernels::Op) {
    kernels::record::run(&gpu().0, &op.name, |r| op.record(r)).unwrap();
}

/// Whether one of the op's kernels reads a texel mirror (filled by a copy recorded before it).
fn mirrored(op: &kernels::Op) -> bool {
    op.dispatches.iter().any(|d| !d.copies_before().is_empty())
}

fn read(t: &Tensor) -> Vec<f32> {
    t.to_vec(&gpu().0).unwrap()
}

fn to_ref_conv(s: &Conv2dShape) -> reference::Conv2dShape {
    reference::Conv2dShape {
        batch: s.batch,
        c_in: s.c_in,
        h: s.h,
        w: s.w,
        c_out: s.c_out,
        kh: s.kh,
        kw: s.kw,
        stride: s.stride,
        pad: s.pad,
    }
}

/// conv2d forward (with and without the fused ReLU), input gradient, weight and bias gradient,
/// with every kernel variant, shape and reader.
fn conv_case(s: Conv2dShape, seed: u64) {
    for k in variants().iter().chain(shaped_sets()).chain(texel_sets()) {
        conv_case_with(k, s, seed);
    }
}

fn conv_case_with(k: &kernels::Kernels, s: Conv2dShape, seed: u64) {
    let g = &gpu().0;
    let r = to_ref_conv(&s);
    let xs: Vec<usize> = s.x_shape().to_vec();
    let ys: Vec<usize> = s.y_shape().to_vec();
    let x = random(xs.iter().product(), seed, -1.0, 1.0);
    let w = random(s.weight_shape().iter().product(), seed + 1, -1.0, 1.0);
    let b = random(s.c_out, seed + 2, -1.0, 1.0);
    let dy = random(ys.iter().product(), seed + 3, -1.0, 1.0);
    let (tx, tw, tb, tdy) =
        (upload("x", &xs, &x), upload("w", &s.weight_shape(), &w), upload("b", &[s.c_out], &b), upload("dy", &ys, &dy));
    let k_len = s.c_in * s.kh * s.kw;
    let name = format!("{s:?} ({:?}, block {:?}, texels {})", k.variant, k.block, k.texels);

    let expected = reference::conv2d_forward(&r, &wide(&x), &wide(&w), &wide(&b));
    let ty = zeros("y", &ys);
    run(&k.conv2d_forward(g, &s, &tx, &tw, &tb, &ty, false).unwrap());
    assert_close(
        &format!("conv2d_forward y {name}"),
        &read(&ty),
        &expected,
        Tolerance::f32_sum(k_len, max_abs(&expected, 1.0)),
    );
    run(&k.conv2d_forward(g, &s, &tx, &tw, &tb, &ty, true).unwrap());
    let expected_relu = reference::relu_forward(&expected);
    assert_close(
        &format!("conv2d_forward+relu y {name}"),
        &read(&ty),
        &expected_relu,
        Tolerance::f32_sum(k_len, max_abs(&expected, 1.0)),
    );

    let expected = reference::conv2d_backward_input(&r, &wide(&w), &wide(&dy));
    let tdx = zeros("dx", &xs);
    let op = k.conv2d_backward_input(g, &s, &tw, &tdy, &tdx, false).unwrap();
    // A texel pick gathers dy from a mirror where the subgroup variant runs its rows kernel.
    let labels: Vec<&str> = op.dispatches.iter().map(|d| d.label).collect();
    let rows = k.variant == kernels::Variant::Subgroup && (s.kh, s.kw, s.stride) == (3, 3, 1);
    let texel_rows = labels.iter().any(|l| l.starts_with("conv2d_backward_input_rows_texels"));
    assert_eq!(texel_rows, k.texels && rows, "{name}: {labels:?}");
    assert_eq!(mirrored(&op), k.texels && rows, "{name}: {labels:?}");
    run(&op);
    let taps = s.c_out * s.kh * s.kw;
    assert_close(
        &format!("conv2d_backward_input dx {name}"),
        &read(&tdx),
        &expected,
        Tolerance::f32_sum(taps, max_abs(&expected, 1.0)),
    );
    // The accumulating form adds to what dx holds.
    run(&k.conv2d_backward_input(g, &s, &tw, &tdy, &tdx, true).unwrap());
    assert_close(
        &format!("conv2d_backward_input accumulated dx {name}"),
        &read(&tdx),
        &twice(&expected),
        Tolerance::f32_sum(taps, 2.0 * max_abs(&expected, 1.0)),
    );

    let (edw, edb) = reference::conv2d_backward_weight(&r, &wide(&x), &wide(&dy));
    let (tdw, tdb) = (zeros("dw", &s.weight_shape()), zeros("db", &[s.c_out]));
    let op = k.conv2d_backward_weight(g, &s, &tx, &tdy, &tdw, &tdb, false).unwrap();
    // A texel pick gathers x from a mirror in either of the subgroup variant's kernels: the rows
    // kernel (3×3 stride 1, at least 8 input channels) or the other.
    let labels: Vec<&str> = op.dispatches.iter().map(|d| d.label).collect();
    let subgroup = k.variant == kernels::Variant::Subgroup;
    let rows = subgroup && (s.kh, s.kw, s.stride) == (3, 3, 1) && s.c_in >= 8;
    assert_eq!(labels.contains(&"conv2d_backward_weight_rows_texels"), k.texels && rows, "{name}: {labels:?}");
    let other = labels.contains(&"conv2d_backward_weight_subgroup_texels");
    assert_eq!(other, k.texels && subgroup && !rows, "{name}: {labels:?}");
    assert_eq!(mirrored(&op), k.texels && subgroup, "{name}: {labels:?}");
    run(&op);
    let rows = s.batch * s.out_h() * s.out_w();
    assert_close(
        &format!("conv2d_backward_weight dweight {name}"),
        &read(&tdw),
        &edw,
        Tolerance::f32_sum(rows, max_abs(&edw, 1.0)),
    );
    assert_close(
        &format!("conv2d_backward_weight dbias {name}"),
        &read(&tdb),
        &edb,
        Tolerance::f32_sum(rows, max_abs(&edb, 1.0)),
    );
    run(&k.conv2d_backward_weight(g, &s, &tx, &tdy, &tdw, &tdb, true).unwrap());
    assert_close(
        &format!("conv2d_backward_weight accumulated dweight {name}"),
        &read(&tdw),
        &twice(&edw),
        Tolerance::f32_sum(rows, 2.0 * max_abs(&edw, 1.0)),
    );
    assert_close(
        &format!("conv2d_backward_weight accumulated dbias {name}"),
        &read(&tdb),
        &twice(&edb),
        Tolerance::f32_sum(rows, 2.0 * max_abs(&edb, 1.0)),
    );
}

fn twice(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| 2.0 * x).collect()
}

#[test]
fn conv2d_network_conv1() {
    conv_case(Conv2dShape { batch: 32, c_in: 3, h: 96, w: 96, c_out: 16, kh: 3, kw: 3, stride: 1, pad: 0 }, 10);
}

#[test]
fn conv2d_network_conv2() {
    conv_case(Conv2dShape { batch: 32, c_in: 16, h: 47, w: 47, c_out: 32, kh: 3, kw: 3, stride: 1, pad: 0 }, 20);
}

#[test]
fn conv2d_network_conv3() {
    conv_case(Conv2dShape { batch: 32, c_in: 32, h: 22, w: 22, c_out: 64, kh: 3, kw: 3, stride: 1, pad: 0 }, 30);
}

#[test]
fn conv2d_awkward_shapes() {
    // batch 1, channels not a multiple of 8, odd sizes
    conv_case(Conv2dShape { batch: 1, c_in: 5, h: 11, w: 13, c_out: 7, kh: 3, kw: 3, stride: 1, pad: 0 }, 40);
    // stride 2 with padding, non-square kernel
    conv_case(Conv2dShape { batch: 3, c_in: 2, h: 9, w: 7, c_out: 9, kh: 3, kw: 2, stride: 2, pad: 1 }, 50);
    // 1×1 kernel to a single channel; stride 3 that skips inputs
    conv_case(Conv2dShape { batch: 2, c_in: 1, h: 10, w: 5, c_out: 1, kh: 1, kw: 1, stride: 3, pad: 0 }, 60);
    // 3×3 stride 1 with padding (the row kernel of the input gradient): rows of 9 and 21 pixels
    // end inside a block of 4 and of 8, 20 input channels fill one tile of 16 and part of another
    conv_case(Conv2dShape { batch: 2, c_in: 20, h: 6, w: 9, c_out: 5, kh: 3, kw: 3, stride: 1, pad: 1 }, 45);
    conv_case(Conv2dShape { batch: 1, c_in: 3, h: 4, w: 21, c_out: 9, kh: 3, kw: 3, stride: 1, pad: 2 }, 47);
    // and for the row kernel of the weight gradient (input channels ≥ 8): 9 input channels (a
    // lane of the second group alone), 19 output channels (a partial tile), chunks that end
    // inside a row
    conv_case(Conv2dShape { batch: 3, c_in: 9, h: 7, w: 6, c_out: 19, kh: 3, kw: 3, stride: 1, pad: 1 }, 48);
    // kernel as large as the padded input
    conv_case(Conv2dShape { batch: 2, c_in: 3, h: 3, w: 4, c_out: 17, kh: 5, kw: 5, stride: 1, pad: 1 }, 70);
    // several tiles in every dimension of every pass, none of them whole: pixels 3·13·11 = 429
    // (7 tiles of 64), 70 output channels (2 tiles), K = 5·3·3 = 45 (3 steps of 16), and for the
    // weight gradient 70 × 46 columns over 429 rows
    conv_case(Conv2dShape { batch: 3, c_in: 5, h: 15, w: 13, c_out: 70, kh: 3, kw: 3, stride: 1, pad: 0 }, 75);
}

fn to_ref_pool(s: &Pool2dShape) -> reference::Pool2dShape {
    reference::Pool2dShape { batch: s.batch, channels: s.channels, h: s.h, w: s.w, window: s.window, stride: s.stride }
}

fn pool_case(s: Pool2dShape, seed: u64) {
    let (g, k) = gpu();
    let r = to_ref_pool(&s);
    let (xs, ys) = (s.x_shape().to_vec(), s.y_shape().to_vec());
    let x = random(xs.iter().product(), seed, -1.0, 1.0);
    let dy = random(ys.iter().product(), seed + 1, -1.0, 1.0);
    let name = format!("{s:?}");
    let (tx, tdy) = (upload("x", &xs, &x), upload("dy", &ys, &dy));
    let (ty, targ) = (zeros("y", &ys), Tensor::zeros_u32(g, "argmax", &ys).unwrap());
    run(&k.maxpool2d_forward(g, &s, &tx, &ty, &targ).unwrap());
    let (ey, earg) = reference::maxpool2d_forward(&r, &wide(&x));
    assert_close(&format!("maxpool2d_forward y {name}"), &read(&ty), &ey, Tolerance::new(0.0, 0.0));
    assert_eq!(targ.to_vec_u32(g).unwrap(), earg, "maxpool2d_forward argmax {name}");

    let tdx = zeros("dx", &xs);
    run(&k.maxpool2d_backward(g, &s, &tdy, &targ, None, &tdx).unwrap());
    let edx = reference::maxpool2d_backward(&r, &earg, &wide(&dy));
    // Overlapping windows add at most window² values; allow their rounding.
    assert_close(
        &format!("maxpool2d_backward dx {name}"),
        &read(&tdx),
        &edx,
        Tolerance::new(4.0 * f32::EPSILON as f64, 0.0),
    );

    // The fused ReLU mask: the pooled input as a ReLU output.
    let relu_x = reference::relu_forward(&wide(&x));
    let trelu = upload("relu x", &xs, &relu_x.iter().map(|&v| v as f32).collect::<Vec<_>>());
    let (_, rarg) = reference::maxpool2d_forward(&r, &relu_x);
    let targ2 = Tensor::from_u32(g, "argmax", &ys, &rarg).unwrap();
    run(&k.maxpool2d_backward(g, &s, &tdy, &targ2, Some(&trelu), &tdx).unwrap());
    let edx = reference::relu_backward(&relu_x, &reference::maxpool2d_backward(&r, &rarg, &wide(&dy)));
    assert_close(
        &format!("maxpool2d_backward+relu dx {name}"),
        &read(&tdx),
        &edx,
        Tolerance::new(4.0 * f32::EPSILON as f64, 0.0),
    );

    // Windows that do not overlap also have the scatter form, its ReLU mask read from the
    // pooled output. dx starts as garbage: every input must be written, the uncovered ones 0.
    if s.stride >= s.window {
        let garbage = upload("dx", &xs, &random(xs.iter().product(), seed + 2, 5.0, 9.0));
        run(&k.maxpool2d_backward_scatter(g, &s, &tdy, &targ, None, &garbage).unwrap());
        let plain = reference::maxpool2d_backward(&r, &earg, &wide(&dy));
        assert_close(&format!("scatter dx {name}"), &read(&garbage), &plain, Tolerance::new(0.0, 0.0));
        let (rpooled, _) = reference::maxpool2d_forward(&r, &relu_x);
        let tpooled = upload("pooled relu", &ys, &rpooled.iter().map(|&v| v as f32).collect::<Vec<_>>());
        run(&k.maxpool2d_backward_scatter(g, &s, &tdy, &targ2, Some(&tpooled), &garbage).unwrap());
        assert_close(&format!("scatter+relu dx {name}"), &read(&garbage), &edx, Tolerance::new(0.0, 0.0));
    }
}

#[test]
fn maxpool2d_network_shapes() {
    pool_case(Pool2dShape { batch: 32, channels: 16, h: 94, w: 94, window: 2, stride: 2 }, 80);
    pool_case(Pool2dShape { batch: 32, channels: 32, h: 45, w: 45, window: 2, stride: 2 }, 81); // 45 floors to 22
    pool_case(Pool2dShape { batch: 32, channels: 64, h: 20, w: 20, window: 2, stride: 2 }, 82);
}

#[test]
fn maxpool2d_awkward_shapes() {
    pool_case(Pool2dShape { batch: 1, channels: 1, h: 2, w: 2, window: 2, stride: 2 }, 83);
    pool_case(Pool2dShape { batch: 3, channels: 5, h: 7, w: 9, window: 3, stride: 2 }, 84); // overlapping
    pool_case(Pool2dShape { batch: 2, channels: 3, h: 5, w: 11, window: 2, stride: 3 }, 85); // gaps
    pool_case(Pool2dShape { batch: 3, channels: 2, h: 9, w: 7, window: 2, stride: 2 }, 86); // odd leftovers
    // Odd leftovers with 25 outputs a plane: four outputs read together straddle planes.
    pool_case(Pool2dShape { batch: 2, channels: 2, h: 11, w: 11, window: 2, stride: 2 }, 87);
    // Overlapping windows (the gather form: one input may win two windows), lengths multiples of 4.
    pool_case(Pool2dShape { batch: 4, channels: 1, h: 7, w: 9, window: 3, stride: 2 }, 88);
}

fn linear_case(s: LinearShape, seed: u64) {
    for k in variants().iter().chain(shaped_sets()).chain(narrow_block_sets()).chain(texel_sets()) {
        linear_case_with(k, s, seed);
    }
}

fn linear_case_with(k: &kernels::Kernels, s: LinearShape, seed: u64) {
    let g = &gpu().0;
    let r = reference::LinearShape { batch: s.batch, inputs: s.inputs, outputs: s.outputs };
    let x = random(s.batch * s.inputs, seed, -1.0, 1.0);
    let w = random(s.outputs * s.inputs, seed + 1, -1.0, 1.0);
    let b = random(s.outputs, seed + 2, -1.0, 1.0);
    let dy = random(s.batch * s.outputs, seed + 3, -1.0, 1.0);
    let name = format!("{s:?} ({:?}, block {:?}, texels {})", k.variant, k.block, k.texels);
    let (tx, tw, tb) =
        (upload("x", &[s.batch, s.inputs], &x), upload("w", &[s.outputs, s.inputs], &w), upload("b", &[s.outputs], &b));
    let tdy = upload("dy", &[s.batch, s.outputs], &dy);

    let ey = reference::linear_forward(&r, &wide(&x), &wide(&w), &wide(&b));
    let ty = zeros("y", &[s.batch, s.outputs]);
    let op = k.linear_forward(g, &s, &tx, &tw, &tb, &ty, false).unwrap();
    // A texel pick gathers x from a mirror where the subgroup kernel runs (vec4 rows).
    let labels: Vec<&str> = op.dispatches.iter().map(|d| d.label).collect();
    let subgroup = k.variant == kernels::Variant::Subgroup && s.inputs.is_multiple_of(4) && s.outputs.is_multiple_of(4);
    let texel_kernel = labels.iter().any(|l| l.starts_with("linear_forward_subgroup_texels"));
    assert_eq!(texel_kernel, k.texels && subgroup, "{name}: {labels:?}");
    assert_eq!(mirrored(&op), texel_kernel, "{name}: {labels:?}");
    run(&op);
    assert_close(&format!("linear_forward y {name}"), &read(&ty), &ey, Tolerance::f32_sum(s.inputs, max_abs(&ey, 1.0)));
    run(&k.linear_forward(g, &s, &tx, &tw, &tb, &ty, true).unwrap());
    assert_close(
        &format!("linear_forward+relu y {name}"),
        &read(&ty),
        &reference::relu_forward(&ey),
        Tolerance::f32_sum(s.inputs, max_abs(&ey, 1.0)),
    );

    let edx = reference::linear_backward_input(&r, &wide(&w), &wide(&dy));
    let tdx = zeros("dx", &[s.batch, s.inputs]);
    let op = k.linear_backward_input(g, &s, &tw, &tdy, &tdx, false).unwrap();
    let labels: Vec<&str> = op.dispatches.iter().map(|d| d.label).collect();
    let texel_kernel = labels.iter().any(|l| l.starts_with("linear_backward_input_subgroup_texels"));
    assert_eq!(texel_kernel, k.texels && subgroup, "{name}: {labels:?}");
    assert_eq!(mirrored(&op), texel_kernel, "{name}: {labels:?}");
    run(&op);
    assert_close(
        &format!("linear_backward_input dx {name}"),
        &read(&tdx),
        &edx,
        Tolerance::f32_sum(s.outputs, max_abs(&edx, 1.0)),
    );
    run(&k.linear_backward_input(g, &s, &tw, &tdy, &tdx, true).unwrap());
    assert_close(
        &format!("linear_backward_input accumulated dx {name}"),
        &read(&tdx),
        &twice(&edx),
        Tolerance::f32_sum(s.outputs, 2.0 * max_abs(&edx, 1.0)),
    );

    let (edw, edb) = reference::linear_backward_weight(&r, &wide(&x), &wide(&dy));
    let (tdw, tdb) = (zeros("dw", &[s.outputs, s.inputs]), zeros("db", &[s.outputs]));
    let op = k.linear_backward_weight(g, &s, &tx, &tdy, &tdw, &tdb, false).unwrap();
    let labels: Vec<&str> = op.dispatches.iter().map(|d| d.label).collect();
    let texel_kernel = labels.iter().any(|l| l.starts_with("linear_backward_weight_subgroup_texels"));
    assert_eq!(texel_kernel, k.texels && subgroup, "{name}: {labels:?}");
    assert_eq!(mirrored(&op), texel_kernel, "{name}: {labels:?}");
    run(&op);
    assert_close(
        &format!("linear_backward_weight dweight {name}"),
        &read(&tdw),
        &edw,
        Tolerance::f32_sum(s.batch, max_abs(&edw, 1.0)),
    );
    assert_close(
        &format!("linear_backward_weight dbias {name}"),
        &read(&tdb),
        &edb,
        Tolerance::f32_sum(s.batch, max_abs(&edb, 1.0)),
    );
    run(&k.linear_backward_weight(g, &s, &tx, &tdy, &tdw, &tdb, true).unwrap());
    assert_close(
        &format!("linear_backward_weight accumulated dweight {name}"),
        &read(&tdw),
        &twice(&edw),
        Tolerance::f32_sum(s.batch, 2.0 * max_abs(&edw, 1.0)),
    );
    assert_close(
        &format!("linear_backward_weight accumulated dbias {name}"),
        &read(&tdb),
        &twice(&edb),
        Tolerance::f32_sum(s.batch, 2.0 * max_abs(&edb, 1.0)),
    );
}

#[test]
fn linear_network_shapes() {
    linear_case(LinearShape { batch: 32, inputs: 6400, outputs: 1024 }, 90);
    linear_case(LinearShape { batch: 32, inputs: 1024, outputs: 3 }, 91);
    linear_case(LinearShape { batch: 32, inputs: 1024, outputs: 4 }, 92);
    linear_case(LinearShape { batch: 32, inputs: 1024, outputs: 7 }, 93); // both heads as one layer
}

#[test]
fn linear_awkward_shapes() {
    // Several tiles in every dimension, none whole: 130 rows (3 tiles of 64, 17 blocks of 8),
    // 129 outputs, 70 inputs (5 steps of 16; the weight gradient's 71 columns).
    linear_case(LinearShape { batch: 130, inputs: 70, outputs: 129 }, 98);
    // A split reduction whose last chunk is short: 2500 inputs in chunks of 832 (4 splits).
    linear_case(LinearShape { batch: 130, inputs: 2500, outputs: 129 }, 99);
    linear_case(LinearShape { batch: 1, inputs: 13, outputs: 7 }, 101);
    linear_case(LinearShape { batch: 5, inputs: 1, outputs: 1 }, 102);
    linear_case(LinearShape { batch: 33, inputs: 17, outputs: 9 }, 103);
    // Multiples of 4 (what the subgroup variant's vec4 kernels need) with every block partial:
    // 36 outputs are 4 past a whole 8-, 16- or 32-output block, 69 weight-gradient columns fill
    // no workgroup of 4-input blocks, 33 rows are one past 2 × 16; then a split forward (2052
    // inputs) whose reduce reads vec4s.
    linear_case(LinearShape { batch: 33, inputs: 68, outputs: 36 }, 104);
    linear_case(LinearShape { batch: 7, inputs: 2052, outputs: 20 }, 105);
}

/// The narrow input gradient (one value per invocation, the heads' backward) against the
/// reference, plain, through a ReLU mask, and accumulating.
fn narrow_case(s: LinearShape, seed: u64) {
    let (g, k) = gpu();
    let r = reference::LinearShape { batch: s.batch, inputs: s.inputs, outputs: s.outputs };
    let w = random(s.outputs * s.inputs, seed, -1.0, 1.0);
    let dy = random(s.batch * s.outputs, seed + 1, -1.0, 1.0);
    // A ReLU output: about half of it exactly 0.
    let x: Vec<f32> = random(s.batch * s.inputs, seed + 2, -1.0, 1.0).iter().map(|v| v.max(0.0)).collect();
    let name = format!("{s:?}");
    let (tw, tdy, tx) = (
        upload("w", &[s.outputs, s.inputs], &w),
        upload("dy", &[s.batch, s.outputs], &dy),
        upload("x", &[s.batch, s.inputs], &x),
    );
    let edx = reference::linear_backward_input(&r, &wide(&w), &wide(&dy));
    let tol = Tolerance::f32_sum(s.outputs, max_abs(&edx, 1.0));
    let tdx = zeros("dx", &[s.batch, s.inputs]);
    run(&k.linear_backward_input_narrow(g, &s, &tw, &tdy, None, &tdx, false).unwrap());
    assert_close(&format!("narrow dx {name}"), &read(&tdx), &edx, tol);
    let masked = reference::relu_backward(&wide(&x), &edx);
    run(&k.linear_backward_input_narrow(g, &s, &tw, &tdy, Some(&tx), &tdx, false).unwrap());
    assert_close(&format!("narrow dx through ReLU {name}"), &read(&tdx), &masked, tol);
    run(&k.linear_backward_input_narrow(g, &s, &tw, &tdy, Some(&tx), &tdx, true).unwrap());
    let twice: Vec<f64> = masked.iter().map(|v| 2.0 * v).collect();
    assert_close(&format!("narrow dx accumulated {name}"), &read(&tdx), &twice, tol);
}

#[test]
fn linear_backward_input_narrow_shapes() {
    narrow_case(LinearShape { batch: 32, inputs: 1024, outputs: 7 }, 95); // the tutorial's heads
    narrow_case(LinearShape { batch: 1, inputs: 1, outputs: 1 }, 96);
    narrow_case(LinearShape { batch: 5, inputs: 67, outputs: 13 }, 97); // not multiples of 64
}

#[test]
fn relu_forward_and_backward() {
    let (g, k) = gpu();
    for (len, seed) in [(1usize, 100u64), (63, 101), (100_003, 102)] {
        let x = random(len, seed, -1.0, 1.0);
        let dy = random(len, seed + 1, -1.0, 1.0);
        let (tx, ty, tdy, tdx) =
            (upload("x", &[len], &x), zeros("y", &[len]), upload("dy", &[len], &dy), zeros("dx", &[len]));
        run(&k.relu_forward(g, &tx, &ty).unwrap());
        let ey = reference::relu_forward(&wide(&x));
        assert_close(&format!("relu_forward [{len}]"), &read(&ty), &ey, Tolerance::new(0.0, 0.0));
        run(&k.relu_backward(g, &ty, &tdy, &tdx).unwrap());
        assert_close(
            &format!("relu_backward [{len}]"),
            &read(&tdx),
            &reference::relu_backward(&ey, &wide(&dy)),
            Tolerance::new(0.0, 0.0),
        );
    }
}

fn cross_entropy_case(batch: usize, classes: usize, seed: u64, ignore_every: usize) {
    let (g, k) = gpu();
    let logits = random(batch * classes, seed, -4.0, 4.0);
    let mut labels = random_labels(batch, seed + 1, classes as u32);
    // Rows whose label is no class are ignored (PyTorch's ignore_index).
    if ignore_every > 0 {
        for l in labels.iter_mut().step_by(ignore_every) {
            *l = u32::MAX;
        }
    }
    let name = format!("[{batch}, {classes}]");
    let tl = upload("logits", &[batch, classes], &logits);
    let tlab = Tensor::from_u32(g, "labels", &[1, batch], &labels).unwrap();
    let head = [HeadLoss { classes, weight: 0.75 }];
    let tdl = zeros("dlogits", &[batch, classes]);
    let stats = zeros("stats", &[4]);
    let weight = head[0].weight;
    run(&k.softmax_cross_entropy(g, batch, &head, &tl, &tlab, &tdl, &stats, 1, false).unwrap());
    let e = reference::softmax_cross_entropy(classes, &wide(&logits), &labels);
    // The loss is a mean of `batch` log-sum-exps of `classes` terms: f32 rounding of both sums.
    let got = read(&stats);
    assert_close(
        &format!("cross-entropy loss {name}"),
        &got[2..3],
        &[e.loss],
        Tolerance::f32_sum(batch * classes, e.loss.abs().max(1.0)),
    );
    assert_eq!(got[3], e.correct as f32, "cross-entropy correct count {name}");
    assert_eq!(&got[..2], &[0.0, 0.0], "cross-entropy wrote outside its slot {name}");
    let edl: Vec<f64> = e.dlogits.iter().map(|v| v * weight as f64).collect();
    // Each gradient is one softmax probability (a sum of `classes` exponentials) over the batch.
    assert_close(
        &format!("cross-entropy dlogits {name}"),
        &read(&tdl),
        &edl,
        Tolerance::f32_sum(classes, 1.0 / batch as f64),
    );

    // Accumulating adds this batch's figures to what the slot holds.
    run(&k.softmax_cross_entropy(g, batch, &head, &tl, &tlab, &tdl, &stats, 1, true).unwrap());
    let twice = read(&stats);
    assert_close(
        &format!("accumulated loss {name}"),
        &twice[2..3],
        &[2.0 * e.loss],
        Tolerance::f32_sum(batch * classes, e.loss.abs().max(1.0)),
    );
    assert_eq!(twice[3], 2.0 * e.correct as f32, "accumulated correct count {name}");
}

/// Two heads side by side in one logits matrix (3 and 4 classes, the tutorial's), each against
/// the reference on its own columns, each loss and count in its own place of the slot.
#[test]
fn softmax_cross_entropy_of_joint_heads() {
    let (g, k) = gpu();
    let (batch, widths, weights) = (37, [3usize, 4], [1.0f32, 0.5]);
    let stride: usize = widths.iter().sum();
    let logits = random(batch * stride, 120, -4.0, 4.0);
    let mut labels = [random_labels(batch, 121, 3), random_labels(batch, 122, 4)];
    labels[0][5] = u32::MAX; // a grey image: no colour label
    let joined: Vec<u32> = labels.concat();
    let heads: Vec<HeadLoss> =
        widths.iter().zip(weights).map(|(&classes, weight)| HeadLoss { classes, weight }).collect();
    let tl = upload("logits", &[batch, stride], &logits);
    let tlab = Tensor::from_u32(g, "labels", &[2, batch], &joined).unwrap();
    let tdl = zeros("dlogits", &[batch, stride]);
    let stats = zeros("stats", &[2 * 2 * 3]);
    run(&k.softmax_cross_entropy(g, batch, &heads, &tl, &tlab, &tdl, &stats, 2, false).unwrap());
    let (got, dl) = (read(&stats), read(&tdl));
    assert!(got[..8].iter().all(|&v| v == 0.0), "wrote outside slot 2: {got:?}");
    let mut first = 0;
    for h in 0..2 {
        let cols =
            |m: &[f32]| -> Vec<f32> { m.chunks(stride).flat_map(|r| r[first..first + widths[h]].to_vec()).collect() };
        let e = reference::softmax_cross_entropy(widths[h], &wide(&cols(&logits)), &labels[h]);
        let tol = Tolerance::f32_sum(batch * widths[h], e.loss.abs().max(1.0));
        assert_close(&format!("head {h} loss"), &got[8 + 2 * h..9 + 2 * h], &[e.loss], tol);
        assert_eq!(got[9 + 2 * h], e.correct as f32, "head {h} correct count");
        let edl: Vec<f64> = e.dlogits.iter().map(|v| v * weights[h] as f64).collect();
        assert_close(&format!("head {h} dlogits"), &cols(&dl), &edl, Tolerance::f32_sum(widths[h], 1.0 / batch as f64));
        first += widths[h];
    }
}

#[test]
fn softmax_cross_entropy_shapes() {
    cross_entropy_case(32, 3, 110, 0); // the colour head
    cross_entropy_case(32, 4, 111, 0); // the item head
    cross_entropy_case(1, 2, 112, 0);
    cross_entropy_case(131, 7, 113, 0); // more rows than the 64 invocations
    cross_entropy_case(32, 3, 114, 3); // every third row ignored
    cross_entropy_case(5, 3, 115, 1); // every row ignored: loss and gradient 0
}

/// The fused conv + ReLU + 2×2 max-pool forward (the subgroup variant's, for 3×3 stride-1
/// convolutions) against the reference: the pooled values within the conv's f32 tolerance, and
/// each argmax inside its window pointing at a value the reference puts within that tolerance of
/// the window's maximum (the kernel sums in another order than the two-pass form, so a near tie
/// may go the other way; the backward only needs the maximum's place). Elsewhere the variant
/// runs the two passes. Its input read from the storage buffer and gathered from a texel mirror.
fn conv_pool_case(c: Conv2dShape, seed: u64) {
    let g = &gpu().0;
    let (oh, ow) = (c.out_h(), c.out_w());
    let p = Pool2dShape { batch: c.batch, channels: c.c_out, h: oh, w: ow, window: 2, stride: 2 };
    // Every variant that fuses, in its own block and every other block it offers.
    let sets = || variants().iter().chain(shaped_sets()).chain(texel_sets());
    let fusing: Vec<_> = sets().filter(|k| k.fuses_pool(&c, &p)).collect();
    let fusable = c.kh == 3 && c.kw == 3 && c.stride == 1 && (c.c_out * c.c_in).is_multiple_of(4);
    if variants().iter().any(|k| k.variant == kernels::Variant::Subgroup) {
        let fused_by_subgroup = fusing.iter().filter(|k| k.variant == kernels::Variant::Subgroup).count();
        let subgroup_sets = sets().filter(|k| k.variant == kernels::Variant::Subgroup);
        let expected = if fusable { subgroup_sets.count() } else { 0 };
        assert_eq!(fused_by_subgroup, expected, "the subgroup variant fuses {c:?} with its pool: {fusable}");
    }
    let x = random(c.x_shape().iter().product(), seed, -1.0, 1.0);
    let w = random(c.weight_shape().iter().product(), seed + 1, -1.0, 1.0);
    let b = random(c.c_out, seed + 2, -0.5, 0.5);
    let (tx, tw, tb) = (upload("x", &c.x_shape(), &x), upload("w", &c.weight_shape(), &w), upload("b", &[c.c_out], &b));
    let conv = reference::relu_forward(&reference::conv2d_forward(&to_ref_conv(&c), &wide(&x), &wide(&w), &wide(&b)));
    let (expected, _) = reference::maxpool2d_forward(&to_ref_pool(&p), &conv);
    let tol = Tolerance::f32_sum(c.c_in * c.kh * c.kw, max_abs(&expected, 1.0));
    for k in fusing {
        let ys = p.y_shape();
        let (ty, targ) = (zeros("y", &ys), Tensor::zeros_u32(g, "argmax", &ys).unwrap());
        let op = k.conv2d_forward_relu_pool(g, &c, &p, &tx, &tw, &tb, &ty, &targ).unwrap();
        let name = format!("{c:?} ({:?}, block {:?}, texels {})", k.variant, k.block, k.texels);
        // A texel pick gathers x from a mirror filled just before (these shapes fit any adapter).
        assert_eq!(
            mirrored(&op),
            k.texels,
            "{name}: dispatches {:?}",
            op.dispatches.iter().map(|d| d.label).collect::<Vec<_>>()
        );
        run(&op);
        assert_close(&format!("conv2d_forward_relu_pool y {name}"), &read(&ty), &expected, tol);
        let (pool_w, pool_plane) = (p.out_w(), p.out_h() * p.out_w());
        for (i, &at) in targ.to_vec_u32(g).unwrap().iter().enumerate() {
            let (plane, r) = (i / pool_plane, i % pool_plane);
            let (oy, ox) = (2 * (r / pool_w), 2 * (r % pool_w));
            let (ay, ax) = (at as usize / ow, at as usize % ow);
            assert!((oy..oy + 2).contains(&ay) && (ox..ox + 2).contains(&ax), "argmax {at} outside window {i} {name}");
            let at_value = conv[plane * oh * ow + at as usize];
            let slack = tol.atol + tol.rtol * expected[i].abs();
            assert!((at_value - expected[i]).abs() <= slack, "argmax {at} of window {i} is no maximum {name}");
        }
    }
}

#[test]
fn conv2d_relu_pool_fused() {
    // The network's three stages (conv2's 45×45 output floors to 22×22).
    conv_pool_case(Conv2dShape { batch: 32, c_in: 3, h: 96, w: 96, c_out: 16, kh: 3, kw: 3, stride: 1, pad: 0 }, 110);
    conv_pool_case(Conv2dShape { batch: 32, c_in: 16, h: 47, w: 47, c_out: 32, kh: 3, kw: 3, stride: 1, pad: 0 }, 111);
    conv_pool_case(Conv2dShape { batch: 32, c_in: 32, h: 22, w: 22, c_out: 64, kh: 3, kw: 3, stride: 1, pad: 0 }, 112);
    // Odd output sizes, 68 channels (5 blocks of 16, the last short) over 5 input channels (a
    // weight row starts at every offset within a vec4); padding; batch 1 with a single pooled
    // pixel; and shapes the variant does not fuse (weights not in whole vec4s, and a stride).
    conv_pool_case(Conv2dShape { batch: 3, c_in: 5, h: 15, w: 13, c_out: 68, kh: 3, kw: 3, stride: 1, pad: 0 }, 113);
    conv_pool_case(Conv2dShape { batch: 2, c_in: 2, h: 7, w: 9, c_out: 10, kh: 3, kw: 3, stride: 1, pad: 1 }, 114);
    conv_pool_case(Conv2dShape { batch: 1, c_in: 1, h: 4, w: 5, c_out: 4, kh: 3, kw: 3, stride: 1, pad: 0 }, 115);
    conv_pool_case(Conv2dShape { batch: 3, c_in: 5, h: 15, w: 13, c_out: 70, kh: 3, kw: 3, stride: 1, pad: 0 }, 117);
    conv_pool_case(Conv2dShape { batch: 2, c_in: 2, h: 11, w: 9, c_out: 9, kh: 3, kw: 2, stride: 2, pad: 1 }, 116);
}
