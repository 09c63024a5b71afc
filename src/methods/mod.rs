//! What a student learns from: the map of knowledge distillation, one method per file. The
//! setting `method` ([`MethodKind`]) picks one. Each method's loss is a [`Method`]: it turns one
//! mini-batch — the student's outputs, the hard labels and what the teacher (or whoever teaches)
//! says about the same samples — into its loss terms and the loss's gradient with respect to the
//! student's outputs; the [`crate::learner::Learner`] backpropagates it and guards against
//! divergence, and the session's `students` module runs each method's step: who learns from what,
//! through which layer.
//!
//! | knowledge \ scheme | offline (a trained teacher) | online | self-distillation |
//! |---|---|---|---|
//! | response-based | [`SoftLabels`] (Hinton's KD), [`ReverseKl`], [`LogitMatching`] | [`mutual`] (DML) | [`self_distillation`] (BYOT) |
//! | feature-based | [`hints`] (FitNets) | | |
//! | relation-based | [`relations`] (RKD) | | |
//!
//! Beside them, the controls that ask "is it really dark knowledge?": [`label_smoothing`] (the
//! teacher's wrong-class mass, spread evenly) and [`permuted`] (DKPP: its wrong-class
//! probabilities, shuffled); and [`HardLabels`], cross-entropy with the true labels (the teacher's
//! method, and every control student's).
//!
//! A new method is a new file here: its loss (a [`Method`] impl, or functions for a hidden layer's
//! loss), its formula and gradient in the doc comments, a test of the gradient against finite
//! differences ([`check_gradient`]) and of the loss against an independent computation; then a
//! choice of [`MethodKind`] and, if it reads a hidden layer or trains more networks, its arm of
//! the step in `session/students.rs`.

mod hard_labels;
pub mod hints;
pub mod label_smoothing;
mod logit_matching;
pub mod mutual;
pub mod permuted;
pub mod relations;
mod reverse_kl;
pub mod self_distillation;
mod soft_labels;

pub use hard_labels::HardLabels;
pub use logit_matching::LogitMatching;
pub use reverse_kl::ReverseKl;
pub use soft_labels::SoftLabels;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

use crate::data::DatasetName;
use crate::error::{KdError, Result};
use crate::losses::{self, LossAndGradient};

/// How the distilled student is taught (the setting `method`): the map of knowledge
/// distillation, by the knowledge the student copies and the scheme that teaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MethodKind {
    /// Response-based, offline: Hinton's soft labels at T ([`SoftLabels`], or [`ReverseKl`]).
    Kd,
    /// Response-based, offline: squared error between the zero-meaned logits ([`LogitMatching`]).
    Logits,
    /// Feature-based, offline: a hint stage on a hidden layer, then KD ([`hints`]).
    Fitnets,
    /// Relation-based, offline: the teacher's distances and angles between samples ([`relations`]).
    Rkd,
    /// Online: two students teach each other from scratch, no teacher ([`mutual`]).
    Dml,
    /// Self-distillation: the student's final head teaches an early exit ([`self_distillation`]).
    Byot,
    /// Control: the teacher's wrong-class mass spread evenly ([`label_smoothing`]).
    LabelSmoothing,
    /// Control: the teacher's wrong-class probabilities shuffled per sample ([`permuted`]).
    Dkpp,
}

crate::settings::choices!(MethodKind {
    Kd => "kd",
    Logits => "logits",
    Fitnets => "fitnets",
    Rkd => "rkd",
    Dml => "dml",
    Byot => "byot",
    LabelSmoothing => "label-smoothing",
    Dkpp => "dkpp",
});

impl MethodKind {
    /// The settings the map of methods runs it with: a data set, and settings over that data
    /// set's defaults. The papers' own choices where they made one (mutual learning: T = 1 and
    /// equal weights; RKD: its λ against CE); the page's defaults otherwise. A demonstration, not a tuned result.
    pub fn demo(self) -> (DatasetName, &'static [(&'static str, &'static str)]) {
        let settings: &'static [(&'static str, &'static str)] = match self {
            MethodKind::Kd => &[("method", "kd")],
            MethodKind::Logits => &[("method", "logits")],
            MethodKind::Fitnets => &[("method", "fitnets"), ("hintLayer", "1"), ("hintEpochs", "10")],
            // α = 1/2 weighs CE and 25·L_D + 50·L_A equally: Park et al.'s CE + λ_D·L_D + λ_A·L_A
            MethodKind::Rkd => &[("method", "rkd"), ("alpha", "0.5"), ("studentEpochs", "20")],
            MethodKind::Dml => &[("method", "dml"), ("temperature", "1"), ("alpha", "0.5")],
            MethodKind::Byot => &[("method", "byot"), ("studentHidden", "16,16")],
            MethodKind::LabelSmoothing => &[("method", "label-smoothing")],
            MethodKind::Dkpp => &[("method", "dkpp")],
        };
        (DatasetName::Digits, settings)
    }

    /// Whether the method learns from a trained teacher (offline); mutual learning and
    /// self-distillation train no teacher.
    pub fn needs_teacher(self) -> bool {
        !matches!(self, MethodKind::Dml | MethodKind::Byot)
    }

    /// Which soft term the teaching views show for it: logit matching's, or a KL at T.
    pub fn soft_loss(self) -> SoftLoss {
        if self == MethodKind::Logits {
            SoftLoss::Logits
        } else {
            SoftLoss::Kl
        }
    }
}

/// Which way the KL of the soft term runs (the setting `klDirection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KlDirection {
    /// `KL(p_teacher ‖ q_student)`, Hinton's: mean-seeking, the student spreads its probability
    /// over every class the teacher gives some.
    Forward,
    /// `KL(q_student ‖ p_teacher)`: mode-seeking, the student may drop classes the teacher gives
    /// little, as in distilling large language models (MiniLLM).
    Reverse,
}

crate::settings::choices!(KlDirection { Forward => "forward", Reverse => "reverse" });

impl KlDirection {
    /// The method of a KL soft term in this direction.
    pub fn method(self) -> &'static dyn Method {
        match self {
            KlDirection::Forward => &SoftLabels,
            KlDirection::Reverse => &ReverseKl,
        }
    }
}

/// Which soft term: a KL at T, or logit matching (what the teaching views draw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftLoss {
    /// `T² · KL(softmax(z_t/T) ‖ softmax(z_s/T))`: Hinton's distillation ([`SoftLabels`]).
    Kl,
    /// Squared error between the zero-meaned logits ([`LogitMatching`]).
    Logits,
}

impl SoftLoss {
    /// The method of this soft term (a KL in the forward direction).
    pub fn method(self) -> &'static dyn Method {
        match self {
            SoftLoss::Kl => &SoftLabels,
            SoftLoss::Logits => &LogitMatching,
        }
    }

    /// The soft term alone, not weighted by α, as the teaching views show it beside the hard term:
    /// `T² · KL(p ‖ q)` and its gradient `T · (q − p) / B`, or logit matching's (T does not enter).
    pub fn soft_term(
        self,
        student_logits: ArrayView2<f32>,
        teacher_logits: ArrayView2<f32>,
        temperature: f32,
    ) -> Result<LossAndGradient> {
        match self {
            SoftLoss::Kl => losses::soft_term(student_logits, teacher_logits, temperature),
            SoftLoss::Logits => losses::logit_matching(student_logits, teacher_logits),
        }
    }
}

/// One mini-batch as a method sees it. Row `i` of every matrix is sample `i`.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The student's logits (batch, classes).
    pub student_logits: ArrayView2<'a, f32>,
    /// The true class of each sample.
    pub labels: &'a [usize],
    /// The teacher's logits for the same samples (batch, classes), for a method that learns from
    /// a teacher; constants: no gradient flows to them.
    pub teacher_logits: Option<ArrayView2<'a, f32>>,
    pub temperature: f32,
    /// The weight of the soft term; the hard term's is `1 − α`.
    pub alpha: f32,
}

/// A batch's loss and its terms (batch means). A method without a soft term reports 0 for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossTerms {
    /// What the student minimises: `α · soft + (1 − α) · hard` for the distillation methods.
    pub total: f32,
    /// The soft term, not weighted by α.
    pub soft: f32,
    /// The hard term, `CE(y, softmax(z_s))` at T = 1, not weighted by 1 − α.
    pub hard: f32,
}

/// What a student learns from, for one mini-batch.
pub trait Method: std::fmt::Debug + Sync {
    /// Whether it needs the teacher's logits ([`Batch::teacher_logits`]).
    fn needs_teacher(&self) -> bool {
        true
    }

    /// The loss terms of `batch`, and `dL/dz_s`, the gradient of the total with respect to the
    /// student's logits, written into `gradient` (batch, classes); `scratch` (the same shape) holds
    /// intermediate values. Allocates nothing: it runs in every training step.
    fn loss_into(&self, batch: &Batch, gradient: ArrayViewMut2<f32>, scratch: ArrayViewMut2<f32>) -> Result<LossTerms>;

    /// The loss terms of `batch` alone, with the bits [`Method::loss_into`] reports: what an
    /// epoch's measurement needs. By default `loss_into` into buffers of its own; a method whose
    /// gradient costs much more than its loss computes the terms alone ([`check_gradient`] checks
    /// that the two agree).
    fn loss(&self, batch: &Batch) -> Result<LossTerms> {
        let mut gradient = Array2::zeros(batch.student_logits.dim());
        let mut scratch = Array2::zeros(batch.student_logits.dim());
        self.loss_into(batch, gradient.view_mut(), scratch.view_mut())
    }
}

/// [`Method::loss_into`] with buffers of its own: the loss terms and the gradient (batch, classes).
pub fn loss_of(method: &dyn Method, batch: &Batch) -> Result<(LossTerms, Array2<f32>)> {
    let mut gradient = Array2::zeros(batch.student_logits.dim());
    let mut scratch = Array2::zeros(batch.student_logits.dim());
    let terms = method.loss_into(batch, gradient.view_mut(), scratch.view_mut())?;
    Ok((terms, gradient))
}

/// The teacher's logits of a batch, checked against the student's shape, as are the shapes of the
/// method's buffers (`buffers`: the gradient's and the scratch's).
fn teacher_logits<'a>(batch: &Batch<'a>, buffers: &[(usize, usize)]) -> Result<ArrayView2<'a, f32>> {
    let dim = batch.student_logits.dim();
    let teacher = batch
        .teacher_logits
        .ok_or_else(|| KdError::Internal("a distillation method without the teacher's logits".into()))?;
    if teacher.dim() != dim || buffers.iter().any(|&buffer| buffer != dim) {
        return Err(KdError::Internal(format!(
            "student logits {dim:?}, teacher logits {:?} and buffers {buffers:?} differ in shape",
            teacher.dim()
        )));
    }
    Ok(teacher)
}

/// The hard term of a distillation method, `CE(y, softmax(z_s))` (batch mean), and its gradient
/// `(1 − α) · (softmax(z_s) − onehot(y)) / B` added to `gradient`; `scratch` (batch, classes) is
/// overwritten. The arithmetic of [`crate::losses::cross_entropy`].
fn add_hard_term(batch: &Batch, mut gradient: ArrayViewMut2<f32>, mut scratch: ArrayViewMut2<f32>) -> f32 {
    let size = batch.student_logits.nrows().max(1) as f32;
    let hard = losses::cross_entropy_of(batch.student_logits, batch.labels, scratch.view_mut());
    scratch.mapv_inplace(crate::math::exp);
    for (i, &y) in batch.labels.iter().enumerate() {
        scratch[[i, y]] -= 1.0;
    }
    scratch /= size;
    let alpha = batch.alpha;
    ndarray::Zip::from(&mut gradient).and(&scratch).for_each(|g, &h| *g += h * (1.0 - alpha));
    hard
}

/// Checks a method's gradient against central finite differences of its total loss, in f64 steps
/// on each logit of a batch of random logits, at several temperatures and weights: the test every
/// method's file runs.
#[cfg(test)]
pub(crate) fn check_gradient(method: &dyn Method) {
    use crate::rng::Rng;
    let mut rng = Rng::new(11);
    let labels = [2usize, 0, 1, 1];
    for (temperature, alpha) in [(1.0f32, 0.5f32), (4.0, 0.9), (0.5, 0.2), (20.0, 1.0)] {
        let student = Array2::from_shape_fn((4, 3), |_| rng.uniform(-3.0, 3.0) as f32);
        let teacher = Array2::from_shape_fn((4, 3), |_| rng.uniform(-3.0, 3.0) as f32);
        let total = |z: &Array2<f32>| {
            let batch = Batch {
                student_logits: z.view(),
                labels: &labels,
                teacher_logits: Some(teacher.view()),
                temperature,
                alpha,
            };
            loss_of(method, &batch).map(|(terms, _)| terms.total as f64).unwrap_or(f64::NAN)
        };
        let batch = Batch {
            student_logits: student.view(),
            labels: &labels,
            teacher_logits: Some(teacher.view()),
            temperature,
            alpha,
        };
        let (terms, gradient) = loss_of(method, &batch).unwrap();
        assert!(terms.total.is_finite());
        let alone = method.loss(&batch).unwrap();
        let bits = |t: LossTerms| [t.total, t.soft, t.hard].map(f32::to_bits);
        assert_eq!(bits(alone), bits(terms), "{method:?}: the terms alone differ from loss_into's");
        let h = 1e-2f32;
        for ((i, j), &analytic) in gradient.indexed_iter() {
            let (mut up, mut down) = (student.clone(), student.clone());
            up[[i, j]] += h;
            down[[i, j]] -= h;
            let numeric = (total(&up) - total(&down)) / (2.0 * h as f64);
            let tolerance = 2e-3 * (1.0 + numeric.abs());
            assert!(
                (analytic as f64 - numeric).abs() <= tolerance,
                "{method:?} at T = {temperature}, α = {alpha}: dL/dz[{i}][{j}] = {analytic}, finite differences {numeric}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{dataset_defaults, Choice, Settings, Value};

    #[test]
    fn every_methods_demo_is_valid_and_uses_its_method() {
        for &method in MethodKind::ALL {
            let (dataset, settings) = method.demo();
            let values = dataset_defaults(dataset)
                .into_iter()
                .chain(settings.iter().copied())
                .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
                .collect();
            let settings = Settings::from_values(&values).unwrap_or_else(|e| panic!("{method:?}: {e}"));
            assert_eq!(settings.method, method);
        }
    }
}
