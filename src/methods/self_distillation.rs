//! Be your own teacher (Zhang et al. 2019): self-distillation, no separate teacher. The student
//! gets a second, *early-exit* classifier after its first hidden layer; its own final head
//! teaches it:
//!
//! ```text
//! final head:  L_final = CE(y, softmax(z_final))
//! early exit:  L_exit  = α · T² · KL(p_final ‖ p_exit) + (1 − α) · CE(y, softmax(z_exit))     p = softmax(z / T)
//! the student minimises L_final + L_exit; p_final is a constant for the exit's term
//! ```
//!
//! The exit's gradient flows into the first hidden layer, which both heads share. The control is
//! the same network with the same exit, from the same weights, whose exit learns from the hard
//! labels alone (α = 0): the difference between the two exits is what self-distillation did. (The
//! paper also adds a feature hint between each exit and the deepest layer; this is the soft-label
//! part only.)

/// The hidden layer (from 1) the early exit reads.
pub const EXIT_LAYER: usize = 1;
