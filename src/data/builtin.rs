//! The real data sets, from this folder's CSV files (see README.md here for their provenance).
//! Natively both are compiled in. In WebAssembly only iris is: digits is a third of the module's
//! download, so the page fetches it (`www/pkg/digits.csv`, which `cargo xtask build` copies from
//! here) when a learner first chooses it, and hands it over with [`provide`], which accepts only
//! these exact bytes, so the page trains on exactly the command line's data.

use ndarray::Array2;

use super::{DatasetName, RawData};
use crate::error::{DataProblem, KdError, Result};

const IRIS_CSV: &str = include_str!("iris.csv");

/// The FNV-1a (64-bit) hash of `digits.csv`'s bytes.
pub const DIGITS_CSV_FNV1A: u64 = 0x0b6d_b7d4_442b_bc5d;

/// The name of the file a data set needs before it can be loaded (`None` for all but digits).
pub fn file_of(name: DatasetName) -> Option<&'static str> {
    (name == DatasetName::Digits).then_some("digits.csv")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(not(target_arch = "wasm32"))]
fn digits_csv() -> Result<&'static str> {
    Ok(include_str!("digits.csv"))
}

#[cfg(target_arch = "wasm32")]
static DIGITS_CSV: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[cfg(target_arch = "wasm32")]
fn digits_csv() -> Result<&'static str> {
    DIGITS_CSV
        .get()
        .map(String::as_str)
        .ok_or_else(|| KdError::Data(DataProblem::NotFetched { file: "digits.csv".into() }))
}

/// Whether data set `name` can be loaded now (digits in WebAssembly: once [`provide`]d).
pub fn is_available(name: DatasetName) -> bool {
    file_of(name).is_none() || digits_csv().is_ok()
}

/// Hands over the text of `file_of(name)`, fetched by the page. Only the exact bytes of this
/// build's copy are accepted.
pub fn provide(name: DatasetName, text: String) -> Result<()> {
    let Some(file) = file_of(name) else {
        return Err(KdError::Data(DataProblem::BuiltIn { dataset: name.name().into() }));
    };
    if fnv1a(text.as_bytes()) != DIGITS_CSV_FNV1A {
        return Err(KdError::Data(DataProblem::NotThisCopy { file: file.into(), bytes: text.len() }));
    }
    #[cfg(target_arch = "wasm32")]
    let _ = DIGITS_CSV.set(text); // a second copy is the same bytes
    Ok(())
}

/// Parses rows of comma-separated numbers whose last column is an integer class label. The files
/// are this crate's own (checked by the tests), so a fault in them is an internal error.
fn parse_rows(text: &str, features: usize, classes: usize, what: &str) -> Result<(Vec<f32>, Vec<usize>)> {
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for (line_number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != features + 1 {
            return Err(KdError::Internal(format!(
                "{what} line {}: {} fields, expected {}",
                line_number + 1,
                fields.len(),
                features + 1
            )));
        }
        for field in &fields[..features] {
            let value: f32 = field.parse().map_err(|_| {
                KdError::Internal(format!("{what} line {}: '{field}' is not a number", line_number + 1))
            })?;
            values.push(value);
        }
        let label: usize = fields[features].parse().ok().filter(|&y| y < classes).ok_or_else(|| {
            KdError::Internal(format!("{what} line {}: bad label '{}'", line_number + 1, fields[features]))
        })?;
        labels.push(label);
    }
    Ok((values, labels))
}

fn to_raw(
    values: Vec<f32>,
    labels: Vec<usize>,
    features: usize,
    class_names: Vec<String>,
    feature_names: Vec<String>,
) -> Result<RawData> {
    let features =
        Array2::from_shape_vec((labels.len(), features), values).map_err(|e| KdError::Internal(e.to_string()))?;
    Ok(RawData { features, labels, class_names, feature_names })
}

/// UCI optical digits, 8×8 pixels in 0..16 (row-major), 10 classes, 1797 samples.
pub(super) fn digits() -> Result<RawData> {
    let (values, labels) = parse_rows(digits_csv()?, 64, 10, "digits.csv")?;
    let class_names = (0..10).map(|d| d.to_string()).collect();
    let feature_names = (0..64).map(|p| format!("pixel ({}, {})", p / 8, p % 8)).collect();
    to_raw(values, labels, 64, class_names, feature_names)
}

/// Fisher's iris, 4 measurements in cm, 3 classes, 150 samples. The first line is scikit-learn's
/// header `150,4,setosa,versicolor,virginica`.
pub(super) fn iris() -> Result<RawData> {
    let (header, body) = IRIS_CSV.split_once('\n').ok_or_else(|| KdError::Internal("iris.csv is empty".into()))?;
    let class_names: Vec<String> = header.trim().split(',').skip(2).map(str::to_string).collect();
    let (values, labels) = parse_rows(body, 4, class_names.len(), "iris.csv")?;
    let feature_names = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    to_raw(values, labels, 4, class_names, feature_names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digits_checksum_is_that_of_the_file() {
        assert_eq!(fnv1a(include_bytes!("digits.csv")), DIGITS_CSV_FNV1A);
        assert!(provide(DatasetName::Digits, include_str!("digits.csv").to_string()).is_ok());
        let changed = include_str!("digits.csv").replacen('0', "1", 1);
        assert_eq!(
            provide(DatasetName::Digits, changed).unwrap_err().to_string(),
            "digits.csv is not this build's copy of the data set (264712 bytes, another checksum)"
        );
        assert!(provide(DatasetName::Iris, String::new()).is_err());
        assert!(is_available(DatasetName::Digits) && is_available(DatasetName::Iris));
    }
}
