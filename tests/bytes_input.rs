//! Images may cross to the device as bytes (`Model::train_step_bytes`): the step's first pass
//! makes them floats there, b / 255 from a table the host computed, so a step on bytes gives
//! the very weights a step on the host's floats gives. Checked with an image size whose
//! `3·S·S` is not a multiple of 4 (the last u32 half full), and on the batch the trunk takes in
//! pieces (bytes made floats on the host there); and both readers of the table.

use std::sync::Arc;

use model::{HeadSpec, Model, ModelSpec, TrainConfig};
use twinhead::random_labels;

fn model(image_size: usize) -> Model {
    let gpu = Arc::new(tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the bytes test needs a GPU adapter"));
    let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| format!("{n}{i}")).collect() };
    let spec = ModelSpec { image_size, hidden: 16, heads: vec![head("color", 3), head("item", 4)] };
    let config = TrainConfig { lr: 1e-2, loss_weights: vec![1.0, 1.0], seed: 3, kernels: Default::default() };
    Model::new(gpu, spec, &config).unwrap()
}

fn steps_agree(image_size: usize, batch: usize, limit: Option<u64>) {
    let (mut floats, mut bytes) = (model(image_size), model(image_size));
    if let Some(l) = limit {
        floats.limit_bindings(l);
        bytes.limit_bindings(l);
    }
    for step in 0..3u64 {
        let pixels: Vec<u8> =
            (0..batch * floats.spec.image_len()).map(|i| ((i as u64 * 7 + step * 13) % 256) as u8).collect();
        let unit = kernels::unit_table();
        let as_floats: Vec<f32> = pixels.iter().map(|&b| unit[b as usize]).collect();
        let labels = [random_labels(batch, 10 + step, 3), random_labels(batch, 20 + step, 4)];
        let refs = [labels[0].as_slice(), labels[1].as_slice()];
        floats.train_step(&as_floats, &refs).unwrap();
        bytes.train_step_bytes(&pixels, &refs).unwrap();
    }
    assert_eq!(floats.parameters().unwrap(), bytes.parameters().unwrap(), "S {image_size}, batch {batch}");
    assert_eq!(floats.take_step_stats().unwrap(), bytes.take_step_stats().unwrap());
}

#[test]
fn a_step_on_bytes_equals_a_step_on_the_hosts_floats() {
    assert_eq!(kernels::unit_table()[255], 1.0);
    // 3·25·25 = 1875 bytes an image: batches of 3 end in a half-full u32.
    steps_agree(25, 3, None);
    steps_agree(24, 4, None);
}

#[test]
fn a_batch_the_trunk_takes_in_pieces_is_made_floats_on_the_host() {
    // Bindings of 64 KiB: conv1's output of 24×24 images (16·22·22·4 = 31 KiB an image) goes in
    // pieces of two images, and there is no conversion pass.
    let mut m = model(24);
    m.limit_bindings(64 * 1024);
    assert!(m.input_op(4).unwrap().is_none());
    steps_agree(24, 4, Some(64 * 1024));
}

/// Where Adam reads texel mirrors (the tuner's choice), the conversion gathers the table from a
/// mirror too (shaders/bytes_to_unit_texels.wgsl): every byte value comes out as the host's
/// b / 255, whichever reader ran.
#[test]
fn both_readers_of_the_table_give_the_hosts_floats() {
    let gpu = tensor::Gpu::new(&tensor::AdapterChoice::Auto).expect("the bytes test needs a GPU adapter");
    let pixels: Vec<u8> = (0..4096u32).map(|i| (i * 37 % 256) as u8).collect();
    let words: Vec<u32> = pixels.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    let unit = kernels::unit_table();
    let want: Vec<f32> = pixels.iter().map(|&b| unit[b as usize]).collect();
    let bytes = tensor::Tensor::from_u32(&gpu, "bytes", &[words.len()], &words).unwrap();
    let table = tensor::Tensor::from_slice(&gpu, "unit", &[256], &unit).unwrap();
    for texels in [false, true] {
        let k = kernels::Kernels::new(&gpu).unwrap();
        let pick = kernels::Pick { texels, ..k.pick_by_key(kernels::ADAM_KEY) };
        k.set_choice(kernels::ADAM_KEY.to_string(), pick);
        let x = tensor::Tensor::zeros(&gpu, "x", &[pixels.len()]).unwrap();
        let op = k.bytes_to_unit(&gpu, &bytes, &table, &x).unwrap();
        let kernel = op.dispatches[0].label;
        assert_eq!(kernel, if texels { "bytes_to_unit_texels" } else { "bytes_to_unit_vec4" });
        kernels::record::run(&gpu, "bytes", |r| op.record(r)).unwrap();
        assert_eq!(x.to_vec(&gpu).unwrap(), want, "{kernel}");
    }
}
