//! Helpers of the command-line tests: run the trainer binary, write a folder of photos.

#![allow(dead_code)] // each test binary uses its own share

use std::process::Command;

/// Runs the trainer with `args` (and `env`): whether it succeeded, and stdout then stderr.
pub fn trainer(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trainer"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the trainer runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Writes a generated set as PNGs in `<color>_<item>` folders, the layout of real photos.
pub fn write_folder(dir: &std::path::Path, count: usize) {
    write_dataset(dir, &trainer::data::synth::generate(count, 32, 11));
}

/// Writes `data` as PNGs in folders named by each image's combination (`red_shirt_plain`).
pub fn write_dataset(dir: &std::path::Path, data: &trainer::data::Dataset) {
    let s = data.image_size;
    for i in 0..data.len() {
        let folder = dir.join(data.combination(i));
        std::fs::create_dir_all(&folder).unwrap();
        let planes = &data.pixels[i * data.image_len()..(i + 1) * data.image_len()];
        let img = image::RgbImage::from_fn(s as u32, s as u32, |x, y| {
            let at = y as usize * s + x as usize;
            image::Rgb([planes[at], planes[s * s + at], planes[2 * s * s + at]])
        });
        img.save(folder.join(format!("{i}.png"))).unwrap();
    }
}
