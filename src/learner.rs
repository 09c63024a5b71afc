//! A network in training: the network, its optimiser, the buffers of its passes, and the
//! divergence guard. Every training step of the playground goes through a [`Learner`] — the
//! teacher's (and each member's of an ensemble), both students', the speed benchmark's — so a
//! loss or gradient that becomes NaN or infinite is caught the same way everywhere: before the
//! update, keeping the last good weights, with a [`Divergence`] that says whose and what.

use ndarray::ArrayView2;

use crate::error::{Divergence, KdError, Model, Quantity, Result};
use crate::math::all_finite;
use crate::methods::{LossTerms, Method};
use crate::network::{Mlp, Passes};
use crate::optimizer::{Optimizer, OptimizerKind};

/// A network, its optimiser and the last good copy of its weights.
#[derive(Debug, Clone)]
pub struct Learner {
    network: Mlp,
    optimizer: Optimizer,
    /// The weights before the last update (those that last gave a finite loss), put back when
    /// training diverges.
    last_good: Mlp,
    passes: Passes,
    /// Which network it is, for a divergence's message.
    model: Model,
    /// Counts the changes of its weights (a drawing of the network can be kept while it stays).
    version: u64,
}

impl Learner {
    /// `network`, to be trained by `optimizer` at `learning_rate` on batches of up to `batch` rows.
    pub fn new(network: Mlp, model: Model, optimizer: OptimizerKind, learning_rate: f32, batch: usize) -> Self {
        Learner {
            optimizer: Optimizer::new(optimizer, learning_rate, &network),
            last_good: network.clone(),
            passes: Passes::new(&network, batch),
            model,
            version: 0,
            network,
        }
    }

    pub fn network(&self) -> &Mlp {
        &self.network
    }

    /// Which network it is.
    pub fn model(&self) -> Model {
        self.model
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// The forward pass of `rows` of `features` (samples, features), the loss of `method` on their
    /// `labels` (against `teacher_logits`, the
    /// teacher's for the same rows, when the method learns from one) and the backward pass: the
    /// parameter gradients are ready for [`Learner::apply`]. A NaN or infinite loss, loss
    /// gradient or weight gradient is a [`KdError::Diverged`], and nothing has changed.
    #[allow(clippy::too_many_arguments)] // a batch, a method and what it needs: each is one thing
    pub fn gradients(
        &mut self,
        features: ArrayView2<f32>,
        labels: &[usize],
        rows: &[usize],
        method: &dyn Method,
        teacher_logits: Option<ArrayView2<f32>>,
        temperature: f32,
        alpha: f32,
    ) -> Result<LossTerms> {
        self.forward(features, labels, rows)?;
        let terms = self.loss(method, teacher_logits, temperature, alpha, 1.0)?;
        self.backward(None, false)?;
        Ok(terms)
    }

    /// The forward pass of `rows` of `features` (and their `labels`), kept for
    /// [`Learner::loss`] and [`Learner::backward`]: the first part of a step whose loss also reads a
    /// hidden layer ([`Learner::hidden`]) or an early exit.
    pub fn forward(&mut self, features: ArrayView2<f32>, labels: &[usize], rows: &[usize]) -> Result<()> {
        self.passes.forward(&self.network, features, labels, rows)
    }

    /// The current batch's logits (rows, classes), after [`Learner::forward`].
    pub fn logits(&self) -> ArrayView2<'_, f32> {
        self.passes.logits()
    }

    /// The current batch's hard labels.
    pub fn labels(&self) -> &[usize] {
        self.passes.labels()
    }

    /// The current batch's output of hidden layer `layer` (1 for the first), after the activation.
    pub fn hidden(&self, layer: usize) -> Result<ArrayView2<'_, f32>> {
        self.passes.hidden(layer)
    }

    /// The loss of `method` on the current batch; its gradient with respect to the logits, scaled
    /// by `weight`, waits for [`Learner::backward`]. A NaN or infinite loss or gradient is a
    /// divergence.
    pub fn loss(
        &mut self,
        method: &dyn Method,
        teacher_logits: Option<ArrayView2<f32>>,
        temperature: f32,
        alpha: f32,
        weight: f32,
    ) -> Result<LossTerms> {
        let terms = self.passes.loss(method, teacher_logits, temperature, alpha)?;
        if !terms.total.is_finite() {
            return Err(self.diverged(Quantity::Loss));
        }
        let mut gradient = self.passes.logit_gradient_mut();
        if weight != 1.0 {
            gradient.mapv_inplace(|g| g * weight);
        }
        if !all_finite(gradient.iter()) {
            return Err(self.diverged(Quantity::LossGradient));
        }
        Ok(terms)
    }

    /// No loss on the logits this step (a hint stage trains the layers below a hidden layer only).
    pub fn no_logit_loss(&mut self) {
        self.passes.logit_gradient_mut().fill(0.0);
    }

    /// The backward pass from the logits' gradient, plus `extra = (layer, dL/dh)` from a loss on
    /// hidden layer `layer`; with `to_input`, dL/dx too ([`Learner::input_gradient`]). The
    /// parameter gradients are ready for [`Learner::apply`]; a NaN or infinite one is a divergence.
    pub fn backward(&mut self, extra: Option<(usize, ArrayView2<f32>)>, to_input: bool) -> Result<()> {
        if let Some((_, gradient)) = extra {
            if !all_finite(gradient.iter()) {
                return Err(self.diverged(Quantity::LossGradient));
            }
        }
        let gradients = self.passes.backward_with(&self.network, extra, to_input)?;
        if !gradients.iter().all(|g| all_finite(&g.weights) && all_finite(&g.bias)) {
            return Err(self.diverged(Quantity::WeightGradients));
        }
        Ok(())
    }

    /// The parameter gradients of the last backward pass, first layer first.
    pub fn parameter_gradients(&self) -> &[crate::network::DenseGradient] {
        self.passes.gradients()
    }

    /// dL/dx of the last [`Learner::backward`] asked for it (rows, inputs).
    pub fn input_gradient(&self) -> ArrayView2<'_, f32> {
        self.passes.input_gradient()
    }

    /// Applies one update from the gradients of the last [`Learner::gradients`], which the
    /// current weights produced with a finite loss: those weights are kept as the last good ones
    /// first. An update that makes a weight NaN or infinite is a divergence.
    pub fn apply(&mut self) -> Result<()> {
        self.last_good.copy_from(&self.network);
        self.version += 1;
        self.optimizer.step(&mut self.network, self.passes.gradients())?;
        if !self.network.is_finite() {
            return Err(self.diverged(Quantity::Weights));
        }
        Ok(())
    }

    /// One step: [`Learner::gradients`], then [`Learner::apply`].
    #[allow(clippy::too_many_arguments)] // as `gradients`
    pub fn step(
        &mut self,
        features: ArrayView2<f32>,
        labels: &[usize],
        rows: &[usize],
        method: &dyn Method,
        teacher_logits: Option<ArrayView2<f32>>,
        temperature: f32,
        alpha: f32,
    ) -> Result<LossTerms> {
        let terms = self.gradients(features, labels, rows, method, teacher_logits, temperature, alpha)?;
        self.apply()?;
        Ok(terms)
    }

    /// Changes the weights between steps (a pruning mask): the changed weights are the last
    /// good ones.
    pub fn set_weights(&mut self, change: impl FnOnce(&mut Mlp)) {
        change(&mut self.network);
        self.last_good.copy_from(&self.network);
        self.version += 1;
    }

    /// Puts the last good weights back (after a divergence).
    pub fn restore(&mut self) {
        self.version += 1;
        self.network.copy_from(&self.last_good);
    }

    fn diverged(&self, what: Quantity) -> KdError {
        KdError::Diverged(Divergence { model: self.model, what, learning_rate: self.optimizer.learning_rate })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataOptions, Dataset, DatasetName};
    use crate::methods::HardLabels;
    use crate::network::Activation;
    use crate::rng::Rng;

    fn learner(learning_rate: f32) -> (Learner, Dataset) {
        let data = Dataset::load(
            DatasetName::Spiral,
            &DataOptions { noise: 0.2, points: 120, test_fraction: 0.25, seed: 3, ..Default::default() },
        )
        .unwrap();
        let network = Mlp::new(&[2, 16, 3], Activation::Relu, &mut Rng::new(3)).unwrap();
        (Learner::new(network, Model::Teacher, OptimizerKind::Sgd, learning_rate, 8), data)
    }

    #[test]
    fn a_step_changes_the_weights_and_its_version() {
        let (mut learner, data) = learner(0.1);
        let before = learner.network().clone();
        let terms = learner
            .step(data.train.features.view(), &data.train.labels, &[0, 1, 2, 3], &HardLabels, None, 1.0, 0.0)
            .unwrap();
        assert!(terms.total > 0.0 && terms.total == terms.hard);
        assert_ne!(learner.network(), &before);
        assert_eq!(learner.version(), 1);
    }

    #[test]
    fn a_divergence_names_the_network_and_keeps_the_last_good_weights() {
        let (mut learner, data) = learner(1e30);
        let rows: Vec<usize> = (0..8).collect();
        // The weights each step started from: the last ones to give a finite loss are put back.
        let mut started_from: Vec<Mlp> = Vec::new();
        let mut outcome = Ok(());
        for _ in 0..50 {
            started_from.push(learner.network().clone());
            outcome = learner
                .step(data.train.features.view(), &data.train.labels, &rows, &HardLabels, None, 1.0, 0.0)
                .map(|_| ());
            if outcome.is_err() {
                break;
            }
        }
        let Err(KdError::Diverged(divergence)) = outcome else {
            panic!("no divergence at a learning rate of 1e30: {outcome:?}")
        };
        assert_eq!((divergence.model, divergence.learning_rate), (Model::Teacher, 1e30));
        learner.restore();
        // An update that made a weight NaN: the weights before it. A loss or gradient that became
        // NaN: the weights before the step that produced the weights that gave it.
        let last_good = match divergence.what {
            Quantity::Weights => &started_from[started_from.len() - 1],
            _ => &started_from[started_from.len().saturating_sub(2)],
        };
        assert_eq!(learner.network(), last_good, "{:?}", divergence.what);
        assert!(learner.network().is_finite());
    }
}
