//! Transfer learning, the different idea beside the bench: a network of the teacher's shape learns
//! the first half of the classes (digits 0–4), then its hidden layers are reused for the second
//! half (5–9), learned from a few labels per class: a new output layer goes on top and the whole
//! network is fine-tuned. Its control is the same network trained from scratch on the same few
//! labels, for as many epochs, from the same new output layer's initial weights: the two differ
//! only in where their hidden layers start.
//!
//! Transfer reuses what a network learned on a *related task*; distillation passes what a teacher
//! knows about the *same task* to a new, smaller network; pruning and quantization shrink the
//! network itself.

use ndarray::{Array2, ArrayView2, Axis};

use super::{batches_of, BenchOptions, Job, TransferReport};
use crate::data::Dataset;
use crate::error::{BenchProblem, KdError, Model, Result};
use crate::learner::Learner;
use crate::losses::accuracy;
use crate::network::Mlp;
use crate::rng::{Rng, Stream};
use crate::settings::Settings;

/// The classes of the first task and of the new one: the first ⌈K/2⌉ classes (0–4 of the ten
/// digits) and the rest, each with at least two classes that have training and test samples.
pub fn split_classes(data: &Dataset) -> Result<(Vec<usize>, Vec<usize>)> {
    let classes = data.classes();
    let present = |c: &usize| data.train.labels.contains(c) && data.test.labels.contains(c);
    let first = classes.div_ceil(2);
    let source: Vec<usize> = (0..first).filter(present).collect();
    let target: Vec<usize> = (first..classes).filter(present).collect();
    if source.len() < 2 || target.len() < 2 {
        return Err(KdError::Bench(BenchProblem::TransferClasses { source: source.len(), target: target.len() }));
    }
    Ok((source, target))
}

/// The rows of `labels` in `classes`, and their labels renumbered from 0 in that order.
fn rows_of(labels: &[usize], classes: &[usize]) -> (Vec<usize>, Vec<usize>) {
    labels
        .iter()
        .enumerate()
        .filter_map(|(row, label)| classes.iter().position(|c| c == label).map(|new| (row, new)))
        .unzip()
}

#[derive(Debug, Clone)]
enum Stage {
    /// The network learns the first task.
    Source(Box<Job>),
    /// The reused network, then the network from scratch, learn the new task.
    Target {
        reused: Box<Job>,
        scratch: Box<Job>,
        source_accuracy: f32,
    },
    Finished,
}

/// The transfer demonstration in progress.
#[derive(Debug, Clone)]
pub struct TransferTask {
    source_classes: Vec<usize>,
    target_classes: Vec<usize>,
    stage: Stage,
    /// The first task's test samples (features, renumbered labels).
    source_test: (Array2<f32>, Vec<usize>),
    /// The new task's few labelled training samples and its test samples.
    few: (Array2<f32>, Vec<usize>),
    test: (Array2<f32>, Vec<usize>),
    /// The network from scratch, untrained; its output layer is the reused network's new one.
    scratch: Mlp,
    settings: Settings,
    options: BenchOptions,
    rng: Rng,
    total_batches: usize,
    result: Option<(Mlp, Mlp, TransferReport)>,
}

impl TransferTask {
    pub fn new(data: &Dataset, settings: &Settings, options: &BenchOptions) -> Result<TransferTask> {
        let (source_classes, target_classes) = split_classes(data)?;
        let mut rng = Rng::stream(settings.seed, Stream::Transfer);
        let features = data.train.features.ncols();
        let hidden = &settings.teacher_hidden;
        let sizes = |classes: usize| {
            let mut sizes = vec![features];
            sizes.extend_from_slice(hidden);
            sizes.push(classes);
            sizes
        };
        let source_network =
            Mlp::with_init(&sizes(source_classes.len()), settings.activation, settings.init, &mut rng)?;
        let scratch = Mlp::with_init(&sizes(target_classes.len()), settings.activation, settings.init, &mut rng)?;

        let (train_rows, train_labels) = rows_of(&data.train.labels, &source_classes);
        let source_train = (data.train.features.select(Axis(0), &train_rows), train_labels);
        let (test_rows, test_labels) = rows_of(&data.test.labels, &source_classes);
        let source_test = (data.test.features.select(Axis(0), &test_rows), test_labels);

        // a few labels per class of the new task, drawn from the seed
        let (rows, labels) = rows_of(&data.train.labels, &target_classes);
        let mut few_rows = Vec::new();
        for class in 0..target_classes.len() {
            let mut of_class: Vec<usize> =
                rows.iter().zip(&labels).filter(|(_, &l)| l == class).map(|(&r, _)| r).collect();
            rng.shuffle(&mut of_class);
            few_rows.extend(of_class.into_iter().take(options.labels_per_class.max(1)));
        }
        few_rows.sort_unstable();
        let few_labels: Vec<usize> = few_rows
            .iter()
            .map(|&r| target_classes.iter().position(|&c| c == data.train.labels[r]).unwrap_or(0))
            .collect();
        let few = (data.train.features.select(Axis(0), &few_rows), few_labels);
        let (test_rows, test_labels) = rows_of(&data.test.labels, &target_classes);
        let test = (data.test.features.select(Axis(0), &test_rows), test_labels);

        let total_batches = batches_of(source_train.1.len(), settings.batch_size, settings.teacher_epochs)
            + 2 * batches_of(few.1.len(), settings.batch_size, options.transfer_epochs);
        let learner = Learner::new(
            source_network,
            Model::Transfer,
            settings.optimizer,
            settings.learning_rate,
            settings.batch_size,
        );
        let job_rng = Rng::new(rng.next_u64());
        let source =
            Job::new(super::Entry::Transfer, learner, source_train, settings.teacher_epochs, settings, job_rng);
        Ok(TransferTask {
            source_classes,
            target_classes,
            stage: Stage::Source(Box::new(source)),
            source_test,
            few,
            test,
            scratch,
            settings: settings.clone(),
            options: *options,
            rng,
            total_batches,
            result: None,
        })
    }

    pub fn total_batches(&self) -> usize {
        self.total_batches
    }

    pub fn done(&self) -> bool {
        matches!(self.stage, Stage::Finished)
    }

    /// The new task's test samples (features, labels renumbered from 0).
    pub fn test(&self) -> (ArrayView2<'_, f32>, &[usize]) {
        (self.test.0.view(), &self.test.1)
    }

    fn learner(&self, network: Mlp) -> Learner {
        Learner::new(
            network,
            Model::Transfer,
            self.settings.optimizer,
            self.settings.learning_rate,
            self.settings.batch_size,
        )
    }

    /// One mini-batch of whichever network is training.
    pub fn step(&mut self) -> Result<()> {
        match &mut self.stage {
            Stage::Source(job) => {
                job.step()?;
                if job.done() {
                    let network = job.learner.network().clone();
                    self.start_target(network)?;
                }
            }
            Stage::Target { reused, scratch, .. } => {
                if !reused.done() {
                    reused.step()?;
                } else {
                    scratch.step()?;
                }
                if reused.done() && scratch.done() {
                    self.finish_target()?;
                }
            }
            Stage::Finished => {}
        }
        Ok(())
    }

    /// The first task is learned: put a new output layer on its hidden layers and start the new
    /// task's two networks.
    fn start_target(&mut self, source: Mlp) -> Result<()> {
        let logits = source.forward(self.source_test.0.view())?;
        let source_accuracy = accuracy(logits.view(), &self.source_test.1);
        let last = self.scratch.layers.len() - 1;
        let mut layers = source.layers[..last].to_vec();
        layers.push(self.scratch.layers[last].clone());
        let reused = Mlp { layers, activation: source.activation };
        let epochs = self.options.transfer_epochs;
        let reused_job = Job::new(
            super::Entry::Transfer,
            self.learner(reused),
            self.few.clone(),
            epochs,
            &self.settings,
            Rng::new(self.rng.next_u64()),
        );
        let scratch_job = Job::new(
            super::Entry::TransferScratch,
            self.learner(self.scratch.clone()),
            self.few.clone(),
            epochs,
            &self.settings,
            Rng::new(self.rng.next_u64()),
        );
        self.stage = Stage::Target { reused: Box::new(reused_job), scratch: Box::new(scratch_job), source_accuracy };
        Ok(())
    }

    fn finish_target(&mut self) -> Result<()> {
        let Stage::Target { reused, scratch, source_accuracy } = &self.stage else {
            return Ok(());
        };
        let transferred = reused.learner.network().clone();
        let report = TransferReport {
            source_classes: self.source_classes.clone(),
            target_classes: self.target_classes.clone(),
            labels: self.few.1.len(),
            epochs: self.options.transfer_epochs,
            source_accuracy: *source_accuracy,
        };
        self.result = Some((transferred, scratch.learner.network().clone(), report));
        self.stage = Stage::Finished;
        Ok(())
    }

    /// The reused network, the network from scratch, and what the demonstration was.
    pub fn finish(&self) -> Result<(Mlp, Mlp, TransferReport)> {
        self.result.clone().ok_or_else(|| KdError::Internal("the transfer demonstration is not done".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataOptions, DatasetName};

    #[test]
    fn the_classes_split_in_halves_and_a_half_with_one_class_is_refused() {
        let digits =
            Dataset::load(DatasetName::Digits, &DataOptions { test_fraction: 0.25, seed: 1, ..Default::default() })
                .unwrap();
        assert_eq!(split_classes(&digits).unwrap(), (vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]));
        let iris =
            Dataset::load(DatasetName::Iris, &DataOptions { test_fraction: 0.25, seed: 1, ..Default::default() })
                .unwrap();
        assert_eq!(split_classes(&iris), Err(KdError::Bench(BenchProblem::TransferClasses { source: 2, target: 1 })));
        let (rows, labels) = rows_of(&[3, 7, 5, 9, 5], &[5, 9]);
        assert_eq!((rows, labels), (vec![2, 3, 4], vec![0, 1, 0]));
    }
}
