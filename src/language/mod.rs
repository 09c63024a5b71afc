//! Distilling a language model in miniature: a character model in the style of Bengio et al.
//! (2003) is the playground's MLP on a text. Its input is the previous `context` characters,
//! each one-hot (the first layer is their embedding, one per position), and its softmax over the
//! symbols is the next character's distribution: after "th" the teacher may say e 0.62, a 0.14,
//! i 0.09, … where the hard label says only "e". That distribution *is* a soft label, so the
//! session distils such a model with the same loss, T and α as any other.
//!
//! [`corpus`] reads a text and makes the next-character task; [`sampling`] writes text with a
//! model (the sampling temperature: T's second meaning); [`metrics`] measures it: bits per
//! character, perplexity, and the diversity of what a model writes; [`view`] is what the learner
//! reads after a prompt: each model's next-character bars.

pub mod corpus;
pub mod metrics;
pub mod sampling;
pub mod view;

pub use corpus::{Corpus, BOUNDARY, MAX_CONTEXT, MAX_SYMBOLS, MAX_TEXT_BYTES};

use serde::{Deserialize, Serialize};

/// What the networks learn (the setting `task`): a data set's classes, or a text's next
/// character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Task {
    Classify,
    Chars,
}

crate::settings::choices!(Task { Classify => "classify", Chars => "chars" });

/// What the students of the language task learn from (the setting `studentText`): the training
/// lines, or as many lines as those written by the trained teacher at sampling temperature 1, from
/// the seed: sequence-level distillation (Kim & Rush 2016), where a student imitates what the
/// teacher writes rather than its distribution at each character (word-level distillation, the
/// soft term); with α > 0 it does both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StudentText {
    Real,
    Teacher,
}

crate::settings::choices!(StudentText { Real => "real", Teacher => "teacher" });
