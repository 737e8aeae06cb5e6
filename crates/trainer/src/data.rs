//! Labelled image sets: photos from `<a>_<b>` folders, decoded by content and made 3×S×S RGB.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use image::{DynamicImage, ImageFormat, ImageReader, imageops::FilterType};
use model::HeadSpec;

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
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
            }
        };
        for h in &self.heads {
            eat(h.name.as_bytes());
            h.classes.iter().for_each(|c| eat(c.as_bytes()));
        }
        self.labels.iter().flatten().for_each(|l| eat(&l.to_le_bytes()));
        eat(&self.pixels);
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
}

/// Decodes one file by its content (not its extension), composites transparency on white,
/// makes palette and greyscale images RGB, and resizes to size×size (bilinear, aspect ratio
/// ignored, as the tutorial does). Returns the image as 3 planes.
///
/// A JPEG whose data ends before its end-of-image marker (a truncated download) is refused, as
/// PIL refuses it: the decoder would fill the missing part with grey. EXIF orientation is not
/// applied, as PIL and the tutorial's PyTorch pipeline do not apply it by default: an image is
/// read as its pixels are stored, so a model moves between the two unchanged.
pub fn load_image(path: &Path, size: usize) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).context("cannot open")?;
    let reader = ImageReader::new(std::io::Cursor::new(&bytes)).with_guessed_format().context("cannot read")?;
    match reader.format() {
        None => bail!("not an image format twinhead can read (JPEG, PNG, GIF, BMP, WebP, TIFF, …)"),
        Some(ImageFormat::Jpeg) if !jpeg_is_complete(&bytes) => {
            bail!("the JPEG data ends early (no end-of-image marker): the file is truncated")
        }
        Some(_) => {}
    }
    let img = reader.decode().map_err(|e| anyhow::anyhow!("cannot decode: {e}"))?;
    Ok(to_planes(&img, size))
}

/// Whether a JPEG stream reaches its end-of-image marker (FF D9) after its first scan. The
/// segments before the scan are skipped by their lengths, so an EXIF thumbnail's own marker does
/// not count; inside the scan data a literal FF is always followed by 00 or a restart marker,
/// so FF D9 there is the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2; // past SOI
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        let length = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        if marker == 0xDA {
            let scan = (at + 2 + length).min(bytes.len());
            return bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        at += 2 + length;
    }
    false
}

fn to_planes(img: &DynamicImage, size: usize) -> Vec<u8> {
    let rgb = if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
        for (dst, src) in rgb.pixels_mut().zip(rgba.pixels()) {
            let a = src[3] as u32;
            for c in 0..3 {
                // Over white: c·a + 255·(1 − a), rounded.
                dst[c] = ((src[c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
            }
        }
        rgb
    } else {
        img.to_rgb8()
    };
    let resized = image::imageops::resize(&rgb, size as u32, size as u32, FilterType::Triangle);
    let plane = size * size;
    let mut out = vec![0u8; 3 * plane];
    for (i, px) in resized.pixels().enumerate() {
        for c in 0..3 {
            out[c * plane + i] = px[c];
        }
    }
    out
}

/// Decodes every file, in parallel: each worker takes every k-th file. Results in file order.
fn decode_all(files: &[(PathBuf, Vec<u32>)], size: usize) -> Vec<Result<Vec<u8>>> {
    if files.is_empty() {
        return Vec::new();
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    files.iter().skip(w).step_by(workers).map(|(p, _)| load_image(p, size)).collect::<Vec<_>>()
                })
            })
            .collect();
        let per_worker: Vec<Vec<Result<Vec<u8>>>> =
            handles.into_iter().map(|h| h.join().expect("decoder thread panicked")).collect();
        let mut iters: Vec<_> = per_worker.into_iter().map(|v| v.into_iter()).collect();
        (0..files.len()).map(|i| iters[i % workers].next().unwrap()).collect()
    })
}

/// Decodes `files` (each with its label per head) into a data set; the files that cannot be
/// decoded are returned with the reason.
pub fn assemble(heads: Vec<HeadSpec>, files: Vec<(PathBuf, Vec<u32>)>, size: usize) -> (Dataset, Vec<Skipped>) {
    let decoded = decode_all(&files, size);
    let want = heads.len();
    let mut data =
        Dataset { image_size: size, pixels: Vec::new(), heads, labels: vec![Vec::new(); want], sources: Vec::new() };
    let mut skipped = Vec::new();
    for ((path, label), result) in files.into_iter().zip(decoded) {
        match result {
            Ok(planes) => {
                data.pixels.extend(planes);
                for (h, &l) in label.iter().enumerate() {
                    data.labels[h].push(l);
                }
                data.sources.push(path.display().to_string());
            }
            Err(e) => skipped.push(Skipped { path, reason: format!("{e:#}") }),
        }
    }
    (data, skipped)
}

/// Reads a folder of `<part>_<part>` subfolders (one part per head, in `head_names` order);
/// each part's classes are its distinct values, sorted. Files that cannot be decoded are
/// skipped and returned; a subfolder whose name does not split into the expected parts, or a
/// folder with no usable images, is an error naming it.
pub fn load_folder(dir: &Path, head_names: &[String], size: usize) -> Result<(Dataset, Vec<Skipped>)> {
    if !dir.exists() {
        bail!(
            "data folder {} does not exist; pass --data with a folder of <color>_<item> subfolders, or leave --data out to train on generated images",
            dir.display()
        );
    }
    if !dir.is_dir() {
        bail!("{} is not a folder; --data takes a folder of <color>_<item> subfolders", dir.display());
    }
    let folders = subfolders(dir)?;
    if folders.is_empty() {
        bail!(
            "{} has no subfolders; it should hold one folder per combination, named like {} (e.g. blue_shirt)",
            dir.display(),
            head_names.join("_")
        );
    }
    let want = head_names.len();
    let mut parts_of = Vec::new();
    for (name, _) in &folders {
        let parts: Vec<String> = name.split('_').map(str::to_string).collect();
        if parts.len() != want || parts.iter().any(|p| p.is_empty()) {
            let pattern: Vec<String> = head_names.iter().map(|h| format!("<{h}>")).collect();
            bail!(
                "subfolder {:?} of {} does not split on '_' into {want} parts, one per head ({}); rename it, move it out, \
                 or name the heads with --heads",
                name,
                dir.display(),
                pattern.join("_")
            );
        }
        parts_of.push(parts);
    }
    let heads: Vec<HeadSpec> = (0..want)
        .map(|h| {
            let mut classes: Vec<String> = parts_of.iter().map(|p| p[h].clone()).collect();
            classes.sort();
            classes.dedup();
            HeadSpec { name: head_names[h].clone(), classes }
        })
        .collect();

    // Every file of every subfolder, with its label indices.
    let mut files = Vec::new();
    for ((name, path), parts) in folders.iter().zip(&parts_of) {
        let label: Vec<u32> =
            (0..want).map(|h| heads[h].classes.iter().position(|c| c == &parts[h]).unwrap() as u32).collect();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot list {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
            .collect();
        entries.sort();
        if entries.is_empty() {
            bail!("subfolder {name:?} of {} has no files; put its images in it or remove it", dir.display());
        }
        files.extend(entries.into_iter().map(|p| (p, label.clone())));
    }

    let (data, skipped) = assemble(heads, files, size);
    check_each_folder_usable(dir, &folders, &data, &skipped)?;
    Ok((data, skipped))
}

/// The subfolders of `dir` (hidden ones left out), sorted, each with its name; a name that is not
/// valid UTF-8 is an error showing it escaped, since a class cannot be named after it.
fn subfolders(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().into_string().map_err(|raw| {
            anyhow::anyhow!(
                "a subfolder of {} is named \"{}\", which is not valid UTF-8: class names are text; rename it or move it out",
                dir.display(),
                raw.as_encoded_bytes().escape_ascii()
            )
        })?;
        if !name.starts_with('.') {
            folders.push((name, entry.path()));
        }
    }
    folders.sort();
    Ok(folders)
}

/// A folder none of whose files decoded is an error naming it and a few of the reasons.
fn check_each_folder_usable(
    dir: &Path,
    folders: &[(String, PathBuf)],
    data: &Dataset,
    skipped: &[Skipped],
) -> Result<()> {
    for (name, path) in folders {
        let usable = data.sources.iter().filter(|s| Path::new(s).parent() == Some(path.as_path())).count();
        if usable == 0 {
            let reasons: Vec<String> = skipped
                .iter()
                .filter(|s| s.path.parent() == Some(path.as_path()))
                .take(3)
                .map(|s| format!("{}: {}", s.path.display(), s.reason))
                .collect();
            bail!(
                "subfolder {name:?} of {} has no readable images (for example {}); add images to it or remove it",
                dir.display(),
                reasons.join("; ")
            );
        }
    }
    Ok(())
}
