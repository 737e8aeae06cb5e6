//! The first run on a fresh machine: the adapter line says when the run is on a slow path and
//! what to install, and Vulkan is preferred over GL without being asked.
//!
//! A machine without Mesa's Vulkan driver is imitated by pointing the Vulkan loader at a driver
//! list that does not exist (`VK_DRIVER_FILES`): wgpu then finds no Vulkan adapter and falls back
//! to OpenGL, exactly as on a machine where `mesa-vulkan-drivers` was never installed.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::trainer;

/// The environment of a machine whose Vulkan loader finds no driver.
const NO_VULKAN: [(&str, &str); 2] =
    [("VK_DRIVER_FILES", "/nonexistent/icd.json"), ("VK_ICD_FILENAMES", "/nonexistent/icd.json")];

/// Whether a software GL adapter is present; in CI (`CI=true`) it must be (`.ci/run` installs
/// Mesa's EGL), elsewhere its absence skips the GL checks, saying so.
fn gl_present() -> bool {
    let (ok, text) = trainer(&["--list-adapters"], &NO_VULKAN);
    let present = ok && text.contains("Gl");
    if !present {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must have Mesa's GL (libegl-mesa0): {text}");
        eprintln!("SKIPPED: no OpenGL adapter on this machine (install libegl-mesa0 to run this check)");
    }
    present
}

#[test]
fn a_run_on_software_gl_says_so_first_and_names_the_install() {
    if !gl_present() {
        return;
    }
    let runs = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(["--synthetic-images", "64", "--epochs", "1", "--runs-dir", runs.path().to_str().unwrap()])
        .envs(NO_VULKAN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the trainer starts");
    // Only the first line matters: the run itself would take minutes on GL.
    let first = BufReader::new(child.stderr.take().unwrap()).lines().next().expect("a first line").unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.starts_with("adapter: ") && first.contains("Gl"), "{first}");
    assert!(first.contains("SLOW: software OpenGL on the CPU"), "{first}");
    assert!(first.contains(&tensor::install_vulkan_hint()), "{first}");
}

#[test]
fn listed_adapters_say_which_are_slow() {
    if !gl_present() {
        return;
    }
    let (ok, text) = trainer(&["--list-adapters"], &NO_VULKAN);
    assert!(ok && text.contains("SLOW") && text.contains(&tensor::install_vulkan_hint()), "{text}");
    // GL asked for by name, Vulkan installed or not: the same words.
    let (ok, text) = trainer(&["--list-adapters"], &[("WGPU_BACKEND", "gl")]);
    assert!(ok && text.contains("Gl,") && text.contains("SLOW: software OpenGL"), "{text}");
}

#[test]
fn vulkan_is_preferred_over_gl_without_being_asked() {
    let (ok, text) = trainer(&["--list-adapters"], &[]);
    assert!(ok, "{text}");
    // Where Mesa's Vulkan driver is installed (CI installs it) the GL adapter is not even offered.
    if text.contains("Vulkan") {
        assert!(!text.contains("Gl,") && !text.contains("SLOW"), "{text}");
    } else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must have Vulkan lavapipe: {text}");
        eprintln!("SKIPPED: no Vulkan adapter here; the preference cannot be checked");
    }
}

#[test]
fn the_install_command_fits_the_operating_system() {
    let debian = "PRETTY_NAME=\"Debian GNU/Linux 12\"\nID=debian\n";
    let ubuntu = "ID=ubuntu\nID_LIKE=debian\n";
    let fedora = "ID=fedora\n";
    assert_eq!(tensor::install_vulkan_hint_for("linux", debian), "sudo apt-get install mesa-vulkan-drivers libvulkan1");
    assert_eq!(tensor::install_vulkan_hint_for("linux", ubuntu), "sudo apt-get install mesa-vulkan-drivers libvulkan1");
    assert!(tensor::install_vulkan_hint_for("linux", fedora).starts_with("sudo dnf install mesa-vulkan-drivers"));
    assert!(tensor::install_vulkan_hint_for("linux", "").contains("package manager"));
    assert!(tensor::install_vulkan_hint_for("windows", "").contains("driver"));
}
