//! PyTorch's default initialisation of `nn.Conv2d` and `nn.Linear`.

use rand::{Rng, SeedableRng, rngs::StdRng};

/// PyTorch initialises weights with kaiming_uniform_(a = √5), which is U(−1/√fan_in, 1/√fan_in),
/// and biases with the same bound. fan_in is the product of a weight's shape after the first
/// axis (c_in·kh·kw for a convolution, inputs for a linear layer).
pub fn pytorch_default(shapes: &[(String, Vec<usize>)], seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut fan_in = 1;
    shapes
        .iter()
        .map(|(name, shape)| {
            if name.ends_with(".weight") {
                fan_in = shape[1..].iter().product::<usize>();
            }
            // A bias takes the fan_in of the weight just before it (same layer).
            let bound = 1.0 / (fan_in as f32).sqrt();
            (0..shape.iter().product::<usize>()).map(|_| rng.random_range(-bound..bound)).collect()
        })
        .collect()
}
