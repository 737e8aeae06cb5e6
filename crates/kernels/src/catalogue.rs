//! The kernel table: one entry per WGSL kernel (and per alternative shape of one), from which
//! the [`Kernel`] enum, [`Kernel::ALL`] and each kernel's [`KernelDesc`] are generated. The
//! types the entries use and what is derived from them live in `kernel.rs`.

use crate::kernel::{Grid, KernelDesc, Pass, Variant};
use crate::params::{self, ParamsLayout};

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
    Conv2dForwardPoolSubgroup: "conv2d_forward_pool_subgroup" block 2 x 16 after "conv_forward" "channel_block" "conv_forward_pool", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 2, cols: 16 }, Conv2dForward, [x, weight, bias, y, argmax];
    Conv2dForwardPoolSubgroup1x16: "conv2d_forward_pool_subgroup" shape 1 x 16 after "conv_forward" "channel_block" "conv_forward_pool", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 1, cols: 16 }, Conv2dForward, [x, weight, bias, y, argmax];
    // The same, gathering x from its texel mirror (a pick's `texels`: the tuner measures both).
    Conv2dForwardPoolTexels: "conv2d_forward_pool_texels" block 2 x 16 after "texels_vec4" "conv_forward" "channel_block" "conv_forward_pool", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 2, cols: 16 }, Conv2dForward, [x, weight, bias, y, argmax];
    Conv2dForwardPoolTexels1x16: "conv2d_forward_pool_texels" shape 1 x 16 after "texels_vec4" "conv_forward" "channel_block" "conv_forward_pool", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 1, cols: 16 }, Conv2dForward, [x, weight, bias, y, argmax];
    Conv2dBackwardInput: "conv2d_backward_input" after "conv_backward_input" "conv_dy_weight_storage", Some(Blocked), Some(ConvBackwardInput), workgroup 64 or 32 128, BLOCK,
        Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputTiled: "conv2d_backward_input_tiled" after "conv_backward_input" "conv_dy_weight_storage" "tile_product", Some(Tiled), Some(ConvBackwardInput), workgroup 256, TILE,
        Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputSubgroup: "conv2d_backward_input_subgroup" after "conv_backward_input" "conv_dy_weight_storage", Some(Subgroup), Some(ConvBackwardInput), workgroup 64 or 32 128, SHARED,
        Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputRowsSubgroup: "conv2d_backward_input_rows_subgroup" block 8 x 16 after "conv_backward_input" "channel_block" "conv_dy_weight_storage" "conv_backward_input_rows", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 8, cols: 16 }, Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputRowsSubgroup4x16: "conv2d_backward_input_rows_subgroup" shape 4 x 16 after "conv_backward_input" "channel_block" "conv_dy_weight_storage" "conv_backward_input_rows", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 4, cols: 16 }, Conv2dBackwardInput, [dy, weight, dx];
    // The same, gathering dy from its texel mirror (a pick's `texels`).
    Conv2dBackwardInputRowsTexels: "conv2d_backward_input_rows_texels" block 8 x 16 after "texels_vec4" "conv_backward_input" "channel_block" "conv_dy_weight_texels" "conv_backward_input_rows", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 8, cols: 16 }, Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardInputRowsTexels4x16: "conv2d_backward_input_rows_texels" shape 4 x 16 after "texels_vec4" "conv_backward_input" "channel_block" "conv_dy_weight_texels" "conv_backward_input_rows", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::ColumnGroups { rows: 4, cols: 16 }, Conv2dBackwardInput, [dy, weight, dx];
    Conv2dBackwardWeight: "conv2d_backward_weight" after "conv_backward_weight" "conv_x_dy_storage", Some(Blocked), Some(ConvBackwardWeight), workgroup 64 or 32 128, BLOCK,
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dBackwardWeightTiled: "conv2d_backward_weight_tiled" after "conv_backward_weight" "conv_x_dy_storage" "tile_product", Some(Tiled), Some(ConvBackwardWeight), workgroup 256, TILE,
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dBackwardWeightSubgroup: "conv2d_backward_weight_subgroup" after "conv_backward_weight" "conv_x_dy_storage" "conv_backward_weight_subgroup", Some(Subgroup), Some(ConvBackwardWeight), workgroup 8 or 16 32, Grid::RowGroups { rows: 16, cols: 4 },
        Conv2dBackwardWeight, [x, dy, partial];
    // The same, gathering x from its texel mirror (a pick's `texels`).
    Conv2dBackwardWeightSubgroupTexels: "conv2d_backward_weight_subgroup_texels" after "texels4" "conv_backward_weight" "conv_x_dy_texels" "conv_backward_weight_subgroup", Some(Subgroup), None, workgroup 8 or 16 32, Grid::RowGroups { rows: 16, cols: 4 },
        Conv2dBackwardWeight, [x, dy, partial];
    Conv2dBackwardWeightRowsSubgroup: "conv2d_backward_weight_rows_subgroup" after "conv_backward_weight" "conv_x_dy_storage" "conv_backward_weight_rows", Some(Subgroup), None, workgroup 8 or 16 32, Grid::RowGroups { rows: 16, cols: 9 },
        Conv2dBackwardWeight, [x, dy, partial];
    // The same, gathering x from its texel mirror (a pick's `texels`).
    Conv2dBackwardWeightRowsTexels: "conv2d_backward_weight_rows_texels" after "texels4" "conv_backward_weight" "conv_x_dy_texels" "conv_backward_weight_rows", Some(Subgroup), None, workgroup 8 or 16 32, Grid::RowGroups { rows: 16, cols: 9 },
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
    BytesToUnitVec4: "bytes_to_unit_vec4" after "bytes_to_unit_words", None, None, workgroup 64, Grid::Items,
        Elementwise, [bytes, unit, x];
    // The same, the table gathered from a texel mirror (where Adam's texel reader won).
    BytesToUnitTexels: "bytes_to_unit_texels" after "bytes_to_unit_words", None, None, workgroup 64, Grid::Items,
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
    LinearForwardSubgroup: "linear_forward_subgroup" block 16 x 4 after "linear_forward" "linear_forward_subgroup", Some(Subgroup), Some(LinearForward), workgroup 64 or 32 128,
        SHARED_ROWS, LinearForward, [x, weight, bias, y];
    LinearForwardSubgroup32x4: "linear_forward_subgroup" shape 32 x 4 after "linear_forward" "linear_forward_subgroup", Some(Subgroup), Some(LinearForward), workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearForward, [x, weight, bias, y];
    // The same, gathering x from its texel mirror (a pick's `texels`).
    LinearForwardTexels: "linear_forward_subgroup_texels" block 16 x 4 after "linear_forward" "linear_forward_subgroup" "texels_vec4", Some(Subgroup), None, workgroup 64 or 32 128,
        SHARED_ROWS, LinearForward, [x, weight, bias, y];
    LinearForwardTexels32x4: "linear_forward_subgroup_texels" shape 32 x 4 after "linear_forward" "linear_forward_subgroup" "texels_vec4", Some(Subgroup), None, workgroup 64 or 32 128,
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
    LinearBackwardInputSubgroup: "linear_backward_input_subgroup" block 16 x 4 after "linear_backward" "channel_block" "linear_backward_input_subgroup", Some(Subgroup), Some(LinearBackwardInput), workgroup 64 or 32 128,
        SHARED_ROWS, LinearBackward, [dy, weight, dx];
    LinearBackwardInputSubgroup32x4: "linear_backward_input_subgroup" shape 32 x 4 after "linear_backward" "channel_block" "linear_backward_input_subgroup", Some(Subgroup), Some(LinearBackwardInput), workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearBackward, [dy, weight, dx];
    // The same, gathering dy and the weights from their texel mirrors (a pick's `texels`).
    LinearBackwardInputTexels: "linear_backward_input_subgroup_texels" block 16 x 4 after "linear_backward" "channel_block" "linear_backward_input_subgroup" "texels_vec4", Some(Subgroup), None, workgroup 64 or 32 128,
        SHARED_ROWS, LinearBackward, [dy, weight, dx];
    LinearBackwardInputTexels32x4: "linear_backward_input_subgroup_texels" shape 32 x 4 after "linear_backward" "channel_block" "linear_backward_input_subgroup" "texels_vec4", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearBackward, [dy, weight, dx];
    LinearBackwardWeight: "linear_backward_weight" after "linear_backward", Some(Blocked), Some(LinearBackwardWeight), workgroup 64 or 32 128, BLOCK,
        LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightTiled: "linear_backward_weight_tiled" after "linear_backward" "tile_product", Some(Tiled), Some(LinearBackwardWeight), workgroup 256, TILE,
        LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightSubgroup: "linear_backward_weight_subgroup" block 16 x 4 after "linear_backward" "linear_backward_weight_subgroup", Some(Subgroup), Some(LinearBackwardWeight), workgroup 64 or 32 128,
        SHARED_ROWS, LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightSubgroup32x4: "linear_backward_weight_subgroup" shape 32 x 4 after "linear_backward" "linear_backward_weight_subgroup", Some(Subgroup), Some(LinearBackwardWeight), workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearBackward, [x, dy, dweight, dbias];
    // The same, gathering x from its texel mirror (a pick's `texels`).
    LinearBackwardWeightTexels: "linear_backward_weight_subgroup_texels" block 16 x 4 after "linear_backward" "linear_backward_weight_subgroup" "texels_vec4", Some(Subgroup), None, workgroup 64 or 32 128,
        SHARED_ROWS, LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardWeightTexels32x4: "linear_backward_weight_subgroup_texels" shape 32 x 4 after "linear_backward" "linear_backward_weight_subgroup" "texels_vec4", Some(Subgroup), None, workgroup 64 or 32 128,
        Grid::RowGroups { rows: 32, cols: 4 }, LinearBackward, [x, dy, dweight, dbias];
    LinearBackwardInputNarrow: "linear_backward_input_narrow", None, None, workgroup 64, Grid::Items,
        LinearBackwardNarrow, [dy, weight, x, dx];
    SoftmaxCrossEntropy: "softmax_cross_entropy", None, None, workgroup 64, Grid::Items,
        CrossEntropy, [logits, labels, dlogits, stats];
    Adam: "adam" after "adam_step", None, None, workgroup 64, Grid::Items,
        Adam, [param, m, v, average, grad];
    // The same, reading from texel mirrors (the tuner's choice, key kernels::ADAM_KEY).
    AdamTexels: "adam_texels" after "texels_vec4" "adam_step", None, None, workgroup 64, Grid::Items,
        Adam, [param, m, v, average, param_texels, grad_texels, m_texels, v_texels, average_texels];
}
