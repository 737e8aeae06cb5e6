//! Labels from a table: `--labels FILE.csv` with a header `path,<head1>,<head2>,…` and one row
//! per image, its path relative to `--data`, the layout of many public multi-label sets. An
//! empty cell means "no label for this head": the image still trains the other heads. Every
//! problem is reported with its line number; no row is silently dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use model::{HeadSpec, IGNORE};

use super::decode::assemble;
use super::{Dataset, Skipped};

/// The rows of a label table, checked: per image its path and, per head, its class name or none.
struct Table {
    heads: Vec<String>,
    rows: Vec<(PathBuf, Vec<Option<String>>)>,
}

/// What makes two paths the same image whatever their spelling (`./a.jpg`, `a//a.jpg`, another
/// case on a case-insensitive filesystem, a link): the file itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileIdentity {
    /// Device and inode.
    Inode(u64, u64),
    /// Where inodes are not at hand: the canonical path, lower-cased.
    #[cfg_attr(unix, allow(dead_code))]
    Canonical(PathBuf),
}

impl FileIdentity {
    fn of(path: &Path) -> Result<FileIdentity> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(FileIdentity::Inode(m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        {
            let c = std::fs::canonicalize(path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(FileIdentity::Canonical(PathBuf::from(c.to_string_lossy().to_lowercase())))
        }
    }
}

/// The header's head names (after `path`): non-empty, without '.', not repeated.
fn head_names(header: &[String], at: &str) -> Result<Vec<String>> {
    let heads: Vec<String> = header[1..].to_vec();
    for (i, h) in heads.iter().enumerate() {
        if h.is_empty() || h.contains('.') || heads[..i].contains(h) {
            bail!("{at}: head name {h:?} must be non-empty, without '.', and not repeated");
        }
    }
    Ok(heads)
}

/// The file a row's path cell names: a relative path inside `data_dir` to a file that exists.
fn listed_file(cell: &str, data_dir: &Path, at: &str) -> Result<PathBuf> {
    let rel = PathBuf::from(cell);
    if cell.is_empty() || rel.is_absolute() || rel.components().any(|c| c == std::path::Component::ParentDir) {
        bail!("{at}: {cell:?} is not a path inside {}", data_dir.display());
    }
    let path = data_dir.join(&rel);
    if !path.is_file() {
        bail!("{at}: no file {} in {}", rel.display(), data_dir.display());
    }
    Ok(path)
}

fn read_table(csv_path: &Path, data_dir: &Path) -> Result<Table> {
    if csv_path.is_dir() {
        bail!("--labels {} is a folder; it takes a CSV file path,<head>,<head>,…", csv_path.display());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(csv_path)
        .with_context(|| format!("cannot read the label table {}", csv_path.display()))?;
    let where_ = |line: u64| format!("{} line {line}", csv_path.display());
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: no header row", csv_path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.first().map(String::as_str) != Some("path") || header.len() < 2 {
        bail!("{}: the header must be path,<head>,<head>,… (found {:?})", where_(1), header.join(","));
    }
    let heads = head_names(&header, &where_(1))?;
    let mut rows = Vec::new();
    let mut seen: HashMap<FileIdentity, (u64, String)> = HashMap::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: unreadable row", csv_path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            bail!(
                "{}: {} cells where the header has {} (path and one per head; leave a cell empty for no label)",
                where_(line),
                record.len(),
                header.len()
            );
        }
        let path = listed_file(&record[0], data_dir, &where_(line))?;
        if let Some((first, as_written)) = seen.insert(FileIdentity::of(&path)?, (line, record[0].to_string())) {
            let spelled = if as_written == record[0] { String::new() } else { format!(", as {as_written}") };
            bail!(
                "{}: {} is listed again (first on line {first}{spelled}): an image is listed once, with all its labels",
                where_(line),
                &record[0]
            );
        }
        let cells = (1..record.len()).map(|c| Some(record[c].to_string()).filter(|v| !v.is_empty())).collect();
        rows.push((path, cells));
    }
    if rows.is_empty() {
        bail!("{}: no rows below the header", csv_path.display());
    }
    Ok(Table { heads, rows })
}

/// Reads the images a label table lists (paths relative to `data_dir`), each head's classes
/// being its distinct names, sorted. A head needs at least two classes; files that cannot be
/// decoded are skipped and returned.
pub fn load_table(data_dir: &Path, csv_path: &Path, size: usize) -> Result<(Dataset, Vec<Skipped>)> {
    if !data_dir.is_dir() {
        bail!("--data {}: not a folder (--labels paths are relative to it)", data_dir.display());
    }
    let table = read_table(csv_path, data_dir)?;
    let heads: Vec<HeadSpec> = table
        .heads
        .iter()
        .enumerate()
        .map(|(h, name)| {
            let mut classes: Vec<String> = table.rows.iter().filter_map(|r| r.1[h].clone()).collect();
            classes.sort();
            classes.dedup();
            HeadSpec { name: name.clone(), classes }
        })
        .collect();
    for h in &heads {
        if h.classes.len() < 2 {
            bail!(
                "{}: head {} has {} class{} ({:?}); a head needs at least two",
                csv_path.display(),
                h.name,
                h.classes.len(),
                if h.classes.len() == 1 { "" } else { "es" },
                h.classes
            );
        }
    }
    let files: Vec<(PathBuf, Vec<u32>)> = table
        .rows
        .into_iter()
        .map(|(path, cells)| {
            let label = cells
                .iter()
                .zip(&heads)
                .map(|(cell, head)| {
                    cell.as_ref().map_or(IGNORE, |c| head.classes.iter().position(|k| k == c).unwrap() as u32)
                })
                .collect();
            (path, label)
        })
        .collect();
    let (data, skipped) = assemble(heads, files, size);
    if data.is_empty() {
        bail!("none of the {} images {} lists could be decoded", skipped.len(), csv_path.display());
    }
    Ok((data, skipped))
}
