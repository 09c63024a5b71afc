//! Optimisers: SGD with momentum and Adam, updating an [`Mlp`]'s parameters in place from the
//! gradients of one batch.

use ndarray::{Array1, Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::error::{KdError, Result};
use crate::math;
use crate::network::{DenseGradient, Mlp};

/// Which update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OptimizerKind {
    /// `v ← μ·v + g`, `θ ← θ − η·v`, with momentum μ = [`SGD_MOMENTUM`].
    Sgd,
    /// Adam (Kingma & Ba, 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and bias correction.
    Adam,
}

crate::settings::choices!(OptimizerKind { Adam => "adam", Sgd => "sgd" });

/// The momentum of SGD.
pub const SGD_MOMENTUM: f32 = 0.9;
const ADAM_BETA1: f32 = 0.9;
const ADAM_BETA2: f32 = 0.999;
const ADAM_EPSILON: f32 = 1e-8;

/// Per-parameter state: the momentum (SGD) or first moment (Adam), and Adam's second moment.
#[derive(Debug, Clone)]
struct LayerState {
    first_weights: Array2<f32>,
    first_bias: Array1<f32>,
    second_weights: Array2<f32>,
    second_bias: Array1<f32>,
}

/// An optimiser bound to one network's shapes.
#[derive(Debug, Clone)]
pub struct Optimizer {
    pub kind: OptimizerKind,
    pub learning_rate: f32,
    /// Number of updates applied (Adam's bias correction uses it).
    pub steps: u32,
    state: Vec<LayerState>,
}

impl Optimizer {
    /// A fresh optimiser (zero state) for `network`.
    pub fn new(kind: OptimizerKind, learning_rate: f32, network: &Mlp) -> Self {
        let state = network
            .layers
            .iter()
            .map(|layer| LayerState {
                first_weights: Array2::zeros(layer.weights.dim()),
                first_bias: Array1::zeros(layer.bias.dim()),
                second_weights: Array2::zeros(layer.weights.dim()),
                second_bias: Array1::zeros(layer.bias.dim()),
            })
            .collect();
        Optimizer { kind, learning_rate, steps: 0, state }
    }

    /// Applies one update to `network` from `gradients` (one per layer, first layer first).
    pub fn step(&mut self, network: &mut Mlp, gradients: &[DenseGradient]) -> Result<()> {
        if gradients.len() != network.layers.len() || self.state.len() != network.layers.len() {
            return Err(KdError::Internal(
                "the optimiser, the network and the gradients disagree on the number of layers".into(),
            ));
        }
        self.steps += 1;
        let lr = self.learning_rate;
        match self.kind {
            OptimizerKind::Sgd => {
                for ((layer, grad), state) in network.layers.iter_mut().zip(gradients).zip(&mut self.state) {
                    sgd_update(&mut layer.weights, &mut state.first_weights, &grad.weights, lr);
                    sgd_update(&mut layer.bias, &mut state.first_bias, &grad.bias, lr);
                }
            }
            OptimizerKind::Adam => {
                let t = self.steps;
                // Bias-corrected step size: η · √(1 − β₂ᵗ) / (1 − β₁ᵗ).
                let correction1 = 1.0 - math::powi(ADAM_BETA1, t);
                let correction2 = 1.0 - math::powi(ADAM_BETA2, t);
                let adam = AdamStep { lr, correction1, correction2 };
                for ((layer, grad), state) in network.layers.iter_mut().zip(gradients).zip(&mut self.state) {
                    adam.update(&mut layer.weights, &mut state.first_weights, &mut state.second_weights, &grad.weights);
                    adam.update(&mut layer.bias, &mut state.first_bias, &mut state.second_bias, &grad.bias);
                }
            }
        }
        Ok(())
    }
}

/// `v ← μ·v + g`, `θ ← θ − η·v`.
fn sgd_update<D: ndarray::Dimension>(
    param: &mut ndarray::Array<f32, D>,
    velocity: &mut ndarray::Array<f32, D>,
    grad: &ndarray::Array<f32, D>,
    lr: f32,
) {
    Zip::from(param).and(velocity).and(grad).for_each(|p, v, &g| {
        *v = SGD_MOMENTUM * *v + g;
        *p -= lr * *v;
    });
}

struct AdamStep {
    lr: f32,
    correction1: f32,
    correction2: f32,
}

impl AdamStep {
    /// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − η · m̂ / (√v̂ + ε)` with
    /// `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
    fn update<D: ndarray::Dimension>(
        &self,
        param: &mut ndarray::Array<f32, D>,
        first: &mut ndarray::Array<f32, D>,
        second: &mut ndarray::Array<f32, D>,
        grad: &ndarray::Array<f32, D>,
    ) {
        // Three divisions and a square root per parameter: the update is bound by the divider.
        // From step 165 on, 1 − β₁ᵗ rounds to 1 in f32, and `m / 1` is `m`, bit for bit: that
        // division is left out then.
        if self.correction1 == 1.0 {
            self.update_with::<false, D>(param, first, second, grad);
        } else {
            self.update_with::<true, D>(param, first, second, grad);
        }
    }

    #[inline(always)]
    fn update_with<const CORRECT_FIRST: bool, D: ndarray::Dimension>(
        &self,
        param: &mut ndarray::Array<f32, D>,
        first: &mut ndarray::Array<f32, D>,
        second: &mut ndarray::Array<f32, D>,
        grad: &ndarray::Array<f32, D>,
    ) {
        Zip::from(param).and(first).and(second).and(grad).for_each(|p, m, v, &g| {
            *m = ADAM_BETA1 * *m + (1.0 - ADAM_BETA1) * g;
            *v = ADAM_BETA2 * *v + (1.0 - ADAM_BETA2) * g * g;
            let m_hat = if CORRECT_FIRST { *m / self.correction1 } else { *m };
            let v_hat = *v / self.correction2;
            *p -= self.lr * m_hat / (v_hat.sqrt() + ADAM_EPSILON);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Activation;
    use crate::rng::Rng;

    fn one_layer(value: f32) -> (Mlp, Vec<DenseGradient>) {
        let mut net = Mlp::new(&[1, 1], Activation::Relu, &mut Rng::new(0)).unwrap();
        net.layers[0].weights[[0, 0]] = value;
        let grad = DenseGradient { weights: Array2::from_elem((1, 1), 2.0), bias: Array1::from_elem(1, 2.0) };
        (net, vec![grad])
    }

    #[test]
    fn sgd_momentum_accumulates() {
        let (mut net, grads) = one_layer(1.0);
        let mut opt = Optimizer::new(OptimizerKind::Sgd, 0.1, &net);
        opt.step(&mut net, &grads).unwrap(); // v = 2, w = 1 − 0.2
        assert!((net.layers[0].weights[[0, 0]] - 0.8).abs() < 1e-6);
        opt.step(&mut net, &grads).unwrap(); // v = 0.9·2 + 2 = 3.8, w = 0.8 − 0.38
        assert!((net.layers[0].weights[[0, 0]] - 0.42).abs() < 1e-6);
    }

    #[test]
    fn adam_first_step_moves_by_the_learning_rate() {
        // With bias correction the first step is η · g/|g| (up to ε).
        let (mut net, grads) = one_layer(1.0);
        let mut opt = Optimizer::new(OptimizerKind::Adam, 0.01, &net);
        opt.step(&mut net, &grads).unwrap();
        assert!((net.layers[0].weights[[0, 0]] - 0.99).abs() < 1e-6);
        assert!((net.layers[0].bias[0] + 0.01).abs() < 1e-6);
    }
}
