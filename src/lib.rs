//! # KD Playground
//!
//! Knowledge distillation (Hinton, Vinyals & Dean, 2015) in miniature: a large *teacher* MLP is
//! trained on a data set, then a small *student* learns from the teacher's softened outputs
//! (soft labels) and from the true (hard) labels:
//!
//! ```text
//! L = α · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α) · CE(y, softmax(z_s))
//! ```
//!
//! A *control* student of the same architecture, from the same initial weights and with the same
//! batch order, trains on hard labels only, so any difference is due to distillation alone.
//!
//! The modules follow the concepts:
//!
//! - [`rng`]: the one seeded random-number generator behind every random draw;
//! - [`data`]: the data sets (generated 2-D sets and the real digits and iris), split and standardised;
//! - [`network`]: the MLP, its layers and activations, forward and backward by hand;
//! - [`losses`]: softmax with temperature, cross-entropy, KL and the distillation loss with gradients;
//! - [`optimizer`]: SGD with momentum and Adam;
//! - [`settings`]: every setting the page can change, declared once, and their validation;
//! - [`methods`]: the map of distillation, one method per file (response-, feature- and
//!   relation-based; offline, online, self-distillation; the dark-knowledge controls);
//! - [`learner`], [`teacher`]: a network in training with its divergence guard; the teacher;
//! - [`session`]: the training session (teacher, distilled student, control student, and the
//!   networks a method adds);
//! - [`compression`]: what sets distillation apart, measured: pruning, int8 quantization and
//!   transfer learning beside the distilled student on one teacher (the compression bench);
//! - [`fidelity`]: beside accuracy, calibration (ECE), entropy and linear CKA;
//! - [`dark_knowledge`]: what soft labels carry: temperature sweeps, entropy, per-class gradients,
//!   the teacher's class-similarity matrix;
//! - [`language`]: a language model distilled in miniature: a character model on a text, its
//!   next character as the soft label, what it writes at a sampling temperature, bits per character;
//! - [`experiments`]: Hinton's experiments in miniature: presets that judge their own runs, and
//!   studies of several runs;
//! - [`benchmark`]: the reference workload of the speed benchmark (`cargo xtask bench`);
//! - [`charts`]: drawing with plotters onto any drawing area (the browser hands it canvases);
//! - `web` (wasm32 only): the JavaScript boundary.
//!
//! Everything but `web` and the canvas part of `charts` knows nothing of the browser and is tested
//! natively with `cargo test`.

pub mod benchmark;
pub mod charts;
pub mod compression;
pub mod dark_knowledge;
pub mod data;
pub mod error;
pub mod experiments;
pub mod fidelity;
pub mod language;
pub mod learner;
pub mod losses;
pub mod math;
pub mod matmul;
pub mod methods;
pub mod network;
pub mod optimizer;
pub mod rng;
pub mod session;
pub mod settings;
pub mod teacher;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::KdError;
