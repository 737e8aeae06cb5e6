// The inner loop every tiled kernel (the `_tiled` variant of each GEMM-shaped pass) shares,
// joined after the pass's own shared part by the catalogue. A workgroup of 256 computes a
// 64 × 64 tile of the result, each invocation a 4 × 4 block (rows ty + 16·i, columns tx + 16·j,
// tx = lid % 16, ty = lid / 16); the reduction is walked 16 at a time, the kernel staging a
// 16-deep slice of both operands in workgroup memory before each call.

var<workgroup> a_tile: array<f32, 1024>; // [16 k][64 rows]
var<workgroup> b_tile: array<f32, 1024>; // [16 k][64 columns]

// Adds the staged slices' products to the invocation's 4 × 4 block `acc` (row-major).
fn multiply_tiles(acc: ptr<function, array<f32, 16>>, tx: u32, ty: u32) {
    for (var kk = 0u; kk < 16u; kk++) {
        for (var i = 0u; i < 4u; i++) {
            let a = a_tile[kk * 64u + ty + 16u * i];
            for (var j = 0u; j < 4u; j++) {
                (*acc)[i * 4u + j] += a * b_tile[kk * 64u + tx + 16u * j];
            }
        }
    }
}
