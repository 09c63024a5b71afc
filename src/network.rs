//! The multilayer perceptron: dense layers with a hidden activation, forward and backward written
//! by hand side by side. Row `i` of every matrix is sample `i` of the batch.
//!
//! ```text
//! h_0 = x,   z_l = h_{l-1} · W_l + b_l,   h_l = act(z_l)  (hidden layers),   logits = z_L
//! ```

use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{KdError, Result};
use crate::math;
use crate::matmul::{matmul_bias_into, matmul_into};
use crate::methods::{Batch, LossTerms, Method};
use crate::rng::Rng;

/// The hidden layers' activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Activation {
    Relu,
    Tanh,
}

impl Activation {
    /// `h = act(z)`, in place: ReLU `max(0, z)`, or `tanh(z)`. ReLU is [`crate::matmul::relu`],
    /// the same bits as `f32::max(z, 0.0)` on each target, without WebAssembly's call of `fmaxf`
    /// for every element.
    pub fn apply(self, z: &mut Array2<f32>) {
        match self {
            Activation::Relu => z.mapv_inplace(crate::matmul::relu),
            Activation::Tanh => z.mapv_inplace(math::tanh),
        }
    }

    /// `dL/dz = dL/dh · act'(z)`, in place on `grad`, with `act'` written from the output `h`:
    /// ReLU `1[h > 0]`, tanh `1 − h²`.
    pub fn backward(self, output: &Array2<f32>, grad: &mut Array2<f32>) {
        match self {
            // a select, not a branch: half the outputs are 0, at random, and a branch that is
            // mispredicted half the time cost more than the rest of the pass
            Activation::Relu => {
                ndarray::Zip::from(grad).and(output).for_each(|g, &h| *g = if h <= 0.0 { 0.0 } else { *g })
            }
            Activation::Tanh => ndarray::Zip::from(grad).and(output).for_each(|g, &h| *g *= 1.0 - h * h),
        }
    }

    /// [`Activation::backward`] on views.
    pub fn backward_view(self, output: ArrayView2<f32>, grad: ArrayViewMut2<f32>) {
        match self {
            // a select, not a branch: half the outputs are 0, at random, and a branch that is
            // mispredicted half the time cost more than the rest of the pass
            Activation::Relu => {
                ndarray::Zip::from(grad).and(output).for_each(|g, &h| *g = if h <= 0.0 { 0.0 } else { *g })
            }
            Activation::Tanh => ndarray::Zip::from(grad).and(output).for_each(|g, &h| *g *= 1.0 - h * h),
        }
    }
}

crate::settings::choices!(Activation { Relu => "relu", Tanh => "tanh" });

/// How a network's weights start: `He` (the engine's, for ReLU; Glorot for tanh; zero biases) or
/// `Uniform`, PyTorch's default for `nn.Linear`, weights and biases drawn from U(±1/√fan_in) (the
/// independent PyTorch reference run in ../shared/reference uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Init {
    He,
    Uniform,
}

crate::settings::choices!(Init { He => "he", Uniform => "uniform" });

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

/// `c = a · b` ([`crate::matmul`]). The shapes are the layer's own and `c` is always a block of
/// rows of a buffer; a `b` without contiguous rows (a transposed matrix) is copied first, which
/// the training steps avoid by keeping the transpose in a buffer of their own.
fn product(a: ArrayView2<f32>, b: ArrayView2<f32>, c: ArrayViewMut2<f32>) {
    let b = b.as_standard_layout(); // borrowed, not copied, when its rows are contiguous
    let result = matmul_into(a, b.view(), c);
    debug_assert!(result.is_ok(), "{result:?}");
}

/// `h = act(a · W + b)` into `c` ([`crate::matmul::matmul_bias_into`]): the bias, and ReLU, are
/// applied as the product stores its outputs; tanh in a pass of its own afterwards. The same bits
/// as the product followed by `+ b` and the activation.
fn affine(a: ArrayView2<f32>, layer: &Dense, activation: Option<Activation>, mut c: ArrayViewMut2<f32>) {
    let relu = activation == Some(Activation::Relu);
    // borrowed, not copied, when the weights' rows are contiguous (a pruned network's may not be)
    let weights = layer.weights.as_standard_layout();
    let result = matmul_bias_into(a, weights.view(), layer.bias.view(), relu, c.view_mut());
    debug_assert!(result.is_ok(), "{result:?}");
    if let Some(Activation::Tanh) = activation {
        c.mapv_inplace(math::tanh);
    }
}

/// `dL/dh = dL/dz · Wᵀ` into `grad_input` (rows, inputs), computed as `dL/dhᵀ = W · dL/dzᵀ`: the
/// batch's `dL/dz` (rows, outputs) is transposed into `buffer` (outputs, ≥ rows), a few thousand
/// numbers, instead of `W`, and the product stores its outputs transposed. Each output is the
/// same sum, `Σ_p dL/dz[i,p] · W[j,p]` for p = 0, 1, …, as with `Wᵀ`.
fn input_gradient(
    grad_z: ArrayView2<f32>,
    weights: ArrayView2<f32>,
    buffer: &mut Array2<f32>,
    grad_input: ArrayViewMut2<f32>,
) {
    let (rows, outputs) = grad_z.dim();
    let mut transposed = buffer.slice_mut(s![..outputs, ..rows]);
    for (i, row) in grad_z.rows().into_iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            // SAFETY: j < outputs and i < rows, the shape of `transposed`.
            unsafe { *transposed.uget_mut((j, i)) = v };
        }
    }
    let result = matmul_into(weights, transposed.view(), grad_input.reversed_axes());
    debug_assert!(result.is_ok(), "{result:?}");
}

impl Dense {
    /// A layer with weights drawn uniformly from ±√(6/fan_in) (He, for ReLU) or
    /// ±√(6/(fan_in + fan_out)) (Glorot, for tanh), and zero biases; or, with [`Init::Uniform`],
    /// weights and then biases from ±1/√fan_in.
    pub fn new(inputs: usize, outputs: usize, activation: Activation, init: Init, rng: &mut Rng) -> Self {
        let limit = match (init, activation) {
            (Init::Uniform, _) => 1.0 / (inputs as f64).sqrt(),
            (Init::He, Activation::Relu) => (6.0 / inputs as f64).sqrt(),
            (Init::He, Activation::Tanh) => (6.0 / (inputs + outputs) as f64).sqrt(),
        };
        let weights = Array2::from_shape_fn((inputs, outputs), |_| rng.uniform(-limit, limit) as f32);
        let bias = match init {
            Init::He => Array1::zeros(outputs),
            Init::Uniform => Array1::from_shape_fn(outputs, |_| rng.uniform(-limit, limit) as f32),
        };
        Dense { weights, bias }
    }

    /// `z = h · W + b` — (batch, inputs) · (inputs, outputs) → (batch, outputs).
    pub fn forward(&self, input: ArrayView2<f32>) -> Array2<f32> {
        let mut z = Array2::zeros((input.nrows(), self.weights.ncols())); // (batch, outputs)
        product(input, self.weights.view(), z.view_mut());
        z += &self.bias;
        z
    }

    /// Given `dL/dz` (batch, outputs) and the layer's input `h` (batch, inputs):
    /// `dL/dW = hᵀ · dL/dz`, `dL/db = Σ_batch dL/dz`, and `dL/dh = dL/dz · Wᵀ` (batch, inputs).
    pub fn backward(&self, input: ArrayView2<f32>, grad_z: &Array2<f32>) -> (DenseGradient, Array2<f32>) {
        let mut weights = Array2::zeros(self.weights.dim()); // (inputs, outputs)
        product(input.t(), grad_z.view(), weights.view_mut());
        let bias = grad_z.sum_axis(Axis(0)); // (outputs)
        let mut grad_input = Array2::zeros((grad_z.nrows(), self.weights.nrows())); // (batch, inputs)
        product(grad_z.view(), self.weights.t(), grad_input.view_mut());
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
    /// A network with layer sizes `[inputs, hidden…, classes]`, initialised from `rng` (He).
    pub fn new(sizes: &[usize], activation: Activation, rng: &mut Rng) -> Result<Self> {
        Mlp::with_init(sizes, activation, Init::He, rng)
    }

    /// A network with layer sizes `[inputs, hidden…, classes]`, initialised by `init` from `rng`.
    pub fn with_init(sizes: &[usize], activation: Activation, init: Init, rng: &mut Rng) -> Result<Self> {
        if sizes.len() < 2 || sizes.contains(&0) {
            return Err(KdError::Internal(format!("an MLP needs at least two positive layer sizes, got {sizes:?}")));
        }
        let layers = sizes.windows(2).map(|pair| Dense::new(pair[0], pair[1], activation, init, rng)).collect();
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
        self.layers.iter().all(|l| math::all_finite(&l.weights) && math::all_finite(&l.bias))
    }

    /// Copies `other`'s parameters into this network in place (no allocation when the shapes
    /// agree, which they do for a copy of the same network).
    pub fn copy_from(&mut self, other: &Mlp) {
        let same_shapes = self.layers.len() == other.layers.len()
            && self
                .layers
                .iter()
                .zip(&other.layers)
                .all(|(a, b)| a.weights.dim() == b.weights.dim() && a.bias.dim() == b.bias.dim());
        if !same_shapes {
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
            return Err(KdError::Internal(format!(
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
            return Err(KdError::Internal("backward called with a cache or gradient of the wrong shape".into()));
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

/// The forward and backward passes of one network on mini-batches, in reused buffers: the batch,
/// every layer's output and the gradient with respect to it, and the parameter gradients. A
/// training step through `Passes` makes no allocation once the buffers exist (the matrix products are
/// [`crate::matmul`]'s, which need none; the transposed `dL/dz` that each layer's `dL/dh` is
/// computed from has a buffer here). The arithmetic is exactly [`Mlp::forward_cached`]'s and
/// [`Mlp::backward`]'s, so both give the same bits.
#[derive(Debug, Clone)]
pub struct Passes {
    /// Rows the buffers hold.
    capacity: usize,
    /// (capacity, inputs)
    input: Array2<f32>,
    /// `outputs[l]`: layer l's output (capacity, width); the last is the logits.
    outputs: Vec<Array2<f32>>,
    /// `deltas[l]`: dL/dz of layer l (capacity, width).
    deltas: Vec<Array2<f32>>,
    /// Each layer's parameter gradient.
    gradients: Vec<DenseGradient>,
    /// `transposed[l]`: dL/dz of layer l transposed (width, capacity), for dL/dh = dL/dz · Wᵀ
    /// (computed as `W · dL/dzᵀ`).
    transposed: Vec<Array2<f32>>,
    /// (capacity, classes): intermediate probabilities of a loss.
    scratch: Array2<f32>,
    /// dL/dx, the gradient with respect to the batch's input (capacity, inputs), when asked for
    /// (a side head's: its input is a hidden layer of another network).
    input_gradient: Array2<f32>,
    labels: Vec<usize>,
    /// Rows of the current batch.
    rows: usize,
}

impl Passes {
    /// Buffers for `network` and batches of up to `batch` rows.
    pub fn new(network: &Mlp, batch: usize) -> Self {
        let capacity = batch.max(1);
        let widths: Vec<usize> = network.layers.iter().map(|l| l.weights.ncols()).collect();
        Passes {
            capacity,
            input: Array2::zeros((capacity, network.inputs())),
            outputs: widths.iter().map(|&w| Array2::zeros((capacity, w))).collect(),
            deltas: widths.iter().map(|&w| Array2::zeros((capacity, w))).collect(),
            gradients: network
                .layers
                .iter()
                .map(|l| DenseGradient { weights: Array2::zeros(l.weights.dim()), bias: Array1::zeros(l.bias.dim()) })
                .collect(),
            transposed: widths.iter().map(|&w| Array2::zeros((w, capacity))).collect(),
            labels: Vec::with_capacity(capacity),
            scratch: Array2::zeros((capacity, network.classes())),
            input_gradient: Array2::zeros((0, network.inputs())),
            rows: 0,
        }
    }

    fn fits(&self, network: &Mlp) -> bool {
        self.input.ncols() == network.inputs()
            && self.outputs.len() == network.layers.len()
            && network.layers.iter().zip(&self.gradients).all(|(l, g)| l.weights.dim() == g.weights.dim())
    }

    /// Copies `rows` of `features` (and of `labels`) into the batch buffer and runs the forward
    /// pass; the logits are then [`Passes::logits`].
    pub fn forward(
        &mut self,
        network: &Mlp,
        features: ArrayView2<f32>,
        labels: &[usize],
        rows: &[usize],
    ) -> Result<()> {
        if !self.fits(network) {
            *self = Passes::new(network, self.capacity);
        }
        if rows.len() > self.capacity {
            *self = Passes::new(network, rows.len());
        }
        if features.ncols() != network.inputs() {
            return Err(KdError::Internal(format!(
                "the network takes {} features, the input has {}",
                network.inputs(),
                features.ncols()
            )));
        }
        if let Some(&bad) = rows.iter().find(|&&r| r >= features.nrows() || r >= labels.len()) {
            return Err(KdError::Internal(format!("row {bad} is outside the {} samples", features.nrows())));
        }
        let n = rows.len();
        self.rows = n;
        for (mut target, &r) in self.input.rows_mut().into_iter().zip(rows) {
            target.assign(&features.row(r));
        }
        self.labels.clear();
        self.labels.extend(rows.iter().map(|&r| labels[r]));
        let last = network.layers.len() - 1;
        for (l, layer) in network.layers.iter().enumerate() {
            let (before, after) = self.outputs.split_at_mut(l);
            let input = if l == 0 { self.input.slice(s![..n, ..]) } else { before[l - 1].slice(s![..n, ..]) };
            let z = after[0].slice_mut(s![..n, ..]);
            let activation = if l < last { Some(network.activation) } else { None };
            affine(input, layer, activation, z); // (n, outputs) = act(h · W + b)
        }
        Ok(())
    }

    /// The logits of the current batch (rows, classes).
    pub fn logits(&self) -> ArrayView2<'_, f32> {
        let last = self.outputs.len() - 1;
        self.outputs[last].slice(s![..self.rows, ..])
    }

    /// The hard labels of the current batch.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Where the loss's gradient with respect to the logits goes before [`Passes::backward`]
    /// (rows, classes).
    pub fn logit_gradient_mut(&mut self) -> ArrayViewMut2<'_, f32> {
        let last = self.deltas.len() - 1;
        self.deltas[last].slice_mut(s![..self.rows, ..])
    }

    /// The output of hidden layer `layer` (1 for the first) for the current batch (rows, width),
    /// after the activation: what a feature-based method reads.
    pub fn hidden(&self, layer: usize) -> Result<ArrayView2<'_, f32>> {
        if layer == 0 || layer >= self.outputs.len() {
            return Err(KdError::Internal(format!(
                "hidden layer {layer} of a network with {} hidden layers",
                self.outputs.len() - 1
            )));
        }
        Ok(self.outputs[layer - 1].slice(s![..self.rows, ..]))
    }

    /// Backpropagates the gradient in [`Passes::logit_gradient_mut`] through the forward pass
    /// and returns every layer's parameter gradient, first layer first.
    pub fn backward(&mut self, network: &Mlp) -> Result<&[DenseGradient]> {
        self.backward_with(network, None, false)
    }

    /// [`Passes::backward`], with `extra = (layer, dL/dh)`: a gradient with respect to hidden
    /// layer `layer`'s output (rows, width) from a loss that reads it (a hint, relations, an
    /// early exit), added to what flows down from the logits before the activation's derivative.
    /// With `to_input`, also dL/dx ([`Passes::input_gradient`]).
    pub fn backward_with(
        &mut self,
        network: &Mlp,
        extra: Option<(usize, ArrayView2<f32>)>,
        to_input: bool,
    ) -> Result<&[DenseGradient]> {
        if !self.fits(network) {
            return Err(KdError::Internal("backward through a network the forward pass did not see".into()));
        }
        let n = self.rows;
        if let Some((layer, gradient)) = extra {
            if layer == 0 || layer >= self.outputs.len() || gradient.dim() != (n, self.outputs[layer - 1].ncols()) {
                return Err(KdError::Internal(format!(
                    "a gradient of shape {:?} for hidden layer {layer} of a network with {} hidden layers",
                    gradient.dim(),
                    self.outputs.len() - 1
                )));
            }
        }
        for l in (0..network.layers.len()).rev() {
            let (lower, upper) = self.deltas.split_at_mut(l);
            let grad_z = upper[0].slice(s![..n, ..]);
            let input = if l == 0 { self.input.slice(s![..n, ..]) } else { self.outputs[l - 1].slice(s![..n, ..]) };
            let gradient = &mut self.gradients[l];
            product(input.t(), grad_z, gradient.weights.view_mut()); // hᵀ · dL/dz
            gradient.bias.fill(0.0);
            for row in grad_z.rows() {
                gradient.bias += &row;
            }
            let transposed = &mut self.transposed[l];
            if l > 0 {
                let mut grad_input = lower[l - 1].slice_mut(s![..n, ..]);
                input_gradient(grad_z, network.layers[l].weights.view(), transposed, grad_input.view_mut()); // dL/dz · Wᵀ
                if let Some((_, extra)) = extra.filter(|(layer, _)| *layer == l) {
                    grad_input += &extra; // dL/dh_l from the loss that reads hidden layer l
                }
                network.activation.backward_view(self.outputs[l - 1].slice(s![..n, ..]), grad_input);
            } else if to_input {
                if self.input_gradient.nrows() < n {
                    self.input_gradient = Array2::zeros((self.capacity.max(n), network.inputs()));
                }
                let weights = network.layers[0].weights.view();
                input_gradient(grad_z, weights, transposed, self.input_gradient.slice_mut(s![..n, ..]));
                // dL/dx
            }
        }
        Ok(&self.gradients)
    }

    /// dL/dx of the last [`Passes::backward_with`] asked for it (rows, inputs).
    pub fn input_gradient(&self) -> ArrayView2<'_, f32> {
        let n = self.rows.min(self.input_gradient.nrows());
        self.input_gradient.slice(s![..n, ..])
    }

    /// The current batch's loss, as `method` computes it from the logits, the hard labels and
    /// `teacher_logits` (rows, classes) at `temperature` and `alpha`; its gradient goes to
    /// [`Passes::logit_gradient_mut`], ready for [`Passes::backward`].
    pub fn loss(
        &mut self,
        method: &dyn Method,
        teacher_logits: Option<ArrayView2<f32>>,
        temperature: f32,
        alpha: f32,
    ) -> Result<LossTerms> {
        let (n, last) = (self.rows, self.deltas.len() - 1);
        let batch = Batch {
            student_logits: self.outputs[last].slice(s![..n, ..]),
            labels: &self.labels,
            teacher_logits,
            temperature,
            alpha,
        };
        method.loss_into(&batch, self.deltas[last].slice_mut(s![..n, ..]), self.scratch.slice_mut(s![..n, ..]))
    }

    /// The parameter gradients of the last [`Passes::backward`].
    pub fn gradients(&self) -> &[DenseGradient] {
        &self.gradients
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
    fn the_two_initialisations_draw_from_their_ranges() {
        let he = Mlp::with_init(&[64, 256, 10], Activation::Relu, Init::He, &mut Rng::new(1)).unwrap();
        let uniform = Mlp::with_init(&[64, 256, 10], Activation::Relu, Init::Uniform, &mut Rng::new(1)).unwrap();
        for (h, u) in he.layers.iter().zip(&uniform.layers) {
            let fan_in = h.weights.nrows() as f32;
            let (he_limit, uniform_limit) = ((6.0 / fan_in).sqrt(), 1.0 / fan_in.sqrt());
            assert!(h.weights.iter().all(|w| w.abs() <= he_limit) && h.bias.iter().all(|&b| b == 0.0));
            assert!(u.weights.iter().chain(&u.bias).all(|w| w.abs() <= uniform_limit));
            // the biases are drawn too, and the range is used: not all tiny
            assert!(u.bias.iter().any(|&b| b.abs() > uniform_limit / 2.0));
            assert!(u.weights.iter().any(|&w| w.abs() > uniform_limit * 0.99));
        }
    }

    #[test]
    fn wrong_input_width_is_an_error_not_a_panic() {
        let mut rng = Rng::new(0);
        let mlp = Mlp::new(&[2, 4, 3], Activation::Tanh, &mut rng).unwrap();
        assert!(mlp.forward(Array2::zeros((5, 3)).view()).is_err());
    }
}
