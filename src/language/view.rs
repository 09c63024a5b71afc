//! What the learner reads about the three character models after a prompt: each one's
//! next-character distribution at T = 1 and at the distillation T, over the same few characters
//! (the teacher's most likely ones at T = 1) and "other" for the rest of the mass.

use serde::Serialize;

use super::corpus::Corpus;
use super::sampling::next_symbol;
use crate::error::Result;
use crate::network::Mlp;

/// One model's bars: the probability of each shown character, then of all the others together.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bars {
    /// At T = 1: the model's own prediction.
    pub at_one: Vec<f32>,
    /// At the distillation T: the soft label (the teacher's) or what is matched to it.
    pub at_t: Vec<f32>,
    /// The model's entropy at T = 1, in bits.
    pub entropy_bits: f32,
}

/// The next character after a prompt, as the three models see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextCharacters {
    /// The characters the models read: the last `context` of the prompt, the start of the line
    /// shown as ⏎ where the prompt is shorter.
    pub read: Vec<String>,
    /// The shown characters, most likely first by the teacher at T = 1 (⏎: the line ends).
    pub symbols: Vec<String>,
    pub temperature: f32,
    pub teacher: Bars,
    pub kd: Bars,
    pub control: Bars,
}

/// The probabilities of `shown`, then the rest of the mass ("other"; never below 0).
fn bars_of(probabilities: &[f32], shown: &[usize]) -> Vec<f32> {
    let mut bars: Vec<f32> = shown.iter().map(|&s| probabilities[s]).collect();
    let total: f64 = bars.iter().map(|&p| f64::from(p)).sum();
    bars.push((1.0 - total).max(0.0) as f32);
    bars
}

fn entropy_bits(probabilities: &[f32]) -> f32 {
    let nats: f64 = probabilities.iter().filter(|&&p| p > 0.0).map(|&p| -f64::from(p) * f64::from(p).ln()).sum();
    (nats / std::f64::consts::LN_2) as f32
}

/// The next character after `prompt` (already checked against the alphabet by
/// [`Corpus::encode`]) for the teacher, the distilled student and the control, with the `top`
/// characters the teacher finds most likely at T = 1 shown one by one.
pub fn next_characters(
    [teacher, kd, control]: [&Mlp; 3],
    corpus: &Corpus,
    context: usize,
    prompt: &[usize],
    temperature: f32,
    top: usize,
) -> Result<NextCharacters> {
    let at = |network: &Mlp, t: f32| next_symbol(network, corpus, context, prompt, t);
    let teacher_one = at(teacher, 1.0)?;
    let mut order: Vec<usize> = (0..teacher_one.len()).collect();
    // most likely first; ties in alphabet order, so the same numbers give the same bars
    order.sort_by(|&a, &b| teacher_one[b].total_cmp(&teacher_one[a]).then(a.cmp(&b)));
    order.truncate(top.min(order.len()));
    let bars = |network: &Mlp, one: Vec<f32>| -> Result<Bars> {
        Ok(Bars {
            at_one: bars_of(&one, &order),
            at_t: bars_of(&at(network, temperature)?, &order),
            entropy_bits: entropy_bits(&one),
        })
    };
    let read = (0..context)
        .map(|k| {
            let back = context - k;
            if prompt.len() >= back {
                corpus.symbol_name(prompt[prompt.len() - back])
            } else {
                corpus.symbol_name(0)
            }
        })
        .collect();
    Ok(NextCharacters {
        read,
        symbols: order.iter().map(|&s| corpus.symbol_name(s)).collect(),
        temperature,
        teacher: bars(teacher, teacher_one.clone())?,
        kd: bars(kd, at(kd, 1.0)?)?,
        control: bars(control, at(control, 1.0)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_holds_the_rest_and_never_goes_below_zero() {
        assert_eq!(bars_of(&[0.5, 0.25, 0.25], &[0]), vec![0.5, 0.5]);
        assert_eq!(bars_of(&[0.6, 0.41], &[0, 1]), vec![0.6, 0.41, 0.0]);
        assert!((entropy_bits(&[0.5, 0.5]) - 1.0).abs() < 1e-6);
        assert_eq!(entropy_bits(&[1.0, 0.0]), 0.0);
    }
}
