//! One image file made the network's input: decoded by its content (not its extension),
//! transparency over white, palette and greyscale made RGB, resized to S×S, as 3 planes of bytes;
//! and many files decoded at once, on every core.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use image::{DynamicImage, ImageFormat, ImageReader, imageops::FilterType};
use model::HeadSpec;

use super::{Dataset, Skipped};

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
