//! The shipped experiment presets show their effect from a fixed seed, judged by their own
//! verdicts (the full measurements over seeds are in src/experiments.rs).

use std::collections::BTreeMap;

use kd_playground::distillation::{Phase, Session};
use kd_playground::experiments::{experiment, outcome, EXPERIMENTS};
use kd_playground::settings::{dataset_defaults, Settings, Value};

fn run(name: &str, seed: u64) -> kd_playground::experiments::Outcome {
    let experiment = experiment(name).expect("a shipped experiment");
    let mut values: BTreeMap<String, Value> =
        dataset_defaults(experiment.dataset).into_iter().map(|(k, v)| (k.to_string(), Value::Text(v.to_string()))).collect();
    for (k, v) in experiment.settings {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    values.insert("seed".into(), Value::Number(seed as f64));
    let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
    assert!(outcome(experiment, &session).is_err(), "judged only once training is done");
    session.run_phase(Phase::Teacher).unwrap();
    session.run_phase(Phase::Distil).unwrap();
    outcome(experiment, &session).unwrap()
}

#[test]
fn every_experiment_has_a_claim_and_valid_settings() {
    assert_eq!(EXPERIMENTS.len(), 2);
    for e in EXPERIMENTS {
        assert!(e.claim.len() > 40 && e.claim.ends_with('.'), "{}", e.name);
    }
}

#[test]
fn the_omitted_class_preset_shows_its_effect() {
    let result = run("omitted-class", 1);
    let omitted = result.omitted.expect("the omitted class's numbers");
    assert_eq!(omitted.class, 3);
    assert_eq!(omitted.control_before, 0.0);
    assert!(result.shown, "{omitted:?}");
}

#[test]
fn the_small_transfer_set_preset_shows_its_effect() {
    let result = run("small-transfer-set", 1);
    assert!(result.shown, "distilled {} vs control {}", result.kd_test_accuracy, result.control_test_accuracy);
    assert!(result.kd_test_accuracy >= result.control_test_accuracy + 0.01, "{result:?}");
}
