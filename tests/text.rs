//! The texts: the engine's template filler against the cases every filler of the project passes
//! (`tests/fixtures/templates.json`, which `www/template.js` passes too), and the page's catalogues
//! (`www/locales/en.json`, `ko.json`): the same keys in both languages, each translation keeping
//! its template's placeholders, and a text for every setting, choice and experiment of the engine.

use std::collections::{BTreeMap, BTreeSet};

use kd_playground::experiments::EXPERIMENTS;
use kd_playground::settings::SCHEMA;
use kd_playground::text::{english, fill, format_number, parse_catalogue, placeholders};

fn catalogue(json: &str, name: &str) -> BTreeMap<String, String> {
    parse_catalogue(json).unwrap_or_else(|| panic!("{name} is not an object of key → text"))
}

/// Each language's catalogue: its first part and its panels' part (loaded with those panels).
fn catalogues() -> [(&'static str, BTreeMap<String, String>); 2] {
    let whole = |first: (&str, &str), panels: (&str, &str)| {
        let mut whole = catalogue(first.1, first.0);
        whole.extend(catalogue(panels.1, panels.0));
        whole
    };
    [
        (
            "en",
            whole(
                ("en.json", include_str!("../www/locales/en.json")),
                ("en.panels.json", include_str!("../www/locales/en.panels.json")),
            ),
        ),
        (
            "ko",
            whole(
                ("ko.json", include_str!("../www/locales/ko.json")),
                ("ko.panels.json", include_str!("../www/locales/ko.panels.json")),
            ),
        ),
    ]
}

#[test]
fn each_text_is_in_the_same_part_in_both_languages() {
    let keys = |json: &str| catalogue(json, "a part").into_keys().collect::<BTreeSet<_>>();
    let (en, en_panels) =
        (keys(include_str!("../www/locales/en.json")), keys(include_str!("../www/locales/en.panels.json")));
    assert_eq!(en, keys(include_str!("../www/locales/ko.json")));
    assert_eq!(en_panels, keys(include_str!("../www/locales/ko.panels.json")));
    assert!(en.is_disjoint(&en_panels), "a text in both parts: {:?}", en.intersection(&en_panels).collect::<Vec<_>>());
    // The panels' part holds the lazily loaded panels' texts only; the first screen's are in the other.
    assert!(en_panels.iter().all(|k| k.starts_with("teach.") || k.starts_with("tour.s")), "{en_panels:?}");
    assert!(en.contains("teach.loading") && en.contains("tour.button"));
}

#[test]
fn the_filler_passes_every_shared_case() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/templates.json")).expect("templates.json is JSON");
    let cases = fixture["cases"].as_array().expect("a list of cases");
    assert!(cases.len() > 30);
    for case in cases {
        let template = case["template"].as_str().expect("a template");
        let params = case["params"].as_object().expect("params");
        let filled = fill(template, |name| {
            params.get(name).map(|value| match value {
                serde_json::Value::Number(n) => format_number(n.as_f64().unwrap_or(f64::NAN)),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        });
        assert_eq!(filled, case["expected"].as_str().expect("expected"), "{template} with {params:?}");
    }
}

#[test]
fn non_finite_numbers_are_written_plainly() {
    assert_eq!(format_number(f64::NAN), "NaN");
    assert_eq!(format_number(f64::INFINITY), "inf");
    assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    assert_eq!(format_number(-0.0), "0");
}

#[test]
fn both_languages_have_the_same_keys_and_placeholders() {
    let [(_, en), (_, ko)] = catalogues();
    assert!(en.len() > 500, "{} English texts", en.len());
    let keys = |c: &BTreeMap<String, String>| c.keys().cloned().collect::<BTreeSet<_>>();
    let (en_keys, ko_keys) = (keys(&en), keys(&ko));
    assert_eq!(en_keys.difference(&ko_keys).collect::<Vec<_>>(), Vec::<&String>::new(), "Korean lacks these");
    assert_eq!(ko_keys.difference(&en_keys).collect::<Vec<_>>(), Vec::<&String>::new(), "English lacks these");
    for (key, template) in &en {
        let translated = &ko[key];
        assert!(!translated.trim().is_empty(), "{key} is empty in Korean");
        let names = |t: &str| placeholders(t).into_iter().collect::<BTreeSet<_>>();
        assert_eq!(names(translated), names(template), "{key}: «{translated}» against «{template}»");
    }
}

#[test]
fn every_setting_choice_and_experiment_has_its_texts() {
    for (file, catalogue) in catalogues() {
        let has = |key: String| assert!(catalogue.get(&key).is_some_and(|t| !t.is_empty()), "{file} lacks {key}");
        for spec in SCHEMA {
            has(format!("setting.{}.label", spec.name));
            has(format!("setting.{}.help", spec.name));
            for choice in spec.choices {
                has(format!("choice.{}.{choice}", spec.name));
            }
        }
        for experiment in EXPERIMENTS {
            has(format!("experiment.{}.title", experiment.name));
            has(format!("experiment.{}.claim", experiment.name));
        }
    }
}

#[test]
fn kd_reads_the_page_s_english() {
    let en = english().expect("the English catalogue is compiled into kd");
    assert_eq!(en, &catalogues()[0].1);
}
