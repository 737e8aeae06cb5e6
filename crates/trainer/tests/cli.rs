//! The command line meets bad input with words that say what to do, and a non-zero exit.

mod common;

use common::{trainer, write_folder};

#[test]
fn a_missing_data_folder_says_what_to_pass() {
    let runs = tempfile::tempdir().unwrap();
    let (ok, text) = trainer(&["--data", "/no/such/folder", "--runs-dir", runs.path().to_str().unwrap()], &[]);
    assert!(!ok);
    assert!(text.contains("/no/such/folder does not exist") && text.contains("--data"), "{text}");
}

#[test]
fn impossible_batch_sizes_are_refused() {
    let runs = tempfile::tempdir().unwrap();
    let r = runs.path().to_str().unwrap();
    let (ok, text) = trainer(&["--batch-size", "0", "--runs-dir", r], &[]);
    assert!(!ok && text.contains("--batch-size must be at least 1"), "{text}");
    let (ok, text) = trainer(&["--synthetic-images", "20", "--batch-size", "32", "--runs-dir", r], &[]);
    assert!(
        !ok && text.contains("a batch of 32 is more than the 16 training images; use --batch-size 16 or less"),
        "{text}"
    );
    // Larger than the largest buffer (2 GiB on lavapipe; conv1's output is 565 504 bytes an
    // image). A batch larger than one storage binding (128 MiB there) runs in chunks instead.
    let (ok, text) = trainer(&["--synthetic-images", "20", "--batch-size", "4000", "--runs-dir", r], &[]);
    assert!(!ok && text.contains("max_buffer_size") && text.contains("the largest batch that fits is"), "{text}");
}

#[test]
fn adapters_are_listed_and_a_wrong_name_lists_them() {
    let (ok, text) = trainer(&["--list-adapters"], &[]);
    assert!(ok && text.contains("[0]"), "{text}");
    let (ok, text) = trainer(&["--adapter", "no-such-gpu", "--synthetic-images", "20"], &[]);
    assert!(!ok && text.contains("no adapter matches \"no-such-gpu\"") && text.contains("[0]"), "{text}");
}

#[test]
fn no_adapter_at_all_says_how_to_install_one() {
    // DX12 does not exist on Linux: with only that backend allowed there is no adapter.
    if !cfg!(target_os = "linux") {
        return;
    }
    let (ok, text) = trainer(&["--synthetic-images", "20"], &[("WGPU_BACKEND", "dx12")]);
    assert!(!ok && text.contains("no GPU adapter found") && text.contains("mesa-vulkan-drivers"), "{text}");
}

#[test]
fn a_checkpoint_that_is_not_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("weights.safetensors");
    std::fs::write(&fake, b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":").unwrap(); // a truncated header
    let (ok, text) = trainer(&["predict", "--checkpoint", fake.to_str().unwrap(), "x.png"], &[]);
    assert!(!ok && text.contains("weights.safetensors") && text.contains("not a readable safetensors file"), "{text}");
}

#[test]
fn resuming_a_folder_that_is_not_a_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = trainer(&["--resume", dir.path().to_str().unwrap()], &[]);
    assert!(!ok && text.contains("no readable config.json") && text.contains("is it a run folder"), "{text}");
}

#[test]
fn held_out_combinations_are_reported_apart_in_training_and_in_eval() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("photos");
    write_folder(&data, 96);
    let (r, d) = (tmp.path().join("runs"), data.to_str().unwrap());
    let args = ["--data", d, "--hold-out", "red_shoes", "--epochs", "1", "--batch-size", "8", "--run-name", "h"];
    // A single option turns one part of the recommended set off.
    let flip_off = ["--flip", "false"];
    let (ok, text) = trainer(&[&args[..], &flip_off, &["--runs-dir", r.to_str().unwrap()]].concat(), &[]);
    assert!(ok, "{text}");
    assert!(text.contains("unseen color"), "every epoch reports the held-out combination: {text}");
    assert!(
        text.contains("augmentation: grey 0.25, blacken 0.2, colorize 0.5, recolor 0.5, crop 0.3 (the training data has 11 of the 12 combinations, so the heads must learn to name the others; --augment off"),
        "data that lacks a combination is augmented by default, and the run says why and how to turn it off: {text}"
    );
    let metrics = std::fs::read_to_string(r.join("h/metrics.csv")).unwrap();
    assert!(metrics.lines().next().unwrap().contains("unseen"), "{metrics}");

    let ckpt = r.join("h/best.safetensors");
    let (ok, text) = trainer(&["eval", "--checkpoint", ckpt.to_str().unwrap(), "--data", d], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("of combinations never seen in training (red_shoes)"), "{text}");
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("_shoes")).collect();
    assert!(rows.iter().any(|l| l.starts_with("red_shoes* ")), "the unseen row is marked: {rows:?}");
    assert!(rows.iter().any(|l| l.starts_with("blue_shoes ")), "seen rows are not: {rows:?}");
    assert!(text.contains("* never seen in training"), "{text}");
}
