//! A sample as the three networks see it: the hard label, the teacher's soft label at T = 1 and at
//! the current T, both students' answers, the sample's loss terms ([`SampleReport`]); and what its
//! soft label carries ([`SampleInsight`]: entropy, the mass on the wrong classes, the soft label
//! across the temperature range, each term's gradient), and the teacher's mean soft label per
//! class.

use ndarray::Array2;
use serde::Serialize;

use super::{ModelKind, Session};
use crate::dark_knowledge::{self, ClassSimilarity, SampleGradients, SoftPullAt, TemperatureSweep};
use crate::data::SplitName;
use crate::error::{KdError, Result};
use crate::losses::{cross_entropy_loss, softmax};
use crate::math;
use crate::methods::SoftLoss;
use crate::settings;

/// One sample seen by the three networks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleReport {
    pub split: SplitName,
    pub index: usize,
    pub label: usize,
    pub class_name: String,
    /// In original units.
    pub features: Vec<f32>,
    /// One-hot: the hard label.
    pub hard_label: Vec<f32>,
    pub temperature: f32,
    pub alpha: f32,
    pub teacher_logits: Vec<f32>,
    /// The teacher's soft label at T = 1.
    pub teacher_t1: Vec<f32>,
    /// The teacher's soft label at the current T.
    pub teacher_at_t: Vec<f32>,
    pub kd_student_at_t: Vec<f32>,
    pub control_student_at_t: Vec<f32>,
    pub kd_student_t1: Vec<f32>,
    pub control_student_t1: Vec<f32>,
    /// This sample's `T²·KL(teacher_at_t ‖ kd_student_at_t)`.
    pub soft_loss: f32,
    /// This sample's `CE(y, kd_student_t1)`.
    pub hard_loss: f32,
    /// `α·soft + (1 − α)·hard`.
    pub total_loss: f32,
}

/// What one sample's soft label carries, at the current temperature.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleInsight {
    pub split: SplitName,
    pub index: usize,
    pub label: usize,
    pub temperature: f32,
    pub alpha: f32,
    pub teacher_logits: Vec<f32>,
    /// `H(softmax(z_t/T))` in bits, and at T = 1.
    pub teacher_entropy_bits: f32,
    pub teacher_entropy_bits_t1: f32,
    /// `log₂ K`: the entropy of a uniform soft label.
    pub max_entropy_bits: f32,
    /// `1 − max p` of the teacher's soft label at T, and at T = 1: the total probability on the
    /// wrong classes (not the dark knowledge itself, which is how that mass is spread).
    pub wrong_class_mass: f32,
    pub wrong_class_mass_t1: f32,
    /// The teacher's soft label over the temperature slider's whole range.
    pub sweep: TemperatureSweep,
    /// The soft and hard terms' gradients with respect to the distilled student's logits.
    pub gradients: SampleGradients,
    /// The soft term's pull on this sample at each of [`dark_knowledge::PULL_TEMPERATURES`], with
    /// and without T² (the same student, teacher and α; empty for logit matching, which has no T).
    pub soft_pull_by_temperature: Vec<SoftPullAt>,
}

/// Points of the temperature sweep.
const SWEEP_POINTS: usize = 80;

impl Session {
    /// Sample `index` of `split` as the three networks see it at the current temperature.
    pub fn inspect(&self, split: SplitName, index: usize) -> Result<SampleReport> {
        let samples = self.data.split(split);
        if index >= samples.len() {
            return Err(KdError::NoSuchSample { split, index, len: samples.len() });
        }
        let (t, alpha) = (self.settings.temperature, self.settings.alpha);
        let features = samples.features.slice(ndarray::s![index..index + 1, ..]); // (1, features)
        let label = samples.labels[index];
        let logits = |which: ModelKind| self.logits(which, features);
        let teacher = logits(ModelKind::Teacher)?;
        let teacher_at = self.logits_at(ModelKind::Teacher, features, t)?;
        let kd = logits(ModelKind::Kd)?;
        let control = logits(ModelKind::Control)?;
        let row = |m: Array2<f32>| m.row(0).to_vec();
        let soft = self.settings.method.soft_loss().soft_term(kd.view(), teacher_at.view(), t)?.loss;
        let hard = cross_entropy_loss(kd.view(), &[label])?;
        let mut hard_label = vec![0.0; self.data.classes()];
        hard_label[label] = 1.0;
        Ok(SampleReport {
            split,
            index,
            label,
            class_name: self.data.class_names.get(label).cloned().unwrap_or_default(),
            features: samples.raw.row(index).to_vec(),
            hard_label,
            temperature: t,
            alpha,
            teacher_logits: teacher.row(0).to_vec(),
            teacher_t1: row(softmax(teacher.view(), 1.0)),
            teacher_at_t: row(softmax(teacher_at.view(), t)),
            kd_student_at_t: row(softmax(kd.view(), t)),
            control_student_at_t: row(softmax(control.view(), t)),
            kd_student_t1: row(softmax(kd.view(), 1.0)),
            control_student_t1: row(softmax(control.view(), 1.0)),
            soft_loss: soft,
            hard_loss: hard,
            total_loss: alpha * soft + (1.0 - alpha) * hard,
        })
    }

    /// The soft-label view of sample `index` of `split`: entropy, dark-knowledge mass, the
    /// temperature sweep and the gradients of both loss terms.
    pub fn explain(&self, split: SplitName, index: usize) -> Result<SampleInsight> {
        self.explain_report(&self.inspect(split, index)?)
    }

    /// [`Session::explain`] of the sample `report` shows (an [`Session::inspect`] of this session
    /// at its current weights, T and α).
    pub fn explain_report(&self, report: &SampleReport) -> Result<SampleInsight> {
        let (split, index) = (report.split, report.index);
        let features = self.data.split(split).features.slice(ndarray::s![index..index + 1, ..]); // (1, features)
        let student_logits = self.students.distilled.network().forward(features)?.row(0).to_vec();
        // The slider's whole range, as the settings declare it.
        let spec = settings::spec("temperature").ok_or_else(|| KdError::Internal("no temperature setting".into()))?;
        let (low, high) = (spec.min as f32, spec.max as f32);
        let temperatures = dark_knowledge::log_spaced(low, high, SWEEP_POINTS);
        let sweep = if !self.teacher.is_ensemble() {
            dark_knowledge::temperature_sweep(&report.teacher_logits, &temperatures)
        } else {
            // An ensemble's soft label at each T is its members' average at that T.
            let probabilities = temperatures
                .iter()
                .map(|&t| self.probabilities(ModelKind::Teacher, features, t).map(|p| p.row(0).to_vec()))
                .collect::<Result<Vec<_>>>()?;
            TemperatureSweep { temperatures: temperatures.clone(), probabilities }
        };
        let teacher_at_t = self.logits_at(ModelKind::Teacher, features, report.temperature)?.row(0).to_vec();
        let kind = self.settings.method.soft_loss();
        let soft_pull_by_temperature = if kind == SoftLoss::Kl {
            dark_knowledge::PULL_TEMPERATURES
                .iter()
                .map(|&t| {
                    let teacher = self.logits_at(ModelKind::Teacher, features, t)?.row(0).to_vec();
                    let g = dark_knowledge::sample_gradients(
                        kind,
                        &student_logits,
                        &teacher,
                        report.label,
                        t,
                        report.alpha,
                    )?;
                    Ok(SoftPullAt {
                        temperature: t,
                        soft_norm: g.soft_norm,
                        soft_without_t2_norm: g.soft_without_t2_norm,
                    })
                })
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        Ok(SampleInsight {
            split,
            index,
            label: report.label,
            temperature: report.temperature,
            alpha: report.alpha,
            teacher_entropy_bits: dark_knowledge::entropy_bits(&report.teacher_at_t),
            teacher_entropy_bits_t1: dark_knowledge::entropy_bits(&report.teacher_t1),
            max_entropy_bits: math::log2(self.data.classes() as f32),
            wrong_class_mass: dark_knowledge::wrong_class_mass(&report.teacher_at_t),
            wrong_class_mass_t1: dark_knowledge::wrong_class_mass(&report.teacher_t1),
            sweep,
            gradients: dark_knowledge::sample_gradients(
                kind,
                &student_logits,
                &teacher_at_t,
                report.label,
                report.temperature,
                report.alpha,
            )?,
            teacher_logits: report.teacher_logits.clone(),
            soft_pull_by_temperature,
        })
    }

    /// The teacher's mean soft label per true class over the training split at the current T.
    pub fn class_similarity(&self) -> Result<ClassSimilarity> {
        let t = self.settings.temperature;
        let logits = self.logits_at(ModelKind::Teacher, self.data.train.features.view(), t)?;
        dark_knowledge::class_similarity(logits.view(), &self.data.train.labels, t)
    }
}
