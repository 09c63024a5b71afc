//! Every text the engine says, and how it is said. The texts themselves live in the page's
//! catalogues, one per language (`www/locales/en.json`, `www/locales/ko.json`): key → template,
//! where `{name}` marks a value. The engine never writes a sentence itself: it names one with a
//! [`Message`] (a key and its values), which the page renders in the learner's language and `kd`
//! renders in English. Charts look their words up with [`text`] in the catalogue the page hands
//! over ([`set_catalogue`]), English until it does.
//!
//! Templates are filled by [`fill`], the one filler of the engine; the page's is `www/template.js`,
//! and both pass the cases of `tests/fixtures/templates.json`:
//!
//! - `{name}` is the value; a name without a value stays as it is.
//! - `{name:은}` is the value followed by the Korean particle of the pair 은/는 that fits its last
//!   sound (and likewise 이/가, 을/를, 과/와, 으로/로; either form of a pair may be written). Numbers
//!   are read in Sino-Korean, so the last digit decides: `3으로`, `16은`, `97.8%로`.
//! - Numbers are written as Rust's `{}` writes an f64 (the shortest decimal that reads back the
//!   same) when 10⁻⁶ ≤ |x| < 10¹², otherwise as `1.5e300`; NaN, `inf` and `-inf` as such.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// A value in a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A number, written by the filler's rule (see the module's documentation).
    Number(f64),
    /// Text as it is: a name the user gave, a file name, a class name (never translated).
    Text(String),
    /// Another text of the catalogues, rendered first (a model's name, a setting's label).
    Message(Box<Message>),
    /// Several texts, rendered one by one and joined with "; " (every problem of the settings).
    List(Vec<Message>),
}

impl From<f64> for Arg {
    fn from(value: f64) -> Self {
        Arg::Number(value)
    }
}

impl From<f32> for Arg {
    /// The f32's shortest decimal as an f64: `0.001f32` is written `0.001`, not
    /// `0.0010000000474974513`.
    fn from(value: f32) -> Self {
        Arg::Number(value.to_string().parse().unwrap_or(f64::from(value)))
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Arg::Number(value as f64)
    }
}

impl From<u64> for Arg {
    fn from(value: u64) -> Self {
        Arg::Number(value as f64)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<Message> for Arg {
    fn from(value: Message) -> Self {
        Arg::Message(Box::new(value))
    }
}

/// A text of the catalogues, named by its key, with its values. Sent to the page as
/// `{key, params: {name: value}}`, where a value is a number, a string, another message or a list
/// of messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub key: String,
    pub params: Vec<(&'static str, Arg)>,
}

impl Message {
    /// The text `key`, without values yet.
    #[inline(never)]
    pub fn new(key: &str) -> Self {
        Message { key: key.to_string(), params: Vec::new() }
    }

    /// The same message with value `name` set.
    pub fn with(self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.with_arg(name, value.into())
    }

    /// [`Message::with`] once for every type of value (kept out of line: the engine names many
    /// messages, and the WebAssembly module is downloaded).
    #[inline(never)]
    fn with_arg(mut self, name: &'static str, value: Arg) -> Self {
        self.params.push((name, value));
        self
    }

    /// The value `name`, if it is set.
    pub fn param(&self, name: &str) -> Option<&Arg> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The message in the language of `catalogue` (key → template); a key it lacks is written as
    /// the key itself.
    pub fn render_in(&self, catalogue: &BTreeMap<String, String>) -> String {
        let template = catalogue.get(&self.key).map_or(self.key.as_str(), String::as_str);
        fill(template, |name| {
            self.param(name).map(|value| match value {
                Arg::Number(x) => format_number(*x),
                Arg::Text(text) => text.clone(),
                Arg::Message(inner) => inner.render_in(catalogue),
                Arg::List(items) => items.iter().map(|m| m.render_in(catalogue)).collect::<Vec<_>>().join("; "),
            })
        })
    }

    /// The message in English (`kd`, the tests). In WebAssembly, where the page renders every
    /// message from its catalogue, this is only the key (for the console).
    pub fn render_english(&self) -> String {
        match english() {
            Some(catalogue) => self.render_in(catalogue),
            None => self.key.clone(),
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render_english())
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Params<'a>(&'a [(&'static str, Arg)]);
        impl Serialize for Params<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (name, value) in self.0 {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("params", &Params(&self.params))?;
        map.end()
    }
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Number(x) => serializer.serialize_f64(*x),
            Arg::Text(text) => serializer.serialize_str(text),
            Arg::Message(message) => message.serialize(serializer),
            Arg::List(items) => items.serialize(serializer),
        }
    }
}

/// A number as every text writes it: Rust's shortest decimal for 10⁻⁶ ≤ |x| < 10¹² (and 0),
/// `1.5e300` beyond; `NaN`, `inf`, `-inf`.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if x == 0.0 {
        "0".to_string()
    } else if (1e-6..1e12).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The Korean particle pairs a template may ask for, as (after a final consonant, after a vowel).
const PARTICLES: [(&str, &str); 5] = [("은", "는"), ("이", "가"), ("을", "를"), ("과", "와"), ("으로", "로")];

/// How a text ends when read aloud in Korean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Vowel,
    /// A final consonant other than ㄹ.
    Consonant,
    /// A final ㄹ (which takes 로, not 으로).
    Rieul,
    Unknown,
}

/// The last sound of `text`: of its last Hangul syllable, digit (read in Sino-Korean), Latin letter
/// (read in English) or `%` (퍼센트); closing brackets, quotes and spaces are skipped.
fn ending(text: &str) -> Ending {
    let Some(last) = text.chars().rev().find(|c| !c.is_whitespace() && !")]}\"'’”»".contains(*c)) else {
        return Ending::Unknown;
    };
    match last {
        '가'..='힣' => match (last as u32 - 0xAC00) % 28 {
            0 => Ending::Vowel,
            8 => Ending::Rieul,
            _ => Ending::Consonant,
        },
        // 영 삼 육 (and 십 백 천 만 for round numbers) end in a consonant; 일 칠 팔 in ㄹ.
        '0' | '3' | '6' => Ending::Consonant,
        '1' | '7' | '8' => Ending::Rieul,
        '2' | '4' | '5' | '9' | '%' => Ending::Vowel,
        // 엘, 알; 엠, 엔; the rest of the alphabet read in English ends in a vowel.
        'l' | 'L' | 'r' | 'R' => Ending::Rieul,
        'm' | 'M' | 'n' | 'N' => Ending::Consonant,
        c if c.is_ascii_alphabetic() => Ending::Vowel,
        _ => Ending::Unknown,
    }
}

/// The particle of the pair that contains `asked` which fits after `value`.
fn particle(value: &str, asked: &str) -> Option<String> {
    let (consonant, vowel) = PARTICLES.iter().copied().find(|(c, v)| *c == asked || *v == asked)?;
    Some(match (ending(value), consonant) {
        (Ending::Vowel, _) => vowel.to_string(),
        (Ending::Rieul, "으로") => vowel.to_string(),
        (Ending::Consonant | Ending::Rieul, _) => consonant.to_string(),
        (Ending::Unknown, "으로") => "(으)로".to_string(),
        (Ending::Unknown, _) => format!("{consonant}({vowel})"),
    })
}

/// Fills `template`: each `{name}` by `value(name)`, each `{name:은}` by the value and the particle
/// that fits it; a placeholder without a value stays as it is.
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inside = &after[..close];
        if inside.contains('{') {
            // `{{a}`: only the innermost braces are a placeholder.
            out.push('{');
            rest = after;
            continue;
        }
        let (name, asked) = match inside.split_once(':') {
            Some((name, asked)) => (name, Some(asked)),
            None => (inside, None),
        };
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        match (valid.then(|| value(name)).flatten(), asked) {
            (Some(text), None) => out.push_str(&text),
            (Some(text), Some(asked)) => match particle(&text, asked) {
                Some(p) => {
                    out.push_str(&text);
                    out.push_str(&p);
                }
                None => out.push_str(&rest[open..open + close + 2]),
            },
            (None, _) => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The placeholders' names of a template, in order (`{t}` and `{t:은}` both name `t`).
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = after[..close].split(':').next().unwrap_or_default();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            names.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    names
}

/// The English catalogue (`www/locales/en.json` and its panels' part, `en.panels.json`), compiled
/// into `kd` and the native tests. Not in the WebAssembly module: the page has it already, and
/// renders every message itself.
#[cfg(not(target_arch = "wasm32"))]
pub fn english() -> Option<&'static BTreeMap<String, String>> {
    use std::sync::OnceLock;
    static ENGLISH: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    Some(ENGLISH.get_or_init(|| {
        let mut catalogue = parse_catalogue(include_str!("../www/locales/en.json")).unwrap_or_default();
        catalogue.extend(parse_catalogue(include_str!("../www/locales/en.panels.json")).unwrap_or_default());
        catalogue
    }))
}

#[cfg(target_arch = "wasm32")]
pub fn english() -> Option<&'static BTreeMap<String, String>> {
    None
}

/// A catalogue's JSON text (an object of key → text) as a map; `None` unless it is one. (The page
/// hands its catalogue over already parsed: the WebAssembly module needs no JSON reader.)
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_catalogue(json: &str) -> Option<BTreeMap<String, String>> {
    serde_json::from_str(json).ok()
}

/// The longest text kept from a catalogue the page hands over, in characters (a longer one is
/// cut): a chart makes room for a translation somewhat longer than the English, not a paragraph.
pub const MAX_TEXT_CHARS: usize = 200;

thread_local! {
    /// The catalogue the charts draw from, as the page handed it over; empty: English.
    static ACTIVE: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// Hands the charts the catalogue of the learner's language (key → template; only the `chart.`
/// texts and the generated data sets' class names, `data.class.`, matter). Each text is cut to
/// [`MAX_TEXT_CHARS`]; an empty map brings back English.
pub fn set_catalogue(catalogue: BTreeMap<String, String>) {
    let kept = catalogue
        .into_iter()
        .filter(|(key, _)| key.starts_with("chart.") || key.starts_with("data.class."))
        .map(|(key, text)| (key, text.chars().take(MAX_TEXT_CHARS).collect()))
        .collect();
    ACTIVE.with(|active| *active.borrow_mut() = kept);
}

/// The text `key` of the active catalogue, unfilled: the page's, else English, else the key.
#[inline(never)]
pub fn text(key: &str) -> String {
    ACTIVE
        .with(|active| active.borrow().get(key).cloned())
        .or_else(|| english().and_then(|e| e.get(key).cloned()))
        .unwrap_or_else(|| key.to_string())
}

/// Class `index` of data set `dataset` as the learner's language names it: the active catalogue's
/// `data.class.<dataset>.<index>` (the generated sets' classes, e.g. a spiral's arms), else `raw`,
/// the data's own name (digits, iris and the learner's CSV keep theirs).
pub fn class_name(dataset: &str, index: usize, raw: &str) -> String {
    let key = format!("data.class.{dataset}.{index}");
    ACTIVE.with(|active| active.borrow().get(&key).cloned()).unwrap_or_else(|| raw.to_string())
}

/// The text `key` of the active catalogue with `values` filled in.
#[inline(never)]
pub fn text_with(key: &str, values: &[(&str, &str)]) -> String {
    fill(&text(key), |name| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_follow_the_last_sound() {
        let with = |value: &str, asked: &str| format!("{value}{}", particle(value, asked).unwrap_or_default());
        assert_eq!(with("#16", "은"), "#16은");
        assert_eq!(with("0.00775", "으로"), "0.00775로");
        assert_eq!(with("+5.60", "를"), "+5.60을");
        assert_eq!(with("3", "로"), "3으로");
        assert_eq!(with("97.8%", "으로"), "97.8%로");
        assert_eq!(with("교사 모델", "이"), "교사 모델이");
        assert_eq!(with("학생", "가"), "학생이");
        assert_eq!(with("온도 T", "은"), "온도 T는");
        assert_eq!(with("(1)", "과"), "(1)과");
        assert_eq!(with("?", "을"), "?을(를)");
        assert_eq!(particle("x", "의"), None);
    }

    #[test]
    fn class_names_follow_the_active_catalogue() {
        assert_eq!(class_name("spiral", 0, "arm A"), "arm A");
        set_catalogue(BTreeMap::from([("data.class.spiral.0".to_string(), "나선 팔 A".to_string())]));
        assert_eq!(class_name("spiral", 0, "arm A"), "나선 팔 A");
        assert_eq!(class_name("spiral", 1, "arm B"), "arm B");
        assert_eq!(class_name("digits", 0, "0"), "0");
        set_catalogue(BTreeMap::new());
        assert_eq!(class_name("spiral", 0, "arm A"), "arm A");
    }

    #[test]
    fn fill_keeps_what_it_cannot_fill() {
        let value = |name: &str| (name == "a").then(|| "1".to_string());
        assert_eq!(fill("{a} and {b}, {a:은} {", value), "1 and {b}, 1은 {");
        assert_eq!(fill("{a:의} {}", value), "{a:의} {}");
        assert_eq!(placeholders("{t} {class:이} {}"), vec!["t", "class"]);
    }
}
