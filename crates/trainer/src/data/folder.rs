//! Photos from a folder of `<a>_<b>` subfolders: one part of the subfolder's name per head.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use model::HeadSpec;

use super::decode::assemble;
use super::{Dataset, Skipped};

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
    let parts_of = name_parts(dir, &folders, head_names)?;
    let heads: Vec<HeadSpec> = (0..head_names.len())
        .map(|h| {
            let mut classes: Vec<String> = parts_of.iter().map(|p| p[h].clone()).collect();
            classes.sort();
            classes.dedup();
            HeadSpec { name: head_names[h].clone(), classes }
        })
        .collect();
    let mut files = Vec::new();
    for ((name, path), parts) in folders.iter().zip(&parts_of) {
        let label: Vec<u32> =
            heads.iter().zip(parts).map(|(h, part)| h.classes.iter().position(|c| c == part).unwrap() as u32).collect();
        let entries = files_of(dir, name, path)?;
        files.extend(entries.into_iter().map(|p| (p, label.clone())));
    }
    let (data, skipped) = assemble(heads, files, size);
    check_each_folder_usable(dir, &folders, &data, &skipped)?;
    Ok((data, skipped))
}

/// Each subfolder's name cut into one part per head, or an error naming the first that does not cut.
fn name_parts(dir: &Path, folders: &[(String, PathBuf)], head_names: &[String]) -> Result<Vec<Vec<String>>> {
    let want = head_names.len();
    let mut parts_of = Vec::new();
    for (name, _) in folders {
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
    Ok(parts_of)
}

/// The files of one subfolder (hidden ones left out), sorted; an empty subfolder is an error.
fn files_of(dir: &Path, name: &str, path: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot list {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    entries.sort();
    if entries.is_empty() {
        bail!("subfolder {name:?} of {} has no files; put its images in it or remove it", dir.display());
    }
    Ok(entries)
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
