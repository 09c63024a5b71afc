//! Int8 post-training quantization (static, symmetric): each layer's weights become i8 with one
//! scale per output neuron (per channel), and each layer's input one scale for the whole tensor,
//! measured on a calibration set drawn from the training split. The forward pass runs in
//! integers ([`super::int8`]) and goes back to f32 for the bias and the activation:
//!
//! ```text
//! s_w[j] = max_p |W[p,j]| / 127      W_q[p,j] = round(W[p,j] / s_w[j])
//! s_x    = max over the calibration set of |x| / 127      x_q = round(clamp(x / s_x, ±127))
//! z[i,j] = (Σ_p x_q[i,p] · W_q[p,j]) · s_x · s_w[j] + b[j]
//! ```
//!
//! The biases stay in f32 (one per output neuron: a small part of the bytes).

use ndarray::{Array2, ArrayView2};

use super::int8::{matmul_i8, MAX_DEPTH};
use crate::error::{KdError, Result};
use crate::network::{Activation, Mlp};

/// One quantized dense layer.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedLayer {
    pub inputs: usize,
    pub outputs: usize,
    /// The weights transposed, row `j` is output neuron `j`'s (outputs × inputs), in i8.
    pub weights: Vec<i8>,
    /// Per output neuron (outputs).
    pub weight_scales: Vec<f32>,
    /// The scale of this layer's input.
    pub input_scale: f32,
    /// (outputs), in f32.
    pub bias: Vec<f32>,
}

/// An MLP whose layers are [`QuantizedLayer`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedMlp {
    pub layers: Vec<QuantizedLayer>,
    pub activation: Activation,
}

/// `x` to i8 with scale `scale`: clamped to ±127, then rounded to nearest, halves away from zero
/// (by adding ±0.5 and truncating: no rounding instruction needed, and the loop vectorises). NaN
/// is clamped to −127 (`f32::max` ignores it); a finite network never produces one.
#[inline(always)]
#[allow(clippy::manual_clamp)] // max/min, not clamp: NaN must not reach the unchecked conversion
fn quantize_value(x: f32, scale: f32) -> i8 {
    let t = (x / scale).max(-127.0).min(127.0);
    let rounded = t + 0.5_f32.copysign(t);
    // SAFETY: `rounded` is finite and within ±127.5, so its integer part fits an i32.
    unsafe { rounded.to_int_unchecked::<i32>() as i8 }
}

/// A scale that maps `largest` to 127 (1 when everything is 0, so that nothing divides by 0).
fn scale_of(largest: f32) -> f32 {
    if largest > 0.0 && largest.is_finite() {
        largest / 127.0
    } else {
        1.0
    }
}

impl QuantizedMlp {
    /// Quantizes `network` with input scales measured on `calibration` (samples, features): each
    /// layer's input is the f32 network's own output of the layer below on those samples.
    pub fn quantize(network: &Mlp, calibration: ArrayView2<f32>) -> Result<QuantizedMlp> {
        if calibration.nrows() == 0 {
            return Err(KdError::Internal("quantizing with an empty calibration set".into()));
        }
        let cache = network.forward_cached(calibration)?;
        let mut layers = Vec::with_capacity(network.layers.len());
        for (l, layer) in network.layers.iter().enumerate() {
            let (inputs, outputs) = layer.weights.dim();
            if inputs > MAX_DEPTH {
                return Err(KdError::Internal(format!("a layer of {inputs} inputs is too wide for the int8 kernel")));
            }
            let input = &cache.outputs[l]; // the input of layer l on the calibration set
            let input_scale = scale_of(input.iter().fold(0.0_f32, |m, &v| m.max(v.abs())));
            let mut weights = vec![0i8; inputs * outputs];
            let mut weight_scales = Vec::with_capacity(outputs);
            for (j, column) in layer.weights.columns().into_iter().enumerate() {
                let scale = scale_of(column.iter().fold(0.0_f32, |m, &v| m.max(v.abs())));
                weight_scales.push(scale);
                for (p, &w) in column.iter().enumerate() {
                    weights[j * inputs + p] = quantize_value(w, scale);
                }
            }
            layers.push(QuantizedLayer {
                inputs,
                outputs,
                weights,
                weight_scales,
                input_scale,
                bias: layer.bias.to_vec(),
            });
        }
        Ok(QuantizedMlp { layers, activation: network.activation })
    }

    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, |l| l.inputs)
    }

    pub fn classes(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    /// Weights and biases (the scales are not parameters of the network).
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|l| l.weights.len() + l.bias.len()).sum()
    }

    /// Weights and biases that are not zero.
    pub fn nonzero_parameters(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.iter().filter(|&&w| w != 0).count() + l.bias.iter().filter(|&&b| b != 0.0).count())
            .sum()
    }

    /// The logits for a batch (samples, features) → (samples, classes), in integer arithmetic
    /// between the layers' f32 biases and activations.
    pub fn forward(&self, input: ArrayView2<f32>) -> Result<Array2<f32>> {
        if input.ncols() != self.inputs() {
            return Err(KdError::Internal(format!(
                "the network takes {} features, the input has {}",
                self.inputs(),
                input.ncols()
            )));
        }
        let rows = input.nrows();
        let first = input.as_standard_layout(); // borrowed when the rows are contiguous
        let first = first.as_slice().ok_or_else(|| KdError::Internal("an input without contiguous rows".into()))?;
        let mut current: Vec<f32> = Vec::new(); // the layer's input after the first, row-major
        let mut quantized: Vec<i8> = Vec::new();
        let mut accumulators: Vec<i32> = Vec::new();
        let last = self.layers.len().saturating_sub(1);
        for (l, layer) in self.layers.iter().enumerate() {
            let input = if l == 0 { first } else { &current[..] };
            quantized.clear();
            quantized.extend(input.iter().map(|&x| quantize_value(x, layer.input_scale)));
            accumulators.clear();
            accumulators.resize(rows * layer.outputs, 0);
            matmul_i8(&quantized, &layer.weights, layer.inputs, &mut accumulators);
            let scales: Vec<f32> = layer.weight_scales.iter().map(|&s| layer.input_scale * s).collect();
            current.clear();
            current.resize(rows * layer.outputs, 0.0);
            for (out, acc) in
                current.chunks_exact_mut(layer.outputs.max(1)).zip(accumulators.chunks_exact(layer.outputs.max(1)))
            {
                for (((z, &a), &scale), &bias) in out.iter_mut().zip(acc).zip(&scales).zip(&layer.bias) {
                    *z = a as f32 * scale + bias;
                }
            }
            if l < last {
                match self.activation {
                    Activation::Relu => current.iter_mut().for_each(|z| *z = z.max(0.0)),
                    Activation::Tanh => current.iter_mut().for_each(|z| *z = crate::math::tanh(*z)),
                }
            }
        }
        Array2::from_shape_vec((rows, self.classes()), current).map_err(|e| KdError::Internal(e.to_string()))
    }

    /// The f32 network these integers stand for (weights `W_q · s_w`): what the int8 network
    /// computes, up to the rounding of its inputs.
    pub fn dequantized(&self) -> Mlp {
        let layers = self
            .layers
            .iter()
            .map(|l| crate::network::Dense {
                weights: Array2::from_shape_fn((l.inputs, l.outputs), |(p, j)| {
                    f32::from(l.weights[j * l.inputs + p]) * l.weight_scales[j]
                }),
                bias: ndarray::Array1::from(l.bias.clone()),
            })
            .collect();
        Mlp { layers, activation: self.activation }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn the_int8_network_computes_what_its_dequantized_weights_do() {
        let mut rng = Rng::new(5);
        let network = Mlp::new(&[6, 20, 9, 4], Activation::Relu, &mut rng).unwrap();
        let x = Array2::from_shape_fn((40, 6), |_| rng.normal() as f32);
        let q = QuantizedMlp::quantize(&network, x.view()).unwrap();
        assert_eq!(q.parameter_count(), network.parameter_count());
        let int8 = q.forward(x.view()).unwrap();
        let float = network.forward(x.view()).unwrap();
        // per-channel weights and per-tensor inputs at 8 bits: the logits agree to about 1 % of
        // their range, and nearly every prediction is the same
        let range = float.iter().fold(0.0_f32, |m, &v| m.max(v.abs()));
        let worst = int8.iter().zip(&float).map(|(a, b)| (a - b).abs()).fold(0.0_f32, f32::max);
        assert!(worst < 0.05 * range, "worst {worst} of range {range}");
        let agree = crate::losses::argmax_rows(int8.view())
            .iter()
            .zip(crate::losses::argmax_rows(float.view()))
            .filter(|(a, b)| **a == *b)
            .count();
        assert!(agree >= 38, "{agree} of 40");
        // every weight is within half a step of its f32 value
        for (layer, dense) in q.layers.iter().zip(&network.layers) {
            for j in 0..layer.outputs {
                for p in 0..layer.inputs {
                    let back = f32::from(layer.weights[j * layer.inputs + p]) * layer.weight_scales[j];
                    assert!((back - dense.weights[[p, j]]).abs() <= 0.5 * layer.weight_scales[j] * 1.0001);
                }
                assert!(layer.weights[j * layer.inputs..(j + 1) * layer.inputs].iter().any(|w| w.abs() == 127));
            }
        }
    }

    #[test]
    fn inputs_outside_the_calibrated_range_are_clamped_not_wrapped() {
        assert_eq!(quantize_value(1000.0, 1.0), 127);
        assert_eq!(quantize_value(-1000.0, 1.0), -127);
        assert_eq!(quantize_value(f32::NAN, 1.0), -127);
        assert_eq!(quantize_value(2.5, 1.0), 3);
        assert_eq!(quantize_value(-2.5, 1.0), -3);
    }
}
