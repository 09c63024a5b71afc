//! A run saved as a plain document (the page exports it as JSON): the settings, where training
//! stood, the metric history and the three networks' weights. Loading it back gives the same
//! settings and the same weights, so the same predictions; training can go on from there with
//! fresh optimiser state.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{History, Phase, Session, Stopped};
use crate::error::{KdError, Model, Refusal, Result, RunFileProblem};
use crate::learner::Learner;
use crate::network::Mlp;
use crate::settings::{Settings, Value};
use crate::teacher::Teacher;

/// The `format` field of every saved run.
pub const RUN_FORMAT: &str = "kd-playground-run";
/// The version this build writes and reads.
pub const RUN_VERSION: u32 = 1;

/// The networks' weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedWeights {
    /// The teacher, or the first member of an ensemble.
    pub teacher: Mlp,
    /// An ensemble's other members, in order (absent for a single teacher).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_teachers: Vec<Mlp>,
    pub kd_student: Mlp,
    pub control_student: Mlp,
    /// The networks the method adds, in order: FitNets' regressor, or BYOT's two early exits
    /// (the distilled student's, the control's), or mutual learning's second peer and its twin
    /// (absent for the other methods).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heads: Vec<Mlp>,
}

/// A run of the language task: its text's name and characters (the symbols after the line's end,
/// in order), what `kd sample` needs to write with its networks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedText {
    pub name: String,
    pub characters: String,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedRun {
    pub format: String,
    pub version: u32,
    pub settings: BTreeMap<String, Value>,
    pub phase: Phase,
    /// Completed epochs of the phase.
    pub epoch: usize,
    pub steps: u64,
    /// Why training stopped early (null when it did not).
    pub message: Option<Stopped>,
    pub history: History,
    pub weights: SavedWeights,
    /// The language task's text (absent for every other run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<SavedText>,
}

/// A parsed run document, read field by field so that a fault is named where it is: JSON natively
/// ([`serde_json::Value`]); in the page, the object `JSON.parse` made (src/web/, which spares the
/// WebAssembly module a JSON parser of its own).
pub trait RunDocument: Sized {
    /// Field `key`, if this is an object that has it.
    fn field(&self, key: &str) -> Option<Self>;
    fn is_object(&self) -> bool;
    fn as_text(&self) -> Option<String>;
    fn as_whole_number(&self) -> Option<u64>;
    /// The value as a `T`, or serde's message saying why not.
    fn decode<T: DeserializeOwned>(&self) -> std::result::Result<T, String>;
    /// A missing value, decoded as null (for the optional `message`).
    fn decode_null<T: DeserializeOwned>() -> std::result::Result<T, String>;
}

impl RunDocument for serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key).cloned()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn as_text(&self) -> Option<String> {
        self.as_str().map(str::to_string)
    }
    fn as_whole_number(&self) -> Option<u64> {
        self.as_u64()
    }
    fn decode<T: DeserializeOwned>(&self) -> std::result::Result<T, String> {
        T::deserialize(self).map_err(|e| json_reason(&e))
    }
    fn decode_null<T: DeserializeOwned>() -> std::result::Result<T, String> {
        T::deserialize(serde_json::Value::Null).map_err(|e| json_reason(&e))
    }
}

impl SavedRun {
    /// A run file's text as a run, with a message that says what is wrong with it: not JSON (or
    /// cut short), or any fault [`SavedRun::from_document`] names. [`Session::from_saved`] then
    /// checks the settings and that every network has the shape they give it.
    pub fn from_json(text: &str) -> Result<SavedRun> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Eof => {
                run_error(RunFileProblem::CutShort { line: e.line(), column: e.column() })
            }
            _ => run_error(RunFileProblem::NotJson { line: e.line(), column: e.column(), reason: json_reason(&e) }),
        })?;
        SavedRun::from_document(&value)
    }

    /// A parsed run document as a run: refused, with the reason, if it is not a KD Playground run,
    /// is another version of the format, or has a field of the wrong type or shape (named).
    pub fn from_document<D: RunDocument>(document: &D) -> Result<SavedRun> {
        if !document.is_object() {
            return Err(run_error(RunFileProblem::NotAnObject));
        }
        match document.field("format").and_then(|f| f.as_text()) {
            Some(format) if format == RUN_FORMAT => {}
            Some(other) => return Err(run_error(RunFileProblem::OtherFormat { format: other })),
            None => return Err(run_error(RunFileProblem::NoFormat)),
        }
        match document.field("version").and_then(|v| v.as_whole_number()) {
            Some(version) if version == RUN_VERSION as u64 => {}
            Some(version) => return Err(run_error(RunFileProblem::OtherVersion { version, supported: RUN_VERSION })),
            None => return Err(run_error(RunFileProblem::NoVersion)),
        }
        let weights =
            document.field("weights").filter(D::is_object).ok_or_else(|| run_error(RunFileProblem::NoWeights))?;
        let network = |key: &str, model: Model| -> Result<Mlp> {
            let value = weights.field(key).ok_or_else(|| run_error(RunFileProblem::NoWeightsFor { model }))?;
            value.decode().map_err(|reason| run_error(RunFileProblem::MalformedWeights { model, reason }))
        };
        let other_teachers = match weights.field("otherTeachers") {
            None => Vec::new(),
            Some(value) => {
                value.decode().map_err(|reason| run_error(RunFileProblem::MalformedOtherTeachers { reason }))?
            }
        };
        let heads = match weights.field("heads") {
            None => Vec::new(),
            Some(value) => value.decode().map_err(|reason| {
                run_error(RunFileProblem::MalformedField { field: "weights.heads".into(), reason })
            })?,
        };
        Ok(SavedRun {
            format: RUN_FORMAT.to_string(),
            version: RUN_VERSION,
            settings: field(document, "settings")?,
            phase: field(document, "phase")?,
            epoch: field(document, "epoch")?,
            steps: field(document, "steps")?,
            message: field(document, "message")?,
            history: field(document, "history")?,
            weights: SavedWeights {
                teacher: network("teacher", Model::Teacher)?,
                other_teachers,
                kd_student: network("kdStudent", Model::Distilled)?,
                control_student: network("controlStudent", Model::Control)?,
                heads,
            },
            text: match document.field("text") {
                None => None,
                Some(value) => Some(
                    value
                        .decode()
                        .map_err(|reason| run_error(RunFileProblem::MalformedField { field: "text".into(), reason }))?,
                ),
            },
        })
    }

    /// The run file's text (compact JSON; numbers are the shortest decimals that give back the
    /// same f32 or f64).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| KdError::Internal(format!("cannot write the run: {e}")))
    }
}

/// Field `key` of a run document, or a message naming it.
fn field<D: RunDocument, T: DeserializeOwned>(document: &D, key: &str) -> Result<T> {
    match document.field(key) {
        // `message` is the only optional field: null when the run has nothing to say.
        None if key == "message" => {
            D::decode_null().map_err(|_| run_error(RunFileProblem::NoField { field: key.into() }))
        }
        None => Err(run_error(RunFileProblem::NoField { field: key.into() })),
        Some(value) => {
            value.decode().map_err(|reason| run_error(RunFileProblem::MalformedField { field: key.into(), reason }))
        }
    }
}

/// serde_json's message without its " at line L column C" suffix (said separately, or meaningless
/// for a parsed value).
fn json_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn run_error(problem: RunFileProblem) -> KdError {
    KdError::RunFile(problem)
}

/// Checks that a loaded network has the shape the settings give it, and finite weights.
fn check_network(model: Model, loaded: &Mlp, expected: &Mlp) -> Result<()> {
    if loaded.sizes() != expected.sizes() {
        return Err(run_error(RunFileProblem::LayersDiffer {
            model,
            found: loaded.sizes(),
            expected: expected.sizes(),
        }));
    }
    // Sizes are read from the first layer's rows and every layer's columns; the other rows must
    // chain too (found by fuzzing: a second layer of 2 rows after a first of 3 columns).
    let chained = loaded.layers.iter().zip(&expected.layers).all(|(l, e)| l.weights.dim() == e.weights.dim());
    if !chained {
        let shapes: Vec<String> =
            loaded.layers.iter().map(|l| format!("{}×{}", l.weights.nrows(), l.weights.ncols())).collect();
        return Err(run_error(RunFileProblem::LayersDoNotChain { model, shapes: shapes.join(", ") }));
    }
    let shapes_agree = loaded.layers.iter().all(|l| l.bias.len() == l.weights.ncols());
    if !shapes_agree {
        return Err(run_error(RunFileProblem::BiasesDoNotMatch { model }));
    }
    if loaded.activation != expected.activation {
        return Err(run_error(RunFileProblem::ActivationDiffers {
            model,
            found: loaded.activation.name().into(),
            expected: expected.activation.name().into(),
        }));
    }
    if !loaded.is_finite() {
        return Err(run_error(RunFileProblem::NotFinite { model }));
    }
    Ok(())
}

impl Session {
    /// The run as a document. Runs on a user's CSV file are refused for now: the document does
    /// not carry the data, so it could not be loaded back.
    pub fn to_saved(&self) -> Result<SavedRun> {
        if self.data.name == crate::data::DatasetName::Csv {
            return Err(KdError::Refused(Refusal::CsvRunNotSaved));
        }
        if self.data.name == crate::data::DatasetName::Text {
            return Err(KdError::Refused(Refusal::TextRunNotSaved));
        }
        Ok(self.document())
    }

    /// A run of the language task as a document, with `text` (its text's name and characters):
    /// `kd sample` writes with its networks; it cannot be loaded back as a session yet.
    pub fn to_saved_text(&self, text: SavedText) -> Result<SavedRun> {
        if self.data.name != crate::data::DatasetName::Text {
            return Err(KdError::Internal("a text for a run that is not of the language task".into()));
        }
        Ok(SavedRun { text: Some(text), ..self.document() })
    }

    fn document(&self) -> SavedRun {
        SavedRun {
            format: RUN_FORMAT.to_string(),
            version: RUN_VERSION,
            settings: self.settings.to_values(),
            phase: self.phase,
            epoch: self.epoch,
            steps: self.steps,
            message: self.stopped.clone(),
            history: self.history.clone(),
            weights: SavedWeights {
                teacher: self.teacher.first().clone(),
                other_teachers: self.teacher.networks().skip(1).cloned().collect(),
                kd_student: self.students.distilled.network().clone(),
                control_student: self.students.control.network().clone(),
                heads: self.students.extra_networks(),
            },
            text: None,
        }
    }

    /// Rebuilds a run from a document: the data from its settings and seed, the networks from its
    /// weights. Wrong formats, versions, settings or shapes are refused with a message.
    pub fn from_saved(saved: SavedRun) -> Result<Session> {
        if saved.format != RUN_FORMAT {
            return Err(run_error(RunFileProblem::OtherFormat { format: saved.format }));
        }
        if saved.version != RUN_VERSION {
            return Err(run_error(RunFileProblem::OtherVersion {
                version: saved.version.into(),
                supported: RUN_VERSION,
            }));
        }
        let settings = Settings::from_values(&saved.settings)
            .map_err(|e| run_error(RunFileProblem::InvalidSettings(Box::new(e))))?;
        if saved.text.is_some() || settings.task == crate::language::Task::Chars {
            return Err(KdError::Refused(Refusal::TextRunNotLoaded));
        }
        let mut session = Session::new(settings)?;
        let weights = saved.weights;
        check_network(Model::Teacher, &weights.teacher, session.teacher.first())?;
        let members = session.teacher.networks().count();
        if weights.other_teachers.len() + 1 != members {
            return Err(run_error(RunFileProblem::TeacherCount {
                found: weights.other_teachers.len() + 1,
                expected: members,
            }));
        }
        for (k, (loaded, expected)) in weights.other_teachers.iter().zip(session.teacher.networks().skip(1)).enumerate()
        {
            check_network(Model::Member(k + 2), loaded, expected)?;
        }
        check_network(Model::Distilled, &weights.kd_student, session.students.distilled.network())?;
        check_network(Model::Control, &weights.control_student, session.students.control.network())?;
        let limit = match saved.phase {
            Phase::Teacher => session.settings.teacher_epochs,
            _ => session.settings.student_epochs,
        };
        if saved.epoch > limit {
            return Err(run_error(RunFileProblem::EpochBeyond { epoch: saved.epoch, limit }));
        }
        let s = &session.settings;
        let teachers = std::iter::once(weights.teacher).chain(weights.other_teachers).collect();
        session.teacher = Teacher::new(teachers, s.optimizer, s.learning_rate, s.batch_size);
        session.students.distilled =
            Learner::new(weights.kd_student, Model::Distilled, s.optimizer, s.learning_rate, s.batch_size);
        session.students.control =
            Learner::new(weights.control_student, Model::Control, s.optimizer, s.learning_rate, s.batch_size);
        let settings = session.settings.clone();
        session.students.set_extra_networks(weights.heads, &settings, check_network)?;
        let students_started = saved.phase != Phase::Teacher && !saved.history.students.is_empty();
        if students_started && session.settings.method.needs_teacher() {
            let soft_targets = session.teacher.soft_targets(&session.data.train)?;
            session.freeze_teacher(soft_targets)?;
        }
        session.phase = match saved.phase {
            // A run saved after divergence in the teacher phase has no teacher logits to distil.
            Phase::Diverged if !students_started => Phase::Diverged,
            Phase::Distil | Phase::Done | Phase::Diverged if !students_started => {
                return Err(run_error(RunFileProblem::NoStudentHistory));
            }
            phase => phase,
        };
        session.epoch = saved.epoch;
        session.batch = 0;
        session.steps = saved.steps;
        session.stopped = saved.message;
        session.history = saved.history;
        session.last_batch = None;
        Ok(session)
    }
}
