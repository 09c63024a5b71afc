//! A copy of a session that follows its snapshots (the page's main thread, while a worker trains)
//! shows the same run: the same status, history, reports on any sample and saved run, bit for bit,
//! for every method, an ensemble, a transfer set, a diverged run and fresh students on a trained
//! teacher; however the training is cut into stretches between snapshots.

use std::collections::BTreeMap;

use kd_playground::data::SplitName;
use kd_playground::session::{ModelKind, Phase, SentVersions, Session};
use kd_playground::settings::{Settings, Value};

fn settings(overrides: &[(&str, &str)]) -> Settings {
    let mut values: BTreeMap<String, Value> = [
        ("dataset", "spiral"),
        ("points", "120"),
        ("teacherHidden", "16,16"),
        ("studentHidden", "6,6"),
        ("teacherEpochs", "3"),
        ("studentEpochs", "4"),
        ("hintEpochs", "2"),
        ("seed", "7"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
    .collect();
    for (k, v) in overrides {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    Settings::from_values(&values).expect("valid settings")
}

/// What the page reads of a run, as text: any difference shows.
fn view(session: &Session) -> String {
    let mut out = format!("{:?}\n{:?}\n{:?}\n", session.status(), session.history(), session.last_batch());
    // the teacher's test logits, kept while its weights stay the same, are those of its weights now
    let test = session.data().test.features.view();
    let kept = session.teacher_test_logits().expect("teacher logits");
    assert_eq!(kept, session.logits_at(ModelKind::Teacher, test, 1.0).expect("teacher logits"));
    out += &format!("{kept:?}\n");
    for (split, index) in [(SplitName::Train, 0), (SplitName::Test, 3)] {
        out += &format!("{:?}\n", session.inspect(split, index).expect("inspect"));
        if session.phase() != Phase::Teacher {
            out += &format!("{:?}\n", session.explain(split, index).map(|i| format!("{i:?}")).ok());
        }
    }
    out += &serde_json::to_string(&session.to_saved().expect("saved run")).expect("json");
    out
}

/// Trains `trainer` to the end in stretches of 1, 2, 3, … mini-batches (cycling), the copy
/// following after each; checks that they agree after every stretch.
fn follow_to_the_end(mut trainer: Session, mut copy: Session) -> Session {
    let mut sent = SentVersions::default();
    copy.follow(&trainer.snapshot(0, 0, &mut sent)).expect("follow");
    let mut heard = (trainer.history().teacher.len(), trainer.history().students.len());
    assert_eq!(view(&trainer), view(&copy), "at the start");
    for stretch in (1..=5).cycle() {
        for _ in 0..stretch {
            trainer.step_batch().expect("step");
        }
        let snapshot = trainer.snapshot(heard.0, heard.1, &mut sent);
        heard = (trainer.history().teacher.len(), trainer.history().students.len());
        copy.follow(&snapshot).expect("follow");
        assert_eq!(view(&trainer), view(&copy), "after {} steps", trainer.status().steps);
        if matches!(trainer.phase(), Phase::Done | Phase::Diverged) {
            break;
        }
    }
    copy
}

#[test]
fn a_copy_that_follows_snapshots_shows_the_same_run_for_every_method() {
    for method in ["kd", "logits", "fitnets", "rkd", "dml", "byot", "label-smoothing", "dkpp"] {
        let s = settings(&[("method", method)]);
        follow_to_the_end(Session::new(s.clone()).unwrap(), Session::new(s).unwrap());
    }
    let s = settings(&[("teachers", "3"), ("trainFraction", "0.3"), ("klDirection", "reverse")]);
    follow_to_the_end(Session::new(s.clone()).unwrap(), Session::new(s).unwrap());
}

#[test]
fn a_copy_follows_a_diverged_run_and_fresh_students() {
    let s = settings(&[
        ("optimizer", "sgd"),
        ("learningRate", "10"),
        ("points", "300"),
        ("teacherHidden", "64,64"),
        ("seed", "0"),
    ]);
    let copy = follow_to_the_end(Session::new(s.clone()).unwrap(), Session::new(s).unwrap());
    assert_eq!(copy.phase(), Phase::Diverged);
    assert!(copy.stopped().is_some());

    // fresh students on a trained teacher, built on both sides from their own session
    let s = settings(&[]);
    let mut trainer = Session::new(s.clone()).unwrap();
    trainer.run_phase(Phase::Teacher).unwrap();
    let copy = follow_to_the_end(trainer.clone(), Session::new(s).unwrap());
    let fresh = settings(&[("trainFraction", "0.5")]);
    follow_to_the_end(trainer.with_students(fresh.clone()).unwrap(), copy.with_students(fresh).unwrap());
}

#[test]
fn a_snapshot_that_does_not_fit_is_refused_and_changes_nothing() {
    let mut trainer = Session::new(settings(&[])).unwrap();
    let mut copy = Session::new(settings(&[("studentHidden", "5,6")])).unwrap();
    trainer.step_batch().unwrap();
    let snapshot = trainer.snapshot(0, 0, &mut SentVersions::default());
    let before = view(&copy);
    assert!(copy.follow(&snapshot).is_err());
    assert_eq!(view(&copy), before);
    let mut short = snapshot.clone();
    short.weights.pop();
    let mut same = Session::new(settings(&[])).unwrap();
    assert!(same.follow(&short).is_err());
    assert!(same.follow(&snapshot).is_ok());
}
