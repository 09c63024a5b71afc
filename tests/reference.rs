//! The distillation loss, its two terms, the soft probabilities and the gradient reproduced in f32
//! against PyTorch's float64 values in `tests/fixtures/kd_vectors.json` (provenance in
//! `tests/fixtures/README.md`).

use kd_playground::losses::softmax;
use kd_playground::methods::{loss_of, Batch, SoftLabels};
use ndarray::Array2;
use serde_json::Value;

fn matrix(value: &Value) -> Array2<f32> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(value.clone()).expect("a matrix of numbers");
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), cols), |(i, j)| rows[i][j] as f32)
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kd_vectors.json"))
        .expect("the fixture file");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let cases = json["cases"].as_array().expect("a list of cases").clone();
    assert_eq!(cases.len(), json["n_cases"].as_u64().unwrap_or(0) as usize);
    cases
}

/// Relative tolerance: 1e-3 at T = 20, where T² amplifies f32 cancellation, and 1e-5 elsewhere.
fn relative_tolerance(temperature: f64) -> f64 {
    if temperature >= 20.0 {
        1e-3
    } else {
        1e-5
    }
}

/// The total loss within the relative tolerance of PyTorch's value (plus 1e-9 absolute, for the
/// case whose loss is zero up to PyTorch's own rounding, −1.9e-15).
fn assert_loss(actual: f32, expected: f64, temperature: f64, what: &str) {
    let tolerance = relative_tolerance(temperature) * expected.abs() + 1e-9;
    assert!(
        (actual as f64 - expected).abs() <= tolerance,
        "{what}: f32 {actual} vs PyTorch {expected} (tolerance {tolerance:e})"
    );
}

/// The soft and hard parts, which can be tiny (KL of nearly equal distributions), within the
/// relative tolerance of max(1, |value|): the fixture's own suggested f32 convention.
fn assert_part(actual: f32, expected: f64, temperature: f64, what: &str) {
    let tolerance = relative_tolerance(temperature) * expected.abs().max(1.0);
    assert!(
        (actual as f64 - expected).abs() <= tolerance,
        "{what}: f32 {actual} vs PyTorch {expected} (tolerance {tolerance:e})"
    );
}

fn assert_matrix(actual: &Array2<f32>, expected: &Array2<f32>, tolerance: f32, what: &str) {
    assert_eq!(actual.dim(), expected.dim(), "{what}: shape");
    for (index, (&a, &e)) in actual.indexed_iter().zip(expected.iter()).map(|((i, a), e)| (i, (a, e))) {
        assert!((a - e).abs() <= tolerance, "{what} at {index:?}: f32 {a} vs PyTorch {e}");
    }
}

#[test]
fn every_reference_case_is_reproduced_in_f32() {
    let cases = cases();
    assert!(cases.len() >= 29);
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let temperature = case["T"].as_f64().expect("T");
        let alpha = case["alpha"].as_f64().expect("alpha");
        let student = matrix(&case["student_logits"]);
        let teacher = matrix(&case["teacher_logits"]);
        let labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).expect("labels");

        // Hinton's method, as the distilled student learns by it.
        let batch = Batch {
            student_logits: student.view(),
            labels: &labels,
            teacher_logits: Some(teacher.view()),
            temperature: temperature as f32,
            alpha: alpha as f32,
        };
        let (loss, gradient) = loss_of(&SoftLabels, &batch).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_loss(loss.total, case["loss"].as_f64().unwrap(), temperature, &format!("{name} loss"));
        assert_part(loss.soft, case["soft_part"].as_f64().unwrap(), temperature, &format!("{name} soft part"));
        assert_part(loss.hard, case["hard_part"].as_f64().unwrap(), temperature, &format!("{name} hard part"));
        assert_matrix(&gradient, &matrix(&case["grad_student_logits"]), 5e-6, &format!("{name} gradient"));
        assert_matrix(
            &softmax(teacher.view(), temperature as f32),
            &matrix(&case["teacher_soft_probs"]),
            1e-6,
            &format!("{name} teacher soft probabilities"),
        );
        assert_matrix(
            &softmax(student.view(), temperature as f32),
            &matrix(&case["student_soft_probs"]),
            1e-6,
            &format!("{name} student soft probabilities"),
        );
    }
}

#[test]
fn the_soft_and_hard_gradients_alone_match_too() {
    use kd_playground::losses::{cross_entropy, soft_term};
    for case in &cases() {
        let name = case["name"].as_str().unwrap_or("?");
        let temperature = case["T"].as_f64().unwrap() as f32;
        let student = matrix(&case["student_logits"]);
        let teacher = matrix(&case["teacher_logits"]);
        let labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).unwrap();
        let soft = soft_term(student.view(), teacher.view(), temperature).unwrap();
        assert_matrix(&soft.gradient, &matrix(&case["grad_soft_part"]), 5e-6, &format!("{name} soft gradient"));
        let hard = cross_entropy(student.view(), &labels).unwrap();
        assert_matrix(&hard.gradient, &matrix(&case["grad_hard_part"]), 5e-6, &format!("{name} hard gradient"));
    }
}
