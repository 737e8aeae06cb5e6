//! The network's parameters by name (llm.c's `ParameterTensors`): each layer's weight and bias
//! with its gradient and Adam moments. Code that wires the network together asks for
//! `convs[1].weight` or `heads[h].bias`, never for an index into a list, so reordering the state
//! dict cannot silently swap two tensors.

use kernels::Tensor;
use tensor::Gpu;

use crate::{ModelSpec, Result, init};

/// One parameter tensor with everything the optimizer keeps for it.
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

/// Every parameter of the network.
pub(crate) struct Parameters {
    /// conv1, conv2, conv3.
    pub convs: [Layer; 3],
    /// The shared layer before the heads.
    pub fc: Layer,
    /// One per head, in the spec's order.
    pub heads: Vec<Layer>,
}

impl Parameters {
    /// PyTorch's default initialisation, seeded, in state-dict order (the order the random
    /// stream is drawn in, so a seed gives the same weights as before).
    pub fn new(gpu: &Gpu, spec: &ModelSpec, seed: u64) -> Result<Parameters> {
        let shapes = spec.parameters();
        let values = init::pytorch_default(&shapes, seed);
        let mut made = shapes
            .into_iter()
            .zip(values)
            .map(|((name, shape), data)| Param::new(gpu, name, shape, &data))
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        let mut layer = || -> Layer {
            let weight = made.next().expect("ModelSpec::parameters lists a weight and a bias per layer");
            let bias = made.next().expect("ModelSpec::parameters lists a weight and a bias per layer");
            Layer { weight, bias }
        };
        let convs = [layer(), layer(), layer()];
        let fc = layer();
        let heads = spec.heads.iter().map(|_| layer()).collect();
        let params = Parameters { convs, fc, heads };
        debug_assert!(params.all().map(|p| p.name.as_str()).eq(spec.parameters().iter().map(|(n, _)| n.as_str())));
        Ok(params)
    }

    /// Every layer, in state-dict order.
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

impl Param {
    fn new(gpu: &Gpu, name: String, shape: Vec<usize>, data: &[f32]) -> Result<Param> {
        let zeros = |what: &str| Tensor::zeros(gpu, &format!("{name} {what}"), &shape);
        Ok(Param {
            value: Tensor::from_slice(gpu, &name, &shape, data)?,
            grad: zeros("grad")?,
            m: zeros("adam m")?,
            v: zeros("adam v")?,
            name,
            shape,
        })
    }
}
