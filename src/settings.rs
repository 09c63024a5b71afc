//! Every setting, declared once, in [`settings!`] below: its field and type in [`Settings`], its
//! name as the page, the URL and run files know it, its default (and each data set's), its range,
//! whether it can change while training runs, its panel, and its `kd run` flag. From that one
//! declaration come the typed struct, the table the page builds its controls and its URL reader
//! from ([`SCHEMA`]), both conversions ([`Settings::from_values`], [`Settings::to_values`]), each
//! data set's defaults ([`dataset_defaults`]) and `kd run`'s flags. A setting's label and help are
//! the catalogues' texts `setting.<name>.label` and `.help` (`www/locales/<lang>.json`), a
//! choice's label `choice.<name>.<value>`.
//!
//! Adding a setting is one line in [`settings!`] (and its texts in each catalogue).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{DataOptions, DatasetName, Holdout, Scaling};
use crate::error::{KdError, Result, SettingProblem};
use crate::methods::{KlDirection, MethodKind};
use crate::network::{Activation, Init};
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

/// Which panel of the page a setting belongs to (and which section of `kd run --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Group {
    Data,
    Models,
    Training,
    Distillation,
}

/// A setting's value as the page, a URL or a run file gives it: a number or a text.
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
    /// From the setting's type ([`SettingValue::KIND`]).
    pub kind: SettingKind,
    #[serde(serialize_with = "serialize_default")]
    pub default: &'static str,
    /// Whether picking a data set sets it, and to what: `Some(list)` gives it the list's value
    /// for the data sets listed and the default for the others; `None` leaves it alone.
    #[serde(skip)]
    pub by_dataset: Option<&'static [(DatasetName, &'static str)]>,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub scale: Scale,
    /// From the setting's type ([`SettingValue::CHOICES`]).
    pub choices: &'static [&'static str],
    /// The most hidden layers (for `Layers`).
    pub max_layers: usize,
    /// Whether it can change during training (the others take effect on reset).
    pub live: bool,
    /// Whether it applies only to the data sets generated from the seed (spiral, blobs, moons).
    pub generated_only: bool,
    /// The methods it applies to, by name (empty: every method); the page hides it for the others.
    pub methods: &'static [&'static str],
    /// Whether only `kd` has it (the page's schema leaves it out, so the page keeps its default).
    #[serde(skip)]
    pub cli_only: bool,
    pub group: Group,
    /// `kd run`'s flag for it, without the dashes (e.g. `lr` for `learningRate`), and the
    /// placeholder of its value in the help.
    #[serde(skip)]
    pub flag: &'static str,
    #[serde(skip)]
    pub placeholder: &'static str,
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

/// The methods that train a teacher: the teacher's settings apply to them only (mutual learning
/// and self-distillation train none; see [`MethodKind::needs_teacher`]).
const TEACHER_METHODS: &[&str] = &["kd", "logits", "fitnets", "rkd", "label-smoothing", "dkpp"];
/// The methods whose soft term is a KL, which `klDirection` turns (not logit matching, not RKD).
const KL_METHODS: &[&str] = &["kd", "fitnets", "dml", "byot", "label-smoothing", "dkpp"];

/// The fields most settings share; each declaration states what differs.
const BASE: SettingSpec = SettingSpec {
    name: "",
    kind: SettingKind::Number,
    default: "0",
    by_dataset: None,
    min: 0.0,
    max: 1.0,
    step: 0.01,
    scale: Scale::Linear,
    choices: &[],
    max_layers: 0,
    live: false,
    generated_only: false,
    methods: &[],
    cli_only: false,
    group: Group::Data,
    flag: "",
    placeholder: "X",
};

/// How a setting's type reads a value (checked against its declaration) and writes it back.
pub trait SettingValue: Sized {
    const KIND: SettingKind;
    const CHOICES: &'static [&'static str] = &[];
    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem>;
    fn write(&self) -> Value;
}

/// A setting whose value is one of a few names: an enum declared with [`choices!`].
pub trait Choice: Copy + 'static {
    /// Every value, in the order the page lists them.
    const ALL: &'static [Self];
    /// Their names, in the same order.
    const NAMES: &'static [&'static str];
}

/// Gives an enum its names (as the page, URLs, run files and `kd` write them), once:
/// `name()`, `from_name()` and [`Choice`], so that it can be a setting's type.
macro_rules! choices {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $crate::settings::Choice for $ty {
            const ALL: &'static [Self] = &[$($ty::$variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];
        }

        impl $ty {
            /// The name the page, URLs, run files and `kd` use.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The value called `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use choices;

impl<T: Choice> SettingValue for T {
    const KIND: SettingKind = SettingKind::Choice;
    const CHOICES: &'static [&'static str] = T::NAMES;

    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem> {
        let not_a_choice = |got: String| SettingProblem::NotAChoice { got, choices: spec.choices.join(", ") };
        match value {
            Value::Text(text) => T::NAMES
                .iter()
                .position(|name| name == text)
                .and_then(|i| T::ALL.get(i).copied())
                .ok_or_else(|| not_a_choice(text.clone())),
            Value::Number(n) => Err(not_a_choice(crate::text::format_number(*n))),
        }
    }

    fn write(&self) -> Value {
        let name = T::ALL.iter().position(|v| same_variant(v, self)).and_then(|i| T::NAMES.get(i));
        Value::Text(name.copied().unwrap_or_default().to_string())
    }
}

/// Whether two values of an enum are the same variant (the choices' enums are fieldless).
fn same_variant<T>(a: &T, b: &T) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

impl SettingValue for f32 {
    const KIND: SettingKind = SettingKind::Number;
    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem> {
        check_number(spec, value, SettingKind::Number).map(|n| n as f32)
    }
    fn write(&self) -> Value {
        Value::Number(f64::from(*self))
    }
}

impl SettingValue for usize {
    const KIND: SettingKind = SettingKind::Integer;
    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem> {
        check_number(spec, value, SettingKind::Integer).map(|n| n as usize)
    }
    fn write(&self) -> Value {
        Value::Number(*self as f64)
    }
}

impl SettingValue for u64 {
    const KIND: SettingKind = SettingKind::Integer;
    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem> {
        check_number(spec, value, SettingKind::Integer).map(|n| n as u64)
    }
    fn write(&self) -> Value {
        Value::Number(*self as f64)
    }
}

/// A class, or none: −1 in the page, the URL and run files.
impl SettingValue for Option<usize> {
    const KIND: SettingKind = SettingKind::Integer;
    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem> {
        check_number(spec, value, SettingKind::Integer).map(|n| usize::try_from(n as i64).ok())
    }
    fn write(&self) -> Value {
        Value::Number(self.map_or(-1.0, |c| c as f64))
    }
}

/// Hidden layer widths: "64,64" in the page, the URL and run files; empty for none.
impl SettingValue for Vec<usize> {
    const KIND: SettingKind = SettingKind::Layers;
    fn read(spec: &SettingSpec, value: &Value) -> std::result::Result<Self, SettingProblem> {
        check_layers(spec, value)
    }
    fn write(&self) -> Value {
        Value::Text(self.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(","))
    }
}

/// Declares every setting: `field: Type = SettingSpec { … }`, in the order the page shows them.
/// The type gives the kind (and the choices); the spec gives the rest over [`BASE`].
macro_rules! settings {
    ($($(#[$doc:meta])* $field:ident: $ty:ty = $spec:expr,)*) => {
        /// A validated, typed set of settings: one field per setting of [`SCHEMA`].
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct Settings {
            $($(#[$doc])* pub $field: $ty,)*
        }

        /// The table of every setting, in the order the page shows them.
        pub const SCHEMA: &[SettingSpec] = &[
            $(SettingSpec { kind: <$ty as SettingValue>::KIND, choices: <$ty as SettingValue>::CHOICES, ..$spec },)*
        ];

        impl Settings {
            /// Each setting read from `values` (or its default) and checked against its
            /// declaration; every problem is reported.
            fn read_each(values: &BTreeMap<String, Value>) -> std::result::Result<Settings, Vec<(String, SettingProblem)>> {
                let mut problems = Vec::new();
                let mut specs = SCHEMA.iter();
                $(let $field = read_next::<$ty>(&mut specs, values, &mut problems);)*
                match ($($field,)*) {
                    ($(Some($field),)*) if problems.is_empty() => Ok(Settings { $($field,)* }),
                    _ => Err(problems),
                }
            }

            /// The settings as (name → value), the inverse of [`Settings::from_values`].
            pub fn to_values(&self) -> BTreeMap<String, Value> {
                let mut specs = SCHEMA.iter();
                let mut values = BTreeMap::new();
                $(
                    if let Some(spec) = specs.next() {
                        values.insert(spec.name.to_string(), SettingValue::write(&self.$field));
                    }
                )*
                values
            }
        }
    };
}

/// The next setting of `specs` read from `values` (or its default) as a `T`; its problem, if any,
/// goes to `problems`. Out of line, once per type of setting rather than once per setting.
#[inline(never)]
fn read_next<T: SettingValue>(
    specs: &mut std::slice::Iter<'_, SettingSpec>,
    values: &BTreeMap<String, Value>,
    problems: &mut Vec<(String, SettingProblem)>,
) -> Option<T> {
    let spec = specs.next()?;
    T::read(spec, &value_or_default(values, spec))
        .map_err(|problem| problems.push((spec.name.to_string(), problem)))
        .ok()
}

use crate::language::{StudentText, Task};
use DatasetName::{Blobs, Digits, Iris, Moons, Text};

settings! {
    dataset: DatasetName = SettingSpec { name: "dataset", default: "spiral", flag: "dataset", placeholder: "NAME", ..BASE },
    noise: f32 = SettingSpec {
        name: "noise", default: "0.2", by_dataset: Some(&[(Blobs, "0.8"), (Moons, "0.3")]),
        generated_only: true, flag: "noise", ..BASE
    },
    points: usize = SettingSpec {
        name: "points", default: "300", min: 30.0, max: 3000.0, step: 10.0, generated_only: true, flag: "points",
        placeholder: "N", ..BASE
    },
    test_fraction: f32 = SettingSpec {
        name: "testFraction", default: "0.25", min: 0.1, max: 0.5, step: 0.05, flag: "test-fraction", placeholder: "F",
        ..BASE
    },
    seed: u64 = SettingSpec {
        name: "seed", default: "1", min: 0.0, max: 4_294_967_295.0, step: 1.0, flag: "seed", placeholder: "N", ..BASE
    },
    /// The test split, or a validation split cut from the training split in its place, for
    /// choosing settings without looking at the test split (`kd` only: the page always tests).
    holdout: Holdout = SettingSpec { name: "holdout", default: "test", cli_only: true, flag: "holdout", placeholder: "SPLIT", ..BASE },
    /// How the features are scaled (`kd` only: the page always standardises).
    scaling: Scaling = SettingSpec { name: "scaling", default: "standardise", cli_only: true, flag: "scaling", placeholder: "HOW", ..BASE },
    /// What the networks learn: the data set's classes, or a text's next character (`chars`:
    /// src/language/; `kd` only until the page has its language view).
    task: Task = SettingSpec { name: "task", default: "classify", cli_only: true, flag: "task", placeholder: "TASK", ..BASE },
    /// The language task: what the students learn from, the training lines or as many lines the
    /// trained teacher wrote (sequence-level distillation, Kim & Rush 2016).
    student_text: StudentText = SettingSpec {
        name: "studentText", default: "real", cli_only: true, flag: "student-text", placeholder: "TEXT", ..BASE
    },
    /// The language task: how many previous characters the models read.
    context: usize = SettingSpec {
        name: "context", default: "3", min: 1.0, max: 16.0, step: 1.0, cli_only: true, flag: "context", placeholder: "N",
        ..BASE
    },
    teacher_hidden: Vec<usize> = SettingSpec {
        name: "teacherHidden", default: "64,64", by_dataset: Some(&[(Digits, "256,256"), (Text, "128")]), min: 1.0, max: 1024.0,
        step: 1.0, max_layers: 4, group: Group::Models, flag: "teacher", placeholder: "WIDTHS", methods: TEACHER_METHODS,
        ..BASE
    },
    student_hidden: Vec<usize> = SettingSpec {
        name: "studentHidden", default: "8", by_dataset: Some(&[(Blobs, "4"), (Moons, "4"), (Digits, "16"), (Iris, "4"), (Text, "16")]),
        min: 1.0, max: 1024.0, step: 1.0, max_layers: 4, group: Group::Models, flag: "student", placeholder: "WIDTHS",
        ..BASE
    },
    /// Teachers in the ensemble (1: a single teacher).
    teachers: usize = SettingSpec {
        name: "teachers", default: "1", min: 1.0, max: 5.0, step: 1.0, group: Group::Models, flag: "teachers",
        placeholder: "N", methods: TEACHER_METHODS, ..BASE
    },
    activation: Activation = SettingSpec {
        name: "activation", default: "relu", group: Group::Models, flag: "activation", placeholder: "NAME", ..BASE
    },
    /// How the weights start (`kd` only: the page always uses He).
    init: Init = SettingSpec {
        name: "init", default: "he", cli_only: true, group: Group::Models, flag: "init", placeholder: "HOW", ..BASE
    },
    optimizer: OptimizerKind = SettingSpec {
        name: "optimizer", default: "adam", group: Group::Training, flag: "optimizer", placeholder: "NAME", ..BASE
    },
    learning_rate: f32 = SettingSpec {
        name: "learningRate", default: "0.01", by_dataset: Some(&[(Digits, "0.001"), (Text, "0.003")]), min: 0.00001, max: 100.0,
        step: 0.0, scale: Scale::Log, group: Group::Training, flag: "lr", placeholder: "RATE", ..BASE
    },
    batch_size: usize = SettingSpec {
        name: "batchSize", default: "16", by_dataset: Some(&[(Digits, "32"), (Text, "64")]), min: 1.0, max: 1024.0, step: 1.0,
        group: Group::Training, flag: "batch-size", placeholder: "N", ..BASE
    },
    teacher_epochs: usize = SettingSpec {
        name: "teacherEpochs", default: "40",
        by_dataset: Some(&[(Blobs, "30"), (Moons, "30"), (Digits, "20"), (Iris, "60"), (Text, "10")]),
        min: 1.0, max: 2000.0, step: 1.0, group: Group::Training, flag: "teacher-epochs", placeholder: "N",
        methods: TEACHER_METHODS, ..BASE
    },
    student_epochs: usize = SettingSpec {
        name: "studentEpochs", default: "100", by_dataset: Some(&[(Blobs, "60"), (Moons, "80"), (Digits, "40"), (Text, "20")]),
        min: 1.0, max: 2000.0, step: 1.0, group: Group::Training, flag: "student-epochs", placeholder: "N", ..BASE
    },
    temperature: f32 = SettingSpec {
        name: "temperature", default: "4", by_dataset: Some(&[(Blobs, "2"), (Text, "1")]), min: 0.05, max: 100.0, step: 0.0,
        scale: Scale::Log, live: true, group: Group::Distillation, flag: "temperature", placeholder: "T", ..BASE
    },
    alpha: f32 = SettingSpec {
        name: "alpha", default: "0.5", by_dataset: Some(&[(Digits, "0.9")]), live: true, group: Group::Distillation,
        flag: "alpha", placeholder: "A", ..BASE
    },
    /// How the distilled student is taught: which knowledge, which scheme, or a control.
    method: MethodKind = SettingSpec {
        name: "method", default: "kd", group: Group::Distillation, flag: "method", placeholder: "NAME", ..BASE
    },
    /// Which way the soft term's KL runs.
    kl_direction: KlDirection = SettingSpec {
        name: "klDirection", default: "forward", group: Group::Distillation, flag: "kl", placeholder: "DIRECTION",
        methods: KL_METHODS, ..BASE
    },
    /// FitNets: the student's hidden layer (from 1) that the teacher's hint guides.
    hint_layer: usize = SettingSpec {
        name: "hintLayer", default: "1", min: 1.0, max: 4.0, step: 1.0, group: Group::Distillation, flag: "hint-layer",
        placeholder: "N", methods: &["fitnets"], ..BASE
    },
    /// FitNets: the student epochs of the hint stage, before distillation.
    hint_epochs: usize = SettingSpec {
        name: "hintEpochs", default: "10", min: 1.0, max: 1999.0, step: 1.0, group: Group::Distillation,
        flag: "hint-epochs", placeholder: "N", methods: &["fitnets"], ..BASE
    },
    /// Share of each class of the training split in the students' transfer set.
    train_fraction: f32 = SettingSpec {
        name: "trainFraction", default: "1", min: 0.01, max: 1.0, group: Group::Distillation, flag: "train-fraction",
        placeholder: "F", ..BASE
    },
    /// A class left out of the students' transfer set.
    omit_class: Option<usize> = SettingSpec {
        name: "omitClass", default: "-1", min: -1.0, max: 19.0, step: 1.0, group: Group::Distillation,
        flag: "omit-class", placeholder: "C", ..BASE
    },
}

/// Largest number of parameters a network may have, so that a typo cannot freeze the page
/// (digits' default teacher, 64→256→256→10, has 85,002).
pub const MAX_PARAMETERS: usize = 300_000;

/// Largest batch size × teacher parameters: one mini-batch is about 6 × this many floating-point
/// operations, and the page must stay responsive while it runs (full-batch training of the
/// digits teacher, 1024 × 85,002, fits).
pub const MAX_BATCH_WORK: usize = 128_000_000;

/// The declaration of setting `name`.
pub fn spec(name: &str) -> Option<&'static SettingSpec> {
    SCHEMA.iter().find(|s| s.name == name)
}

/// The settings that picking `dataset` changes, with their values: the data set itself, and every
/// setting declared `by_dataset` (teacher 2×64 on the 2-D sets and 2×256 on digits; small
/// students; suitable rates and epochs). A user's CSV file takes iris's, without `dataset`.
pub fn dataset_defaults(dataset: DatasetName) -> Vec<(&'static str, &'static str)> {
    let like = if dataset == DatasetName::Csv { DatasetName::Iris } else { dataset };
    // a CSV file or a text is no choice of the setting `dataset`
    let mut values = if matches!(dataset, DatasetName::Csv | DatasetName::Text) {
        Vec::new()
    } else {
        vec![("dataset", dataset.name())]
    };
    for spec in SCHEMA {
        if let Some(list) = spec.by_dataset {
            let value = list.iter().find(|(d, _)| *d == like).map_or(spec.default, |(_, v)| *v);
            values.push((spec.name, value));
        }
    }
    values
}

/// Checks a number against its declaration (`kind`: a real or a whole number).
fn check_number(spec: &SettingSpec, value: &Value, kind: SettingKind) -> std::result::Result<f64, SettingProblem> {
    let number = match value {
        Value::Number(n) => *n,
        Value::Text(text) => {
            text.trim().parse::<f64>().map_err(|_| SettingProblem::NotANumber { text: text.clone() })?
        }
    };
    if !number.is_finite() {
        return Err(SettingProblem::NotFinite { got: number });
    }
    if kind == SettingKind::Integer && number.fract() != 0.0 {
        return Err(SettingProblem::NotWhole { got: number });
    }
    // Real settings are kept as f32, so the bounds are compared as f32 too: a run file or a link
    // holds 1e-5 as the f32 nearest to it, 9.99999974737875e-6, which must read back.
    let outside = match kind {
        SettingKind::Number => (number as f32) < spec.min as f32 || (number as f32) > spec.max as f32,
        _ => number < spec.min || number > spec.max,
    };
    if outside {
        return Err(SettingProblem::OutOfRange { min: spec.min, max: spec.max, got: number });
    }
    Ok(number)
}

/// Parses "64,64" into widths, each in [min, max], at most `max_layers` of them.
fn check_layers(spec: &SettingSpec, value: &Value) -> std::result::Result<Vec<usize>, SettingProblem> {
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
            let width: f64 = part.parse().map_err(|_| SettingProblem::NotALayerWidth { text: part.to_string() })?;
            if width.fract() != 0.0 || width < spec.min || width > spec.max {
                return Err(SettingProblem::LayerWidthOutOfRange { min: spec.min, max: spec.max, got: width });
            }
            Ok(width as usize)
        })
        .collect::<std::result::Result<Vec<usize>, SettingProblem>>()?;
    if widths.len() > spec.max_layers {
        return Err(SettingProblem::TooManyLayers { max: spec.max_layers, got: widths.len() });
    }
    Ok(widths)
}

/// The value of `spec` in `values`, or its declared default.
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
        let renamed;
        let values = match values.get("softLoss") {
            // Run files and links from before the methods: `softLoss` (kl, logits) is now `method`
            // (kd, logits). Beside `method` it is an unknown setting, not silently dropped.
            Some(old) if !values.contains_key("method") => {
                let mut copy = values.clone();
                copy.remove("softLoss");
                let method = match old {
                    Value::Text(text) if text == "kl" => Value::Text("kd".into()),
                    other => other.clone(),
                };
                copy.insert("method".into(), method);
                renamed = copy;
                &renamed
            }
            _ => values,
        };
        let mut problems: Vec<(String, SettingProblem)> = values
            .keys()
            .filter(|name| spec(name).is_none())
            .map(|name| (name.clone(), SettingProblem::Unknown))
            .collect();
        let settings = match Settings::read_each(values) {
            Ok(settings) if problems.is_empty() => settings,
            Ok(_) => return Err(problems_error(problems)),
            Err(more) => {
                problems.extend(more);
                return Err(problems_error(problems));
            }
        };
        settings.check_method()?;
        // The networks' size on the chosen data set (a user's CSV file is checked again when it is
        // read: it can be wider than any built-in set).
        let (features, classes) = settings.dataset.shape().unwrap_or((1, 2));
        settings.check_networks_for(features, classes)?;
        Ok(settings)
    }

    /// Checks that the method can teach these networks: one teacher for the methods that read a
    /// single teacher's logits or layers; a hidden layer to guide (FitNets), an embedding of at
    /// least two units on both sides (RKD: angles need two dimensions), two hidden layers for an
    /// early exit below the final head (BYOT), and a hint stage shorter than the students' epochs.
    pub fn check_method(&self) -> Result<()> {
        let method = self.method;
        let problem = |setting: &str, problem: SettingProblem| Err(KdError::setting(setting, problem));
        let name = || method.name().to_string();
        if self.teachers > 1 && matches!(method, MethodKind::Logits | MethodKind::Fitnets | MethodKind::Rkd) {
            return problem("method", SettingProblem::NeedsOneTeacher { method: name(), teachers: self.teachers });
        }
        let student_layers = self.student_hidden.len();
        match method {
            MethodKind::Fitnets if self.hint_layer > student_layers => {
                problem("hintLayer", SettingProblem::NoSuchHintLayer { layer: self.hint_layer, layers: student_layers })
            }
            MethodKind::Fitnets if self.hint_epochs >= self.student_epochs => problem(
                "hintEpochs",
                SettingProblem::HintLongerThanTraining { hint: self.hint_epochs, epochs: self.student_epochs },
            ),
            MethodKind::Fitnets if self.teacher_hidden.is_empty() => {
                problem("teacherHidden", SettingProblem::NeedsHiddenLayer { method: name(), layers: 1 })
            }
            MethodKind::Rkd => {
                for (setting, hidden) in
                    [("studentHidden", &self.student_hidden), ("teacherHidden", &self.teacher_hidden)]
                {
                    match hidden.last() {
                        None => {
                            return problem(setting, SettingProblem::NeedsHiddenLayer { method: name(), layers: 1 })
                        }
                        Some(&width) if width < 2 => {
                            return problem(setting, SettingProblem::EmbeddingTooSmall { width, least: 2 })
                        }
                        Some(_) => {}
                    }
                }
                Ok(())
            }
            MethodKind::Byot if student_layers < 2 => {
                problem("studentHidden", SettingProblem::NeedsHiddenLayer { method: name(), layers: 2 })
            }
            _ => Ok(()),
        }
    }

    /// Rejects networks with more than [`MAX_PARAMETERS`] parameters, or too much work per
    /// mini-batch, for a data set with `features` inputs and `classes` outputs.
    pub fn check_networks_for(&self, features: usize, classes: usize) -> Result<()> {
        for (name, hidden) in [("teacherHidden", &self.teacher_hidden), ("studentHidden", &self.student_hidden)] {
            let mut sizes = vec![features];
            sizes.extend_from_slice(hidden);
            sizes.push(classes);
            let parameters = parameter_count(&sizes);
            if parameters > MAX_PARAMETERS {
                return Err(KdError::setting(
                    name,
                    SettingProblem::TooManyParameters { parameters, features, classes, limit: MAX_PARAMETERS },
                ));
            }
            // Every teacher of an ensemble trains on each batch.
            let copies = if name == "teacherHidden" { self.teachers.max(1) } else { 1 };
            let parameters = parameters.saturating_mul(copies);
            if parameters.saturating_mul(self.batch_size) > MAX_BATCH_WORK {
                return Err(KdError::setting(
                    "batchSize",
                    SettingProblem::TooMuchWork {
                        batch: self.batch_size,
                        parameters,
                        max_batch: (MAX_BATCH_WORK / parameters.max(1)).max(1),
                    },
                ));
            }
        }
        Ok(())
    }

    /// Validates one live setting (`temperature` or `alpha`) and returns it.
    pub fn check_live(name: &str, value: f64) -> Result<f32> {
        match spec(name) {
            Some(spec) if spec.live => <f32 as SettingValue>::read(spec, &Value::Number(value))
                .map_err(|problem| KdError::setting(name, problem)),
            Some(_) => Err(KdError::setting(name, SettingProblem::NotLive)),
            None => Err(KdError::setting(name, SettingProblem::Unknown)),
        }
    }

    /// What the data module needs.
    pub fn data_options(&self) -> DataOptions {
        DataOptions {
            noise: self.noise,
            points: self.points,
            test_fraction: self.test_fraction,
            seed: self.seed,
            holdout: self.holdout,
            scaling: self.scaling,
        }
    }
}

/// One problem as a setting's error, several as one error that lists them.
fn problems_error(mut problems: Vec<(String, SettingProblem)>) -> KdError {
    if problems.len() == 1 {
        let (setting, problem) = problems.remove(0);
        KdError::Setting { setting, problem }
    } else {
        KdError::Settings(problems)
    }
}

/// Every problem with `values`, as (setting name, problem); empty when they are valid. A problem
/// that is not a setting's (none is, today) is filed under the empty name.
pub fn validation_errors(values: &BTreeMap<String, Value>) -> Vec<(String, SettingProblem)> {
    match Settings::from_values(values) {
        Ok(_) => Vec::new(),
        Err(error) => error.setting_problems(),
    }
}

/// The schema's defaults: spiral's noise and points, the default test fraction and seed, the test
/// split, standardised features (what the tests of data and files start from).
impl Default for DataOptions {
    fn default() -> Self {
        // every default is valid (`defaults_are_valid_and_every_dataset_default_is_valid`)
        Settings::from_values(&BTreeMap::new()).expect("the schema's defaults are valid").data_options()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn a_setting_applies_to_methods_that_exist_and_the_teacher_s_to_those_that_train_one() {
        use crate::methods::MethodKind;
        for name in ["teacherHidden", "teachers", "teacherEpochs", "klDirection", "hintLayer", "hintEpochs"] {
            let methods = spec(name).map(|s| s.methods).unwrap_or_default();
            assert!(!methods.is_empty(), "{name} applies to some methods only");
            assert!(methods.iter().all(|m| MethodKind::from_name(m).is_some()), "{name}: {methods:?}");
        }
        let teacher: Vec<&str> = MethodKind::ALL.iter().filter(|m| m.needs_teacher()).map(|m| m.name()).collect();
        assert_eq!(spec("teacherHidden").map(|s| s.methods.to_vec()), Some(teacher));
        assert_eq!(spec("hintLayer").map(|s| s.methods), Some(&["fitnets"][..]));
        assert!(spec("temperature").is_some_and(|s| s.methods.is_empty()), "T applies to every method");
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
    fn each_data_set_sets_what_the_page_always_set() {
        let digits: BTreeMap<_, _> = dataset_defaults(DatasetName::Digits).into_iter().collect();
        assert_eq!(digits["teacherHidden"], "256,256");
        assert_eq!(digits["studentHidden"], "16");
        assert_eq!(digits["learningRate"], "0.001");
        assert_eq!(digits["alpha"], "0.9");
        let blobs: BTreeMap<_, _> = dataset_defaults(DatasetName::Blobs).into_iter().collect();
        assert_eq!((blobs["noise"], blobs["temperature"], blobs["studentEpochs"]), ("0.8", "2", "60"));
        let csv = dataset_defaults(DatasetName::Csv);
        assert!(!csv.iter().any(|(name, _)| *name == "dataset"), "a CSV file is not a choice of the data set");
        assert_eq!(csv.iter().find(|(name, _)| *name == "teacherEpochs"), Some(&("teacherEpochs", "60")));
    }

    #[test]
    fn the_choices_are_the_enums_names() {
        assert_eq!(spec("dataset").unwrap().choices, &["spiral", "blobs", "moons", "digits", "iris"]);
        assert_eq!(spec("activation").unwrap().choices, &["relu", "tanh"]);
        assert_eq!(
            spec("method").unwrap().choices,
            &["kd", "logits", "fitnets", "rkd", "dml", "byot", "label-smoothing", "dkpp"]
        );
        for (i, dataset) in DatasetName::ALL.iter().enumerate() {
            assert_eq!(<DatasetName as Choice>::NAMES[i], dataset.name());
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
        assert_eq!(temperature.1, SettingProblem::OutOfRange { min: 0.05, max: 100.0, got: 0.0 });
        assert_eq!(temperature.1.message().to_string(), "must be between 0.05 and 100 (got 0)");
    }

    #[test]
    fn huge_networks_are_refused() {
        let digits = |pairs: &[(&str, Value)]| {
            let mut v = values(pairs);
            v.insert("dataset".into(), Value::Text("digits".into()));
            Settings::from_values(&v)
        };
        let error = digits(&[("teacherHidden", Value::Text("1024,1024".into()))]).unwrap_err();
        assert!(error.to_string().contains("the limit is 300000"), "{error}");
        let error = digits(&[("teacherHidden", Value::Text("512,256".into())), ("batchSize", Value::Number(1024.0))])
            .unwrap_err();
        assert!(
            error.to_string().starts_with("Batch size: a batch of 1024 through a network of 167178 parameters"),
            "{error}"
        );
        assert!(
            digits(&[("teacherHidden", Value::Text("256,256".into())), ("batchSize", Value::Number(1024.0))]).is_ok()
        );
        let error = Settings::from_values(&values(&[("studentHidden", Value::Text("8,8,8,8,8".into()))])).unwrap_err();
        assert!(error.to_string().contains("at most 4 hidden layers"), "{error}");
    }

    #[test]
    fn the_size_limit_is_the_chosen_data_sets() {
        // 2→512→512→3 is within the limit on a 2-D set; 64→512→512→10 is not.
        let wide = |dataset: &str| {
            Settings::from_values(&values(&[
                ("dataset", Value::Text(dataset.into())),
                ("teacherHidden", Value::Text("512,512".into())),
                ("batchSize", Value::Number(16.0)),
            ]))
        };
        assert!(wide("spiral").is_ok());
        assert!(wide("digits").is_err());
    }

    #[test]
    fn values_round_trip() {
        let settings = Settings::from_values(&values(&[
            ("dataset", Value::Text("digits".into())),
            ("studentHidden", Value::Text("".into())),
            ("omitClass", Value::Number(3.0)),
        ]))
        .unwrap();
        assert_eq!(settings.omit_class, Some(3));
        assert_eq!(Settings::from_values(&settings.to_values()).unwrap(), settings);
        assert_eq!(settings.to_values()["omitClass"], Value::Number(3.0));
        assert_eq!(Settings::from_values(&BTreeMap::new()).unwrap().to_values()["omitClass"], Value::Number(-1.0));
    }

    #[test]
    fn the_soft_loss_of_older_runs_and_links_is_the_method() {
        let read = |pairs: &[(&str, &str)]| {
            Settings::from_values(&pairs.iter().map(|(k, v)| (k.to_string(), Value::Text(v.to_string()))).collect())
        };
        assert_eq!(read(&[("softLoss", "kl")]).unwrap().method, MethodKind::Kd);
        assert_eq!(read(&[("softLoss", "logits")]).unwrap().method, MethodKind::Logits);
        assert!(read(&[("softLoss", "bogus")]).is_err());
        // beside the method it names, it is not a setting: a mix-up is reported, not dropped
        let error = read(&[("softLoss", "logits"), ("method", "kd")]).unwrap_err();
        assert_eq!(error.setting_problems()[0], ("softLoss".to_string(), SettingProblem::Unknown));
    }

    #[test]
    fn only_live_settings_change_during_training() {
        assert_eq!(Settings::check_live("temperature", 8.0).unwrap(), 8.0);
        assert!(Settings::check_live("temperature", -1.0).is_err());
        assert!(Settings::check_live("alpha", f64::INFINITY).is_err());
        assert_eq!(Settings::check_live("seed", 3.0).unwrap_err(), KdError::setting("seed", SettingProblem::NotLive));
    }
}
