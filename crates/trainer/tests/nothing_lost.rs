//! Nothing lost, round two: every output path, every resume, every label. Each test here is a
//! bad or awkward input a user met; each asserts the exit status and the message, and a panic
//! (exit 101) fails it.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use common::{trainer, write_folder};

/// Kernels fixed, so that these tests do not spend time choosing them.
const FAST: [(&str, &str); 1] = [("TWINHEAD_KERNELS", "blocked")];

/// One finished run (1 epoch on 48 generated images), shared by the tests that only read it
/// (made once per test binary, under cargo's scratch folder for integration tests).
fn finished_run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let runs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nothing_lost_runs");
        let _ = std::fs::remove_dir_all(&runs);
        let args = ["--synthetic-images", "48", "--epochs", "1", "--batch-size", "8", "--run-name", "done"];
        let (ok, text) = trainer(&[&args[..], &["--runs-dir", runs.to_str().unwrap()]].concat(), &FAST);
        assert!(ok, "{text}");
        runs.join("done")
    })
}

/// A fresh copy of the finished run, for tests that change it.
fn copy_of_run(into: &Path) -> PathBuf {
    let dir = into.join("copy");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(finished_run()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

fn photo(dir: &Path) -> PathBuf {
    let path = dir.join("photo.png");
    image::RgbImage::from_pixel(40, 30, image::Rgb([200, 30, 30])).save(&path).unwrap();
    path
}

/// Runs the trainer with its standard output going to `stdout`.
fn run_with_stdout(args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(args)
        .envs(FAST)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("the trainer runs")
}

/// Every subcommand that prints to standard output, as argument lists.
fn printing_commands(tmp: &Path) -> Vec<Vec<String>> {
    let run = finished_run();
    let ckpt = run.join("best.safetensors").display().to_string();
    let img = photo(tmp).display().to_string();
    let data = tmp.join("photos");
    write_folder(&data, 24);
    let runs = tmp.join("runs").display().to_string();
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        s(&["predict", "--checkpoint", &ckpt, &img, &img]),
        s(&["predict", "--checkpoint", &ckpt, "--format", "json", &img, &img]),
        s(&["predict", "--checkpoint", &ckpt, "--format", "csv", &img, &img]),
        s(&["eval", "--checkpoint", &ckpt, "--data", &data.display().to_string()]),
        s(&["plot", &run.display().to_string()]),
        s(&["--list-adapters"]),
        s(&["--synthetic-images", "32", "--epochs", "1", "--batch-size", "8", "--runs-dir", &runs]),
        s(&[
            "suite",
            "--data",
            &data.display().to_string(),
            "--pairs",
            "red_shirt,blue_dress",
            "--seeds",
            "0",
            "--epochs",
            "1",
            "--batch-size",
            "4",
            "--runs-dir",
            &runs,
        ]),
    ]
}

#[test]
fn a_reader_that_closes_early_ends_each_command_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    for args in printing_commands(tmp.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_trainer"))
            .args(&args)
            .envs(FAST)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the first line is written (opening the GPU comes first).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?} exits quietly: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
    // The training run went on to the end: its folder has the epoch.
    let metrics = std::fs::read_to_string(tmp.path().join("runs/run-0001/metrics.csv")).unwrap();
    assert_eq!(metrics.lines().count(), 2, "{metrics}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_device_on_standard_output_is_an_error_that_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    for args in printing_commands(tmp.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = run_with_stdout(&args, Stdio::from(full));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains("No space left on device"), "{args:?}: {stderr}");
        if args[0].starts_with("--synthetic") || args[0] == "suite" {
            // Training is not lost for a full terminal: it warns once and finishes.
            assert_eq!(out.status.code(), Some(0), "{stderr}");
            assert_eq!(stderr.matches("No space left").count(), 1, "{stderr}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn plot_checks_the_whole_table_before_drawing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let run = copy_of_run(tmp.path());
    let before = std::fs::read(run.join("loss.png")).unwrap();
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let cases = [
        (format!("{metrics}2,0.5\n"), "metrics.csv line 3: 2 cells where the header has"),
        (format!("{metrics}{}\n", metrics.lines().nth(1).unwrap().replacen('1', "x", 1)), "is not a number"),
        (String::new(), "metrics.csv is empty"),
    ];
    for (table, says) in cases {
        std::fs::write(run.join("metrics.csv"), &table).unwrap();
        let (ok, text) = trainer(&["plot", run.to_str().unwrap()], &[]);
        assert!(!ok && text.contains(says) && !text.contains("panicked"), "{says}: {text}");
        assert_eq!(std::fs::read(run.join("loss.png")).unwrap(), before, "no picture is drawn from bad data");
    }
}

#[test]
fn resume_refuses_a_run_with_no_saved_state_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let run = copy_of_run(tmp.path());
    std::fs::remove_file(run.join("state.safetensors")).unwrap();
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let best = std::fs::read(run.join("best.safetensors")).unwrap();
    let (ok, text) = trainer(&["--resume", run.to_str().unwrap(), "--epochs", "4"], &FAST);
    assert!(!ok && text.contains("has no saved state (state.safetensors)") && text.contains("new run"), "{text}");
    assert_eq!(std::fs::read_to_string(run.join("metrics.csv")).unwrap(), metrics, "the logs are untouched");
    assert_eq!(std::fs::read(run.join("best.safetensors")).unwrap(), best, "the checkpoints are untouched");
}

#[test]
fn resume_of_a_complete_run_says_it_is_complete_and_how_to_extend_it() {
    let (ok, text) = trainer(&["--resume", finished_run().to_str().unwrap()], &FAST);
    assert!(!ok && text.contains("is complete: it trained 1 epoch") && text.contains("--epochs 2"), "{text}");
    let (ok, text) = trainer(&["--resume", finished_run().to_str().unwrap(), "--epochs", "1"], &FAST);
    assert!(!ok && text.contains("is complete"), "{text}");
}

/// Rewrites the `trainer.progress` metadata of a state file with `edit` applied to it.
fn edit_progress(state: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let bytes = std::fs::read(state).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let meta = header["__metadata__"].as_object_mut().unwrap();
    let mut progress: serde_json::Value = serde_json::from_str(meta["trainer.progress"].as_str().unwrap()).unwrap();
    edit(&mut progress);
    meta.insert("trainer.progress".into(), progress.to_string().into());
    let mut text = header.to_string().into_bytes();
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend(text);
    out.extend(&bytes[8 + n..]);
    std::fs::write(state, out).unwrap();
}

#[test]
fn a_saved_position_beyond_the_epoch_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let run = copy_of_run(tmp.path());
    edit_progress(&run.join("state.safetensors"), |p| p["position"] = 999.into());
    let (ok, text) = trainer(&["--resume", run.to_str().unwrap(), "--epochs", "3"], &FAST);
    assert!(!ok && text.contains("step 999 of an epoch of 5") && text.contains("damaged"), "{text}");
    assert_eq!(std::fs::read_to_string(run.join("metrics.csv")).unwrap().lines().count(), 2, "no epoch of zeros");
}

#[test]
fn a_forced_variant_is_recorded_and_a_changed_adapter_is_named() {
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(finished_run().join("config.json")).unwrap()).unwrap();
    let kernels = config["kernels"].as_object().unwrap();
    assert!(kernels.len() >= 10, "every matrix-product pass is recorded: {kernels:?}");
    assert!(kernels.values().all(|v| v == "blocked"), "{kernels:?}");

    let tmp = tempfile::tempdir().unwrap();
    let run = copy_of_run(tmp.path());
    let mut config = config.clone();
    config["adapter"] = "[0] Some Other GPU (Vulkan, DiscreteGpu, driver: x)".into();
    std::fs::write(run.join("config.json"), serde_json::to_string_pretty(&config).unwrap()).unwrap();
    let (ok, text) = trainer(&["--resume", run.to_str().unwrap(), "--epochs", "2"], &FAST);
    assert!(ok, "{text}");
    assert!(text.contains("started on [0] Some Other GPU") && text.contains("not be bit for bit"), "{text}");
}

#[test]
fn one_image_listed_twice_under_two_spellings_is_refused_naming_both_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 24);
    let folder = std::fs::read_dir(&photos).unwrap().next().unwrap().unwrap().file_name();
    let folder = folder.to_str().unwrap();
    let file = std::fs::read_dir(photos.join(folder)).unwrap().next().unwrap().unwrap().file_name();
    let file = file.to_str().unwrap();
    let other = std::fs::read_dir(photos.join(folder)).unwrap().nth(1).unwrap().unwrap().file_name();
    let table = format!(
        "path,color,item\n./{folder}/{file},red,dress\n{folder}/{},blue,shirt\n{folder}//{file},black,jeans\n",
        other.to_str().unwrap()
    );
    let labels = tmp.path().join("labels.csv");
    std::fs::write(&labels, table).unwrap();
    let (ok, text) = trainer(&["--data", photos.to_str().unwrap(), "--labels", labels.to_str().unwrap()], &FAST);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!("line 4: {folder}//{file} is listed again (first on line 2, as ./{folder}/{file})")),
        "{text}"
    );
}

#[test]
fn a_truncated_jpeg_is_skipped_and_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 48);
    let folder = photos.join("red_shirt");
    let jpeg = folder.join("whole.jpg");
    image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 90])).save(&jpeg).unwrap();
    let bytes = std::fs::read(&jpeg).unwrap();
    std::fs::write(folder.join("cut.jpg"), &bytes[..bytes.len() / 3]).unwrap();
    let runs = tmp.path().join("runs");
    let args = ["--data", photos.to_str().unwrap(), "--epochs", "1", "--batch-size", "8", "--run-name", "t"];
    let (ok, text) = trainer(&[&args[..], &["--runs-dir", runs.to_str().unwrap()]].concat(), &FAST);
    assert!(ok, "{text}");
    let skipped = std::fs::read_to_string(runs.join("t/skipped.txt")).unwrap();
    assert!(skipped.contains("cut.jpg: the JPEG data ends early") && !skipped.contains("whole.jpg"), "{skipped}");
    let ckpt = runs.join("t/best.safetensors");
    let (ok, text) =
        trainer(&["predict", "--checkpoint", ckpt.to_str().unwrap(), folder.join("cut.jpg").to_str().unwrap()], &FAST);
    assert!(!ok && text.contains("truncated"), "{text}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_folder_name_that_is_not_utf8_is_named_escaped_and_makes_no_class() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 24);
    let odd = photos.join(std::ffi::OsStr::from_bytes(b"bl\xffck_jeans"));
    std::fs::create_dir(&odd).unwrap();
    photo(&odd);
    let (ok, text) =
        trainer(&["--data", photos.to_str().unwrap(), "--runs-dir", tmp.path().join("r").to_str().unwrap()], &FAST);
    assert!(!ok && text.contains(r#"named "bl\xffck_jeans", which is not valid UTF-8"#), "{text}");
    assert!(!text.contains('\u{fffd}'), "no replacement character: {text}");
}

#[test]
fn every_head_of_a_plain_state_dict_needs_distinct_names() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seednet_plain.safetensors");
    let (ckpt, img) = (plain.to_str().unwrap().to_string(), photo(tmp.path()).display().to_string());
    let cases: [(&[&str], &str); 4] = [
        (&["--classes", "color=black,blue,red"], "names none for head item"),
        (&["--classes", "color=,,", "--classes", "item=a,b,c,d"], "a class name is empty"),
        (&["--classes", "color=red,red,blue", "--classes", "item=a,b,c,d"], "class \"red\" is named twice"),
        (&["--classes", "item=a,b,c,d"], "names none for head color"),
    ];
    for (classes, says) in cases {
        let (ok, text) = trainer(&[&["predict", "--checkpoint", &ckpt, &img][..], classes].concat(), &FAST);
        assert!(!ok && text.contains(says), "{classes:?}: {text}");
    }
    let (ok, text) = trainer(
        &["predict", "--checkpoint", &ckpt, &img, "--classes", "color=black,blue,red", "--classes", "item=a,b,c,d"],
        &FAST,
    );
    assert!(ok, "{text}");
}

#[test]
fn a_suite_is_checked_whole_before_its_first_run() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 48);
    let runs = tmp.path().join("runs");
    let base = ["suite", "--data", photos.to_str().unwrap(), "--epochs", "1", "--runs-dir", runs.to_str().unwrap()];
    let cases: [(&[&str], &str); 2] = [
        (
            &["--pairs", "red_shirt,blue_dress;red_hat,blue_dress", "--seeds", "0"],
            "--pairs red_hat,blue_dress: --hold-out red_hat",
        ),
        (&["--seeds", "0,0", "--pairs", "red_shirt,blue_dress"], "--seeds names seed 0 twice"),
    ];
    for (args, says) in cases {
        let (ok, text) = trainer(&[&base[..], args].concat(), &FAST);
        assert!(!ok && text.contains(says), "{says}: {text}");
        assert!(!text.contains("suite: run 1"), "no run started: {text}");
        assert!(!runs.exists() || std::fs::read_dir(&runs).unwrap().next().is_none(), "no suite folder is left");
    }
}

#[test]
fn options_are_checked_alike_everywhere() {
    let ckpt = finished_run().join("best.safetensors");
    let tmp = tempfile::tempdir().unwrap();
    write_folder(&tmp.path().join("photos"), 24);
    let data = tmp.path().join("photos");
    let (ok, text) = trainer(
        &["eval", "--checkpoint", ckpt.to_str().unwrap(), "--data", data.to_str().unwrap(), "--batch-size", "0"],
        &FAST,
    );
    assert!(!ok && text.contains("--batch-size must be at least 1"), "{text}");
}

#[test]
fn messages_say_what_is_wrong_once() {
    let tmp = tempfile::tempdir().unwrap();
    let img = photo(tmp.path()).display().to_string();
    // A folder given as a checkpoint: the cause once, not twice.
    let (ok, text) = trainer(&["predict", "--checkpoint", tmp.path().to_str().unwrap(), &img], &FAST);
    assert!(!ok && text.matches("Is a directory").count() == 1, "{text}");
    // --runs-dir naming a file.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (ok, text) = trainer(&["--synthetic-images", "32", "--runs-dir", file.to_str().unwrap()], &FAST);
    assert!(!ok && text.contains("is a file, not a folder"), "{text}");
    // A newline in a run name.
    let (ok, text) =
        trainer(&["--synthetic-images", "32", "--run-name", "a\nb", "--runs-dir", tmp.path().to_str().unwrap()], &FAST);
    assert!(!ok && text.contains("control characters"), "{text}");
    // A training state given to predict: one line that says what to pass.
    let state = finished_run().join("state.safetensors");
    let (ok, text) = trainer(&["predict", "--checkpoint", state.to_str().unwrap(), &img], &FAST);
    assert!(!ok && text.contains("is a training state") && text.contains("best.safetensors"), "{text}");
    assert!(!text.contains("unexpected tensor"), "{text}");
}

#[test]
fn a_failed_save_leaves_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    // The file cannot take the place of a folder of that name: the write succeeds, the rename fails.
    let target = tmp.path().join("last.safetensors");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "x").unwrap();
    let spec = model::ModelSpec::tutorial(trainer::data::synth::generate(8, 32, 1).heads);
    let err = model::save_checkpoint(&target, &spec, &[], &Default::default()).unwrap_err();
    assert!(err.to_string().contains("last.safetensors"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("last.safetensors")], "{left:?}");
}

#[test]
fn exif_orientation_is_not_applied_as_in_pil() {
    // A 6×4 JPEG whose EXIF says "rotate 90°": read as stored (6 wide), as PIL reads it.
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("plain.jpg");
    image::RgbImage::from_fn(6, 4, |x, _| image::Rgb([x as u8 * 40, 0, 0])).save(&plain).unwrap();
    let bytes = std::fs::read(&plain).unwrap();
    let exif: &[u8] = b"\xFF\xE1\x00\x22Exif\x00\x00MM\x00\x2A\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00";
    let rotated = tmp.path().join("rotated.jpg");
    let mut f = std::fs::File::create(&rotated).unwrap();
    f.write_all(&bytes[..2]).unwrap();
    f.write_all(exif).unwrap();
    f.write_all(&bytes[2..]).unwrap();
    drop(f);
    use image::ImageDecoder;
    let mut decoder =
        image::ImageReader::open(&rotated).unwrap().with_guessed_format().unwrap().into_decoder().unwrap();
    assert_eq!(decoder.orientation().unwrap(), image::metadata::Orientation::Rotate90, "the tag is there");
    let a = trainer::data::load_image(&plain, 12).unwrap();
    let b = trainer::data::load_image(&rotated, 12).unwrap();
    assert_eq!(a, b, "the orientation tag changes nothing");
}
