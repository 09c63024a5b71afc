//! The reverse direction of the soft term: the student's soft label measured against the
//! teacher's, `KL(q ‖ p)` instead of Hinton's `KL(p ‖ q)`.
//!
//! ```text
//! L = α · T² · KL(q ‖ p) + (1 − α) · CE(y, softmax(z_s)),     p = softmax(z_t/T), q = softmax(z_s/T)
//! KL(q ‖ p) = Σ_k q_k (log q_k − log p_k)
//! dL/dz_s,k = α · T · q_k · ((log q_k − log p_k) − KL(q ‖ p)) / B + (1 − α) · (softmax(z_s) − onehot(y))_k / B
//! ```
//!
//! Forward KL is *mean-seeking*: wherever the teacher puts probability the student must too, or
//! `p_k log(p_k / q_k)` grows without bound, so the student spreads out (its entropy rises).
//! Reverse KL is *mode-seeking*: it costs little for the student to give a class almost nothing
//! (`q_k log(q_k / p_k) → 0` as `q_k → 0`), so the student may settle on the teacher's largest
//! classes and be more confident. Distilling large language models uses it for that reason
//! (Gu et al. 2024, MiniLLM): a small student cannot cover everything its teacher can say.

use ndarray::ArrayViewMut2;

use super::{teacher_logits, Batch, LossTerms, Method};
use crate::error::Result;
use crate::losses::{check_labels, log_softmax_in_place};
use crate::math;

/// Soft labels at T through the reverse KL, with the hard labels.
#[derive(Debug, Clone, Copy)]
pub struct ReverseKl;

impl Method for ReverseKl {
    /// The soft term `T² · KL(q ‖ p)` (batch mean, each row's KL summed in f64), the hard term
    /// `CE`, and `α · soft + (1 − α) · hard`.
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
        gradient.assign(&student);
        log_softmax_in_place(gradient.view_mut(), temperature); // log q
        scratch.assign(&teacher);
        log_softmax_in_place(scratch.view_mut(), temperature); // log p
        let mut kl_sum = 0.0f64;
        for (mut log_q, log_p) in gradient.rows_mut().into_iter().zip(scratch.rows()) {
            // KL(q ‖ p) of this row, then the row's gradient T · q_k · ((log q_k − log p_k) − KL) / B
            let kl: f64 = log_q
                .iter()
                .zip(log_p)
                .map(|(&lq, &lp)| f64::from(math::exp(lq)) * (f64::from(lq) - f64::from(lp)))
                .sum();
            kl_sum += kl;
            let factor = temperature / size * alpha;
            for (g, &lp) in log_q.iter_mut().zip(log_p) {
                let q = math::exp(*g);
                *g = q * ((*g - lp) - kl as f32) * factor;
            }
        }
        let soft = temperature * temperature * (kl_sum as f32) / size;
        let hard = super::add_hard_term(batch, gradient.view_mut(), scratch.view_mut());
        Ok(LossTerms { total: alpha * soft + (1.0 - alpha) * hard, soft, hard })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::{check_gradient, loss_of, SoftLabels};
    use ndarray::array;

    #[test]
    fn its_gradient_is_the_derivative_of_its_loss() {
        check_gradient(&ReverseKl);
    }

    /// An independent computation: the KL written out from its definition in f64.
    #[test]
    fn its_soft_term_is_the_kl_of_the_student_from_the_teacher() {
        let student = array![[1.0f32, -0.5, 2.0], [0.3, 0.2, -1.0]];
        let teacher = array![[3.0f32, 0.0, -1.0], [-0.5, 1.5, 0.5]];
        let t = 2.0f32;
        let softmax = |row: &[f32]| {
            let e: Vec<f64> = row.iter().map(|&z| (f64::from(z) / f64::from(t)).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.into_iter().map(|v| v / sum).collect::<Vec<f64>>()
        };
        let mut expected = 0.0;
        for i in 0..2 {
            let q = softmax(student.row(i).as_slice().unwrap());
            let p = softmax(teacher.row(i).as_slice().unwrap());
            expected += q.iter().zip(&p).map(|(q, p)| q * (q / p).ln()).sum::<f64>();
        }
        expected *= f64::from(t * t) / 2.0;
        let batch = Batch {
            student_logits: student.view(),
            labels: &[2, 1],
            teacher_logits: Some(teacher.view()),
            temperature: t,
            alpha: 1.0,
        };
        let (terms, _) = loss_of(&ReverseKl, &batch).unwrap();
        assert!((f64::from(terms.soft) - expected).abs() < 1e-5, "{} vs {expected}", terms.soft);
        // and it is not the forward KL
        let (forward, _) = loss_of(&SoftLabels, &batch).unwrap();
        assert!((forward.soft - terms.soft).abs() > 1e-2);
    }
}
