//! A session as a copy of it needs it to show the same run: where training stands, the history
//! since the copy last heard, and the weights of every network that changed.
//!
//! The page trains in a Web Worker and keeps a copy of the session on its main thread, which draws
//! and answers the learner; after each stretch of training the worker's session sends a
//! [`Snapshot`] and the copy [`Session::follow`]s it. The copy never trains, so it needs no
//! optimiser state, shuffle or batch order: what it computes from the snapshot (every report,
//! chart and saved run) is what the training session would compute, bit for bit.

use serde::{Deserialize, Serialize};

use super::{BatchLosses, Phase, Session, Stopped, StudentEpoch, TeacherEpoch};
use crate::error::{KdError, Result};
use crate::learner::Learner;
use crate::network::Mlp;

/// Where a session stands and what changed since the last snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub phase: Phase,
    pub epoch: usize,
    pub batch: usize,
    pub steps: u64,
    pub last_batch: Option<BatchLosses>,
    pub stopped: Option<Stopped>,
    /// The teacher's epochs from index `teacher_from` of its history on.
    pub teacher_from: usize,
    pub teacher_epochs: Vec<TeacherEpoch>,
    /// The students' epochs from index `student_from` on.
    pub student_from: usize,
    pub student_epochs: Vec<StudentEpoch>,
    /// For each network in [`Session::learners`]' order, whether its weights are in `weights`.
    pub changed: Vec<bool>,
    /// The changed networks' parameters, in order, each layer's weights (row by row) then its
    /// bias. (It crosses to the page as a `Float32Array` of its own.)
    #[serde(skip)]
    pub weights: Vec<f32>,
}

/// Which weights a snapshot sends: the version of each network when it was last sent.
#[derive(Debug, Clone, Default)]
pub struct SentVersions(Vec<Option<u64>>);

impl Session {
    /// Every network of the session in a fixed order: the teachers (one, or an ensemble's
    /// members), then the students and the networks their method adds.
    fn learners(&self) -> Vec<&Learner> {
        self.teacher.learners().chain(self.students.all()).collect()
    }

    fn learners_mut(&mut self) -> Vec<&mut Learner> {
        self.teacher.learners_mut().chain(self.students.all_mut()).collect()
    }

    /// The snapshot of this session for a copy that has heard of `teacher_from` teacher epochs
    /// and `student_from` student epochs, and of the weights `sent` records (which it then
    /// updates).
    pub fn snapshot(&self, teacher_from: usize, student_from: usize, sent: &mut SentVersions) -> Snapshot {
        let learners = self.learners();
        sent.0.resize(learners.len(), None);
        let mut weights = Vec::new();
        let changed = learners
            .iter()
            .zip(&mut sent.0)
            .map(|(learner, last)| {
                let changed = *last != Some(learner.version());
                if changed {
                    write_parameters(learner.network(), &mut weights);
                    *last = Some(learner.version());
                }
                changed
            })
            .collect();
        let teacher_from = teacher_from.min(self.history.teacher.len());
        let student_from = student_from.min(self.history.students.len());
        Snapshot {
            phase: self.phase,
            epoch: self.epoch,
            batch: self.batch,
            steps: self.steps,
            last_batch: self.last_batch,
            stopped: self.stopped.clone(),
            teacher_from,
            teacher_epochs: self.history.teacher[teacher_from..].to_vec(),
            student_from,
            student_epochs: self.history.students[student_from..].to_vec(),
            changed,
            weights,
        }
    }

    /// Makes this session (built from the same settings and data as the one that sent
    /// `snapshot`, and following it since) stand where that one stands. A snapshot that does not
    /// fit this session's networks or history is refused and changes nothing.
    pub fn follow(&mut self, snapshot: &Snapshot) -> Result<()> {
        let mismatch = |what: &str| KdError::Internal(format!("a snapshot that does not fit this run: {what}"));
        let sizes: Vec<usize> = self.learners().iter().map(|l| parameter_count(l.network())).collect();
        if snapshot.changed.len() != sizes.len() {
            return Err(mismatch("the number of networks"));
        }
        let expected: usize = sizes.iter().zip(&snapshot.changed).filter(|(_, c)| **c).map(|(n, _)| n).sum();
        if snapshot.weights.len() != expected {
            return Err(mismatch("the number of weights"));
        }
        if snapshot.teacher_from > self.history.teacher.len() || snapshot.student_from > self.history.students.len() {
            return Err(mismatch("the history"));
        }
        let mut rest = snapshot.weights.as_slice();
        for (learner, changed) in self.learners_mut().into_iter().zip(&snapshot.changed) {
            if *changed {
                learner.set_weights(|network| rest = read_parameters(network, rest));
            }
        }
        self.history.teacher.truncate(snapshot.teacher_from);
        self.history.teacher.extend_from_slice(&snapshot.teacher_epochs);
        self.history.students.truncate(snapshot.student_from);
        self.history.students.extend_from_slice(&snapshot.student_epochs);
        self.phase = snapshot.phase;
        self.epoch = snapshot.epoch;
        self.batch = snapshot.batch;
        self.steps = snapshot.steps;
        self.last_batch = snapshot.last_batch;
        self.stopped = snapshot.stopped.clone();
        Ok(())
    }
}

fn parameter_count(network: &Mlp) -> usize {
    network.layers.iter().map(|layer| layer.weights.len() + layer.bias.len()).sum()
}

fn write_parameters(network: &Mlp, out: &mut Vec<f32>) {
    for layer in &network.layers {
        out.extend(layer.weights.iter());
        out.extend(layer.bias.iter());
    }
}

/// Reads `network`'s parameters from the front of `from` (which holds at least as many, checked
/// by the caller) and returns the rest.
fn read_parameters<'a>(network: &mut Mlp, mut from: &'a [f32]) -> &'a [f32] {
    for layer in &mut network.layers {
        let (weights, rest) = from.split_at(layer.weights.len());
        layer.weights.iter_mut().zip(weights).for_each(|(value, new)| *value = *new);
        let (bias, rest) = rest.split_at(layer.bias.len());
        layer.bias.iter_mut().zip(bias).for_each(|(value, new)| *value = *new);
        from = rest;
    }
    from
}
