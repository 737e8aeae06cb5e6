//! The folder loader on small folders made here: formats read from content, odd colour modes,
//! bad files skipped and listed, bad folders refused with their names.

use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use trainer::data::load_folder;

fn heads() -> Vec<String> {
    vec!["color".into(), "item".into()]
}

fn solid(path: &Path, rgb: [u8; 3], format: ImageFormat) {
    RgbImage::from_pixel(20, 30, Rgb(rgb)).save_with_format(path, format).unwrap();
}

#[test]
fn formats_come_from_content_and_odd_files_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let red = dir.path().join("red_shirt");
    let blue = dir.path().join("blue_jeans");
    std::fs::create_dir_all(&red).unwrap();
    std::fs::create_dir_all(&blue).unwrap();
    solid(&red.join("a.jpg"), [200, 20, 20], ImageFormat::Png); // a PNG named .jpg
    solid(&red.join("b.png"), [200, 20, 20], ImageFormat::Jpeg); // a JPEG named .png
    // Fully transparent RGBA: composited on white.
    RgbaImage::from_pixel(8, 8, Rgba([0, 0, 255, 0]))
        .save_with_format(blue.join("clear.png"), ImageFormat::Png)
        .unwrap();
    // Greyscale (a PNG named .gif).
    image::GrayImage::from_pixel(8, 8, image::Luma([77]))
        .save_with_format(blue.join("grey.gif"), ImageFormat::Png)
        .unwrap();
    // Bad files: empty, not an image, truncated.
    std::fs::write(blue.join("empty.jpg"), b"").unwrap();
    std::fs::write(blue.join("notes.txt"), b"not an image at all").unwrap();
    // A format the loader does not read (a Photoshop header).
    std::fs::write(blue.join("layers.psd"), b"8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03").unwrap();
    let mut png = Vec::new();
    RgbImage::from_pixel(40, 40, Rgb([1, 2, 3]))
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    std::fs::write(blue.join("cut.png"), &png[..png.len() / 2]).unwrap();

    let (data, skipped) = load_folder(dir.path(), &heads(), 16).unwrap();
    assert_eq!(data.len(), 4);
    assert_eq!(data.heads[0].classes, ["blue", "red"]);
    assert_eq!(data.heads[1].classes, ["jeans", "shirt"]);
    let mut names: Vec<String> =
        skipped.iter().map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["cut.png", "empty.jpg", "layers.psd", "notes.txt"], "{skipped:?}");
    let reason = |n: &str| skipped.iter().find(|s| s.path.ends_with(n)).unwrap().reason.clone();
    assert!(reason("layers.psd").contains("not an image format"), "{}", reason("layers.psd"));
    assert!(skipped.iter().all(|s| !s.reason.is_empty()));

    let plane = 16 * 16;
    let pixel = |i: usize| {
        let p = &data.pixels[i * 3 * plane..];
        [p[0], p[plane], p[2 * plane]]
    };
    let at = |name: &str| data.sources.iter().position(|s| s.ends_with(name)).unwrap();
    assert_eq!(pixel(at("clear.png")), [255, 255, 255], "transparent pixels become white");
    assert_eq!(pixel(at("grey.gif")), [77, 77, 77], "greyscale becomes RGB");
    assert_eq!(pixel(at("a.jpg")), [200, 20, 20]);
    let jpeg = pixel(at("b.png"));
    assert!(jpeg[0] > 180 && jpeg[1] < 40 && jpeg[2] < 40, "{jpeg:?}");
    assert_eq!(data.combination(at("grey.gif")), "blue_jeans");
}

#[test]
fn bad_folders_are_refused_with_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let err = |d: &Path| format!("{:#}", load_folder(d, &heads(), 16).err().expect("must fail"));

    let missing = dir.path().join("nowhere");
    assert!(err(&missing).contains("does not exist"), "{}", err(&missing));
    assert!(err(dir.path()).contains("has no subfolders"), "{}", err(dir.path()));

    std::fs::create_dir_all(dir.path().join("red_shirt")).unwrap();
    assert!(err(dir.path()).contains("\"red_shirt\"") && err(dir.path()).contains("no files"), "{}", err(dir.path()));

    // Files, but none of them an image.
    std::fs::write(dir.path().join("red_shirt/readme.txt"), b"hello").unwrap();
    let e = err(dir.path());
    assert!(e.contains("\"red_shirt\"") && e.contains("no readable images") && e.contains("readme.txt"), "{e}");

    solid(&dir.path().join("red_shirt/x.png"), [1, 2, 3], ImageFormat::Png);
    std::fs::create_dir_all(dir.path().join("misc")).unwrap();
    let e = err(dir.path());
    assert!(e.contains("\"misc\"") && e.contains("does not split"), "{e}");
}
