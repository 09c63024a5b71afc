//! Softmax with temperature, cross-entropy, KL divergence and the distillation loss, each with its
//! gradient with respect to the student's logits. Row `i` of every matrix is sample `i`.
//!
//! ```text
//! L = α · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T))  +  (1 − α) · CE(y, softmax(z_s))
//!     └────────── soft term ──────────────────┘       └──────── hard term ────────┘
//! ```
//!
//! Both terms are batch means. The teacher's logits are constants: no gradient flows to them.
//! [`logit_matching`] is the squared error between zero-meaned logits, the limit of `T² · KL` at
//! high temperature (Hinton eq. 4). The methods of distillation ([`crate::methods`]) combine these.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::error::{KdError, Result};
use crate::math;

/// `softmax(z/T)` of each row: `p_k = exp((z_k − max z)/T) / Σ_j exp((z_j − max z)/T)`.
/// Each row's own maximum is subtracted, so large logits and small T cannot overflow.
pub fn softmax(logits: ArrayView2<f32>, temperature: f32) -> Array2<f32> {
    let mut probabilities = log_softmax(logits, temperature);
    probabilities.mapv_inplace(math::exp);
    probabilities
}

/// `log softmax(z/T)` of each row: `(z_k − max z)/T − log Σ_j exp((z_j − max z)/T)`, with each
/// row's own maximum subtracted.
pub fn log_softmax(logits: ArrayView2<f32>, temperature: f32) -> Array2<f32> {
    let mut out = logits.to_owned(); // (batch, classes)
    log_softmax_in_place(out.view_mut(), temperature);
    out
}

/// [`log_softmax`] in place, row by row.
pub fn log_softmax_in_place(mut values: ArrayViewMut2<f32>, temperature: f32) {
    for mut row in values.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| math::max(m, v));
        row.mapv_inplace(|v| (v - max) / temperature);
        let log_sum = math::ln(row.fold(0.0f32, |s, &v| s + math::exp(v)));
        row.mapv_inplace(|v| v - log_sum);
    }
}

/// Index of each row's largest value (the predicted class).
pub fn argmax_rows(values: ArrayView2<f32>) -> Vec<usize> {
    values
        .rows()
        .into_iter()
        .map(|row| {
            let mut best = 0;
            for (k, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = k;
                }
            }
            best
        })
        .collect()
}

/// Checks that there is one label per row of `logits` and each names a class.
pub(crate) fn check_labels(logits: &ArrayView2<f32>, labels: &[usize]) -> Result<()> {
    if labels.len() != logits.nrows() {
        return Err(KdError::Internal(format!("{} labels for {} rows of logits", labels.len(), logits.nrows())));
    }
    if let Some(&bad) = labels.iter().find(|&&y| y >= logits.ncols()) {
        return Err(KdError::Internal(format!("label {bad} is out of range for {} classes", logits.ncols())));
    }
    Ok(())
}

/// A loss value (batch mean) and its gradient with respect to the logits (batch, classes).
#[derive(Debug, Clone)]
pub struct LossAndGradient {
    pub loss: f32,
    pub gradient: Array2<f32>,
}

/// Cross-entropy with the hard labels at T = 1, batch mean:
/// `CE = −(1/B) Σ_i log softmax(z_i)[y_i]`, and `dCE/dz = (softmax(z) − onehot(y)) / B`.
pub fn cross_entropy(logits: ArrayView2<f32>, labels: &[usize]) -> Result<LossAndGradient> {
    let mut gradient = Array2::zeros(logits.dim()); // (batch, classes)
    let loss = cross_entropy_into(logits, labels, gradient.view_mut())?;
    Ok(LossAndGradient { loss, gradient })
}

/// The loss of [`cross_entropy`] alone, the same bits, without computing the gradient: what an
/// epoch's measurement needs.
pub fn cross_entropy_loss(logits: ArrayView2<f32>, labels: &[usize]) -> Result<f32> {
    check_labels(&logits, labels)?;
    let mut log_probabilities = Array2::zeros(logits.dim()); // (batch, classes)
    Ok(cross_entropy_of(logits, labels, log_probabilities.view_mut()))
}

/// `CE = −(1/B) Σ_i log softmax(z_i)[y_i]`, leaving `log softmax(z)` in `log_probabilities`
/// (batch, classes): the arithmetic every cross-entropy here shares. The labels must be checked.
pub(crate) fn cross_entropy_of(
    logits: ArrayView2<f32>,
    labels: &[usize],
    mut log_probabilities: ArrayViewMut2<f32>,
) -> f32 {
    let batch = logits.nrows().max(1) as f32;
    log_probabilities.assign(&logits);
    log_softmax_in_place(log_probabilities.view_mut(), 1.0);
    -labels.iter().enumerate().map(|(i, &y)| log_probabilities[[i, y]]).sum::<f32>() / batch
}

/// [`cross_entropy`] writing its gradient into `gradient` (batch, classes), without allocating;
/// returns the loss.
pub fn cross_entropy_into(logits: ArrayView2<f32>, labels: &[usize], mut gradient: ArrayViewMut2<f32>) -> Result<f32> {
    check_labels(&logits, labels)?;
    if gradient.dim() != logits.dim() {
        return Err(KdError::Internal(format!("a gradient of {:?} for logits of {:?}", gradient.dim(), logits.dim())));
    }
    let batch = logits.nrows().max(1) as f32;
    let loss = cross_entropy_of(logits, labels, gradient.view_mut()); // log-probabilities for now
    gradient.mapv_inplace(math::exp);
    for (i, &y) in labels.iter().enumerate() {
        gradient[[i, y]] -= 1.0;
    }
    gradient /= batch;
    Ok(loss)
}

/// Per-sample `KL(p ‖ q) = Σ_k p_k (log p_k − log q_k)` with `p = softmax(z_t/T)` and
/// `q = softmax(z_s/T)`, and `0 · log 0 = 0` (terms where `p_k = 0` contribute nothing, even when
/// `log q_k = −∞`). Evaluated in f64 from the f32 logits: when p ≈ q the log-probabilities nearly
/// cancel, and the T² in front of the soft term would magnify f32 rounding. KL is never negative;
/// what rounding leaves below zero is clamped at 0.
pub fn kl_divergence_rows(
    teacher_logits: ArrayView2<f32>,
    student_logits: ArrayView2<f32>,
    temperature: f32,
) -> Vec<f32> {
    teacher_logits
        .rows()
        .into_iter()
        .zip(student_logits.rows())
        .map(|(teacher, student)| kl_row(teacher, student, temperature))
        .collect()
}

/// The row's maximum and `log Σ exp((z − max)/T)`, in f64: `log softmax(z/T)_k` is
/// `(z_k − max)/T − log Σ`.
fn log_softmax_f64_constants(row: ndarray::ArrayView1<f32>, temperature: f32) -> (f64, f64) {
    let t = temperature as f64;
    let max = row.fold(f64::NEG_INFINITY, |m, &v| math::max_f64(m, v as f64));
    let log_sum = math::ln_f64(row.iter().map(|&v| math::exp_f64((v as f64 - max) / t)).sum::<f64>());
    (max, log_sum)
}

/// One row of [`kl_divergence_rows`], in f64 with each row's maximum subtracted, without
/// allocating.
pub(crate) fn kl_row(teacher: ndarray::ArrayView1<f32>, student: ndarray::ArrayView1<f32>, temperature: f32) -> f32 {
    let t = temperature as f64;
    let (max_p, log_sum_p) = log_softmax_f64_constants(teacher, temperature);
    let (max_q, log_sum_q) = log_softmax_f64_constants(student, temperature);
    let kl: f64 = teacher
        .iter()
        .zip(student.iter())
        .map(|(&zt, &zs)| {
            let lp = (zt as f64 - max_p) / t - log_sum_p;
            let lq = (zs as f64 - max_q) / t - log_sum_q;
            let p = math::exp_f64(lp);
            if p == 0.0 {
                0.0
            } else {
                p * (lp - lq)
            }
        })
        .sum();
    math::max_f64(kl, 0.0) as f32
}

/// The soft (distillation) term, batch mean:
/// `T² · KL(softmax(z_t/T) ‖ softmax(z_s/T))`, and its gradient
/// `d/dz_s [T² · KL] = T · (softmax(z_s/T) − softmax(z_t/T)) / B`.
pub fn soft_term(
    student_logits: ArrayView2<f32>,
    teacher_logits: ArrayView2<f32>,
    temperature: f32,
) -> Result<LossAndGradient> {
    if student_logits.dim() != teacher_logits.dim() {
        return Err(KdError::Internal(format!(
            "student logits {:?} and teacher logits {:?} differ in shape",
            student_logits.dim(),
            teacher_logits.dim()
        )));
    }
    let batch = student_logits.nrows().max(1) as f32;
    let kl_sum: f32 = kl_divergence_rows(teacher_logits, student_logits, temperature).iter().sum();
    let t2 = temperature * temperature;
    let loss = t2 * kl_sum / batch;
    // T · (q − p) / B, with p and q the teacher's and the student's softmax at T: (batch, classes)
    let gradient =
        (softmax(student_logits, temperature) - softmax(teacher_logits, temperature)) * (temperature / batch);
    Ok(LossAndGradient { loss, gradient })
}

/// Logit matching, batch mean: `(1/2K) Σ_k (z̃_s,k − z̃_t,k)²` with `z̃ = z − mean_k z` (each row
/// zero-meaned) and K classes, and its gradient `(z̃_s − z̃_t) / (K·B)`.
///
/// Why 1/K: for zero-meaned logits and a large T, `softmax(z/T)_k ≈ (1 + z_k/T) / K`, so the
/// gradient of `T² · KL`, `T · (q − p)`, tends to `(z_s − z_t) / K`: the same as this one's
/// (Hinton eq. 4). `tests/gradients.rs` checks that the two agree as T grows.
pub fn logit_matching(student_logits: ArrayView2<f32>, teacher_logits: ArrayView2<f32>) -> Result<LossAndGradient> {
    if student_logits.dim() != teacher_logits.dim() {
        return Err(KdError::Internal(format!(
            "student logits {:?} and teacher logits {:?} differ in shape",
            student_logits.dim(),
            teacher_logits.dim()
        )));
    }
    let (batch, classes) = (student_logits.nrows().max(1) as f32, student_logits.ncols().max(1) as f32);
    let zero_meaned = |logits: ArrayView2<f32>| {
        let mut centred = logits.to_owned();
        for mut row in centred.rows_mut() {
            let mean = row.sum() / classes;
            row.mapv_inplace(|z| z - mean);
        }
        centred
    };
    let difference = zero_meaned(student_logits) - zero_meaned(teacher_logits); // (batch, classes)
    let loss =
        difference.iter().map(|d| (*d as f64) * (*d as f64)).sum::<f64>() / (2.0 * classes as f64 * batch as f64);
    let gradient = difference / (classes * batch);
    Ok(LossAndGradient { loss: loss as f32, gradient })
}

/// Fraction of rows whose largest logit is at the label.
pub fn accuracy(logits: ArrayView2<f32>, labels: &[usize]) -> f32 {
    if labels.is_empty() {
        return 0.0;
    }
    let correct = argmax_rows(logits).iter().zip(labels).filter(|(p, y)| p == y).count();
    correct as f32 / labels.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_cross_entropy_alone_has_the_bits_of_the_cross_entropy_with_its_gradient() {
        let logits = array![[2.0f32, -1.0, 0.5], [0.0, 0.0, 3.0], [-40.0, 60.0, 1e-3]];
        let labels = [0, 1, 2];
        let with_gradient = cross_entropy(logits.view(), &labels).unwrap().loss;
        assert_eq!(cross_entropy_loss(logits.view(), &labels).unwrap().to_bits(), with_gradient.to_bits());
        assert!(cross_entropy_loss(logits.view(), &[0, 1, 3]).is_err());
    }

    #[test]
    fn softmax_rows_sum_to_one_even_for_huge_logits() {
        let logits = array![[1000.0f32, 999.0, -1000.0], [-1e4, 1e4, 0.0]];
        for t in [0.05f32, 1.0, 100.0] {
            let p = softmax(logits.view(), t);
            for row in p.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-5, "row {row} at T = {t}");
                assert!(row.iter().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn kl_uses_zero_log_zero() {
        // p = [1, 0] (the second class underflows to 0): its term is 0 · (log 0 − log q) = 0,
        // not NaN, and KL(p ‖ uniform) = log 2.
        let teacher = array![[0.0f32, -1e4]];
        let student = array![[3.0f32, 3.0]];
        let kl = kl_divergence_rows(teacher.view(), student.view(), 1.0);
        assert!((kl[0] - 2.0f32.ln()).abs() < 1e-6);
        let same = kl_divergence_rows(student.view(), student.view(), 0.05);
        assert_eq!(same[0], 0.0);
    }

    #[test]
    fn out_of_range_label_is_an_error() {
        assert!(cross_entropy(array![[0.0f32, 1.0]].view(), &[2]).is_err());
        assert!(cross_entropy(array![[0.0f32, 1.0]].view(), &[0, 1]).is_err());
    }
}
