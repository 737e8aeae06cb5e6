//! The network's parameters by name (llm.c's `ParameterTensors`): each layer's weight and bias
//! with its gradient and Adam moments. Code that wires the network together asks for
//! `convs[1].weight` or `heads[h].bias`, never for an index into a list, so reordering the state
//! dict cannot silently swap two tensors.
//!
//! Like llm.c's `params_memory`, every parameter lives in one buffer (and every gradient, first
//! and second moment in one buffer each), each tensor a view at an aligned offset: one Adam pass
//! updates them all. The heads' weights sit back to back, then their biases, so that all heads
//! together are one `[Σ classes, hidden]` layer (`heads_joint`): one forward, one input gradient
//! and one weight gradient serve every head.

use kernels::Tensor;
use tensor::Gpu;

use crate::{ModelSpec, Result, init};

/// One parameter tensor with everything the optimizer keeps for it (views into the flat buffers).
pub(crate) struct Param {
    /// Its state-dict name (`conv1.weight`, `heads.item.bias`, …).
    pub name: String,
    pub shape: Vec<usize>,
    pub value: Tensor,
    pub grad: Tensor,
    pub m: Tensor,
    pub v: Tensor,
}

/// A layer's weight and bias.
pub(crate) struct Layer {
    pub weight: Param,
    pub bias: Param,
}

/// The four flat buffers, each bound whole as one tensor (the optimizer's view).
pub(crate) struct Flat {
    pub value: Tensor,
    pub grad: Tensor,
    pub m: Tensor,
    pub v: Tensor,
}

/// Every parameter of the network.
pub(crate) struct Parameters {
    /// conv1, conv2, conv3.
    pub convs: [Layer; 3],
    /// The shared layer before the heads.
    pub fc: Layer,
    /// One per head, in the spec's order (for checkpoints: the state dict names them apart).
    pub heads: Vec<Layer>,
    /// Every head as one layer: weight `[Σ classes, hidden]`, bias `[Σ classes]`, head h's rows
    /// after those of the heads before it.
    pub heads_joint: Layer,
    pub flat: Flat,
}

/// Where each tensor starts in the flat buffers (bytes), in state-dict order, and the buffers'
/// size; plus the joint heads' weight and bias offsets.
struct Layout {
    offsets: Vec<u64>,
    joint_weight: u64,
    joint_bias: u64,
    bytes: u64,
}

impl Layout {
    /// Trunk tensors each at an `align`ed offset; then every head weight back to back, then
    /// every head bias back to back (each group starting aligned).
    fn new(shapes: &[(String, Vec<usize>)], heads: usize, align: u64) -> Layout {
        let bytes_of = |shape: &Vec<usize>| shape.iter().product::<usize>() as u64 * 4;
        let trunk = shapes.len() - 2 * heads;
        let mut offsets = vec![0; shapes.len()];
        let mut at = 0u64;
        for (i, (_, shape)) in shapes.iter().enumerate().take(trunk) {
            offsets[i] = at;
            at = (at + bytes_of(shape)).next_multiple_of(align);
        }
        let mut group = |first: usize| {
            let start = at;
            for h in 0..heads {
                offsets[trunk + 2 * h + first] = at;
                at += bytes_of(&shapes[trunk + 2 * h + first].1);
            }
            // Room for the last view's whole vec4 and the next group's alignment.
            at = (at + 16).next_multiple_of(align);
            start
        };
        let joint_weight = group(0);
        let joint_bias = group(1);
        Layout { offsets, joint_weight, joint_bias, bytes: at }
    }
}

impl Parameters {
    /// PyTorch's default initialisation, seeded, drawn in state-dict order (so a seed gives the
    /// same weights whatever the layout).
    pub fn new(gpu: &Gpu, spec: &ModelSpec, seed: u64) -> Result<Parameters> {
        let shapes = spec.parameters();
        let align = (gpu.limits().min_storage_buffer_offset_alignment as u64).max(16);
        let layout = Layout::new(&shapes, spec.heads.len(), align);
        let buffer = |what: &str| Tensor::storage(gpu, &format!("all parameters: {what}"), layout.bytes);
        let buffers = [buffer("values")?, buffer("gradients")?, buffer("adam m")?, buffer("adam v")?];
        let views = |name: &str, offset: u64, shape: &[usize]| -> Result<[Tensor; 4]> {
            let label = |what: &str| format!("{name}{what}");
            Ok([
                Tensor::view(&buffers[0], &label(""), offset, shape)?,
                Tensor::view(&buffers[1], &label(" grad"), offset, shape)?,
                Tensor::view(&buffers[2], &label(" adam m"), offset, shape)?,
                Tensor::view(&buffers[3], &label(" adam v"), offset, shape)?,
            ])
        };
        let param = |name: String, offset: u64, shape: Vec<usize>| -> Result<Param> {
            let [value, grad, m, v] = views(&name, offset, &shape)?;
            Ok(Param { name, shape, value, grad, m, v })
        };

        let values = init::pytorch_default(&shapes, seed);
        let mut made = Vec::new();
        for (((name, shape), data), &offset) in shapes.into_iter().zip(values).zip(&layout.offsets) {
            let p = param(name, offset, shape)?;
            p.value.write(gpu, &data)?;
            made.push(p);
        }
        let mut made = made.into_iter();
        let mut layer = || -> Layer {
            let weight = made.next().expect("ModelSpec::parameters lists a weight and a bias per layer");
            let bias = made.next().expect("ModelSpec::parameters lists a weight and a bias per layer");
            Layer { weight, bias }
        };
        let convs = [layer(), layer(), layer()];
        let fc = layer();
        let heads: Vec<Layer> = spec.heads.iter().map(|_| layer()).collect();
        let classes: usize = spec.heads.iter().map(|h| h.classes.len()).sum();
        let heads_joint = Layer {
            weight: param("heads (all) weight".into(), layout.joint_weight, vec![classes, spec.hidden])?,
            bias: param("heads (all) bias".into(), layout.joint_bias, vec![classes])?,
        };
        let whole = [(layout.bytes / 4) as usize];
        let [value, grad, m, v] = views("all parameters", 0, &whole)?;
        Ok(Parameters { convs, fc, heads, heads_joint, flat: Flat { value, grad, m, v } })
    }

    /// Every layer of the state dict, in its order.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.convs.iter().chain([&self.fc]).chain(&self.heads)
    }

    /// Every parameter, in state-dict order (weight before bias).
    pub fn all(&self) -> impl Iterator<Item = &Param> {
        self.layers().flat_map(|l| [&l.weight, &l.bias])
    }

    pub fn by_name(&self, name: &str) -> Option<&Param> {
        self.all().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_tensors_are_aligned_and_heads_are_back_to_back() {
        let shapes: Vec<(String, Vec<usize>)> = [
            ("conv.weight", vec![5, 3]),
            ("conv.bias", vec![5]),
            ("heads.a.weight", vec![3, 10]),
            ("heads.a.bias", vec![3]),
            ("heads.b.weight", vec![4, 10]),
            ("heads.b.bias", vec![4]),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .collect();
        let l = Layout::new(&shapes, 2, 256);
        assert_eq!(l.offsets[..2], [0, 256]);
        assert_eq!(l.joint_weight, 512);
        assert_eq!((l.offsets[2], l.offsets[4]), (512, 512 + 30 * 4));
        assert_eq!(l.joint_bias % 256, 0);
        assert_eq!((l.offsets[3], l.offsets[5]), (l.joint_bias, l.joint_bias + 12));
        assert!(l.bytes >= l.joint_bias + 7 * 4 + 16);
    }
}
