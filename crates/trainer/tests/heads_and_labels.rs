//! Heads come from the data: `--heads` names the parts of the folder names, `--labels` reads a
//! table with holes, options that need class names say when the data lacks them, and
//! `predict --format json|csv` feeds other tools.

mod common;

use std::path::Path;

use common::{trainer, write_dataset, write_folder};

const FAST: [(&str, &str); 1] = [("TWINHEAD_KERNELS", "blocked")];

fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    lines.map(|l| l.split(',').nth(at).unwrap().parse().unwrap()).collect()
}

#[test]
fn three_heads_from_folder_names_flow_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_dataset(&photos, &trainer::data::synth::generate_with_background(72, 32, 4));
    let (d, r) = (photos.to_str().unwrap(), tmp.path().join("runs"));
    let args = ["--data", d, "--heads", "color,item,background", "--epochs", "2", "--batch-size", "8"];
    let (ok, text) = trainer(&[&args[..], &["--runs-dir", r.to_str().unwrap(), "--run-name", "three"]].concat(), &FAST);
    assert!(ok, "{text}");
    assert!(text.contains("background ") && text.contains("confusion matrix, background"), "{text}");
    let run = r.join("three");
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    assert_eq!(column(&metrics, "val_acc_background").len(), 2, "{metrics}");
    assert!(run.join("confusion_background.csv").exists() && run.join("confusion_background.png").exists());
    let ck = model::load_checkpoint(&run.join("best.safetensors")).unwrap();
    let names: Vec<&str> = ck.tensors.iter().map(|t| t.0.as_str()).filter(|n| n.starts_with("heads.")).collect();
    for want in ["heads.background.weight", "heads.background.bias", "heads.color.weight", "heads.item.bias"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert_eq!(ck.spec.heads[2].classes, ["plain", "striped"]);
    let (ok, text) =
        trainer(&["eval", "--checkpoint", run.join("best.safetensors").to_str().unwrap(), "--data", d], &FAST);
    assert!(ok && text.contains("background") && text.contains("red_shirt_striped"), "{text}");

    // Two-part folder names do not fit three heads: the folder is named, with the pattern.
    let two = tmp.path().join("two");
    write_folder(&two, 12);
    let (ok, text) = trainer(&["--heads", "color,item,background", "--data", two.to_str().unwrap()], &FAST);
    assert!(
        !ok && text.contains("does not split on '_' into 3 parts") && text.contains("<color>_<item>_<background>"),
        "{text}"
    );
}

#[test]
fn the_generated_set_trains_three_heads() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("runs");
    let args = ["--heads", "color,item,background", "--synthetic-images", "96", "--epochs", "3", "--batch-size", "8"];
    let (ok, text) = trainer(&[&args[..], &["--runs-dir", r.to_str().unwrap(), "--run-name", "g"]].concat(), &FAST);
    assert!(ok, "{text}");
    let metrics = std::fs::read_to_string(r.join("g/metrics.csv")).unwrap();
    let loss = column(&metrics, "train_loss_background");
    assert!(loss[2] < loss[0], "the background head learns: {loss:?}");
    let (ok, text) = trainer(&["--heads", "gender,article"], &FAST);
    assert!(!ok && text.contains("the generated images have the heads color,item"), "{text}");
}

/// A table `path,color,item` over a flat folder, with every fifth item cell empty.
fn write_table(photos: &Path, data: &trainer::data::Dataset) -> String {
    let mut csv = String::from("path,color,item\n");
    let n = 3 * data.image_size * data.image_size;
    std::fs::create_dir_all(photos.join("all")).unwrap();
    for i in 0..data.len() {
        let s = data.image_size;
        let planes = &data.pixels[i * n..(i + 1) * n];
        image::RgbImage::from_fn(s as u32, s as u32, |x, y| {
            let at = y as usize * s + x as usize;
            image::Rgb([planes[at], planes[s * s + at], planes[2 * s * s + at]])
        })
        .save(photos.join(format!("all/{i}.png")))
        .unwrap();
        let (color, item) =
            (&data.heads[0].classes[data.labels[0][i] as usize], &data.heads[1].classes[data.labels[1][i] as usize]);
        let item = if i % 5 == 0 { "" } else { item.as_str() };
        csv += &format!("all/{i}.png,{color},{item}\n");
    }
    csv
}

#[test]
fn a_label_table_with_holes_trains_both_heads() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    let table = write_table(&photos, &trainer::data::synth::generate(60, 32, 8));
    let labels = tmp.path().join("labels.csv");
    std::fs::write(&labels, &table).unwrap();
    let (d, l, r) = (photos.to_str().unwrap(), labels.to_str().unwrap(), tmp.path().join("runs"));
    let args = ["--data", d, "--labels", l, "--epochs", "3", "--batch-size", "8"];
    let (ok, text) = trainer(&[&args[..], &["--runs-dir", r.to_str().unwrap(), "--run-name", "t"]].concat(), &FAST);
    assert!(ok, "{text}");
    let metrics = std::fs::read_to_string(r.join("t/metrics.csv")).unwrap();
    for head in ["color", "item"] {
        let loss = column(&metrics, &format!("train_loss_{head}"));
        assert!(loss.iter().all(|v| v.is_finite()) && loss[2] < loss[0], "{head} learns: {loss:?}");
    }
    let (ok, text) = trainer(
        &["eval", "--checkpoint", r.join("t/best.safetensors").to_str().unwrap(), "--data", d, "--labels", l],
        &FAST,
    );
    assert!(ok && text.contains("60 images: accuracy"), "{text}");
}

#[test]
fn label_table_problems_are_reported_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    let good = write_table(&photos, &trainer::data::synth::generate(12, 32, 9));
    let rows: Vec<&str> = good.lines().collect();
    let cases = [
        (format!("{}\nall/none.png,red,shirt\n", good.trim_end()), "line 14: no file all/none.png"),
        (format!("{}\n{}\n", good.trim_end(), rows[2]), "line 14: all/1.png is listed again (first on line 3)"),
        (format!("{}\nall/3.png,red\n", rows[..3].join("\n")), "line 4: 2 cells where the header has 3"),
        ("path,color,item\nall/0.png,red,shirt\nall/1.png,red,dress\n".to_string(), "head color has 1 class"),
        ("file,color\nall/0.png,red\n".to_string(), "line 1: the header must be path,<head>"),
    ];
    for (table, says) in cases {
        let labels = tmp.path().join("labels.csv");
        std::fs::write(&labels, &table).unwrap();
        let (ok, text) = trainer(&["--data", photos.to_str().unwrap(), "--labels", labels.to_str().unwrap()], &FAST);
        assert!(!ok && text.contains(says), "{says}: {text}");
    }
}

#[test]
fn options_that_need_class_names_say_what_the_data_lacks() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    for (folder, shade) in [("men_shirt", 30u8), ("women_dress", 200)] {
        std::fs::create_dir_all(photos.join(folder)).unwrap();
        for i in 0..10u8 {
            image::RgbImage::from_pixel(8, 8, image::Rgb([shade, i, 0]))
                .save(photos.join(format!("{folder}/{i}.png")))
                .unwrap();
        }
    }
    let d = photos.to_str().unwrap();
    for (option, says) in [
        (
            "--swap-red-blue",
            "--swap-red-blue needs a head named color with the classes red and blue; this data's heads are gender (men, women); article (dress, shirt)",
        ),
        ("--blacken", "--blacken needs a head named color"),
        ("--grey", "--grey needs a head named color"),
    ] {
        let (ok, text) = trainer(&["--data", d, "--heads", "gender,article", option, "0.5"], &FAST);
        assert!(!ok && text.contains(says), "{option}: {text}");
    }
    let (ok, text) = trainer(&["--data", d, "--heads", "gender,article", "--hold-out", "red_shoes"], &FAST);
    assert!(!ok && text.contains("--hold-out red_shoes: no such combination") && text.contains("men_shirt"), "{text}");
}

#[test]
fn predictions_come_as_json_or_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 48);
    let r = tmp.path().join("runs");
    let args = ["--data", photos.to_str().unwrap(), "--epochs", "1", "--batch-size", "8", "--run-name", "p"];
    let (ok, text) = trainer(&[&args[..], &["--runs-dir", r.to_str().unwrap()]].concat(), &FAST);
    assert!(ok, "{text}");
    let ckpt = r.join("p/best.safetensors");
    let images: Vec<String> = std::fs::read_dir(photos.join("blue_dress"))
        .unwrap()
        .take(2)
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let base = ["predict", "--checkpoint", ckpt.to_str().unwrap(), &images[0], &images[1]];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(base)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let records: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["path"], images[0].as_str());
    let p = records[0]["item"]["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p) && records[0]["color"]["class"].is_string(), "{records:?}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(base)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, ["path", "color", "color_probability", "item", "item_probability"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][0], images[1].as_str());
    assert!(["dress", "jeans", "shirt", "shoes"].contains(&&rows[1][3]));
}
