//! `cargo test` on a machine with only software OpenGL (Mesa's Vulkan driver not installed)
//! stops at once with one message naming what to install, instead of running for half an hour
//! and then deadlocking in wgpu's GL backend.
//!
//! The check runs this very test binary again, asking for one GPU test, with the Vulkan loader
//! pointed at a driver list that does not exist: what a machine without `mesa-vulkan-drivers`
//! looks like to wgpu.

use std::process::Command;

use twinhead::gpu;

#[test]
fn a_gpu_test_opens_the_adapter() {
    // The test the check below runs again without Vulkan; on this machine it simply passes.
    assert!(!gpu().0.summary.name.is_empty());
}

#[test]
fn without_vulkan_the_gpu_tests_stop_at_once_naming_the_install() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_gpu_test_opens_the_adapter", "--test-threads", "1"])
        .env("VK_DRIVER_FILES", "/nonexistent/icd.json")
        .env("VK_ICD_FILENAMES", "/nonexistent/icd.json")
        .env_remove("WGPU_BACKEND")
        .output()
        .expect("the test binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.contains("no GPU adapter found") || stderr.contains("no GPU adapter found") {
        // No GL either: the ordinary "no adapter" failure, which names the install too.
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must have Mesa's GL: {stdout}{stderr}");
        eprintln!("SKIPPED: no OpenGL adapter here (install libegl-mesa0 to run this check)");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(stderr.matches("error: ").count(), 1, "one message: {stderr}");
    assert!(stderr.contains("found only software OpenGL"), "{stderr}");
    assert!(stderr.contains(&tensor::install_vulkan_hint()), "{stderr}");
}
