//! Hinton, Vinyals & Dean (2015): the student learns from the teacher's soft labels at a
//! temperature T, and from the hard labels.
//!
//! ```text
//! L = α · T² · KL(p ‖ q) + (1 − α) · CE(y, softmax(z_s)),     p = softmax(z_t/T), q = softmax(z_s/T)
//! dL/dz_s = α · T · (q − p) / B + (1 − α) · (softmax(z_s) − onehot(y)) / B
//! ```
//!
//! The T² keeps the soft term's gradient on the same scale whatever T is, so that α alone sets the
//! terms' relative weight.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use super::{teacher_logits, Batch, LossTerms, Method};
use crate::error::Result;
use crate::losses::{check_labels, cross_entropy_of, kl_row, log_softmax_in_place};
use crate::math;

/// Soft labels at T, with the hard labels: Hinton's knowledge distillation.
#[derive(Debug, Clone, Copy)]
pub struct SoftLabels;

impl Method for SoftLabels {
    /// The soft term `T² · KL(p ‖ q)` (batch mean; KL in f64, with `0 · log 0 = 0`), the hard term
    /// `CE` and `α · soft + (1 − α) · hard`, term by term with the arithmetic of
    /// [`crate::losses::soft_term`] and [`crate::losses::cross_entropy`] (tested to give their bits).
    fn loss_into(
        &self,
        batch: &Batch,
        mut gradient: ArrayViewMut2<f32>,
        mut scratch: ArrayViewMut2<f32>,
    ) -> Result<LossTerms> {
        let student = batch.student_logits;
        check_labels(&student, batch.labels)?;
        let teacher = teacher_logits(batch, &[gradient.dim(), scratch.dim()])?;
        let (temperature, alpha) = (batch.temperature, batch.alpha);
        let size = student.nrows().max(1) as f32;
        // The soft term: T² · KL, batch mean, and α · T · (q − p) / B.
        let soft = soft_term(teacher, student, temperature);
        gradient.assign(&student);
        log_softmax_in_place(gradient.view_mut(), temperature);
        gradient.mapv_inplace(math::exp); // q = softmax(z_s/T)
        scratch.assign(&teacher);
        log_softmax_in_place(scratch.view_mut(), temperature);
        scratch.mapv_inplace(math::exp); // p = softmax(z_t/T)
        let factor = temperature / size;
        ndarray::Zip::from(&mut gradient).and(&scratch).for_each(|g, &p| *g = ((*g - p) * factor) * alpha);
        let hard = super::add_hard_term(batch, gradient.view_mut(), scratch.view_mut());
        Ok(LossTerms { total: alpha * soft + (1.0 - alpha) * hard, soft, hard })
    }

    /// The terms alone: the KL and the cross-entropy, without the three softmaxes of the gradient.
    fn loss(&self, batch: &Batch) -> Result<LossTerms> {
        let student = batch.student_logits;
        check_labels(&student, batch.labels)?;
        let mut log_probabilities = Array2::zeros(student.dim());
        let teacher = teacher_logits(batch, &[log_probabilities.dim()])?;
        let (temperature, alpha) = (batch.temperature, batch.alpha);
        let soft = soft_term(teacher, student, temperature);
        let hard = cross_entropy_of(student, batch.labels, log_probabilities.view_mut());
        Ok(LossTerms { total: alpha * soft + (1.0 - alpha) * hard, soft, hard })
    }
}

/// `T² · KL(p ‖ q)`, batch mean, each row's KL in f64 ([`kl_row`]).
fn soft_term(teacher: ArrayView2<f32>, student: ArrayView2<f32>, temperature: f32) -> f32 {
    let size = student.nrows().max(1) as f32;
    let kl_sum: f32 = teacher.rows().into_iter().zip(student.rows()).map(|(t, s)| kl_row(t, s, temperature)).sum();
    temperature * temperature * kl_sum / size
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::check_gradient;

    #[test]
    fn its_gradient_is_the_derivative_of_its_loss() {
        check_gradient(&SoftLabels);
    }
}
