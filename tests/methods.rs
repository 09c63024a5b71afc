//! The methods of the map of distillation as whole runs: each trains to the end, the same seed
//! giving the same bits; the control is the same network whatever the distilled student learns
//! by; a run of each saves and loads back with the networks its method adds; and a setting a
//! method cannot work with is refused with a message that names it.

use std::collections::BTreeMap;

use kd_playground::data::SplitName;
use kd_playground::methods::MethodKind;
use kd_playground::session::{ModelKind, Network, Phase, SavedRun, Session};
use kd_playground::settings::{Choice, Settings, Value};

/// Blobs, small and short, with `method` and `overrides`.
fn settings(method: &str, overrides: &[(&str, &str)]) -> BTreeMap<String, Value> {
    let mut values: BTreeMap<String, Value> = [
        ("dataset", "blobs"),
        ("points", "150"),
        ("teacherHidden", "16,16"),
        ("studentHidden", if method == "byot" { "8,6" } else { "8" }),
        ("teacherEpochs", "4"),
        ("studentEpochs", "5"),
        ("hintEpochs", "2"),
        ("method", method),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
    .collect();
    for (k, v) in overrides {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    values
}

fn trained(method: &str, overrides: &[(&str, &str)]) -> Session {
    let mut session = Session::new(Settings::from_values(&settings(method, overrides)).unwrap()).unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    let status = session.run_phase(Phase::Distil).unwrap();
    assert_eq!(status.phase, Phase::Done, "{method}: {status:?}");
    session
}

fn bits(session: &Session, which: ModelKind) -> Vec<u32> {
    let network = session.model(which);
    network.layers.iter().flat_map(|l| l.weights.iter().chain(l.bias.iter())).map(|v| v.to_bits()).collect()
}

#[test]
fn every_method_trains_to_the_end_and_the_same_seed_gives_the_same_bits() {
    for &method in MethodKind::ALL {
        let name = method.name();
        let (a, b) = (trained(name, &[]), trained(name, &[]));
        assert_eq!(a.history(), b.history(), "{name}");
        for which in [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control] {
            assert_eq!(bits(&a, which), bits(&b, which), "{name}: {which:?}");
        }
        assert_eq!(a.history().students.len(), 6, "{name}: epoch 0 and five epochs");
        // a method without a teacher trains none: the teacher keeps its initial weights
        let teacher_epochs = a.history().teacher.len();
        assert_eq!(teacher_epochs, if method.needs_teacher() { 5 } else { 1 }, "{name}");
        assert_eq!(a.has_teacher(), method.needs_teacher());
        for network in a.networks() {
            let fidelity = a.fidelity(network).unwrap();
            assert!((0.0..=1.0).contains(&fidelity.test_accuracy) && (0.0..=1.0).contains(&fidelity.ece));
            assert_eq!(fidelity.agreement_with_teacher.is_some(), method.needs_teacher(), "{name} {network:?}");
        }
        if method.needs_teacher() {
            let teacher = a.fidelity(Network::Teacher).unwrap();
            assert_eq!((teacher.agreement_with_teacher, teacher.test_kl_to_teacher), (Some(1.0), Some(0.0)));
        }
        // the distilled student learned something of its own
        assert_ne!(bits(&a, ModelKind::Kd), bits(&a, ModelKind::Control), "{name}");
    }
}

#[test]
fn the_control_is_the_same_network_whatever_the_distilled_student_learns_by() {
    // Same initial weights, same batches, hard labels: the control cannot depend on the method
    // (BYOT's control has an exit of its own, which trains its first layer too).
    let reference = trained("kd", &[]);
    for method in ["logits", "fitnets", "rkd", "dml", "label-smoothing", "dkpp"] {
        let session = trained(method, &[]);
        assert_eq!(bits(&session, ModelKind::Control), bits(&reference, ModelKind::Control), "{method}");
        let control: Vec<f32> = session.history().students.iter().map(|e| e.control_test_accuracy).collect();
        let expected: Vec<f32> = reference.history().students.iter().map(|e| e.control_test_accuracy).collect();
        assert_eq!(control, expected, "{method}");
    }
    // and the methods do teach differently
    let distilled: Vec<Vec<u32>> =
        ["kd", "label-smoothing", "dkpp", "logits"].iter().map(|m| bits(&trained(m, &[]), ModelKind::Kd)).collect();
    for (i, a) in distilled.iter().enumerate() {
        for b in &distilled[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn the_methods_own_measurements_are_recorded_where_they_apply() {
    let fitnets = trained("fitnets", &[]);
    let last = &fitnets.history().students.last().unwrap().method;
    assert!(last.hint_loss.is_some() && last.kd_cka.is_some() && last.control_cka.is_some());
    assert!(last.exit_test_accuracy.is_none() && last.peer_test_accuracy.is_none());
    let byot = trained("byot", &[]);
    let last = &byot.history().students.last().unwrap().method;
    assert!(last.exit_test_accuracy.is_some() && last.control_exit_test_accuracy.is_some());
    assert_eq!(
        byot.networks(),
        [Network::Teacher, Network::Kd, Network::Control, Network::KdExit, Network::ControlExit]
    );
    let dml = trained("dml", &[]);
    let last = &dml.history().students.last().unwrap().method;
    assert!(last.peer_test_accuracy.is_some() && last.peer_twin_test_accuracy.is_some());
    let kd = trained("kd", &[]);
    assert_eq!(kd.history().students.last().unwrap().method, Default::default());
    // the fitnets student's hint stage lasts hintEpochs: after it, the hint no longer trains
    let hint: Vec<f32> = fitnets.history().students.iter().filter_map(|e| e.method.hint_loss).collect();
    assert!(hint[2] < hint[0], "the hint stage lowers the hint's loss: {hint:?}");
}

#[test]
fn a_run_of_each_method_saves_and_loads_back_with_the_networks_its_method_adds() {
    for method in ["fitnets", "byot", "dml", "dkpp", "rkd"] {
        let session = trained(method, &[]);
        let json = session.to_saved().unwrap().to_json().unwrap();
        let loaded = Session::from_saved(SavedRun::from_json(&json).unwrap()).unwrap();
        assert_eq!(loaded.history(), session.history(), "{method}");
        for network in session.networks() {
            assert_eq!(loaded.fidelity(network).unwrap(), session.fidelity(network).unwrap(), "{method} {network:?}");
        }
        assert_eq!(
            loaded.accuracy(ModelKind::Kd, SplitName::Test).unwrap(),
            session.accuracy(ModelKind::Kd, SplitName::Test).unwrap()
        );
        // a file whose added networks are missing is refused with a message, not a panic
        let mut document: serde_json::Value = serde_json::from_str(&json).unwrap();
        if let Some(weights) = document["weights"].as_object_mut() {
            if weights.remove("heads").is_some() {
                let error = Session::from_saved(SavedRun::from_json(&document.to_string()).unwrap()).err();
                let message = error.map(|e| e.to_string()).unwrap_or_default();
                assert!(message.contains("weights.heads"), "{method}: {message}");
            }
        }
    }
}

#[test]
fn a_setting_the_method_cannot_work_with_is_refused_naming_it() {
    let refused = |method: &str, overrides: &[(&str, &str)]| -> (String, String) {
        let error = Settings::from_values(&settings(method, overrides)).expect_err(method);
        let (name, problem) = error.setting_problems().into_iter().next().expect("a setting's problem");
        (name, problem.message().to_string())
    };
    let (name, message) = refused("fitnets", &[("hintLayer", "2")]);
    assert_eq!(name, "hintLayer");
    assert!(message.contains("numbered 1 to 1, so hidden layer 2 cannot take the hint"), "{message}");
    let (name, message) = refused("fitnets", &[("hintEpochs", "5")]);
    assert_eq!(name, "hintEpochs");
    assert!(message.contains("would take all 5 student epochs"), "{message}");
    let (name, message) = refused("rkd", &[("studentHidden", "1")]);
    assert_eq!(name, "studentHidden");
    assert!(message.contains("at least 2 units; this one has 1"), "{message}");
    let (name, _) = refused("rkd", &[("studentHidden", "")]);
    assert_eq!(name, "studentHidden");
    let (name, message) = refused("byot", &[("studentHidden", "8")]);
    assert_eq!(name, "studentHidden");
    assert!(message.contains("at least 2 hidden layers"), "{message}");
    for method in ["fitnets", "rkd", "logits"] {
        let (name, message) = refused(method, &[("teachers", "3")]);
        assert_eq!(name, "method");
        assert!(message.contains("an ensemble of 3"), "{message}");
    }
    // and none of them is a panic in a session either: a trained network teaches only a method
    // that learns from a teacher
    let values = settings("dml", &[]);
    let data = kd_playground::data::Dataset::load(
        kd_playground::data::DatasetName::Blobs,
        &Settings::from_values(&values).unwrap().data_options(),
    )
    .unwrap();
    let teacher = trained("kd", &[]).model(ModelKind::Teacher).clone();
    assert!(Session::with_trained_teacher(Settings::from_values(&values).unwrap(), data, teacher).is_err());
}

#[test]
fn a_trained_network_teaches_as_a_teacher_would() {
    // The teacher-assistant path: a session taught by another session's network, already trained,
    // distils from it at once, exactly as the session that trained it would have.
    let session = trained("kd", &[]);
    let values = settings("kd", &[]);
    let settings = Settings::from_values(&values).unwrap();
    let data = session.data().clone();
    let mut taught = Session::with_trained_teacher(settings, data, session.model(ModelKind::Teacher).clone()).unwrap();
    assert_eq!(taught.phase(), Phase::Distil);
    taught.run_phase(Phase::Distil).unwrap();
    assert_eq!(bits(&taught, ModelKind::Kd), bits(&session, ModelKind::Kd));
    assert_eq!(taught.history().students, session.history().students);
}
