//! Reading a trained network's answers: accuracy, overall and per class, and the omitted class's
//! bias adjustment (Hinton §3: a student that never saw a class may still have learned it from
//! the soft labels, only with too low an output bias).

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use super::{ModelKind, Session};
use crate::data::SplitName;
use crate::error::{KdError, Refusal, Result};
use crate::losses::{self, accuracy, softmax};

/// Raising one class's output bias until the student predicts it as often, on the training split,
/// as it truly occurs there (Hinton §3: a student that never saw the class may still have learned
/// it from the soft labels, only with too low a bias).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BiasAdjustment {
    pub class: usize,
    /// The amount added to the class's logit.
    pub bias_shift: f32,
    /// Training samples predicted as the class after the shift, and truly of the class.
    pub train_predicted: usize,
    pub train_true: usize,
    pub test_accuracy: f32,
    /// Test accuracy of each class after the shift (None: no test sample of that class).
    pub per_class_test_accuracy: Vec<Option<f32>>,
}

/// A network's accuracy with one class's output bias shifted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShiftedAccuracy {
    pub class: usize,
    pub shift: f32,
    /// Test accuracy on the class (None: no test sample of it).
    pub class_test_accuracy: Option<f32>,
    pub test_accuracy: f32,
    /// Training samples predicted as the class, and truly of it.
    pub train_predicted: usize,
    pub train_true: usize,
}

/// Accuracy of predictions per class (None for a class with no sample).
pub fn per_class_accuracy(predictions: &[usize], labels: &[usize], classes: usize) -> Vec<Option<f32>> {
    let mut correct = vec![0usize; classes];
    let mut total = vec![0usize; classes];
    for (&p, &y) in predictions.iter().zip(labels) {
        if y < classes {
            total[y] += 1;
            correct[y] += usize::from(p == y);
        }
    }
    correct.iter().zip(&total).map(|(&c, &n)| (n > 0).then(|| c as f32 / n as f32)).collect()
}

impl Session {
    /// Accuracy of network `which` on each class of a split (None: the class has no sample there).
    pub fn per_class_accuracy(&self, which: ModelKind, split: SplitName) -> Result<Vec<Option<f32>>> {
        let predictions = self.predictions(which, split)?;
        Ok(per_class_accuracy(&predictions, &self.data.split(split).labels, self.data.classes()))
    }

    /// Fraction of a split that network `which` classifies correctly.
    pub fn accuracy(&self, which: ModelKind, split: SplitName) -> Result<f32> {
        let logits = self.logits(which, self.data.split(split).features.view())?;
        Ok(accuracy(logits.view(), &self.data.split(split).labels))
    }

    /// Network `which` with `shift` added to `class`'s logit (its output bias): the test accuracy
    /// on that class and overall, and how many training samples it then predicts as the class.
    pub fn shifted_class_accuracy(&self, which: ModelKind, class: usize, shift: f32) -> Result<ShiftedAccuracy> {
        if class >= self.data.classes() || !shift.is_finite() {
            return Err(KdError::Refused(Refusal::BiasShift { class, shift, classes: self.data.classes() }));
        }
        let shifted_predictions = |split: SplitName| -> Result<Vec<usize>> {
            let mut logits = self.logits(which, self.data.split(split).features.view())?;
            logits.column_mut(class).mapv_inplace(|z| z + shift);
            Ok(losses::argmax_rows(logits.view()))
        };
        let test = shifted_predictions(SplitName::Test)?;
        let train = shifted_predictions(SplitName::Train)?;
        let labels = &self.data.test.labels;
        Ok(ShiftedAccuracy {
            class,
            shift,
            class_test_accuracy: per_class_accuracy(&test, labels, self.data.classes()).get(class).copied().flatten(),
            test_accuracy: test.iter().zip(labels).filter(|(p, y)| p == y).count() as f32 / labels.len().max(1) as f32,
            train_predicted: train.iter().filter(|&&p| p == class).count(),
            train_true: self.data.train.labels.iter().filter(|&&y| y == class).count(),
        })
    }

    /// Shifts `class`'s output bias of network `which` up by the smallest amount that makes the
    /// network predict the class, on the training split, at least as often as the class truly
    /// occurs there (found by bisection), and reports the test accuracy after the shift.
    pub fn bias_adjustment(&self, which: ModelKind, class: usize) -> Result<BiasAdjustment> {
        if class >= self.data.classes() {
            return Err(KdError::Refused(Refusal::BiasShift { class, shift: 0.0, classes: self.data.classes() }));
        }
        let train_logits = self.logits(which, self.data.train.features.view())?;
        let test_logits = self.logits(which, self.data.test.features.view())?;
        let train_true = self.data.train.labels.iter().filter(|&&y| y == class).count();
        let predicted_with = |logits: &Array2<f32>, shift: f32| {
            let mut shifted = logits.clone();
            shifted.column_mut(class).mapv_inplace(|z| z + shift);
            losses::argmax_rows(shifted.view())
        };
        let count = |shift: f32| predicted_with(&train_logits, shift).iter().filter(|&&p| p == class).count();
        let (mut low, mut high) = (0.0f32, 1.0f32);
        if count(0.0) < train_true {
            while count(high) < train_true && high < 1e6 {
                high *= 2.0;
            }
            for _ in 0..50 {
                let middle = 0.5 * (low + high);
                if count(middle) >= train_true {
                    high = middle;
                } else {
                    low = middle;
                }
            }
        } else {
            high = 0.0;
        }
        let test_predictions = predicted_with(&test_logits, high);
        let correct = test_predictions.iter().zip(&self.data.test.labels).filter(|(p, y)| p == y).count();
        Ok(BiasAdjustment {
            class,
            bias_shift: high,
            train_predicted: count(high),
            train_true,
            test_accuracy: correct as f32 / self.data.test.len().max(1) as f32,
            per_class_test_accuracy: per_class_accuracy(&test_predictions, &self.data.test.labels, self.data.classes()),
        })
    }

    /// Class probabilities `softmax(z/T)` of network `which` for standardised inputs (batch, features).
    pub fn probabilities(&self, which: ModelKind, features: ArrayView2<f32>, temperature: f32) -> Result<Array2<f32>> {
        Ok(softmax(self.logits_at(which, features, temperature)?.view(), temperature))
    }

    /// Class probabilities of network `which` for inputs in original units (batch, features).
    pub fn probabilities_raw(&self, which: ModelKind, raw: ArrayView2<f32>, temperature: f32) -> Result<Array2<f32>> {
        let features = self.data.standardise(raw)?;
        self.probabilities(which, features.view(), temperature)
    }

    /// A sample of `split` that shows what a soft label carries: among those the teacher
    /// classifies right, the one whose soft label at the current T gives the most probability to a
    /// single wrong class (ties: the first). None when the teacher gets none right.
    pub fn telling_sample(&self, split: SplitName) -> Result<Option<usize>> {
        let samples = self.data.split(split);
        let soft = self.probabilities(ModelKind::Teacher, samples.features.view(), self.settings.temperature)?;
        let mut best: Option<(usize, f32)> = None;
        for (i, (row, &label)) in soft.rows().into_iter().zip(&samples.labels).enumerate() {
            let predicted = losses::argmax_rows(row.insert_axis(ndarray::Axis(0)))[0];
            if predicted != label {
                continue;
            }
            let runner_up = row.iter().enumerate().filter(|&(k, _)| k != label).map(|(_, &p)| p).fold(0.0, f32::max);
            if best.is_none_or(|(_, b)| runner_up > b) {
                best = Some((i, runner_up));
            }
        }
        Ok(best.map(|(i, _)| i))
    }

    /// Predicted class of network `which` for every sample of a split.
    pub fn predictions(&self, which: ModelKind, split: SplitName) -> Result<Vec<usize>> {
        let logits = self.logits(which, self.data.split(split).features.view())?;
        Ok(losses::argmax_rows(logits.view()))
    }

    /// Fidelity: the fraction of a split on which network `which` predicts the class the teacher
    /// predicts, right or wrong (what a student copies from its teacher, beyond accuracy).
    pub fn agreement_with_teacher(&self, which: ModelKind, split: SplitName) -> Result<f32> {
        let teacher = self.predictions(ModelKind::Teacher, split)?;
        let student = self.predictions(which, split)?;
        let same = teacher.iter().zip(&student).filter(|(a, b)| a == b).count();
        Ok(same as f32 / teacher.len().max(1) as f32)
    }

    /// Fidelity of the whole distribution: the mean over a split of `KL(teacher ‖ which)` at T = 1,
    /// in nats (0 when network `which` gives every sample the teacher's probabilities).
    pub fn kl_to_teacher(&self, which: ModelKind, split: SplitName) -> Result<f32> {
        let features = self.data.split(split).features.view();
        let teacher = self.logits(ModelKind::Teacher, features)?;
        let student = self.logits(which, features)?;
        let rows = losses::kl_divergence_rows(teacher.view(), student.view(), 1.0);
        Ok((rows.iter().map(|&v| f64::from(v)).sum::<f64>() / rows.len().max(1) as f64) as f32)
    }
}

/// Every network a run can train: the three of every method, and those some methods add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Network {
    Teacher,
    Kd,
    Control,
    /// BYOT: the distilled student's early exit, and the control's.
    KdExit,
    ControlExit,
    /// DML: the second peer, and its twin.
    Peer,
    PeerTwin,
}

impl Network {
    /// Parses a page name: `teacher`, `kd`, `control`, `kdExit`, `controlExit`, `peer`, `peerTwin`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "teacher" => Network::Teacher,
            "kd" => Network::Kd,
            "control" => Network::Control,
            "kdExit" => Network::KdExit,
            "controlExit" => Network::ControlExit,
            "peer" => Network::Peer,
            "peerTwin" => Network::PeerTwin,
            _ => return None,
        })
    }
}

/// What a network learned beside its accuracy, on the test split: how faithfully it copies the
/// teacher (Stanton et al. 2021) and how well its confidence matches its accuracy (Guo et al.
/// 2017). All fractions but the KL and the entropy (nats).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fidelity {
    pub test_accuracy: f32,
    /// Top-1 agreement with the teacher's prediction (1 for the teacher); null when the method
    /// trains no teacher (mutual learning, self-distillation).
    pub agreement_with_teacher: Option<f32>,
    /// Mean `KL(teacher ‖ network)` at T = 1 (0 for the teacher); null as above.
    pub test_kl_to_teacher: Option<f32>,
    /// Expected calibration error over [`crate::fidelity::CALIBRATION_BINS`] bins.
    pub ece: f32,
    /// Mean entropy of its predictions at T = 1: a mode-seeking student's is lower.
    pub entropy: f32,
}

impl Session {
    /// The networks this run trains, in the order the reports list them.
    pub fn networks(&self) -> Vec<Network> {
        let mut networks = vec![Network::Teacher, Network::Kd, Network::Control];
        match self.settings.method {
            crate::methods::MethodKind::Byot => networks.extend([Network::KdExit, Network::ControlExit]),
            crate::methods::MethodKind::Dml => networks.extend([Network::Peer, Network::PeerTwin]),
            _ => {}
        }
        networks
    }

    /// The logits of any network of the run for `features` (at T = 1).
    pub fn network_logits(&self, which: Network, features: ArrayView2<f32>) -> Result<Array2<f32>> {
        let unknown = || KdError::Refused(Refusal::UnknownName { what: "model", got: format!("{which:?}") });
        match which {
            Network::Teacher => self.logits(ModelKind::Teacher, features),
            Network::Kd => self.logits(ModelKind::Kd, features),
            Network::Control => self.logits(ModelKind::Control, features),
            Network::KdExit => self.exit_logits(ModelKind::Kd, features),
            Network::ControlExit => self.exit_logits(ModelKind::Control, features),
            Network::Peer => self.peer(false).ok_or_else(unknown)?.forward(features),
            Network::PeerTwin => self.peer(true).ok_or_else(unknown)?.forward(features),
        }
    }

    /// Whether the run trained a teacher to compare the students with.
    pub fn has_teacher(&self) -> bool {
        self.settings.method.needs_teacher()
    }

    /// Network `which`'s fidelity to the teacher and its calibration on the test split.
    pub fn fidelity(&self, which: Network) -> Result<Fidelity> {
        if which == Network::Teacher {
            let version = self.teacher.version();
            if let Some((kept, fidelity)) = &*self.teacher_fidelity.borrow() {
                if *kept == version {
                    return Ok(fidelity.clone());
                }
            }
            let fidelity = self.measure_fidelity(which)?;
            *self.teacher_fidelity.borrow_mut() = Some((version, fidelity.clone()));
            return Ok(fidelity);
        }
        self.measure_fidelity(which)
    }

    /// [`Session::fidelity`], measured.
    fn measure_fidelity(&self, which: Network) -> Result<Fidelity> {
        let test = &self.data.test;
        let logits = match which {
            Network::Teacher => self.teacher_test_logits()?,
            _ => self.network_logits(which, test.features.view())?,
        };
        let (agreement, kl) = if self.has_teacher() {
            let teacher = self.teacher_test_logits()?;
            let (t, s) = (losses::argmax_rows(teacher.view()), losses::argmax_rows(logits.view()));
            let same = t.iter().zip(&s).filter(|(a, b)| a == b).count();
            let rows = losses::kl_divergence_rows(teacher.view(), logits.view(), 1.0);
            let kl = rows.iter().map(|&v| f64::from(v)).sum::<f64>() / rows.len().max(1) as f64;
            (Some(same as f32 / t.len().max(1) as f32), Some(kl as f32))
        } else {
            (None, None)
        };
        Ok(Fidelity {
            test_accuracy: accuracy(logits.view(), &test.labels),
            agreement_with_teacher: agreement,
            test_kl_to_teacher: kl,
            ece: crate::fidelity::expected_calibration_error(logits.view(), &test.labels)?,
            entropy: crate::fidelity::mean_entropy(logits.view(), 1.0),
        })
    }

    /// FitNets' measure, for a run of any method: linear CKA on the test split between student
    /// `which`'s hidden layer `hintLayer` and the teacher's hidden layer at the same relative depth
    /// ([`crate::methods::hints::teacher_layer`]), as the history records it after each epoch of a
    /// `fitnets` run (`MethodEpoch::kd_cka`). None when the run has no teacher, or the student or
    /// the teacher has no hidden layer there.
    pub fn hint_similarity(&self, which: ModelKind) -> Result<Option<f32>> {
        let (layer, student_layers, teacher_layers) =
            (self.settings.hint_layer, self.settings.student_hidden.len(), self.settings.teacher_hidden.len());
        if !self.has_teacher() || which == ModelKind::Teacher || layer > student_layers || teacher_layers == 0 {
            return Ok(None);
        }
        let teacher_layer = crate::methods::hints::teacher_layer(layer, student_layers, teacher_layers);
        let test = self.data.test.features.view();
        let student = self.model(which).forward_cached(test)?;
        let teacher = self.model(ModelKind::Teacher).forward_cached(test)?;
        match (student.outputs.get(layer), teacher.outputs.get(teacher_layer)) {
            (Some(guided), Some(hint)) => crate::fidelity::linear_cka(guided.view(), hint.view()).map(Some),
            _ => Ok(None),
        }
    }

    /// The reliability diagram's bins of network `which` on the test split.
    pub fn reliability(&self, which: Network) -> Result<Vec<crate::fidelity::ReliabilityBin>> {
        let test = &self.data.test;
        let logits = self.network_logits(which, test.features.view())?;
        crate::fidelity::reliability(logits.view(), &test.labels, crate::fidelity::CALIBRATION_BINS)
    }
}
