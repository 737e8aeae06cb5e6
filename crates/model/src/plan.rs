//! A plan: the activations, gradients and bound operations of the network for one batch size.
//! Built once per batch size (the last, smaller batch of an epoch gets its own) and reused.

use kernels::{Kernels, Op, Tensor};
use tensor::Gpu;

use crate::parameters::Parameters;
use crate::{ModelSpec, Result};

/// Steps whose losses stay on the GPU, each in its own slot, before they are read back at once.
pub const STATS_WINDOW: usize = 16;

pub(crate) struct Plan {
    /// `[batch, 3, S, S]` images in [0, 1].
    pub input: Tensor,
    /// Per head, `[batch]` class indices.
    pub labels: Vec<Tensor>,
    /// Per head, `[batch, classes]`.
    pub logits: Vec<Tensor>,
    pub forward: Vec<Op>,
    /// `losses[slot]`: every head's loss, writing into stats window slot `slot`.
    pub losses: Vec<Vec<Op>>,
    pub backward: Vec<Op>,
    // Activations and their gradients, held for the ops that bind them.
    _buffers: Vec<Tensor>,
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
        let mut acts = Vec::new();
        let mut pooled: Vec<Tensor> = Vec::new();
        let mut argmax = Vec::new();
        for stage in 0..3 {
            let c = spec.conv(stage, batch);
            let p = spec.pool(stage, batch);
            let a = t(&format!("conv{} relu output", stage + 1), &c.y_shape())?;
            let y = t(&format!("pool{} output", stage + 1), &p.y_shape())?;
            let arg = Tensor::zeros_u32(gpu, &format!("pool{} argmax", stage + 1), &p.y_shape())?;
            let x = if stage == 0 { &input } else { &pooled[stage - 1] };
            let conv = &params.convs[stage];
            forward.push(k.conv2d_forward(gpu, &c, x, &conv.weight.value, &conv.bias.value, &a, true)?);
            forward.push(k.maxpool2d_forward(gpu, &p, &a, &y, &arg)?);
            acts.push(a);
            pooled.push(y);
            argmax.push(arg);
        }
        let fc = spec.fc(batch);
        let hidden = t("hidden (fc relu output)", &[batch, spec.hidden])?;
        let fc_layer = &params.fc;
        forward.push(k.linear_forward(
            gpu,
            &fc,
            &pooled[2],
            &fc_layer.weight.value,
            &fc_layer.bias.value,
            &hidden,
            true,
        )?);

        let mut labels = Vec::new();
        let mut logits = Vec::new();
        let mut losses: Vec<Vec<Op>> = (0..STATS_WINDOW).map(|_| Vec::new()).collect();
        let dhidden = t("hidden gradient", &[batch, spec.hidden])?;
        for (h, head) in spec.heads.iter().enumerate() {
            let s = spec.head(h, batch);
            let (w, b) = (&params.heads[h].weight, &params.heads[h].bias);
            let lab = Tensor::zeros_u32(gpu, &format!("{} labels", head.name), &[batch])?;
            let out = t(&format!("{} logits", head.name), &[batch, s.outputs])?;
            let dout = t(&format!("{} logits gradient", head.name), &[batch, s.outputs])?;
            forward.push(k.linear_forward(gpu, &s, &hidden, &w.value, &b.value, &out, false)?);
            for (slot, ops) in losses.iter_mut().enumerate() {
                let at = slot * spec.heads.len() + h;
                ops.push(k.softmax_cross_entropy(
                    gpu,
                    batch,
                    s.outputs,
                    &out,
                    &lab,
                    &dout,
                    stats,
                    at,
                    loss_weights[h],
                    false,
                )?);
            }
            // Every head adds its share to the shared layer's gradient: the first one writes it.
            backward.push(k.linear_backward_weight(gpu, &s, &hidden, &dout, &w.grad, &b.grad, false)?);
            backward.push(k.linear_backward_input(gpu, &s, &w.value, &dout, &dhidden, h > 0)?);
            labels.push(lab);
            logits.push(out);
            buffers.push(dout);
        }

        // Shared layer backward, then the trunk from the top.
        let dhidden_pre = t("hidden pre-activation gradient", &[batch, spec.hidden])?;
        backward.push(k.relu_backward(gpu, &hidden, &dhidden, &dhidden_pre)?);
        backward.push(k.linear_backward_weight(
            gpu,
            &fc,
            &pooled[2],
            &dhidden_pre,
            &fc_layer.weight.grad,
            &fc_layer.bias.grad,
            false,
        )?);
        let mut dpooled = t("pool3 output gradient", &spec.pool(2, batch).y_shape())?;
        backward.push(k.linear_backward_input(gpu, &fc, &fc_layer.weight.value, &dhidden_pre, &dpooled, false)?);
        for stage in (0..3).rev() {
            let c = spec.conv(stage, batch);
            let p = spec.pool(stage, batch);
            // Pool backward with ReLU's backward fused: the gradient of the conv's pre-activation.
            let dact = t(&format!("conv{} pre-activation gradient", stage + 1), &c.y_shape())?;
            backward.push(k.maxpool2d_backward(gpu, &p, &dpooled, &argmax[stage], Some(&acts[stage]), &dact)?);
            let x = if stage == 0 { &input } else { &pooled[stage - 1] };
            let conv = &params.convs[stage];
            backward.push(k.conv2d_backward_weight(gpu, &c, x, &dact, &conv.weight.grad, &conv.bias.grad, false)?);
            buffers.push(std::mem::replace(&mut dpooled, dact));
            if stage > 0 {
                // The images need no gradient: conv1's input gradient is never computed.
                let dx = t(&format!("pool{} output gradient", stage), &c.x_shape())?;
                backward.push(k.conv2d_backward_input(gpu, &c, &conv.weight.value, &dpooled, &dx, false)?);
                buffers.push(std::mem::replace(&mut dpooled, dx));
            }
        }
        buffers.push(dpooled);
        buffers.extend(acts);
        buffers.extend(pooled);
        buffers.extend(argmax);
        buffers.extend([hidden, dhidden, dhidden_pre]);
        Ok(Plan { input, labels, logits, forward, losses, backward, _buffers: buffers })
    }

    /// Bytes of GPU memory this plan holds beyond the parameters.
    pub fn bytes(&self) -> u64 {
        let tensors = self._buffers.iter().chain(&self.logits).chain(&self.labels).chain([&self.input]);
        let scratch: u64 = self.forward.iter().chain(&self.backward).map(|o| o.scratch_bytes()).sum();
        tensors.map(|t| t.buffer.size()).sum::<u64>() + scratch
    }
}
