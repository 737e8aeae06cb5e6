//! The data: labelled images as the network takes them, from wherever they come — a folder of
//! `<a>_<b>` subfolders ([`folder`]), a label table ([`table`]) or generated ([`synth`]), all
//! reached through one [`DataSource::load`] — and what training makes of them: the split
//! ([`split`]), augmentation ([`augment`], which reads the colour head from [`colours`]) and the
//! batches ([`feed`]).

pub mod augment;
pub mod colours;
pub mod decode;
pub mod feed;
pub mod folder;
pub mod source;
pub mod split;
pub mod synth;
pub mod table;

use std::path::PathBuf;

use model::HeadSpec;

pub use decode::load_image;
pub use folder::load_folder;
pub use source::DataSource;

/// Images as `[N, 3, S, S]` bytes (RGB planes), with one label per head per image.
pub struct Dataset {
    pub image_size: usize,
    pub pixels: Vec<u8>,
    pub heads: Vec<HeadSpec>,
    /// `labels[h][i]`: class of image i for head h.
    pub labels: Vec<Vec<u32>>,
    /// Where each image came from (a file, or "synthetic").
    pub sources: Vec<String>,
}

/// A file that could not be used, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

impl Dataset {
    /// Names the exact contents (every label and pixel): a resumed run refuses data that
    /// changed, since its validation split and batch order would silently change with it.
    pub fn fingerprint(&self) -> String {
        let mut hash = tensor::Fnv1a::default();
        for h in &self.heads {
            hash.eat(h.name.as_bytes());
            h.classes.iter().for_each(|c| hash.eat(c.as_bytes()));
        }
        self.labels.iter().flatten().for_each(|l| hash.eat(&l.to_le_bytes()));
        hash.eat(&self.pixels);
        let hash = hash.value();
        format!(
            "{} images of {}×{}, {hash:016x}",
            self.labels.first().map_or(0, |l| l.len()),
            self.image_size,
            self.image_size
        )
    }

    pub fn len(&self) -> usize {
        self.sources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    pub fn image_len(&self) -> usize {
        3 * self.image_size * self.image_size
    }

    /// Head h's labels of the images at `indices`.
    pub fn batch_labels(&self, indices: &[usize]) -> Vec<Vec<u32>> {
        self.labels.iter().map(|l| indices.iter().map(|&i| l[i]).collect()).collect()
    }

    /// The combination of labels of image i, as the folder would be named (`blue_shirt`); a
    /// head without a label for it (an empty cell of a label table) shows as `?`.
    pub fn combination(&self, i: usize) -> String {
        self.heads
            .iter()
            .zip(&self.labels)
            .map(|(h, l)| h.classes.get(l[i] as usize).map_or("?", String::as_str))
            .collect::<Vec<_>>()
            .join("_")
    }

    /// The distinct combinations of the images at `indices`, sorted: what a split trains on,
    /// what a checkpoint says it saw.
    pub fn combinations(&self, indices: impl IntoIterator<Item = usize>) -> Vec<String> {
        let mut combos: Vec<String> = indices.into_iter().map(|i| self.combination(i)).collect();
        combos.sort();
        combos.dedup();
        combos
    }
}

/// The files a load skipped, and why, as the run folder's skipped.txt and the closing lines say.
pub fn skipped_text(skipped: &[Skipped]) -> String {
    let mut out = format!("{} files could not be read and were skipped:\n", skipped.len());
    for s in skipped {
        out += &format!("  {}: {}\n", s.path.display(), s.reason);
    }
    out
}
