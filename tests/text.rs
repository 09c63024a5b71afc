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
    // The panels' part holds the lazily loaded panels' texts only (the teaching panels, the tour's
    // steps, the map, the compression bench, the exam answer, the language model page); the first
    // screen's are in the other.
    let lazy = ["teach.", "tour.s", "map.", "bench.", "answer.", "lm."];
    assert!(en_panels.iter().all(|k| lazy.iter().any(|prefix| k.starts_with(prefix))), "{en_panels:?}");
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

/// The glossary as the tests read it (`tests/fixtures/glossary.json`, from shared/GLOSSARY.md).
fn glossary() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/glossary.json")).expect("glossary.json is JSON")
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[test]
fn the_glossary_lists_each_term_once() {
    let glossary = glossary();
    let concepts = glossary["concepts"].as_array().expect("a list of concepts");
    assert!(concepts.len() >= 20);
    for language in ["en", "ko"] {
        let mut seen = BTreeSet::new();
        for concept in concepts {
            let term = concept[language].as_str().expect("a term per language");
            assert!(seen.insert(term.to_string()), "{language}: «{term}» stands for two concepts");
            // a word to avoid is never the concept's own term, nor another's
            for avoided in strings(&concept[format!("avoid_{language}")]) {
                assert!(!term.contains(&avoided), "{term} contains the word it avoids, {avoided}");
            }
        }
    }
}

#[test]
fn every_catalogue_uses_the_glossary_s_terms() {
    let glossary = glossary();
    let mut avoided: Vec<(String, String, String)> = Vec::new(); // (language, word, why)
    for concept in glossary["concepts"].as_array().expect("concepts") {
        for language in ["en", "ko"] {
            for word in strings(&concept[format!("avoid_{language}")]) {
                let why = format!("write «{}» for {}", concept[language].as_str().unwrap_or(""), concept["concept"]);
                avoided.push((language.into(), word, why));
            }
        }
    }
    for word in strings(&glossary["that_is"]["avoid_ko"]) {
        avoided.push(("ko".into(), word, "write 즉 for 'that is'".into()));
    }
    for word in strings(&glossary["particles"]["avoid_ko"]) {
        avoided.push(("ko".into(), word, "choose the particle with {name:은}".into()));
    }
    let mut found = Vec::new();
    for (language, catalogue) in catalogues() {
        for (key, text) in &catalogue {
            let lower = text.to_lowercase();
            for (lang, word, why) in &avoided {
                if lang == language && lower.contains(&word.to_lowercase()) {
                    found.push(format!("{language} {key}: «{word}» ({why})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{} texts use a word the glossary avoids:\n{}", found.len(), found.join("\n"));
}

#[test]
fn korean_particles_after_a_value_follow_its_sound() {
    // `{n}을` reads wrong after 2 ("2을"): a particle of a pair right after a plain placeholder must be
    // written `{n:을}`, so that the filler picks the form that fits (tests/fixtures/templates.json).
    let pairs = strings(&glossary()["particles"]["pairs"]);
    let [_, (_, korean)] = catalogues();
    let mut found = Vec::new();
    for (key, text) in &korean {
        let mut rest = text.as_str();
        while let Some(close) = rest.find('}') {
            let (before, after) = rest.split_at(close + 1);
            // `z_{s}` is a subscript (the page's light markup), not a value
            let name = before
                .rfind('{')
                .filter(|&open| !before[..open].ends_with('_'))
                .map(|open| &before[open + 1..before.len() - 1])
                .unwrap_or(":");
            // after a unit the particle follows the unit's sound, whatever the value: % and %p are read
            // 퍼센트(포인트), without a final consonant, so only the vowel forms (는, 가, 를, 와, 로) fit there
            let after_unit = after.strip_prefix("%p").or_else(|| after.strip_prefix('%'));
            if !name.contains(':') && !name.is_empty() {
                for particle in &pairs {
                    let wrong_after_unit = ["은", "이", "을", "과", "으로"].contains(&particle.as_str());
                    let tail = match after_unit {
                        Some(rest) if wrong_after_unit => rest.strip_prefix(particle.as_str()),
                        Some(_) => None,
                        None => after.strip_prefix(particle.as_str()),
                    };
                    // a particle ends its word: a space, punctuation or the end follows
                    if tail.is_some_and(|tail| {
                        tail.chars().next().is_none_or(|c| c.is_whitespace() || ".,:;)]!?…".contains(c))
                    }) {
                        found.push(format!(
                            "{key}: {{{name}}}{}{particle} in «{text}»",
                            if after_unit.is_some() { "%" } else { "" }
                        ));
                    }
                }
            }
            rest = after;
        }
    }
    assert!(found.is_empty(), "write the particle with the filler ({{name:은}}):\n{}", found.join("\n"));
}
