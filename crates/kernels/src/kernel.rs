//! The kernel catalogue: every WGSL kernel declared once — name (= file name and wgpu label),
//! source, variant, the pass it implements, entry point, workgroup size, how its invocations
//! cover the output, named bindings and parameter block. Everything else (the list of all
//! kernels, which kernel a variant runs for a pass, dispatch sizing) is derived from these
//! declarations, and `tests/shaders.rs` reads every shader with naga and checks it against its
//! declaration (workgroup size, entry point, binding names and order, parameter offsets).

use crate::params::{self, ParamsLayout};

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

/// `true` when a shape was given (an alternative entry).
macro_rules! given {
    () => {
        false
    };
    ($x:literal) => {
        true
    };
}

/// Declares every kernel: the [`Kernel`] enum, [`Kernel::ALL`] and each kernel's [`KernelDesc`].
/// `block R x C` gives the variant's own kernel for its pass its register block; `shape R x C` an
/// alternative shape of it (same file, other constants).
macro_rules! catalogue {
    ($(
        $kernel:ident: $file:literal $(block $br:literal x $bc:literal)? $(shape $sr:literal x $sc:literal)?
            $(after $($common:literal)+)?, $variant:expr, $pass:expr, workgroup $wg:literal $(or $($alt:literal)+)?, $grid:expr,
            $params:ident, [$($binding:ident),*];
    )*) => {
        /// Every WGSL kernel twinhead has, one per file under `shaders/`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kernel { $($kernel,)* }

        impl Kernel {
            pub const ALL: &'static [Kernel] = &[$(Kernel::$kernel,)*];

            /// The kernel's declaration.
            pub fn desc(self) -> &'static KernelDesc {
                match self {
                    $(Kernel::$kernel => {
                        const DESC: KernelDesc = KernelDesc {
                            name: $file,
                            label: concat!($file $(, " ", $sr, "x", $sc)?),
                            // The shape's constants, the workgroup size's, the shared parts
                            // (shaders/common/), if any, then the kernel's own file.
                            source: concat!(
                                $("const BR: u32 = ", $br, "u;\nconst BC: u32 = ", $bc, "u;\n",)?
                                $("const BR: u32 = ", $sr, "u;\nconst BC: u32 = ", $sc, "u;\n",)?
                                "const WG: u32 = ", $wg, "u;\n",
                                $($(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/common/", $common, ".wgsl")),)+)?
                                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shaders/", $file, ".wgsl"))
                            ),
                            block: [None $(, Some(($br, $bc)))? $(, Some(($sr, $sc)))?][given!($($br)?) as usize + given!($($sr)?) as usize],
                            alternative: given!($($sr)?),
                            variant: $variant,
                            pass: $pass,
                            entry_point: "main",
                            workgroup_size: $wg,
                            workgroup_sizes: &[$($($alt),+)?],
                            grid: $grid,
                            bindings: &[$(stringify!($binding)),*],
                            params: ParamsLayout::of::<params::$params>(stringify!($params)),
                        };
                        &DESC
                    })*
                }
            }
        }
    };
}

use Pass::*;
use Variant::{Blocked, Subgroup, Tiled};
/// The blocked kernels: one invocation per 8×8 output block, in registers.
const BLOCK: Grid = Grid::Blocks { rows: 8, cols: 8 };
/// The tiled kernels: one workgroup of 256 per 64×64 output tile.
const TILE: Grid = Grid::Tiles { rows: 64, cols: 64 };
/// The subgroup kernels: blocks of 4 rows × 16 columns, a workgroup's on one block column.
const SHARED: Grid = Grid::ColumnGroups { rows: 4, cols: 16 };
/// The subgroup linear kernels: blocks of 16 rows × 4 columns, a workgroup's on one block row.
const SHARED_ROWS: Grid = Grid::RowGroups { rows: 16, cols: 4 };

// One line pair per kernel: name (= file), the shared parts joined in front of it in order (`after`,
// files of shaders/common/: the parameter block, bindings and helpers its siblings would repeat),
// variant, pass, workgroup size, grid, parameter block (in `params.rs`) and the storage bindings
// in binding order.
catalogue! {
    Conv2dForward: "conv2d_forward" block 8 x 8 after "conv_forward", Some(Blocked), Some(ConvForward), workgroup 64 or 32 128, BLOCK,
        Conv2dForward, [x, weight, bias, y];
    Conv2dForward8x4: "conv2d_forward" shape 8 x 4 after "conv_forward", Some(Blocked), Some(ConvForward), workgroup 64 or 32 128,
        Grid::Blocks { rows: 8, cols: 4 }, Conv2dForward, [x, weight, bias, y];
    Conv2dForward4x8: "conv2d_forward" shape 4 x 8 after "conv_forward", Some(Blocked), Some(ConvForward), workgroup 64 or 32 128,
        Grid::Blocks { rows: 4, cols: 8 }, Conv2dForward, [x, weight, bias, y];
    Conv2dForward4x4: "conv2d_forward" shape 4 x 4 after "conv_forward", Some(Blocked), Some(ConvForward), workgroup 64 or 32 128,
        Grid::Blocks { rows: 4, cols: 4 }, Conv2dForward, [x, weight, bias, y];
    Conv2dForwardTiled: "conv2d_forward_tiled" after "conv_forward" "tile_product", Some(Tiled), Some(ConvForward), workgroup 256, TILE,
        Conv2dForward, [x, weight, bias, y];
    Conv2dForwardSubgroup: "conv2d_forward_subgroup" after "conv_forward", Some(Subgroup), Some(ConvForward), workgroup 64 or 32 128, SHARED,
        Conv2dForward, [x, weight, bias, y];
    Conv2dForwardPoolSubgroup: "conv2d_forward_pool_subgroup" block 2 x 16 after "conv_forward" "channel_block", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 2, cols: 16 }, Conv2dForward, [x, weight, bias, y, argmax];
    Conv2dForwardPoolSubgroup1x16: "conv2d_forward_pool_subgroup" shape 1 x 16 after "conv_forward" "channel_block", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 1, cols: 16 }, Conv2dForward, [x, weight, bias, y, argmax];
    Conv2dBackwardInput: "conv2d_backward_input" after "conv_backward_input", Some(Blocked), Some(ConvBackwardInput), workgroup 64 or 32 128, BLOCK,
        Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputTiled: "conv2d_backward_input_tiled" after "conv_backward_input" "tile_product", Some(Tiled), Some(ConvBackwardInput), workgroup 256, TILE,
        Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputSubgroup: "conv2d_backward_input_subgroup" after "conv_backward_input", Some(Subgroup), Some(ConvBackwardInput), workgroup 64 or 32 128, SHARED,
        Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputRowsSubgroup: "conv2d_backward_input_rows_subgroup" block 8 x 16 after "conv_backward_input" "channel_block", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 8, cols: 16 }, Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputRowsSubgroup4x16: "conv2d_backward_input_rows_subgroup" shape 4 x 16 after "conv_backward_input" "channel_block", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 4, cols: 16 }, Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardWeight: "conv2d_backward_weight" after "conv_backward_weight", Some(Blocked), Some(ConvBackwardWeight), workgroup 64 or 32 128, BLOCK,
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dBackwardWeightTiled: "conv2d_backward_weight_tiled" after "conv_backward_weight" "tile_product", Some(Tiled), Some(ConvBackwardWeight), workgroup 256, TILE,
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dBackwardWeightSubgroup: "conv2d_backward_weight_subgroup" after "conv_backward_weight", Some(Subgroup), Some(ConvBackwardWeight), workgroup 8 or 16 32, Grid::RowGroups { rows: 16, cols: 4 },
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dBackwardWeightRowsSubgroup: "conv2d_backward_weight_rows_subgroup" after "conv_backward_weight", Some(Subgroup), None, workgroup 8 or 16 32, Grid::RowGroups { rows: 16, cols: 9 },
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dReduceWeight: "conv2d_reduce_weight", None, None, workgroup 64, Grid::Items,
        Reduce, [partial, dweight, dbias];
    Conv2dReduceWeights: "conv2d_reduce_weights" after "conv_reduce_weights", None, None, workgroup 64, Grid::Items,
        ReduceWeights, [partial, grads];
    Conv2dReduceWeightsVec4: "conv2d_reduce_weights_vec4" after "conv_reduce_weights", None, None, workgroup 64, Grid::Items,
        ReduceWeights, [partial, grads];
    MaxPool2dForward: "maxpool2d_forward", None, None, workgroup 64, Grid::Items,
        Pool2dForward, [x, y, argmax];
    MaxPool2dBackward: "maxpool2d_backward", None, None, workgroup 64, Grid::Items,
        Pool2dBackward, [dy, argmax, x, dx];
    MaxPool2dBackwardScatter: "maxpool2d_backward_scatter" after "maxpool2d_backward_params" "maxpool2d_scatter", None, None, workgroup 64, Grid::Items,
        Pool2dBackward, [dy, argmax, y, dx];
    MaxPool2dBackwardPairs: "maxpool2d_backward_pairs" after "maxpool2d_backward_params" "maxpool2d_scatter", None, None, workgroup 64, Grid::Items,
        Pool2dBackward, [dy, argmax, y, dx];
    MaxPool2dBackwardQuads: "maxpool2d_backward_quads" after "maxpool2d_backward_params" "maxpool2d_quads", None, None, workgroup 64, Grid::Items,
        Pool2dBackward, [dy, argmax, y, dx];
    MaxPool2dBackwardWinners: "maxpool2d_backward_winners" after "maxpool2d_backward_params" "maxpool2d_quads", None, None, workgroup 64, Grid::Items,
        Pool2dBackward, [dy, argmax, y, dx];
    ZeroVec4: "zero_vec4", None, None, workgroup 64, Grid::Items,
        Elementwise, [x];
    BytesToUnitVec4: "bytes_to_unit_vec4", None, None, workgroup 64, Grid::Items,
        Elementwise, [bytes, unit, x];
    BytesToUnit: "bytes_to_unit", None, None, workgroup 64, Grid::Items,
        Elementwise, [bytes, unit, x];
    ReluForward: "relu_forward", None, None, workgroup 64, Grid::Items,
        Elementwise, [x, y];
    ReluBackward: "relu_backward", None, None, workgroup 64, Grid::Items,
        Elementwise, [y, dy, dx];
    LinearForward: "linear_forward" block 8 x 8 after "linear_forward", Some(Blocked), Some(LinearForward), workgroup 64 or 32 128, BLOCK,
        LinearForward, [x, weight, bias, y];
    LinearForward8x4: "linear_forward" shape 8 x 4 after "linear_forward", Some(Blocked), Some(LinearForward), workgroup 64 or 32 128,
        Grid::Blocks { rows: 8, cols: 4 }, LinearForward, [x, weight, bias, y];
    LinearForward4x8: "linear_forward" shape 4 x 8 after "linear_forward", Some(Blocked), Some(LinearForward), workgroup 64 or 32 128,
        Grid::Blocks { rows: 4, cols: 8 }, LinearForward, [x, weight, bias, y];
    LinearForward4x4: "linear_forward" shape 4 x 4 after "linear_forward", Some(Blocked), Some(LinearForward), workgroup 64 or 32 128,
        Grid::Blocks { rows: 4, cols: 4 }, LinearForward, [x, weight, bias, y];
    LinearForwardTiled: "linear_forward_tiled" after "linear_forward" "tile_product", Some(Tiled), Some(LinearForward), workgroup 256, TILE,
        LinearForward, [x, weight, bias, y];
    LinearForwardSubgroup: "linear_forward_subgroup" block 16 x 4 after "linear_forward", Some(Subgroup), Some(LinearForward), workgroup 64 or 32 128,
        SHARED_ROWS, LinearForward, [x, weight, bias, y];
    LinearForwardSubgroup32x4: "linear_forward_subgroup" shape 32 x 4 after "linear_forward", Some(Subgroup), Some(LinearForward), workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearForward, [x, weight, bias, y];
    LinearReduce: "linear_reduce", None, None, workgroup 64, Grid::Items,
        LinearReduce, [partial, bias, y];
    LinearReduceVec4: "linear_reduce_vec4", None, None, workgroup 64, Grid::Items,
        LinearReduce, [partial, bias, y];
    LinearBackwardInput: "linear_backward_input" block 8 x 8 after "linear_backward", Some(Blocked), Some(LinearBackwardInput), workgroup 64 or 32 128, BLOCK,
        LinearBackward, [dy, weight, dx];
    LinearBackwardInput8x4: "linear_backward_input" shape 8 x 4 after "linear_backward", Some(Blocked), Some(LinearBackwardInput), workgroup 64 or 32 128,
        Grid::Blocks { rows: 8, cols: 4 }, LinearBackward, [dy, weight, dx];
    LinearBackwardInput4x8: "linear_backward_input" shape 4 x 8 after "linear_backward", Some(Blocked), Some(LinearBackwardInput), workgroup 64 or 32 128,
        Grid::Blocks { rows: 4, cols: 8 }, LinearBackward, [dy, weight, dx];
    LinearBackwardInput4x4: "linear_backward_input" shape 4 x 4 after "linear_backward", Some(Blocked), Some(LinearBackwardInput), workgroup 64 or 32 128,
        Grid::Blocks { rows: 4, cols: 4 }, LinearBackward, [dy, weight, dx];
    LinearBackwardInputTiled: "linear_backward_input_tiled" after "linear_backward" "tile_product", Some(Tiled), Some(LinearBackwardInput), workgroup 256, TILE,
        LinearBackward, [dy, weight, dx];
    LinearBackwardInputSubgroup: "linear_backward_input_subgroup" block 16 x 4 after "linear_backward" "channel_block", Some(Subgroup), Some(LinearBackwardInput), workgroup 64 or 32 128,
        SHARED_ROWS, LinearBackward, [dy, weight, dx];
    LinearBackwardInputSubgroup32x4: "linear_backward_input_subgroup" shape 32 x 4 after "linear_backward" "channel_block", Some(Subgroup), Some(LinearBackwardInput), workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearBackward, [dy, weight, dx];
    LinearBackwardWeight: "linear_backward_weight" after "linear_backward", Some(Blocked), Some(LinearBackwardWeight), workgroup 64 or 32 128, BLOCK,
        LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightTiled: "linear_backward_weight_tiled" after "linear_backward" "tile_product", Some(Tiled), Some(LinearBackwardWeight), workgroup 256, TILE,
        LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightSubgroup: "linear_backward_weight_subgroup" block 16 x 4 after "linear_backward", Some(Subgroup), Some(LinearBackwardWeight), workgroup 64 or 32 128,
        SHARED_ROWS, LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightSubgroup32x4: "linear_backward_weight_subgroup" shape 32 x 4 after "linear_backward", Some(Subgroup), Some(LinearBackwardWeight), workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardInputNarrow: "linear_backward_input_narrow", None, None, workgroup 64, Grid::Items,
        LinearBackwardNarrow, [dy, weight, x, dx];
    SoftmaxCrossEntropy: "softmax_cross_entropy", None, None, workgroup 64, Grid::Items,
        CrossEntropy, [logits, labels, dlogits, stats];
    Adam: "adam", None, None, workgroup 64, Grid::Items,
        Adam, [param, grad, m, v, average];
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
