//! Deep mutual learning (Zhang, Xiang, Hospedales & Lu 2018): online distillation, no trained
//! teacher. Two students start from different weights and train together on the same batches;
//! each learns from the hard labels and from the other's current soft labels, which are
//! constants for it (no gradient flows into the peer):
//!
//! ```text
//! L_1 = α · T² · KL(p_2 ‖ p_1) + (1 − α) · CE(y, softmax(z_1))      p_k = softmax(z_k / T)
//! L_2 = α · T² · KL(p_1 ‖ p_2) + (1 − α) · CE(y, softmax(z_2))
//! ```
//!
//! (the paper's is T = 1 and equal weights; the playground keeps its T and α, and the KL direction
//! of the setting `klDirection`). Both peers' gradients are taken at the same weights, then both
//! update — a simultaneous version of the paper's alternating steps. Each peer is compared with
//! its *twin*: a network from the same initial weights, trained on the same batches from the hard
//! labels alone; the first peer is the distilled student, its twin the control. The loss is
//! [`super::SoftLabels`]'s (or [`super::ReverseKl`]'s) with the peer's logits as the teacher's;
//! the session's `students` module runs the step.

/// The seed offset of the second peer's initial weights: it starts where a student of seed + 1
/// would ([`crate::rng::Stream::PeerInit`]).
pub const SECOND_PEER: u64 = 1;
