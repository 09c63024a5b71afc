//! Every setting the page can change, declared once: name, kind, default, range, whether it can
//! change while training runs, and its label. The page builds its controls from [`SCHEMA`], and
//! [`Settings::from_values`] validates what the page (or a URL) sends against the same table.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{DataOptions, DatasetName};
use crate::error::{KdError, Result};
use crate::losses::SoftLoss;
use crate::network::Activation;
use crate::optimizer::OptimizerKind;

/// What kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SettingKind {
    /// One of `choices`.
    Choice,
    /// A real number in [min, max].
    Number,
    /// A whole number in [min, max].
    Integer,
    /// Hidden layer widths, e.g. "64,64": each in [min, max], at most `max_layers` of them.
    Layers,
}

/// How a slider maps to the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Scale {
    Linear,
    Log,
}

/// Which panel of the page a setting belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Group {
    Data,
    Models,
    Training,
    Distillation,
}

/// A setting's default: a number or a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Text(String),
}

/// One setting's declaration.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingSpec {
    pub name: &'static str,
    pub kind: SettingKind,
    #[serde(serialize_with = "serialize_default")]
    pub default: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub scale: Scale,
    pub choices: &'static [&'static str],
    /// The most hidden layers (for `Layers`).
    pub max_layers: usize,
    /// Whether it can change during training (the others take effect on reset).
    pub live: bool,
    /// Whether it applies only to the data sets generated from the seed (spiral, blobs, moons).
    pub generated_only: bool,
    pub group: Group,
    pub label: &'static str,
    pub help: &'static str,
    pub unit: &'static str,
}

/// Defaults are declared as text and sent to the page as numbers where the kind is numeric.
fn serialize_default<S: serde::Serializer>(
    value: &&'static str,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value.parse::<f64>() {
        Ok(number) if !value.contains(',') => serializer.serialize_f64(number),
        _ => serializer.serialize_str(value),
    }
}

const BASE: SettingSpec = SettingSpec {
    name: "",
    kind: SettingKind::Number,
    default: "0",
    min: 0.0,
    max: 1.0,
    step: 0.01,
    scale: Scale::Linear,
    choices: &[],
    max_layers: 0,
    live: false,
    generated_only: false,
    group: Group::Data,
    label: "",
    help: "",
    unit: "",
};

/// Largest number of parameters a network may have, so that a typo cannot freeze the page
/// (digits' default teacher, 64→256→256→10, has 85,002).
pub const MAX_PARAMETERS: usize = 300_000;

/// Largest batch size × teacher parameters: one mini-batch is about 6 × this many floating-point
/// operations, and the page must stay responsive while it runs (full-batch training of the
/// digits teacher, 1024 × 85,002, fits).
pub const MAX_BATCH_WORK: usize = 128_000_000;

/// The table of every setting, in the order the page shows them.
pub const SCHEMA: &[SettingSpec] = &[
    SettingSpec {
        name: "dataset",
        kind: SettingKind::Choice,
        default: "spiral",
        choices: &["spiral", "blobs", "moons", "digits", "iris"],
        label: "Data set",
        help: "Spiral, blobs and moons are 2-D and generated from the seed; digits (8×8 images, 10 classes) and iris (4 measurements, 3 classes) are real.",
        ..BASE
    },
    SettingSpec {
        name: "noise",
        default: "0.2",
        generated_only: true,
        label: "Noise",
        help: "How much the generated 2-D classes are jittered and overlap.",
        ..BASE
    },
    SettingSpec {
        name: "points",
        kind: SettingKind::Integer,
        default: "300",
        min: 30.0,
        max: 3000.0,
        step: 10.0,
        generated_only: true,
        label: "Points",
        help: "Number of generated 2-D samples.",
        ..BASE
    },
    SettingSpec {
        name: "testFraction",
        default: "0.25",
        min: 0.1,
        max: 0.5,
        step: 0.05,
        label: "Test fraction",
        help: "Share of each class held out for testing; inputs are standardised with the training split's statistics.",
        ..BASE
    },
    SettingSpec {
        name: "seed",
        kind: SettingKind::Integer,
        default: "1",
        min: 0.0,
        max: 4_294_967_295.0,
        step: 1.0,
        label: "Seed",
        help: "Every random draw (data, split, initial weights, batch order) comes from this seed: the same seed gives the same run.",
        ..BASE
    },
    SettingSpec {
        name: "teacherHidden",
        kind: SettingKind::Layers,
        default: "64,64",
        min: 1.0,
        max: 1024.0,
        step: 1.0,
        max_layers: 4,
        group: Group::Models,
        label: "Teacher hidden layers",
        help: "Widths of the teacher's hidden layers, comma-separated, e.g. 64,64.",
        ..BASE
    },
    SettingSpec {
        name: "studentHidden",
        kind: SettingKind::Layers,
        default: "8",
        min: 1.0,
        max: 1024.0,
        step: 1.0,
        max_layers: 4,
        group: Group::Models,
        label: "Student hidden layers",
        help: "Widths of the student's hidden layers, comma-separated; empty means no hidden layer. The distilled and the control student share it.",
        ..BASE
    },
    SettingSpec {
        name: "teachers",
        kind: SettingKind::Integer,
        default: "1",
        min: 1.0,
        max: 5.0,
        step: 1.0,
        group: Group::Models,
        label: "Teachers in the ensemble",
        help: "Number of teachers, each started from its own seed (seed, seed + 1, …) and trained on the same batches; the soft label is the average of their probabilities at T.",
        ..BASE
    },
    SettingSpec {
        name: "activation",
        kind: SettingKind::Choice,
        default: "relu",
        choices: &["relu", "tanh"],
        group: Group::Models,
        label: "Activation",
        help: "The hidden layers' activation, for teacher and students.",
        ..BASE
    },
    SettingSpec {
        name: "optimizer",
        kind: SettingKind::Choice,
        default: "adam",
        choices: &["adam", "sgd"],
        group: Group::Training,
        label: "Optimiser",
        help: "Adam, or SGD with momentum 0.9.",
        ..BASE
    },
    SettingSpec {
        name: "learningRate",
        default: "0.01",
        min: 0.00001,
        max: 100.0,
        step: 0.0,
        scale: Scale::Log,
        group: Group::Training,
        label: "Learning rate",
        help: "Step size of the optimiser for teacher and students.",
        ..BASE
    },
    SettingSpec {
        name: "batchSize",
        kind: SettingKind::Integer,
        default: "16",
        min: 1.0,
        max: 1024.0,
        step: 1.0,
        group: Group::Training,
        label: "Batch size",
        help: "Samples per mini-batch.",
        ..BASE
    },
    SettingSpec {
        name: "teacherEpochs",
        kind: SettingKind::Integer,
        default: "40",
        min: 1.0,
        max: 2000.0,
        step: 1.0,
        group: Group::Training,
        label: "Teacher epochs",
        help: "Passes over the training split to train the teacher.",
        ..BASE
    },
    SettingSpec {
        name: "studentEpochs",
        kind: SettingKind::Integer,
        default: "100",
        min: 1.0,
        max: 2000.0,
        step: 1.0,
        group: Group::Training,
        label: "Student epochs",
        help: "Passes over the transfer set (the training split) to train both students.",
        ..BASE
    },
    SettingSpec {
        name: "temperature",
        default: "4",
        min: 0.05,
        max: 100.0,
        step: 0.0,
        scale: Scale::Log,
        live: true,
        group: Group::Distillation,
        label: "Temperature T",
        help: "Softens the softmax: softmax(z/T). T = 1 is the ordinary softmax; larger T reveals how alike the teacher finds the classes.",
        ..BASE
    },
    SettingSpec {
        name: "alpha",
        default: "0.5",
        live: true,
        group: Group::Distillation,
        label: "α — weight of the soft (distillation) term",
        help: "L = α·T²·KL(teacher ‖ student) + (1 − α)·CE(hard label). α = 0 ignores the teacher; α = 1 ignores the hard labels.",
        ..BASE
    },
    SettingSpec {
        name: "softLoss",
        kind: SettingKind::Choice,
        default: "kl",
        choices: &["kl", "logits"],
        group: Group::Distillation,
        label: "Soft term",
        help: "kl: α·T²·KL(teacher ‖ student) at temperature T. logits: α·(1/2K)·Σ(z̃_s − z̃_t)², matching the zero-meaned logits with squared error, which is what the KL term becomes at high T (Hinton eq. 4); T does not enter it.",
        ..BASE
    },
    SettingSpec {
        name: "trainFraction",
        default: "1",
        min: 0.01,
        max: 1.0,
        step: 0.01,
        group: Group::Distillation,
        label: "Transfer set fraction",
        help: "Share of each class of the training split that the students learn from (the teacher always sees all of it). Small transfer sets are where distillation helps most (Hinton §6).",
        ..BASE
    },
    SettingSpec {
        name: "omitClass",
        kind: SettingKind::Integer,
        default: "-1",
        min: -1.0,
        max: 19.0,
        step: 1.0,
        group: Group::Distillation,
        label: "Omit a class from the transfer set",
        help: "Removes every training example of this class from what the students see (−1: none); the teacher saw them. Can the distilled student still recognise the class? (Hinton §3)",
        ..BASE
    },
];

/// The declaration of setting `name`.
pub fn spec(name: &str) -> Option<&'static SettingSpec> {
    SCHEMA.iter().find(|s| s.name == name)
}

/// Settings that a data set changes from the table's defaults when the user picks it (teacher
/// 2×64 on the 2-D sets and 2×256 on digits; small students; suitable rates and epochs).
pub fn dataset_defaults(dataset: DatasetName) -> Vec<(&'static str, &'static str)> {
    // A user's CSV file is not a choice of the `dataset` setting: it comes with its own bytes.
    let mut values = if dataset == DatasetName::Csv { Vec::new() } else { vec![("dataset", dataset.name())] };
    values.extend_from_slice(match dataset {
        DatasetName::Spiral => &[
            ("teacherHidden", "64,64"),
            ("studentHidden", "8"),
            ("learningRate", "0.01"),
            ("batchSize", "16"),
            ("teacherEpochs", "40"),
            ("studentEpochs", "100"),
            ("noise", "0.2"),
            ("temperature", "4"),
            ("alpha", "0.5"),
        ][..],
        DatasetName::Blobs => &[
            ("teacherHidden", "64,64"),
            ("studentHidden", "4"),
            ("learningRate", "0.01"),
            ("batchSize", "16"),
            ("teacherEpochs", "30"),
            ("studentEpochs", "60"),
            ("noise", "0.8"),
            ("temperature", "2"),
            ("alpha", "0.5"),
        ][..],
        DatasetName::Moons => &[
            ("teacherHidden", "64,64"),
            ("studentHidden", "4"),
            ("learningRate", "0.01"),
            ("batchSize", "16"),
            ("teacherEpochs", "30"),
            ("studentEpochs", "80"),
            ("noise", "0.3"),
            ("temperature", "4"),
            ("alpha", "0.5"),
        ][..],
        DatasetName::Digits => &[
            ("teacherHidden", "256,256"),
            ("studentHidden", "16"),
            ("learningRate", "0.001"),
            ("batchSize", "32"),
            ("teacherEpochs", "20"),
            ("studentEpochs", "40"),
            ("temperature", "4"),
            ("alpha", "0.9"),
        ][..],
        DatasetName::Iris | DatasetName::Csv => &[
            ("teacherHidden", "64,64"),
            ("studentHidden", "4"),
            ("learningRate", "0.01"),
            ("batchSize", "16"),
            ("teacherEpochs", "60"),
            ("studentEpochs", "100"),
            ("temperature", "4"),
            ("alpha", "0.5"),
        ][..],
    });
    values
}

/// A validated, typed set of settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub dataset: DatasetName,
    pub noise: f32,
    pub points: usize,
    pub test_fraction: f32,
    pub seed: u64,
    pub teacher_hidden: Vec<usize>,
    pub student_hidden: Vec<usize>,
    /// Teachers in the ensemble (1: a single teacher).
    pub teachers: usize,
    pub activation: Activation,
    pub optimizer: OptimizerKind,
    pub learning_rate: f32,
    pub batch_size: usize,
    pub teacher_epochs: usize,
    pub student_epochs: usize,
    pub temperature: f32,
    pub alpha: f32,
    pub soft_loss: SoftLoss,
    /// Share of each class of the training split in the students' transfer set.
    pub train_fraction: f32,
    /// A class left out of the students' transfer set.
    pub omit_class: Option<usize>,
}

/// Checks a number against its declaration.
fn check_number(spec: &SettingSpec, value: &Value) -> Result<f64> {
    let number = match value {
        Value::Number(n) => *n,
        Value::Text(text) => text
            .trim()
            .parse::<f64>()
            .map_err(|_| KdError::setting(spec.name, format!("'{}' is not a number", truncate(text))))?,
    };
    let shown = readable(number);
    if !number.is_finite() {
        return Err(KdError::setting(spec.name, format!("must be a finite number (got {shown})")));
    }
    if spec.kind == SettingKind::Integer && number.fract() != 0.0 {
        return Err(KdError::setting(spec.name, format!("must be a whole number (got {shown})")));
    }
    // Real settings are kept as f32, so the bounds are compared as f32 too: a run file or a link
    // holds 1e-5 as the f32 nearest to it, 9.99999974737875e-6, which must read back.
    let outside = match spec.kind {
        SettingKind::Number => (number as f32) < spec.min as f32 || (number as f32) > spec.max as f32,
        _ => number < spec.min || number > spec.max,
    };
    if outside {
        return Err(KdError::setting(
            spec.name,
            format!("must be between {} and {} (got {shown})", spec.min, spec.max),
        ));
    }
    Ok(number)
}

/// Checks a choice against its declaration.
fn check_choice<'a>(spec: &SettingSpec, value: &'a Value) -> Result<&'a str> {
    match value {
        Value::Text(text) if spec.choices.contains(&text.as_str()) => Ok(text.as_str()),
        Value::Text(text) => {
            Err(KdError::setting(spec.name, format!("'{}' is not one of {}", truncate(text), spec.choices.join(", "))))
        }
        Value::Number(n) => {
            Err(KdError::setting(spec.name, format!("must be one of {} (got {n})", spec.choices.join(", "))))
        }
    }
}

/// Parses "64,64" into widths, each in [min, max], at most `max_layers` of them.
fn check_layers(spec: &SettingSpec, value: &Value) -> Result<Vec<usize>> {
    let text = match value {
        Value::Text(text) => text.clone(),
        Value::Number(n) => format!("{n}"),
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let widths = text
        .split(',')
        .map(|part| {
            let part = part.trim();
            let width: f64 = part.parse().map_err(|_| {
                KdError::setting(
                    spec.name,
                    format!("'{}' is not a layer width; write widths like 64,64", truncate(part)),
                )
            })?;
            if width.fract() != 0.0 || width < spec.min || width > spec.max {
                return Err(KdError::setting(
                    spec.name,
                    format!(
                        "each width must be a whole number from {} to {} (got {})",
                        spec.min,
                        spec.max,
                        readable(width)
                    ),
                ));
            }
            Ok(width as usize)
        })
        .collect::<Result<Vec<usize>>>()?;
    if widths.len() > spec.max_layers {
        return Err(KdError::setting(
            spec.name,
            format!("at most {} hidden layers (got {})", spec.max_layers, widths.len()),
        ));
    }
    Ok(widths)
}

/// A number as a message shows it: plainly, or in scientific notation when it is huge or tiny.
fn readable(number: f64) -> String {
    if number != 0.0 && number.is_finite() && !(1e-6..1e12).contains(&number.abs()) {
        format!("{number:e}")
    } else {
        format!("{number}")
    }
}

/// At most 40 characters of a user's text, for error messages.
fn truncate(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        short.push('…');
    }
    short
}

/// The value of `name` in `values`, or its declared default.
fn value_or_default(values: &BTreeMap<String, Value>, spec: &SettingSpec) -> Value {
    values.get(spec.name).cloned().unwrap_or_else(|| Value::Text(spec.default.to_string()))
}

/// Number of parameters of an MLP with these layer sizes.
pub fn parameter_count(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|w| w[0].saturating_mul(w[1]).saturating_add(w[1])).fold(0usize, usize::saturating_add)
}

impl Settings {
    /// Validates `values` (setting name → value; missing names take their defaults) against the
    /// table. Every invalid setting is reported, each with its name, the value and the limit.
    pub fn from_values(values: &BTreeMap<String, Value>) -> Result<Settings> {
        let mut errors = Vec::new();
        for name in values.keys() {
            if spec(name).is_none() {
                errors.push(KdError::setting(name, "is not a setting of the playground"));
            }
        }
        let mut numbers = BTreeMap::new();
        let mut choices = BTreeMap::new();
        let mut layers = BTreeMap::new();
        for spec in SCHEMA {
            let value = value_or_default(values, spec);
            let checked = match spec.kind {
                SettingKind::Number | SettingKind::Integer => check_number(spec, &value).map(|n| {
                    numbers.insert(spec.name, n);
                }),
                SettingKind::Choice => check_choice(spec, &value).map(|c| {
                    choices.insert(spec.name, c.to_string());
                }),
                SettingKind::Layers => check_layers(spec, &value).map(|l| {
                    layers.insert(spec.name, l);
                }),
            };
            if let Err(error) = checked {
                errors.push(error);
            }
        }
        if !errors.is_empty() {
            return Err(if errors.len() == 1 { errors.remove(0) } else { KdError::InvalidSettings(errors) });
        }
        let number = |name: &str| numbers.get(name).copied().unwrap_or_default();
        let choice = |name: &str| choices.get(name).cloned().unwrap_or_default();
        let layer = |name: &str| layers.get(name).cloned().unwrap_or_default();
        let settings = Settings {
            dataset: DatasetName::from_name(&choice("dataset")).unwrap_or(DatasetName::Spiral),
            noise: number("noise") as f32,
            points: number("points") as usize,
            test_fraction: number("testFraction") as f32,
            seed: number("seed") as u64,
            teacher_hidden: layer("teacherHidden"),
            student_hidden: layer("studentHidden"),
            teachers: number("teachers") as usize,
            activation: if choice("activation") == "tanh" { Activation::Tanh } else { Activation::Relu },
            optimizer: if choice("optimizer") == "sgd" { OptimizerKind::Sgd } else { OptimizerKind::Adam },
            learning_rate: number("learningRate") as f32,
            batch_size: number("batchSize") as usize,
            teacher_epochs: number("teacherEpochs") as usize,
            student_epochs: number("studentEpochs") as usize,
            temperature: number("temperature") as f32,
            alpha: number("alpha") as f32,
            soft_loss: if choice("softLoss") == "logits" { SoftLoss::Logits } else { SoftLoss::Kl },
            train_fraction: number("trainFraction") as f32,
            omit_class: usize::try_from(number("omitClass") as i64).ok(),
        };
        if settings.teachers > 1 && settings.soft_loss == SoftLoss::Logits {
            return Err(KdError::setting(
                "softLoss",
                format!("logit matching needs one teacher's logits; an ensemble of {} averages probabilities, so use kl or set teachers to 1", settings.teachers),
            ));
        }
        settings.check_network_sizes()?;
        Ok(settings)
    }

    /// Rejects networks with more than [`MAX_PARAMETERS`] parameters, or too much work per
    /// mini-batch, on the widest built-in data set (digits: 64 features, 10 classes).
    fn check_network_sizes(&self) -> Result<()> {
        self.check_networks_for(64, 10)
    }

    /// The same limits for a data set with `features` inputs and `classes` outputs (a user's CSV
    /// file can be wider than digits).
    pub fn check_networks_for(&self, features: usize, classes: usize) -> Result<()> {
        for (name, hidden) in [("teacherHidden", &self.teacher_hidden), ("studentHidden", &self.student_hidden)] {
            let mut sizes = vec![features];
            sizes.extend_from_slice(hidden);
            sizes.push(classes);
            let count = parameter_count(&sizes);
            if count > MAX_PARAMETERS {
                return Err(KdError::setting(
                    name,
                    format!("this network would have {count} parameters for {features} features and {classes} classes; the limit is {MAX_PARAMETERS}"),
                ));
            }
            // Every teacher of an ensemble trains on each batch.
            let copies = if name == "teacherHidden" { self.teachers.max(1) } else { 1 };
            let count = count.saturating_mul(copies);
            if count.saturating_mul(self.batch_size) > MAX_BATCH_WORK {
                return Err(KdError::setting(
                    "batchSize",
                    format!(
                        "a batch of {} through a network of {count} parameters is too much work per step to keep the page responsive; use a batch of at most {}",
                        self.batch_size,
                        (MAX_BATCH_WORK / count.max(1)).max(1)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Validates one live setting (`temperature` or `alpha`) and returns it.
    pub fn check_live(name: &str, value: f64) -> Result<f32> {
        match spec(name) {
            Some(spec) if spec.live => check_number(spec, &Value::Number(value)).map(|v| v as f32),
            Some(_) => Err(KdError::setting(name, "cannot change during training; it takes effect on reset")),
            None => Err(KdError::setting(name, "is not a setting of the playground")),
        }
    }

    /// What the data module needs.
    pub fn data_options(&self) -> DataOptions {
        DataOptions { noise: self.noise, points: self.points, test_fraction: self.test_fraction, seed: self.seed }
    }

    /// The settings as (name → value), the inverse of [`Settings::from_values`].
    pub fn to_values(&self) -> BTreeMap<String, Value> {
        let join = |widths: &[usize]| widths.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(",");
        let text = |s: &str| Value::Text(s.to_string());
        let number = |n: f64| Value::Number(n);
        [
            ("dataset", text(self.dataset.name())),
            ("noise", number(self.noise as f64)),
            ("points", number(self.points as f64)),
            ("testFraction", number(self.test_fraction as f64)),
            ("seed", number(self.seed as f64)),
            ("teacherHidden", text(&join(&self.teacher_hidden))),
            ("studentHidden", text(&join(&self.student_hidden))),
            ("teachers", number(self.teachers as f64)),
            ("activation", text(self.activation.name())),
            ("optimizer", text(self.optimizer.name())),
            ("learningRate", number(self.learning_rate as f64)),
            ("batchSize", number(self.batch_size as f64)),
            ("teacherEpochs", number(self.teacher_epochs as f64)),
            ("studentEpochs", number(self.student_epochs as f64)),
            ("temperature", number(self.temperature as f64)),
            ("alpha", number(self.alpha as f64)),
            ("softLoss", text(self.soft_loss.name())),
            ("trainFraction", number(self.train_fraction as f64)),
            ("omitClass", number(self.omit_class.map_or(-1.0, |c| c as f64))),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// Every problem with `values`, as (setting name, message) pairs; empty when they are valid.
pub fn validation_errors(values: &BTreeMap<String, Value>) -> Vec<(String, String)> {
    fn flatten(error: KdError, out: &mut Vec<(String, String)>) {
        match error {
            KdError::InvalidSetting { name, message } => out.push((name, message)),
            KdError::InvalidSettings(errors) => errors.into_iter().for_each(|e| flatten(e, out)),
            other => out.push((String::new(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    if let Err(error) = Settings::from_values(values) {
        flatten(error, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn defaults_are_valid_and_every_dataset_default_is_valid() {
        assert!(Settings::from_values(&BTreeMap::new()).is_ok());
        for dataset in DatasetName::ALL {
            let pairs: Vec<(&str, Value)> =
                dataset_defaults(dataset).into_iter().map(|(k, v)| (k, Value::Text(v.to_string()))).collect();
            let settings = Settings::from_values(&values(&pairs)).unwrap();
            assert_eq!(settings.dataset, dataset);
        }
    }

    #[test]
    fn each_bad_value_is_named_with_its_limit() {
        let bad = values(&[
            ("temperature", Value::Number(0.0)),
            ("alpha", Value::Number(1.5)),
            ("learningRate", Value::Number(f64::NAN)),
            ("batchSize", Value::Number(2.5)),
            ("teacherHidden", Value::Text("64,abc".into())),
            ("dataset", Value::Text("<img src=x>".into())),
            ("bogus", Value::Number(1.0)),
        ]);
        let errors = validation_errors(&bad);
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        for name in ["temperature", "alpha", "learningRate", "batchSize", "teacherHidden", "dataset", "bogus"] {
            assert!(names.contains(&name), "{name} not reported in {errors:?}");
        }
        let temperature = errors.iter().find(|(n, _)| n == "temperature").unwrap();
        assert_eq!(temperature.1, "must be between 0.05 and 100 (got 0)");
    }

    #[test]
    fn huge_networks_are_refused() {
        let error = Settings::from_values(&values(&[("teacherHidden", Value::Text("1024,1024".into()))])).unwrap_err();
        assert!(error.to_string().contains("limit is 300000"), "{error}");
        let error = Settings::from_values(&values(&[
            ("teacherHidden", Value::Text("512,256".into())),
            ("batchSize", Value::Number(1024.0)),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().starts_with("batchSize: a batch of 1024 through a network of 167178 parameters"),
            "{error}"
        );
        assert!(Settings::from_values(&values(&[
            ("teacherHidden", Value::Text("256,256".into())),
            ("batchSize", Value::Number(1024.0))
        ]))
        .is_ok());
        let error = Settings::from_values(&values(&[("studentHidden", Value::Text("8,8,8,8,8".into()))])).unwrap_err();
        assert!(error.to_string().contains("at most 4 hidden layers"), "{error}");
    }

    #[test]
    fn values_round_trip() {
        let settings = Settings::from_values(&values(&[
            ("dataset", Value::Text("digits".into())),
            ("studentHidden", Value::Text("".into())),
        ]))
        .unwrap();
        assert_eq!(Settings::from_values(&settings.to_values()).unwrap(), settings);
    }

    #[test]
    fn only_live_settings_change_during_training() {
        assert_eq!(Settings::check_live("temperature", 8.0).unwrap(), 8.0);
        assert!(Settings::check_live("temperature", -1.0).is_err());
        assert!(Settings::check_live("alpha", f64::INFINITY).is_err());
        assert!(Settings::check_live("seed", 3.0).is_err());
    }
}
