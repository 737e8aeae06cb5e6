//! A plan: the activations, gradients and bound operations of the network for one batch size.
//! Built once per batch size (the last, smaller batch of an epoch gets its own) and reused.
//!
//! The heads run as one layer (`heads_joint`, `[Σ classes, hidden]`): one forward, one loss pass
//! for every head, one weight gradient and one input gradient (with the shared layer's ReLU
//! backward fused in), whatever the number of heads.

use kernels::{HeadLoss, Kernels, LinearShape, Op, Tensor, WeightSegment};
use tensor::{DType, Gpu};

use crate::parameters::Parameters;
use crate::{ModelSpec, Result};

/// Steps whose losses stay on the GPU, each in its own slot, before they are read back at once.
pub const STATS_WINDOW: usize = 16;

pub(crate) struct Plan {
    /// `[batch, 3, S, S]` images in [0, 1].
    pub input: Tensor,
    /// The same images as bytes (four to a u32) and the pass that makes them `input`, where the
    /// whole input fits one storage binding: a batch crosses to the device at a quarter of the
    /// size and the CPU does not convert it.
    pub from_bytes: Option<(Tensor, Op)>,
    /// `[heads, batch]` class indices, head by head.
    pub labels: Tensor,
    /// `[batch, Σ classes]`: every head's logits side by side, in head order.
    pub logits: Tensor,
    pub forward: Vec<Op>,
    /// Whether the forward's fused pools write where each maximum came from (as they are
    /// built: a training step's backward needs it; inference turns it off, see
    /// [`crate::Model::logits`]).
    pub argmax_kept: bool,
    /// `losses[slot]`: every head's loss, writing into stats window slot `slot`.
    pub losses: Vec<Op>,
    pub backward: Vec<Op>,
    // Activations and their gradients, held for the ops that bind them.
    _buffers: Vec<Tensor>,
}

/// The trunk's activations, kept for the backward pass.
struct Trunk {
    /// Per stage, the conv's ReLU output `[batch, C, H, W]` (the pool's input), where the conv
    /// and the pool run as two passes (a fused pass never stores it).
    acts: Vec<Option<Tensor>>,
    /// Per stage, the pooled output and where each maximum came from.
    pooled: Vec<Tensor>,
    argmax: Vec<Tensor>,
}

/// The heads' part of the plan.
struct Heads {
    labels: Tensor,
    logits: Tensor,
    losses: Vec<Op>,
    /// The gradient of the shared layer's pre-activation, through the heads and its ReLU.
    dhidden_pre: Tensor,
}

/// What building a plan shares between its parts: where it records and what it holds.
struct Builder<'a> {
    gpu: &'a Gpu,
    k: &'a Kernels,
    spec: &'a ModelSpec,
    params: &'a Parameters,
    batch: usize,
    /// The trunk's kernels take the batch in these (first image, images) chunks: one, unless
    /// its largest activation is too big for one storage binding ([`ModelSpec::trunk_chunk`]).
    chunks: Vec<(usize, usize)>,
    forward: Vec<Op>,
    backward: Vec<Op>,
    buffers: Vec<Tensor>,
}

impl Plan {
    #[allow(clippy::too_many_arguments)] // the step's buffers, each named
    pub fn new(
        gpu: &Gpu,
        k: &Kernels,
        spec: &ModelSpec,
        params: &Parameters,
        loss_weights: &[f32],
        stats: &Tensor,
        unit: &Tensor,
        batch: usize,
        binding_limit: Option<u64>,
    ) -> Result<Plan> {
        let mut limits = gpu.limits();
        if let Some(limit) = binding_limit {
            limits.max_storage_buffer_binding_size = limits.max_storage_buffer_binding_size.min(limit);
        }
        let chunk = spec.trunk_chunk(&limits, batch);
        let chunks = (0..batch).step_by(chunk).map(|first| (first, chunk.min(batch - first))).collect();
        let mut b = Builder { gpu, k, spec, params, batch, chunks, forward: vec![], backward: vec![], buffers: vec![] };
        let input = b.trunk_tensor("input images", &[batch, 3, spec.image_size, spec.image_size], DType::F32)?;
        let from_bytes = b.bytes_input(&input, unit)?;
        let trunk = b.trunk_forward(&input)?;
        let hidden = b.shared_forward(&trunk)?;
        let heads = b.heads(&hidden, loss_weights, stats)?;
        let dpooled = b.shared_backward(&trunk, &heads.dhidden_pre)?;
        b.trunk_backward(&input, &trunk, dpooled)?;
        b.buffers.extend(trunk.acts.into_iter().flatten().chain(trunk.pooled).chain(trunk.argmax));
        b.buffers.extend([hidden, heads.dhidden_pre]);
        let Builder { forward, backward, buffers, .. } = b;
        let (labels, logits, losses) = (heads.labels, heads.logits, heads.losses);
        let argmax_kept = true;
        Ok(Plan { input, from_bytes, labels, logits, forward, argmax_kept, losses, backward, _buffers: buffers })
    }

    /// Every operation of a training step but Adam, in recording order, its losses written to
    /// `slot` of the stats window: forward, the heads' losses, backward. The one place the
    /// step's order is written.
    pub fn step(&self, slot: usize) -> impl Iterator<Item = &Op> {
        self.forward.iter().chain([&self.losses[slot]]).chain(&self.backward)
    }

    /// [`Plan::step`] with slot 0: the passes as the tuner and profilers see them.
    pub fn ops(&self) -> impl Iterator<Item = &Op> {
        self.step(0)
    }

    /// Bytes of GPU memory this plan holds beyond the parameters.
    pub fn bytes(&self) -> u64 {
        let tensors = self._buffers.iter().chain([&self.logits, &self.labels, &self.input]);
        let scratch: u64 = self.forward.iter().chain(&self.backward).map(|o| o.scratch_bytes()).sum();
        tensors.map(|t| t.bytes()).sum::<u64>() + scratch
    }
}

impl Builder<'_> {
    fn tensor(&self, label: &str, shape: &[usize]) -> Result<Tensor> {
        Ok(Tensor::zeros(self.gpu, label, shape)?)
    }

    /// A whole-batch trunk tensor, which kernels bind a chunk of images at a time.
    fn trunk_tensor(&self, label: &str, shape: &[usize], dtype: DType) -> Result<Tensor> {
        Ok(Tensor::zeros_unbound(self.gpu, label, shape, dtype)?)
    }

    /// The bytes tensor of the input and its conversion pass, when the trunk takes the batch in
    /// one piece (then the input, smaller than conv1's output, fits one binding).
    fn bytes_input(&mut self, input: &Tensor, unit: &Tensor) -> Result<Option<(Tensor, Op)>> {
        if self.chunks.len() > 1 {
            return Ok(None);
        }
        let bytes = Tensor::zeros_u32(self.gpu, "input images as bytes", &[input.len().div_ceil(4)])?;
        let op = self.k.bytes_to_unit(self.gpu, &bytes, unit, input)?;
        Ok(Some((bytes, op)))
    }

    /// conv + fused ReLU, then pool (argmax kept for the backward), three times; each a chunk
    /// of images at a time.
    fn trunk_forward(&mut self, input: &Tensor) -> Result<Trunk> {
        let (k, gpu, batch) = (self.k, self.gpu, self.batch);
        let mut trunk = Trunk { acts: Vec::new(), pooled: Vec::new(), argmax: Vec::new() };
        for stage in 0..3 {
            let (c, p) = (self.spec.conv(stage, batch), self.spec.pool(stage, batch));
            // Whether conv and pool fuse is the chunk's kernel choice (the chunks' shapes are
            // the ones tuned); the conv's own output is kept only where a chunk does not fuse.
            let fuses = |n: usize| k.fuses_pool(&self.spec.conv(stage, n), &self.spec.pool(stage, n));
            let a = match self.chunks.iter().all(|&(_, n)| fuses(n)) {
                true => None,
                false => {
                    Some(self.trunk_tensor(&format!("conv{} relu output", stage + 1), &c.y_shape(), DType::F32)?)
                }
            };
            let y = self.trunk_tensor(&format!("pool{} output", stage + 1), &p.y_shape(), DType::F32)?;
            let arg = self.trunk_tensor(&format!("pool{} argmax", stage + 1), &p.y_shape(), DType::U32)?;
            let x = if stage == 0 { input } else { &trunk.pooled[stage - 1] };
            let (w, b) = (&self.params.convs[stage].weight.value, &self.params.convs[stage].bias.value);
            for &(first, n) in &self.chunks {
                let (c, p) = (self.spec.conv(stage, n), self.spec.pool(stage, n));
                let (xs, ys, args) = (x.rows(first, n)?, y.rows(first, n)?, arg.rows(first, n)?);
                match &a {
                    Some(a) if !k.fuses_pool(&c, &p) => {
                        let a_s = a.rows(first, n)?;
                        self.forward.push(k.conv2d_forward(gpu, &c, &xs, w, b, &a_s, true)?);
                        self.forward.push(k.maxpool2d_forward(gpu, &p, &a_s, &ys, &args)?);
                    }
                    _ => self.forward.push(k.conv2d_forward_relu_pool(gpu, &c, &p, &xs, w, b, &ys, &args)?),
                }
            }
            trunk.acts.push(a);
            trunk.pooled.push(y);
            trunk.argmax.push(arg);
        }
        Ok(trunk)
    }

    /// The shared layer with its ReLU: `[batch, hidden]`.
    fn shared_forward(&mut self, trunk: &Trunk) -> Result<Tensor> {
        let hidden = self.tensor("hidden (fc relu output)", &[self.batch, self.spec.hidden])?;
        let fc = &self.params.fc;
        let s = self.spec.fc(self.batch);
        let op =
            self.k.linear_forward(self.gpu, &s, &trunk.pooled[2], &fc.weight.value, &fc.bias.value, &hidden, true)?;
        self.forward.push(op);
        Ok(hidden)
    }

    /// Every head at once: logits, one loss pass per stats slot, and their gradients back to the
    /// shared layer's pre-activation.
    fn heads(&mut self, hidden: &Tensor, loss_weights: &[f32], stats: &Tensor) -> Result<Heads> {
        let (k, gpu, batch) = (self.k, self.gpu, self.batch);
        let joint_layer = &self.params.heads_joint;
        let joint = LinearShape { batch, inputs: self.spec.hidden, outputs: joint_layer.weight.shape[0] };
        let (w, b) = (&joint_layer.weight, &joint_layer.bias);
        let logits = self.tensor("logits (every head)", &[batch, joint.outputs])?;
        let dlogits = self.tensor("logits gradient (every head)", &[batch, joint.outputs])?;
        let labels = Tensor::zeros_u32(gpu, "labels (every head)", &[self.spec.heads.len(), batch])?;
        self.forward.push(k.linear_forward(gpu, &joint, hidden, &w.value, &b.value, &logits, false)?);
        let head_losses: Vec<HeadLoss> = (self.spec.heads.iter().zip(loss_weights))
            .map(|(h, &weight)| HeadLoss { classes: h.classes.len(), weight })
            .collect();
        let losses = (0..STATS_WINDOW)
            .map(|slot| {
                k.softmax_cross_entropy(gpu, batch, &head_losses, &logits, &labels, &dlogits, stats, slot, false)
            })
            .collect::<tensor::Result<Vec<_>>>()?;
        self.backward.push(k.linear_backward_weight(gpu, &joint, hidden, &dlogits, &w.grad, &b.grad, false)?);
        let dhidden_pre = self.tensor("hidden pre-activation gradient", &[batch, self.spec.hidden])?;
        let through_relu = Some(hidden);
        self.backward.push(k.linear_backward_input_narrow(
            gpu,
            &joint,
            &w.value,
            &dlogits,
            through_relu,
            &dhidden_pre,
            false,
        )?);
        self.buffers.push(dlogits);
        Ok(Heads { labels, logits, losses, dhidden_pre })
    }

    /// The shared layer's weight and input gradients; returns the gradient of pool3's output.
    fn shared_backward(&mut self, trunk: &Trunk, dhidden_pre: &Tensor) -> Result<Tensor> {
        let (k, gpu) = (self.k, self.gpu);
        let (fc, s) = (&self.params.fc, self.spec.fc(self.batch));
        let features = &trunk.pooled[2];
        self.backward.push(k.linear_backward_weight(
            gpu,
            &s,
            features,
            dhidden_pre,
            &fc.weight.grad,
            &fc.bias.grad,
            false,
        )?);
        let dpooled = self.tensor("pool3 output gradient", &self.spec.pool(2, self.batch).y_shape())?;
        self.backward.push(k.linear_backward_input(gpu, &s, &fc.weight.value, dhidden_pre, &dpooled, false)?);
        Ok(dpooled)
    }

    /// The trunk from the top: per stage, pool backward with ReLU's fused, the conv's weight
    /// gradient as split-K partial sums and (but for conv1: the images need none) its input
    /// gradient; then one pass that finishes the three weight gradients.
    fn trunk_backward(&mut self, input: &Tensor, trunk: &Trunk, mut dpooled: Tensor) -> Result<()> {
        let (k, gpu, batch) = (self.k, self.gpu, self.batch);
        // partials[chunk][stage]: each chunk's split-K partial sums of each weight gradient.
        let (all_partials, partials) = self.weight_partials()?;
        for stage in (0..3).rev() {
            let c = self.spec.conv(stage, batch);
            let dact_label = format!("conv{} pre-activation gradient", stage + 1);
            let dact = self.trunk_tensor(&dact_label, &c.y_shape(), DType::F32)?;
            let dx = match stage {
                0 => None, // the images need no gradient: conv1's input gradient is never computed
                _ => Some(self.trunk_tensor(&format!("pool{} output gradient", stage), &c.x_shape(), DType::F32)?),
            };
            let (argmax, act, pooled) = (&trunk.argmax[stage], &trunk.acts[stage], &trunk.pooled[stage]);
            let x = if stage == 0 { input } else { &trunk.pooled[stage - 1] };
            let weight = &self.params.convs[stage].weight.value;
            for (i, &(first, n)) in self.chunks.iter().enumerate() {
                let (c, p) = (self.spec.conv(stage, n), self.spec.pool(stage, n));
                let (dys, dacts, args) = (dpooled.rows(first, n)?, dact.rows(first, n)?, argmax.rows(first, n)?);
                // Pool backward with ReLU's backward fused; windows that do not overlap (the
                // network's) scatter from each output, the mask read from the pooled value.
                self.backward.push(match act {
                    Some(act) if p.stride < p.window => {
                        k.maxpool2d_backward(gpu, &p, &dys, &args, Some(&act.rows(first, n)?), &dacts)?
                    }
                    _ => k.maxpool2d_backward_scatter(gpu, &p, &dys, &args, Some(&pooled.rows(first, n)?), &dacts)?,
                });
                let xs = x.rows(first, n)?;
                self.backward.push(k.conv2d_backward_weight_partials(gpu, &c, &xs, &dacts, &partials[i][stage])?);
                if let Some(dx) = &dx {
                    self.backward.push(k.conv2d_backward_input(gpu, &c, weight, &dacts, &dx.rows(first, n)?, false)?);
                }
            }
            self.buffers.push(std::mem::replace(&mut dpooled, dact));
            if let Some(dx) = dx {
                self.buffers.push(std::mem::replace(&mut dpooled, dx));
            }
        }
        // One pass finishes the three weight gradients; a chunked batch adds each further
        // chunk's partial sums in a pass of its own (in order: deterministic).
        for (i, &(_, n)) in self.chunks.iter().enumerate() {
            let segments: Vec<WeightSegment> = (0..3)
                .map(|stage| WeightSegment {
                    shape: self.spec.conv(stage, n),
                    partial: &partials[i][stage],
                    dweight: &self.params.convs[stage].weight.grad,
                    dbias: &self.params.convs[stage].bias.grad,
                    accumulate: i > 0,
                })
                .collect();
            self.backward.push(k.conv2d_reduce_weights(gpu, &all_partials, &self.params.flat.grad, &segments)?);
        }
        self.buffers.extend([dpooled, all_partials]);
        Ok(())
    }

    /// One scratch buffer for the convolutions' split-K partial sums: the whole, and per chunk
    /// of images each convolution's view at an aligned offset.
    fn weight_partials(&self) -> Result<(Tensor, Vec<Vec<Tensor>>)> {
        let shapes: Vec<[usize; 3]> = (self.chunks.iter())
            .flat_map(|&(_, n)| (0..3).map(move |stage| self.k.conv2d_partials_shape(&self.spec.conv(stage, n))))
            .collect();
        let align = (self.gpu.limits().min_storage_buffer_offset_alignment as u64).max(16);
        let mut offsets = Vec::new();
        let mut bytes = 0u64;
        for shape in &shapes {
            offsets.push(bytes);
            bytes = (bytes + 16 + 4 * shape.iter().product::<usize>() as u64).next_multiple_of(align);
        }
        let label = "conv weight-gradient partial sums";
        let scratch = Tensor::storage(self.gpu, label, bytes)?;
        let all = Tensor::view(&scratch, label, 0, &[(bytes / 4) as usize])?;
        let each = (0..shapes.len())
            .map(|i| Tensor::view(&scratch, &format!("conv{} {label}", i % 3 + 1), offsets[i], &shapes[i]))
            .collect::<tensor::Result<Vec<_>>>()?;
        let mut each = each.into_iter();
        let per_chunk = self.chunks.iter().map(|_| each.by_ref().take(3).collect()).collect();
        Ok((all, per_chunk))
    }
}
