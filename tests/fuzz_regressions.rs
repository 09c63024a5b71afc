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
        let options = DataOptions { noise: 0.2, points: 300, test_fraction: 0.25, seed: 1 };
        let data = Dataset::from_csv(&input(name), "fuzz.csv", &options).unwrap();
        assert!(data.std.iter().chain(data.mean.iter()).all(|v| v.is_finite()), "{name}: std {}", data.std);
        let features: Vec<f32> = data.train.features.iter().chain(data.test.features.iter()).copied().collect();
        assert!(features.iter().all(|v| v.is_finite()), "{name}");
        assert!(features.iter().any(|&v| v != 0.0), "{name}: the features keep their spread");
    }
}
