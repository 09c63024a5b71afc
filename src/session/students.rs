//! The students and how each method trains them, one mini-batch at a time, beside their
//! controls; and their metrics after each epoch.
//!
//! Every method has a distilled student and a control trained on the hard labels from the same
//! initial weights on the same batches. Some methods train more networks:
//!
//! | method | the distilled student learns from | more networks |
//! |---|---|---|
//! | `kd`, `logits` | the teacher's logits | |
//! | `label-smoothing`, `dkpp` | the teacher's soft labels, altered ([`crate::methods::label_smoothing`], [`crate::methods::permuted`]) | |
//! | `fitnets` | the teacher's hidden layer, then its logits ([`crate::methods::hints`]) | a regressor |
//! | `rkd` | the teacher's last hidden layer, as relations ([`crate::methods::relations`]) | |
//! | `dml` | the second peer ([`crate::methods::mutual`]) | the second peer and its twin |
//! | `byot` | its own final head ([`crate::methods::self_distillation`]) | an early exit each |

use ndarray::{s, Array2, ArrayView2, Axis};

use super::{BatchLosses, MethodEpoch, Session, StudentEpoch};
use crate::data::Dataset;
use crate::error::{KdError, Model, Result};
use crate::fidelity::linear_cka;
use crate::learner::Learner;
use crate::losses::{accuracy, cross_entropy_loss};
use crate::methods::hints::{self, Hint};
use crate::methods::relations::{self, RelationTerms};
use crate::methods::self_distillation::EXIT_LAYER;
use crate::methods::{label_smoothing, Batch, HardLabels, LogitMatching, LossTerms, Method, MethodKind};
use crate::network::{Dense, Mlp};
use crate::rng::{Rng, Stream};
use crate::settings::Settings;

/// The networks the students' phase trains.
#[derive(Debug, Clone)]
pub(super) struct Students {
    pub distilled: Learner,
    pub control: Learner,
    /// FitNets' regressor (guided layer → hint), or BYOT's early exit of the distilled student:
    /// a one-layer network whose input is a hidden layer of the student.
    pub head: Option<Learner>,
    /// BYOT: the control's early exit.
    pub control_head: Option<Learner>,
    /// DML: the second peer and its twin.
    pub peer: Option<Learner>,
    pub peer_twin: Option<Learner>,
    /// The distilled student's soft targets for the current batch, and a second buffer (a
    /// peer's or a final head's logits).
    targets: Array2<f32>,
    other: Array2<f32>,
    /// dL/dh from a loss on a hidden layer (rows, width).
    feature_gradient: Array2<f32>,
    /// 0, 1, … for a head's rows.
    identity: Vec<usize>,
}

/// The layer sizes `[features, hidden…, classes]` of a network on `data`.
pub(super) fn sizes(data: &Dataset, hidden: &[usize]) -> Vec<usize> {
    let mut sizes = vec![data.feature_count()];
    sizes.extend_from_slice(hidden);
    sizes.push(data.classes());
    sizes
}

/// A network of one linear layer, `inputs → outputs`, a head on another network's hidden layer.
fn head(inputs: usize, outputs: usize, settings: &Settings, rng: &mut Rng) -> Mlp {
    Mlp {
        layers: vec![Dense::new(inputs, outputs, settings.activation, settings.init, rng)],
        activation: settings.activation,
    }
}

impl Students {
    /// The students of `settings.method` on `data`, the distilled one and the control from
    /// `student` (the same initial weights).
    pub fn new(settings: &Settings, data: &Dataset, student: Mlp) -> Result<Students> {
        let learner = |network: Mlp, model: Model| {
            Learner::new(network, model, settings.optimizer, settings.learning_rate, settings.batch_size)
        };
        let mut rng = Rng::stream(settings.seed, Stream::Heads);
        let (mut head_network, mut control_head, mut peer, mut peer_twin) = (None, None, None, None);
        match settings.method {
            MethodKind::Fitnets => {
                let guided = settings.student_hidden[settings.hint_layer - 1];
                let layer = hints::teacher_layer(
                    settings.hint_layer,
                    settings.student_hidden.len(),
                    settings.teacher_hidden.len(),
                );
                let hint = settings.teacher_hidden[layer - 1];
                head_network = Some(learner(head(guided, hint, settings, &mut rng), Model::Distilled));
            }
            MethodKind::Byot => {
                let exit = head(settings.student_hidden[EXIT_LAYER - 1], data.classes(), settings, &mut rng);
                control_head = Some(learner(exit.clone(), Model::Control));
                head_network = Some(learner(exit, Model::Distilled));
            }
            MethodKind::Dml => {
                let mut rng = Rng::stream(settings.seed, Stream::PeerInit);
                let network = Mlp::with_init(
                    &sizes(data, &settings.student_hidden),
                    settings.activation,
                    settings.init,
                    &mut rng,
                )?;
                peer_twin = Some(learner(network.clone(), Model::PeerTwin));
                peer = Some(learner(network, Model::Peer));
            }
            _ => {}
        }
        Ok(Students {
            control: learner(student.clone(), Model::Control),
            distilled: learner(student, Model::Distilled),
            head: head_network,
            control_head,
            peer,
            peer_twin,
            targets: Array2::zeros((0, 0)),
            other: Array2::zeros((0, 0)),
            feature_gradient: Array2::zeros((0, 0)),
            identity: Vec::new(),
        })
    }

    /// Every learner in a fixed order: the distilled student, the control, then the networks the
    /// method adds.
    pub(super) fn all(&self) -> impl Iterator<Item = &Learner> {
        [Some(&self.distilled), Some(&self.control)]
            .into_iter()
            .chain([self.head.as_ref(), self.control_head.as_ref(), self.peer.as_ref(), self.peer_twin.as_ref()])
            .flatten()
    }

    /// Every learner, for an update or a restore, in [`Students::all`]'s order.
    pub(super) fn all_mut(&mut self) -> impl Iterator<Item = &mut Learner> {
        [Some(&mut self.distilled), Some(&mut self.control)]
            .into_iter()
            .chain([self.head.as_mut(), self.control_head.as_mut(), self.peer.as_mut(), self.peer_twin.as_mut()])
            .flatten()
    }

    /// The extra networks (heads, peers) in the order a run file keeps them.
    pub fn extra_networks(&self) -> Vec<Mlp> {
        [&self.head, &self.control_head, &self.peer, &self.peer_twin]
            .into_iter()
            .flatten()
            .map(|learner| learner.network().clone())
            .collect()
    }

    /// Replaces the extra networks by `networks` (a run file's, checked against these shapes by
    /// `check`), in [`Students::extra_networks`]' order.
    pub fn set_extra_networks(
        &mut self,
        networks: Vec<Mlp>,
        settings: &Settings,
        check: impl Fn(Model, &Mlp, &Mlp) -> Result<()>,
    ) -> Result<()> {
        let slots: Vec<&mut Learner> = [&mut self.head, &mut self.control_head, &mut self.peer, &mut self.peer_twin]
            .into_iter()
            .flatten()
            .collect();
        if slots.len() != networks.len() {
            return Err(KdError::RunFile(crate::error::RunFileProblem::MalformedField {
                field: "weights.heads".into(),
                reason: format!(
                    "{} networks where the method {} has {}",
                    networks.len(),
                    settings.method.name(),
                    slots.len()
                ),
            }));
        }
        for (slot, network) in slots.into_iter().zip(networks) {
            let model = slot.model();
            check(model, &network, slot.network())?;
            *slot = Learner::new(network, model, settings.optimizer, settings.learning_rate, settings.batch_size);
        }
        Ok(())
    }

    /// Applies every learner's update (after all gradients are ready).
    fn apply(&mut self) -> Result<()> {
        self.all_mut().try_for_each(Learner::apply)
    }

    /// Puts every learner's last good weights back.
    pub fn restore(&mut self) {
        self.all_mut().for_each(Learner::restore);
    }

    /// `0..n`, the rows of a head's batch.
    fn identity(&mut self, n: usize) -> Vec<usize> {
        if self.identity.len() != n {
            self.identity = (0..n).collect();
        }
        std::mem::take(&mut self.identity)
    }
}

/// A head's pass on a hidden layer `hidden` of its network (rows, width): forward, the loss of
/// `method` against `target` (weighted by 1), backward to its input; dL/dh is then
/// `head.input_gradient()`.
#[allow(clippy::too_many_arguments)] // a head, its input, its method and what the method needs
fn head_pass(
    head: &mut Learner,
    hidden: ArrayView2<f32>,
    labels: &[usize],
    identity: &[usize],
    method: &dyn Method,
    target: Option<ArrayView2<f32>>,
    t: f32,
    alpha: f32,
) -> Result<LossTerms> {
    head.forward(hidden, labels, identity)?;
    let terms = head.loss(method, target, t, alpha, 1.0)?;
    head.backward(None, true)?;
    Ok(terms)
}

/// Copies `view` into `buffer` (resized if need be) and returns its rows.
fn copy_into<'a>(buffer: &'a mut Array2<f32>, view: ArrayView2<f32>) -> ArrayView2<'a, f32> {
    if buffer.nrows() < view.nrows() || buffer.ncols() != view.ncols() {
        *buffer = Array2::zeros(view.dim());
    }
    let mut rows = buffer.slice_mut(s![..view.nrows(), ..]);
    rows.assign(&view);
    buffer.slice(s![..view.nrows(), ..])
}

impl Session {
    /// The teacher's logits at `t` for `rows` of the training split, as the distilled student's
    /// method reads them: the teacher's own, or altered by a control (smoothed, permuted). Into
    /// the students' target buffer.
    fn batch_targets(&mut self, rows: &[usize], t: f32) -> Result<()> {
        let soft_targets = self
            .soft_targets
            .as_mut()
            .ok_or_else(|| KdError::Internal("the students are trained before the teacher is".into()))?;
        let teacher = soft_targets.batch(rows, t)?;
        copy_into(&mut self.students.targets, teacher);
        let n = rows.len();
        match self.settings.method {
            MethodKind::LabelSmoothing => {
                let epsilon = self.smoothing_epsilon(t)?;
                let labels: Vec<usize> = rows.iter().map(|&r| self.data.train.labels[r]).collect();
                label_smoothing::smoothed_logits_into(
                    &labels,
                    epsilon,
                    t,
                    self.students.targets.slice_mut(s![..n, ..]),
                );
            }
            MethodKind::Dkpp => {
                let permutations = self
                    .permutations
                    .as_ref()
                    .ok_or_else(|| KdError::Internal("the permuted soft labels were not drawn".into()))?;
                permutations.apply(rows, self.students.targets.slice_mut(s![..n, ..]));
            }
            _ => {}
        }
        Ok(())
    }

    /// Label smoothing's ε at `t`: the teacher's mean wrong-class mass on the transfer set at `t`,
    /// spread evenly (computed again only when T changes).
    fn smoothing_epsilon(&mut self, t: f32) -> Result<f32> {
        if let Some((at, epsilon)) = self.smoothing {
            if at == t {
                return Ok(epsilon);
            }
        }
        let soft_targets = self
            .soft_targets
            .as_ref()
            .ok_or_else(|| KdError::Internal("label smoothing before the teacher is trained".into()))?;
        let teacher = soft_targets.rows(&self.transfer_rows, t);
        let labels: Vec<usize> = self.transfer_rows.iter().map(|&r| self.data.train.labels[r]).collect();
        let mass = label_smoothing::wrong_class_mass(teacher.view(), &labels, t)?;
        let epsilon = label_smoothing::matched_epsilon(mass, self.data.classes());
        self.smoothing = Some((t, epsilon));
        Ok(epsilon)
    }

    /// The rows `rows` of the teacher's hidden layer that a feature-based method reads (FitNets'
    /// hint, RKD's embedding), on the training split.
    fn teacher_features_of(&self, rows: &[usize]) -> Result<Array2<f32>> {
        let features = self
            .teacher_features
            .as_ref()
            .ok_or_else(|| KdError::Internal("a feature-based method without the teacher's layer".into()))?;
        Ok(features.select(Axis(0), rows))
    }

    /// Trains the students on one mini-batch, each by its method: all gradients first, then all
    /// updates, so that a divergence leaves every network as it was.
    pub(super) fn train_students_batch(&mut self, rows: &[usize]) -> Result<()> {
        let losses = self.students_gradients(rows)?;
        self.students.apply()?;
        self.last_batch = Some(losses);
        Ok(())
    }

    /// Every student's gradients for one mini-batch, by its method, ready to apply.
    fn students_gradients(&mut self, rows: &[usize]) -> Result<BatchLosses> {
        let (t, alpha) = (self.settings.temperature, self.settings.alpha);
        let method = self.settings.method;
        let kl = self.settings.kl_direction.method();
        if method.needs_teacher() {
            self.batch_targets(rows, t)?;
        }
        let n = rows.len();
        let teacher_features = match method {
            MethodKind::Rkd => Some(self.teacher_features_of(rows)?),
            MethodKind::Fitnets if self.in_hint_stage() => Some(self.teacher_features_of(rows)?),
            _ => None,
        };
        let hint_stage = method == MethodKind::Fitnets && self.in_hint_stage();
        let train = &self.data.train;
        let (features, labels) = (train.features.view(), &train.labels[..]);
        let students = &mut self.students;
        // the control learns from the hard labels (BYOT's, with its exit, below)
        let mut control = None;
        if method != MethodKind::Byot {
            control = Some(students.control.gradients(features, labels, rows, &HardLabels, None, t, alpha)?);
        }
        let mut hint_loss = None;
        let distilled = match method {
            MethodKind::Fitnets if hint_stage => {
                // The hint stage: the guided layer and those below it learn the teacher's hint
                // through the regressor; the KD terms are measured, not trained (weight 0).
                let layer = self.settings.hint_layer;
                let hint = teacher_features.as_ref().map(|a| a.view());
                let identity = students.identity(n);
                let head =
                    students.head.as_mut().ok_or_else(|| KdError::Internal("FitNets without its regressor".into()))?;
                students.distilled.forward(features, labels, rows)?;
                let terms = head_pass(
                    head,
                    students.distilled.hidden(layer)?,
                    students.distilled.labels(),
                    &identity,
                    &Hint,
                    hint,
                    t,
                    alpha,
                );
                students.identity = identity;
                hint_loss = Some(terms?.total);
                let targets = students.targets.slice(s![..n, ..]);
                let measured = students.distilled.loss(kl, Some(targets), t, alpha, 0.0)?;
                students.distilled.backward(Some((layer, head.input_gradient())), false)?;
                measured
            }
            MethodKind::Kd
            | MethodKind::LabelSmoothing
            | MethodKind::Dkpp
            | MethodKind::Logits
            | MethodKind::Fitnets => {
                let method: &dyn Method = if method == MethodKind::Logits { &LogitMatching } else { kl };
                let targets = students.targets.slice(s![..n, ..]);
                students.distilled.gradients(features, labels, rows, method, Some(targets), t, alpha)?
            }
            MethodKind::Rkd => {
                let layer = self.settings.student_hidden.len();
                let teacher = teacher_features
                    .as_ref()
                    .map(|a| a.view())
                    .ok_or_else(|| KdError::Internal("RKD without the teacher's embeddings".into()))?;
                students.distilled.forward(features, labels, rows)?;
                let embedding = students.distilled.hidden(layer)?;
                if students.feature_gradient.dim() != embedding.dim() {
                    students.feature_gradient = Array2::zeros(embedding.dim());
                }
                let relation =
                    relations::relations_into(embedding, teacher, alpha, students.feature_gradient.view_mut())?;
                let hard = students.distilled.loss(&HardLabels, None, t, alpha, 1.0 - alpha)?.hard;
                students.distilled.backward(Some((layer, students.feature_gradient.view())), false)?;
                let soft = relation.weighted();
                LossTerms { total: alpha * soft + (1.0 - alpha) * hard, soft, hard }
            }
            MethodKind::Dml => {
                let (peer, twin) = match (students.peer.as_mut(), students.peer_twin.as_mut()) {
                    (Some(peer), Some(twin)) => (peer, twin),
                    _ => return Err(KdError::Internal("mutual learning without its second peer".into())),
                };
                twin.gradients(features, labels, rows, &HardLabels, None, t, alpha)?;
                students.distilled.forward(features, labels, rows)?;
                peer.forward(features, labels, rows)?;
                // each learns from the other's logits as they are now: constants for it
                let first = copy_into(&mut students.targets, students.distilled.logits());
                let second = copy_into(&mut students.other, peer.logits());
                let terms = students.distilled.loss(kl, Some(second), t, alpha, 1.0)?;
                peer.loss(kl, Some(first), t, alpha, 1.0)?;
                students.distilled.backward(None, false)?;
                peer.backward(None, false)?;
                terms
            }
            MethodKind::Byot => {
                let identity = students.identity(n);
                let (head, control_head) = match (students.head.as_mut(), students.control_head.as_mut()) {
                    (Some(head), Some(control_head)) => (head, control_head),
                    _ => return Err(KdError::Internal("self-distillation without its exits".into())),
                };
                // the control: its exit on the hard labels alone
                let control_student = &mut students.control;
                control_student.forward(features, labels, rows)?;
                let exit = head_pass(
                    control_head,
                    control_student.hidden(EXIT_LAYER)?,
                    control_student.labels(),
                    &identity,
                    &HardLabels,
                    None,
                    t,
                    alpha,
                );
                if let Err(error) = exit {
                    students.identity = identity;
                    return Err(error);
                }
                control = Some(control_student.loss(&HardLabels, None, t, alpha, 1.0)?);
                control_student.backward(Some((EXIT_LAYER, control_head.input_gradient())), false)?;
                // the distilled student: its exit taught by its final head at T
                let distilled = &mut students.distilled;
                distilled.forward(features, labels, rows)?;
                let last = copy_into(&mut students.other, distilled.logits());
                let exit = head_pass(
                    head,
                    distilled.hidden(EXIT_LAYER)?,
                    distilled.labels(),
                    &identity,
                    kl,
                    Some(last),
                    t,
                    alpha,
                );
                students.identity = identity;
                let exit = exit?;
                let last = distilled.loss(&HardLabels, None, t, alpha, 1.0)?;
                distilled.backward(Some((EXIT_LAYER, head.input_gradient())), false)?;
                LossTerms { total: last.total + exit.total, soft: exit.soft, hard: last.hard }
            }
        };
        Ok(BatchLosses {
            soft_loss: distilled.soft,
            hard_loss: distilled.hard,
            total_loss: distilled.total,
            control_hard_loss: control.ok_or_else(|| KdError::Internal("the control did not train".into()))?.total,
            temperature: t,
            alpha,
            hint_loss,
        })
    }

    /// Whether FitNets is in its hint stage (its first `hintEpochs` student epochs).
    pub fn in_hint_stage(&self) -> bool {
        self.settings.method == MethodKind::Fitnets
            && self.phase == super::Phase::Distil
            && self.epoch < self.settings.hint_epochs
    }
}

impl Session {
    /// The students' metrics on the whole transfer set (at the T and α in force) and the test
    /// split, and the method's own.
    pub(super) fn evaluate_students(&self, epoch: usize) -> Result<StudentEpoch> {
        let settings = &self.settings;
        let (t, alpha, method) = (settings.temperature, settings.alpha, settings.method);
        let kl = settings.kl_direction.method();
        let test = &self.data.test;
        let features = self.data.train.features.select(Axis(0), &self.transfer_rows); // (transfer, features)
        let labels: Vec<usize> = self.transfer_rows.iter().map(|&r| self.data.train.labels[r]).collect();
        let students = &self.students;
        let (distilled, control) = (students.distilled.network(), students.control.network());
        let distilled_cache = distilled.forward_cached(features.view())?;
        let distilled_train = distilled_cache.logits();
        let control_train = control.forward(features.view())?;
        let loss = |method: &dyn Method, logits: ArrayView2<f32>, teacher: ArrayView2<f32>| {
            let batch =
                Batch { student_logits: logits, labels: &labels, teacher_logits: Some(teacher), temperature: t, alpha };
            method.loss(&batch)
        };
        let teacher_targets = || -> Result<Array2<f32>> {
            let soft_targets = self
                .soft_targets
                .as_ref()
                .ok_or_else(|| KdError::Internal("the students are evaluated before the teacher is trained".into()))?;
            let mut targets = soft_targets.rows(&self.transfer_rows, t);
            match method {
                MethodKind::LabelSmoothing => {
                    let mass = label_smoothing::wrong_class_mass(targets.view(), &labels, t)?;
                    let epsilon = label_smoothing::matched_epsilon(mass, self.data.classes());
                    label_smoothing::smoothed_logits_into(&labels, epsilon, t, targets.view_mut());
                }
                MethodKind::Dkpp => {
                    if let Some(permutations) = &self.permutations {
                        permutations.apply(&self.transfer_rows, targets.view_mut());
                    }
                }
                _ => {}
            }
            Ok(targets)
        };
        let mut extra = MethodEpoch::default();
        let terms = match method {
            MethodKind::Kd | MethodKind::LabelSmoothing | MethodKind::Dkpp | MethodKind::Fitnets => {
                loss(kl, distilled_train.view(), teacher_targets()?.view())?
            }
            MethodKind::Logits => loss(&LogitMatching, distilled_train.view(), teacher_targets()?.view())?,
            MethodKind::Rkd => {
                let layer = settings.student_hidden.len();
                let embedding = &distilled_cache.outputs[layer];
                let teacher = self.teacher_features_of(&self.transfer_rows)?;
                // relations within mini-batch-sized blocks of the transfer set, in order, as training sees them
                let size = settings.batch_size.max(2);
                let (mut weighted, mut blocks) = (0.0f64, 0usize);
                let mut scratch = Array2::zeros((0, 0));
                for start in (0..labels.len()).step_by(size) {
                    let end = (start + size).min(labels.len());
                    let block = embedding.slice(s![start..end, ..]);
                    if scratch.dim() != block.dim() {
                        scratch = Array2::zeros(block.dim());
                    }
                    let terms: RelationTerms =
                        relations::relations_into(block, teacher.slice(s![start..end, ..]), 1.0, scratch.view_mut())?;
                    weighted += f64::from(terms.weighted());
                    blocks += 1;
                }
                let soft = (weighted / blocks.max(1) as f64) as f32;
                let hard = cross_entropy_loss(distilled_train.view(), &labels)?;
                LossTerms { total: alpha * soft + (1.0 - alpha) * hard, soft, hard }
            }
            MethodKind::Dml => {
                let (peer, twin) = match (&students.peer, &students.peer_twin) {
                    (Some(peer), Some(twin)) => (peer.network(), twin.network()),
                    _ => return Err(KdError::Internal("mutual learning without its second peer".into())),
                };
                let peer_train = peer.forward(features.view())?;
                extra.peer_hard_loss = Some(cross_entropy_loss(peer_train.view(), &labels)?);
                extra.peer_twin_hard_loss = Some(cross_entropy_loss(twin.forward(features.view())?.view(), &labels)?);
                extra.peer_test_accuracy = Some(accuracy(peer.forward(test.features.view())?.view(), &test.labels));
                extra.peer_twin_test_accuracy =
                    Some(accuracy(twin.forward(test.features.view())?.view(), &test.labels));
                loss(kl, distilled_train.view(), peer_train.view())?
            }
            MethodKind::Byot => {
                let exit_logits = self.exit_logits(super::ModelKind::Kd, features.view())?;
                let exit = loss(kl, exit_logits.view(), distilled_train.view())?;
                let hard = cross_entropy_loss(distilled_train.view(), &labels)?;
                extra.exit_test_accuracy =
                    Some(accuracy(self.exit_logits(super::ModelKind::Kd, test.features.view())?.view(), &test.labels));
                extra.control_exit_test_accuracy = Some(accuracy(
                    self.exit_logits(super::ModelKind::Control, test.features.view())?.view(),
                    &test.labels,
                ));
                LossTerms { total: hard + exit.total, soft: exit.soft, hard }
            }
        };
        if method == MethodKind::Fitnets {
            let layer = settings.hint_layer;
            let head =
                students.head.as_ref().ok_or_else(|| KdError::Internal("FitNets without its regressor".into()))?;
            let regressed = head.network().forward(distilled_cache.outputs[layer].view())?;
            let hint = self.teacher_features_of(&self.transfer_rows)?;
            let batch = Batch {
                student_logits: regressed.view(),
                labels: &labels,
                teacher_logits: Some(hint.view()),
                temperature: t,
                alpha,
            };
            extra.hint_loss = Some(Hint.loss(&batch)?.total);
            let teacher_layer =
                hints::teacher_layer(layer, settings.student_hidden.len(), settings.teacher_hidden.len());
            let teacher_test = self.teacher.first().forward_cached(test.features.view())?;
            let cka = |network: &Mlp| -> Result<f32> {
                let student_test = network.forward_cached(test.features.view())?;
                linear_cka(student_test.outputs[layer].view(), teacher_test.outputs[teacher_layer].view())
            };
            extra.kd_cka = Some(cka(distilled)?);
            extra.control_cka = Some(cka(control)?);
        }
        let (kd_test, control_test) =
            (distilled.forward(test.features.view())?, control.forward(test.features.view())?);
        Ok(StudentEpoch {
            epoch,
            soft_loss: terms.soft,
            hard_loss: terms.hard,
            total_loss: terms.total,
            control_hard_loss: cross_entropy_loss(control_train.view(), &labels)?,
            kd_train_accuracy: accuracy(distilled_train.view(), &labels),
            kd_test_accuracy: accuracy(kd_test.view(), &test.labels),
            control_train_accuracy: accuracy(control_train.view(), &labels),
            control_test_accuracy: accuracy(control_test.view(), &test.labels),
            kd_test_bits: self.held_out_bits(kd_test.view())?,
            control_test_bits: self.held_out_bits(control_test.view())?,
            temperature: t,
            alpha,
            method: extra,
        })
    }

    /// BYOT: the logits of the early exit of student `which` (`Kd` or `Control`) for `features`:
    /// the student's first hidden layer, then the exit.
    pub fn exit_logits(&self, which: super::ModelKind, features: ArrayView2<f32>) -> Result<Array2<f32>> {
        let (student, head) = match which {
            super::ModelKind::Kd => (&self.students.distilled, &self.students.head),
            super::ModelKind::Control => (&self.students.control, &self.students.control_head),
            super::ModelKind::Teacher => (&self.students.distilled, &None),
        };
        let head = head
            .as_ref()
            .filter(|_| self.settings.method == MethodKind::Byot)
            .ok_or_else(|| KdError::Internal("only a BYOT student has an early exit".into()))?;
        let cache = student.network().forward_cached(features)?;
        head.network().forward(cache.outputs[EXIT_LAYER].view())
    }

    /// DML: the second peer (`twin`: its twin, from the same weights on the hard labels).
    pub fn peer(&self, twin: bool) -> Option<&Mlp> {
        let learner = if twin { &self.students.peer_twin } else { &self.students.peer };
        learner.as_ref().map(Learner::network)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::cross_entropy;
    use crate::methods::{loss_of, KlDirection, SoftLabels};
    use crate::session::Phase;
    use crate::settings::Value;
    use std::collections::BTreeMap;

    /// A small session of `method` (tanh, so that finite differences see no kink) at the start of
    /// the students' phase, the teacher trained for two epochs.
    fn session(method: &str, more: &[(&str, &str)]) -> Session {
        let mut values: BTreeMap<String, Value> = [
            ("dataset", "blobs"),
            ("points", "120"),
            ("activation", "tanh"),
            ("teacherHidden", "12,10"),
            ("studentHidden", "6,5"),
            ("teacherEpochs", "2"),
            ("studentEpochs", "6"),
            ("hintEpochs", "2"),
            ("temperature", "3"),
            ("alpha", "0.6"),
            ("method", method),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
        .collect();
        for (k, v) in more {
            values.insert(k.to_string(), Value::Text(v.to_string()));
        }
        let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
        session.run_phase(Phase::Teacher).unwrap();
        assert_eq!(session.phase(), Phase::Distil);
        session
    }

    /// Every parameter of `network` as (layer, is_bias, index) with its value, a few of each layer.
    fn probes(network: &Mlp) -> Vec<(usize, bool, usize)> {
        let mut probes = Vec::new();
        for (l, layer) in network.layers.iter().enumerate() {
            for i in [0, layer.weights.len() / 2, layer.weights.len() - 1] {
                probes.push((l, false, i));
            }
            probes.push((l, true, layer.bias.len() - 1));
        }
        probes
    }

    fn nudge(network: &Mlp, (l, bias, i): (usize, bool, usize), by: f32) -> Mlp {
        let mut copy = network.clone();
        let layer = &mut copy.layers[l];
        if bias {
            layer.bias[i] += by;
        } else if let Some(w) = layer.weights.as_slice_mut().and_then(|w| w.get_mut(i)) {
            *w += by;
        }
        copy
    }

    fn analytic(gradients: &[crate::network::DenseGradient], (l, bias, i): (usize, bool, usize)) -> f64 {
        let g = &gradients[l];
        f64::from(if bias { g.bias[i] } else { g.weights.as_slice().unwrap()[i] })
    }

    /// Checks the gradient of `loss(distilled, head)` (the distilled student's total loss on
    /// `rows`, computed from scratch by whole forward passes) against what the session's step
    /// computed, at a few parameters of each layer of the student and of its head.
    fn check(session: &mut Session, loss: impl Fn(&Session, &Mlp, Option<&Mlp>) -> f64) {
        let rows: Vec<usize> = session.transfer_rows()[..8].to_vec();
        let terms = session.students_gradients(&rows).unwrap();
        let total =
            loss(session, session.students.distilled.network(), session.students.head.as_ref().map(|h| h.network()));
        // what the step minimised: the hint in FitNets' hint stage, the total otherwise
        let minimised = f64::from(terms.hint_loss.unwrap_or(terms.total_loss));
        assert!((total - minimised).abs() < 1e-4 * (1.0 + total.abs()), "{total} vs {terms:?}");
        let h = 1e-2f32;
        let student = session.students.distilled.network().clone();
        let head = session.students.head.as_ref().map(|h| h.network().clone());
        let mut checked = 0;
        for probe in probes(&student) {
            let up = loss(session, &nudge(&student, probe, h), head.as_ref());
            let down = loss(session, &nudge(&student, probe, -h), head.as_ref());
            let numeric = (up - down) / (2.0 * f64::from(h));
            let exact = analytic(session.students.distilled.parameter_gradients(), probe);
            assert!((exact - numeric).abs() <= 1e-3 + 2e-2 * numeric.abs(), "student {probe:?}: {exact} vs {numeric}");
            checked += usize::from(numeric.abs() > 1e-4);
        }
        if let Some(head) = &head {
            for probe in probes(head) {
                let up = loss(session, &student, Some(&nudge(head, probe, h)));
                let down = loss(session, &student, Some(&nudge(head, probe, -h)));
                let numeric = (up - down) / (2.0 * f64::from(h));
                let exact = analytic(session.students.head.as_ref().unwrap().parameter_gradients(), probe);
                assert!((exact - numeric).abs() <= 1e-3 + 2e-2 * numeric.abs(), "head {probe:?}: {exact} vs {numeric}");
            }
        }
        assert!(checked >= 4, "too few parameters with a gradient to check");
    }

    /// The batch of `rows` as a loss sees it: features, labels, and the teacher's logits at T.
    fn batch_of(session: &Session, rows: &[usize]) -> (Array2<f32>, Vec<usize>) {
        let train = &session.data.train;
        (train.features.select(Axis(0), rows), rows.iter().map(|&r| train.labels[r]).collect())
    }

    fn first_rows(session: &Session) -> Vec<usize> {
        session.transfer_rows()[..8].to_vec()
    }

    #[test]
    fn rkd_backpropagates_the_relations_through_the_student() {
        let mut session = session("rkd", &[]);
        check(&mut session, |s, student, _| {
            let rows = first_rows(s);
            let (x, y) = batch_of(s, &rows);
            let cache = student.forward_cached(x.view()).unwrap();
            let teacher = s.teacher_features_of(&rows).unwrap();
            let mut scratch = Array2::zeros(cache.outputs[2].dim());
            let relations =
                relations::relations_into(cache.outputs[2].view(), teacher.view(), 1.0, scratch.view_mut()).unwrap();
            let ce = cross_entropy(cache.logits().view(), &y).unwrap().loss;
            let alpha = f64::from(s.settings.alpha);
            alpha * f64::from(relations.weighted()) + (1.0 - alpha) * f64::from(ce)
        });
    }

    #[test]
    fn the_fitnets_hint_trains_the_guided_layer_and_the_regressor_and_nothing_above() {
        for hint_layer in ["1", "2"] {
            let mut session = session("fitnets", &[("hintLayer", hint_layer)]);
            assert!(session.in_hint_stage());
            let layer: usize = hint_layer.parse().unwrap();
            check(&mut session, |s, student, head| {
                let rows = first_rows(s);
                let (x, _) = batch_of(s, &rows);
                let cache = student.forward_cached(x.view()).unwrap();
                let regressed = head.unwrap().forward(cache.outputs[layer].view()).unwrap();
                let hint = s.teacher_features_of(&rows).unwrap();
                f64::from((&regressed - &hint).mapv(|d| d * d).mean().unwrap())
            });
            // the layers above the guided one get no gradient in the hint stage
            let gradients = session.students.distilled.parameter_gradients();
            for g in &gradients[layer..] {
                assert!(g.weights.iter().chain(&g.bias).all(|&v| v == 0.0));
            }
            assert!(gradients[..layer].iter().any(|g| g.weights.iter().any(|&v| v != 0.0)));
        }
    }

    #[test]
    fn byot_backpropagates_the_exit_into_the_shared_layer() {
        for direction in ["forward", "reverse"] {
            let mut session = session("byot", &[("klDirection", direction)]);
            let (t, alpha) = (session.settings.temperature, session.settings.alpha);
            let kl = KlDirection::from_name(direction).unwrap().method();
            // the final head's soft labels are constants for the exit: those of the weights now
            let rows = first_rows(&session);
            let (x, _) = batch_of(&session, &rows);
            let fixed_final = session.students.distilled.network().forward(x.view()).unwrap();
            check(&mut session, |s, student, head| {
                let (x, y) = batch_of(s, &rows);
                let cache = student.forward_cached(x.view()).unwrap();
                let exit = head.unwrap().forward(cache.outputs[EXIT_LAYER].view()).unwrap();
                let batch = Batch {
                    student_logits: exit.view(),
                    labels: &y,
                    teacher_logits: Some(fixed_final.view()),
                    temperature: t,
                    alpha,
                };
                let exit_loss = loss_of(kl, &batch).unwrap().0.total;
                f64::from(cross_entropy(cache.logits().view(), &y).unwrap().loss) + f64::from(exit_loss)
            });
        }
    }

    #[test]
    fn each_dml_peer_learns_from_the_others_current_soft_labels() {
        let mut session = session("dml", &[]);
        let (t, alpha) = (session.settings.temperature, session.settings.alpha);
        let rows = first_rows(&session);
        let (x, _) = batch_of(&session, &rows);
        let peer = session.peer(false).unwrap().forward(x.view()).unwrap();
        check(&mut session, |s, student, _| {
            let (x, y) = batch_of(s, &rows);
            let logits = student.forward(x.view()).unwrap();
            let batch = Batch {
                student_logits: logits.view(),
                labels: &y,
                teacher_logits: Some(peer.view()),
                temperature: t,
                alpha,
            };
            f64::from(loss_of(&SoftLabels, &batch).unwrap().0.total)
        });
    }

    #[test]
    fn the_controls_alter_only_the_targets() {
        for method in ["label-smoothing", "dkpp", "kd"] {
            let mut session = session(method, &[]);
            let (t, alpha) = (session.settings.temperature, session.settings.alpha);
            let rows = first_rows(&session);
            session.batch_targets(&rows, t).unwrap();
            let targets = session.students.targets.slice(s![..rows.len(), ..]).to_owned();
            let teacher = session.soft_targets.as_ref().unwrap().rows(&rows, t);
            let (p, q) = (crate::losses::softmax(teacher.view(), t), crate::losses::softmax(targets.view(), t));
            for (i, &r) in rows.iter().enumerate() {
                let y = session.data.train.labels[r];
                let (p, q) = (p.row(i), q.row(i));
                match method {
                    "kd" => assert_eq!(p, q),
                    "dkpp" => {
                        let (mut a, mut b): (Vec<f32>, Vec<f32>) = (p.to_vec(), q.to_vec());
                        a.sort_by(f32::total_cmp);
                        b.sort_by(f32::total_cmp);
                        assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-6), "{a:?} reordered is not {b:?}");
                    }
                    _ => {
                        // one value on every wrong class
                        let wrong: Vec<f32> = (0..q.len()).filter(|&k| k != y).map(|k| q[k]).collect();
                        assert!(wrong.iter().all(|&w| (w - wrong[0]).abs() < 1e-6));
                    }
                }
            }
            check(&mut session, |s, student, _| {
                let (x, y) = batch_of(s, &rows);
                let logits = student.forward(x.view()).unwrap();
                let batch = Batch {
                    student_logits: logits.view(),
                    labels: &y,
                    teacher_logits: Some(targets.view()),
                    temperature: t,
                    alpha,
                };
                f64::from(loss_of(&SoftLabels, &batch).unwrap().0.total)
            });
        }
    }
}

/// RKD's view: the pairwise distances (divided by their mean) between the embeddings (last hidden
/// layers) of a few test samples, grouped by class, as the teacher, the distilled student and the
/// control see them.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationView {
    /// The class of each sample, in the matrices' order.
    pub classes: Vec<usize>,
    pub teacher: Array2<f32>,
    pub distilled: Array2<f32>,
    pub control: Array2<f32>,
}

impl Session {
    /// [`RelationView`] of up to `per_class` test samples of each class (the first ones), for any
    /// method whose networks have a hidden layer; None when one of them has none.
    pub fn relation_view(&self, per_class: usize) -> Result<Option<RelationView>> {
        let test = &self.data.test;
        let mut rows = Vec::new();
        for class in 0..self.data.classes() {
            rows.extend(test.labels.iter().enumerate().filter(|(_, &y)| y == class).map(|(i, _)| i).take(per_class));
        }
        let features = test.features.select(Axis(0), &rows);
        let embedding = |network: &Mlp| -> Result<Option<Array2<f32>>> {
            let layers = network.layers.len();
            if layers < 2 {
                return Ok(None);
            }
            let mut cache = network.forward_cached(features.view())?;
            Ok(Some(relations::normalised_distances(std::mem::take(&mut cache.outputs[layers - 1]).view())))
        };
        let (Some(teacher), Some(distilled), Some(control)) = (
            embedding(self.teacher.first())?,
            embedding(self.students.distilled.network())?,
            embedding(self.students.control.network())?,
        ) else {
            return Ok(None);
        };
        Ok(Some(RelationView { classes: rows.iter().map(|&r| test.labels[r]).collect(), teacher, distilled, control }))
    }
}

impl Session {
    /// How far student `which`'s relations between test samples are from the teacher's: RKD's
    /// distance and angle terms ([`relations::relations_into`], unweighted) between the teacher's
    /// and the student's last hidden layers on the test split, in blocks of the batch size (as
    /// training sees them) and averaged over the blocks. None when a network has no hidden layer.
    pub fn relation_gap(&self, which: super::ModelKind) -> Result<Option<RelationTerms>> {
        let test = self.data.test.features.view();
        let last_hidden = |network: &Mlp| -> Result<Option<Array2<f32>>> {
            let layers = network.layers.len();
            if layers < 2 {
                return Ok(None);
            }
            let mut cache = network.forward_cached(test)?;
            Ok(Some(std::mem::take(&mut cache.outputs[layers - 1])))
        };
        let (Some(teacher), Some(student)) = (last_hidden(self.teacher.first())?, last_hidden(self.model(which))?)
        else {
            return Ok(None);
        };
        let size = self.settings.batch_size.max(3);
        let (mut distance, mut angle, mut blocks) = (0.0f64, 0.0f64, 0usize);
        let mut scratch = Array2::zeros((0, 0));
        for start in (0..student.nrows()).step_by(size) {
            let end = (start + size).min(student.nrows());
            if end - start < 3 {
                continue;
            }
            let block = student.slice(s![start..end, ..]);
            if scratch.dim() != block.dim() {
                scratch = Array2::zeros(block.dim());
            }
            let terms = relations::relations_into(block, teacher.slice(s![start..end, ..]), 1.0, scratch.view_mut())?;
            distance += f64::from(terms.distance);
            angle += f64::from(terms.angle);
            blocks += 1;
        }
        let n = blocks.max(1) as f64;
        Ok(Some(RelationTerms { distance: (distance / n) as f32, angle: (angle / n) as f32 }))
    }
}
