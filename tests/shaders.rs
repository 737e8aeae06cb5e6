//! Every WGSL file parses and validates with naga on the CPU (no adapter needed), every file
//! is a kernel the launchers know, and each Rust parameter block has its shader's size.

use kernels::Kernel;

fn module(kernel: Kernel) -> naga::Module {
    naga::front::wgsl::parse_str(kernel.source())
        .unwrap_or_else(|e| panic!("{}.wgsl: {}", kernel.name(), e.emit_to_string(kernel.source())))
}

#[test]
fn every_shader_parses_and_validates() {
    for kernel in Kernel::ALL {
        let m = module(kernel);
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
            .validate(&m)
            .unwrap_or_else(|e| {
                panic!("{}.wgsl does not validate: {}", kernel.name(), e.emit_to_string(kernel.source()))
            });
        assert!(m.entry_points.iter().any(|e| e.name == "main"), "{}.wgsl has no `main` entry point", kernel.name());
    }
}

#[test]
fn every_shader_file_is_a_known_kernel() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wgsl"))
        .collect();
    files.sort();
    let mut known: Vec<String> = Kernel::ALL.iter().map(|k| format!("{}.wgsl", k.name())).collect();
    known.sort();
    assert_eq!(files, known, "shaders/ and kernels::Kernel::ALL disagree");
}

#[test]
fn params_blocks_match_their_shader_structs() {
    for kernel in Kernel::ALL {
        let m = module(kernel);
        let (handle, _) = m
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some("Params"))
            .unwrap_or_else(|| panic!("{}.wgsl has no struct Params", kernel.name()));
        let mut layouter = naga::proc::Layouter::default();
        layouter.update(m.to_ctx()).unwrap();
        let wgsl_size = layouter[handle].size as usize;
        assert_eq!(
            kernel.params_size(),
            wgsl_size,
            "{}: Rust params {} bytes, WGSL Params {} bytes",
            kernel.name(),
            kernel.params_size(),
            wgsl_size
        );
    }
}
