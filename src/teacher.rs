//! The teacher: one network, or an ensemble of several trained side by side on the same batches,
//! each from its own initial weights (member k starts from the weights seed + k gives a single
//! teacher). An ensemble's soft label at T is the average of its members' probabilities at T.
//! Once trained, its logits on the training split are kept ([`SoftTargets`]): they are what the
//! students learn from.

use ndarray::{s, Array2, ArrayView2, Axis};

use crate::data::Split;
use crate::error::{KdError, Model, Result};
use crate::learner::Learner;
use crate::math;
use crate::methods::HardLabels;
use crate::network::Mlp;

/// The teacher's networks, each a [`Learner`] on the hard labels.
#[derive(Debug, Clone)]
pub struct Teacher {
    /// The first member is "the teacher" of a single-network teacher.
    members: Vec<Learner>,
}

impl Teacher {
    /// A teacher of `networks` (one, or an ensemble's members in order).
    pub fn new(
        networks: Vec<Mlp>,
        optimizer: crate::optimizer::OptimizerKind,
        learning_rate: f32,
        batch: usize,
    ) -> Self {
        let ensemble = networks.len() > 1;
        let members = networks
            .into_iter()
            .enumerate()
            .map(|(k, network)| {
                let model = if ensemble { Model::Member(k + 1) } else { Model::Teacher };
                Learner::new(network, model, optimizer, learning_rate, batch)
            })
            .collect();
        Teacher { members }
    }

    /// Whether it is an ensemble of several networks.
    pub fn is_ensemble(&self) -> bool {
        self.members.len() > 1
    }

    /// Every network: one, or each member of the ensemble.
    pub fn networks(&self) -> impl Iterator<Item = &Mlp> {
        self.members.iter().map(Learner::network)
    }

    /// Every member in training, in order (a copy of the session follows their weights).
    pub(crate) fn learners(&self) -> impl Iterator<Item = &Learner> {
        self.members.iter()
    }

    pub(crate) fn learners_mut(&mut self) -> impl Iterator<Item = &mut Learner> {
        self.members.iter_mut()
    }

    /// The first network (the teacher itself, or the ensemble's first member).
    pub fn first(&self) -> &Mlp {
        self.members[0].network()
    }

    /// A number that changes whenever any member's weights change.
    pub fn version(&self) -> u64 {
        self.members.iter().map(Learner::version).sum()
    }

    /// Trains one mini-batch, `rows` of `data`, on the hard labels: every member's gradients
    /// first, then the updates, so that a member that diverges stops the whole ensemble before
    /// any of them moves.
    pub fn train_batch(&mut self, data: &Split, rows: &[usize]) -> Result<()> {
        for member in &mut self.members {
            member.gradients(data.features.view(), &data.labels, rows, &HardLabels, None, 1.0, 0.0)?;
        }
        for member in &mut self.members {
            member.apply()?;
        }
        Ok(())
    }

    /// Puts every member's last good weights back.
    pub fn restore(&mut self) {
        self.members.iter_mut().for_each(Learner::restore);
    }

    /// Each member's logits for `features` (batch, features).
    pub fn member_logits(&self, features: ArrayView2<f32>) -> Result<Vec<Array2<f32>>> {
        self.networks().map(|network| network.forward(features)).collect()
    }

    /// The teacher's logits at temperature `t`: a single network's (which do not depend on `t`),
    /// or an ensemble's `t · log(mean_k softmax(z_k/t))`, whose softmax at `t` is exactly the
    /// average of its members' probabilities at `t` (and whose argmax at `t` = 1 is the
    /// ensemble's prediction).
    pub fn logits_at(&self, features: ArrayView2<f32>, t: f32) -> Result<Array2<f32>> {
        if !self.is_ensemble() {
            return self.first().forward(features);
        }
        Ok(ensemble_logits(&self.member_logits(features)?, t))
    }

    /// The soft targets' source once training is done: each member's logits on `train`.
    pub fn soft_targets(&self, train: &Split) -> Result<SoftTargets> {
        Ok(SoftTargets::new(self.member_logits(train.features.view())?))
    }
}

/// The trained teacher's logits on the training split (one matrix per member, (samples,
/// classes)), fixed from the end of its training on: what the students learn from.
#[derive(Debug, Clone)]
pub struct SoftTargets {
    members: Vec<Array2<f32>>,
    /// A batch's rows of a single teacher's logits (batch, classes), reused from step to step.
    batch: Array2<f32>,
}

impl SoftTargets {
    pub fn new(members: Vec<Array2<f32>>) -> Self {
        SoftTargets { members, batch: Array2::zeros((0, 0)) }
    }

    /// Each member's logits on the training split.
    pub fn members(&self) -> &[Array2<f32>] {
        &self.members
    }

    /// The teacher's logits at `t` for `rows` of the training split (rows, classes): copied into
    /// a reused buffer for one teacher (no allocation), combined for an ensemble.
    pub fn batch(&mut self, rows: &[usize], t: f32) -> Result<ArrayView2<'_, f32>> {
        match self.members.as_slice() {
            [single] => {
                if self.batch.nrows() < rows.len() || self.batch.ncols() != single.ncols() {
                    self.batch = Array2::zeros((rows.len(), single.ncols()));
                }
                if let Some(&bad) = rows.iter().find(|&&r| r >= single.nrows()) {
                    return Err(KdError::Internal(format!("no soft target for row {bad}")));
                }
                for (mut target, &r) in self.batch.rows_mut().into_iter().zip(rows) {
                    target.assign(&single.row(r));
                }
                Ok(self.batch.slice(s![..rows.len(), ..]))
            }
            _ => {
                self.batch = self.rows(rows, t);
                Ok(self.batch.view())
            }
        }
    }

    /// The teacher's logits at `t` for `rows` of the training split, in a matrix of their own.
    pub fn rows(&self, rows: &[usize], t: f32) -> Array2<f32> {
        let selected: Vec<Array2<f32>> = self.members.iter().map(|m| m.select(Axis(0), rows)).collect();
        match selected.len() {
            1 => selected.into_iter().next().unwrap_or_default(),
            _ => ensemble_logits(&selected, t),
        }
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
