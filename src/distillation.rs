//! The distillation session: trains a teacher on the hard labels, then a *distilled* student on
//! `L = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(y, softmax(z_s))` beside a
//! *control* student trained on CE alone. Both students start from the same weights and see the
//! same batches in the same order, so any difference between them is due to distillation.
//!
//! With `teachers` > 1 the teacher is an ensemble: every member trains on the same batches from
//! its own initial weights, and the soft label is the average of their probabilities at T.
//! With `softLoss = logits` the soft term matches zero-meaned logits instead (Hinton eq. 4).
//!
//! The session advances by one mini-batch or one epoch and reports what happened; it knows
//! nothing about display.

mod saved_run;

pub use saved_run::{RunDocument, SavedRun, SavedWeights, RUN_FORMAT, RUN_VERSION};

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::dark_knowledge::{self, ClassSimilarity, SampleGradients, TemperatureSweep};
use crate::data::{Dataset, Split, SplitName};
use crate::error::{Divergence, KdError, Model, Quantity, Refusal, Result, SettingProblem};
use crate::losses::{self, accuracy, cross_entropy, distillation_loss_of, softmax};
use crate::math;
use crate::network::{DenseGradient, Mlp, Trainer};
use crate::optimizer::Optimizer;
use crate::rng::{Rng, Stream};
use crate::settings::{self, Settings};
use crate::text::Message;

/// Why training stopped early, as a run keeps it (and its file, in the field `message`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stopped {
    /// A number became NaN or infinite.
    Diverged(Divergence),
    /// The English sentence that a run file written before divergences were typed holds.
    Said(String),
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

/// The teacher's metrics after an epoch (epoch 0: before training).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeacherEpoch {
    pub epoch: usize,
    /// CE on the training split.
    pub train_loss: f32,
    pub train_accuracy: f32,
    pub test_accuracy: f32,
}

/// The students' metrics after an epoch (epoch 0: the shared initial weights), evaluated on the
/// whole training split (the transfer set) at the temperature and α in force then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentEpoch {
    pub epoch: usize,
    /// Distilled student: mean `T²·KL(softmax(z_t/T) ‖ softmax(z_s/T))`.
    pub soft_loss: f32,
    /// Distilled student: mean `CE(y, softmax(z_s))`.
    pub hard_loss: f32,
    /// Distilled student: `α·soft + (1 − α)·hard`.
    pub total_loss: f32,
    /// Control student: mean CE, the loss it is trained on.
    pub control_hard_loss: f32,
    pub kd_train_accuracy: f32,
    pub kd_test_accuracy: f32,
    pub control_train_accuracy: f32,
    pub control_test_accuracy: f32,
    pub temperature: f32,
    pub alpha: f32,
}

/// Everything recorded so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub teacher: Vec<TeacherEpoch>,
    pub students: Vec<StudentEpoch>,
}

impl History {
    /// The curves as CSV, one row per recorded epoch: the teacher's rows first (student columns
    /// empty), then the students' (teacher columns empty).
    pub fn to_csv(&self) -> String {
        let mut csv = String::from(
            "phase,epoch,teacher_train_loss,teacher_train_accuracy,teacher_test_accuracy,\
             soft_loss,hard_loss,total_loss,control_hard_loss,kd_train_accuracy,kd_test_accuracy,\
             control_train_accuracy,control_test_accuracy,temperature,alpha\n",
        );
        for e in &self.teacher {
            csv.push_str(&format!(
                "teacher,{},{},{},{},,,,,,,,,,\n",
                e.epoch, e.train_loss, e.train_accuracy, e.test_accuracy
            ));
        }
        for e in &self.students {
            csv.push_str(&format!(
                "students,{},,,,{},{},{},{},{},{},{},{},{},{}\n",
                e.epoch,
                e.soft_loss,
                e.hard_loss,
                e.total_loss,
                e.control_hard_loss,
                e.kd_train_accuracy,
                e.kd_test_accuracy,
                e.control_train_accuracy,
                e.control_test_accuracy,
                e.temperature,
                e.alpha
            ));
        }
        csv
    }
}

/// The losses of the last distillation mini-batch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchLosses {
    pub soft_loss: f32,
    pub hard_loss: f32,
    pub total_loss: f32,
    pub control_hard_loss: f32,
    /// The temperature and α this batch was trained with.
    pub temperature: f32,
    pub alpha: f32,
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
    /// `1 − max p` of the teacher's soft label at T, and at T = 1.
    pub dark_knowledge: f32,
    pub dark_knowledge_t1: f32,
    /// The teacher's soft label over the temperature slider's whole range.
    pub sweep: TemperatureSweep,
    /// The soft and hard terms' gradients with respect to the distilled student's logits.
    pub gradients: SampleGradients,
}

/// Points of the temperature sweep.
const SWEEP_POINTS: usize = 80;

/// A network in training: its optimiser, and a copy of its last good weights (those that last
/// gave a finite loss), restored when training diverges.
#[derive(Debug, Clone)]
struct Learner {
    network: Mlp,
    optimizer: Optimizer,
    last_good: Mlp,
    /// The buffers its training steps reuse.
    trainer: Trainer,
    /// Counts the changes of its weights (a drawing of the network can be kept while it stays).
    version: u64,
}

impl Learner {
    fn new(network: Mlp, settings: &Settings) -> Self {
        Learner {
            optimizer: Optimizer::new(settings.optimizer, settings.learning_rate, &network),
            last_good: network.clone(),
            trainer: Trainer::new(&network, settings.batch_size),
            version: 0,
            network,
        }
    }

    /// The forward pass of `rows` of `data` through the network (into the trainer's buffers).
    fn forward(&mut self, data: &Split, rows: &[usize]) -> Result<()> {
        self.trainer.forward(&self.network, data.features.view(), &data.labels, rows)
    }

    /// Backpropagates the trainer's logit gradient, after checking it and the loss are finite.
    fn backward(&mut self, loss: f32, whose: Model, settings: &Settings) -> Result<()> {
        check_finite(loss, self.trainer.logit_gradient_mut().view(), whose, settings)?;
        let gradients = self.trainer.backward(&self.network)?;
        check_gradients(gradients, whose, settings)
    }

    /// Applies one update from the gradients of the last [`Learner::backward`], which the current
    /// weights produced with a finite loss: those weights are saved as the last good ones first.
    /// An update that makes a weight NaN or infinite is reported as divergence.
    fn update(&mut self, whose: Model, settings: &Settings) -> Result<()> {
        self.last_good.copy_from(&self.network);
        self.version += 1;
        self.optimizer.step(&mut self.network, self.trainer.gradients())?;
        if !self.network.is_finite() {
            return Err(diverged(whose, Quantity::Weights, settings));
        }
        Ok(())
    }

    /// Puts the last good weights back.
    fn restore(&mut self) {
        self.version += 1;
        self.network.copy_from(&self.last_good);
    }
}

/// A training session: the data, the three networks, their optimisers and the history.
#[derive(Debug, Clone)]
pub struct Session {
    settings: Settings,
    data: Dataset,
    /// The teacher, or the first member of the ensemble.
    teacher: Learner,
    /// The ensemble's other members (empty for a single teacher).
    other_teachers: Vec<Learner>,
    kd_student: Learner,
    control_student: Learner,
    teacher_shuffle: Rng,
    student_shuffle: Rng,
    /// Each teacher's logits on the training split, fixed once the teachers are trained
    /// (one (samples, classes) matrix per member).
    teacher_train_logits: Option<Vec<Array2<f32>>>,
    /// The batch's rows of them (batch, classes), reused from step to step.
    soft_targets: Array2<f32>,
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
    /// Rows of the training split in the students' transfer set (without the omitted class,
    /// subsampled to the transfer-set fraction); the teacher trains on every row.
    transfer_rows: Vec<usize>,
}

/// The students' transfer set: the training rows without the omitted class, keeping
/// `round(n_c · fraction)` (at least one) rows of each remaining class `c`, chosen by the seed.
fn transfer_set(data: &Dataset, settings: &Settings) -> Result<Vec<usize>> {
    if let Some(class) = settings.omit_class {
        if class >= data.classes() {
            return Err(KdError::setting("omitClass", SettingProblem::NoSuchClass { classes: data.classes() }));
        }
    }
    let mut rng = Rng::stream(settings.seed, Stream::TransferSet);
    let mut rows = Vec::new();
    for class in (0..data.classes()).filter(|&c| Some(c) != settings.omit_class) {
        let mut of_class: Vec<usize> = (0..data.train.len()).filter(|&r| data.train.labels[r] == class).collect();
        if of_class.is_empty() {
            continue;
        }
        rng.shuffle(&mut of_class);
        let keep = ((of_class.len() as f32 * settings.train_fraction).round() as usize).clamp(1, of_class.len());
        rows.extend_from_slice(&of_class[..keep]);
    }
    rows.sort_unstable();
    if rows.is_empty() {
        return Err(KdError::setting("trainFraction", SettingProblem::EmptyTransferSet));
    }
    Ok(rows)
}

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
    /// Builds the data set and the three networks from validated settings.
    pub fn new(settings: Settings) -> Result<Self> {
        let data = Dataset::load(settings.dataset, &settings.data_options())?;
        Session::with_data(settings, data)
    }

    /// Builds the three networks for a data set made elsewhere (e.g. the user's CSV file).
    pub fn with_data(settings: Settings, data: Dataset) -> Result<Self> {
        let transfer_rows = transfer_set(&data, &settings)?;
        let sizes = |hidden: &[usize]| {
            let mut sizes = vec![data.feature_count()];
            sizes.extend_from_slice(hidden);
            sizes.push(data.classes());
            sizes
        };
        settings.check_networks_for(data.feature_count(), data.classes())?;
        // Member k of an ensemble starts from the weights seed + k gives a single teacher.
        let teacher_of = |member: u64| {
            Mlp::new(
                &sizes(&settings.teacher_hidden),
                settings.activation,
                &mut Rng::stream(settings.seed.wrapping_add(member), Stream::TeacherInit),
            )
        };
        let teacher = teacher_of(0)?;
        let other_teachers = (1..settings.teachers.max(1) as u64)
            .map(|k| teacher_of(k).map(|t| Learner::new(t, &settings)))
            .collect::<Result<Vec<_>>>()?;
        let kd_student = Mlp::new(
            &sizes(&settings.student_hidden),
            settings.activation,
            &mut Rng::stream(settings.seed, Stream::StudentInit),
        )?;
        let control_student = kd_student.clone();
        let mut session = Session {
            teacher: Learner::new(teacher, &settings),
            other_teachers,
            kd_student: Learner::new(kd_student, &settings),
            control_student: Learner::new(control_student, &settings),
            teacher_shuffle: Rng::stream(settings.seed, Stream::TeacherShuffle),
            student_shuffle: Rng::stream(settings.seed, Stream::StudentShuffle),
            teacher_train_logits: None,
            soft_targets: Array2::zeros((0, 0)),
            phase: Phase::Teacher,
            epoch: 0,
            batch: 0,
            order: Vec::new(),
            steps: 0,
            history: History::default(),
            last_batch: None,
            stopped: None,
            transfer_rows,
            settings,
            data,
        };
        let initial = session.evaluate_teacher(0)?;
        session.history.teacher.push(initial);
        Ok(session)
    }

    /// A new session that keeps this one's trained teacher(s) and data and starts fresh students
    /// with `settings`, which may differ from this session's only in what the students alone use
    /// (student layers and epochs, T, α, the soft term, the transfer set). The result is the
    /// session that `Session::new(settings)` would reach after training the same teacher, without
    /// training it again: a sweep over student settings shares one teacher.
    pub fn with_students(&self, settings: Settings) -> Result<Session> {
        if matches!(self.phase, Phase::Teacher | Phase::Diverged) && self.teacher_train_logits.is_none() {
            return Err(KdError::Refused(Refusal::TeacherNotTrained));
        }
        let students_only = Settings {
            student_hidden: self.settings.student_hidden.clone(),
            student_epochs: self.settings.student_epochs,
            temperature: self.settings.temperature,
            alpha: self.settings.alpha,
            soft_loss: self.settings.soft_loss,
            train_fraction: self.settings.train_fraction,
            omit_class: self.settings.omit_class,
            ..settings.clone()
        };
        if students_only != self.settings {
            return Err(KdError::Refused(Refusal::OnlyStudentSettings));
        }
        let mut fresh = Session::with_data(settings, self.data.clone())?;
        fresh.teacher = self.teacher.clone();
        fresh.other_teachers = self.other_teachers.clone();
        fresh.teacher_shuffle = self.teacher_shuffle.clone();
        fresh.history.teacher = self.history.teacher.clone();
        fresh.steps = self.history.teacher.len().saturating_sub(1) as u64 * self.batches_per_teacher_epoch() as u64;
        // The teacher's logits on the training split are the shared session's: not computed again.
        fresh.start_distillation(self.teacher_train_logits.clone().unwrap_or_default())?;
        Ok(fresh)
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
            ModelKind::Teacher => &self.teacher.network,
            ModelKind::Kd => &self.kd_student.network,
            ModelKind::Control => &self.control_student.network,
        }
    }

    /// A number that changes whenever the weights of network `which` (every member, for an
    /// ensemble) change: a drawing of the network made at one version holds until the next.
    pub fn weights_version(&self, which: ModelKind) -> u64 {
        match which {
            ModelKind::Teacher => std::iter::once(&self.teacher).chain(&self.other_teachers).map(|t| t.version).sum(),
            ModelKind::Kd => self.kd_student.version,
            ModelKind::Control => self.control_student.version,
        }
    }

    /// Every teacher: one, or each member of the ensemble.
    pub fn teachers(&self) -> impl Iterator<Item = &Mlp> {
        std::iter::once(&self.teacher.network).chain(self.other_teachers.iter().map(|t| &t.network))
    }

    /// The logits of network `which` for `features` (batch, features). An ensemble's logits at
    /// temperature `t` are `t · log(mean_k softmax(z_k/t))`, whose softmax at `t` is exactly the
    /// average of its members' probabilities at `t` (and whose argmax at `t` = 1 is the
    /// ensemble's prediction); a single network's do not depend on `t`.
    pub fn logits_at(&self, which: ModelKind, features: ArrayView2<f32>, t: f32) -> Result<Array2<f32>> {
        if which != ModelKind::Teacher || self.other_teachers.is_empty() {
            return self.model(which).forward(features);
        }
        let members = self.teachers().map(|teacher| teacher.forward(features)).collect::<Result<Vec<_>>>()?;
        Ok(ensemble_logits(&members, t))
    }

    /// [`Session::logits_at`] at T = 1: what the network predicts.
    fn logits(&self, which: ModelKind, features: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.logits_at(which, features, 1.0)
    }

    /// The teacher's logits at the current temperature for `rows` of the training split: the
    /// soft targets' source.
    fn soft_target_logits(&self, rows: &[usize]) -> Result<Array2<f32>> {
        let members = match &self.teacher_train_logits {
            Some(members) => members,
            None => {
                return Err(KdError::Internal("the students are trained or evaluated before the teacher is".into()))
            }
        };
        let selected: Vec<Array2<f32>> = members.iter().map(|m| m.select(Axis(0), rows)).collect();
        Ok(match selected.len() {
            1 => selected.into_iter().next().unwrap_or_default(),
            _ => ensemble_logits(&selected, self.settings.temperature),
        })
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
    /// weights) and sets the phase to [`Phase::Diverged`] with an explanation.
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
        let outcome =
            if self.phase == Phase::Teacher { self.train_teacher_batch(rows) } else { self.train_students_batch(rows) };
        self.order = order;
        if let Err(KdError::Diverged(divergence)) = outcome {
            // Keep the last good weights: the teacher's, or both students' (so that they stay
            // comparable, having seen the same batches).
            if self.phase == Phase::Teacher {
                self.teacher.restore();
                self.other_teachers.iter_mut().for_each(Learner::restore);
            } else {
                self.kd_student.restore();
                self.control_student.restore();
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
                let members = self.teacher_train_logits()?;
                let metrics = self.evaluate_teacher_on(self.epoch, &members)?;
                self.history.teacher.push(metrics);
                if self.epoch >= self.settings.teacher_epochs {
                    self.start_distillation(members)?;
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

    /// Freezes the teacher: `members`, each teacher's logits on the training split, become the
    /// soft targets' source.
    fn start_distillation(&mut self, members: Vec<Array2<f32>>) -> Result<()> {
        self.teacher_train_logits = Some(members);
        self.phase = Phase::Distil;
        self.epoch = 0;
        self.batch = 0;
        let initial = self.evaluate_students(0)?;
        self.history.students.push(initial);
        Ok(())
    }

    /// Each teacher's logits on the training split.
    fn teacher_train_logits(&self) -> Result<Vec<Array2<f32>>> {
        self.teachers().map(|teacher| teacher.forward(self.data.train.features.view())).collect()
    }

    fn batch_of(&self, rows: &[usize]) -> (Array2<f32>, Vec<usize>) {
        let features = self.data.train.features.select(Axis(0), rows); // (batch, features)
        let labels = rows.iter().map(|&r| self.data.train.labels[r]).collect();
        (features, labels)
    }

    fn train_teacher_batch(&mut self, rows: &[usize]) -> Result<()> {
        let ensemble = !self.other_teachers.is_empty();
        let (settings, train) = (&self.settings, &self.data.train);
        let whose = |k: usize| if ensemble { Model::Member(k + 1) } else { Model::Teacher };
        // Gradients of every member first, then the updates: a member that diverges stops the
        // whole ensemble before any of them moves.
        for (k, teacher) in std::iter::once(&mut self.teacher).chain(&mut self.other_teachers).enumerate() {
            teacher.forward(train, rows)?;
            let loss = teacher.trainer.cross_entropy()?;
            teacher.backward(loss, whose(k), settings)?;
        }
        for (k, teacher) in std::iter::once(&mut self.teacher).chain(&mut self.other_teachers).enumerate() {
            teacher.update(whose(k), settings)?;
        }
        Ok(())
    }

    fn train_students_batch(&mut self, rows: &[usize]) -> Result<()> {
        // The soft targets' logits of the batch (batch, classes): copied into a reused buffer for
        // one teacher, combined for an ensemble.
        let combined;
        let teacher_logits = match self.teacher_train_logits.as_deref() {
            Some([single]) => {
                if self.soft_targets.nrows() < rows.len() || self.soft_targets.ncols() != single.ncols() {
                    self.soft_targets = Array2::zeros((rows.len().max(self.settings.batch_size), single.ncols()));
                }
                for (mut target, &r) in self.soft_targets.rows_mut().into_iter().zip(rows) {
                    target.assign(&single.row(r));
                }
                self.soft_targets.slice(ndarray::s![..rows.len(), ..])
            }
            _ => {
                combined = self.soft_target_logits(rows)?;
                combined.view()
            }
        };
        let (t, alpha) = (self.settings.temperature, self.settings.alpha);
        let (settings, train) = (&self.settings, &self.data.train);

        let kd = &mut self.kd_student;
        kd.forward(train, rows)?;
        let kd_loss = kd.trainer.distillation(settings.soft_loss, teacher_logits.view(), t, alpha)?;
        let control = &mut self.control_student;
        control.forward(train, rows)?;
        let control_loss = control.trainer.cross_entropy()?;

        let (kd, control) = (Model::Distilled, Model::Control);
        self.kd_student.backward(kd_loss.total, kd, settings)?;
        self.control_student.backward(control_loss, control, settings)?;
        self.kd_student.update(kd, settings)?;
        self.control_student.update(control, settings)?;
        self.last_batch = Some(BatchLosses {
            soft_loss: kd_loss.soft,
            hard_loss: kd_loss.hard,
            total_loss: kd_loss.total,
            control_hard_loss: control_loss,
            temperature: t,
            alpha,
        });
        Ok(())
    }

    fn evaluate_teacher(&self, epoch: usize) -> Result<TeacherEpoch> {
        self.evaluate_teacher_on(epoch, &self.teacher_train_logits()?)
    }

    /// The teacher's metrics from each member's logits on the training split (`members`).
    fn evaluate_teacher_on(&self, epoch: usize, members: &[Array2<f32>]) -> Result<TeacherEpoch> {
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
            train_loss: cross_entropy(train_logits.view(), &self.data.train.labels)?.loss,
            train_accuracy: accuracy(train_logits.view(), &self.data.train.labels),
            test_accuracy: accuracy(test_logits.view(), &self.data.test.labels),
        })
    }

    fn evaluate_students(&self, epoch: usize) -> Result<StudentEpoch> {
        let (t, alpha) = (self.settings.temperature, self.settings.alpha);
        let test = &self.data.test;
        let teacher_logits = self.soft_target_logits(&self.transfer_rows)?; // (transfer, classes)
        let (features, labels) = self.batch_of(&self.transfer_rows);
        let (kd_student, control_student) = (&self.kd_student.network, &self.control_student.network);
        let kd_train = kd_student.forward(features.view())?;
        let control_train = control_student.forward(features.view())?;
        let kd =
            distillation_loss_of(self.settings.soft_loss, kd_train.view(), teacher_logits.view(), &labels, t, alpha)?;
        Ok(StudentEpoch {
            epoch,
            soft_loss: kd.soft,
            hard_loss: kd.hard,
            total_loss: kd.total,
            control_hard_loss: cross_entropy(control_train.view(), &labels)?.loss,
            kd_train_accuracy: accuracy(kd_train.view(), &labels),
            kd_test_accuracy: accuracy(kd_student.forward(test.features.view())?.view(), &test.labels),
            control_train_accuracy: accuracy(control_train.view(), &labels),
            control_test_accuracy: accuracy(control_student.forward(test.features.view())?.view(), &test.labels),
            temperature: t,
            alpha,
        })
    }

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

    /// Predicted class of network `which` for every sample of a split.
    pub fn predictions(&self, which: ModelKind, split: SplitName) -> Result<Vec<usize>> {
        let logits = self.logits(which, self.data.split(split).features.view())?;
        Ok(losses::argmax_rows(logits.view()))
    }

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
        let soft = losses::soft_term_of(self.settings.soft_loss, kd.view(), teacher_at.view(), t)?.loss;
        let hard = cross_entropy(kd.view(), &[label])?.loss;
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
        let report = self.inspect(split, index)?;
        let features = self.data.split(split).features.slice(ndarray::s![index..index + 1, ..]); // (1, features)
        let student_logits = self.kd_student.network.forward(features)?.row(0).to_vec();
        let (low, high) = settings::spec("temperature").map_or((0.25, 50.0), |s| (s.min as f32, s.max as f32));
        let temperatures = dark_knowledge::log_spaced(low, high, SWEEP_POINTS);
        let sweep = if self.other_teachers.is_empty() {
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
        let kind = self.settings.soft_loss;
        Ok(SampleInsight {
            split,
            index,
            label: report.label,
            temperature: report.temperature,
            alpha: report.alpha,
            teacher_entropy_bits: dark_knowledge::entropy_bits(&report.teacher_at_t),
            teacher_entropy_bits_t1: dark_knowledge::entropy_bits(&report.teacher_t1),
            max_entropy_bits: math::log2(self.data.classes() as f32),
            dark_knowledge: dark_knowledge::dark_knowledge_mass(&report.teacher_at_t),
            dark_knowledge_t1: dark_knowledge::dark_knowledge_mass(&report.teacher_t1),
            sweep,
            gradients: dark_knowledge::sample_gradients(
                kind,
                &student_logits,
                &teacher_at_t,
                report.label,
                report.temperature,
                report.alpha,
            )?,
            teacher_logits: report.teacher_logits,
        })
    }

    /// The teacher's mean soft label per true class over the training split at the current T.
    pub fn class_similarity(&self) -> Result<ClassSimilarity> {
        let t = self.settings.temperature;
        let logits = self.logits_at(ModelKind::Teacher, self.data.train.features.view(), t)?;
        dark_knowledge::class_similarity(logits.view(), &self.data.train.labels, t)
    }
}

/// `t · log(mean_k softmax(z_k/t))` row by row, from the members' logits `z_k` (each (batch,
/// classes)), in f64 with each row's maximum subtracted: logits whose softmax at `t` is the
/// average of the members' probabilities at `t`. A class to which every member gives probability
/// 0 gets a very negative logit rather than −∞.
pub fn ensemble_logits(members: &[Array2<f32>], t: f32) -> Array2<f32> {
    let Some(first) = members.first() else { return Array2::zeros((0, 0)) };
    let mut mean = Array2::<f64>::zeros(first.dim());
    for logits in members {
        for (mut out, row) in mean.rows_mut().into_iter().zip(logits.rows()) {
            let max = row.fold(f64::NEG_INFINITY, |m, &z| m.max(z as f64));
            let exps: Vec<f64> = row.iter().map(|&z| math::exp_f64((z as f64 - max) / t as f64)).collect();
            let sum: f64 = exps.iter().sum();
            out.iter_mut().zip(exps).for_each(|(o, e)| *o += e / sum);
        }
    }
    let k = members.len() as f64;
    mean.mapv(|p| (t as f64 * math::ln_f64((p / k).max(f64::MIN_POSITIVE))) as f32)
}

fn diverged(model: Model, what: Quantity, settings: &Settings) -> KdError {
    KdError::Diverged(Divergence { model, what, learning_rate: settings.learning_rate })
}

fn check_finite(loss: f32, gradient: ArrayView2<f32>, whose: Model, settings: &Settings) -> Result<()> {
    if !loss.is_finite() {
        return Err(diverged(whose, Quantity::Loss, settings));
    }
    if gradient.iter().any(|g| !g.is_finite()) {
        return Err(diverged(whose, Quantity::LossGradient, settings));
    }
    Ok(())
}

fn check_gradients(gradients: &[DenseGradient], whose: Model, settings: &Settings) -> Result<()> {
    let finite = gradients.iter().all(|g| g.weights.iter().chain(g.bias.iter()).all(|v| v.is_finite()));
    if finite {
        Ok(())
    } else {
        Err(diverged(whose, Quantity::WeightGradients, settings))
    }
}
