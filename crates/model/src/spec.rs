//! The network's shape: image size, hidden width and heads, and every shape they imply.

use kernels::{Conv2dShape, LinearShape, Pool2dShape};

use crate::{ModelError, Result};

/// Channels through the trunk: RGB in, then the three convolutions' outputs.
pub const CHANNELS: [usize; 4] = [3, 16, 32, 64];
/// Every convolution is 3×3, stride 1, no padding; every pool is 2×2, stride 2.
const KERNEL: usize = 3;
const POOL: usize = 2;

/// One classification head: its task name (a state-dict key) and its class names in label order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadSpec {
    pub name: String,
    pub classes: Vec<String>,
}

/// The network's hyper-shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSpec {
    /// Height and width of the (square, RGB) input images.
    pub image_size: usize,
    /// Width of the shared layer before the heads.
    pub hidden: usize,
    pub heads: Vec<HeadSpec>,
}

impl ModelSpec {
    /// The tutorial's network on 96×96 images with a 1024-wide shared layer.
    pub fn tutorial(heads: Vec<HeadSpec>) -> Self {
        ModelSpec { image_size: 96, hidden: 1024, heads }
    }

    pub fn validate(&self) -> Result<()> {
        if self.heads.is_empty() || self.heads.len() > kernels::params::MAX_HEADS {
            return Err(ModelError::Spec(format!(
                "a model needs 1 to {} heads, not {}",
                kernels::params::MAX_HEADS,
                self.heads.len()
            )));
        }
        for h in &self.heads {
            if h.classes.is_empty() {
                return Err(ModelError::Spec(format!("head {:?} has no classes", h.name)));
            }
            if h.name.is_empty() || h.name.contains('.') {
                return Err(ModelError::Spec(format!("head name {:?} must be non-empty and without '.'", h.name)));
            }
        }
        if self.hidden == 0 {
            return Err(ModelError::Spec("the hidden layer needs at least one unit".into()));
        }
        if self.feature_side() == 0 {
            return Err(ModelError::Spec(format!(
                "images of {0}×{0} are too small for three conv+pool stages (at least 22×22)",
                self.image_size
            )));
        }
        Ok(())
    }

    /// Side of the feature map entering each stage's convolution: S, then after each pool.
    fn stage_sides(&self) -> [usize; 4] {
        let mut sides = [self.image_size; 4];
        for i in 1..4 {
            let conv = sides[i - 1].saturating_sub(KERNEL - 1);
            sides[i] = if conv >= POOL { (conv - POOL) / POOL + 1 } else { 0 };
        }
        sides
    }

    /// Side of the last pooled feature map (10 for 96×96 images).
    pub fn feature_side(&self) -> usize {
        self.stage_sides()[3]
    }

    /// Length of the flattened features (6400 for 96×96 images).
    pub fn features(&self) -> usize {
        CHANNELS[3] * self.feature_side() * self.feature_side()
    }

    pub fn conv(&self, stage: usize, batch: usize) -> Conv2dShape {
        let side = self.stage_sides()[stage];
        Conv2dShape {
            batch,
            c_in: CHANNELS[stage],
            h: side,
            w: side,
            c_out: CHANNELS[stage + 1],
            kh: KERNEL,
            kw: KERNEL,
            stride: 1,
            pad: 0,
        }
    }

    pub fn pool(&self, stage: usize, batch: usize) -> Pool2dShape {
        let side = self.stage_sides()[stage] - (KERNEL - 1);
        Pool2dShape { batch, channels: CHANNELS[stage + 1], h: side, w: side, window: POOL, stride: POOL }
    }

    pub fn fc(&self, batch: usize) -> LinearShape {
        LinearShape { batch, inputs: self.features(), outputs: self.hidden }
    }

    pub fn head(&self, index: usize, batch: usize) -> LinearShape {
        LinearShape { batch, inputs: self.hidden, outputs: self.heads[index].classes.len() }
    }

    /// The activation with the most elements per image (conv1's output for the tutorial
    /// network), named with its shape at batch 1, and that count.
    pub fn largest_activation(&self) -> (String, usize) {
        let mut best = ("the input images".to_string(), self.image_len());
        for stage in 0..3 {
            let y = self.conv(stage, 1).y_shape();
            let n: usize = y.iter().product();
            if n > best.1 {
                best = (format!("conv{}'s output [batch, {}, {}, {}]", stage + 1, y[1], y[2], y[3]), n);
            }
        }
        best
    }

    /// The largest activation of a batch must fit in one buffer of a device with `limits`, and
    /// that of one image in one storage binding (the trunk binds a batch a chunk of images at a
    /// time, see [`Self::trunk_chunk`]); the error names the tensor, the limit and the largest
    /// batch that fits.
    pub fn check_batch_fits(&self, limits: &wgpu::Limits, batch: usize) -> Result<()> {
        let (name, per_image) = self.largest_activation();
        let per_image = per_image as u64 * 4;
        let checks = [
            (limits.max_storage_buffer_binding_size, "max_storage_buffer_binding_size", 1),
            (limits.max_buffer_size, "max_buffer_size", batch as u64),
        ];
        for (limit, limit_name, images) in checks {
            let needed = per_image * images;
            if needed > limit {
                let fits = (limit / per_image) as usize;
                return Err(ModelError::BatchTooLarge { batch, tensor: name, needed, limit, limit_name, fits });
            }
        }
        Ok(())
    }

    /// Bytes of one image's largest trunk activation.
    fn largest_bytes_per_image(&self) -> u64 {
        self.largest_activation().1 as u64 * 4
    }

    /// How many images the trunk's kernels take at a time: the whole batch when its largest
    /// activation fits one storage binding, otherwise the most that do, in a multiple of images
    /// that keeps every trunk tensor's chunks at aligned offsets (lavapipe binds at most 128 MiB:
    /// conv1's output for 237 images; a batch of 256 runs in chunks).
    pub fn trunk_chunk(&self, limits: &wgpu::Limits, batch: usize) -> usize {
        let fit = (limits.max_storage_buffer_binding_size / self.largest_bytes_per_image()).max(1) as usize;
        if batch <= fit {
            return batch;
        }
        let align = (limits.min_storage_buffer_offset_alignment as usize).max(16);
        // Per image, every trunk tensor's bytes (f32 or u32, 4 bytes a value): the images, and
        // per stage the conv's output and the pool's.
        let mut per_image = vec![4 * self.image_len()];
        for stage in 0..3 {
            per_image.push(4 * self.conv(stage, 1).y_shape().iter().product::<usize>());
            per_image.push(4 * self.pool(stage, 1).y_shape().iter().product::<usize>());
        }
        let step = per_image.iter().fold(1, |step, &b| lcm(step, align / gcd(align, b)));
        (fit / step * step).max(step).min(batch)
    }

    /// Elements of one input image.
    pub fn image_len(&self) -> usize {
        3 * self.image_size * self.image_size
    }

    /// Every parameter's state-dict name and shape, in the state dict's order.
    pub fn parameters(&self) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        for stage in 0..3 {
            let c = self.conv(stage, 1);
            out.push((format!("conv{}.weight", stage + 1), c.weight_shape().to_vec()));
            out.push((format!("conv{}.bias", stage + 1), vec![c.c_out]));
        }
        out.push(("fc.weight".into(), vec![self.hidden, self.features()]));
        out.push(("fc.bias".into(), vec![self.hidden]));
        for h in &self.heads {
            out.push((format!("heads.{}.weight", h.name), vec![h.classes.len(), self.hidden]));
            out.push((format!("heads.{}.bias", h.name), vec![h.classes.len()]));
        }
        out
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: usize, b: usize) -> usize {
    a / gcd(a, b) * b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tutorial() -> ModelSpec {
        let head = |n: &str, k: usize| HeadSpec { name: n.into(), classes: (0..k).map(|i| i.to_string()).collect() };
        ModelSpec::tutorial(vec![head("color", 3), head("item", 4)])
    }

    #[test]
    fn tutorial_shapes_match_seed_net() {
        let s = tutorial();
        assert_eq!(s.features(), 6400);
        assert_eq!(s.pool(0, 1).y_shape(), [1, 16, 47, 47]);
        assert_eq!(s.pool(1, 1).y_shape(), [1, 32, 22, 22]);
        let names: Vec<String> = s.parameters().iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(names[0], "conv1.weight");
        assert_eq!(s.parameters()[6].1, vec![1024, 6400]);
        assert_eq!(names.last().unwrap(), "heads.item.bias");
    }

    #[test]
    fn a_batch_too_big_for_one_binding_runs_in_aligned_chunks() {
        let s = tutorial();
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: 128 << 20,
            min_storage_buffer_offset_alignment: 256,
            ..wgpu::Limits::default()
        };
        assert_eq!(s.trunk_chunk(&limits, 32), 32);
        let chunk = s.trunk_chunk(&limits, 256);
        // conv1's output is 565 504 bytes an image: 237 fit; a multiple of 4 keeps 256-byte offsets.
        assert_eq!(chunk, 236);
        assert_eq!((565_504 * chunk) % 256, 0);
        assert_eq!((4 * 16 * 47 * 47 * chunk) % 256, 0);
    }

    #[test]
    fn too_small_images_are_refused() {
        let mut s = tutorial();
        s.image_size = 21;
        assert!(s.validate().is_err());
        s.image_size = 22;
        assert!(s.validate().is_ok());
    }
}
