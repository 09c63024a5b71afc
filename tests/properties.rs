//! Property tests (proptest) of every reader of user input: no input makes them panic, what they
//! accept satisfies the engine's invariants, and what they refuse gets a message. The CSV reader
//! (file upload, `kd run --dataset FILE`), the run-file reader ("Load run…"), the settings
//! validator (the page's controls and URL hash, the command line's flags), the live settings, and
//! the losses on any logits and temperature. The command line's argument parser has its own
//! property test in src/bin/kd/args.rs; the page's hash parser in tests/e2e/urlstate.test.mjs.
//! Case counts are fixed, so `cargo xtask test` stays bounded.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use ndarray::Array2;
use proptest::prelude::*;

use kd_playground::data::{DataOptions, Dataset};
use kd_playground::losses::softmax;
use kd_playground::methods::{loss_of, Batch, SoftLoss};
use kd_playground::session::{ModelKind, SavedRun, Session};
use kd_playground::settings::{self, validation_errors, SettingKind, Settings, Value, SCHEMA};

fn options() -> DataOptions {
    DataOptions::default()
}

/// What a CSV field might hold: numbers, names, gaps, quotes, separators and non-finite words.
fn csv_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-1e6f32..1e6).prop_map(|v| v.to_string()),
        2 => (0u8..4).prop_map(|v| v.to_string()),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["NaN", "inf", "-Infinity", "1e40", "x", "cat", "\"a, b\"", "\"open", "\"\"", " 7 ", "٣", "\u{feff}"]).prop_map(str::to_string),
        1 => "[ -~]{0,6}",
    ]
}

fn valid_dataset_invariants(data: &Dataset) {
    let classes = data.class_names.len();
    assert!(classes >= 2);
    for split in [&data.train, &data.test] {
        assert!(split.features.iter().all(|v| v.is_finite()));
        assert!(split.labels.iter().all(|&l| l < classes));
        assert_eq!(split.features.ncols(), data.feature_names.len());
    }
}

/// A small valid run file to alter.
fn run_file() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/malformed/run-valid-v1.json")).unwrap()
}

/// Any value a setting could be given: numbers (finite or not), numbers as text, and other text.
fn setting_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<f64>().prop_map(Value::Number),
        (-1e4f64..1e4).prop_map(Value::Number),
        (-1e4f64..1e4).prop_map(|v| Value::Text(v.to_string())),
        prop::sample::select(vec![
            "relu",
            "tanh",
            "adam",
            "sgd",
            "kl",
            "logits",
            "digits",
            "spiral",
            "csv",
            "64,64",
            "",
            ",",
            "1,,2",
            "0",
            "1e309",
            "NaN",
            "-0",
            "4096,4096,4096",
            "1,2,3,4,5"
        ])
        .prop_map(|s| Value::Text(s.to_string())),
        "\\PC{0,12}".prop_map(Value::Text),
    ]
}

fn setting_name() -> impl Strategy<Value = String> {
    let names: Vec<String> =
        SCHEMA.iter().map(|s| s.name.to_string()).chain(["bogus".to_string(), String::new()]).collect();
    prop::sample::select(names)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_read_as_csv_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        match Dataset::from_csv(&bytes, "any.csv", &options()) {
            Ok(data) => valid_dataset_invariants(&data),
            Err(e) => prop_assert!(e.to_string().starts_with("")),
        }
    }

    #[test]
    fn csv_like_text_is_read_or_refused_with_a_message(
        rows in prop::collection::vec(prop::collection::vec(csv_field(), 1..5), 0..14),
        bom in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
        for row in &rows {
            text += &row.join(",");
            text += end;
        }
        match Dataset::from_csv(text.as_bytes(), "rows.csv", &options()) {
            Ok(data) => valid_dataset_invariants(&data),
            Err(e) => {
                let message = e.to_string();
                prop_assert!(message.starts_with("") && message.len() > 12, "{message}");
            }
        }
    }

    #[test]
    fn a_numeric_csv_reads_back_its_values(
        values in prop::collection::vec(prop::collection::vec(-1e6f32..1e6, 2), 12..30),
        classes in 2usize..5,
    ) {
        // Column `row` numbers the rows, which the split shuffles; the reader standardises each
        // feature, so the values are compared after undoing that (z · std + mean), to f32 precision.
        let mut text = "row,a,b,label\n".to_string();
        for (i, row) in values.iter().enumerate() {
            text += &format!("{i},{},{},{}\n", row[0], row[1], i % classes);
        }
        let data = Dataset::from_csv(text.as_bytes(), "numbers.csv", &options()).unwrap();
        prop_assert_eq!(data.class_names.len(), classes);
        prop_assert_eq!(data.train.len() + data.test.len(), values.len());
        let mut seen = vec![false; values.len()];
        for split in [&data.train, &data.test] {
            for (z, &label) in split.features.rows().into_iter().zip(&split.labels) {
                let original: Vec<f64> = (0..3).map(|c| f64::from(z[c]) * data.std[c] + data.mean[c]).collect();
                let i = original[0].round() as usize;
                prop_assert!(i < values.len() && !seen[i], "row number {}", original[0]);
                seen[i] = true;
                prop_assert_eq!(label, i % classes);
                for c in 0..2 {
                    let tolerance = 1e-6 * (data.mean[c + 1].abs() + data.std[c + 1]) + 1e-3;
                    prop_assert!((original[c + 1] - f64::from(values[i][c])).abs() <= tolerance, "row {i}: {} vs {}", original[c + 1], values[i][c]);
                }
            }
        }
    }

    #[test]
    fn values_up_to_the_f32_limit_are_standardised_to_finite_features(
        values in prop::collection::vec(prop_oneof![-3e38f32..3e38, -1e20f32..1e20, -1.0f32..1.0], 12..40),
    ) {
        // Found by fuzzing: values near 1e22 overflowed the f32 variance (std = ∞, every feature 0).
        let mut text = String::new();
        for (i, v) in values.iter().enumerate() {
            text += &format!("{v},{}\n", i % 2);
        }
        let data = Dataset::from_csv(text.as_bytes(), "huge.csv", &options()).unwrap();
        valid_dataset_invariants(&data);
        prop_assert!(data.mean.iter().chain(data.std.iter()).all(|v| v.is_finite()));
    }

    #[test]
    fn any_settings_are_validated_without_panic(values in prop::collection::btree_map(setting_name(), setting_value(), 0..12)) {
        let errors = validation_errors(&values);
        match Settings::from_values(&values) {
            Ok(settings) => {
                prop_assert!(errors.is_empty(), "{errors:?}");
                // Accepted numbers lie in their declared ranges, and the settings survive a
                // round trip through their values (the URL hash, a run file).
                for spec in SCHEMA.iter().filter(|s| matches!(s.kind, SettingKind::Number | SettingKind::Integer)) {
                    if let Some(Value::Number(v)) = settings.to_values().get(spec.name) {
                        // (real settings are f32: their bounds too)
                        prop_assert!(*v as f32 >= spec.min as f32 && *v as f32 <= spec.max as f32, "{} = {v}", spec.name);
                    }
                }
                prop_assert_eq!(Settings::from_values(&settings.to_values()).unwrap(), settings);
            }
            Err(e) => {
                prop_assert!(!errors.is_empty(), "from_values refused ({e}) what validation_errors accepts");
                // Every problem renders to a sentence.
                prop_assert!(errors.iter().all(|(_, problem)| !problem.message().to_string().is_empty()));
            }
        }
    }

    #[test]
    fn a_live_setting_is_accepted_only_when_finite_and_in_range(name in setting_name(), value in any::<f64>()) {
        match Settings::check_live(&name, value) {
            Ok(v) => {
                let spec = settings::spec(&name).unwrap();
                prop_assert!(spec.live && value.is_finite() && value as f32 >= spec.min as f32 && value as f32 <= spec.max as f32);
                prop_assert!(v.is_finite());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn run_files_cut_short_or_with_bytes_changed_load_or_are_refused(
        cut in 0usize..3000,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = run_file().into_bytes();
        for (at, byte) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
        bytes.truncate(cut);
        let text = String::from_utf8_lossy(&bytes);
        match SavedRun::from_json(&text).and_then(Session::from_saved) {
            Ok(session) => prop_assert!(session.model(ModelKind::Teacher).is_finite()),
            Err(e) => prop_assert!(e.to_string().starts_with("cannot load this run: ") || e.to_string().contains("setting"), "{e}"),
        }
    }

    #[test]
    fn run_files_with_a_value_replaced_load_or_are_refused(
        target in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            Just(serde_json::Value::Null),
            any::<f64>().prop_map(|v| serde_json::json!(v)),
            any::<i64>().prop_map(|v| serde_json::json!(v)),
            "\\PC{0,8}".prop_map(serde_json::Value::String),
            Just(serde_json::json!([])),
            Just(serde_json::json!({})),
            Just(serde_json::json!([1e30, -1e30])),
        ],
    ) {
        let mut document: serde_json::Value = serde_json::from_str(&run_file()).unwrap();
        let mut leaves = Vec::new();
        collect_leaves(&document, String::new(), &mut leaves);
        let pointer = &leaves[target.index(leaves.len())];
        *document.pointer_mut(pointer).unwrap() = replacement;
        match SavedRun::from_json(&document.to_string()).and_then(Session::from_saved) {
            Ok(session) => prop_assert!(session.model(ModelKind::Kd).is_finite()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn losses_are_finite_for_any_logits_and_temperature(
        student in prop::collection::vec(-1e4f32..1e4, 12),
        teacher in prop::collection::vec(-1e4f32..1e4, 12),
        labels in prop::collection::vec(0usize..4, 3),
        temperature in 0.05f32..100.0,
        alpha in 0.0f32..=1.0,
        logits in any::<bool>(),
    ) {
        let student = Array2::from_shape_vec((3, 4), student).unwrap();
        let teacher = Array2::from_shape_vec((3, 4), teacher).unwrap();
        let kind = if logits { SoftLoss::Logits } else { SoftLoss::Kl };
        let batch = Batch { student_logits: student.view(), labels: &labels, teacher_logits: Some(teacher.view()), temperature, alpha };
        let (loss, gradient) = loss_of(kind.method(), &batch).unwrap();
        prop_assert!([loss.total, loss.soft, loss.hard].iter().chain(gradient.iter()).all(|v| v.is_finite()), "{loss:?}");
        prop_assert!(loss.soft >= -1e-3 && loss.hard >= 0.0);
        for row in softmax(teacher.view(), temperature).rows() {
            prop_assert!((row.sum() - 1.0).abs() < 1e-5);
        }
    }
}

/// JSON pointers of every number, string, boolean and null in `value`.
fn collect_leaves(value: &serde_json::Value, path: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| collect_leaves(v, format!("{path}/{k}"), out)),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| collect_leaves(v, format!("{path}/{i}"), out))
        }
        _ => out.push(path),
    }
}

#[test]
fn settings_at_the_ends_of_their_ranges_survive_a_round_trip() {
    // Found by fuzzing: a learning rate of 1e-5 (the minimum) was saved as the f32 nearest to it,
    // 9.99999974737875e-6, which the range check then refused, so such a run could not be loaded.
    for spec in SCHEMA.iter().filter(|s| matches!(s.kind, SettingKind::Number | SettingKind::Integer)) {
        for end in [spec.min, spec.max] {
            let values = BTreeMap::from([(spec.name.to_string(), Value::Number(end))]);
            let Ok(settings) = Settings::from_values(&values) else { continue }; // (another setting may forbid it)
            let again = Settings::from_values(&settings.to_values());
            assert_eq!(again.as_ref().ok(), Some(&settings), "{} = {end}: {again:?}", spec.name);
        }
    }
}

#[test]
fn the_settings_values_round_trip_keeps_every_setting() {
    // What the property above relies on: to_values lists every setting of the schema.
    let settings = Settings::from_values(&BTreeMap::new()).unwrap();
    let values = settings.to_values();
    for spec in SCHEMA {
        assert!(values.contains_key(spec.name), "{}", spec.name);
    }
}
