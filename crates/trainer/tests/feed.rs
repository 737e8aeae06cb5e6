//! The feed makes the same batch on any number of threads (each image has its own random
//! stream), augments with the recommended set, and leaves images alone without augmentation.

use trainer::data::augment::{Augment, Augmenter};
use trainer::data::feed::{Batch, Feed};

fn batch_on(threads: usize, feed: &Feed<'_>, indices: &[usize], step: usize) -> Batch {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut out = Batch::default();
    pool.install(|| feed.batch(indices, 2, step, &mut out));
    out
}

#[test]
fn a_batch_is_the_same_on_one_thread_or_several() {
    let data = trainer::data::synth::generate(40, 32, 4);
    let augmenter = Augmenter::new(&Augment::recommended(), &data).unwrap();
    let feed = Feed { data: &data, augmenter: &augmenter, seed: 9 };
    let indices: Vec<usize> = (0..40).rev().step_by(2).collect();
    let one = batch_on(1, &feed, &indices, 5);
    assert_eq!(one, batch_on(3, &feed, &indices, 5));
    assert_eq!(one.bytes.len(), indices.len() * data.image_len());
    // Augmented: some images differ from the data's, and another step draws other changes.
    let plain: Vec<u8> =
        indices.iter().flat_map(|&i| data.pixels[i * data.image_len()..(i + 1) * data.image_len()].to_vec()).collect();
    assert_ne!(one.bytes, plain);
    assert_ne!(one, batch_on(2, &feed, &indices, 6));
}

#[test]
fn without_augmentation_the_batch_is_the_data() {
    let data = trainer::data::synth::generate(12, 32, 4);
    let augmenter = Augmenter::new(&Augment::default(), &data).unwrap();
    let feed = Feed { data: &data, augmenter: &augmenter, seed: 9 };
    let indices = [3, 1, 7];
    let b = batch_on(2, &feed, &indices, 0);
    let n = data.image_len();
    let want: Vec<u8> = indices.iter().flat_map(|&i| data.pixels[i * n..(i + 1) * n].to_vec()).collect();
    assert_eq!(b.bytes, want);
    assert_eq!(b.labels, data.batch_labels(&indices));
}
