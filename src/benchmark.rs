//! The reference workload of the speed benchmark (`cargo xtask bench`, README "Performance"): an
//! MLP 64-256-256-10 with ReLU, softmax cross-entropy and Adam (learning rate 0.001), trained in
//! mini-batches of 32 over the 1437 samples of digits' training split (20% held out), one epoch
//! at a time. One epoch costs about 6 × parameters × samples floating-point operations (forward
//! 2·P per sample, backward 4·P), ≈ 0.73 GFLOP.
//!
//! The same code runs natively and in WebAssembly (the page's module exports it), and the training
//! step is the one the playground's teacher takes: a [`Learner`] on the hard labels. TensorFlow.js trains the same
//! network on the same data in the browser benchmark; [`ReferenceWorkload::data`] hands it over.

use ndarray::Array2;
use serde::Serialize;

use crate::data::{DataOptions, Dataset, DatasetName};
use crate::error::Model;
use crate::error::Result;
use crate::learner::Learner;
use crate::methods::HardLabels;
use crate::network::{Activation, Mlp};
use crate::optimizer::OptimizerKind;
use crate::rng::{Rng, Stream};

/// Layer sizes of the reference network.
pub const SIZES: [usize; 4] = [64, 256, 256, 10];
pub const SAMPLES: usize = 1437;
pub const BATCH_SIZE: usize = 32;
pub const LEARNING_RATE: f32 = 0.001;

/// The reference workload: the network in training, the data and the batch order.
#[derive(Debug, Clone)]
pub struct ReferenceWorkload {
    learner: Learner,
    features: Array2<f32>,
    labels: Vec<usize>,
    order: Vec<usize>,
    shuffle: Rng,
}

/// The workload's data as plain vectors, for another library to train on.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadData {
    /// Row-major (samples, features), standardised.
    pub features: Vec<f32>,
    pub labels: Vec<usize>,
    pub samples: usize,
    pub features_per_sample: usize,
    pub classes: usize,
    pub sizes: Vec<usize>,
    pub batch_size: usize,
    pub learning_rate: f32,
}

impl ReferenceWorkload {
    /// The workload with weights and batch order from `seed`.
    pub fn new(seed: u64) -> Result<Self> {
        let data = Dataset::load(
            DatasetName::Digits,
            &DataOptions { noise: 0.0, points: 0, test_fraction: 0.2, seed, ..Default::default() },
        )?;
        let samples = data.train.len().min(SAMPLES);
        let features = data.train.features.slice(ndarray::s![..samples, ..]).to_owned();
        let labels = data.train.labels[..samples].to_vec();
        let network = Mlp::new(&SIZES, Activation::Relu, &mut Rng::stream(seed, Stream::TeacherInit))?;
        Ok(ReferenceWorkload {
            learner: Learner::new(network, Model::Teacher, OptimizerKind::Adam, LEARNING_RATE, BATCH_SIZE),
            features,
            labels,
            order: (0..samples).collect(),
            shuffle: Rng::stream(seed, Stream::TeacherShuffle),
        })
    }

    /// Samples per epoch.
    pub fn samples(&self) -> usize {
        self.labels.len()
    }

    /// Floating-point operations of one epoch: 6 × parameters × samples.
    pub fn flops_per_epoch(&self) -> f64 {
        6.0 * self.learner.network().parameter_count() as f64 * self.samples() as f64
    }

    /// Trains one epoch in shuffled mini-batches and returns its mean training loss (the batch
    /// losses weighted by batch size).
    pub fn epoch(&mut self) -> Result<f32> {
        self.shuffle.shuffle(&mut self.order);
        let mut total = 0.0f64;
        for rows in self.order.chunks(BATCH_SIZE) {
            let terms = self.learner.step(self.features.view(), &self.labels, rows, &HardLabels, None, 1.0, 0.0)?;
            total += terms.total as f64 * rows.len() as f64;
        }
        Ok((total / self.samples().max(1) as f64) as f32)
    }

    /// The data, the network's shape and the training settings, for TensorFlow.js.
    pub fn data(&self) -> WorkloadData {
        WorkloadData {
            features: self.features.iter().copied().collect(),
            labels: self.labels.clone(),
            samples: self.samples(),
            features_per_sample: self.features.ncols(),
            classes: SIZES[SIZES.len() - 1],
            sizes: SIZES.to_vec(),
            batch_size: BATCH_SIZE,
            learning_rate: LEARNING_RATE,
        }
    }
}
