//! Inputs that `cargo xtask fuzz` found to break an invariant, kept as regression tests (the
//! inputs are in tests/fuzz_regressions/, named by target and fault).

use kd_playground::data::{DataOptions, Dataset};

fn input(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(name)).unwrap()
}

/// CSV files with values near 1e22 and 1e28: their variance overflowed f32, so the standard
/// deviation was infinite and every standardised feature 0 (a data set that could teach nothing).
/// The statistics are now taken in f64.
#[test]
fn csv_values_whose_squares_overflow_f32_are_standardised() {
    for name in ["csv-huge-values-1", "csv-huge-values-2"] {
        let options = DataOptions::default();
        let data = Dataset::from_csv(&input(name), "fuzz.csv", &options).unwrap();
        assert!(data.std.iter().chain(data.mean.iter()).all(|v| v.is_finite()), "{name}: std {}", data.std);
        let features: Vec<f32> = data.train.features.iter().chain(data.test.features.iter()).copied().collect();
        assert!(features.iter().all(|v| v.is_finite()), "{name}");
        assert!(features.iter().any(|&v| v != 0.0), "{name}: the features keep their spread");
    }
}

/// A CSV whose only column holds commas inside quotes: the first line's commas promised two
/// columns, the quotes made one, and a data set of 0 features came out.
#[test]
fn csv_with_one_quoted_column_is_refused() {
    let options = DataOptions::default();
    let error = Dataset::from_csv(&input("csv-quoted-commas-one-column.csv"), "fuzz.csv", &options)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("line 1: one column; a file needs at least one feature column and a label column")
    );
}

/// A run file whose networks have the right first rows and every right column count, but a
/// second layer with the wrong number of rows: loading it built a session whose first forward
/// pass could not multiply.
#[test]
fn run_with_layers_that_do_not_chain_is_refused() {
    use kd_playground::session::{SavedRun, Session};
    let text = String::from_utf8(input("run-inner-layer-mismatch.json")).unwrap();
    let error = SavedRun::from_json(&text).and_then(Session::from_saved).err().map(|e| e.to_string());
    assert_eq!(error.as_deref(), Some("cannot load this run: the teacher's layers do not fit together (4×3, 2×3)"));
}

/// Settings at the end of a range: the minimum learning rate, 1e-5, was kept as the f32 nearest
/// to it (9.99999974737875e-6) and then refused when the settings were read back (from a run file
/// or a link).
#[test]
fn settings_at_the_minimum_read_back() {
    use kd_playground::settings::{Settings, Value};
    let values: std::collections::BTreeMap<String, Value> =
        serde_json::from_slice(&input("settings-learning-rate-minimum.json")).unwrap();
    let settings = Settings::from_values(&values).unwrap();
    assert_eq!(Settings::from_values(&settings.to_values()).unwrap(), settings);
}
