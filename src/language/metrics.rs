//! How well a character model predicts and how varied what it writes is.

use std::collections::HashSet;

use ndarray::ArrayView2;

use crate::error::Result;
use crate::losses::cross_entropy;

/// Bits per character: the mean cross-entropy of the next symbols `labels` under `logits`
/// (samples, symbols), in bits (a model that knows nothing scores log₂ of the number of symbols).
pub fn bits_per_character(logits: ArrayView2<f32>, labels: &[usize]) -> Result<f64> {
    Ok(f64::from(cross_entropy(logits, labels)?.loss) / std::f64::consts::LN_2)
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
