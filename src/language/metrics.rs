//! How well a character model predicts and how varied what it writes is.

use std::collections::HashSet;

use ndarray::ArrayView2;
use serde::Serialize;

use super::corpus::Corpus;
use super::sampling::write;
use crate::error::Result;
use crate::losses::{accuracy, cross_entropy_loss};
use crate::network::Mlp;
use crate::rng::{Rng, Stream};

/// How many lines a model writes to measure the diversity of its writing.
pub const DIVERSITY_LINES: usize = 200;
/// How many of those lines a report shows.
pub const WRITTEN_LINES: usize = 5;

/// Bits per character: the mean cross-entropy of the next symbols `labels` under `logits`
/// (samples, symbols), in bits (a model that knows nothing scores log₂ of the number of symbols).
pub fn bits_per_character(logits: ArrayView2<f32>, labels: &[usize]) -> Result<f64> {
    Ok(f64::from(cross_entropy_loss(logits, labels)?) / std::f64::consts::LN_2)
}

/// Perplexity: 2 to the bits per character, the number of equally likely symbols the model is as
/// unsure as (the number of symbols for a model that knows nothing, 1 for one that is always sure
/// and right).
pub fn perplexity(bits_per_character: f64) -> f64 {
    bits_per_character.exp2()
}

/// Of all the `n`-grams (runs of `n` characters) in `texts`, the fraction that are distinct: 1
/// when nothing repeats, small when a model writes the same few strings again and again.
/// None when the texts hold no `n`-gram.
pub fn distinct_ngrams(texts: &[String], n: usize) -> Option<f64> {
    let mut seen = HashSet::new();
    let mut total = 0usize;
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        for gram in chars.windows(n.max(1)) {
            seen.insert(gram.to_vec());
            total += 1;
        }
    }
    (total > 0).then(|| seen.len() as f64 / total as f64)
}

/// One character model, measured on held-out next characters and by what it writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    pub bits_per_char: f32,
    pub perplexity: f32,
    /// Next-character accuracy: how often its most likely character is the one that comes.
    pub accuracy: f32,
    /// The fraction of distinct 3-grams in the [`DIVERSITY_LINES`] lines it writes from nothing at
    /// sampling temperature 1 (None when they hold no 3-gram).
    pub distinct_trigrams: Option<f32>,
    /// The first [`WRITTEN_LINES`] of those lines.
    pub written: Vec<String>,
}

/// `network` (reading `context` characters of `corpus`) measured on the held-out `features` and
/// next symbols `labels`, and by the lines it writes from the seed's sampling stream.
pub fn score(
    network: &Mlp,
    corpus: &Corpus,
    context: usize,
    (features, labels): (ArrayView2<f32>, &[usize]),
    seed: u64,
) -> Result<Scores> {
    let logits = network.forward(features)?;
    let bits = bits_per_character(logits.view(), labels)?;
    let mut rng = Rng::stream(seed, Stream::Sampling);
    let lines: Vec<String> = (0..DIVERSITY_LINES)
        .map(|_| write(network, corpus, context, &[], 1.0, &mut rng).map(|symbols| corpus.decode(&symbols)))
        .collect::<Result<_>>()?;
    // perplexity from the bits as reported (f32), so that it is 2 to the number shown beside it
    let bits = bits as f32;
    Ok(Scores {
        bits_per_char: bits,
        perplexity: perplexity(f64::from(bits)) as f32,
        accuracy: accuracy(logits.view(), labels),
        distinct_trigrams: distinct_ngrams(&lines, 3).map(|d| d as f32),
        written: lines[..WRITTEN_LINES].to_vec(),
    })
}
