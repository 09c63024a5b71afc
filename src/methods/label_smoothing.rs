//! Label smoothing, the first "is it really dark knowledge?" control (Müller, Kornblith & Hinton
//! 2019; Yuan et al. 2020). The student learns exactly as by [`super::SoftLabels`] (the same T,
//! α, T² and KL), but from a soft label that keeps the teacher's *amount* of wrong-class
//! probability and throws away *which* wrong classes get it:
//!
//! ```text
//! m  = mean over the transfer set of (1 − p_t[y])       the teacher's wrong-class mass at T
//! ε  = m · K / (K − 1)                                  so that the smoothed label has the same mass
//! target = (1 − ε) · onehot(y) + ε / K                  every wrong class gets ε / K = m / (K − 1)
//! ```
//!
//! If the distilled student beats this one, what helped was the teacher's similarities between
//! classes, not merely softer targets. ε follows T (the teacher's mass grows with it), so a
//! change of T during training changes the targets from the next batch on.
//!
//! The targets are handed to the soft term as logits, `T · ln(target)`, whose softmax at T is the
//! target (a probability of 0 is floored at [`FLOOR`]).

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::error::Result;
use crate::losses::{check_labels, log_softmax_in_place};
use crate::math;

/// The smallest probability a target logit stands for (ε = 0 gives one-hot targets).
pub const FLOOR: f32 = 1e-30;

/// The teacher's mean wrong-class mass at `t`: `mean_i (1 − softmax(z_t,i / t)[y_i])`.
pub fn wrong_class_mass(teacher_logits: ArrayView2<f32>, labels: &[usize], t: f32) -> Result<f32> {
    check_labels(&teacher_logits, labels)?;
    let mut log_p = teacher_logits.to_owned();
    log_softmax_in_place(log_p.view_mut(), t);
    let sum: f64 = labels.iter().enumerate().map(|(i, &y)| 1.0 - f64::from(math::exp(log_p[[i, y]]))).sum();
    Ok((sum / labels.len().max(1) as f64) as f32)
}

/// The ε whose smoothed label has the wrong-class mass `mass` over `classes` classes,
/// `mass · K / (K − 1)`, within [0, 1].
pub fn matched_epsilon(mass: f32, classes: usize) -> f32 {
    let k = classes.max(2) as f32;
    (mass * k / (k - 1.0)).clamp(0.0, 1.0)
}

/// Writes into `targets` (batch, classes) the logits `t · ln((1 − ε) · onehot(y) + ε / K)` of
/// each row's smoothed label.
pub fn smoothed_logits_into(labels: &[usize], epsilon: f32, t: f32, mut targets: ArrayViewMut2<f32>) {
    let k = targets.ncols().max(1) as f32;
    let wrong = t * math::ln((epsilon / k).max(FLOOR));
    let right = t * math::ln((1.0 - epsilon + epsilon / k).max(FLOOR));
    for (mut row, &y) in targets.rows_mut().into_iter().zip(labels) {
        row.fill(wrong);
        if let Some(v) = row.get_mut(y) {
            *v = right;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::softmax;
    use ndarray::{array, Array2};

    #[test]
    fn the_smoothed_label_keeps_the_teachers_mass_and_spreads_it_evenly() {
        let teacher = array![[4.0f32, 1.0, 0.0, -1.0], [0.0, 3.0, 2.5, 0.0]];
        let labels = [0usize, 1];
        let t = 3.0;
        let mass = wrong_class_mass(teacher.view(), &labels, t).unwrap();
        let p = softmax(teacher.view(), t);
        let expected = ((1.0 - p[[0, 0]]) + (1.0 - p[[1, 1]])) / 2.0;
        assert!((mass - expected).abs() < 1e-6);
        let epsilon = matched_epsilon(mass, 4);
        let mut targets = Array2::zeros((2, 4));
        smoothed_logits_into(&labels, epsilon, t, targets.view_mut());
        let q = softmax(targets.view(), t);
        for (i, &y) in labels.iter().enumerate() {
            assert!((1.0 - q[[i, y]] - mass).abs() < 1e-5, "row {i}: wrong-class mass {}", 1.0 - q[[i, y]]);
            let wrong: Vec<f32> = (0..4).filter(|&k| k != y).map(|k| q[[i, k]]).collect();
            assert!(wrong.iter().all(|&w| (w - mass / 3.0).abs() < 1e-5), "{wrong:?}");
        }
    }

    #[test]
    fn no_mass_is_the_hard_label_and_the_limits_hold() {
        assert_eq!(matched_epsilon(0.0, 10), 0.0);
        assert_eq!(matched_epsilon(0.95, 10), 1.0); // more than (K − 1)/K: uniform
        let mut targets = Array2::zeros((1, 3));
        smoothed_logits_into(&[2], 0.0, 4.0, targets.view_mut());
        let q = softmax(targets.view(), 4.0);
        assert!(q[[0, 2]] > 0.999_999 && q.iter().all(|v| v.is_finite()));
    }
}
