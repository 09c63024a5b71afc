//! The words the charts draw. Each is a `chart.` text of the page's catalogues
//! (`www/locales/<lang>.json`), looked up with [`text`] in the catalogue the page handed over
//! ([`crate::text::set_catalogue`]), English until it does; `{name}` marks a value the chart fills
//! in when drawing (a number, a class name, the settings).
//!
//! Numbers, class names, feature names and notation (`T = 4`, `α·T²·KL`) are not translated. A
//! chart measures the text it draws *after* looking it up, so that a longer or shorter
//! translation still fits.

use crate::data::SplitName;

pub use crate::text::{text, text_with};

/// A split's name as the charts write it ("train" / "test").
pub fn split_text(split: SplitName) -> String {
    match split {
        SplitName::Train => text("chart.split.train"),
        SplitName::Test => text("chart.split.test"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::charts::{curves, test_backend, ChartScale};
    use crate::session::{History, StudentEpoch, TeacherEpoch};
    use crate::text::{english, parse_catalogue, placeholders, set_catalogue, MAX_TEXT_CHARS};

    /// The chart sources (and the drawing methods of the JS boundary), read at compile time: every
    /// key they look up must be in the catalogues.
    const SOURCES: [(&str, &str); 15] = [
        ("mod.rs", include_str!("mod.rs")),
        ("text.rs", include_str!("text.rs")),
        ("curves.rs", include_str!("curves.rs")),
        ("bars.rs", include_str!("bars.rs")),
        ("regions.rs", include_str!("regions.rs")),
        ("samples.rs", include_str!("samples.rs")),
        ("sweep.rs", include_str!("sweep.rs")),
        ("gradients.rs", include_str!("gradients.rs")),
        ("heatmap.rs", include_str!("heatmap.rs")),
        ("methods.rs", include_str!("methods.rs")),
        ("reliability.rs", include_str!("reliability.rs")),
        ("compression.rs", include_str!("compression.rs")),
        ("language.rs", include_str!("language.rs")),
        ("palette.rs", include_str!("palette.rs")),
        ("web/draw.rs", include_str!("../web/draw.rs")),
    ];

    /// The Korean catalogue the page loads.
    fn korean() -> BTreeMap<String, String> {
        parse_catalogue(include_str!("../../www/locales/ko.json")).expect("www/locales/ko.json is an object of texts")
    }

    /// The string keys passed to `text(` and `text_with(` in `source` (this module's own tests are
    /// skipped by stopping at `#[cfg(test)]`).
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

    #[test]
    fn every_key_used_is_in_both_catalogues_and_every_chart_text_is_used() {
        let english = english().expect("the English catalogue");
        let korean = korean();
        let used: Vec<(String, &str)> =
            SOURCES.iter().flat_map(|(file, source)| keys_used(source).into_iter().map(move |k| (k, *file))).collect();
        assert!(used.len() > 50, "the scan finds the charts' keys: {used:?}");
        for (key, file) in &used {
            assert!(key.starts_with("chart."), "{file} draws {key:?}, which is not a chart text");
            assert!(english.contains_key(key), "{file} uses {key:?}, which en.json lacks");
            assert!(korean.contains_key(key), "{file} uses {key:?}, which ko.json lacks");
        }
        let used: BTreeSet<&str> = used.iter().map(|(k, _)| k.as_str()).collect();
        for key in english.keys().filter(|k| k.starts_with("chart.")) {
            assert!(used.contains(key.as_str()), "{key:?} is in the catalogue but no chart draws it");
        }
    }

    #[test]
    fn chart_texts_are_short_and_keep_their_placeholders_in_korean() {
        let english = english().expect("the English catalogue");
        let korean = korean();
        for (key, template) in english.iter().filter(|(k, _)| k.starts_with("chart.")) {
            assert!(template.chars().count() <= MAX_TEXT_CHARS, "{key}");
            let translated = &korean[key];
            assert!(translated.chars().count() <= MAX_TEXT_CHARS, "{key}");
            let names = |t: &str| placeholders(t).into_iter().collect::<BTreeSet<_>>();
            assert_eq!(names(translated), names(template), "{key}: {translated} against {template}");
        }
    }

    #[test]
    fn a_catalogue_replaces_english_and_an_empty_one_restores_it() {
        assert_eq!(text("chart.loss.empty"), "No epochs yet");
        assert_eq!(text("no.such.key"), "no.such.key");
        let long = "가".repeat(MAX_TEXT_CHARS + 50);
        set_catalogue(BTreeMap::from([
            ("chart.loss.empty".to_string(), "아직 에포크가 없습니다".to_string()),
            ("chart.bars.teacher".to_string(), "교사, T = {t}".to_string()),
            ("chart.loss.y".to_string(), long),
            ("page.title".to_string(), "not a chart text".to_string()),
        ]));
        assert_eq!(text("chart.loss.empty"), "아직 에포크가 없습니다");
        assert_eq!(text_with("chart.bars.teacher", &[("t", "4")]), "교사, T = 4");
        assert_eq!(text("chart.loss.y").chars().count(), MAX_TEXT_CHARS);
        assert_eq!(text("page.title"), english().expect("English")["page.title"], "only chart texts are taken");
        assert_eq!(text("chart.loss.control"), "control: CE"); // not in the handed catalogue: English
        set_catalogue(BTreeMap::new());
        assert_eq!(text("chart.loss.empty"), "No epochs yet");
    }

    #[test]
    fn the_korean_catalogue_changes_a_drawn_title() {
        let korean = korean();
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
            kd_test_bits: None,
            control_test_bits: None,
            temperature: 4.0,
            alpha: 0.7,
            method: Default::default(),
        };
        let teacher =
            TeacherEpoch { epoch: 0, train_loss: 1.0, train_accuracy: 0.5, test_accuracy: 0.5, test_bits: None };
        let history = History { teacher: vec![teacher], students: vec![student(0), student(1)] };
        let drawn = || {
            let (area, recorded) = test_backend::area(560, 280);
            curves::draw_loss_curves(
                &area,
                &history,
                crate::methods::MethodKind::Kd,
                crate::methods::KlDirection::Forward,
                ChartScale::default(),
            )
            .unwrap();
            let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
            texts
        };
        let english_title = "Distilled student only: soft term T²·KL (T = 4, α = 0.7)".to_string();
        assert!(drawn().contains(&english_title));

        set_catalogue(korean.clone());
        let korean_title = korean["chart.loss.softTitle"].replace("{settings}", "T = 4, α = 0.7");
        let texts = drawn();
        set_catalogue(BTreeMap::new());
        assert!(texts.contains(&korean_title), "{korean_title} in {texts:?}");
        assert!(!texts.contains(&english_title));
        assert!(texts.contains(&korean["chart.loss.control"]), "{texts:?}");
        assert!(drawn().contains(&english_title), "an empty catalogue brings English back");
    }
}
