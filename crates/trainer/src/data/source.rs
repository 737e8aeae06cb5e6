//! Where a data set comes from — a folder, a folder with a label table, or generated — as a
//! run's config.json records it, and the one [`DataSource::load`] that reads it.

use std::path::PathBuf;

use anyhow::Result;

use super::colours::COLOUR_HEAD;
use super::folder::load_folder;
use super::table::load_table;
use super::{Dataset, Skipped, synth};

/// The heads of the tutorial's data: `<color>_<item>` folders.
pub const HEADS: [&str; 2] = [COLOUR_HEAD, "item"];

/// `--heads` as a user gives it: head names become state-dict keys (`heads.<name>.weight`) and
/// CSV columns, and a folder name's parts are cut at '_'.
pub fn check_head_names(heads: &[String]) -> Result<()> {
    anyhow::ensure!(!heads.is_empty(), "--heads needs at least one head name");
    for (i, h) in heads.iter().enumerate() {
        anyhow::ensure!(
            !h.is_empty() && !h.contains(['.', '_', ',', '/']) && !heads[..i].contains(h),
            "--heads {}: each head name must be non-empty, without '.', '_', ',' or '/', and not repeated",
            heads.join(",")
        );
    }
    Ok(())
}

/// Where a run's images come from, as saved in its config.json.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DataSource {
    /// A folder of photos, or None for generated images.
    pub folder: Option<PathBuf>,
    pub synthetic_images: usize,
    /// `--heads`: the heads the parts of `<a>_<b>[_<c>…]` folder names label, in order; None
    /// for the tutorial's `color,item` (or, with a label table, its header's).
    #[serde(default)]
    pub heads: Option<Vec<String>>,
    /// `--labels`: a table `path,<head>,…` of the images in `folder` and their labels.
    #[serde(default)]
    pub labels: Option<PathBuf>,
}

impl DataSource {
    /// Reads the folder (with the files it had to skip) or generates the images, at `size`×`size`:
    /// the one load that training, the suite and `trainer eval` call.
    pub fn load(&self, size: usize) -> Result<(Dataset, Vec<Skipped>)> {
        let tutorial: Vec<String> = HEADS.iter().map(|s| s.to_string()).collect();
        let (data, skipped) = match (&self.folder, &self.labels) {
            (Some(dir), Some(table)) => load_table(dir, table, size)?,
            (None, Some(_)) => anyhow::bail!("--labels needs --data: the folder the table's paths are relative to"),
            (Some(dir), None) => load_folder(dir, self.heads.as_ref().unwrap_or(&tutorial), size)?,
            (None, None) => self.generate(size, &tutorial)?,
        };
        if let (Some(given), Some(_)) = (&self.heads, &self.labels) {
            let header: Vec<String> = data.heads.iter().map(|h| h.name.clone()).collect();
            anyhow::ensure!(
                *given == header,
                "--heads {} but the label table's header names {}; leave --heads out (the header names the heads)",
                given.join(","),
                header.join(",")
            );
        }
        Ok((data, skipped))
    }

    /// The generated garments: the tutorial's heads, or with `background` a third.
    fn generate(&self, size: usize, tutorial: &[String]) -> Result<(Dataset, Vec<Skipped>)> {
        anyhow::ensure!(self.synthetic_images > 0, "--synthetic-images must be at least 1");
        let with_background = [tutorial.to_vec(), vec!["background".to_string()]].concat();
        match &self.heads {
            None => Ok((synth::generate(self.synthetic_images, size, 0), Vec::new())),
            Some(h) if *h == tutorial => Ok((synth::generate(self.synthetic_images, size, 0), Vec::new())),
            Some(h) if *h == with_background => {
                Ok((synth::generate_with_background(self.synthetic_images, size, 0), Vec::new()))
            }
            Some(h) => anyhow::bail!(
                "--heads {}: the generated images have the heads color,item (or color,item,background); \
                 pass --data for other heads",
                h.join(",")
            ),
        }
    }
}
