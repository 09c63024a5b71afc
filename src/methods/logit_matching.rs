//! Matching the teacher's logits (Caruana et al.; Hinton eq. 4): what the soft term becomes as T
//! grows. With `z̃ = z − mean_k z` (each row zero-meaned) and K classes:
//!
//! ```text
//! L = α · (1/2K) Σ_k (z̃_s,k − z̃_t,k)² + (1 − α) · CE(y, softmax(z_s))
//! dL/dz_s = α · (z̃_s − z̃_t) / (K·B) + (1 − α) · (softmax(z_s) − onehot(y)) / B
//! ```
//!
//! T does not enter it.

use ndarray::ArrayViewMut2;

use super::{teacher_logits, Batch, LossTerms, Method};
use crate::error::Result;
use crate::losses::{check_labels, cross_entropy_into, logit_matching};

/// The squared error between zero-meaned logits, with the hard labels.
#[derive(Debug, Clone, Copy)]
pub struct LogitMatching;

impl Method for LogitMatching {
    /// The soft term [`crate::losses::logit_matching`] (which allocates its difference), the hard
    /// term `CE`, and `α · soft + (1 − α) · hard`.
    fn loss_into(
        &self,
        batch: &Batch,
        mut gradient: ArrayViewMut2<f32>,
        mut scratch: ArrayViewMut2<f32>,
    ) -> Result<LossTerms> {
        check_labels(&batch.student_logits, batch.labels)?;
        let teacher = teacher_logits(batch, &[gradient.dim(), scratch.dim()])?;
        let alpha = batch.alpha;
        let soft = logit_matching(batch.student_logits, teacher)?;
        let hard = cross_entropy_into(batch.student_logits, batch.labels, scratch.view_mut())?;
        ndarray::Zip::from(&mut gradient)
            .and(&soft.gradient)
            .and(&scratch)
            .for_each(|g, &s, &h| *g = s * alpha + h * (1.0 - alpha));
        Ok(LossTerms { total: alpha * soft.loss + (1.0 - alpha) * hard, soft: soft.loss, hard })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::check_gradient;

    #[test]
    fn its_gradient_is_the_derivative_of_its_loss() {
        check_gradient(&LogitMatching);
    }
}
