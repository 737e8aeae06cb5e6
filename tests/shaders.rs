//! Every WGSL file parses and validates with naga on the CPU (no adapter needed), every file
//! is a kernel of the catalogue, and each shader agrees with its declaration in
//! `crates/kernels/src/catalogue.rs`: entry point, workgroup size, binding names and order, and
//! the parameter block's member names, offsets and size.

use kernels::{Kernel, KernelDesc};

fn module(desc: &KernelDesc) -> naga::Module {
    naga::front::wgsl::parse_str(desc.source)
        .unwrap_or_else(|e| panic!("{}.wgsl: {}", desc.name, e.emit_to_string(desc.source)))
}

#[test]
fn every_shader_parses_and_validates() {
    for kernel in Kernel::ALL {
        let desc = kernel.desc();
        let m = module(desc);
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
            .validate(&m)
            .unwrap_or_else(|e| panic!("{}.wgsl does not validate: {}", desc.name, e.emit_to_string(desc.source)));
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
    // A file with several register blocks is several kernels of the catalogue, one file.
    let mut known: Vec<String> = Kernel::ALL.iter().map(|k| format!("{}.wgsl", k.name())).collect();
    known.sort();
    known.dedup();
    assert_eq!(files, known, "shaders/ and the kernel catalogue disagree");
}

#[test]
fn every_shared_part_is_joined_to_kernels() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders/common");
    let mut parts = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let users: Vec<&str> = Kernel::ALL.iter().filter(|k| k.source().contains(&text)).map(|k| k.name()).collect();
        assert!(
            users.len() >= 2,
            "{}: shared by {users:?}; a part only one kernel uses belongs in its file",
            path.display()
        );
        parts += 1;
    }
    assert!(parts > 0, "no shared parts under {}", dir.display());
}

#[test]
fn entry_point_and_workgroup_size_match_the_declaration() {
    for kernel in Kernel::ALL {
        let desc = kernel.desc();
        let m = module(desc);
        let entry = m
            .entry_points
            .iter()
            .find(|e| e.name == desc.entry_point)
            .unwrap_or_else(|| panic!("{}.wgsl has no entry point `{}`", desc.name, desc.entry_point));
        assert_eq!(entry.stage, naga::ShaderStage::Compute, "{}: not a compute entry point", desc.name);
        assert_eq!(
            entry.workgroup_size,
            [desc.workgroup_size, 1, 1],
            "{}: @workgroup_size in the shader vs the catalogue",
            desc.name
        );
    }
}

#[test]
fn a_kernel_runs_at_every_workgroup_size_it_offers() {
    let mut offered = 0;
    for kernel in Kernel::ALL {
        let desc = kernel.desc();
        for &wg in desc.workgroup_sizes {
            let source = desc.source_at(wg);
            assert_ne!(source, desc.source, "{}: its source at {wg} is its own", desc.label);
            let m = naga::front::wgsl::parse_str(&source)
                .unwrap_or_else(|e| panic!("{} at {wg}: {}", desc.label, e.emit_to_string(&source)));
            naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
                .validate(&m)
                .unwrap_or_else(|e| panic!("{} at {wg} does not validate: {}", desc.label, e.emit_to_string(&source)));
            let entry = m.entry_points.iter().find(|e| e.name == desc.entry_point).unwrap();
            assert_eq!(entry.workgroup_size, [wg, 1, 1], "{}: @workgroup_size(WG) at {wg}", desc.label);
            assert!(desc.runs_at(wg));
            offered += 1;
        }
        assert!(!desc.runs_at(desc.workgroup_size + 1), "{}", desc.label);
    }
    // Every matrix-product kernel of the blocked and subgroup variants offers two other sizes.
    assert!(offered >= 2 * 20, "only {offered} other workgroup sizes offered");
}

#[test]
fn bindings_match_the_declaration_by_name_and_order() {
    for kernel in Kernel::ALL {
        let desc = kernel.desc();
        let m = module(desc);
        let mut bound: Vec<(u32, String, naga::AddressSpace)> = m
            .global_variables
            .iter()
            .filter_map(|(_, g)| {
                let b = g.binding.as_ref()?;
                assert_eq!(b.group, 0, "{}: {} is not in group 0", desc.name, g.name.as_deref().unwrap_or("?"));
                Some((b.binding, g.name.clone().unwrap_or_default(), g.space))
            })
            .collect();
        bound.sort_by_key(|b| b.0);
        let (numbers, names): (Vec<u32>, Vec<&str>) = bound.iter().map(|(n, name, _)| (*n, name.as_str())).unzip();
        let want: Vec<u32> = (0..=desc.bindings.len() as u32).collect();
        assert_eq!(numbers, want, "{}: bindings must be numbered 0.. without gaps", desc.name);
        assert_eq!(names[0], "p", "{}: binding 0 must be the parameter block `p`", desc.name);
        assert_eq!(bound[0].2, naga::AddressSpace::Uniform, "{}: binding 0 must be a uniform", desc.name);
        assert_eq!(&names[1..], desc.bindings, "{}: binding names in the shader vs the catalogue", desc.name);
    }
}

#[test]
fn params_blocks_match_their_shader_structs() {
    for kernel in Kernel::ALL {
        let desc = kernel.desc();
        let m = module(desc);
        let (handle, ty) = m
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some("Params"))
            .unwrap_or_else(|| panic!("{}.wgsl has no struct Params", desc.name));
        let mut layouter = naga::proc::Layouter::default();
        layouter.update(m.to_ctx()).unwrap();
        let size = layouter[handle].size as usize;
        let layout = desc.params;
        assert_eq!(
            layout.size, size,
            "{}: Rust {} is {} bytes, WGSL Params {size}",
            desc.name, layout.type_name, layout.size
        );
        let naga::TypeInner::Struct { members, .. } = &ty.inner else {
            panic!("{}: Params is not a struct", desc.name)
        };
        let named: Vec<(&str, usize)> = members
            .iter()
            .filter_map(|mb| mb.name.as_deref().filter(|n| !n.starts_with('_')).map(|n| (n, mb.offset as usize)))
            .collect();
        let rust: Vec<(&str, usize)> = layout.fields.iter().copied().filter(|(n, _)| !n.starts_with('_')).collect();
        assert_eq!(named, rust, "{}: WGSL Params fields vs Rust {}", desc.name, layout.type_name);
    }
}

#[test]
fn every_pass_has_one_kernel_per_variant() {
    use kernels::{Pass, Variant};
    for pass in Pass::ALL {
        for variant in Variant::ALL {
            // Its own kernel; other register blocks of it are alternatives the tuner may pick.
            let own = |k: &&Kernel| !k.desc().alternative;
            let n = Kernel::ALL
                .iter()
                .filter(own)
                .filter(|k| k.desc().pass == Some(pass) && k.desc().variant == Some(variant))
                .count();
            // The subgroup variant may leave a pass to the blocked kernel.
            let allowed = if variant == Variant::Subgroup { 0..=1 } else { 1..=1 };
            assert!(allowed.contains(&n), "{pass:?} has {n} {variant:?} kernels");
        }
    }
}

#[test]
fn a_shaped_kernel_covers_the_blocks_its_constants_say() {
    use kernels::Grid;
    for kernel in Kernel::ALL {
        let d = kernel.desc();
        let Some((rows, cols)) = d.block else { continue };
        let constants = format!("const BR: u32 = {rows}u;\nconst BC: u32 = {cols}u;\n");
        assert!(d.source.starts_with(&constants), "{}: its source begins with its block's constants", d.label);
        let (r, c) = (rows as usize, cols as usize);
        // Blocks of the output, or (the subgroup kernels) blocks whose workgroup shares a block
        // column or row.
        let grids = [
            Grid::Blocks { rows: r, cols: c },
            Grid::ColumnGroups { rows: r, cols: c },
            Grid::RowGroups { rows: r, cols: c },
        ];
        assert!(grids.contains(&d.grid), "{}: grid {:?}", d.label, d.grid);
        if d.alternative {
            // The kernel of the same file, variant and pass that is not an alternative: the
            // variant's own for its pass, or (pass None) the one its launcher picks first.
            let own = Kernel::ALL
                .iter()
                .copied()
                .find(|k| {
                    let o = k.desc();
                    o.name == d.name && o.variant == d.variant && o.pass == d.pass && !o.alternative
                })
                .unwrap_or_else(|| panic!("{}: no kernel of its own", d.label));
            if let Some(pass) = d.pass {
                let declared = Kernel::declared_for(pass, d.variant.expect("a variant")).unwrap();
                assert_eq!(declared, own, "{}: an alternative shape of its variant's own kernel", d.label);
            }
            assert_eq!(own.shaped(d.block), *kernel);
        }
    }
    assert_eq!(
        Kernel::Conv2dBackwardInputRowsSubgroup.shaped(Some((4, 16))),
        Kernel::Conv2dBackwardInputRowsSubgroup4x16
    );
    assert_eq!(Kernel::LinearForward.shaped(Some((4, 4))), Kernel::LinearForward4x4);
    assert_eq!(Kernel::Adam.shaped(Some((4, 4))), Kernel::Adam, "no such shape: its own");
}

#[test]
fn the_roofline_probes_validate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders/roofline");
    let mut probes = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&source)));
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{} does not validate: {}", path.display(), e.emit_to_string(&source)));
        probes += 1;
    }
    assert_eq!(probes, 3, "the copy, multiply-add and gather probes");
}
