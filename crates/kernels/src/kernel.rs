//! The kernel catalogue's types: every WGSL kernel is declared once (in `catalogue.rs`) — name (= file name and wgpu label),
//! source, variant, the pass it implements, entry point, workgroup size, how its invocations
//! cover the output, named bindings and parameter block. Everything else (the list of all
//! kernels, which kernel a variant runs for a pass, dispatch sizing) is derived from these
//! declarations, and `tests/shaders.rs` reads every shader with naga and checks it against its
//! declaration (workgroup size, entry point, binding names and order, parameter offsets).

pub use crate::catalogue::Kernel;
use crate::params::ParamsLayout;

/// Which family of matrix-product kernels runs (conv and linear, forward and both gradients).
/// Both compute the same thing and pass the same tests; they differ in how they use the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// 8×8 outputs per invocation in registers, no workgroup memory, no barriers: fast where
    /// "GPU" threads are CPU SIMD lanes (lavapipe), where workgroup memory and barriers are slow.
    Blocked,
    /// 64×64 tiles per workgroup with operands staged in workgroup memory: the classic GPU GEMM.
    Tiled,
    /// Blocked, with operands every invocation of a subgroup needs loaded once and shared by
    /// `subgroupBroadcast`. Only where the device has subgroups of at least 8 lanes; passes
    /// without a subgroup kernel run the blocked one.
    Subgroup,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Blocked, Variant::Tiled, Variant::Subgroup];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Blocked => "blocked",
            Variant::Tiled => "tiled",
            Variant::Subgroup => "subgroup",
        }
    }

    /// Whether a device opened with `features` on an adapter described by `info` runs this
    /// variant: the subgroup kernels broadcast from lanes 0–7, so they need subgroups of at
    /// least 8 lanes (lavapipe 8, NVIDIA 32, AMD 32/64).
    pub fn runs_on(self, info: &wgpu::AdapterInfo, features: wgpu::Features) -> bool {
        match self {
            Variant::Subgroup => features.contains(wgpu::Features::SUBGROUP) && info.subgroup_min_size >= 8,
            Variant::Blocked | Variant::Tiled => true,
        }
    }

    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    /// `TWINHEAD_KERNELS`, the one place it is read: a variant's name forces that variant;
    /// unset, empty or `auto` leaves the choice to the caller (None). Anything else is an error
    /// that lists the names.
    pub fn from_env() -> Result<Option<Variant>, String> {
        match std::env::var("TWINHEAD_KERNELS").ok().as_deref() {
            None | Some("") | Some("auto") => Ok(None),
            Some(name) => Variant::from_name(name)
                .map(Some)
                .ok_or_else(|| format!("TWINHEAD_KERNELS={name}: use auto, blocked, tiled or subgroup")),
        }
    }

    /// The first guess for an adapter (the tuner then measures every variant it runs):
    /// `TWINHEAD_KERNELS=blocked|tiled|subgroup` if set, otherwise blocked for CPU adapters and
    /// tiled for real GPUs.
    pub fn for_adapter(info: &wgpu::AdapterInfo) -> Variant {
        match Variant::from_env().ok().flatten() {
            Some(v) => v,
            None if info.device_type == wgpu::DeviceType::Cpu => Variant::Blocked,
            None => Variant::Tiled,
        }
    }
}

/// The matrix-product passes, each implemented once per [`Variant`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pass {
    ConvForward,
    ConvBackwardInput,
    ConvBackwardWeight,
    LinearForward,
    LinearBackwardInput,
    LinearBackwardWeight,
}

impl Pass {
    /// What a person calls this pass of a layer.
    pub fn about(self) -> &'static str {
        match self {
            Pass::ConvForward | Pass::LinearForward => "forward",
            Pass::ConvBackwardInput | Pass::LinearBackwardInput => "input gradient",
            Pass::ConvBackwardWeight | Pass::LinearBackwardWeight => "weight gradient",
        }
    }

    pub const ALL: [Pass; 6] = [
        Pass::ConvForward,
        Pass::ConvBackwardInput,
        Pass::ConvBackwardWeight,
        Pass::LinearForward,
        Pass::LinearBackwardInput,
        Pass::LinearBackwardWeight,
    ];
}

/// How a kernel's invocations cover its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grid {
    /// One invocation per element (or per vec4, as the launcher says).
    Items,
    /// One invocation per `rows × cols` block of a matrix output.
    Blocks { rows: usize, cols: usize },
    /// One workgroup per `rows × cols` tile of a matrix output.
    Tiles { rows: usize, cols: usize },
    /// One invocation per `rows × cols` block, a workgroup's invocations all on the same block
    /// column (the row blocks padded to whole workgroups): what the subgroup kernels share.
    ColumnGroups { rows: usize, cols: usize },
    /// Like `ColumnGroups` with rows and columns swapped: a workgroup's invocations share a
    /// block row, the column blocks padded to whole workgroups.
    RowGroups { rows: usize, cols: usize },
}

/// One kernel, declared once.
#[derive(Debug)]
pub struct KernelDesc {
    /// The file name without `.wgsl`.
    pub name: &'static str,
    /// The wgpu label of its pipeline and dispatches: the name, with the shape when it is one of
    /// several of a file (`linear_forward 4x4`).
    pub label: &'static str,
    /// The shape's `const` declarations (`BR`, `BC`: the register block), the shared parts, the
    /// kernel's own file.
    pub source: &'static str,
    /// The register block (rows, columns) a shaped kernel's constants set.
    pub block: Option<(u32, u32)>,
    /// Another shape of the kernel its variant declares for its pass, run only where the tuner
    /// measured it faster ([`Kernel::shaped`]).
    pub alternative: bool,
    /// The variant whose passes use it; `None` for kernels every variant uses.
    pub variant: Option<Variant>,
    /// The matrix-product pass it implements, if it is one.
    pub pass: Option<Pass>,
    pub entry_point: &'static str,
    /// The shader's `@workgroup_size` (1-D): its own, the `WG` constant its source declares.
    pub workgroup_size: u32,
    /// The other workgroup sizes it may run at (its `@workgroup_size` and index arithmetic are
    /// written in `WG`): a shape dimension the tuner measures. Empty: fixed.
    pub workgroup_sizes: &'static [u32],
    pub grid: Grid,
    /// The storage bindings' names in binding order from 1 (binding 0 is the uniform `p`).
    pub bindings: &'static [&'static str],
    pub params: ParamsLayout,
}

impl KernelDesc {
    /// Invocations for a kernel whose output is a `rows × cols` matrix (or `rows × cols` items),
    /// at its own workgroup size.
    pub fn invocations(&self, rows: usize, cols: usize) -> u64 {
        self.invocations_at(rows, cols, self.workgroup_size)
    }

    /// [`Self::invocations`] in workgroups of `wg` (the groups-of-blocks grids pad to whole
    /// workgroups).
    pub fn invocations_at(&self, rows: usize, cols: usize, wg: u32) -> u64 {
        match self.grid {
            Grid::Items => (rows * cols) as u64,
            Grid::Blocks { rows: r, cols: c } => (rows.div_ceil(r) * cols.div_ceil(c)) as u64,
            Grid::Tiles { rows: r, cols: c } => (rows.div_ceil(r) * cols.div_ceil(c)) as u64 * wg as u64,
            Grid::ColumnGroups { rows: r, cols: c } => {
                let wg = wg as usize;
                (rows.div_ceil(r).div_ceil(wg) * wg * cols.div_ceil(c)) as u64
            }
            Grid::RowGroups { rows: r, cols: c } => {
                let wg = wg as usize;
                (rows.div_ceil(r) * cols.div_ceil(c).div_ceil(wg) * wg) as u64
            }
        }
    }

    /// Whether it runs in workgroups of `wg`: its own size or one of its alternatives.
    pub fn runs_at(&self, wg: u32) -> bool {
        wg == self.workgroup_size || self.workgroup_sizes.contains(&wg)
    }

    /// The source with its `WG` constant set to `wg` (the catalogue's source has its own).
    pub fn source_at(&self, wg: u32) -> std::borrow::Cow<'static, str> {
        if wg == self.workgroup_size {
            return self.source.into();
        }
        let own = format!("const WG: u32 = {}u;\n", self.workgroup_size);
        self.source.replacen(&own, &format!("const WG: u32 = {wg}u;\n"), 1).into()
    }
}

impl Kernel {
    /// The kernel's name, which is also its file name without `.wgsl` and its wgpu label.
    pub fn name(self) -> &'static str {
        self.desc().name
    }

    /// The WGSL source, embedded at compile time.
    pub fn source(self) -> &'static str {
        self.desc().source
    }

    /// Whether the kernels of `variant` include this one.
    pub fn used_by(self, variant: Variant) -> bool {
        match (self.desc().variant, self.desc().pass) {
            (None, _) => true,
            (Some(_), Some(pass)) => Kernel::for_pass(pass, variant) == self,
            (Some(v), None) => v == variant,
        }
    }

    /// The kernel `variant` itself declares for `pass`, if any (its shape alternatives aside).
    pub fn declared_for(pass: Pass, variant: Variant) -> Option<Kernel> {
        Kernel::ALL
            .iter()
            .copied()
            .find(|k| k.desc().pass == Some(pass) && k.desc().variant == Some(variant) && !k.desc().alternative)
    }

    /// This kernel in the register block `block`: the alternative of the same file that has it,
    /// else this kernel (a pass whose kernel offers no such shape runs its own).
    pub fn shaped(self, block: Option<(u32, u32)>) -> Kernel {
        let own = self.desc();
        let found = Kernel::ALL.iter().copied().find(|k| {
            let d = k.desc();
            d.name == own.name && d.pass == own.pass && d.block == block && block.is_some()
        });
        found.unwrap_or(self)
    }

    /// The register blocks `variant`'s kernels offer beside their own, each once.
    pub fn alternative_blocks(variant: Variant) -> Vec<(u32, u32)> {
        let mut blocks = Vec::new();
        for k in Kernel::ALL.iter().map(|k| k.desc()).filter(|d| d.alternative && d.variant == Some(variant)) {
            if let Some(b) = k.block.filter(|b| !blocks.contains(b)) {
                blocks.push(b);
            }
        }
        blocks
    }

    /// The workgroup sizes `variant`'s kernels offer beside their own, each once, smallest first.
    pub fn alternative_workgroups(variant: Variant) -> Vec<u32> {
        let mut sizes: Vec<u32> = Kernel::ALL
            .iter()
            .map(|k| k.desc())
            .filter(|d| d.variant == Some(variant))
            .flat_map(|d| d.workgroup_sizes.iter().copied())
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }

    /// The kernel that implements `pass` in `variant` (its own shape): its own, or the blocked
    /// one where the variant has none for this pass.
    pub fn for_pass(pass: Pass, variant: Variant) -> Kernel {
        let found = Kernel::declared_for(pass, variant).or(Kernel::declared_for(pass, Variant::Blocked));
        found.unwrap_or_else(|| panic!("the catalogue has no {variant:?} kernel for {pass:?}"))
    }
}
