//! The distillation session: a [`Teacher`] trains on the hard labels, then a *distilled* student
//! learns by its method (Hinton's soft labels at T, or logit matching) beside a *control* student
//! that learns from the hard labels alone. Both students start from the same weights and see the
//! same batches in the same order, so any difference between them is due to distillation.
//!
//! This module is the phase machine (teacher → distillation → done, or diverged) and its metrics;
//! the parts are next to it: the students' [`transfer_set`], the [`history`] of metrics,
//! [`inspect`] (a sample as the three networks see it), [`analysis`] (accuracy, per class, the
//! bias adjustment), [`saved_run`] (runs as JSON) and [`snapshot`] (what a copy of the session
//! that follows it needs: the page trains in a worker and draws from such a copy). Every step goes through a
//! [`crate::learner::Learner`]; what each student learns from is a [`crate::methods::Method`].
//!
//! The session advances by one mini-batch or one epoch and reports what happened; it knows
//! nothing about display.

mod analysis;
mod history;
mod inspect;
mod saved_run;
mod snapshot;
mod students;
mod transfer_set;

pub use analysis::{per_class_accuracy, BiasAdjustment, Fidelity, Network, ShiftedAccuracy};
pub use history::{BatchLosses, History, MethodEpoch, StudentEpoch, TeacherEpoch};
pub use inspect::{SampleInsight, SampleReport};
pub use saved_run::{RunDocument, SavedRun, SavedText, SavedWeights, RUN_FORMAT, RUN_VERSION};
pub use snapshot::{SentVersions, Snapshot};
pub use transfer_set::transfer_set;

use std::cell::RefCell;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::{Divergence, KdError, Refusal, Result};
use crate::language::metrics::bits_per_character;
use crate::language::Task;
use crate::losses::{accuracy, cross_entropy_loss};
use crate::methods::permuted::Permutations;
use crate::methods::MethodKind;
use crate::network::Mlp;
use crate::rng::{Rng, Stream};
use crate::settings::Settings;
use crate::teacher::{ensemble_logits, SoftTargets, Teacher};
use crate::text::Message;
pub use students::RelationView;
use students::{sizes, Students};

/// Why training stopped early, as a run keeps it (and its file, in the field `message`: the
/// divergence's fields, or a sentence).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Stopped {
    /// A number became NaN or infinite.
    Diverged(Divergence),
    /// The English sentence that a run file written before divergences were typed holds.
    Said(String),
}

/// Read without serde's untagged machinery (which buffers the value, and weighs on the page's
/// download): a map is a divergence, a string a sentence.
impl<'de> Deserialize<'de> for Stopped {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = Stopped;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a divergence or a sentence")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<Stopped, E> {
                Ok(Stopped::Said(text.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<Stopped, A::Error> {
                Divergence::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Stopped::Diverged)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl Stopped {
    pub fn message(&self) -> Message {
        match self {
            Stopped::Diverged(divergence) => divergence.message(),
            Stopped::Said(text) => Message::new("engine.said").with("text", text.as_str()),
        }
    }
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Training the teacher on hard labels.
    Teacher,
    /// Training the distilled and the control student.
    Distil,
    /// All epochs done.
    Done,
    /// A loss or gradient became NaN or infinite; training stopped before that update.
    Diverged,
}

/// Which of the three networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ModelKind {
    Teacher,
    /// The student trained with the distillation loss.
    Kd,
    /// The student trained on hard labels only.
    Control,
}

impl ModelKind {
    /// Parses a page name: `teacher`, `kd` or `control`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "teacher" => Some(ModelKind::Teacher),
            "kd" => Some(ModelKind::Kd),
            "control" => Some(ModelKind::Control),
            _ => None,
        }
    }
}

/// Where training stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub phase: Phase,
    /// Completed epochs in the current phase.
    pub epoch: usize,
    /// Mini-batches done in the current epoch.
    pub batch: usize,
    pub batches_per_epoch: usize,
    pub teacher_epochs: usize,
    pub student_epochs: usize,
    /// Mini-batches done in all.
    pub steps: u64,
    /// Why training stopped, when it diverged.
    pub stopped: Option<Message>,
}

/// A training session: the data, the teacher, the two students and the history.
#[derive(Debug, Clone)]
pub struct Session {
    settings: Settings,
    data: Dataset,
    teacher: Teacher,
    /// The student that learns by the method, the control that learns from the hard labels, and
    /// the networks some methods add (a regressor, early exits, a second peer).
    students: Students,
    /// The trained teacher's logits on the training split: what the distilled student learns from.
    soft_targets: Option<SoftTargets>,
    /// The trained teacher's hidden layer on the training split that a feature-based method reads
    /// (FitNets' hint, RKD's embedding).
    teacher_features: Option<Array2<f32>>,
    /// `dkpp`: each training sample's shuffle of its wrong classes.
    permutations: Option<Permutations>,
    /// `label-smoothing`: ε at the temperature it was computed for.
    smoothing: Option<(f32, f32)>,
    teacher_shuffle: Rng,
    student_shuffle: Rng,
    phase: Phase,
    epoch: usize,
    batch: usize,
    /// This epoch's sample order.
    order: Vec<usize>,
    steps: u64,
    history: History,
    last_batch: Option<BatchLosses>,
    /// Why training stopped early.
    stopped: Option<Stopped>,
    /// Rows of the training split in the students' transfer set; the teacher trains on every row.
    transfer_rows: Vec<usize>,
    /// The teacher's logits on the test split and the teacher's weights version they are of: the
    /// students' fidelity and calibration views read them after every epoch, while the teacher
    /// stays the same.
    teacher_test_logits: RefCell<Option<(u64, Array2<f32>)>>,
    /// The teacher's row of the fidelity table and the teacher's weights version it is of: the
    /// table is drawn again after every epoch of the students, while the teacher stays the same.
    teacher_fidelity: RefCell<Option<(u64, analysis::Fidelity)>>,
}

impl Session {
    /// Builds the data set and the three networks from validated settings.
    pub fn new(settings: Settings) -> Result<Self> {
        let data = Dataset::load(settings.dataset, &settings.data_options())?;
        Session::with_data(settings, data)
    }

    /// Builds the three networks for a data set made elsewhere (e.g. the user's CSV file).
    pub fn with_data(settings: Settings, data: Dataset) -> Result<Self> {
        let transfer_rows = transfer_set(&data, &settings)?;
        settings.check_networks_for(data.feature_count(), data.classes())?;
        // Member k of an ensemble starts from the weights seed + k gives a single teacher.
        let teachers = (0..settings.teachers.max(1) as u64)
            .map(|member| {
                let mut rng = Rng::stream(settings.seed.wrapping_add(member), Stream::TeacherInit);
                Mlp::with_init(&sizes(&data, &settings.teacher_hidden), settings.activation, settings.init, &mut rng)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut rng = Rng::stream(settings.seed, Stream::StudentInit);
        let student =
            Mlp::with_init(&sizes(&data, &settings.student_hidden), settings.activation, settings.init, &mut rng)?;
        let mut session = Session {
            teacher: Teacher::new(teachers, settings.optimizer, settings.learning_rate, settings.batch_size),
            students: Students::new(&settings, &data, student)?,
            soft_targets: None,
            teacher_features: None,
            permutations: None,
            smoothing: None,
            teacher_shuffle: Rng::stream(settings.seed, Stream::TeacherShuffle),
            student_shuffle: Rng::stream(settings.seed, Stream::StudentShuffle),
            phase: Phase::Teacher,
            epoch: 0,
            batch: 0,
            order: Vec::new(),
            steps: 0,
            history: History::default(),
            last_batch: None,
            stopped: None,
            transfer_rows,
            teacher_test_logits: RefCell::new(None),
            teacher_fidelity: RefCell::new(None),
            settings,
            data,
        };
        let initial =
            session.evaluate_teacher(0, &session.teacher.member_logits(session.data.train.features.view())?)?;
        session.history.teacher.push(initial);
        if !session.settings.method.needs_teacher() {
            // mutual learning and self-distillation train no teacher: the students start at once
            session.start_students()?;
        }
        Ok(session)
    }

    /// A new session that keeps this one's trained teacher and data and starts fresh students with
    /// `settings`, which may differ from this session's only in what the students alone use
    /// (student layers and epochs, T, α, the soft term, the transfer set). The result is the
    /// session that `Session::new(settings)` would reach after training the same teacher, without
    /// training it again: a sweep over student settings shares one teacher.
    pub fn with_students(&self, settings: Settings) -> Result<Session> {
        let soft_targets = self.frozen_teacher_logits()?;
        let students_only = Settings {
            student_hidden: self.settings.student_hidden.clone(),
            student_epochs: self.settings.student_epochs,
            temperature: self.settings.temperature,
            alpha: self.settings.alpha,
            method: self.settings.method,
            kl_direction: self.settings.kl_direction,
            hint_layer: self.settings.hint_layer,
            hint_epochs: self.settings.hint_epochs,
            train_fraction: self.settings.train_fraction,
            omit_class: self.settings.omit_class,
            ..settings.clone()
        };
        if students_only != self.settings {
            return Err(KdError::Refused(Refusal::OnlyStudentSettings));
        }
        if !settings.method.needs_teacher() {
            // mutual learning and self-distillation have no teacher to share
            return Session::with_data(settings, self.data.clone());
        }
        let mut fresh = Session::with_data(settings, self.data.clone())?;
        fresh.teacher = self.teacher.clone();
        fresh.teacher_shuffle = self.teacher_shuffle.clone();
        fresh.history.teacher = self.history.teacher.clone();
        fresh.steps = self.history.teacher.len().saturating_sub(1) as u64 * self.batches_per_teacher_epoch() as u64;
        // The teacher's logits on the training split are the shared session's: not computed again.
        fresh.start_distillation(soft_targets)?;
        Ok(fresh)
    }

    /// The trained teacher's logits on the training split, once the students have started: kept
    /// since the teacher froze, or (in a copy that follows a session trained elsewhere, which
    /// never needed them) computed from its weights as the training session computed them.
    fn frozen_teacher_logits(&self) -> Result<SoftTargets> {
        match &self.soft_targets {
            Some(kept) => Ok(SoftTargets::new(kept.members().to_vec())),
            None if self.settings.method.needs_teacher() && !self.history.students.is_empty() => {
                self.teacher.soft_targets(&self.data.train)
            }
            None => Err(KdError::Refused(Refusal::TeacherNotTrained)),
        }
    }

    /// A session whose teacher is `teacher`, already trained (e.g. a distilled student that now
    /// teaches: the teacher-assistant path of Mirzadeh et al. 2020, teacher → assistant →
    /// student): no teacher epoch runs, the students start at once. `settings.teacherHidden` must
    /// describe `teacher`'s hidden layers, and the method must learn from a teacher.
    pub fn with_trained_teacher(settings: Settings, data: Dataset, teacher: Mlp) -> Result<Session> {
        if !settings.method.needs_teacher() || settings.teachers != 1 {
            return Err(KdError::Refused(Refusal::OnlyStudentSettings));
        }
        let mut session = Session::with_data(settings, data)?;
        let expected = sizes(&session.data, &session.settings.teacher_hidden);
        if teacher.sizes() != expected {
            return Err(KdError::Internal(format!(
                "a trained teacher of layers {:?} where the settings describe {expected:?}",
                teacher.sizes()
            )));
        }
        let s = &session.settings;
        session.teacher = Teacher::new(vec![teacher], s.optimizer, s.learning_rate, s.batch_size);
        let members = session.teacher.member_logits(session.data.train.features.view())?;
        session.history.teacher = vec![session.evaluate_teacher(0, &members)?];
        session.start_distillation(SoftTargets::new(members))?;
        Ok(session)
    }

    /// Mini-batches per teacher epoch.
    fn batches_per_teacher_epoch(&self) -> usize {
        self.data.train.len().div_ceil(self.settings.batch_size.max(1))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn data(&self) -> &Dataset {
        &self.data
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn last_batch(&self) -> Option<BatchLosses> {
        self.last_batch
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Why training stopped early, if it did.
    pub fn stopped(&self) -> Option<&Stopped> {
        self.stopped.as_ref()
    }

    /// The network `which` (for an ensemble, its first teacher; see [`Session::teachers`]).
    pub fn model(&self, which: ModelKind) -> &Mlp {
        match which {
            ModelKind::Teacher => self.teacher.first(),
            ModelKind::Kd => self.students.distilled.network(),
            ModelKind::Control => self.students.control.network(),
        }
    }

    /// A number that changes whenever the weights of network `which` (every member, for an
    /// ensemble) change: a drawing of the network made at one version holds until the next.
    pub fn weights_version(&self, which: ModelKind) -> u64 {
        match which {
            ModelKind::Teacher => self.teacher.version(),
            ModelKind::Kd => self.students.distilled.version(),
            ModelKind::Control => self.students.control.version(),
        }
    }

    /// Every teacher: one, or each member of the ensemble.
    pub fn teachers(&self) -> impl Iterator<Item = &Mlp> {
        self.teacher.networks()
    }

    /// The logits of network `which` for `features` (batch, features); an ensemble's at
    /// temperature `t` (see [`Teacher::logits_at`]), a single network's do not depend on `t`.
    pub fn logits_at(&self, which: ModelKind, features: ArrayView2<f32>, t: f32) -> Result<Array2<f32>> {
        match which {
            ModelKind::Teacher => self.teacher.logits_at(features, t),
            other => self.model(other).forward(features),
        }
    }

    /// The teacher's logits on the test split at T = 1, computed once per change of its weights.
    pub fn teacher_test_logits(&self) -> Result<Array2<f32>> {
        let version = self.teacher.version();
        if let Some((kept, logits)) = &*self.teacher_test_logits.borrow() {
            if *kept == version {
                return Ok(logits.clone());
            }
        }
        let logits = self.logits(ModelKind::Teacher, self.data.test.features.view())?;
        *self.teacher_test_logits.borrow_mut() = Some((version, logits.clone()));
        Ok(logits)
    }

    /// [`Session::logits_at`] at T = 1: what the network predicts.
    fn logits(&self, which: ModelKind, features: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.logits_at(which, features, 1.0)
    }

    /// Mini-batches per epoch of the current phase: ⌈samples / batch size⌉, over the training
    /// split for the teacher and over the transfer set for the students.
    pub fn batches_per_epoch(&self) -> usize {
        let samples = if self.phase == Phase::Teacher { self.data.train.len() } else { self.transfer_rows.len() };
        samples.div_ceil(self.settings.batch_size.max(1))
    }

    /// Rows of the training split in the students' transfer set.
    pub fn transfer_rows(&self) -> &[usize] {
        &self.transfer_rows
    }

    /// Where training stands.
    pub fn status(&self) -> Status {
        Status {
            phase: self.phase,
            epoch: self.epoch,
            batch: self.batch,
            batches_per_epoch: self.batches_per_epoch(),
            teacher_epochs: self.settings.teacher_epochs,
            student_epochs: self.settings.student_epochs,
            steps: self.steps,
            stopped: self.stopped.as_ref().map(Stopped::message),
        }
    }

    /// Changes the temperature; it applies from the next mini-batch on and to every report at once.
    pub fn set_temperature(&mut self, temperature: f64) -> Result<()> {
        self.settings.temperature = Settings::check_live("temperature", temperature)?;
        Ok(())
    }

    /// Changes α, the weight of the soft term.
    pub fn set_alpha(&mut self, alpha: f64) -> Result<()> {
        self.settings.alpha = Settings::check_live("alpha", alpha)?;
        Ok(())
    }

    /// Trains one mini-batch of the current phase. Does nothing when done or diverged. A NaN or
    /// infinite loss or gradient stops training *before* the update (keeping the last good
    /// weights) and sets the phase to [`Phase::Diverged`] with the reason.
    pub fn step_batch(&mut self) -> Result<Status> {
        match self.phase {
            Phase::Done | Phase::Diverged => return Ok(self.status()),
            Phase::Teacher | Phase::Distil => {}
        }
        if self.batch == 0 {
            self.order = if self.phase == Phase::Teacher {
                (0..self.data.train.len()).collect()
            } else {
                self.transfer_rows.clone()
            };
            let rng = if self.phase == Phase::Teacher { &mut self.teacher_shuffle } else { &mut self.student_shuffle };
            rng.shuffle(&mut self.order);
        }
        let size = self.settings.batch_size.max(1);
        let start = self.batch * size;
        let end = (start + size).min(self.order.len());
        // The order is lent to the step (no copy of the batch's rows) and put back after it.
        let order = std::mem::take(&mut self.order);
        let rows = order.get(start..end).unwrap_or_default();
        let outcome = if self.phase == Phase::Teacher {
            self.teacher.train_batch(&self.data.train, rows)
        } else {
            self.train_students_batch(rows)
        };
        self.order = order;
        if let Err(KdError::Diverged(divergence)) = outcome {
            // Keep the last good weights: the teacher's, or both students' (so that they stay
            // comparable, having seen the same batches).
            if self.phase == Phase::Teacher {
                self.teacher.restore();
            } else {
                self.students.restore();
            }
            self.phase = Phase::Diverged;
            self.stopped = Some(Stopped::Diverged(divergence));
            return Ok(self.status());
        }
        outcome?;
        self.steps += 1;
        self.batch += 1;
        if self.batch >= self.batches_per_epoch() {
            self.finish_epoch()?;
        }
        Ok(self.status())
    }

    /// Trains to the end of the current epoch.
    pub fn step_epoch(&mut self) -> Result<Status> {
        let (phase, epoch) = (self.phase, self.epoch);
        while self.phase == phase && self.epoch == epoch && matches!(self.phase, Phase::Teacher | Phase::Distil) {
            self.step_batch()?;
        }
        Ok(self.status())
    }

    /// Trains until the phase `phase` is over (or training stops).
    pub fn run_phase(&mut self, phase: Phase) -> Result<Status> {
        while self.phase == phase && matches!(self.phase, Phase::Teacher | Phase::Distil) {
            self.step_epoch()?;
        }
        Ok(self.status())
    }

    fn finish_epoch(&mut self) -> Result<()> {
        self.epoch += 1;
        self.batch = 0;
        match self.phase {
            Phase::Teacher => {
                // One forward pass over the training split serves the epoch's metrics and, after
                // the last epoch, the soft targets.
                let members = self.teacher.member_logits(self.data.train.features.view())?;
                let metrics = self.evaluate_teacher(self.epoch, &members)?;
                self.history.teacher.push(metrics);
                if self.epoch >= self.settings.teacher_epochs {
                    self.start_distillation(SoftTargets::new(members))?;
                }
            }
            Phase::Distil => {
                let metrics = self.evaluate_students(self.epoch)?;
                self.history.students.push(metrics);
                if self.epoch >= self.settings.student_epochs {
                    self.phase = Phase::Done;
                }
            }
            Phase::Done | Phase::Diverged => {}
        }
        Ok(())
    }

    /// Freezes the teacher: its logits on the training split become the soft targets' source,
    /// with what the method reads besides (a hidden layer; the permutations of `dkpp`).
    fn start_distillation(&mut self, soft_targets: SoftTargets) -> Result<()> {
        self.freeze_teacher(soft_targets)?;
        self.start_students()
    }

    /// What the students learn from the frozen teacher: its logits on the training split, and
    /// what the method reads besides.
    fn freeze_teacher(&mut self, soft_targets: SoftTargets) -> Result<()> {
        let settings = &self.settings;
        let layer = match settings.method {
            MethodKind::Fitnets => Some(crate::methods::hints::teacher_layer(
                settings.hint_layer,
                settings.student_hidden.len(),
                settings.teacher_hidden.len(),
            )),
            MethodKind::Rkd => Some(settings.teacher_hidden.len()),
            _ => None,
        };
        if let Some(layer) = layer {
            let mut cache = self.teacher.first().forward_cached(self.data.train.features.view())?;
            self.teacher_features = Some(std::mem::take(&mut cache.outputs[layer]));
        }
        if settings.method == MethodKind::Dkpp {
            let combined = soft_targets.rows(&(0..self.data.train.len()).collect::<Vec<_>>(), 1.0);
            self.permutations = Some(Permutations::draw(combined.view(), settings.seed));
        }
        self.soft_targets = Some(soft_targets);
        Ok(())
    }

    /// The students' phase begins: their metrics before training are epoch 0.
    fn start_students(&mut self) -> Result<()> {
        self.phase = Phase::Distil;
        self.epoch = 0;
        self.batch = 0;
        let initial = self.evaluate_students(0)?;
        self.history.students.push(initial);
        Ok(())
    }

    /// The teacher's metrics from each member's logits on the training split (`members`).
    fn evaluate_teacher(&self, epoch: usize, members: &[Array2<f32>]) -> Result<TeacherEpoch> {
        let combined;
        let train_logits = match members {
            [one] => one,
            _ => {
                combined = ensemble_logits(members, 1.0);
                &combined
            }
        };
        let test_logits = self.logits(ModelKind::Teacher, self.data.test.features.view())?;
        Ok(TeacherEpoch {
            epoch,
            train_loss: cross_entropy_loss(train_logits.view(), &self.data.train.labels)?,
            train_accuracy: accuracy(train_logits.view(), &self.data.train.labels),
            test_accuracy: accuracy(test_logits.view(), &self.data.test.labels),
            test_bits: self.held_out_bits(test_logits.view())?,
        })
    }

    /// The language task: the cross-entropy of the held-out split's next characters under
    /// `logits` in bits per character; None for the other tasks.
    pub(super) fn held_out_bits(&self, logits: ArrayView2<f32>) -> Result<Option<f32>> {
        if self.settings.task != Task::Chars {
            return Ok(None);
        }
        Ok(Some(bits_per_character(logits, &self.data.test.labels)? as f32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Model, Quantity};

    #[test]
    fn a_run_keeps_why_it_stopped_and_reads_the_older_sentence() {
        let divergence = Divergence { model: Model::Member(2), what: Quantity::LossGradient, learning_rate: 100.0 };
        let json = serde_json::to_string(&Stopped::Diverged(divergence)).unwrap();
        assert_eq!(json, r#"{"model":"teacher-2","what":"lossGradient","learningRate":100.0}"#);
        assert_eq!(serde_json::from_str::<Stopped>(&json).unwrap(), Stopped::Diverged(divergence));
        let older = r#""Training stopped: the teacher's loss became NaN or infinite (learning rate 100).""#;
        assert!(
            matches!(serde_json::from_str::<Stopped>(older).unwrap(), Stopped::Said(text) if text.starts_with("Training stopped"))
        );
        assert!(serde_json::from_str::<Stopped>(r#"{"model":"nobody","what":"loss","learningRate":1}"#).is_err());
        assert_eq!(
            Stopped::Diverged(divergence).message().to_string(),
            "Training stopped: teacher 2's loss gradient became NaN or infinite (learning rate 100). The last good \
             weights are kept. Try a smaller learning rate, e.g. 10."
        );
    }
}
