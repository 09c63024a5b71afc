//! A text as a next-character task: its symbols (the characters it uses, and the line boundary),
//! its lines split into training, validation and test lines, and the samples a character model
//! learns from: the `context` previous symbols, one-hot, and the symbol that follows.

use ndarray::{Array1, Array2};

use super::sampling::MAX_WRITTEN;
use crate::data::{DataView, Dataset, DatasetName, Holdout, Split};
use crate::error::{KdError, Result, TextProblem};
use crate::rng::{Rng, Stream};

/// The symbol before the first character and after the last one of every line (index 0): a
/// model learns where names start and predicts where they end.
pub const BOUNDARY: char = '\n';
/// The largest text read, in bytes: a larger file is refused before it is read.
pub const MAX_TEXT_BYTES: u64 = 2 * 1024 * 1024;
/// The most symbols (the boundary and the distinct characters) a text may use: each is a class
/// of the model and an input of every context position.
pub const MAX_SYMBOLS: usize = 128;
/// The longest context, in characters.
pub const MAX_CONTEXT: usize = 16;
/// Fractions of the lines for validation and for testing; the rest is for training.
const VALIDATION_FRACTION: f64 = 0.1;
const TEST_FRACTION: f64 = 0.1;
/// Fewest lines: each split needs some.
const MIN_LINES: usize = 10;

/// The built-in text: first names of the 1990 U.S. Census (`src/data/names.rst`).
const NAMES: &str = include_str!("../data/names.txt");

/// A text's lines, split by line, as symbol indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    /// The name messages use (a file's name, or `names`).
    pub name: String,
    /// The symbols: [`BOUNDARY`] first, then every character of the text in code-point order.
    pub symbols: Vec<char>,
    pub train: Vec<Vec<usize>>,
    pub validation: Vec<Vec<usize>>,
    pub test: Vec<Vec<usize>>,
}

fn problem(name: &str, problem: TextProblem) -> KdError {
    KdError::Text { file: name.to_string(), problem }
}

impl Corpus {
    /// The built-in first names, split with `seed`.
    pub fn names(seed: u64) -> Result<Corpus> {
        Corpus::read(NAMES.as_bytes(), "names", seed)
    }

    /// The built-in text of first names, one per line.
    pub fn names_text() -> &'static str {
        NAMES
    }

    /// Reads a UTF-8 text of one item per line (a name, a sentence), `name` in messages, and
    /// splits its lines with `seed`. Blank lines are skipped; a line's ends are trimmed. Refused
    /// with a message: a text over [`MAX_TEXT_BYTES`], one that is not UTF-8, one with control
    /// characters (a binary file), fewer than 10 lines, or more than [`MAX_SYMBOLS`] symbols.
    pub fn read(bytes: &[u8], name: &str, seed: u64) -> Result<Corpus> {
        if bytes.len() as u64 > MAX_TEXT_BYTES {
            return Err(problem(name, TextProblem::TooLarge { bytes: bytes.len() as u64, limit: MAX_TEXT_BYTES }));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let offset = e.valid_up_to();
            let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            problem(name, TextProblem::NotUtf8 { line, offset })
        })?;
        let mut lines = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
                return Err(problem(name, TextProblem::Binary { line: number + 1, code: c as u32 }));
            }
            if !line.is_empty() {
                lines.push(line.replace('\t', " ")); // a tab is a space
            }
        }
        if lines.is_empty() {
            return Err(problem(name, TextProblem::Empty));
        }
        if lines.len() < MIN_LINES {
            return Err(problem(name, TextProblem::TooFewLines { lines: lines.len(), least: MIN_LINES }));
        }
        let mut characters: Vec<char> = lines.iter().flat_map(|l| l.chars()).collect();
        characters.sort_unstable();
        characters.dedup();
        let symbols: Vec<char> = std::iter::once(BOUNDARY).chain(characters).collect();
        if symbols.len() > MAX_SYMBOLS {
            return Err(problem(name, TextProblem::TooManySymbols { symbols: symbols.len(), limit: MAX_SYMBOLS }));
        }
        let encode = |line: &str| line.chars().map(|c| symbols.binary_search(&c).unwrap_or(0)).collect::<Vec<_>>();
        // the boundary ('\n') sorts before every character a line can hold, so `symbols` is sorted
        let mut encoded: Vec<Vec<usize>> = lines.iter().map(|l| encode(l)).collect();
        Rng::stream(seed, Stream::Split).shuffle(&mut encoded);
        let n = encoded.len();
        let test = ((n as f64 * TEST_FRACTION).round() as usize).max(1);
        let validation = ((n as f64 * VALIDATION_FRACTION).round() as usize).max(1);
        let rest = encoded.split_off(test);
        let (validation, train) = (rest[..validation].to_vec(), rest[validation..].to_vec());
        Ok(Corpus { name: name.to_string(), symbols, train, validation, test: encoded })
    }

    /// The symbols of a text whose characters are `characters` (a saved run's), without its lines:
    /// enough for a model of that text to write. Refused when they are not each once, in order,
    /// printable.
    pub fn of_characters(name: &str, characters: &str) -> Result<Corpus> {
        let symbols: Vec<char> = std::iter::once(BOUNDARY).chain(characters.chars()).collect();
        let ordered = symbols.windows(2).all(|pair| pair[0] < pair[1]);
        if let Some(c) = characters.chars().find(|c| c.is_control()) {
            return Err(problem(name, TextProblem::Binary { line: 1, code: c as u32 }));
        }
        if !ordered || symbols.len() > MAX_SYMBOLS {
            return Err(KdError::Internal(format!("the characters of {name} are not each once, in order")));
        }
        Ok(Corpus { name: name.to_string(), symbols, train: Vec::new(), validation: Vec::new(), test: Vec::new() })
    }

    /// This corpus with `lines` (symbol indices, e.g. what a model wrote) as its training lines;
    /// the validation and test lines stay.
    pub fn with_training_lines(&self, lines: Vec<Vec<usize>>) -> Corpus {
        Corpus { train: lines, ..self.clone() }
    }

    /// Number of symbols: the model's classes.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether there are no symbols (never, for a corpus that was read).
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// The longest line, in characters.
    pub fn longest_line(&self) -> usize {
        [&self.train, &self.validation, &self.test].into_iter().flatten().map(Vec::len).max().unwrap_or(0)
    }

    /// A prompt as symbol indices; refused, naming the character, when one is not in the text.
    pub fn encode(&self, prompt: &str) -> Result<Vec<usize>> {
        prompt
            .chars()
            .map(|c| match self.symbols[1..].binary_search(&c) {
                Ok(i) => Ok(i + 1),
                Err(_) => Err(problem(&self.name, TextProblem::OutsideAlphabet { character: c.to_string() })),
            })
            .collect()
    }

    /// A prompt to write from or to read the next character after: [`Corpus::encode`], refused
    /// when longer than a model writes ([`MAX_WRITTEN`] characters).
    pub fn prompt(&self, prompt: &str) -> Result<Vec<usize>> {
        let length = prompt.chars().count();
        if length > MAX_WRITTEN {
            return Err(problem(&self.name, TextProblem::PromptTooLong { length, limit: MAX_WRITTEN }));
        }
        self.encode(prompt)
    }

    /// Symbol indices as text (the boundary as nothing).
    pub fn decode(&self, symbols: &[usize]) -> String {
        symbols.iter().filter(|&&s| s != 0).filter_map(|&s| self.symbols.get(s)).collect()
    }

    /// How a symbol is shown among a model's classes: the boundary as "⏎" (the end of a line),
    /// a space as "␣".
    pub fn symbol_name(&self, symbol: usize) -> String {
        match self.symbols.get(symbol) {
            Some(&BOUNDARY) => "⏎".into(),
            Some(' ') => "␣".into(),
            Some(c) => c.to_string(),
            None => "?".into(),
        }
    }

    /// The samples of `lines`: for every position of every line and its end, the `context`
    /// previous symbols (the boundary before the line's start) and the symbol there.
    fn samples(&self, lines: &[Vec<usize>], context: usize) -> (Array2<f32>, Vec<usize>) {
        let v = self.len();
        let count: usize = lines.iter().map(|l| l.len() + 1).sum();
        let mut features = Array2::zeros((count, context * v));
        let mut labels = Vec::with_capacity(count);
        let mut row = 0;
        for line in lines {
            for position in 0..=line.len() {
                for k in 0..context {
                    // position k of the context is the symbol `context − k` places back
                    let back = context - k;
                    let symbol = if position >= back { line[position - back] } else { 0 };
                    features[[row, k * v + symbol]] = 1.0;
                }
                labels.push(line.get(position).copied().unwrap_or(0));
                row += 1;
            }
        }
        (features, labels)
    }

    /// The test lines' samples (inputs and next symbols) with `context` characters of context:
    /// what a run's final scores are measured on, whichever split it was held out on.
    pub fn test_samples(&self, context: usize) -> (Array2<f32>, Vec<usize>) {
        self.samples(&self.test, context)
    }

    /// The next-character task with `context` characters of context, as a data set the
    /// playground's networks train on: the training lines' samples, and the test lines' (or,
    /// with `holdout` validation, the validation lines'). The one-hot inputs are used as they are
    /// (no standardisation). Refused when `context` is 0, over [`MAX_CONTEXT`] or longer than
    /// every line.
    pub fn dataset(&self, context: usize, holdout: Holdout) -> Result<Dataset> {
        let longest = self.longest_line();
        if context == 0 || context > MAX_CONTEXT || context > longest {
            return Err(problem(
                &self.name,
                TextProblem::ContextTooLong { context, longest, limit: MAX_CONTEXT.min(longest) },
            ));
        }
        let split = |lines: &[Vec<usize>]| {
            let (features, labels) = self.samples(lines, context);
            Split { raw: features.clone(), features, labels }
        };
        let held = match holdout {
            Holdout::Test => &self.test,
            Holdout::Validation => &self.validation,
        };
        let v = self.len();
        let feature_names = (0..context)
            .flat_map(|k| (0..v).map(move |s| (k, s)))
            .map(|(k, s)| format!("{}:{}", k as isize - context as isize, self.symbol_name(s)))
            .collect();
        Ok(Dataset {
            name: DatasetName::Text,
            view: DataView::Text,
            class_names: (0..v).map(|s| self.symbol_name(s)).collect(),
            feature_names,
            train: split(&self.train),
            test: split(held),
            mean: Array1::zeros(context * v),
            std: Array1::ones(context * v),
        })
    }
}
