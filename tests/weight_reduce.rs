//! conv2d_reduce_weights, the pass that finishes every convolution's split-K weight gradient:
//! in both its forms (four values an invocation, read as one vec4 per split, where every
//! segment's partial sums start at a multiple of four floats; one value an invocation otherwise)
//! each value's splits are added one after another from zero, as an f32 loop on the CPU adds
//! them, so the gradients must match bit for bit — the tutorial's fingerprint depends on it. Two
//! segments in one pass, the second accumulating onto what the gradient buffer holds; value
//! counts that are no multiple of 16 or of 4 (the last four of a segment run past its values).

use kernels::{Conv2dShape, Tensor, WeightSegment};
use twinhead::{gpu, random, variants};

/// Offsets of views, in bytes: a multiple of every adapter's storage offset alignment.
const ALIGN: u64 = 256;

fn conv(c_in: usize, c_out: usize, h: usize) -> Conv2dShape {
    Conv2dShape { batch: 2, c_in, h, w: 16, c_out, kh: 3, kw: 3, stride: 1, pad: 1 }
}

/// Aligned byte offsets for consecutive runs of `floats`, and the total.
fn offsets(floats: impl Iterator<Item = usize>) -> Vec<u64> {
    let mut at = vec![0u64];
    for n in floats {
        at.push((at.last().unwrap() + 4 * n as u64).next_multiple_of(ALIGN));
    }
    at
}

/// Runs the reduce over `shapes` (the last one accumulating), their partial sums `shift` floats
/// past aligned offsets, and checks every value against the CPU's in-order f32 sums. Returns the
/// kernel that ran and each shape's splits.
fn reduce_case(k: &kernels::Kernels, shapes: &[Conv2dShape], shift: u64) -> (&'static str, Vec<usize>) {
    let g = &gpu().0;
    let splits: Vec<usize> = shapes.iter().map(|s| k.conv2d_weight_splits(s).0).collect();
    let partial_shapes: Vec<[usize; 3]> = shapes.iter().map(|s| k.conv2d_partials_shape(s)).collect();
    let partial_at = offsets(partial_shapes.iter().map(|p| p.iter().product::<usize>() + 1));
    let partials_buffer = Tensor::storage(g, "partials", *partial_at.last().unwrap()).unwrap();
    let partials =
        Tensor::view(&partials_buffer, "partials", 0, &[(*partial_at.last().unwrap() / 4) as usize]).unwrap();
    // Each shape's weight gradient, then its bias gradient, in one flat gradient buffer.
    let grad_at = offsets(shapes.iter().flat_map(|s| [s.weight_shape().iter().product(), s.c_out]));
    let grads_buffer = Tensor::storage(g, "grads", *grad_at.last().unwrap()).unwrap();
    let grads = Tensor::view(&grads_buffer, "grads", 0, &[(*grad_at.last().unwrap() / 4) as usize]).unwrap();
    let before = random(grads.len(), 7, -1.0, 1.0);
    grads.write(g, &before).unwrap();

    let mut views = Vec::new();
    let mut expected = before.clone();
    for (i, s) in shapes.iter().enumerate() {
        let (c_out, cols) = (s.c_out, s.c_in * s.kh * s.kw + 1);
        let [blocks, n, 16] = partial_shapes[i] else { panic!("{:?}", partial_shapes[i]) };
        assert_eq!((blocks, n), ((c_out * cols).div_ceil(16), splits[i]));
        // Every float written, the padding after a segment's last values too: never added.
        let data = random(blocks * n * 16, 11 + i as u64, -1.0, 1.0);
        let partial = Tensor::view(&partials_buffer, "partial", partial_at[i] + 4 * shift, &partial_shapes[i]).unwrap();
        partial.write(g, &data).unwrap();
        let weight_at = grad_at[2 * i] as usize / 4;
        let bias_at = grad_at[2 * i + 1] as usize / 4;
        let dweight = Tensor::view(&grads_buffer, "dweight", grad_at[2 * i], &s.weight_shape()).unwrap();
        let dbias = Tensor::view(&grads_buffer, "dbias", grad_at[2 * i + 1], &[c_out]).unwrap();
        let accumulate = i + 1 == shapes.len();
        for value in 0..c_out * cols {
            let mut sum = 0.0f32;
            for split in 0..splits[i] {
                // Block value / 16, then the split, then the value's place in the block.
                sum += data[(value / 16 * n + split) * 16 + value % 16];
            }
            let (co, col) = (value / cols, value % cols);
            let place = if col + 1 < cols { weight_at + co * (cols - 1) + col } else { bias_at + co };
            expected[place] = if accumulate { sum + before[place] } else { sum };
        }
        views.push((*s, partial, dweight, dbias, accumulate));
    }
    let segments: Vec<WeightSegment> = views
        .iter()
        .map(|(shape, partial, dweight, dbias, accumulate)| WeightSegment {
            shape: *shape,
            partial,
            dweight,
            dbias,
            accumulate: *accumulate,
        })
        .collect();
    let op = k.conv2d_reduce_weights(g, &partials, &grads, &segments).unwrap();
    kernels::record::run(g, &op.name, |r| op.record(r)).unwrap();
    let got = grads.to_vec(g).unwrap();
    for (i, (a, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(a.to_bits(), e.to_bits(), "{}: value {i}: {a} against {e}", op.dispatches[0].label);
    }
    (op.dispatches[0].label, splits)
}

#[test]
fn both_forms_sum_every_split_in_order() {
    for k in variants() {
        // 4·(2·9 + 1) = 76 values (no multiple of 16) and 3·(9 + 1) = 30 (nor of 4), over 8 and
        // 7 chunks of at least 64 pixels where the pass is split as finely as that allows.
        let shapes = [conv(2, 4, 16), conv(1, 3, 14)];
        for (shift, form) in [(0, "conv2d_reduce_weights_vec4"), (1, "conv2d_reduce_weights")] {
            let (kernel, splits) = reduce_case(k, &shapes, shift);
            assert_eq!(kernel, form, "partial sums {shift} floats past an aligned offset");
            assert!(splits.iter().all(|&s| s > 1), "{}: splits {splits:?}", k.variant.name());
        }
    }
}
