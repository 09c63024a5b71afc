//! Teachers beyond the single one: an ensemble whose soft label is the average of its members'
//! probabilities, logit matching instead of KL, and a trained teacher shared by fresh students
//! (what the temperature × width sweep uses) giving exactly the run a fresh session gives.

use std::collections::BTreeMap;

use kd_playground::data::SplitName;
use kd_playground::losses::softmax;
use kd_playground::session::{ModelKind, Phase, Session};
use kd_playground::settings::{Settings, Value};

fn settings(overrides: &[(&str, &str)]) -> Settings {
    let mut values: BTreeMap<String, Value> =
        [("dataset", "iris"), ("teacherEpochs", "5"), ("studentEpochs", "6"), ("seed", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
            .collect();
    for (k, v) in overrides {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    Settings::from_values(&values).expect("valid settings")
}

#[test]
fn each_member_of_an_ensemble_starts_from_its_own_seed() {
    let ensemble = Session::new(settings(&[("teachers", "3")])).unwrap();
    let members: Vec<_> = ensemble.teachers().cloned().collect();
    assert_eq!(members.len(), 3);
    for (k, member) in members.iter().enumerate() {
        let single = Session::new(settings(&[("seed", &(2 + k).to_string())])).unwrap();
        assert_eq!(
            member,
            single.model(ModelKind::Teacher),
            "member {k} starts like a single teacher from seed {}",
            2 + k
        );
    }
    assert_ne!(members[0], members[1]);
}

#[test]
fn the_ensembles_soft_label_is_the_average_of_its_members_probabilities() {
    let mut session = Session::new(settings(&[("teachers", "3")])).unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    let features = session.data().test.features.clone();
    for t in [1.0f32, 2.5, 8.0, 40.0] {
        let ensemble = session.probabilities(ModelKind::Teacher, features.view(), t).unwrap();
        let members: Vec<_> =
            session.teachers().map(|m| softmax(m.forward(features.view()).unwrap().view(), t)).collect();
        let mean =
            members.iter().fold(ndarray::Array2::<f32>::zeros(ensemble.dim()), |sum, p| sum + p) / members.len() as f32;
        let gap = (&ensemble - &mean).iter().fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(gap < 1e-5, "at T = {t} the ensemble's probabilities are its members' mean (gap {gap})");
    }
    // Its prediction is the argmax of the mean at T = 1, and the history reports that accuracy.
    let accuracy = session.accuracy(ModelKind::Teacher, SplitName::Test).unwrap();
    assert_eq!(session.history().teacher.last().unwrap().test_accuracy, accuracy);
    // The distilled student trains on it to the end.
    assert_eq!(session.run_phase(Phase::Distil).unwrap().phase, Phase::Done);
    let report = session.inspect(SplitName::Test, 0).unwrap();
    assert!((report.teacher_at_t.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}

#[test]
fn an_ensemble_saves_and_loads_back_every_member() {
    let mut session = Session::new(settings(&[("teachers", "2")])).unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    session.step_epoch().unwrap();
    let loaded = Session::from_saved(session.to_saved().unwrap()).unwrap();
    assert!(loaded.teachers().eq(session.teachers()));
    assert_eq!(
        loaded.predictions(ModelKind::Teacher, SplitName::Test).unwrap(),
        session.predictions(ModelKind::Teacher, SplitName::Test).unwrap()
    );
    let mut one_short = session.to_saved().unwrap();
    one_short.weights.other_teachers.clear();
    let error = Session::from_saved(one_short).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("it has 1 teachers, but its settings say 2"), "{error}");
}

#[test]
fn the_methods_that_read_one_teachers_logits_or_layers_need_a_single_teacher() {
    for method in ["logits", "fitnets", "rkd"] {
        let error = Settings::from_values(
            &[("method", method), ("teachers", "2")]
                .iter()
                .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
                .collect(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(error.contains(&format!("{method} reads one teacher's logits or layers")), "{error}");
    }
    // KD and its controls learn from an ensemble's averaged soft labels
    for method in ["kd", "label-smoothing", "dkpp"] {
        let values = [("method", method), ("teachers", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
            .collect();
        assert!(Settings::from_values(&values).is_ok(), "{method}");
    }
}

#[test]
fn a_student_trained_by_logit_matching_learns_and_ignores_the_temperature() {
    let run = |t: &str| {
        let mut session =
            Session::new(settings(&[("method", "logits"), ("temperature", t), ("alpha", "0.7")])).unwrap();
        session.run_phase(Phase::Teacher).unwrap();
        session.run_phase(Phase::Distil).unwrap();
        session
    };
    let (a, b) = (run("2"), run("30"));
    assert_eq!(a.phase(), Phase::Done);
    assert_eq!(a.model(ModelKind::Kd), b.model(ModelKind::Kd), "T does not enter logit matching");
    assert_ne!(a.model(ModelKind::Kd), a.model(ModelKind::Control));
    let first = a.history().students.first().unwrap().soft_loss;
    let last = a.history().students.last().unwrap().soft_loss;
    assert!(last < first, "the logit-matching loss falls: {first} → {last}");
}

#[test]
fn fresh_students_on_a_shared_teacher_give_exactly_a_fresh_run() {
    let base = settings(&[]);
    let mut shared = Session::new(base.clone()).unwrap();
    shared.run_phase(Phase::Teacher).unwrap();
    for overrides in
        [&[("studentHidden", "8"), ("temperature", "2")][..], &[("trainFraction", "0.5"), ("method", "logits")][..]]
    {
        let students = settings(overrides);
        let mut forked = shared.with_students(students.clone()).unwrap();
        let mut fresh = Session::new(students).unwrap();
        fresh.run_phase(Phase::Teacher).unwrap();
        assert_eq!(forked.status(), fresh.status());
        forked.run_phase(Phase::Distil).unwrap();
        fresh.run_phase(Phase::Distil).unwrap();
        assert_eq!(forked.history(), fresh.history(), "{overrides:?}");
        assert_eq!(forked.model(ModelKind::Kd), fresh.model(ModelKind::Kd));
        assert_eq!(forked.model(ModelKind::Control), fresh.model(ModelKind::Control));
    }
    let error =
        shared.with_students(settings(&[("teacherHidden", "8")])).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("only the students' settings can change"), "{error}");
    let untrained = Session::new(base.clone()).unwrap();
    assert!(untrained.with_students(base).is_err());
}

#[test]
fn the_teacher_stays_frozen_while_the_students_learn() {
    // Offline distillation: once its phase is over, the teacher (each member of an ensemble) is
    // read, never trained. Its weights and its logits on the whole training split are the same, bit
    // for bit, after every student epoch, whatever the soft loss; the students do change.
    for overrides in [
        &[][..],
        &[("teachers", "3")][..],
        &[("method", "logits")][..],
        &[("method", "fitnets"), ("hintEpochs", "2")][..],
        &[("method", "rkd")][..],
        &[("method", "label-smoothing")][..],
        &[("method", "dkpp"), ("teachers", "2")][..],
        &[("method", "kd"), ("klDirection", "reverse")][..],
    ] {
        let mut session = Session::new(settings(overrides)).unwrap();
        session.run_phase(Phase::Teacher).unwrap();
        let teachers: Vec<_> = session.teachers().cloned().collect();
        let features = session.data().train.features.clone();
        let logits = |s: &Session| s.logits_at(ModelKind::Teacher, features.view(), 1.0).unwrap();
        let before = logits(&session);
        let student_before = session.model(ModelKind::Kd).clone();
        while session.phase() == Phase::Distil {
            session.step_epoch().unwrap();
            assert!(session.teachers().eq(teachers.iter()), "{overrides:?}: the teacher's weights changed");
            let after = logits(&session);
            assert!(
                before.iter().zip(after.iter()).all(|(a, b)| a.to_bits() == b.to_bits()),
                "{overrides:?}: the teacher's logits changed"
            );
        }
        assert_ne!(session.model(ModelKind::Kd), &student_before, "{overrides:?}: the distilled student did not learn");
    }
}
