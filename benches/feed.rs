//! The feed alone: how many training images per second the CPU makes ready (gather, augment with
//! the recommended set, bytes out) on 1 thread and on every core, and how close to linear the
//! threads scale. It is to be set beside the trainer's training images/s: the feed must never
//! be what a GPU waits on.
//!
//! `cargo bench --bench feed` (the real photos at ../shared/datasets/fashion when present,
//! else generated garments).

use std::time::Instant;

use trainer::data::augment::{Augment, Augmenter};
use trainer::data::feed::{Batch, Feed};

const BATCH: usize = 32;

fn images_per_second(feed: &Feed<'_>, threads: usize, order: &[usize]) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut batch = Batch::default();
    pool.install(|| {
        // One pass to warm the caches and the pool, then the best of three timed passes.
        let mut best = f64::INFINITY;
        for round in 0..4 {
            let start = Instant::now();
            for (step, chunk) in order.chunks(BATCH).enumerate() {
                feed.batch(chunk, 1, step, &mut batch);
            }
            if round > 0 {
                best = best.min(start.elapsed().as_secs_f64());
            }
        }
        order.len() as f64 / best
    })
}

fn main() {
    let photos = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/fashion");
    let heads = vec!["color".to_string(), "item".to_string()];
    let data = match trainer::data::load_folder(&photos, &heads, 96) {
        Ok((data, _)) => data,
        Err(_) => trainer::data::synth::generate(1024, 96, 1),
    };
    let augmenter = Augmenter::new(&Augment::recommended(), &data).unwrap();
    let feed = Feed { data: &data, augmenter: &augmenter, seed: 0 };
    let order: Vec<usize> = (0..data.len().min(1024)).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("cpu: {}", twinhead::cpu_description());
    println!("feed of {} images, batches of {BATCH}, recommended augmentation", order.len());
    let one = images_per_second(&feed, 1, &order);
    println!("1 thread: {one:.0} images/s");
    if cores > 1 {
        let all = images_per_second(&feed, cores, &order);
        println!("{cores} threads: {all:.0} images/s ({:.0}% of linear)", 100.0 * all / (one * cores as f64));
    }
}
