//! The response-based methods against PyTorch's float64 autograd (tests/reference/methods_vectors.json,
//! written by tests/reference/methods_reference.py): the reverse KL's terms and gradient, and label
//! smoothing's targets against `F.cross_entropy(…, label_smoothing=ε)`.

use kd_playground::methods::label_smoothing::smoothed_logits_into;
use kd_playground::methods::{loss_of, Batch, ReverseKl, SoftLabels};
use ndarray::Array2;
use serde_json::Value;

fn matrix(value: &Value) -> Array2<f32> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(value.clone()).expect("a matrix of numbers");
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), cols), |(i, j)| rows[i][j] as f32)
}

fn cases(method: &str) -> Vec<Value> {
    let json: Value = serde_json::from_str(include_str!("reference/methods_vectors.json")).expect("valid JSON");
    let all = json["cases"].as_array().expect("cases").clone();
    assert_eq!(all.len() as u64, json["n_cases"].as_u64().unwrap_or(0));
    all.into_iter().filter(|c| c["method"] == method).collect()
}

fn close(actual: f32, expected: f64, relative: f64, what: &str) {
    let tolerance = relative * expected.abs().max(1.0);
    assert!((f64::from(actual) - expected).abs() <= tolerance, "{what}: {actual} vs PyTorch {expected}");
}

#[test]
fn the_reverse_kl_is_pytorchs() {
    let cases = cases("reverse-kl");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let t = case["temperature"].as_f64().unwrap();
        let alpha = case["alpha"].as_f64().unwrap() as f32;
        let student = matrix(&case["student_logits"]);
        let teacher = matrix(&case["teacher_logits"]);
        let labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).unwrap();
        let batch = Batch {
            student_logits: student.view(),
            labels: &labels,
            teacher_logits: Some(teacher.view()),
            temperature: t as f32,
            alpha,
        };
        let (terms, gradient) = loss_of(&ReverseKl, &batch).unwrap();
        // T² amplifies f32 cancellation at T = 20
        let relative = if t >= 20.0 { 1e-3 } else { 2e-5 };
        close(terms.soft, case["soft"].as_f64().unwrap(), relative, &format!("soft at T = {t}"));
        close(terms.hard, case["hard"].as_f64().unwrap(), relative, "hard");
        close(terms.total, case["total"].as_f64().unwrap(), relative, "total");
        let expected = matrix(&case["gradient"]);
        for (a, e) in gradient.iter().zip(expected.iter()) {
            assert!((a - e).abs() <= 2e-5, "gradient at T = {t}: {a} vs PyTorch {e}");
        }
    }
}

#[test]
fn label_smoothing_targets_are_pytorchs() {
    let cases = cases("label-smoothing");
    assert_eq!(cases.len(), 3);
    for case in cases {
        let epsilon = case["epsilon"].as_f64().unwrap();
        let student = matrix(&case["student_logits"]);
        let labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).unwrap();
        let mut targets = Array2::zeros(student.dim());
        smoothed_logits_into(&labels, epsilon as f32, 1.0, targets.view_mut());
        let batch = Batch {
            student_logits: student.view(),
            labels: &labels,
            teacher_logits: Some(targets.view()),
            temperature: 1.0,
            alpha: 1.0,
        };
        let (terms, gradient) = loss_of(&SoftLabels, &batch).unwrap();
        // KL(target ‖ q) = CE(target, q) − H(target), the targets' entropy written out here
        let k = student.ncols() as f64;
        let (right, wrong) = (1.0 - epsilon + epsilon / k, epsilon / k);
        let entropy = -[right, wrong]
            .iter()
            .zip([1.0, k - 1.0])
            .map(|(&p, n)| if p > 0.0 { n * p * p.ln() } else { 0.0 })
            .sum::<f64>();
        close(terms.soft, case["cross_entropy"].as_f64().unwrap() - entropy, 2e-5, &format!("ε = {epsilon}"));
        let expected = matrix(&case["gradient"]);
        for (a, e) in gradient.iter().zip(expected.iter()) {
            assert!((a - e).abs() <= 2e-6, "gradient at ε = {epsilon}: {a} vs PyTorch {e}");
        }
    }
}
