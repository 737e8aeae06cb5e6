//! A PyTorch user's checkpoint (`save_file(model.state_dict(), path)`, no metadata) works with
//! `eval` (classes from the data folder) and `predict` (classes from --classes), and says what
//! to pass when nothing names the classes.

mod common;

use common::{trainer, write_folder};

const PLAIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/seednet_plain.safetensors");

#[test]
fn eval_takes_the_class_names_from_the_data_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 48);
    let (ok, text) = trainer(&["eval", "--checkpoint", PLAIN, "--data", photos.to_str().unwrap()], &[]);
    assert!(ok, "{text}");
    assert!(text.contains("48 images: accuracy") && text.contains("confusion matrix, color"), "{text}");
    assert!(text.contains("black") && !text.contains("color0"), "the folder's names are used: {text}");
}

#[test]
fn predict_needs_class_names_for_a_plain_state_dict() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    write_folder(&photos, 12);
    let image = std::fs::read_dir(photos.join("red_shirt")).unwrap().next().unwrap().unwrap().path();
    let image = image.to_str().unwrap();
    let (ok, text) = trainer(&["predict", "--checkpoint", PLAIN, image], &[]);
    assert!(!ok && text.contains("names no classes") && text.contains("--classes color="), "{text}");
    let names = ["--classes", "color=black,blue,red", "--classes", "item=dress,jeans,shirt,shoes"];
    let (ok, text) = trainer(&[&["predict", "--checkpoint", PLAIN, image][..], &names[..]].concat(), &[]);
    assert!(ok && text.contains("color ") && text.contains("item ") && text.contains('%'), "{text}");
    let (ok, text) = trainer(&["predict", "--checkpoint", PLAIN, image, "--classes", "color=black,blue"], &[]);
    assert!(!ok && text.contains("head color has 3 classes, 2 names given"), "{text}");
    let (ok, text) = trainer(&["predict", "--checkpoint", PLAIN, image, "--classes", "size=s,m,l"], &[]);
    assert!(!ok && text.contains("no head \"size\""), "{text}");
}
