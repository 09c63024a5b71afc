//! The real data sets, compiled into the crate from this folder's CSV files (see README.md here
//! for their provenance).

use ndarray::Array2;

use super::RawData;
use crate::error::{KdError, Result};

const DIGITS_CSV: &str = include_str!("digits.csv");
const IRIS_CSV: &str = include_str!("iris.csv");

/// Parses rows of comma-separated numbers whose last column is an integer class label.
fn parse_rows(text: &str, features: usize, classes: usize, what: &str) -> Result<(Vec<f32>, Vec<usize>)> {
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for (line_number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != features + 1 {
            return Err(KdError::Data(format!("{what} line {}: {} fields, expected {}", line_number + 1, fields.len(), features + 1)));
        }
        for field in &fields[..features] {
            let value: f32 = field
                .parse()
                .map_err(|_| KdError::Data(format!("{what} line {}: '{field}' is not a number", line_number + 1)))?;
            values.push(value);
        }
        let label: usize = fields[features]
            .parse()
            .ok()
            .filter(|&y| y < classes)
            .ok_or_else(|| KdError::Data(format!("{what} line {}: bad label '{}'", line_number + 1, fields[features])))?;
        labels.push(label);
    }
    Ok((values, labels))
}

fn to_raw(values: Vec<f32>, labels: Vec<usize>, features: usize, class_names: Vec<String>, feature_names: Vec<String>) -> Result<RawData> {
    let features = Array2::from_shape_vec((labels.len(), features), values).map_err(|e| KdError::Data(e.to_string()))?;
    Ok(RawData { features, labels, class_names, feature_names })
}

/// UCI optical digits, 8×8 pixels in 0..16 (row-major), 10 classes, 1797 samples.
pub(super) fn digits() -> Result<RawData> {
    let (values, labels) = parse_rows(DIGITS_CSV, 64, 10, "digits.csv")?;
    let class_names = (0..10).map(|d| d.to_string()).collect();
    let feature_names = (0..64).map(|p| format!("pixel ({}, {})", p / 8, p % 8)).collect();
    to_raw(values, labels, 64, class_names, feature_names)
}

/// Fisher's iris, 4 measurements in cm, 3 classes, 150 samples. The first line is scikit-learn's
/// header `150,4,setosa,versicolor,virginica`.
pub(super) fn iris() -> Result<RawData> {
    let (header, body) = IRIS_CSV.split_once('\n').ok_or_else(|| KdError::Data("iris.csv is empty".into()))?;
    let class_names: Vec<String> = header.trim().split(',').skip(2).map(str::to_string).collect();
    let (values, labels) = parse_rows(body, 4, class_names.len(), "iris.csv")?;
    let feature_names = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    to_raw(values, labels, 4, class_names, feature_names)
}
