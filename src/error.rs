//! The crate's one error type. Every variant carries its numbers, not a sentence: its
//! [`KdError::message`] names a text of the catalogues (`engine.*` in `www/locales/<lang>.json`)
//! with those numbers, which the page renders in the learner's language and `kd` in English
//! (`Display`). The texts name the setting or the input, the offending value and the limit.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::data::SplitName;
use crate::text::{Arg, Message};

/// Everything that can go wrong in the engine. No engine path panics on user input; it returns one
/// of these instead (a panic in WebAssembly would kill the page).
#[derive(Debug, Clone, PartialEq)]
pub enum KdError {
    /// A setting's value is not acceptable; `setting` is its name as the page, the URL and run
    /// files know it.
    Setting { setting: String, problem: SettingProblem },
    /// Several settings at once, each with its problem.
    Settings(Vec<(String, SettingProblem)>),
    /// The user's CSV file, named `file`.
    Csv { file: String, problem: CsvProblem },
    /// A run file that cannot be loaded.
    RunFile(RunFileProblem),
    /// A data set that cannot be built.
    Data(DataProblem),
    /// A text for the language task (the built-in names or the user's file, named `file`).
    Text { file: String, problem: TextProblem },
    /// A sample that does not exist.
    NoSuchSample { split: SplitName, index: usize, len: usize },
    /// Training stopped before an update that would have made a number NaN or infinite.
    Diverged(Divergence),
    /// A request the session cannot answer as it stands (the page or a caller asked out of turn).
    Refused(Refusal),
    /// Arrays that should agree do not: a bug, never the user's doing (the detail is for a report).
    Internal(String),
    /// The browser could not draw a chart (its own words).
    Chart(String),
    /// The compression bench cannot run as asked.
    Bench(BenchProblem),
}

/// Why the compression bench ([`crate::compression`]) cannot run as asked.
#[derive(Debug, Clone, PartialEq)]
pub enum BenchProblem {
    /// The run has no trained teacher to compress (mutual learning, self-distillation).
    NeedsTeacher {
        method: String,
    },
    /// The run's teacher is an ensemble; the bench compresses one network.
    NeedsOneTeacher {
        teachers: usize,
    },
    /// The students have not finished training.
    NotTrained,
    /// The teacher has no more parameters than the target (the student's count).
    NothingToPrune {
        parameters: usize,
        target: usize,
    },
    /// Even the smallest network of the teacher's shape has more than `target` parameters.
    TooSmallToPrune {
        least: usize,
        target: usize,
    },
    /// Structured pruning needs hidden neurons to remove.
    NoNeurons,
    /// The transfer demonstration needs two classes in each half of the classes.
    TransferClasses {
        source: usize,
        target: usize,
    },
    /// The calibration set of int8 quantization is too small (or larger than the training split).
    CalibrationTooSmall {
        samples: usize,
        least: usize,
    },
    CalibrationTooLarge {
        samples: usize,
        available: usize,
    },
}

impl BenchProblem {
    pub fn message(&self) -> Message {
        match self {
            BenchProblem::NeedsTeacher { method } => {
                Message::new("engine.bench.needsTeacher").with("method", Message::new(&format!("method.name.{method}")))
            }
            BenchProblem::NeedsOneTeacher { teachers } => {
                Message::new("engine.bench.needsOneTeacher").with("teachers", *teachers)
            }
            BenchProblem::NotTrained => Message::new("engine.bench.notTrained"),
            BenchProblem::NothingToPrune { parameters, target } => {
                Message::new("engine.bench.nothingToPrune").with("parameters", *parameters).with("target", *target)
            }
            BenchProblem::TooSmallToPrune { least, target } => {
                Message::new("engine.bench.tooSmallToPrune").with("least", *least).with("target", *target)
            }
            BenchProblem::NoNeurons => Message::new("engine.bench.noNeurons"),
            BenchProblem::TransferClasses { source, target } => {
                Message::new("engine.bench.transferClasses").with("source", *source).with("target", *target)
            }
            BenchProblem::CalibrationTooSmall { samples, least } => {
                Message::new("engine.bench.calibrationTooSmall").with("samples", *samples).with("least", *least)
            }
            BenchProblem::CalibrationTooLarge { samples, available } => {
                Message::new("engine.bench.calibrationTooLarge").with("samples", *samples).with("available", *available)
            }
        }
    }
}

/// What is wrong with one setting's value.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingProblem {
    /// Not a setting of the playground at all.
    Unknown,
    /// Text where a number was expected.
    NotANumber {
        text: String,
    },
    NotFinite {
        got: f64,
    },
    NotWhole {
        got: f64,
    },
    OutOfRange {
        min: f64,
        max: f64,
        got: f64,
    },
    /// Not one of the choices (`choices` as the catalogue lists them, comma-separated).
    NotAChoice {
        got: String,
        choices: String,
    },
    /// A part of a layer list that is not a width.
    NotALayerWidth {
        text: String,
    },
    LayerWidthOutOfRange {
        min: f64,
        max: f64,
        got: f64,
    },
    TooManyLayers {
        max: usize,
        got: usize,
    },
    /// Only `temperature` and `alpha` can change during training.
    NotLive,
    /// A network over the size limit, for the data set's shape.
    TooManyParameters {
        parameters: usize,
        features: usize,
        classes: usize,
        limit: usize,
    },
    /// A batch too large for the networks: one step would freeze the page.
    TooMuchWork {
        batch: usize,
        parameters: usize,
        max_batch: usize,
    },
    /// A method that reads one teacher's logits or layers (logit matching, FitNets, RKD), with
    /// an ensemble of teachers.
    NeedsOneTeacher {
        method: String,
        teachers: usize,
    },
    /// FitNets' guided layer is not one of the student's hidden layers.
    NoSuchHintLayer {
        layer: usize,
        layers: usize,
    },
    /// The hint stage would take every student epoch.
    HintLongerThanTraining {
        hint: usize,
        epochs: usize,
    },
    /// A method that needs a network with at least `layers` hidden layers.
    NeedsHiddenLayer {
        method: String,
        layers: usize,
    },
    /// RKD's embedding (the last hidden layer) is narrower than `least` units.
    EmbeddingTooSmall {
        width: usize,
        least: usize,
    },
    /// The class to leave out does not exist.
    NoSuchClass {
        classes: usize,
    },
    /// The students' transfer set would hold no sample.
    EmptyTransferSet,
}

/// What is wrong with a text for the language task ([`crate::language::corpus`]). Lines count
/// from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum TextProblem {
    /// Larger than the limit: refused before it is read.
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    NotUtf8 {
        line: usize,
        offset: usize,
    },
    /// A control character: a binary file, not a text.
    Binary {
        line: usize,
        code: u32,
    },
    /// No line with a character.
    Empty,
    TooFewLines {
        lines: usize,
        least: usize,
    },
    TooManySymbols {
        symbols: usize,
        limit: usize,
    },
    /// A prompt's character that the text never uses.
    OutsideAlphabet {
        character: String,
    },
    /// A prompt longer than a model writes ([`crate::language::sampling::MAX_WRITTEN`]).
    PromptTooLong {
        length: usize,
        limit: usize,
    },
    /// A context of 0 characters, or longer than the limit or than every line.
    ContextTooLong {
        context: usize,
        longest: usize,
        limit: usize,
    },
}

impl TextProblem {
    pub fn message(&self, file: &str) -> Message {
        let m = |key: &str| Message::new(key).with("file", file);
        match self {
            TextProblem::TooLarge { bytes, limit } => m("engine.text.tooLarge")
                .with("size", format!("{:.1}", *bytes as f64 / 1_048_576.0).as_str())
                .with("limit", format!("{:.0}", *limit as f64 / 1_048_576.0).as_str()),
            TextProblem::NotUtf8 { line, offset } => {
                m("engine.text.notUtf8").with("line", *line).with("offset", *offset)
            }
            TextProblem::Binary { line, code } => {
                m("engine.text.binary").with("line", *line).with("code", format!("U+{code:04X}").as_str())
            }
            TextProblem::Empty => m("engine.text.empty"),
            TextProblem::TooFewLines { lines, least } => {
                m("engine.text.tooFewLines").with("lines", *lines).with("least", *least)
            }
            TextProblem::TooManySymbols { symbols, limit } => {
                m("engine.text.tooManySymbols").with("symbols", *symbols).with("limit", *limit)
            }
            TextProblem::OutsideAlphabet { character } => {
                m("engine.text.outsideAlphabet").with("character", character.as_str())
            }
            TextProblem::PromptTooLong { length, limit } => {
                m("engine.text.promptTooLong").with("length", *length).with("limit", *limit)
            }
            TextProblem::ContextTooLong { context, longest, limit } => {
                m("engine.text.context").with("context", *context).with("longest", *longest).with("limit", *limit)
            }
        }
    }
}

/// What is wrong with a user's CSV file. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum CsvProblem {
    TooLarge { megabytes: f64, limit_megabytes: usize },
    NotUtf8 { line: usize, offset: usize },
    Empty,
    HeaderOnly,
    TooManyColumns { line: usize, columns: usize, limit: usize },
    OneColumn { line: usize },
    UnclosedQuote { line: usize },
    TooManyRows { rows: usize, limit: usize },
    FieldCount { line: usize, found: usize, expected: usize },
    NotANumber { line: usize, column: usize, text: String },
    NotFinite { line: usize, column: usize, text: String },
    MissingValue { line: usize, column: usize },
    MissingLabel { line: usize, column: usize },
    DuplicateColumn { line: usize, name: String, first: usize, second: usize },
    LabelOutOfRange { line: usize, column: usize, label: i64, max: usize },
    TooManyClasses { line: usize, column: usize, limit: usize },
    OneClass { class: String },
}

/// What is wrong with a run file.
#[derive(Debug, Clone, PartialEq)]
pub enum RunFileProblem {
    CutShort { line: usize, column: usize },
    NotJson { line: usize, column: usize, reason: String },
    NotAnObject,
    NoFormat,
    OtherFormat { format: String },
    OtherVersion { version: u64, supported: u32 },
    NoVersion,
    NoWeights,
    NoWeightsFor { model: Model },
    MalformedWeights { model: Model, reason: String },
    MalformedOtherTeachers { reason: String },
    NoField { field: String },
    MalformedField { field: String, reason: String },
    InvalidSettings(Box<KdError>),
    LayersDiffer { model: Model, found: Vec<usize>, expected: Vec<usize> },
    LayersDoNotChain { model: Model, shapes: String },
    BiasesDoNotMatch { model: Model },
    ActivationDiffers { model: Model, found: String, expected: String },
    NotFinite { model: Model },
    TeacherCount { found: usize, expected: usize },
    EpochBeyond { epoch: usize, limit: usize },
    NoStudentHistory,
}

/// What stands in the way of building a data set.
#[derive(Debug, Clone, PartialEq)]
pub enum DataProblem {
    /// The page has not fetched the digits yet.
    NotFetched { file: String },
    /// The fetched file is not this build's copy.
    NotThisCopy { file: String, bytes: usize },
    /// Only the digits come as a file.
    BuiltIn { dataset: String },
    /// No class has the two samples a split needs.
    CannotSplit { samples: usize },
}

/// A request that does not fit the session as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Students swapped before the teacher is trained.
    TeacherNotTrained,
    /// Fresh students asked with settings the teacher depends on.
    OnlyStudentSettings,
    /// An experiment judged before its run is done.
    NotDone {
        experiment: String,
    },
    /// A study judged before every run is done.
    StudyNotDone {
        experiment: String,
    },
    /// A study asked as a preset, or the other way round.
    IsAStudy {
        experiment: String,
    },
    IsAPreset {
        experiment: String,
    },
    /// The omitted-class experiment without a class to omit.
    NoOmittedClass,
    /// A class's bias shifted, for a class that does not exist or by a shift that is not finite.
    BiasShift {
        class: usize,
        shift: f32,
        classes: usize,
    },
    /// A run on a user's CSV file cannot be saved (the file would have to travel with it).
    CsvRunNotSaved,
    /// A run of the language task, as a session: its text would have to travel with it.
    TextRunNotSaved,
    /// A run file of the language task, as a session (`kd sample` writes with its networks).
    TextRunNotLoaded,
    /// A name the page sent that the engine does not know (`what`: split, model, experiment,
    /// data set, view).
    UnknownName {
        what: &'static str,
        got: String,
    },
    /// The page sent something that is not what the call takes.
    BadArgument {
        what: &'static str,
        detail: String,
    },
}

/// Which network a message is about. Written in run files as `teacher`, `teacher-2` (member 2 of
/// an ensemble), `distilled` or `control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Model {
    /// The teacher (or, in an ensemble, all of it).
    Teacher,
    /// Member k (from 1) of an ensemble of teachers.
    Member(usize),
    /// The distilled student.
    Distilled,
    /// The control student.
    Control,
    /// Mutual learning's second peer.
    Peer,
    /// The second peer's twin, trained on the hard labels.
    PeerTwin,
    /// A pruned copy of the teacher, fine-tuned (the compression bench).
    Pruned,
    /// A network of the transfer-learning demonstration (the compression bench).
    Transfer,
}

/// Which number went NaN or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Quantity {
    Loss,
    LossGradient,
    WeightGradients,
    Weights,
}

/// Why training stopped: `model`'s `what` became NaN or infinite at `learning_rate`. Kept with
/// the run (its file too), so that the page can say it again in any language.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Divergence {
    pub model: Model,
    pub what: Quantity,
    pub learning_rate: f32,
}

impl From<Model> for String {
    fn from(model: Model) -> String {
        match model {
            Model::Teacher => "teacher".into(),
            Model::Member(k) => format!("teacher-{k}"),
            Model::Distilled => "distilled".into(),
            Model::Control => "control".into(),
            Model::Peer => "peer".into(),
            Model::PeerTwin => "peer-twin".into(),
            Model::Pruned => "pruned".into(),
            Model::Transfer => "transfer".into(),
        }
    }
}

impl TryFrom<String> for Model {
    type Error = String;
    fn try_from(name: String) -> std::result::Result<Model, String> {
        match name.as_str() {
            "teacher" => Ok(Model::Teacher),
            "distilled" => Ok(Model::Distilled),
            "control" => Ok(Model::Control),
            "peer" => Ok(Model::Peer),
            "peer-twin" => Ok(Model::PeerTwin),
            "pruned" => Ok(Model::Pruned),
            "transfer" => Ok(Model::Transfer),
            other => other
                .strip_prefix("teacher-")
                .and_then(|k| k.parse().ok())
                .map(Model::Member)
                .ok_or_else(|| format!("'{}' is not a network of the run", shortened(other))),
        }
    }
}

impl Model {
    pub fn message(self) -> Message {
        match self {
            Model::Teacher => Message::new("engine.model.teacher"),
            Model::Member(k) => Message::new("engine.model.member").with("k", k),
            Model::Distilled => Message::new("engine.model.distilled"),
            Model::Control => Message::new("engine.model.control"),
            Model::Peer => Message::new("engine.model.peer"),
            Model::PeerTwin => Message::new("engine.model.peerTwin"),
            Model::Pruned => Message::new("engine.model.pruned"),
            Model::Transfer => Message::new("engine.model.transfer"),
        }
    }
}

impl Quantity {
    pub fn message(self) -> Message {
        Message::new(match self {
            Quantity::Loss => "engine.quantity.loss",
            Quantity::LossGradient => "engine.quantity.lossGradient",
            Quantity::WeightGradients => "engine.quantity.weightGradients",
            Quantity::Weights => "engine.quantity.weights",
        })
    }
}

impl Divergence {
    /// "Training stopped: the teacher's loss became NaN or infinite (learning rate 100). The last
    /// good weights are kept. Try a smaller learning rate, e.g. 10."
    pub fn message(&self) -> Message {
        Message::new("engine.diverged")
            .with("model", self.model.message())
            .with("what", self.what.message())
            .with("learningRate", self.learning_rate)
            .with("suggestion", self.learning_rate / 10.0)
    }
}

/// The setting `name` as a message names it: its label when it is a setting, else the name as
/// given.
fn setting_arg(name: &str) -> Arg {
    match crate::settings::spec(name) {
        Some(spec) => Arg::Message(Box::new(Message::new(&format!("setting.{}.label", spec.name)))),
        None => Arg::Text(name.to_string()),
    }
}

impl SettingProblem {
    /// The problem alone, as the page writes it beside the setting's control.
    pub fn message(&self) -> Message {
        match self {
            SettingProblem::Unknown => Message::new("engine.setting.unknown"),
            SettingProblem::NotANumber { text } => {
                Message::new("engine.setting.notANumber").with("text", shortened(text))
            }
            SettingProblem::NotFinite { got } => Message::new("engine.setting.notFinite").with("got", *got),
            SettingProblem::NotWhole { got } => Message::new("engine.setting.notWhole").with("got", *got),
            SettingProblem::OutOfRange { min, max, got } => {
                Message::new("engine.setting.outOfRange").with("min", *min).with("max", *max).with("got", *got)
            }
            SettingProblem::NotAChoice { got, choices } => {
                Message::new("engine.setting.notAChoice").with("got", shortened(got)).with("choices", choices.as_str())
            }
            SettingProblem::NotALayerWidth { text } => {
                Message::new("engine.setting.notALayerWidth").with("text", shortened(text))
            }
            SettingProblem::LayerWidthOutOfRange { min, max, got } => {
                Message::new("engine.setting.layerWidthOutOfRange")
                    .with("min", *min)
                    .with("max", *max)
                    .with("got", *got)
            }
            SettingProblem::TooManyLayers { max, got } => {
                Message::new("engine.setting.tooManyLayers").with("max", *max).with("got", *got)
            }
            SettingProblem::NotLive => Message::new("engine.setting.notLive"),
            SettingProblem::TooManyParameters { parameters, features, classes, limit } => {
                Message::new("engine.setting.tooManyParameters")
                    .with("parameters", *parameters)
                    .with("features", *features)
                    .with("classes", *classes)
                    .with("limit", *limit)
            }
            SettingProblem::TooMuchWork { batch, parameters, max_batch } => Message::new("engine.setting.tooMuchWork")
                .with("batch", *batch)
                .with("parameters", *parameters)
                .with("maxBatch", *max_batch),
            SettingProblem::NeedsOneTeacher { method, teachers } => Message::new("engine.setting.needsOneTeacher")
                .with("method", method.as_str())
                .with("teachers", *teachers),
            SettingProblem::NoSuchHintLayer { layer, layers } => {
                Message::new("engine.setting.noSuchHintLayer").with("layer", *layer).with("layers", *layers)
            }
            SettingProblem::HintLongerThanTraining { hint, epochs } => {
                Message::new("engine.setting.hintLongerThanTraining").with("hint", *hint).with("epochs", *epochs)
            }
            SettingProblem::NeedsHiddenLayer { method, layers } => {
                Message::new("engine.setting.needsHiddenLayer").with("method", method.as_str()).with("layers", *layers)
            }
            SettingProblem::EmbeddingTooSmall { width, least } => {
                Message::new("engine.setting.embeddingTooSmall").with("width", *width).with("least", *least)
            }
            SettingProblem::NoSuchClass { classes } => Message::new("engine.setting.noSuchClass")
                .with("classes", *classes)
                .with("last", classes.saturating_sub(1)),
            SettingProblem::EmptyTransferSet => Message::new("engine.setting.emptyTransferSet"),
        }
    }
}

impl CsvProblem {
    pub fn message(&self, file: &str) -> Message {
        match self {
            CsvProblem::TooLarge { megabytes, limit_megabytes } => Message::new("engine.csv.tooLarge")
                .with("file", file)
                .with("size", format!("{megabytes:.1}"))
                .with("limit", *limit_megabytes),
            CsvProblem::NotUtf8 { line, offset } => {
                Message::new("engine.csv.notUtf8").with("file", file).with("line", *line).with("offset", *offset)
            }
            CsvProblem::Empty => Message::new("engine.csv.empty").with("file", file),
            CsvProblem::HeaderOnly => Message::new("engine.csv.headerOnly").with("file", file),
            CsvProblem::TooManyColumns { line, columns, limit } => Message::new("engine.csv.tooManyColumns")
                .with("line", *line)
                .with("columns", *columns)
                .with("limit", *limit)
                .with("features", limit.saturating_sub(1)),
            CsvProblem::OneColumn { line } => Message::new("engine.csv.oneColumn").with("line", *line),
            CsvProblem::UnclosedQuote { line } => Message::new("engine.csv.unclosedQuote").with("line", *line),
            CsvProblem::TooManyRows { rows, limit } => {
                Message::new("engine.csv.tooManyRows").with("file", file).with("rows", *rows).with("limit", *limit)
            }
            CsvProblem::FieldCount { line, found, expected } => Message::new("engine.csv.fieldCount")
                .with("line", *line)
                .with("found", *found)
                .with("expected", *expected),
            CsvProblem::NotANumber { line, column, text } => Message::new("engine.csv.notANumber")
                .with("line", *line)
                .with("column", *column)
                .with("text", shortened(text)),
            CsvProblem::NotFinite { line, column, text } => Message::new("engine.csv.notFinite")
                .with("line", *line)
                .with("column", *column)
                .with("text", shortened(text)),
            CsvProblem::MissingValue { line, column } => {
                Message::new("engine.csv.missingValue").with("line", *line).with("column", *column)
            }
            CsvProblem::MissingLabel { line, column } => {
                Message::new("engine.csv.missingLabel").with("line", *line).with("column", *column)
            }
            CsvProblem::DuplicateColumn { line, name, first, second } => Message::new("engine.csv.duplicateColumn")
                .with("line", *line)
                .with("name", shortened(name))
                .with("first", *first)
                .with("second", *second),
            CsvProblem::LabelOutOfRange { line, column, label, max } => Message::new("engine.csv.labelOutOfRange")
                .with("line", *line)
                .with("column", *column)
                .with("label", *label as f64)
                .with("max", *max),
            CsvProblem::TooManyClasses { line, column, limit } => Message::new("engine.csv.tooManyClasses")
                .with("line", *line)
                .with("column", *column)
                .with("limit", *limit),
            CsvProblem::OneClass { class } => Message::new("engine.csv.oneClass").with("class", shortened(class)),
        }
    }
}

impl RunFileProblem {
    pub fn message(&self) -> Message {
        let reason = |message: Message| Message::new("engine.run.cannotLoad").with("reason", message);
        reason(match self {
            RunFileProblem::CutShort { line, column } => {
                Message::new("engine.run.cutShort").with("line", *line).with("column", *column)
            }
            RunFileProblem::NotJson { line, column, reason } => Message::new("engine.run.notJson")
                .with("line", *line)
                .with("column", *column)
                .with("reason", reason.as_str()),
            RunFileProblem::NotAnObject => Message::new("engine.run.notAnObject"),
            RunFileProblem::NoFormat => Message::new("engine.run.noFormat").with("format", crate::session::RUN_FORMAT),
            RunFileProblem::OtherFormat { format } => {
                Message::new("engine.run.otherFormat").with("format", shortened(format))
            }
            RunFileProblem::OtherVersion { version, supported } => {
                Message::new("engine.run.otherVersion").with("version", *version).with("supported", *supported as usize)
            }
            RunFileProblem::NoVersion => Message::new("engine.run.noVersion"),
            RunFileProblem::NoWeights => Message::new("engine.run.noWeights"),
            RunFileProblem::NoWeightsFor { model } => {
                Message::new("engine.run.noWeightsFor").with("model", model.message())
            }
            RunFileProblem::MalformedWeights { model, reason } => Message::new("engine.run.malformedWeights")
                .with("model", model.message())
                .with("reason", reason.as_str()),
            RunFileProblem::MalformedOtherTeachers { reason } => {
                Message::new("engine.run.malformedOtherTeachers").with("reason", reason.as_str())
            }
            RunFileProblem::NoField { field } => Message::new("engine.run.noField").with("field", field.as_str()),
            RunFileProblem::MalformedField { field, reason } => {
                Message::new("engine.run.malformedField").with("field", field.as_str()).with("reason", reason.as_str())
            }
            RunFileProblem::InvalidSettings(error) => {
                Message::new("engine.run.invalidSettings").with("problem", error.message())
            }
            RunFileProblem::LayersDiffer { model, found, expected } => Message::new("engine.run.layersDiffer")
                .with("model", model.message())
                .with("found", format!("{found:?}"))
                .with("expected", format!("{expected:?}")),
            RunFileProblem::LayersDoNotChain { model, shapes } => Message::new("engine.run.layersDoNotChain")
                .with("model", model.message())
                .with("shapes", shapes.as_str()),
            RunFileProblem::BiasesDoNotMatch { model } => {
                Message::new("engine.run.biasesDoNotMatch").with("model", model.message())
            }
            RunFileProblem::ActivationDiffers { model, found, expected } => {
                Message::new("engine.run.activationDiffers")
                    .with("model", model.message())
                    .with("found", found.as_str())
                    .with("expected", expected.as_str())
            }
            RunFileProblem::NotFinite { model } => Message::new("engine.run.notFinite").with("model", model.message()),
            RunFileProblem::TeacherCount { found, expected } => {
                Message::new("engine.run.teacherCount").with("found", *found).with("expected", *expected)
            }
            RunFileProblem::EpochBeyond { epoch, limit } => {
                Message::new("engine.run.epochBeyond").with("epoch", *epoch).with("limit", *limit)
            }
            RunFileProblem::NoStudentHistory => Message::new("engine.run.noStudentHistory"),
        })
    }
}

impl DataProblem {
    pub fn message(&self) -> Message {
        match self {
            DataProblem::NotFetched { file } => Message::new("engine.data.notFetched").with("file", file.as_str()),
            DataProblem::NotThisCopy { file, bytes } => {
                Message::new("engine.data.notThisCopy").with("file", file.as_str()).with("bytes", *bytes)
            }
            DataProblem::BuiltIn { dataset } => Message::new("engine.data.builtIn").with("dataset", dataset.as_str()),
            DataProblem::CannotSplit { samples } => Message::new("engine.data.cannotSplit").with("samples", *samples),
        }
    }
}

impl Refusal {
    pub fn message(&self) -> Message {
        match self {
            Refusal::TeacherNotTrained => Message::new("engine.refused.teacherNotTrained"),
            Refusal::OnlyStudentSettings => Message::new("engine.refused.onlyStudentSettings"),
            Refusal::NotDone { experiment } => {
                Message::new("engine.refused.notDone").with("experiment", experiment.as_str())
            }
            Refusal::StudyNotDone { experiment } => {
                Message::new("engine.refused.studyNotDone").with("experiment", experiment.as_str())
            }
            Refusal::IsAStudy { experiment } => {
                Message::new("engine.refused.isAStudy").with("experiment", experiment.as_str())
            }
            Refusal::IsAPreset { experiment } => {
                Message::new("engine.refused.isAPreset").with("experiment", experiment.as_str())
            }
            Refusal::NoOmittedClass => Message::new("engine.refused.noOmittedClass"),
            Refusal::BiasShift { class, shift, classes } => Message::new("engine.refused.biasShift")
                .with("class", *class)
                .with("shift", *shift)
                .with("classes", *classes),
            Refusal::CsvRunNotSaved => Message::new("engine.refused.csvRunNotSaved"),
            Refusal::TextRunNotSaved => Message::new("engine.refused.textRunNotSaved"),
            Refusal::TextRunNotLoaded => Message::new("engine.refused.textRunNotLoaded"),
            Refusal::UnknownName { what, got } => Message::new("engine.refused.unknownName")
                .with("what", Message::new(&format!("engine.name.{what}")))
                .with("got", shortened(got)),
            Refusal::BadArgument { what, detail } => {
                Message::new("engine.refused.badArgument").with("what", *what).with("detail", detail.as_str())
            }
        }
    }
}

impl KdError {
    /// Shorthand for a setting's problem.
    pub fn setting(name: &str, problem: SettingProblem) -> Self {
        KdError::Setting { setting: name.to_string(), problem }
    }

    /// What the error says, as a text of the catalogues with its values.
    pub fn message(&self) -> Message {
        match self {
            KdError::Setting { setting, problem } => {
                Message::new("engine.setting").with("setting", setting_arg(setting)).with("problem", problem.message())
            }
            KdError::Settings(problems) => Message::new("engine.settings").with(
                "list",
                Arg::List(
                    problems
                        .iter()
                        .map(|(setting, problem)| {
                            Message::new("engine.setting")
                                .with("setting", setting_arg(setting))
                                .with("problem", problem.message())
                        })
                        .collect(),
                ),
            ),
            KdError::Csv { file, problem } => problem.message(file),
            KdError::RunFile(problem) => problem.message(),
            KdError::Data(problem) => problem.message(),
            KdError::Text { file, problem } => problem.message(file),
            KdError::NoSuchSample { split, index, len } => Message::new("engine.noSuchSample")
                .with("split", Message::new(&format!("engine.name.{}", split.name())))
                .with("index", *index)
                .with("len", *len),
            KdError::Diverged(divergence) => divergence.message(),
            KdError::Refused(refusal) => refusal.message(),
            KdError::Internal(detail) => Message::new("engine.internal").with("detail", detail.as_str()),
            KdError::Chart(detail) => Message::new("engine.chart").with("detail", detail.as_str()),
            KdError::Bench(problem) => problem.message(),
        }
    }

    /// Every setting's problem in this error (one for [`KdError::Setting`], each of
    /// [`KdError::Settings`], none otherwise), as (setting name, problem).
    pub fn setting_problems(&self) -> Vec<(String, SettingProblem)> {
        match self {
            KdError::Setting { setting, problem } => vec![(setting.clone(), problem.clone())],
            KdError::Settings(problems) => problems.clone(),
            _ => Vec::new(),
        }
    }
}

/// At most 40 characters of a user's text, for messages.
pub fn shortened(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        short.push('…');
    }
    short
}

impl fmt::Display for KdError {
    /// The message in English (in WebAssembly, its key and values: the page renders it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().render_english())
    }
}

impl std::error::Error for KdError {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, KdError>;
