//! Nothing lost, nothing mixed: a run folder belongs to one trainer, run names stay inside
//! --runs-dir, a resumed run keeps its own settings and data, and a refused run leaves no folder.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{trainer, write_folder};

/// Kernels fixed, so that these tests do not spend time choosing them.
const FAST: [(&str, &str); 1] = [("TWINHEAD_KERNELS", "blocked")];

fn folders(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn run_names_stay_inside_the_runs_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("a/runs");
    let r = runs.to_str().unwrap();
    let outside = tmp.path().join("escaped");
    for name in ["../../escaped", outside.to_str().unwrap(), ".", "..", "a/b", ""] {
        let (ok, text) =
            trainer(&["--synthetic-images", "40", "--epochs", "1", "--runs-dir", r, "--run-name", name], &FAST);
        assert!(!ok && text.contains("--run-name") && text.contains("one plain folder name"), "{name:?}: {text}");
    }
    assert!(!outside.exists() && folders(&runs).is_empty(), "nothing was written: {:?}", folders(tmp.path()));
}

#[test]
fn a_run_folder_belongs_to_one_trainer() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let r = runs.to_str().unwrap();
    let args =
        ["--synthetic-images", "96", "--epochs", "4", "--batch-size", "8", "--runs-dir", r, "--run-name", "same"];
    let mut first = Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(args)
        .env("TWINHEAD_KERNELS", "blocked")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first trainer holds the folder.
    let lock = runs.join("same/run.lock");
    let start = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("process")) {
        assert!(start.elapsed() < Duration::from_secs(120), "the first trainer never took the folder");
        std::thread::sleep(Duration::from_millis(50));
    }
    let holder = format!("process {}", first.id());
    let (ok, text) = trainer(&args, &FAST);
    assert!(!ok && text.contains("in use by another trainer") && text.contains(&holder), "{text}");
    let (ok, text) = trainer(&["--resume", runs.join("same").to_str().unwrap()], &FAST);
    assert!(!ok && text.contains("in use by another trainer") && text.contains(&holder), "{text}");
    assert!(first.wait().unwrap().success());
    // Its logs are its own: one header and 4 epochs.
    let metrics = std::fs::read_to_string(runs.join("same/metrics.csv")).unwrap();
    assert_eq!(metrics.lines().count(), 5, "{metrics}");
    // Once it has finished the folder is free, and still refused as a new run.
    let (ok, text) = trainer(&args, &FAST);
    assert!(!ok && text.contains("already holds a run"), "{text}");
}

#[test]
fn a_resumed_run_keeps_its_settings_and_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 48);
    let runs = tmp.path().join("runs");
    let (d, r) = (photos.to_str().unwrap(), runs.to_str().unwrap());
    let (ok, text) =
        trainer(&["--data", d, "--epochs", "1", "--batch-size", "8", "--runs-dir", r, "--run-name", "x"], &FAST);
    assert!(ok, "{text}");
    let run = runs.join("x");
    let resume = run.to_str().unwrap();
    for (option, value) in
        [("--lr", "0.1"), ("--seed", "3"), ("--batch-size", "4"), ("--data", d), ("--hold-out", "red_shirt")]
    {
        let (ok, text) = trainer(&["--resume", resume, option, value, "--epochs", "2"], &FAST);
        assert!(!ok && text.contains(&format!("{option} cannot change")), "{option}: {text}");
    }
    // The data folder is saved as an absolute path: resuming from elsewhere finds it.
    let config = std::fs::read_to_string(run.join("config.json")).unwrap();
    assert!(config.contains(&format!("\"folder\": \"{}\"", photos.display())), "{config}");
    // Changed data is refused: the split and batch order would silently change.
    let first = std::fs::read_dir(photos.join("black_shoes")).unwrap().next().unwrap().unwrap().path();
    image::RgbImage::from_pixel(32, 32, image::Rgb([200, 10, 10])).save(&first).unwrap();
    let (ok, text) = trainer(&["--resume", resume, "--epochs", "2"], &FAST);
    assert!(!ok && text.contains("its data changed since the run started"), "{text}");
    assert_eq!(std::fs::read_to_string(run.join("config.json")).unwrap(), config, "a refused resume changes nothing");
}

#[test]
fn refused_settings_leave_no_run_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let r = runs.to_str().unwrap();
    let one = tmp.path().join("one");
    std::fs::create_dir_all(one.join("black_jeans")).unwrap();
    for i in 0..20 {
        image::RgbImage::from_pixel(8, 8, image::Rgb([i, i, i]))
            .save(one.join(format!("black_jeans/{i}.png")))
            .unwrap();
    }
    let n = ["--synthetic-images", "40"];
    let cases: [(&[&str], &str); 8] = [
        (&[n[0], n[1], "--epochs", "0"], "--epochs"),
        (&[n[0], n[1], "--lr=-1"], "--lr"),
        (&[n[0], n[1], "--lr", "0"], "--lr"),
        (&[n[0], n[1], "--loss-weights", "0,0"], "--loss-weights"),
        (&[n[0], n[1], "--val-fraction", "0"], "--val-fraction"),
        (&[n[0], n[1], "--hold-out", "green_hat"], "--hold-out green_hat"),
        (&["--data", one.to_str().unwrap()], "has one class only"),
        (&["--synthetic-images", "4", "--val-fraction", "0.1", "--batch-size", "2"], "no images left for validation"),
    ];
    for (args, says) in cases {
        let all = [&["--runs-dir", r][..], args].concat();
        let (ok, text) = trainer(&all, &FAST);
        assert!(!ok && text.contains(says), "{args:?}: {text}");
        assert!(folders(&runs).is_empty(), "{args:?} left {:?}", folders(&runs));
    }
}
