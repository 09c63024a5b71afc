//! Numerical robustness: logits of ±1e4, temperatures across the whole range (0.05 to 100) and
//! learning rates up to 100 give no NaN or infinity in anything the page or the command line
//! shows; training that diverges stops with an explanation and keeps the last good weights, and
//! that run can still be exported and loaded back.

use std::collections::BTreeMap;

use ndarray::{array, Array2};

use kd_playground::data::{DatasetName, SplitName};
use kd_playground::losses::{kl_divergence_rows, log_softmax, softmax};
use kd_playground::methods::{loss_of, Batch, SoftLoss};
use kd_playground::session::{ModelKind, Phase, SavedRun, Session, Status};
use kd_playground::settings::{self, dataset_defaults, Settings, Value};

const TEMPERATURES: [f32; 8] = [0.05, 0.1, 0.5, 1.0, 4.0, 20.0, 50.0, 100.0];

fn settings(dataset: DatasetName, overrides: &[(&str, &str)]) -> Settings {
    let mut values: BTreeMap<String, Value> =
        dataset_defaults(dataset).into_iter().map(|(k, v)| (k.to_string(), Value::Text(v.to_string()))).collect();
    for (k, v) in overrides {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    Settings::from_values(&values).expect("valid settings")
}

/// The places in a value's debug text where a float is NaN or infinite (`NaN`, `inf`, `-inf`).
fn non_finite(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for word in ["NaN", "inf"] {
        for (at, _) in text.match_indices(word) {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + word.len()).copied();
            let letter = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !letter(before) && !letter(after) {
                found.push(text[at.saturating_sub(60)..(at + 10).min(text.len())].to_string());
            }
        }
    }
    found
}

#[test]
fn the_non_finite_detector_finds_nan_and_infinity() {
    assert_eq!(non_finite(&format!("{:?}", vec![1.0f32, 2.0])).len(), 0);
    assert_eq!(non_finite(&format!("{:?}", vec![1.0f32, f32::NAN])).len(), 1);
    assert_eq!(non_finite(&format!("{:?}", (f32::INFINITY, -f32::INFINITY))).len(), 2);
    assert_eq!(non_finite("info: 1, inference: 2"), Vec::<String>::new());
}

#[test]
fn extreme_logits_and_temperatures_give_finite_losses_and_gradients() {
    let student: Array2<f32> = array![[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4], [0.0, 1e-3, -1e-3]];
    let teacher: Array2<f32> = array![[-1e4, 1e4, 0.0], [1e4, -1e4, 5e3], [1e4, 1e4, 1e4], [3.0, -2.0, 1e4]];
    let labels = [1, 0, 2, 1];
    for t in TEMPERATURES {
        for logits in [&student, &teacher] {
            let p = softmax(logits.view(), t);
            let lp = log_softmax(logits.view(), t);
            assert!(p.iter().chain(lp.iter()).all(|v| v.is_finite()), "T = {t}: {p:?} {lp:?}");
            for row in p.rows() {
                assert!((row.sum() - 1.0).abs() < 1e-5, "T = {t}: a softmax row sums to {}", row.sum());
            }
        }
        let kl = kl_divergence_rows(teacher.view(), student.view(), t);
        assert!(kl.iter().all(|v| v.is_finite() && *v >= 0.0), "T = {t}: KL {kl:?}");
        for kind in [SoftLoss::Kl, SoftLoss::Logits] {
            for alpha in [0.0, 0.5, 1.0] {
                let batch = Batch {
                    student_logits: student.view(),
                    labels: &labels,
                    teacher_logits: Some(teacher.view()),
                    temperature: t,
                    alpha,
                };
                let (loss, gradient) = loss_of(kind.method(), &batch).unwrap();
                let all = [loss.total, loss.soft, loss.hard];
                assert!(
                    all.iter().chain(gradient.iter()).all(|v| v.is_finite()),
                    "{kind:?}, T = {t}, α = {alpha}: {loss:?}"
                );
            }
        }
    }
}

#[test]
fn the_temperature_range_is_the_one_tested_here() {
    let spec = settings::spec("temperature").unwrap();
    assert_eq!((spec.min as f32, spec.max as f32), (TEMPERATURES[0], TEMPERATURES[TEMPERATURES.len() - 1]));
    assert_eq!(settings::spec("learningRate").unwrap().max, 100.0);
}

/// Everything a session shows: its status and history, a sample's report and insight (soft
/// labels, the temperature sweep, gradients) for each network, the class similarity, accuracies.
fn shown(session: &Session) -> String {
    // (The status's message is text: "NaN" in it is an explanation, not a number.)
    let status = Status { stopped: None, ..session.status() };
    let mut text = format!("{status:?}\n{:?}\n", session.history());
    for index in [0, 1] {
        text += &format!("{:?}\n", session.inspect(SplitName::Test, index).unwrap());
        if let Ok(insight) = session.explain(SplitName::Test, index) {
            text += &format!("{insight:?}\n");
        }
    }
    if let Ok(similarity) = session.class_similarity() {
        text += &format!("{similarity:?}\n");
    }
    for which in [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control] {
        text += &format!("{:?}\n", session.accuracy(which, SplitName::Test).unwrap());
    }
    text
}

#[test]
fn learning_rates_up_to_100_and_any_temperature_show_no_nan_and_keep_the_run_exportable() {
    let mut diverged = 0;
    for dataset in [DatasetName::Spiral, DatasetName::Digits] {
        for (optimizer, lr) in [("sgd", "100"), ("adam", "100"), ("sgd", "3"), ("adam", "30")] {
            for t in ["0.05", "100"] {
                let overrides = [
                    ("optimizer", optimizer),
                    ("learningRate", lr),
                    ("temperature", t),
                    ("teacherEpochs", "3"),
                    ("studentEpochs", "3"),
                    ("teacherHidden", "32,32"),
                ];
                let case = format!("{dataset:?}, {optimizer} at {lr}, T = {t}");
                let mut session = Session::new(settings(dataset, &overrides)).unwrap();
                for phase in [Phase::Teacher, Phase::Distil] {
                    session.run_phase(phase).unwrap();
                }
                let status = session.status();
                match status.phase {
                    Phase::Done => {}
                    Phase::Diverged => {
                        diverged += 1;
                        let message = status.stopped.as_ref().map(|m| m.to_string()).unwrap_or_default();
                        assert!(
                            message.contains("NaN or infinite") && message.contains("last good weights"),
                            "{case}: {message}"
                        );
                    }
                    other => panic!("{case}: training stopped in phase {other:?}"),
                }
                for which in [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control] {
                    assert!(session.model(which).is_finite(), "{case}: {which:?} keeps finite weights");
                }
                let problems = non_finite(&shown(&session));
                assert!(problems.is_empty(), "{case}: NaN or infinity shown:\n{}", problems.join("\n"));

                // The run, diverged or not, exports and loads back with the same weights.
                let text = session.to_saved().unwrap().to_json().unwrap();
                let loaded = Session::from_saved(SavedRun::from_json(&text).unwrap()).unwrap();
                assert_eq!(loaded.phase(), session.phase(), "{case}");
                for which in [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control] {
                    assert_eq!(loaded.model(which), session.model(which), "{case}: {which:?}");
                }
            }
        }
    }
    assert!(diverged > 0, "some of these learning rates make training diverge");
}
