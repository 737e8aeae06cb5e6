//! Elementwise launchers: ReLU (standalone; conv2d and linear can also fuse ReLU into their
//! forward) and the conversion of a batch's bytes to floats.

use crate::{Bound, Gpu, GpuError, Kernel, Kernels, Op, Result, Tensor, Work, params};

fn same_len(op: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.len() != b.len() {
        return Err(GpuError::shape(
            op,
            format!("{} {:?} and {} {:?} differ in size", a.label, a.shape, b.label, b.shape),
        ));
    }
    Ok(())
}

impl Kernels {
    /// y = max(x, 0).
    pub fn relu_forward(&self, gpu: &Gpu, x: &Tensor, y: &Tensor) -> Result<Op> {
        same_len("relu_forward", x, y)?;
        let p = params::Elementwise { len: x.len() as u32, _pad: [0; 3] };
        let d = self.dispatch(gpu, Kernel::ReluForward, &p, &[("x", x), ("y", y)], Work::items(x.len()))?;
        Ok(Op::new("relu_forward", vec![d]))
    }

    /// dx = dy where y > 0, else 0 (y is the ReLU's output).
    pub fn relu_backward(&self, gpu: &Gpu, y: &Tensor, dy: &Tensor, dx: &Tensor) -> Result<Op> {
        same_len("relu_backward", y, dy)?;
        same_len("relu_backward", y, dx)?;
        let p = params::Elementwise { len: y.len() as u32, _pad: [0; 3] };
        let d =
            self.dispatch(gpu, Kernel::ReluBackward, &p, &[("y", y), ("dy", dy), ("dx", dx)], Work::items(y.len()))?;
        Ok(Op::new("relu_backward", vec![d]))
    }

    /// x = bytes / 255, one float per byte: `bytes` holds `x.len()` bytes packed four to a u32
    /// (a [`tensor::DType::U32`] tensor of `ceil(len / 4)` values), `unit` the 256 values
    /// `b as f32 / 255.0` (see [`unit_table`]).
    pub fn bytes_to_unit(&self, gpu: &Gpu, bytes: &Tensor, unit: &Tensor, x: &Tensor) -> Result<Op> {
        if bytes.len() != x.len().div_ceil(4) || unit.len() != 256 {
            return Err(GpuError::shape(
                "bytes_to_unit",
                format!(
                    "{} bytes in {} words and a table of {} for {} values",
                    x.len(),
                    bytes.len(),
                    unit.len(),
                    x.len()
                ),
            ));
        }
        let p = params::Elementwise { len: x.len() as u32, _pad: [0; 3] };
        let work = Work { invocations: bytes.len() as u64, serial: 4, outputs: x.len() as u64, flops: 0 };
        // The table from a texel mirror where this device's Adam reads its mirrors (the tuner's
        // measured choice, crate::ADAM_KEY): both passes trade a storage load per lane for a
        // gather, which pays where a storage load is a loop over the SIMD lanes (on one EPYC,
        // with AVX2 at batch 32, 3.1 ms against 5.1) and not where the loop is cheap (natively
        // there, 3.4-5.2 against 2.1-2.9).
        let texels = self.pick_by_key(crate::ADAM_KEY).texels;
        if !x.len().is_multiple_of(4) || !texels {
            let kernel = if x.len().is_multiple_of(4) { Kernel::BytesToUnitVec4 } else { Kernel::BytesToUnit };
            let d = self.dispatch(gpu, kernel, &p, &[("bytes", bytes), ("unit", unit), ("x", x)], work)?;
            return Ok(Op::new("bytes_to_unit", vec![d]));
        }
        // Whole words store their four floats as one vec4 (and look their bytes up in a texel
        // mirror of the table, a 1 KiB copy, where gathers pay).
        let table = tensor::Texels::new(gpu, "unit table texels", unit.len())?;
        let bound = vec![Bound::tensor("bytes", bytes), Bound::texels("unit", &table), Bound::tensor("x", x)];
        let mut d = self.dispatch_bound(gpu, Kernel::BytesToUnitTexels, &p, bound, work)?;
        d.keep(&table.texture);
        d.copy_first(table.copy_from(unit)?);
        Ok(Op::new("bytes_to_unit", vec![d]))
    }
}

/// The 256 values `b / 255` as the host computes them: what [`Kernels::bytes_to_unit`] looks up.
pub fn unit_table() -> Vec<f32> {
    (0..=255u8).map(|b| b as f32 / 255.0).collect()
}
