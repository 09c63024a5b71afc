//! Learning from the hard labels alone: the teacher's method, and the control student's.
//!
//! ```text
//! L = CE(y, softmax(z)) = −(1/B) Σ_i log softmax(z_i)[y_i],     dL/dz = (softmax(z) − onehot(y)) / B
//! ```

use ndarray::ArrayViewMut2;

use super::{Batch, LossTerms, Method};
use crate::error::Result;
use crate::losses::cross_entropy_into;

/// Cross-entropy with the true labels at T = 1; the teacher's logits, T and α play no part.
#[derive(Debug, Clone, Copy)]
pub struct HardLabels;

impl Method for HardLabels {
    fn needs_teacher(&self) -> bool {
        false
    }

    /// `CE(y, softmax(z_s))`, reported as the hard term and the total (the soft term is 0);
    /// `dL/dz_s = (softmax(z_s) − onehot(y)) / B`.
    fn loss_into(
        &self,
        batch: &Batch,
        gradient: ArrayViewMut2<f32>,
        _scratch: ArrayViewMut2<f32>,
    ) -> Result<LossTerms> {
        let hard = cross_entropy_into(batch.student_logits, batch.labels, gradient)?;
        Ok(LossTerms { total: hard, soft: 0.0, hard })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::cross_entropy;
    use crate::methods::{check_gradient, loss_of};
    use ndarray::array;

    #[test]
    fn its_gradient_is_the_derivative_of_its_loss() {
        check_gradient(&HardLabels);
    }

    #[test]
    fn it_is_the_cross_entropy_whatever_the_teacher_t_and_alpha() {
        let logits = array![[2.0f32, -1.0, 0.5], [0.0, 0.0, 3.0]];
        let expected = cross_entropy(logits.view(), &[0, 1]).unwrap();
        for (temperature, alpha) in [(1.0, 0.0), (8.0, 0.9)] {
            let batch =
                Batch { student_logits: logits.view(), labels: &[0, 1], teacher_logits: None, temperature, alpha };
            let (terms, gradient) = loss_of(&HardLabels, &batch).unwrap();
            assert_eq!((terms.total, terms.soft, terms.hard), (expected.loss, 0.0, expected.loss));
            assert_eq!(gradient, expected.gradient);
        }
    }
}
