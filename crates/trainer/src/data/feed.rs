//! The feed: the training batches made on the CPU, on every core. For each step it gathers the
//! batch's images (bytes, as the data set holds them), augments each image with its own random
//! stream ([`Augmenter::image_rng`]: seed, epoch, step, place in the batch) and hands back the
//! batch as bytes `[n, 3, S, S]` with its labels; the GPU makes them floats in [0, 1]
//! (`bytes_to_unit` in the model's plan), so a batch crosses to the device at a quarter of the
//! size. An image's result depends on nothing but its own stream, so the batch is the same bit
//! for bit on one thread or sixteen, and a resumed run feeds exactly as an uninterrupted one.

use rayon::prelude::*;

use super::Dataset;
use super::augment::Augmenter;

/// Makes training batches of one run.
pub struct Feed<'a> {
    pub data: &'a Dataset,
    pub augmenter: &'a Augmenter,
    pub seed: u64,
}

/// One batch ready for the GPU: pixels as bytes `[n, 3, S, S]`, labels per head `[h][i]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub bytes: Vec<u8>,
    pub labels: Vec<Vec<u32>>,
}

impl Feed<'_> {
    /// The batch of images `indices` at `step` of `epoch`, made on the current rayon pool's
    /// threads (all cores by default).
    pub fn batch(&self, indices: &[usize], epoch: usize, step: usize, out: &mut Batch) {
        let (data, n) = (self.data, self.data.image_len());
        let heads = data.heads.len();
        out.bytes.resize(indices.len() * n, 0);
        let mut per_image: Vec<Vec<u32>> =
            indices.iter().map(|&i| data.labels.iter().map(|l| l[i]).collect()).collect();
        let active = self.augmenter.is_active();
        out.bytes.par_chunks_mut(n).zip(per_image.par_iter_mut()).zip(indices.par_iter()).enumerate().for_each_init(
            || vec![0f32; n],
            |floats, (place, ((dst, labels), &image))| {
                let src = &data.pixels[image * n..(image + 1) * n];
                if !active {
                    dst.copy_from_slice(src);
                    return;
                }
                for (f, &b) in floats.iter_mut().zip(src) {
                    *f = b as f32 / 255.0;
                }
                let rng = &mut Augmenter::image_rng(self.seed, epoch, step, place);
                self.augmenter.apply_image(data.image_size, floats, labels, rng);
                for (b, &f) in dst.iter_mut().zip(floats.iter()) {
                    *b = (f.clamp(0.0, 1.0) * 255.0).round() as u8;
                }
            },
        );
        out.labels = (0..heads).map(|h| per_image.iter().map(|l| l[h]).collect()).collect();
    }
}
