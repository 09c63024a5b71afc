//! Writing with a character model: from a prompt, each next symbol is drawn from the model's
//! softmax at the sampling temperature (T's second meaning: at 1 the model's own distribution,
//! below 1 more of its favourite, above 1 more surprising; at 0 always its first choice) until it
//! ends the line. Every draw comes from the seeded generator.

use ndarray::Array2;

use super::corpus::{Corpus, BOUNDARY};
use crate::error::{KdError, Result};
use crate::losses::softmax;
use crate::network::Mlp;
use crate::rng::Rng;

/// The longest text a model writes after its prompt, in characters.
pub const MAX_WRITTEN: usize = 64;

/// The one-hot input of `network` for the `context` symbols before the end of `so_far` (the
/// boundary before a line's start).
fn input(corpus: &Corpus, so_far: &[usize], context: usize) -> Array2<f32> {
    let v = corpus.len();
    let mut x = Array2::zeros((1, context * v));
    for k in 0..context {
        let back = context - k;
        let symbol = if so_far.len() >= back { so_far[so_far.len() - back] } else { 0 };
        x[[0, k * v + symbol]] = 1.0;
    }
    x
}

/// The probability of each symbol coming next after `prompt` (symbol indices), at `temperature`.
pub fn next_symbol(
    network: &Mlp,
    corpus: &Corpus,
    context: usize,
    prompt: &[usize],
    temperature: f32,
) -> Result<Vec<f32>> {
    let logits = network.forward(input(corpus, prompt, context).view())?;
    if logits.ncols() != corpus.len() {
        return Err(KdError::Internal(format!("a model of {} classes for {} symbols", logits.ncols(), corpus.len())));
    }
    Ok(softmax(logits.view(), temperature.max(f32::MIN_POSITIVE)).row(0).to_vec())
}

/// The first symbol whose cumulative probability passes `u` (in [0, 1)); the last with any
/// probability when rounding leaves `u` beyond the total.
fn draw(probabilities: &[f32], u: f64) -> usize {
    let mut total = 0.0f64;
    let mut last = 0;
    for (symbol, &p) in probabilities.iter().enumerate() {
        if p > 0.0 {
            last = symbol;
        }
        total += f64::from(p);
        if u < total {
            return symbol;
        }
    }
    last
}

/// `count` lines `network` writes from nothing at sampling temperature `temperature`, drawn with
/// `rng`: a text the teacher wrote, for sequence-level distillation.
pub fn write_lines(
    network: &Mlp,
    corpus: &Corpus,
    context: usize,
    count: usize,
    temperature: f32,
    rng: &mut Rng,
) -> Result<Vec<Vec<usize>>> {
    (0..count).map(|_| write(network, corpus, context, &[], temperature, rng)).collect()
}

/// The rest of the line `network` writes after `prompt`: each symbol drawn at `temperature`
/// (0: the most likely one) with `rng`, until the boundary or [`MAX_WRITTEN`] characters.
pub fn write(
    network: &Mlp,
    corpus: &Corpus,
    context: usize,
    prompt: &[usize],
    temperature: f32,
    rng: &mut Rng,
) -> Result<Vec<usize>> {
    let mut text = prompt.to_vec();
    let mut written = Vec::new();
    while written.len() < MAX_WRITTEN {
        let symbol = if temperature <= 0.0 {
            let logits = network.forward(input(corpus, &text, context).view())?;
            crate::losses::argmax_rows(logits.view()).first().copied().unwrap_or(0)
        } else {
            draw(&next_symbol(network, corpus, context, &text, temperature)?, rng.next_f64())
        };
        if corpus.symbols.get(symbol) == Some(&BOUNDARY) {
            break;
        }
        written.push(symbol);
        text.push(symbol);
    }
    Ok(written)
}
