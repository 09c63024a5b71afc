//! FitNets (Romero et al. 2015): feature-based distillation. The student first learns to
//! reproduce one of the teacher's hidden layers — the *hint* — at one of its own — the *guided*
//! layer —, through a linear *regressor* (the two layers may differ in width); then it learns by
//! Hinton's distillation ([`super::SoftLabels`]) as usual:
//!
//! ```text
//! stage 1, the first `hintEpochs` epochs:   L_hint = (1 / (B · d_t)) Σ_i ‖W_r · h_s,i + b_r − h_t,i‖²
//!                                           (the guided layer and those below it, and the regressor)
//! stage 2, the remaining epochs:            L = α · T² · KL(p_t ‖ q_s) + (1 − α) · CE     (the whole student)
//! dL_hint/dr = 2 (r − h_t) / (B · d_t)
//! ```
//!
//! The guided layer is the student's hidden layer `hintLayer`; the hint is the teacher's hidden
//! layer at the same relative depth ([`teacher_layer`]). Stage 1 counts within the student's
//! epochs, so the FitNets student and its control train for as long. The session's
//! `students` module runs the stages; this file holds the hint's loss, as a [`Method`] whose
//! "student logits" are the regressor's outputs and whose "teacher logits" are the hint.

use ndarray::ArrayViewMut2;

use super::{teacher_logits, Batch, LossTerms, Method};
use crate::error::Result;

/// The teacher's hidden layer (from 1) at the relative depth of the student's hidden layer
/// `student_layer` (from 1): `⌈student_layer · teacher_layers / student_layers⌉`. A one-layer
/// student's only hidden layer is guided by the teacher's last.
pub fn teacher_layer(student_layer: usize, student_layers: usize, teacher_layers: usize) -> usize {
    (student_layer * teacher_layers).div_ceil(student_layers.max(1)).clamp(1, teacher_layers.max(1))
}

/// The hint's mean squared error; labels, T and α play no part.
#[derive(Debug, Clone, Copy)]
pub struct Hint;

impl Method for Hint {
    /// `L = (1 / (B · d)) Σ (r − h_t)²` over the batch and the hint's `d` units, reported as the
    /// total and the soft term (the hard term is 0); `dL/dr = 2 (r − h_t) / (B · d)`.
    fn loss_into(
        &self,
        batch: &Batch,
        mut gradient: ArrayViewMut2<f32>,
        scratch: ArrayViewMut2<f32>,
    ) -> Result<LossTerms> {
        let regressed = batch.student_logits;
        let hint = teacher_logits(batch, &[gradient.dim(), scratch.dim()])?;
        let count = regressed.len().max(1) as f32;
        let mut sum = 0.0f64;
        ndarray::Zip::from(&mut gradient).and(regressed).and(hint).for_each(|g, &r, &h| {
            let difference = r - h;
            sum += f64::from(difference) * f64::from(difference);
            *g = 2.0 * difference / count;
        });
        let loss = (sum / f64::from(count)) as f32;
        Ok(LossTerms { total: loss, soft: loss, hard: 0.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::{check_gradient, loss_of};
    use ndarray::array;

    #[test]
    fn its_gradient_is_the_derivative_of_its_loss() {
        check_gradient(&Hint);
    }

    #[test]
    fn it_is_the_mean_squared_error() {
        let r = array![[1.0f32, 2.0], [0.0, -1.0]];
        let h = array![[0.0f32, 2.0], [1.0, 1.0]];
        let batch = Batch {
            student_logits: r.view(),
            labels: &[0, 0],
            teacher_logits: Some(h.view()),
            temperature: 1.0,
            alpha: 0.5,
        };
        let (terms, _) = loss_of(&Hint, &batch).unwrap();
        assert_eq!(terms.total, (1.0 + 0.0 + 1.0 + 4.0) / 4.0);
    }

    #[test]
    fn the_hint_is_at_the_same_relative_depth() {
        assert_eq!(teacher_layer(1, 1, 2), 2);
        assert_eq!(teacher_layer(1, 2, 2), 1);
        assert_eq!(teacher_layer(2, 2, 2), 2);
        assert_eq!(teacher_layer(1, 1, 1), 1);
        assert_eq!(teacher_layer(1, 3, 2), 1);
        assert_eq!(teacher_layer(2, 3, 2), 2);
    }
}
