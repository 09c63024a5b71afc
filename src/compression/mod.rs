//! The compression bench: what sets knowledge distillation apart from the other ways to make a
//! network smaller or cheaper, measured side by side on one trained teacher.
//!
//! | entry              | what changes                                    | what it needs                 |
//! |--------------------|-------------------------------------------------|-------------------------------|
//! | `kd`, `control`    | a new, smaller architecture (the run's students) | a teacher (`kd`), labels      |
//! | `prune-weights`    | the teacher's smallest weights set to zero       | fine-tuning                   |
//! | `prune-neurons`    | the teacher's least important neurons removed    | fine-tuning                   |
//! | `int8`, `kd-int8`  | weights and activations stored in 8 bits         | calibration data              |
//! | `transfer`         | a network of a related task reused for a new one | a related task, few labels    |
//!
//! Both prunings go down to the distilled student's number of parameters. Every row's bytes are
//! the length of its file ([`encoding`]), its time per sample is measured by the clock the caller
//! hands over (the browser's in the page, the system's in `kd compare`), and its accuracy is on the
//! test split (for the transfer rows, on the new task's test samples).
//!
//! The parts: [`pruning`] (masks, schedules, removing neurons), [`quantized`] and its [`int8`]
//! kernel, [`transfer`] (the related task), [`encoding`] (the files). The bench runs a mini-batch
//! at a time ([`Bench::step`]) so that the page can spread it over animation frames.

pub mod encoding;
pub mod int8;
pub mod pruning;
pub mod quantized;
pub mod transfer;

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use crate::data::Dataset;
use crate::error::{BenchProblem, KdError, Model, Result};
use crate::learner::Learner;
use crate::losses::accuracy;
use crate::methods::HardLabels;
use crate::network::Mlp;
use crate::rng::{Rng, Stream};
use crate::session::{ModelKind, Phase, Session};
use crate::settings::Settings;
use pruning::Mask;
use quantized::QuantizedMlp;
use transfer::TransferTask;

/// The rows of the bench, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entry {
    Teacher,
    Kd,
    Control,
    PruneWeights,
    PruneNeurons,
    Int8,
    KdInt8,
    Transfer,
    TransferScratch,
}

impl Entry {
    pub const ALL: [Entry; 9] = [
        Entry::Teacher,
        Entry::Kd,
        Entry::Control,
        Entry::PruneWeights,
        Entry::PruneNeurons,
        Entry::Int8,
        Entry::KdInt8,
        Entry::Transfer,
        Entry::TransferScratch,
    ];

    /// The name in `kd compare --json` and the catalogues (`bench.entry.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Entry::Teacher => "teacher",
            Entry::Kd => "kd",
            Entry::Control => "control",
            Entry::PruneWeights => "prune-weights",
            Entry::PruneNeurons => "prune-neurons",
            Entry::Int8 => "int8",
            Entry::KdInt8 => "kd-int8",
            Entry::Transfer => "transfer",
            Entry::TransferScratch => "transfer-scratch",
        }
    }
}

/// What the bench can change; [`BenchOptions::default`] is what the page and `kd compare` use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BenchOptions {
    /// Samples of the training split the int8 scales are measured on.
    pub calibration: usize,
    /// Labelled samples per class of the new task (transfer learning).
    pub labels_per_class: usize,
    /// Epochs of the new task's training (the transfer head, and the network from scratch).
    pub transfer_epochs: usize,
    /// Least time each row's inference is timed for, in milliseconds.
    pub time_ms: f64,
}

/// The smallest calibration set the bench accepts.
pub const MIN_CALIBRATION: usize = 10;

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions { calibration: 100, labels_per_class: 10, transfer_epochs: 200, time_ms: 40.0 }
    }
}

/// A network of the bench, as it is stored and run.
#[derive(Debug, Clone)]
pub enum Stored {
    /// Dense f32 (the teacher, the students, the network without pruned neurons, transfer).
    Dense(Mlp),
    /// f32 with most weights zero: computed dense (no sparse kernel), stored sparse.
    Sparse(Mlp),
    /// Int8 weights and activations.
    Int8(QuantizedMlp),
}

impl Stored {
    pub fn forward(&self, features: ArrayView2<f32>) -> Result<Array2<f32>> {
        match self {
            Stored::Dense(network) | Stored::Sparse(network) => network.forward(features),
            Stored::Int8(network) => network.forward(features),
        }
    }

    pub fn parameters(&self) -> usize {
        match self {
            Stored::Dense(network) | Stored::Sparse(network) => network.parameter_count(),
            Stored::Int8(network) => network.parameter_count(),
        }
    }

    pub fn nonzero_parameters(&self) -> usize {
        match self {
            Stored::Dense(network) | Stored::Sparse(network) => pruning::nonzero_parameters(network),
            Stored::Int8(network) => network.nonzero_parameters(),
        }
    }

    /// The file: its length is the row's bytes on disk.
    pub fn file(&self) -> Result<Vec<u8>> {
        match self {
            Stored::Dense(network) => Ok(encoding::dense(network)),
            Stored::Sparse(network) => encoding::sparse(network),
            Stored::Int8(network) => Ok(encoding::int8(network)),
        }
    }

    /// Layer sizes `[inputs, hidden…, classes]`.
    pub fn sizes(&self) -> Vec<usize> {
        match self {
            Stored::Dense(network) | Stored::Sparse(network) => network.sizes(),
            Stored::Int8(network) => {
                let mut sizes = vec![network.inputs()];
                sizes.extend(network.layers.iter().map(|l| l.outputs));
                sizes
            }
        }
    }
}

/// One row of the bench, as measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// [`Entry::name`].
    pub method: &'static str,
    /// Layer sizes.
    pub sizes: Vec<usize>,
    pub parameters: usize,
    pub nonzero_parameters: usize,
    /// The length of the network's file ([`encoding`]).
    pub bytes: usize,
    /// Measured on the caller's clock; `None` until timed.
    pub inference_us_per_sample: Option<f64>,
    pub test_accuracy: f32,
    /// Test samples the accuracy and the time are over.
    pub test_samples: usize,
    /// Whether the row is of the new task (transfer learning), not the data set's.
    pub new_task: bool,
}

/// The transfer demonstration's task, as the report gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferReport {
    /// The classes the reused network learned first (their indices).
    pub source_classes: Vec<usize>,
    /// The classes of the new task.
    pub target_classes: Vec<usize>,
    /// Labelled training samples of the new task, in all.
    pub labels: usize,
    pub epochs: usize,
    /// Test accuracy of the reused network on its own task (the first half of the classes).
    pub source_accuracy: f32,
}

/// A row the bench could not make for this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// [`Entry::name`].
    pub method: &'static str,
    pub reason: crate::text::Message,
}

/// Everything the bench measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub rows: Vec<Row>,
    /// The distilled student's method (its setting's value, e.g. `label-smoothing`).
    pub method: &'static str,
    /// The parameters both prunings aim at (the distilled student's).
    pub target_parameters: usize,
    pub fine_tune_epochs: usize,
    pub calibration_samples: usize,
    /// The transfer demonstration, if it ran.
    pub transfer: Option<TransferReport>,
    /// The rows that could not be made for this run, and why.
    pub skipped: Vec<Skipped>,
    /// The int8 kernel that ran: `simd128`, `avx2` or `portable` ([`int8::kernel`]).
    pub int8_kernel: &'static str,
    pub options: BenchOptions,
}

/// A training job of the bench: a learner on its own samples, epoch by epoch.
#[derive(Debug, Clone)]
struct Job {
    entry: Entry,
    learner: Learner,
    features: Array2<f32>,
    labels: Vec<usize>,
    epochs: usize,
    epoch: usize,
    /// This epoch's order of the samples, and how far into it.
    order: Vec<usize>,
    at: usize,
    batch: usize,
    rng: Rng,
    /// Unstructured pruning: the weights to keep at the end, and the mask now.
    pruning: Option<(usize, Mask)>,
}

impl Job {
    fn new(
        entry: Entry,
        learner: Learner,
        data: (Array2<f32>, Vec<usize>),
        epochs: usize,
        settings: &Settings,
        rng: Rng,
    ) -> Job {
        Job {
            entry,
            learner,
            features: data.0,
            labels: data.1,
            epochs,
            epoch: 0,
            order: Vec::new(),
            at: 0,
            batch: settings.batch_size.max(1),
            rng,
            pruning: None,
        }
    }

    fn done(&self) -> bool {
        self.epoch >= self.epochs
    }

    /// One mini-batch (a new epoch's shuffle, and a new mask, first when one starts).
    fn step(&mut self) -> Result<()> {
        if self.at >= self.order.len() {
            self.order = (0..self.labels.len()).collect();
            self.rng.shuffle(&mut self.order);
            self.at = 0;
            if let Some((keep, mask)) = &mut self.pruning {
                let total: usize = self.learner.network().layers.iter().map(|l| l.weights.len()).sum();
                let ramp = (self.epochs / 2).max(1);
                *mask = Mask::largest(self.learner.network(), pruning::kept_after(self.epoch + 1, ramp, total, *keep));
                let mask = mask.clone();
                self.learner.set_weights(|network| mask.apply(network));
            }
        }
        let end = (self.at + self.batch).min(self.order.len());
        let rows = &self.order[self.at..end];
        let step = self.learner.step(self.features.view(), &self.labels, rows, &HardLabels, None, 1.0, 0.0);
        if let Err(error) = step {
            self.learner.restore();
            return Err(error);
        }
        if let Some((_, mask)) = &self.pruning {
            let mask = mask.clone();
            self.learner.set_weights(|network| mask.apply(network));
        }
        self.at = end;
        if self.at >= self.order.len() {
            self.epoch += 1;
        }
        Ok(())
    }
}

/// Where the bench stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchProgress {
    /// The entry being trained or timed (its name), if any.
    pub current: Option<&'static str>,
    /// Mini-batches trained, of all the bench trains.
    pub batches: usize,
    pub total_batches: usize,
    /// Rows timed, of all.
    pub timed: usize,
    pub rows: usize,
    pub done: bool,
}

/// The bench in progress.
#[derive(Debug, Clone)]
pub struct Bench {
    data: Dataset,
    settings: Settings,
    options: BenchOptions,
    target_parameters: usize,
    calibration_samples: usize,
    /// Finished rows' networks, with the test samples they are measured on.
    networks: Vec<(Entry, Stored)>,
    jobs: Vec<Job>,
    transfer: std::result::Result<TransferTask, KdError>,
    transfer_report: Option<TransferReport>,
    /// Rows that cannot be made for this run (a teacher too small to prune), and why.
    skipped: Vec<(Entry, KdError)>,
    /// Measured times (µs per sample), by row.
    times: Vec<Option<f64>>,
    batches: usize,
    total_batches: usize,
}

/// The calibration rows: `samples` of the training split, drawn from the seed.
fn calibration_rows(train: usize, samples: usize, seed: u64) -> Result<Vec<usize>> {
    if samples < MIN_CALIBRATION {
        return Err(KdError::Bench(BenchProblem::CalibrationTooSmall { samples, least: MIN_CALIBRATION }));
    }
    if samples > train {
        return Err(KdError::Bench(BenchProblem::CalibrationTooLarge { samples, available: train }));
    }
    let mut rows: Vec<usize> = (0..train).collect();
    Rng::stream(seed, Stream::Calibration).shuffle(&mut rows);
    rows.truncate(samples);
    rows.sort_unstable();
    Ok(rows)
}

fn batches_of(samples: usize, batch: usize, epochs: usize) -> usize {
    samples.div_ceil(batch.max(1)) * epochs
}

impl Bench {
    /// The bench on `session`'s trained teacher and finished students.
    pub fn new(session: &Session, options: BenchOptions) -> Result<Bench> {
        let settings = session.settings().clone();
        if !session.has_teacher() {
            return Err(KdError::Bench(BenchProblem::NeedsTeacher { method: settings.method.name().to_string() }));
        }
        if settings.teachers > 1 {
            return Err(KdError::Bench(BenchProblem::NeedsOneTeacher { teachers: settings.teachers }));
        }
        if session.phase() != Phase::Done {
            return Err(KdError::Bench(BenchProblem::NotTrained));
        }
        let data = session.data().clone();
        let teacher = session.model(ModelKind::Teacher).clone();
        let student = session.model(ModelKind::Kd).clone();
        let target = student.parameter_count();
        let rows = calibration_rows(data.train.len(), options.calibration, settings.seed)?;
        let calibration = data.train.features.select(ndarray::Axis(0), &rows);
        let int8 = QuantizedMlp::quantize(&teacher, calibration.view())?;
        let kd_int8 = QuantizedMlp::quantize(&student, calibration.view())?;

        let learner = |network: Mlp, model| {
            Learner::new(network, model, settings.optimizer, settings.learning_rate, settings.batch_size)
        };
        let train = || (data.train.features.clone(), data.train.labels.clone());
        let epochs = settings.student_epochs;
        let mut jobs = Vec::new();
        let mut skipped = Vec::new();
        // A problem of the bench's own (a teacher too small to prune) skips the row; anything else stops.
        let mut skip_or = |entry: Entry, outcome: Result<Job>| -> Result<()> {
            match outcome {
                Ok(job) => jobs.push(job),
                Err(problem @ KdError::Bench(_)) => skipped.push((entry, problem)),
                Err(other) => return Err(other),
            }
            Ok(())
        };
        let prune_weights = pruning::weight_budget(&teacher, target).map(|keep| {
            let mut job = Job::new(
                Entry::PruneWeights,
                learner(teacher.clone(), Model::Pruned),
                train(),
                epochs,
                &settings,
                Rng::stream(settings.seed, Stream::Pruning),
            );
            job.pruning = Some((keep, Mask::largest(&teacher, usize::MAX)));
            job
        });
        skip_or(Entry::PruneWeights, prune_weights)?;
        let prune_neurons = pruning::neuron_widths(&teacher, target)
            .and_then(|widths| pruning::remove_neurons(&teacher, &widths))
            .map(|smaller| {
                Job::new(
                    Entry::PruneNeurons,
                    learner(smaller, Model::Pruned),
                    train(),
                    epochs,
                    &settings,
                    Rng::stream(settings.seed, Stream::Pruning),
                )
            });
        skip_or(Entry::PruneNeurons, prune_neurons)?;
        let transfer = TransferTask::new(&data, &settings, &options);
        let mut total_batches = jobs.len() * batches_of(data.train.len(), settings.batch_size, epochs);
        if let Ok(task) = &transfer {
            total_batches += task.total_batches();
        }
        let networks = vec![
            (Entry::Teacher, Stored::Dense(teacher)),
            (Entry::Kd, Stored::Dense(student)),
            (Entry::Control, Stored::Dense(session.model(ModelKind::Control).clone())),
            (Entry::Int8, Stored::Int8(int8)),
            (Entry::KdInt8, Stored::Int8(kd_int8)),
        ];
        Ok(Bench {
            data,
            settings,
            options,
            target_parameters: target,
            calibration_samples: rows.len(),
            networks,
            jobs,
            transfer,
            transfer_report: None,
            skipped,
            times: Vec::new(),
            batches: 0,
            total_batches,
        })
    }

    /// Whether every network is trained.
    pub fn trained(&self) -> bool {
        self.jobs.is_empty() && self.transfer.as_ref().map_or(true, TransferTask::done)
    }

    /// Whether every row is trained and timed.
    pub fn is_done(&self) -> bool {
        self.trained() && self.times.len() == self.networks.len()
    }

    /// Trains up to `batches` mini-batches of the networks still training. A divergence stops the
    /// bench with its message (the networks keep their last good weights).
    pub fn step(&mut self, batches: usize) -> Result<BenchProgress> {
        for _ in 0..batches {
            if let Some(job) = self.jobs.first_mut() {
                job.step()?;
                self.batches += 1;
                if job.done() {
                    let job = self.jobs.remove(0);
                    let network = job.learner.network().clone();
                    let stored =
                        if job.entry == Entry::PruneWeights { Stored::Sparse(network) } else { Stored::Dense(network) };
                    self.networks.push((job.entry, stored));
                }
            } else if let Ok(task) = &mut self.transfer {
                if task.done() {
                    break;
                }
                task.step()?;
                self.batches += 1;
                if task.done() {
                    let (transferred, scratch, report) = task.finish()?;
                    self.networks.push((Entry::Transfer, Stored::Dense(transferred)));
                    self.networks.push((Entry::TransferScratch, Stored::Dense(scratch)));
                    self.transfer_report = Some(report);
                }
            } else {
                break;
            }
        }
        if self.trained() {
            self.networks.sort_by_key(|(entry, _)| Entry::ALL.iter().position(|e| e == entry));
        }
        Ok(self.progress())
    }

    /// The test samples row `entry` is measured on.
    fn test_of(&self, entry: Entry) -> (ArrayView2<'_, f32>, &[usize]) {
        match (&self.transfer, entry) {
            (Ok(task), Entry::Transfer | Entry::TransferScratch) => task.test(),
            _ => (self.data.test.features.view(), &self.data.test.labels),
        }
    }

    /// Times the next untimed row on `clock` (milliseconds): forward passes over its test samples,
    /// first to warm up for a fifth of [`BenchOptions::time_ms`], then in five blocks of a fifth
    /// each (at least one pass per block); the row's time is the median block's time per sample,
    /// so that one slow block (a collection, another tab) does not decide it. Returns whether
    /// every row is timed.
    pub fn time_next(&mut self, clock: &mut dyn FnMut() -> f64) -> Result<bool> {
        if !self.trained() {
            return Ok(false);
        }
        if let Some((entry, stored)) = self.networks.get(self.times.len()) {
            let (features, _) = self.test_of(*entry);
            let block_ms = self.options.time_ms / 5.0;
            let mut block = || -> Result<f64> {
                let start = clock();
                let mut passes = 0usize;
                loop {
                    stored.forward(features)?;
                    passes += 1;
                    let elapsed = clock() - start;
                    if elapsed >= block_ms {
                        return Ok(1000.0 * elapsed / (features.nrows() * passes).max(1) as f64);
                    }
                }
            };
            block()?; // warm-up
            let mut blocks = (0..5).map(|_| block()).collect::<Result<Vec<f64>>>()?;
            blocks.sort_by(f64::total_cmp);
            self.times.push(Some(blocks[2]));
        }
        Ok(self.is_done())
    }

    pub fn progress(&self) -> BenchProgress {
        let current = if let Some(job) = self.jobs.first() {
            Some(job.entry.name())
        } else if self.transfer.as_ref().is_ok_and(|t| !t.done()) {
            Some(Entry::Transfer.name())
        } else {
            self.networks.get(self.times.len()).map(|(entry, _)| entry.name())
        };
        BenchProgress {
            current,
            batches: self.batches,
            total_batches: self.total_batches,
            timed: self.times.len(),
            rows: Entry::ALL.len() - self.skipped().len(),
            done: self.is_done(),
        }
    }

    /// The trained network of row `entry`, if it has one yet.
    pub fn network(&self, entry: Entry) -> Option<&Stored> {
        self.networks.iter().find(|(e, _)| *e == entry).map(|(_, stored)| stored)
    }

    /// What the bench measured: every trained row (timed or not yet).
    pub fn report(&self) -> Result<Report> {
        let mut rows = Vec::with_capacity(self.networks.len());
        for (i, (entry, stored)) in self.networks.iter().enumerate() {
            let (features, labels) = self.test_of(*entry);
            let logits = stored.forward(features)?;
            rows.push(Row {
                method: entry.name(),
                sizes: stored.sizes(),
                parameters: stored.parameters(),
                nonzero_parameters: stored.nonzero_parameters(),
                bytes: stored.file()?.len(),
                inference_us_per_sample: self.times.get(i).copied().flatten(),
                test_accuracy: accuracy(logits.view(), labels),
                test_samples: labels.len(),
                new_task: matches!(entry, Entry::Transfer | Entry::TransferScratch),
            });
        }
        Ok(Report {
            rows,
            method: self.settings.method.name(),
            target_parameters: self.target_parameters,
            fine_tune_epochs: self.settings.student_epochs,
            calibration_samples: self.calibration_samples,
            transfer: self.transfer_report.clone(),
            skipped: self.skipped(),
            int8_kernel: int8::kernel(),
            options: self.options,
        })
    }

    /// The rows that cannot be made for this run, and why.
    pub fn skipped(&self) -> Vec<Skipped> {
        let mut skipped: Vec<Skipped> = self
            .skipped
            .iter()
            .map(|(entry, problem)| Skipped { method: entry.name(), reason: problem.message() })
            .collect();
        if let Err(problem) = &self.transfer {
            for entry in [Entry::Transfer, Entry::TransferScratch] {
                skipped.push(Skipped { method: entry.name(), reason: problem.message() });
            }
        }
        skipped
    }

    /// Trains everything, then times every row on `clock`.
    pub fn run_to_end(&mut self, clock: &mut dyn FnMut() -> f64) -> Result<Report> {
        while !self.trained() {
            self.step(1000)?;
        }
        while !self.time_next(clock)? {}
        self.report()
    }
}
