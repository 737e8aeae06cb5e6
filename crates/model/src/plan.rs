//! A plan: the activations, gradients and bound operations of the network for one batch size.
//! Built once per batch size (the last, smaller batch of an epoch gets its own) and reused.
//!
//! The heads run as one layer (`heads_joint`, `[Σ classes, hidden]`): one forward, one loss pass
//! for every head, one weight gradient and one input gradient (with the shared layer's ReLU
//! backward fused in), whatever the number of heads.

use kernels::{HeadLoss, Kernels, LinearShape, Op, Tensor, WeightSegment};
use tensor::Gpu;

use crate::parameters::Parameters;
use crate::{ModelSpec, Result};

/// Steps whose losses stay on the GPU, each in its own slot, before they are read back at once.
pub const STATS_WINDOW: usize = 16;

pub(crate) struct Plan {
    /// `[batch, 3, S, S]` images in [0, 1].
    pub input: Tensor,
    /// `[heads, batch]` class indices, head by head.
    pub labels: Tensor,
    /// `[batch, Σ classes]`: every head's logits side by side, in head order.
    pub logits: Tensor,
    pub forward: Vec<Op>,
    /// `losses[slot]`: every head's loss, writing into stats window slot `slot`.
    pub losses: Vec<Op>,
    pub backward: Vec<Op>,
    // Activations and their gradients, held for the ops that bind them.
    _buffers: Vec<Tensor>,
}

/// The trunk's activations, kept for the backward pass.
struct Trunk {
    /// Per stage, the conv's ReLU output `[batch, C, H, W]` (the pool's input).
    acts: Vec<Tensor>,
    /// Per stage, the pooled output and where each maximum came from.
    pooled: Vec<Tensor>,
    argmax: Vec<Tensor>,
}

impl Plan {
    pub fn new(
        gpu: &Gpu,
        k: &Kernels,
        spec: &ModelSpec,
        params: &Parameters,
        loss_weights: &[f32],
        stats: &Tensor,
        batch: usize,
    ) -> Result<Plan> {
        let t = |label: &str, shape: &[usize]| Tensor::zeros(gpu, label, shape);
        let input = t("input images", &[batch, 3, spec.image_size, spec.image_size])?;
        let mut forward = Vec::new();
        let mut backward = Vec::new();
        let mut buffers = Vec::new();

        // Trunk forward: conv + fused ReLU, then pool (argmax kept for the backward).
        let mut trunk = Trunk { acts: Vec::new(), pooled: Vec::new(), argmax: Vec::new() };
        for stage in 0..3 {
            let c = spec.conv(stage, batch);
            let p = spec.pool(stage, batch);
            let a = t(&format!("conv{} relu output", stage + 1), &c.y_shape())?;
            let y = t(&format!("pool{} output", stage + 1), &p.y_shape())?;
            let arg = Tensor::zeros_u32(gpu, &format!("pool{} argmax", stage + 1), &p.y_shape())?;
            let x = if stage == 0 { &input } else { &trunk.pooled[stage - 1] };
            let conv = &params.convs[stage];
            forward.push(k.conv2d_forward(gpu, &c, x, &conv.weight.value, &conv.bias.value, &a, true)?);
            forward.push(k.maxpool2d_forward(gpu, &p, &a, &y, &arg)?);
            trunk.acts.push(a);
            trunk.pooled.push(y);
            trunk.argmax.push(arg);
        }
        let fc = spec.fc(batch);
        let hidden = t("hidden (fc relu output)", &[batch, spec.hidden])?;
        let fc_layer = &params.fc;
        forward.push(k.linear_forward(
            gpu,
            &fc,
            &trunk.pooled[2],
            &fc_layer.weight.value,
            &fc_layer.bias.value,
            &hidden,
            true,
        )?);

        // Every head at once: logits, losses, and their gradients back to the hidden layer.
        let heads = &params.heads_joint;
        let joint = LinearShape { batch, inputs: spec.hidden, outputs: heads.weight.shape[0] };
        let logits = t("logits (every head)", &[batch, joint.outputs])?;
        let dlogits = t("logits gradient (every head)", &[batch, joint.outputs])?;
        let labels = Tensor::zeros_u32(gpu, "labels (every head)", &[spec.heads.len(), batch])?;
        forward.push(k.linear_forward(gpu, &joint, &hidden, &heads.weight.value, &heads.bias.value, &logits, false)?);
        let head_losses: Vec<HeadLoss> = spec
            .heads
            .iter()
            .zip(loss_weights)
            .map(|(h, &weight)| HeadLoss { classes: h.classes.len(), weight })
            .collect();
        let losses = (0..STATS_WINDOW)
            .map(|slot| {
                k.softmax_cross_entropy(gpu, batch, &head_losses, &logits, &labels, &dlogits, stats, slot, false)
            })
            .collect::<tensor::Result<Vec<_>>>()?;
        backward.push(k.linear_backward_weight(
            gpu,
            &joint,
            &hidden,
            &dlogits,
            &heads.weight.grad,
            &heads.bias.grad,
            false,
        )?);
        // The gradient of the shared layer's pre-activation: through the heads and its ReLU.
        let dhidden_pre = t("hidden pre-activation gradient", &[batch, spec.hidden])?;
        backward.push(k.linear_backward_input_narrow(
            gpu,
            &joint,
            &heads.weight.value,
            &dlogits,
            Some(&hidden),
            &dhidden_pre,
            false,
        )?);

        // Shared layer backward, then the trunk from the top.
        backward.push(k.linear_backward_weight(
            gpu,
            &fc,
            &trunk.pooled[2],
            &dhidden_pre,
            &fc_layer.weight.grad,
            &fc_layer.bias.grad,
            false,
        )?);
        // The convolutions' weight gradients as split-K partial sums in one scratch buffer,
        // finished together by one reduce pass after the last of them.
        let partial_shapes: Vec<[usize; 3]> = (0..3)
            .map(|stage| {
                let c = spec.conv(stage, batch);
                [k.conv2d_weight_splits(&c).0, c.c_out, c.c_in * c.kh * c.kw + 1]
            })
            .collect();
        let align = (gpu.limits().min_storage_buffer_offset_alignment as u64).max(16);
        let mut offsets = Vec::new();
        let mut bytes = 0u64;
        for shape in &partial_shapes {
            offsets.push(bytes);
            bytes = (bytes + 16 + 4 * shape.iter().product::<usize>() as u64).next_multiple_of(align);
        }
        let scratch = Tensor::storage(gpu, "conv weight-gradient partial sums", bytes)?;
        let all_partials = Tensor::view(&scratch, "conv weight-gradient partial sums", 0, &[(bytes / 4) as usize])?;
        let partials = (0..3)
            .map(|i| {
                Tensor::view(
                    &scratch,
                    &format!("conv{} weight-gradient partial sums", i + 1),
                    offsets[i],
                    &partial_shapes[i],
                )
            })
            .collect::<tensor::Result<Vec<_>>>()?;

        let mut dpooled = t("pool3 output gradient", &spec.pool(2, batch).y_shape())?;
        backward.push(k.linear_backward_input(gpu, &fc, &fc_layer.weight.value, &dhidden_pre, &dpooled, false)?);
        for stage in (0..3).rev() {
            let c = spec.conv(stage, batch);
            let p = spec.pool(stage, batch);
            // Pool backward with ReLU's backward fused: the gradient of the conv's pre-activation.
            let dact = t(&format!("conv{} pre-activation gradient", stage + 1), &c.y_shape())?;
            backward.push(k.maxpool2d_backward(
                gpu,
                &p,
                &dpooled,
                &trunk.argmax[stage],
                Some(&trunk.acts[stage]),
                &dact,
            )?);
            let x = if stage == 0 { &input } else { &trunk.pooled[stage - 1] };
            let conv = &params.convs[stage];
            backward.push(k.conv2d_backward_weight_partials(gpu, &c, x, &dact, &partials[stage])?);
            buffers.push(std::mem::replace(&mut dpooled, dact));
            if stage > 0 {
                // The images need no gradient: conv1's input gradient is never computed.
                let dx = t(&format!("pool{} output gradient", stage), &c.x_shape())?;
                backward.push(k.conv2d_backward_input(gpu, &c, &conv.weight.value, &dpooled, &dx, false)?);
                buffers.push(std::mem::replace(&mut dpooled, dx));
            }
        }
        let segments: Vec<WeightSegment> = (0..3)
            .map(|stage| WeightSegment {
                shape: spec.conv(stage, batch),
                partial: &partials[stage],
                dweight: &params.convs[stage].weight.grad,
                dbias: &params.convs[stage].bias.grad,
                accumulate: false,
            })
            .collect();
        backward.push(k.conv2d_reduce_weights(gpu, &all_partials, &params.flat.grad, &segments)?);
        buffers.push(dpooled);
        buffers.push(all_partials);
        buffers.extend(trunk.acts);
        buffers.extend(trunk.pooled);
        buffers.extend(trunk.argmax);
        buffers.extend([hidden, dhidden_pre, dlogits]);
        Ok(Plan { input, labels, logits, forward, losses, backward, _buffers: buffers })
    }

    /// Every operation of a training step but Adam, in recording order (slot 0's losses).
    pub fn ops(&self) -> impl Iterator<Item = &Op> {
        self.forward.iter().chain([&self.losses[0]]).chain(&self.backward)
    }

    /// Bytes of GPU memory this plan holds beyond the parameters.
    pub fn bytes(&self) -> u64 {
        let tensors = self._buffers.iter().chain([&self.logits, &self.labels, &self.input]);
        let scratch: u64 = self.forward.iter().chain(&self.backward).map(|o| o.scratch_bytes()).sum();
        tensors.map(|t| t.bytes()).sum::<u64>() + scratch
    }
}
