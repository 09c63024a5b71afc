//! Magnitude pruning of a trained network, two ways:
//!
//! - **Unstructured** (weights): the weights of smallest magnitude are set to zero and kept there by
//!   a mask while the rest are fine-tuned. Magnitudes are compared across layers by their
//!   layer-adaptive score (LAMP, Lee et al. 2021): a weight's square over the sum of the squares of
//!   the weights of its layer at least as large, `w_u² / Σ_{|w_v| ≥ |w_u|} w_v²`. Within a layer
//!   the order is the magnitudes'; across layers the score keeps every layer's largest weight
//!   (its score is 1), so that pruning to 1–2 % of the weights never cuts a layer off, which plain
//!   global magnitude pruning does here.
//!   The matrices keep their shapes: without a sparse kernel the network computes exactly as much
//!   as before, and only a sparse file is smaller.
//! - **Structured** (neurons): whole hidden neurons go, those whose incoming and outgoing weights
//!   are smallest (`‖W_in[:, j]‖ · ‖W_out[j, :]‖`), so that the matrices really shrink; then the
//!   smaller network is fine-tuned.
//!
//! The unstructured mask grows gradually during the first half of fine-tuning, with the cubic
//! schedule of Zhu & Gupta (2017): sparsity `s_e = s · (1 − (1 − e/E)³)` after epoch `e` of `E`.

use ndarray::{Array1, Array2, Axis};

use crate::error::{BenchProblem, KdError, Result};
use crate::network::{Dense, Mlp};

/// Which weights stay (true) in each layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Mask {
    pub layers: Vec<Array2<bool>>,
}

impl Mask {
    /// Keeps the `keep` weights of largest layer-adaptive magnitude score over all layers (ties:
    /// the earlier layer, then the earlier weight, so that the same network always gives the same
    /// mask).
    pub fn largest(network: &Mlp, keep: usize) -> Mask {
        let mut all: Vec<(f32, usize, usize)> = Vec::new();
        for (l, layer) in network.layers.iter().enumerate() {
            all.extend(lamp_scores(&layer.weights).into_iter().enumerate().map(|(i, score)| (score, l, i)));
        }
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let mut layers: Vec<Array2<bool>> =
            network.layers.iter().map(|l| Array2::from_elem(l.weights.dim(), false)).collect();
        for &(_, l, i) in all.iter().take(keep) {
            let columns = layers[l].ncols();
            layers[l][[i / columns, i % columns]] = true;
        }
        Mask { layers }
    }

    /// Sets the masked-out weights of `network` to zero.
    pub fn apply(&self, network: &mut Mlp) {
        for (layer, mask) in network.layers.iter_mut().zip(&self.layers) {
            ndarray::Zip::from(&mut layer.weights).and(mask).for_each(|w, &keep| {
                if !keep {
                    *w = 0.0;
                }
            });
        }
    }

    /// Weights kept.
    pub fn kept(&self) -> usize {
        self.layers.iter().map(|m| m.iter().filter(|&&k| k).count()).sum()
    }
}

/// Each weight's LAMP score (in the order of `weights`' elements): `w_u² / Σ_{v ≥ u} w_v²` with the
/// weights sorted by magnitude, ascending (ties by position). Zero weights score 0.
pub fn lamp_scores(weights: &Array2<f32>) -> Vec<f32> {
    let squares: Vec<f64> = weights.iter().map(|&w| f64::from(w) * f64::from(w)).collect();
    let mut order: Vec<usize> = (0..squares.len()).collect();
    order.sort_by(|&a, &b| squares[a].total_cmp(&squares[b]).then(a.cmp(&b)));
    let mut scores = vec![0.0f32; squares.len()];
    let mut above = 0.0f64; // Σ of the squares from this weight up
    for &i in order.iter().rev() {
        above += squares[i];
        scores[i] = if above > 0.0 { (squares[i] / above) as f32 } else { 0.0 };
    }
    scores
}

/// Weights a network may keep so that, with its biases, it has at most `target` non-zero
/// parameters: an error when `network` is not larger than `target` already, or when its biases
/// alone reach it.
pub fn weight_budget(network: &Mlp, target: usize) -> Result<usize> {
    let parameters = network.parameter_count();
    if parameters <= target {
        return Err(KdError::Bench(BenchProblem::NothingToPrune { parameters, target }));
    }
    let biases: usize = network.layers.iter().map(|l| l.bias.len()).sum();
    if biases >= target {
        return Err(KdError::Bench(BenchProblem::TooSmallToPrune { least: biases + network.layers.len(), target }));
    }
    Ok(target - biases)
}

/// The weights to keep after fine-tuning epoch `epoch` (from 1) of a ramp of `ramp` epochs, from
/// `total` down to `keep` (the cubic schedule).
pub fn kept_after(epoch: usize, ramp: usize, total: usize, keep: usize) -> usize {
    if epoch >= ramp || ramp == 0 {
        return keep;
    }
    let sparsity = 1.0 - keep as f64 / total as f64;
    let progress = epoch as f64 / ramp as f64;
    let now = sparsity * (1.0 - (1.0 - progress).powi(3));
    ((1.0 - now) * total as f64).round().max(keep as f64) as usize
}

/// Parameters of an MLP with layer sizes `sizes`.
pub fn parameters_of(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|p| p[0] * p[1] + p[1]).sum()
}

/// The hidden widths, each the same fraction of `network`'s (at least 1), of the largest network
/// with at most `target` parameters.
pub fn neuron_widths(network: &Mlp, target: usize) -> Result<Vec<usize>> {
    let sizes = network.sizes();
    let parameters = network.parameter_count();
    if parameters <= target {
        return Err(KdError::Bench(BenchProblem::NothingToPrune { parameters, target }));
    }
    let (inputs, classes) = (sizes[0], sizes[sizes.len() - 1]);
    let hidden = &sizes[1..sizes.len() - 1];
    if hidden.is_empty() {
        return Err(KdError::Bench(BenchProblem::NoNeurons));
    }
    let widths_at = |fraction: f64| -> Vec<usize> {
        hidden.iter().map(|&w| ((w as f64 * fraction).floor() as usize).clamp(1, w)).collect()
    };
    let size_at = |widths: &[usize]| {
        let mut all = vec![inputs];
        all.extend_from_slice(widths);
        all.push(classes);
        parameters_of(&all)
    };
    let smallest = size_at(&vec![1; hidden.len()]);
    if smallest > target {
        return Err(KdError::Bench(BenchProblem::TooSmallToPrune { least: smallest, target }));
    }
    // the largest fraction whose widths fit: the sizes grow with the fraction, so bisect
    let (mut low, mut high) = (0.0_f64, 1.0_f64);
    for _ in 0..60 {
        let middle = 0.5 * (low + high);
        if size_at(&widths_at(middle)) <= target {
            low = middle;
        } else {
            high = middle;
        }
    }
    Ok(widths_at(low))
}

/// `network` with only the `widths[l]` most important neurons of each hidden layer `l` (in their
/// original order), importance being `‖incoming weights‖ · ‖outgoing weights‖`.
pub fn remove_neurons(network: &Mlp, widths: &[usize]) -> Result<Mlp> {
    let hidden = network.layers.len() - 1;
    if widths.len() != hidden {
        return Err(KdError::Internal(format!("{} widths for {hidden} hidden layers", widths.len())));
    }
    let mut layers: Vec<Dense> = network.layers.clone();
    for (l, &width) in widths.iter().enumerate() {
        let incoming = &layers[l];
        let outgoing = &layers[l + 1];
        let importance: Vec<f32> = (0..incoming.weights.ncols())
            .map(|j| {
                let w_in =
                    incoming.weights.column(j).iter().map(|w| w * w).sum::<f32>() + incoming.bias[j] * incoming.bias[j];
                let w_out = outgoing.weights.row(j).iter().map(|w| w * w).sum::<f32>();
                (w_in * w_out).sqrt()
            })
            .collect();
        let mut order: Vec<usize> = (0..importance.len()).collect();
        order.sort_by(|&a, &b| importance[b].total_cmp(&importance[a]).then(a.cmp(&b)));
        let mut kept: Vec<usize> = order.into_iter().take(width).collect();
        kept.sort_unstable();
        layers[l] = Dense {
            weights: incoming.weights.select(Axis(1), &kept),
            bias: Array1::from_iter(kept.iter().map(|&j| incoming.bias[j])),
        };
        let outgoing = &layers[l + 1];
        layers[l + 1] = Dense { weights: outgoing.weights.select(Axis(0), &kept), bias: outgoing.bias.clone() };
    }
    Ok(Mlp { layers, activation: network.activation })
}

/// Non-zero weights and biases of `network`.
pub fn nonzero_parameters(network: &Mlp) -> usize {
    network.layers.iter().map(|l| l.weights.iter().chain(&l.bias).filter(|&&v| v != 0.0).count()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Activation;
    use crate::rng::Rng;

    #[test]
    fn lamp_scores_follow_the_magnitudes_within_a_layer() {
        // |w| sorted: 1, 2, 3 → squares 1, 4, 9: scores 1/14, 4/13, 9/9
        let weights = Array2::from_shape_vec((1, 4), vec![-2.0, 0.0, 3.0, 1.0]).unwrap();
        let scores = lamp_scores(&weights);
        let expected = [4.0 / 13.0, 0.0, 1.0, 1.0 / 14.0];
        for (s, e) in scores.iter().zip(expected) {
            assert!((s - e).abs() < 1e-6, "{scores:?}");
        }
    }

    #[test]
    fn the_mask_keeps_the_largest_weights_of_each_layer_and_every_layer_keeps_one() {
        let mut network = Mlp::new(&[4, 6, 3], Activation::Relu, &mut Rng::new(1)).unwrap();
        // a layer of tiny weights: plain global magnitude pruning would remove all of it
        network.layers[1].weights.mapv_inplace(|w| w * 1e-3);
        let mask = Mask::largest(&network, 5);
        assert_eq!(mask.kept(), 5);
        let before = network.clone();
        mask.apply(&mut network);
        for (layer, original) in network.layers.iter().zip(&before.layers) {
            let kept: Vec<f32> = layer.weights.iter().filter(|w| **w != 0.0).map(|w| w.abs()).collect();
            assert!(!kept.is_empty(), "every layer keeps its largest weight");
            let smallest_kept = kept.iter().copied().fold(f32::INFINITY, f32::min);
            let pruned: Vec<f32> =
                original.weights.iter().zip(&layer.weights).filter(|(_, &w)| w == 0.0).map(|(o, _)| o.abs()).collect();
            assert!(pruned.iter().all(|&o| o <= smallest_kept), "within a layer, the largest stay");
        }
        // biases are not pruned
        assert_eq!(network.layers[0].bias, before.layers[0].bias);
    }

    #[test]
    fn the_schedule_ends_at_the_budget_and_never_goes_below_it() {
        let total = 1000;
        let steps: Vec<usize> = (0..=10).map(|e| kept_after(e, 10, total, 50)).collect();
        assert_eq!(steps[0], total);
        assert_eq!(steps[10], 50);
        assert!(steps.windows(2).all(|p| p[0] >= p[1]));
        // cubic: most of the pruning happens early
        assert!(steps[3] < total / 2);
    }

    #[test]
    fn removing_neurons_keeps_the_computation_of_the_kept_ones() {
        let mut rng = Rng::new(4);
        let mut network = Mlp::new(&[3, 8, 5, 2], Activation::Relu, &mut rng).unwrap();
        // make neurons 2 and 6 of the first layer dead: removing them changes nothing
        for j in [2, 6] {
            network.layers[1].weights.row_mut(j).fill(0.0);
        }
        let smaller = remove_neurons(&network, &[6, 5]).unwrap();
        assert_eq!(smaller.sizes(), vec![3, 6, 5, 2]);
        let x = Array2::from_shape_fn((7, 3), |_| rng.normal() as f32);
        let (a, b) = (network.forward(x.view()).unwrap(), smaller.forward(x.view()).unwrap());
        assert!(a.iter().zip(&b).all(|(p, q)| (p - q).abs() < 1e-5));
    }

    #[test]
    fn the_widths_fit_the_target_and_a_network_too_small_is_refused() {
        let network = Mlp::new(&[64, 256, 256, 10], Activation::Relu, &mut Rng::new(0)).unwrap();
        let widths = neuron_widths(&network, 1210).unwrap();
        assert_eq!(widths, vec![13, 13]); // 64·13+13 + 13·13+13 + 13·10+10 = 1167 ≤ 1210 < 1380 (14)
        assert!(parameters_of(&[64, 13, 13, 10]) <= 1210 && parameters_of(&[64, 14, 14, 10]) > 1210);
        assert!(matches!(
            neuron_widths(&network, 50),
            Err(KdError::Bench(BenchProblem::TooSmallToPrune { least: 87, target: 50 }))
        ));
        assert!(matches!(
            neuron_widths(&network, 10_000_000),
            Err(KdError::Bench(BenchProblem::NothingToPrune { .. }))
        ));
        assert!(matches!(weight_budget(&network, 400), Err(KdError::Bench(BenchProblem::TooSmallToPrune { .. }))));
        assert_eq!(weight_budget(&network, 1210).unwrap(), 1210 - 522);
    }
}
