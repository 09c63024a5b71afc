//! A user's CSV file (`Dataset::from_csv`, the page's "Load CSV…" and `kd run --dataset x.csv`):
//! any bytes give a data set or an error, never a panic; a data set it gives is usable.
#![no_main]

use kd_playground::data::{DataOptions, Dataset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = DataOptions::default();
    let Ok(set) = Dataset::from_csv(data, "fuzz.csv", &options) else { return };
    let classes = set.class_names.len();
    assert!(classes >= 2, "{classes} classes");
    assert!(set.feature_count() >= 1, "no feature column");
    assert_eq!(set.feature_names.len(), set.feature_count());
    for split in [&set.train, &set.test] {
        assert_eq!(split.features.nrows(), split.labels.len());
        assert_eq!(split.raw.dim(), split.features.dim());
        assert_eq!(split.features.ncols(), set.feature_count());
        assert!(split.raw.iter().chain(split.features.iter()).all(|v| v.is_finite()), "a feature is not finite");
        assert!(split.labels.iter().all(|&label| label < classes), "a label is out of range");
    }
    assert!(set.mean.iter().chain(set.std.iter()).all(|v| v.is_finite()));
});
