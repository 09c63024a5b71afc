//! The crate's one error type. Its messages are written for the learner: they name the setting or
//! the input, the offending value and the limit, and they are shown as they are in the page.

use std::fmt;

/// Everything that can go wrong in the engine. No engine path panics on user input; it returns one
/// of these instead (a panic in WebAssembly would kill the page).
#[derive(Debug, Clone, PartialEq)]
pub enum KdError {
    /// A setting is out of range or malformed; `name` is the setting's name as the page knows it.
    InvalidSetting { name: String, message: String },
    /// Several settings are invalid at once.
    InvalidSettings(Vec<KdError>),
    /// A data set could not be built or parsed.
    Data(String),
    /// A sample index or split that does not exist.
    NoSuchSample { split: String, index: usize, len: usize },
    /// A shape mismatch between arrays that should agree (a bug or corrupt input, never a panic).
    Shape(String),
    /// Training produced a NaN or infinite loss or gradient.
    Diverged(String),
    /// Drawing a chart failed.
    Chart(String),
}

impl KdError {
    /// Shorthand for an invalid setting.
    pub fn setting(name: &str, message: impl Into<String>) -> Self {
        KdError::InvalidSetting { name: name.to_string(), message: message.into() }
    }
}

impl fmt::Display for KdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KdError::InvalidSetting { name, message } => write!(f, "{name}: {message}"),
            KdError::InvalidSettings(errors) => {
                let parts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                write!(f, "{}", parts.join("; "))
            }
            KdError::Data(message) => write!(f, "data: {message}"),
            KdError::NoSuchSample { split, index, len } => {
                write!(f, "there is no {split} sample {index} (the {split} split has {len})")
            }
            KdError::Shape(message) => write!(f, "shape mismatch: {message}"),
            KdError::Diverged(message) => write!(f, "{message}"),
            KdError::Chart(message) => write!(f, "chart: {message}"),
        }
    }
}

impl std::error::Error for KdError {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, KdError>;
