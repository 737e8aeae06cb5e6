//! Seeded, reproducible splits and batch orders, and the run's split of a data set: held-out
//! combinations, training and validation images.

use anyhow::{Result, bail};
use rand::{SeedableRng, rngs::StdRng, seq::SliceRandom};

use super::Dataset;

/// Splits 0..n into (train, validation) with `val_fraction` of the images in validation,
/// shuffled by `seed` (the same seed always gives the same split).
pub fn train_val_split(n: usize, val_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let val = ((n as f64) * val_fraction).round() as usize;
    let val = val.min(n.saturating_sub(1));
    let (v, t) = order.split_at(val);
    (t.to_vec(), v.to_vec())
}

/// The order of the training images in `epoch` (1-based), from the run's seed.
pub fn epoch_order(train: &[usize], seed: u64, epoch: usize) -> Vec<usize> {
    let mut order = train.to_vec();
    order.shuffle(&mut StdRng::seed_from_u64(seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(epoch as u64 + 1))));
    order
}

/// Which images the run trains on, validates on, and holds out.
pub struct Split {
    pub train: Vec<usize>,
    pub val: Vec<usize>,
    /// Images of the `--hold-out` combinations: never trained on, reported apart.
    pub unseen: Vec<usize>,
}

impl Split {
    /// Holds out whole combinations (each must be one of the data), then splits the rest.
    pub fn new(data: &Dataset, hold_out: &[String], val_fraction: f64, seed: u64) -> Result<Split> {
        let (seen, unseen): (Vec<usize>, Vec<usize>) =
            (0..data.len()).partition(|&i| !hold_out.contains(&data.combination(i)));
        let combos = data.combinations(0..data.len());
        for name in hold_out {
            if !combos.contains(name) {
                bail!("--hold-out {name}: no such combination in the data (there are {})", combos.join(", "));
            }
        }
        let (train_pos, val_pos) = train_val_split(seen.len(), val_fraction, seed);
        let split = Split {
            train: train_pos.iter().map(|&i| seen[i]).collect(),
            val: val_pos.iter().map(|&i| seen[i]).collect(),
            unseen,
        };
        anyhow::ensure!(!split.train.is_empty(), "no images left for training");
        anyhow::ensure!(
            !split.val.is_empty(),
            "no images left for validation ({} × {} rounds to none); raise --val-fraction or add images",
            seen.len(),
            val_fraction
        );
        Ok(split)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_reproducible_and_disjoint() {
        let (t1, v1) = train_val_split(100, 0.2, 3);
        let (t2, v2) = train_val_split(100, 0.2, 3);
        assert_eq!((t1.clone(), v1.clone()), (t2, v2));
        assert_eq!((t1.len(), v1.len()), (80, 20));
        let mut all: Vec<usize> = t1.iter().chain(&v1).copied().collect();
        all.sort();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_ne!(train_val_split(100, 0.2, 4).1, v1);
    }
}
