//! A run saved as a plain document (the page exports it as JSON): the settings, where training
//! stood, the metric history and the three networks' weights. Loading it back gives the same
//! settings and the same weights, so the same predictions; training can go on from there with
//! fresh optimiser state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{History, Learner, Phase, Session};
use crate::error::{KdError, Result};
use crate::network::Mlp;
use crate::settings::{Settings, Value};

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
    pub message: Option<String>,
    pub history: History,
    pub weights: SavedWeights,
}

fn run_error(message: impl Into<String>) -> KdError {
    KdError::Data(format!("cannot load this run: {}", message.into()))
}

/// Checks that a loaded network has the shape the settings give it, and finite weights.
fn check_network(name: &str, loaded: &Mlp, expected: &Mlp) -> Result<()> {
    if loaded.sizes() != expected.sizes() {
        return Err(run_error(format!("the {name}'s layers are {:?}, but its settings give {:?}", loaded.sizes(), expected.sizes())));
    }
    let shapes_agree = loaded.layers.iter().all(|l| l.bias.len() == l.weights.ncols());
    if !shapes_agree {
        return Err(run_error(format!("the {name}'s biases do not match its weights")));
    }
    if loaded.activation != expected.activation {
        return Err(run_error(format!("the {name}'s activation is {}, but its settings say {}", loaded.activation.name(), expected.activation.name())));
    }
    if !loaded.is_finite() {
        return Err(run_error(format!("the {name}'s weights contain NaN or infinite values")));
    }
    Ok(())
}

impl Session {
    /// The run as a document. Runs on a user's CSV file are refused for now: the document does
    /// not carry the data, so it could not be loaded back.
    pub fn to_saved(&self) -> Result<SavedRun> {
        if self.data.name == crate::data::DatasetName::Csv {
            return Err(KdError::Data("a run on your own CSV file cannot be saved yet (the file would have to travel with it)".into()));
        }
        Ok(SavedRun {
            format: RUN_FORMAT.to_string(),
            version: RUN_VERSION,
            settings: self.settings.to_values(),
            phase: self.phase,
            epoch: self.epoch,
            steps: self.steps,
            message: self.message.clone(),
            history: self.history.clone(),
            weights: SavedWeights {
                teacher: self.teacher.network.clone(),
                other_teachers: self.other_teachers.iter().map(|t| t.network.clone()).collect(),
                kd_student: self.kd_student.network.clone(),
                control_student: self.control_student.network.clone(),
            },
        })
    }

    /// Rebuilds a run from a document: the data from its settings and seed, the networks from its
    /// weights. Wrong formats, versions, settings or shapes are refused with a message.
    pub fn from_saved(saved: SavedRun) -> Result<Session> {
        if saved.format != RUN_FORMAT {
            return Err(run_error(format!("it is not a KD Playground run (format '{}')", saved.format.chars().take(40).collect::<String>())));
        }
        if saved.version != RUN_VERSION {
            return Err(run_error(format!("it is version {} of the run format; this playground reads version {RUN_VERSION}", saved.version)));
        }
        let settings = Settings::from_values(&saved.settings).map_err(|e| run_error(format!("its settings are invalid: {e}")))?;
        let mut session = Session::new(settings)?;
        let weights = saved.weights;
        check_network("teacher", &weights.teacher, &session.teacher.network)?;
        if weights.other_teachers.len() != session.other_teachers.len() {
            return Err(run_error(format!(
                "it has {} teachers, but its settings say {}",
                weights.other_teachers.len() + 1,
                session.other_teachers.len() + 1
            )));
        }
        for (k, (loaded, expected)) in weights.other_teachers.iter().zip(&session.other_teachers).enumerate() {
            check_network(&format!("teacher {}", k + 2), loaded, &expected.network)?;
        }
        check_network("distilled student", &weights.kd_student, &session.kd_student.network)?;
        check_network("control student", &weights.control_student, &session.control_student.network)?;
        let limit = match saved.phase {
            Phase::Teacher => session.settings.teacher_epochs,
            _ => session.settings.student_epochs,
        };
        if saved.epoch > limit {
            return Err(run_error(format!("it stands at epoch {} of a phase that has {limit}", saved.epoch)));
        }
        session.teacher = Learner::new(weights.teacher, &session.settings);
        session.other_teachers = weights.other_teachers.into_iter().map(|t| Learner::new(t, &session.settings)).collect();
        session.kd_student = Learner::new(weights.kd_student, &session.settings);
        session.control_student = Learner::new(weights.control_student, &session.settings);
        let students_started = saved.phase != Phase::Teacher && !saved.history.students.is_empty();
        if students_started {
            session.teacher_train_logits = Some(session.teacher_train_logits()?);
        }
        session.phase = match saved.phase {
            // A run saved after divergence in the teacher phase has no teacher logits to distil.
            Phase::Diverged if !students_started => Phase::Diverged,
            Phase::Distil | Phase::Done | Phase::Diverged if !students_started => {
                return Err(run_error("it is past the teacher phase but has no student history"));
            }
            phase => phase,
        };
        session.epoch = saved.epoch;
        session.batch = 0;
        session.steps = saved.steps;
        session.message = saved.message;
        session.history = saved.history;
        session.last_batch = None;
        Ok(session)
    }
}
