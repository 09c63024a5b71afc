//! What a soft label carries, made measurable: how the teacher's probabilities change as the
//! temperature sweeps its range, their entropy, the mass `1 − max p` on the wrong classes, the
//! per-class pull of the soft and hard terms on the student's logits (and how the soft pull
//! changes with T, with and without the T² factor), and the teacher's mean soft label per true
//! class (which classes it finds alike). The dark knowledge itself is *which* wrong classes get
//! probability and how much (the soft label's small entries, the mean soft label's off-diagonal);
//! `1 − max p` is only their total, and tends to (K − 1)/K for every sample as T grows.

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::error::{KdError, Result};
use crate::losses::{cross_entropy, softmax};
use crate::math;
use crate::methods::SoftLoss;

/// Entropy in bits, `H(p) = −Σ_k p_k log₂ p_k`, with `0 · log 0 = 0`.
pub fn entropy_bits(probabilities: &[f32]) -> f32 {
    -probabilities.iter().filter(|&&p| p > 0.0).map(|&p| p * math::log2(p)).sum::<f32>()
}

/// The probability mass on the classes other than the most likely one: `1 − max_k p_k`.
pub fn wrong_class_mass(probabilities: &[f32]) -> f32 {
    1.0 - probabilities.iter().cloned().fold(0.0, f32::max)
}

/// `n` temperatures spaced evenly in log T from `low` to `high` (both included).
pub fn log_spaced(low: f32, high: f32, n: usize) -> Vec<f32> {
    if n < 2 || !(low > 0.0 && high > low) {
        return vec![low];
    }
    let (a, b) = (math::ln(low), math::ln(high));
    (0..n).map(|i| math::exp(a + (b - a) * i as f32 / (n - 1) as f32)).collect()
}

/// One set of logits' softmax at each of a range of temperatures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemperatureSweep {
    pub temperatures: Vec<f32>,
    /// `probabilities[i][k]` = softmax(z / temperatures[i])_k
    pub probabilities: Vec<Vec<f32>>,
}

/// `softmax(z/T)` of `logits` at each of `temperatures`.
pub fn temperature_sweep(logits: &[f32], temperatures: &[f32]) -> TemperatureSweep {
    let row = ArrayView2::from_shape((1, logits.len()), logits);
    let probabilities = match row {
        Ok(row) => temperatures.iter().map(|&t| softmax(row, t).row(0).to_vec()).collect(),
        Err(_) => Vec::new(),
    };
    TemperatureSweep { temperatures: temperatures.to_vec(), probabilities }
}

/// The per-class gradient of each term of the loss with respect to one sample's student logits
/// (a batch of one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleGradients {
    /// `d/dz_s [α · T² · KL] = α · T · (q − p)`, q = softmax(z_s/T), p = softmax(z_t/T)
    pub soft: Vec<f32>,
    /// `d/dz_s [(1 − α) · CE] = (1 − α) · (softmax(z_s) − y)`
    pub hard: Vec<f32>,
    /// `soft + hard`: the whole loss's gradient
    pub total: Vec<f32>,
    /// `d/dz_s [α · KL] = α · (q − p) / T`: the soft term's pull if the loss had no T² factor,
    /// smaller than `soft` by exactly 1/T²
    pub soft_without_t2: Vec<f32>,
    /// Euclidean norms of the above
    pub soft_norm: f32,
    pub hard_norm: f32,
    pub soft_without_t2_norm: f32,
}

/// The soft term's pull on one sample's student logits at one temperature: `‖α·T·(q − p)‖` with
/// the T² factor and `‖α·(q − p)/T‖` without it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SoftPullAt {
    pub temperature: f32,
    pub soft_norm: f32,
    pub soft_without_t2_norm: f32,
}

/// The temperatures at which [`SoftPullAt`] is shown: the soft pull without T² shrinks about as
/// 1/T² across them, with T² it stays of one size at the higher ones (Hinton et al. 2015, §2).
pub const PULL_TEMPERATURES: [f32; 5] = [1.0, 2.0, 4.0, 8.0, 16.0];

fn norm(values: &[f32]) -> f32 {
    values.iter().map(|v| v * v).sum::<f32>().sqrt()
}

/// The gradients of the soft and hard terms for one sample, from the same functions that train
/// the student.
pub fn sample_gradients(
    kind: SoftLoss,
    student_logits: &[f32],
    teacher_logits: &[f32],
    label: usize,
    temperature: f32,
    alpha: f32,
) -> Result<SampleGradients> {
    let shape =
        |v: &[f32]| Array2::from_shape_vec((1, v.len()), v.to_vec()).map_err(|e| KdError::Internal(e.to_string()));
    let (student, teacher) = (shape(student_logits)?, shape(teacher_logits)?);
    // T·(q − p) for KL; (z̃_s − z̃_t)/K for logit matching
    let soft_part = kind.soft_term(student.view(), teacher.view(), temperature)?.gradient;
    let hard_part = cross_entropy(student.view(), &[label])?.gradient; // softmax(z_s) − y
    let soft: Vec<f32> = soft_part.iter().map(|g| alpha * g).collect();
    let hard: Vec<f32> = hard_part.iter().map(|g| (1.0 - alpha) * g).collect();
    let total = soft.iter().zip(&hard).map(|(s, h)| s + h).collect();
    // Logit matching has no T² to take out.
    let t2 = if kind == SoftLoss::Kl { temperature * temperature } else { 1.0 };
    let soft_without_t2: Vec<f32> = soft.iter().map(|g| g / t2).collect();
    Ok(SampleGradients {
        soft_norm: norm(&soft),
        hard_norm: norm(&hard),
        soft_without_t2_norm: norm(&soft_without_t2),
        soft,
        hard,
        total,
        soft_without_t2,
    })
}

/// The teacher's mean soft label per true class, `M[c][k] = mean over samples of class c of
/// softmax(z_t/T)_k`: row c says how much the teacher, shown a c, thinks of each class.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassSimilarity {
    pub temperature: f32,
    /// (classes, classes)
    pub matrix: Vec<Vec<f32>>,
    /// Samples of each true class averaged over.
    pub counts: Vec<usize>,
}

/// [`ClassSimilarity`] of teacher logits (samples, classes) with their true labels.
pub fn class_similarity(
    teacher_logits: ArrayView2<f32>,
    labels: &[usize],
    temperature: f32,
) -> Result<ClassSimilarity> {
    let classes = teacher_logits.ncols();
    if labels.len() != teacher_logits.nrows() || labels.iter().any(|&y| y >= classes) {
        return Err(KdError::Internal("labels do not match the teacher's logits".into()));
    }
    let probabilities = softmax(teacher_logits, temperature); // (samples, classes)
    let mut sums = vec![vec![0.0f64; classes]; classes];
    let mut counts = vec![0usize; classes];
    for (row, &label) in probabilities.rows().into_iter().zip(labels) {
        counts[label] += 1;
        for (sum, &p) in sums[label].iter_mut().zip(row.iter()) {
            *sum += p as f64;
        }
    }
    let matrix = sums
        .iter()
        .zip(&counts)
        .map(|(row, &n)| row.iter().map(|&s| if n > 0 { (s / n as f64) as f32 } else { 0.0 }).collect())
        .collect();
    Ok(ClassSimilarity { temperature, matrix, counts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn entropy_and_dark_knowledge_of_known_distributions() {
        assert_eq!(entropy_bits(&[1.0, 0.0, 0.0]), 0.0);
        assert!((entropy_bits(&[0.25; 4]) - 2.0).abs() < 1e-6);
        assert!((wrong_class_mass(&[0.7, 0.2, 0.1]) - 0.3).abs() < 1e-6);
    }

    #[test]
    fn a_higher_temperature_flattens_the_soft_label() {
        let temperatures = log_spaced(0.5, 20.0, 30);
        assert_eq!(temperatures.len(), 30);
        assert!((temperatures[0] - 0.5).abs() < 1e-5 && (temperatures[29] - 20.0).abs() < 1e-3);
        let sweep = temperature_sweep(&[3.0, 1.0, -2.0], &temperatures);
        let entropies: Vec<f32> = sweep.probabilities.iter().map(|p| entropy_bits(p)).collect();
        assert!(entropies.windows(2).all(|w| w[1] >= w[0] - 1e-6), "entropy grows with T: {entropies:?}");
        assert!(entropies[29] > 1.5 && entropies[0] < 0.2, "{entropies:?}");
    }

    #[test]
    fn gradients_match_the_closed_form_and_the_t2_factor() {
        let (student, teacher, label, t, alpha) = ([0.5f32, -1.0, 2.0], [2.0f32, 0.0, 1.0], 0usize, 4.0f32, 0.7f32);
        let g = sample_gradients(SoftLoss::Kl, &student, &teacher, label, t, alpha).unwrap();
        let q = softmax(array![[0.5f32, -1.0, 2.0]].view(), t);
        let p = softmax(array![[2.0f32, 0.0, 1.0]].view(), t);
        for k in 0..3 {
            let expected = alpha * t * (q[[0, k]] - p[[0, k]]);
            assert!((g.soft[k] - expected).abs() < 1e-6);
            assert!((g.soft_without_t2[k] * t * t - g.soft[k]).abs() < 1e-6);
            assert!((g.total[k] - g.soft[k] - g.hard[k]).abs() < 1e-7);
        }
        assert!((g.soft_norm / g.soft_without_t2_norm - t * t).abs() < 1e-3);
    }

    #[test]
    fn class_similarity_rows_are_mean_soft_labels() {
        let logits = array![[4.0f32, 1.0], [3.0, 0.0], [0.0, 2.0]];
        let m = class_similarity(logits.view(), &[0, 0, 1], 1.0).unwrap();
        assert_eq!(m.counts, vec![2, 1]);
        for row in &m.matrix {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        let first = softmax(logits.view(), 1.0);
        assert!((m.matrix[0][1] - (first[[0, 1]] + first[[1, 1]]) / 2.0).abs() < 1e-6);
        assert!(class_similarity(logits.view(), &[0, 2, 1], 1.0).is_err());
    }
}
