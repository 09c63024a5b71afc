//! Hinton's experiments in miniature, as presets: each says in one sentence what it shows, sets
//! the settings where the effect is real and reproducible from the seed, and judges from the run's
//! own numbers whether this run showed it.
//!
//! Shipped only where the effect was measured to hold (digits, seeds 0–5, this engine):
//! - `omitted-class` (Hinton §3): digit 3 left out of the transfer set, T = 8: after the bias
//!   adjustment the distilled student recognises 76–93% of test 3s, the control 9–61%;
//! - `small-transfer-set` (Hinton §6): 10% of the training split, T = 8, 200 student epochs:
//!   distilled − control = +2.2 to +5.8 points of test accuracy (at 40 epochs it was −5 points:
//!   soft targets at a high temperature converge more slowly).

use serde::Serialize;

use crate::data::{DatasetName, SplitName};
use crate::distillation::{ModelKind, Phase, Session};
use crate::error::{KdError, Result};

/// What an experiment checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The omitted class is recognised by the distilled student after the bias adjustment, clearly
    /// more often than by the control.
    OmittedClass,
    /// The distilled student's test accuracy beats the control's.
    DistilledBeatsControl,
}

/// One preset.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Experiment {
    pub name: &'static str,
    pub title: &'static str,
    /// What it shows, in one sentence.
    pub claim: &'static str,
    /// The data set, then settings over that data set's defaults.
    pub dataset: DatasetName,
    pub settings: &'static [(&'static str, &'static str)],
    #[serde(skip)]
    pub check: Check,
}

/// The experiments that ship.
pub const EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: "omitted-class",
        title: "Omitted class (Hinton §3)",
        claim: "A student that never saw a single 3 learns to recognise 3s from the teacher's soft labels on the other digits: raise its bias for 3 and it finds most of them, while the hard-label control cannot.",
        dataset: DatasetName::Digits,
        settings: &[("omitClass", "3"), ("temperature", "8"), ("alpha", "0.9")],
        check: Check::OmittedClass,
    },
    Experiment {
        name: "small-transfer-set",
        title: "Small transfer set (Hinton §6)",
        claim: "With only 10% of the training data to learn from, the distilled student generalises better than its hard-label twin, given enough epochs: at 40 epochs it is still behind, because soft targets at a high temperature converge more slowly.",
        dataset: DatasetName::Digits,
        settings: &[("trainFraction", "0.1"), ("temperature", "8"), ("alpha", "0.9"), ("studentEpochs", "200")],
        check: Check::DistilledBeatsControl,
    },
];

/// The experiment called `name`.
pub fn experiment(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}

/// The omitted class before and after the bias adjustment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OmittedClassOutcome {
    pub class: usize,
    /// Test accuracy on the omitted class: distilled and control, before and after.
    pub kd_before: f32,
    pub kd_after: f32,
    pub control_before: f32,
    pub control_after: f32,
    pub kd_bias_shift: f32,
    pub control_bias_shift: f32,
}

/// What a finished run showed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub experiment: &'static str,
    /// Whether this run showed the claim.
    pub shown: bool,
    pub teacher_test_accuracy: f32,
    pub kd_test_accuracy: f32,
    pub control_test_accuracy: f32,
    pub omitted: Option<OmittedClassOutcome>,
}

/// The margin by which the distilled student must recognise more of the omitted class than the
/// control, after both are adjusted.
pub const OMITTED_CLASS_MARGIN: f32 = 0.1;

/// Judges a finished run of `experiment` from its numbers.
pub fn outcome(experiment: &'static Experiment, session: &Session) -> Result<Outcome> {
    if session.phase() != Phase::Done {
        return Err(KdError::Data(format!("the experiment '{}' is judged once training is done", experiment.name)));
    }
    let test_accuracy = |model| session.accuracy(model, SplitName::Test);
    let (teacher, kd, control) = (test_accuracy(ModelKind::Teacher)?, test_accuracy(ModelKind::Kd)?, test_accuracy(ModelKind::Control)?);
    let (shown, omitted) = match experiment.check {
        Check::DistilledBeatsControl => (kd > control, None),
        Check::OmittedClass => {
            let class = session
                .settings()
                .omit_class
                .ok_or_else(|| KdError::Data("the omitted-class experiment needs a class to omit".into()))?;
            let before = |model| session.per_class_accuracy(model, SplitName::Test).map(|a| a.get(class).copied().flatten().unwrap_or(0.0));
            let kd_adjusted = session.bias_adjustment(ModelKind::Kd, class)?;
            let control_adjusted = session.bias_adjustment(ModelKind::Control, class)?;
            let after = |a: &crate::distillation::BiasAdjustment| a.per_class_test_accuracy.get(class).copied().flatten().unwrap_or(0.0);
            let omitted = OmittedClassOutcome {
                class,
                kd_before: before(ModelKind::Kd)?,
                kd_after: after(&kd_adjusted),
                control_before: before(ModelKind::Control)?,
                control_after: after(&control_adjusted),
                kd_bias_shift: kd_adjusted.bias_shift,
                control_bias_shift: control_adjusted.bias_shift,
            };
            (omitted.kd_after >= omitted.control_after + OMITTED_CLASS_MARGIN, Some(omitted))
        }
    };
    Ok(Outcome { experiment: experiment.name, shown, teacher_test_accuracy: teacher, kd_test_accuracy: kd, control_test_accuracy: control, omitted })
}
