//! The language task at the JavaScript boundary: a run on the built-in first names or the
//! learner's text, the next-character bars after a prompt, what each model writes, and the
//! models measured on the test lines (`www/language.js` is the page).

use std::collections::BTreeMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{bad_argument, js_error, settings_values, to_js, values_object, JsResult, Playground};
use crate::data::{DatasetName, Holdout};
use crate::error::KdError;
use crate::language::metrics::{score, Scores, DIVERSITY_LINES};
use crate::language::sampling::{write, MAX_WRITTEN};
use crate::language::view::next_characters;
use crate::language::{Corpus, MAX_CONTEXT, MAX_TEXT_BYTES};
use crate::rng::{Rng, Stream};
use crate::session::{ModelKind, Session};
use crate::settings::{self, Settings, Value};

/// The most characters the next-character bars show one by one (the rest is "other").
const MAX_BARS: u32 = 12;
/// The most lines one call writes per model.
const MAX_LINES: u32 = 20;

/// The three models in the order the page shows them.
const MODELS: [ModelKind; 3] = [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control];

/// What a corpus is, for the page's header and its limits.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TextInfo {
    name: String,
    /// The characters the models know, in code-point order (the end of a line not among them).
    alphabet: String,
    /// The models' classes: the characters and the end of a line.
    symbols: usize,
    context: usize,
    train_lines: usize,
    validation_lines: usize,
    test_lines: usize,
    /// Bits per character of a model that knows nothing: log₂ of the number of symbols.
    untrained_bits: f64,
    /// Which lines the curves are measured on: "validation" or "test".
    held_out: &'static str,
}

/// The limits the page checks before it asks.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TextLimits {
    max_bytes: u64,
    max_context: usize,
    max_prompt: usize,
    max_bars: u32,
    max_lines: u32,
    /// How many lines a model writes for the diversity score of `textScores`.
    diversity_lines: usize,
}

/// The limits of a text, a context, a prompt and of what one call returns.
#[wasm_bindgen(js_name = textLimits)]
pub fn text_limits() -> JsResult<JsValue> {
    to_js(&TextLimits {
        max_bytes: MAX_TEXT_BYTES,
        max_context: MAX_CONTEXT,
        max_prompt: MAX_WRITTEN,
        max_bars: MAX_BARS,
        max_lines: MAX_LINES,
        diversity_lines: DIVERSITY_LINES,
    })
}

/// The settings of the language task that differ from the others' (the models' sizes, the rate,
/// the epochs, T) and the characters read, with the curves measured on the validation lines: the
/// page's starting point.
#[wasm_bindgen(js_name = textDefaults)]
pub fn text_defaults() -> JsResult<JsValue> {
    let mut values = settings::dataset_defaults(DatasetName::Text);
    values.push(("holdout", "validation"));
    // the page shows this setting, which the playground's settings do not
    values.extend(settings::spec("context").map(|spec| ("context", spec.default)));
    to_js(&values_object(values))
}

/// The lines each model wrote, in the page's order.
#[derive(Serialize)]
struct Written {
    teacher: Vec<String>,
    kd: Vec<String>,
    control: Vec<String>,
}

#[derive(Serialize)]
struct AllScores {
    teacher: Scores,
    kd: Scores,
    control: Scores,
}

/// The settings of a language run: `task` is always `chars`.
fn text_settings(settings: JsValue) -> JsResult<Settings> {
    let mut values: BTreeMap<String, Value> = settings_values(settings)?;
    values.insert("task".into(), Value::Text("chars".into()));
    Settings::from_values(&values).map_err(js_error)
}

impl Playground {
    fn of_text(settings: Settings, corpus: Corpus) -> JsResult<Playground> {
        let data = corpus.dataset(settings.context, settings.holdout).map_err(js_error)?;
        let mut playground = Playground::of(Session::with_data(settings, data).map_err(js_error)?);
        playground.corpus = Some(corpus);
        Ok(playground)
    }

    fn corpus(&self) -> JsResult<&Corpus> {
        self.corpus.as_ref().ok_or_else(|| bad_argument("run", "this run is not of the language task"))
    }

    fn networks(&self) -> [&crate::network::Mlp; 3] {
        MODELS.map(|which| self.session.model(which))
    }
}

#[wasm_bindgen]
impl Playground {
    /// A run of the language task on the built-in first names (split with the seed).
    #[wasm_bindgen(js_name = onNames)]
    pub fn on_names(settings: JsValue) -> JsResult<Playground> {
        let settings = text_settings(settings)?;
        let corpus = Corpus::names(settings.seed).map_err(js_error)?;
        Playground::of_text(settings, corpus)
    }

    /// A run of the language task on the learner's text (`bytes`, named `file_name` in
    /// messages): refused with a message when it is too large, empty, binary or not UTF-8.
    #[wasm_bindgen(js_name = fromText)]
    pub fn from_text(settings: JsValue, bytes: &[u8], file_name: &str) -> JsResult<Playground> {
        let settings = text_settings(settings)?;
        let corpus = Corpus::read(bytes, file_name, settings.seed).map_err(js_error)?;
        Playground::of_text(settings, corpus)
    }

    /// Whether this is a run of the language task.
    #[wasm_bindgen(js_name = isText)]
    pub fn is_text(&self) -> bool {
        self.corpus.is_some()
    }

    /// The text: its alphabet, its lines and what the curves are measured on.
    #[wasm_bindgen(js_name = textInfo)]
    pub fn text_info(&self) -> JsResult<JsValue> {
        let corpus = self.corpus()?;
        let settings = self.session.settings();
        to_js(&TextInfo {
            name: corpus.name.clone(),
            alphabet: corpus.symbols[1..].iter().collect(),
            symbols: corpus.len(),
            context: settings.context,
            train_lines: corpus.train.len(),
            validation_lines: corpus.validation.len(),
            test_lines: corpus.test.len(),
            untrained_bits: (corpus.len() as f64).log2(),
            held_out: match settings.holdout {
                Holdout::Validation => "validation",
                Holdout::Test => "test",
            },
        })
    }

    /// The next character after `prompt` for the three models, at T = 1 and at the run's T, over
    /// the `top` characters the teacher finds most likely (at most [`MAX_BARS`]) and "other".
    #[wasm_bindgen(js_name = nextCharacters)]
    pub fn next_characters(&self, prompt: &str, top: u32) -> JsResult<JsValue> {
        let corpus = self.corpus()?;
        let symbols = corpus.prompt(prompt).map_err(js_error)?;
        let settings = self.session.settings();
        let view = next_characters(
            self.networks(),
            corpus,
            settings.context,
            &symbols,
            settings.temperature,
            top.clamp(1, MAX_BARS) as usize,
        )
        .map_err(js_error)?;
        to_js(&view)
    }

    /// `count` lines (at most [`MAX_LINES`]) each model writes after `prompt` at sampling
    /// temperature `temperature` (0: always the most likely character), each line the prompt
    /// and what follows. Draw `draw` of the run's seed: the same draw gives the same lines, and
    /// the three models draw from the same random numbers.
    pub fn write(&self, prompt: &str, temperature: f64, count: u32, draw: u32) -> JsResult<JsValue> {
        if !temperature.is_finite() || !(0.0..=100.0).contains(&temperature) {
            return Err(bad_argument("temperature", format!("{temperature} is not from 0 to 100")));
        }
        let corpus = self.corpus()?;
        let symbols = corpus.prompt(prompt).map_err(js_error)?;
        let settings = self.session.settings();
        let seed = settings.seed.wrapping_add(u64::from(draw));
        let lines = |which: ModelKind| -> crate::error::Result<Vec<String>> {
            let mut rng = Rng::stream(seed, Stream::Sampling);
            (0..count.clamp(1, MAX_LINES))
                .map(|_| {
                    write(self.session.model(which), corpus, settings.context, &symbols, temperature as f32, &mut rng)
                        .map(|written| format!("{prompt}{}", corpus.decode(&written)))
                })
                .collect()
        };
        let written = Written {
            teacher: lines(ModelKind::Teacher).map_err(js_error)?,
            kd: lines(ModelKind::Kd).map_err(js_error)?,
            control: lines(ModelKind::Control).map_err(js_error)?,
        };
        to_js(&written)
    }

    /// The three models measured on the test lines (whatever the curves are measured on): bits
    /// per character, perplexity, next-character accuracy, and the diversity of what each writes
    /// at sampling temperature 1.
    #[wasm_bindgen(js_name = textScores)]
    pub fn text_scores(&self) -> JsResult<JsValue> {
        let corpus = self.corpus()?;
        let settings = self.session.settings();
        let (features, labels) = corpus.test_samples(settings.context);
        let measure = |which: ModelKind| {
            score(self.session.model(which), corpus, settings.context, (features.view(), &labels), settings.seed)
        };
        let scores = (|| -> Result<AllScores, KdError> {
            Ok(AllScores {
                teacher: measure(ModelKind::Teacher)?,
                kd: measure(ModelKind::Kd)?,
                control: measure(ModelKind::Control)?,
            })
        })()
        .map_err(js_error)?;
        to_js(&scores)
    }
}
