//! The multilayer perceptron: dense layers with a hidden activation, forward and backward written
//! by hand side by side. Row `i` of every matrix is sample `i` of the batch.
//!
//! ```text
//! h_0 = x,   z_l = h_{l-1} · W_l + b_l,   h_l = act(z_l)  (hidden layers),   logits = z_L
//! ```

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{KdError, Result};
use crate::rng::Rng;

/// The hidden layers' activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Activation {
    Relu,
    Tanh,
}

impl Activation {
    /// `h = act(z)`, in place: ReLU `max(0, z)`, or `tanh(z)`.
    pub fn apply(self, z: &mut Array2<f32>) {
        match self {
            Activation::Relu => z.mapv_inplace(|v| v.max(0.0)),
            Activation::Tanh => z.mapv_inplace(f32::tanh),
        }
    }

    /// `dL/dz = dL/dh · act'(z)`, in place on `grad`, with `act'` written from the output `h`:
    /// ReLU `1[h > 0]`, tanh `1 − h²`.
    pub fn backward(self, output: &Array2<f32>, grad: &mut Array2<f32>) {
        match self {
            Activation::Relu => {
                ndarray::Zip::from(grad).and(output).for_each(|g, &h| {
                    if h <= 0.0 {
                        *g = 0.0;
                    }
                })
            }
            Activation::Tanh => {
                ndarray::Zip::from(grad).and(output).for_each(|g, &h| *g *= 1.0 - h * h)
            }
        }
    }

    /// The name the page uses.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
        }
    }
}

/// A fully connected layer `z = h · W + b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    /// (inputs, outputs)
    pub weights: Array2<f32>,
    /// (outputs)
    pub bias: Array1<f32>,
}

/// The gradient of a loss with respect to one dense layer's parameters (same shapes).
#[derive(Debug, Clone, PartialEq)]
pub struct DenseGradient {
    /// (inputs, outputs)
    pub weights: Array2<f32>,
    /// (outputs)
    pub bias: Array1<f32>,
}

impl Dense {
    /// A layer with weights drawn uniformly from ±√(6/fan_in) (He, for ReLU) or
    /// ±√(6/(fan_in + fan_out)) (Glorot, for tanh), and zero biases.
    pub fn new(inputs: usize, outputs: usize, activation: Activation, rng: &mut Rng) -> Self {
        let limit = match activation {
            Activation::Relu => (6.0 / inputs as f64).sqrt(),
            Activation::Tanh => (6.0 / (inputs + outputs) as f64).sqrt(),
        };
        let weights = Array2::from_shape_fn((inputs, outputs), |_| rng.uniform(-limit, limit) as f32);
        Dense { weights, bias: Array1::zeros(outputs) }
    }

    /// `z = h · W + b` — (batch, inputs) · (inputs, outputs) → (batch, outputs).
    pub fn forward(&self, input: ArrayView2<f32>) -> Array2<f32> {
        let mut z = input.dot(&self.weights); // (batch, outputs)
        z += &self.bias;
        z
    }

    /// Given `dL/dz` (batch, outputs) and the layer's input `h` (batch, inputs):
    /// `dL/dW = hᵀ · dL/dz`, `dL/db = Σ_batch dL/dz`, and `dL/dh = dL/dz · Wᵀ` (batch, inputs).
    pub fn backward(&self, input: ArrayView2<f32>, grad_z: &Array2<f32>) -> (DenseGradient, Array2<f32>) {
        let weights = input.t().dot(grad_z); // (inputs, outputs)
        let bias = grad_z.sum_axis(Axis(0)); // (outputs)
        let grad_input = grad_z.dot(&self.weights.t()); // (batch, inputs)
        (DenseGradient { weights, bias }, grad_input)
    }

    /// Number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + self.bias.len()
    }
}

/// A multilayer perceptron: hidden dense layers with one activation, and a linear output layer
/// whose outputs are the logits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    pub layers: Vec<Dense>,
    pub activation: Activation,
}

/// What the forward pass keeps for the backward pass: the input and each layer's output
/// (after the activation for hidden layers; the last one is the logits).
#[derive(Debug, Clone)]
pub struct ForwardCache {
    /// `outputs[0]` is the input (batch, inputs); `outputs[l]` the output of layer `l`.
    pub outputs: Vec<Array2<f32>>,
}

impl ForwardCache {
    /// The network's output logits (batch, classes).
    pub fn logits(&self) -> &Array2<f32> {
        // `outputs` always holds the input, so `last` exists.
        &self.outputs[self.outputs.len() - 1]
    }
}

impl Mlp {
    /// A network with layer sizes `[inputs, hidden…, classes]`, initialised from `rng`.
    pub fn new(sizes: &[usize], activation: Activation, rng: &mut Rng) -> Result<Self> {
        if sizes.len() < 2 || sizes.iter().any(|&s| s == 0) {
            return Err(KdError::Shape(format!("an MLP needs at least two positive layer sizes, got {sizes:?}")));
        }
        let layers = sizes.windows(2).map(|pair| Dense::new(pair[0], pair[1], activation, rng)).collect();
        Ok(Mlp { layers, activation })
    }

    /// Layer sizes `[inputs, hidden…, classes]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes: Vec<usize> = self.layers.iter().take(1).map(|l| l.weights.nrows()).collect();
        sizes.extend(self.layers.iter().map(|l| l.weights.ncols()));
        sizes
    }

    /// Number of input features.
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, |l| l.weights.nrows())
    }

    /// Number of classes (outputs).
    pub fn classes(&self) -> usize {
        self.layers.last().map_or(0, |l| l.weights.ncols())
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Dense::parameter_count).sum()
    }

    /// Whether every weight and bias is finite.
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(|l| l.weights.iter().chain(l.bias.iter()).all(|v| v.is_finite()))
    }

    /// Copies `other`'s parameters into this network in place (no allocation when the shapes
    /// agree, which they do for a copy of the same network).
    pub fn copy_from(&mut self, other: &Mlp) {
        if self.sizes() != other.sizes() {
            *self = other.clone();
            return;
        }
        for (mine, theirs) in self.layers.iter_mut().zip(&other.layers) {
            mine.weights.assign(&theirs.weights);
            mine.bias.assign(&theirs.bias);
        }
        self.activation = other.activation;
    }

    fn check_input(&self, input: &ArrayView2<f32>) -> Result<()> {
        if input.ncols() != self.inputs() {
            return Err(KdError::Shape(format!(
                "the network takes {} features, the input has {}",
                self.inputs(),
                input.ncols()
            )));
        }
        Ok(())
    }

    /// The logits for a batch (batch, inputs) → (batch, classes).
    pub fn forward(&self, input: ArrayView2<f32>) -> Result<Array2<f32>> {
        Ok(self.forward_cached(input)?.outputs.pop().unwrap_or_default())
    }

    /// The forward pass, keeping every layer's output for [`Mlp::backward`].
    pub fn forward_cached(&self, input: ArrayView2<f32>) -> Result<ForwardCache> {
        self.check_input(&input)?;
        let mut outputs = Vec::with_capacity(self.layers.len() + 1);
        outputs.push(input.to_owned());
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let mut z = layer.forward(outputs[l].view()); // (batch, outputs of layer l)
            if l < last {
                self.activation.apply(&mut z);
            }
            outputs.push(z);
        }
        Ok(ForwardCache { outputs })
    }

    /// Backpropagates `dL/dlogits` (batch, classes) through the cached forward pass and returns
    /// each layer's parameter gradient, first layer first.
    pub fn backward(&self, cache: &ForwardCache, grad_logits: Array2<f32>) -> Result<Vec<DenseGradient>> {
        if cache.outputs.len() != self.layers.len() + 1 || grad_logits.dim() != cache.logits().dim() {
            return Err(KdError::Shape("backward called with a cache or gradient of the wrong shape".into()));
        }
        let mut gradients = Vec::with_capacity(self.layers.len());
        let mut grad_z = grad_logits; // dL/dz of the current layer, (batch, outputs)
        for l in (0..self.layers.len()).rev() {
            let (gradient, mut grad_input) = self.layers[l].backward(cache.outputs[l].view(), &grad_z);
            gradients.push(gradient);
            if l > 0 {
                // outputs[l] is the activated output of hidden layer l − 1.
                self.activation.backward(&cache.outputs[l], &mut grad_input);
            }
            grad_z = grad_input;
        }
        gradients.reverse();
        Ok(gradients)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_parameter_count() {
        let mut rng = Rng::new(0);
        let mlp = Mlp::new(&[2, 64, 64, 3], Activation::Relu, &mut rng).unwrap();
        assert_eq!(mlp.sizes(), vec![2, 64, 64, 3]);
        assert_eq!(mlp.parameter_count(), 2 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3);
        assert!(Mlp::new(&[2], Activation::Relu, &mut rng).is_err());
        assert!(Mlp::new(&[2, 0, 3], Activation::Relu, &mut rng).is_err());
    }

    #[test]
    fn wrong_input_width_is_an_error_not_a_panic() {
        let mut rng = Rng::new(0);
        let mlp = Mlp::new(&[2, 4, 3], Activation::Tanh, &mut rng).unwrap();
        assert!(mlp.forward(Array2::zeros((5, 3)).view()).is_err());
    }
}
