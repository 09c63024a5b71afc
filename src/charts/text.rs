//! Every word the charts draw, declared once: [`CHART_TEXT`] pairs a key with its English
//! template, where `{name}` marks a value filled in when drawing (a number, a class name, the
//! settings). The page may hand over translations ([`set_translations`], from
//! `www/locales/charts.<lang>.js`); until it does, and for any key it leaves out, the charts draw
//! the English template.
//!
//! Numbers, class names, feature names and notation (`T = 4`, `α·T²·KL`) are not translated.
//! A chart must measure the text it draws *after* looking it up, so that a longer or shorter
//! translation still fits.

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::data::SplitName;

/// The longest translation kept, in characters (a longer one is cut): a chart's layout can make
/// room for a translation somewhat longer than the English, not for a paragraph.
pub const MAX_TRANSLATION_CHARS: usize = 200;

/// (key, English template) of every text a chart draws; `{name}` is a placeholder.
pub const CHART_TEXT: &[(&str, &str)] = &[
    // Shared.
    ("message.no_classes", "No classes to show"),
    ("split.train", "train"),
    ("split.test", "test"),
    ("axis.teacher_epoch", "teacher epoch"),
    ("axis.student_epoch", "student epoch"),
    // Loss curves.
    ("loss.title", "Losses: distilled student vs control ({settings})"),
    ("loss.distilled_total", "distilled: total α·T²·KL + (1−α)·CE"),
    ("loss.distilled_soft", "distilled: soft term T²·KL"),
    ("loss.distilled_hard", "distilled: hard term CE"),
    ("loss.control", "control: CE"),
    ("loss.y", "loss (training set)"),
    ("loss.teacher_title", "Teacher's training loss (the students start after it)"),
    ("loss.teacher", "teacher: CE"),
    ("loss.teacher_y", "cross-entropy (training set)"),
    ("loss.empty", "No epochs yet"),
    // Accuracy curves.
    ("accuracy.teacher", "Teacher"),
    ("accuracy.students", "Students"),
    ("accuracy.y", "accuracy"),
    ("accuracy.train", "train"),
    ("accuracy.test", "test"),
    ("accuracy.distilled_train", "distilled, train"),
    ("accuracy.distilled_test", "distilled, test"),
    ("accuracy.control_train", "control, train"),
    ("accuracy.control_test", "control, test"),
    ("accuracy.teacher_empty", "Teacher: no epochs yet"),
    ("accuracy.students_waiting", "Distillation starts after the teacher's training"),
    // Sample bars.
    ("bars.hard", "Hard label (true class {class})"),
    ("bars.teacher_t1", "Teacher, T = 1"),
    ("bars.teacher", "Teacher, T = {t}"),
    ("bars.distilled", "Distilled student, T = {t}"),
    ("bars.control", "Control student, T = {t}"),
    // Decision regions.
    ("regions.train", "train"),
    ("regions.test", "test"),
    // Digit gallery.
    ("gallery.title", "The first {shown} of {total} test digits, true label below each"),
    ("gallery.note", "teacher wrong on {wrong} of them: vermillion frame and true→predicted"),
    ("gallery.click", "Click a digit to select it"),
    ("gallery.selected", "Selected: {split} #{index}"),
    ("gallery.true_label", "true label {class}"),
    ("gallery.teacher_right", "teacher: {class} ✓"),
    ("gallery.teacher_wrong", "teacher: {class} ✗"),
    // Scatter of two features.
    ("scatter.title", "{y} against {x}"),
    ("scatter.title_of", "{y} against {x} (2 of {count} features)"),
    ("scatter.feature", "feature {number}"),
    ("scatter.filled", "filled: train"),
    ("scatter.hollow", "hollow: test"),
    ("scatter.too_few", "This data set has fewer than two features to plot"),
    // Temperature sweep.
    ("sweep.title", "Teacher's soft label as T changes ({split} sample {index}, true class {class})"),
    ("sweep.title_short", "Teacher's soft label as T changes (true class {class})"),
    ("sweep.title_shortest", "Teacher's soft label as T changes"),
    ("sweep.x", "temperature T (log scale)"),
    ("sweep.y", "teacher's probability"),
    ("sweep.key_header", "p at T = {t}"),
    ("sweep.empty", "No soft labels to show yet"),
    // Gradients.
    ("gradients.title", "Each loss term's gradient on the student's logits (T = {t}, α = {a})"),
    ("gradients.title_short", "Gradients on the student's logits (T = {t}, α = {a})"),
    ("gradients.title_shortest", "Gradients (T = {t}, α = {a})"),
    ("gradients.without_title", "Without T²: the soft term's pull is {factor} (T = {t})"),
    ("gradients.without_title_short", "Without T²: the soft pull is {factor}"),
    ("gradients.without_title_shortest", "Without T²: {factor}"),
    ("gradients.factor_unknown", "1/T² as large"),
    ("gradients.factor_same", "1/T² = 1: the same"),
    ("gradients.factor_smaller", "1/T² = 1/{t2} as large"),
    ("gradients.factor_larger", "1/T² = {times}× as large"),
    ("gradients.key_soft", "soft term α·T·(q − p)"),
    ("gradients.key_soft_without", "soft term without T²: α·(q − p)/T"),
    ("gradients.key_soft_with", "soft term with T²"),
    ("gradients.key_hard", "hard term (1 − α)·(softmax(z_s) − y)"),
    (
        "gradients.caption_descent",
        "Gradient descent moves each logit against its bar: below 0, the update raises that class's logit.",
    ),
    (
        "gradients.caption_symbols",
        "q = softmax(z_s/T): the student's soft label; p = softmax(z_t/T): the teacher's; y: the one-hot label.",
    ),
    ("gradients.y", "gradient"),
    ("gradients.true_class", "{class} (true)"),
    ("gradients.empty", "No gradients to show yet"),
    ("gradients.norm_soft", "‖soft‖ = {value}"),
    ("gradients.norm_hard", "‖hard‖ = {value}"),
    ("gradients.norm_soft_without", "‖soft without T²‖ = {value}"),
    ("gradients.norm_soft_with", "‖soft with T²‖ = {value}"),
    // Class-similarity heat map.
    ("heatmap.title", "Which classes the teacher finds alike: its mean soft label per true class (T = {t})"),
    ("heatmap.title_short", "Teacher's mean soft label per true class (T = {t})"),
    ("heatmap.title_shortest", "Mean soft label per true class (T = {t})"),
    (
        "heatmap.caption_greyed",
        "Each row sums to 1. Diagonal greyed; colours scaled to the largest off-diagonal value, {top}.",
    ),
    ("heatmap.caption_coloured", "Each row sums to 1. Colours scaled from 0 to the largest value, {top}."),
    ("heatmap.rows", "true class"),
    ("heatmap.columns", "teacher's soft label for class"),
];

thread_local! {
    /// The active translations (key → template); empty = English. Charts are drawn on the page's
    /// one thread, so the translations live with it.
    static TRANSLATIONS: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// The English template of `key`, if the key is declared.
pub fn english(key: &str) -> Option<&'static str> {
    CHART_TEXT.iter().find(|(k, _)| *k == key).map(|(_, english)| *english)
}

/// Makes `translations` (key → template) the texts the charts draw from now on. Keys that
/// [`CHART_TEXT`] lacks are dropped, templates longer than [`MAX_TRANSLATION_CHARS`] are cut;
/// an empty map brings back English.
pub fn set_translations(translations: BTreeMap<String, String>) {
    let kept: BTreeMap<String, String> = translations
        .into_iter()
        .filter(|(key, _)| english(key).is_some())
        .map(|(key, template)| {
            let template = if template.chars().count() > MAX_TRANSLATION_CHARS {
                template.chars().take(MAX_TRANSLATION_CHARS).collect()
            } else {
                template
            };
            (key, template)
        })
        .collect();
    TRANSLATIONS.with(|active| *active.borrow_mut() = kept);
}

/// The text of `key`: its translation, else its English template, else (an undeclared key, a
/// bug that the tests catch) the key itself.
pub fn text(key: &str) -> String {
    TRANSLATIONS
        .with(|active| active.borrow().get(key).cloned())
        .or_else(|| english(key).map(str::to_string))
        .unwrap_or_else(|| key.to_string())
}

/// The text of `key` with its `{name}` placeholders filled from `values` (a placeholder without a
/// value stays as written; values are inserted as they are, never read as templates).
pub fn text_with(key: &str, values: &[(&str, &str)]) -> String {
    fill(&text(key), values)
}

/// `template` with every `{name}` that `values` names replaced by its value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if values.iter().any(|(n, _)| *n == name) => {
                let value = values.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| *v);
                filled.push_str(value);
                rest = &after[close + 1..];
            }
            _ => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

/// The placeholder names in `template`, in order (`{t}` → `t`).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names
}

/// A split's name as the charts write it ("train" / "test").
pub fn split_text(split: SplitName) -> String {
    match split {
        SplitName::Train => text("split.train"),
        SplitName::Test => text("split.test"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{curves, test_backend, ChartScale};
    use crate::distillation::{History, StudentEpoch, TeacherEpoch};

    /// The chart sources, read at compile time: every key they look up must be declared.
    const SOURCES: [(&str, &str); 10] = [
        ("mod.rs", include_str!("mod.rs")),
        ("text.rs", include_str!("text.rs")),
        ("curves.rs", include_str!("curves.rs")),
        ("bars.rs", include_str!("bars.rs")),
        ("regions.rs", include_str!("regions.rs")),
        ("samples.rs", include_str!("samples.rs")),
        ("sweep.rs", include_str!("sweep.rs")),
        ("gradients.rs", include_str!("gradients.rs")),
        ("heatmap.rs", include_str!("heatmap.rs")),
        ("palette.rs", include_str!("palette.rs")),
    ];

    /// The Korean catalogue the page loads.
    const KOREAN: &str = include_str!("../../www/locales/charts.ko.js");

    /// The string keys passed to `text(` and `text_with(` in `source` (the test's own examples,
    /// inside this module's tests, are skipped by stopping at `mod tests`).
    fn keys_used(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]").next().unwrap_or(source);
        let mut keys = Vec::new();
        for call in ["text(", "text_with("] {
            for (at, _) in code.match_indices(call) {
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue; // scale.text(…), estimate_text(…)
                }
                let after = code[at + call.len()..].trim_start();
                if let Some(quoted) = after.strip_prefix('"') {
                    if let Some(end) = quoted.find('"') {
                        keys.push(quoted[..end].to_string());
                    }
                }
            }
        }
        keys
    }

    /// `'key': 'value',` lines of a locale file (the format `www/locales/*.js` is written in).
    fn catalogue(source: &str) -> BTreeMap<String, String> {
        let quoted = |s: &str| -> Option<(String, usize)> {
            let body = s.strip_prefix('\'')?;
            let mut out = String::new();
            let mut chars = body.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => out.push(chars.next()?.1),
                    '\'' => return Some((out, i + 2)),
                    c => out.push(c),
                }
            }
            None
        };
        let mut map = BTreeMap::new();
        for line in source.lines().map(str::trim) {
            let Some((key, used)) = quoted(line) else { continue };
            let Some(rest) = line[used..].trim_start().strip_prefix(':') else { continue };
            if let Some((value, _)) = quoted(rest.trim_start()) {
                map.insert(key, value);
            }
        }
        map
    }

    #[test]
    fn every_key_used_is_declared_and_every_declared_key_is_used() {
        let used: Vec<(String, &str)> =
            SOURCES.iter().flat_map(|(file, source)| keys_used(source).into_iter().map(move |k| (k, *file))).collect();
        assert!(used.len() > 50, "the scan finds the charts' keys: {used:?}");
        for (key, file) in &used {
            assert!(english(key).is_some(), "{file} uses the undeclared key {key:?}");
        }
        for (key, _) in CHART_TEXT {
            assert!(used.iter().any(|(k, _)| k == key), "{key:?} is declared but no chart uses it");
        }
    }

    #[test]
    fn keys_are_unique_and_templates_well_formed() {
        for (i, (key, english)) in CHART_TEXT.iter().enumerate() {
            assert!(CHART_TEXT[i + 1..].iter().all(|(k, _)| k != key), "{key} is declared twice");
            assert!(!english.is_empty() && english.chars().count() <= MAX_TRANSLATION_CHARS, "{key}");
            assert_eq!(english.matches('{').count(), english.matches('}').count(), "{key}: {english}");
            assert!(placeholders(english)
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_')));
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_kept() {
        assert_eq!(fill("T = {t}, α = {a}", &[("t", "4"), ("a", "0.7")]), "T = 4, α = 0.7");
        assert_eq!(fill("{x} and {y}", &[("x", "{y}"), ("y", "2")]), "{y} and 2");
        assert_eq!(fill("{missing} {", &[("t", "4")]), "{missing} {");
        assert_eq!(placeholders("{a} b {c}"), vec!["a", "c"]);
    }

    #[test]
    fn translations_replace_english_and_an_empty_map_restores_it() {
        assert_eq!(text("loss.empty"), "No epochs yet");
        assert_eq!(text("no.such.key"), "no.such.key");
        let long = "가".repeat(MAX_TRANSLATION_CHARS + 50);
        set_translations(BTreeMap::from([
            ("loss.empty".to_string(), "아직 에포크가 없습니다".to_string()),
            ("bars.teacher".to_string(), "교사, T = {t}".to_string()),
            ("loss.y".to_string(), long),
            ("not.a.chart.key".to_string(), "x".to_string()),
        ]));
        assert_eq!(text("loss.empty"), "아직 에포크가 없습니다");
        assert_eq!(text_with("bars.teacher", &[("t", "4")]), "교사, T = 4");
        assert_eq!(text("loss.y").chars().count(), MAX_TRANSLATION_CHARS);
        assert_eq!(text("not.a.chart.key"), "not.a.chart.key");
        assert_eq!(text("loss.control"), "control: CE"); // not translated: English
        set_translations(BTreeMap::new());
        assert_eq!(text("loss.empty"), "No epochs yet");
    }

    #[test]
    fn the_korean_catalogue_changes_a_drawn_title() {
        let korean = catalogue(KOREAN);
        assert_eq!(korean.len(), CHART_TEXT.len(), "{:?}", korean.keys().collect::<Vec<_>>());
        let student = |epoch: usize| StudentEpoch {
            epoch,
            soft_loss: 0.5,
            hard_loss: 0.4,
            total_loss: 0.45,
            control_hard_loss: 0.6,
            kd_train_accuracy: 0.8,
            kd_test_accuracy: 0.7,
            control_train_accuracy: 0.75,
            control_test_accuracy: 0.65,
            temperature: 4.0,
            alpha: 0.7,
        };
        let teacher = TeacherEpoch { epoch: 0, train_loss: 1.0, train_accuracy: 0.5, test_accuracy: 0.5 };
        let history = History { teacher: vec![teacher], students: vec![student(0), student(1)] };
        let drawn = || {
            let (area, recorded) = test_backend::area(560, 280);
            curves::draw_loss_curves(&area, &history, ChartScale::default()).unwrap();
            let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
            texts
        };
        let english_title = "Losses: distilled student vs control (T = 4, α = 0.7)".to_string();
        assert!(drawn().contains(&english_title));

        set_translations(korean.clone());
        let korean_title = korean["loss.title"].replace("{settings}", "T = 4, α = 0.7");
        let texts = drawn();
        set_translations(BTreeMap::new());
        assert!(texts.contains(&korean_title), "{korean_title} in {texts:?}");
        assert!(!texts.contains(&english_title));
        assert!(texts.contains(&korean["loss.control"]), "{texts:?}");
        assert!(drawn().contains(&english_title), "an empty map brings English back");
    }
}
