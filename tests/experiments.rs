//! The shipped experiments show their effect from a fixed seed, judged by their own verdicts: the
//! presets (one run) and the studies (several runs compared); every verdict fails when the control
//! takes the distilled student's place. The measurements over the held-out seeds 10–29 are in
//! docs/experiments.md and the README ("Experiments").

use std::collections::BTreeMap;

use kd_playground::data::SplitName;
use kd_playground::experiments::{
    experiment, judge, outcome, preset_shown, ArmResult, Finding, OverSeeds, Study, StudyOutcome, EXPERIMENTS,
    SWEEP_TEMPERATURES, SWEEP_WIDTHS,
};
use kd_playground::session::{Phase, Session};
use kd_playground::settings::{dataset_defaults, Settings, Value};

fn run(name: &str, seed: u64) -> kd_playground::experiments::Outcome {
    run_session(name, seed).0
}

fn run_session(name: &str, seed: u64) -> (kd_playground::experiments::Outcome, Session) {
    let experiment = experiment(name).expect("a shipped experiment");
    let mut values: BTreeMap<String, Value> = dataset_defaults(experiment.dataset)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
        .collect();
    for (k, v) in experiment.settings {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    values.insert("seed".into(), Value::Number(seed as f64));
    let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
    assert!(outcome(experiment, &session).is_err(), "judged only once training is done");
    session.run_phase(Phase::Teacher).unwrap();
    session.run_phase(Phase::Distil).unwrap();
    (outcome(experiment, &session).unwrap(), session)
}

#[test]
fn every_experiment_has_a_claim_and_valid_settings() {
    let names: Vec<&str> = EXPERIMENTS.iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "omitted-class",
            "small-transfer-set",
            "temperature-width",
            "ensemble-teacher",
            "high-temperature",
            "born-again"
        ]
    );
    for e in EXPERIMENTS {
        let claim = e.claim().to_string();
        assert!(claim.len() > 40 && claim.ends_with('.'), "{}", e.name);
        assert!(Settings::from_values(&e.values()).is_ok(), "{}", e.name);
        assert_eq!(e.check.is_study(), !e.arms().is_empty(), "{}: a study has runs, a preset has none", e.name);
    }
}

#[test]
fn the_omitted_class_preset_shows_its_effect() {
    let (result, session) = run_session("omitted-class", 1);
    let omitted = result.omitted.clone().expect("the omitted class's numbers");
    assert_eq!(omitted.class, 3);
    assert_eq!(omitted.control_before, 0.0);
    assert!(result.shown, "{omitted:?}");
    // the control in the distilled student's place does not pass
    let check = experiment("omitted-class").unwrap().check;
    let control = result.control_test_accuracy;
    assert!(!preset_shown(check, control, control, Some((omitted.control_after, omitted.control_after))));
    // the accuracy on the other classes, counted sample by sample from each student's answers
    let argmax = |p: &[f32]| (0..p.len()).fold(0, |b, k| if p[k] > p[b] { k } else { b });
    let (mut kd_right, mut control_right, mut others) = (0, 0, 0);
    for i in 0..session.data().test.len() {
        let report = session.inspect(SplitName::Test, i).unwrap();
        if report.label != 3 {
            others += 1;
            kd_right += usize::from(argmax(&report.kd_student_t1) == report.label);
            control_right += usize::from(argmax(&report.control_student_t1) == report.label);
        }
    }
    assert!((omitted.kd_others_before - kd_right as f32 / others as f32).abs() < 1e-5, "{omitted:?}");
    assert!((omitted.control_others_before - control_right as f32 / others as f32).abs() < 1e-5, "{omitted:?}");
    assert!(omitted.kd_others_after <= omitted.kd_others_before, "raising 3's bias never makes another class right");
    assert!(omitted.control_others_after <= omitted.control_others_before);
}

#[test]
fn the_small_transfer_set_preset_shows_its_effect() {
    let result = run("small-transfer-set", 1);
    assert!(result.shown, "distilled {} vs control {}", result.kd_test_accuracy, result.control_test_accuracy);
    assert!(result.kd_test_accuracy >= result.control_test_accuracy + 0.01, "{result:?}");
    let check = experiment("small-transfer-set").unwrap().check;
    let control = result.control_test_accuracy;
    assert!(!preset_shown(check, control, control, None), "the control in the distilled student's place");
    // a lead of one test image is not enough: the margin is a point
    let one_image = 1.0 / 451.0;
    assert!(!preset_shown(check, control + one_image, control, None));
}

/// The study's arms with the control put in each distilled student's place (its accuracy, its
/// agreement and closeness to the teacher, its predictions).
fn control_in_place(arms: &[ArmResult]) -> Vec<ArmResult> {
    arms.iter()
        .cloned()
        .map(|mut a| {
            a.kd = a.control;
            a.kd_agreement = a.control_agreement;
            a.kd_kl = a.control_kl;
            a.kd_predictions = a.control_predictions.clone();
            a
        })
        .collect()
}

/// A study's verdict holds on its own arms and fails with the control in the distilled students' place.
fn shown_and_not_by_the_control(name: &str, o: &StudyOutcome) {
    let check = experiment(name).unwrap().check;
    assert_eq!(judge(check, &o.arms).unwrap().0, o.shown);
    assert!(o.shown, "{name}: {:?}", o.finding);
    assert!(
        !judge(check, &control_in_place(&o.arms)).unwrap().0,
        "{name}: the control passes in the distilled student's place"
    );
}

#[test]
fn the_claim_over_seeds_is_judged_by_a_seeded_bootstrap_interval() {
    let differences = [0.04, 0.05, 0.03, 0.06, 0.045];
    let o = OverSeeds::of(&differences, &[true; 5], 0.01).unwrap();
    assert_eq!((o.seeds, o.shown), (5, 5));
    assert!((o.mean - 0.045).abs() < 1e-6);
    // the sample standard deviation (ddof 1)
    assert!((o.std.unwrap() - 0.011_180_34).abs() < 1e-6, "{o:?}");
    assert!(o.low > 0.03 && o.low < o.mean && o.high > o.mean && o.high < 0.06, "{o:?}");
    assert!(o.holds);
    assert_eq!(OverSeeds::of(&differences, &[true; 5], 0.01).unwrap(), o, "the same bits every time");
    // a mean above the margin is not enough when the interval reaches below it
    let mixed = OverSeeds::of(&[0.06, -0.02, 0.05, -0.01, 0.04], &[true, false, true, false, true], 0.01).unwrap();
    assert!(mixed.mean > 0.01 && mixed.low < 0.01 && !mixed.holds, "{mixed:?}");
}

/// Runs study `name` from `seed` to the end, a few mini-batches at a time as the page does.
fn study(name: &str, seed: u64) -> StudyOutcome {
    let experiment = experiment(name).expect("a shipped study");
    let mut values = experiment.values();
    values.insert("seed".into(), Value::Number(seed as f64));
    let mut study = Study::new(experiment, &values).unwrap();
    assert!(study.outcome().is_err(), "judged only once every run is done");
    let mut steps = 0;
    while !study.step(97).unwrap().done {
        steps += 1;
        assert!(steps < 100_000, "the study ends");
    }
    let outcome = study.outcome().unwrap();
    assert_eq!(outcome.arms.len(), experiment.arms().len());
    outcome
}

#[test]
fn the_temperature_by_width_study_shows_its_effect() {
    let o = study("temperature-width", 1);
    let Finding::TemperatureByWidth { kd, control, best_temperature, .. } = &o.finding else {
        panic!("{:?}", o.finding)
    };
    assert_eq!((kd.len(), kd[0].len()), (SWEEP_WIDTHS.len(), SWEEP_TEMPERATURES.len()));
    assert!(o.shown, "best temperatures {best_temperature:?}");
    shown_and_not_by_the_control("temperature-width", &o);
    // The smallest student does best at T = 1; the widest gains over its control at T ≥ 4.
    assert_eq!(best_temperature[0], 1.0);
    assert!(kd[2][2..].iter().all(|&a| a > control[2] + 0.02), "{kd:?} vs {control:?}");
    // Arms of one width share their control student: it does not depend on T.
    for row in o.arms.chunks(SWEEP_TEMPERATURES.len()) {
        assert!(row.iter().all(|a| a.control == row[0].control));
    }
}

#[test]
fn the_ensemble_study_shows_its_effect() {
    let o = study("ensemble-teacher", 1);
    let Finding::EnsembleTeacher { ensemble, member_mean, kd_from_ensemble, control, .. } = o.finding else { panic!() };
    shown_and_not_by_the_control("ensemble-teacher", &o);
    assert!(ensemble > member_mean && kd_from_ensemble > control, "{:?}", o.finding);
    assert_eq!(o.arms[1].members.len(), 5);
    assert_eq!(o.arms[0].members[0], o.arms[1].members[0], "the ensemble's first teacher is the single teacher");
}

#[test]
fn the_high_temperature_study_shows_its_effect() {
    let o = study("high-temperature", 1);
    shown_and_not_by_the_control("high-temperature", &o);
    let Finding::HighTemperature { agreement_low, agreement_high, agreement_control, .. } = o.finding else { panic!() };
    assert!(agreement_high > agreement_low && agreement_high > agreement_control, "{:?}", o.finding);
}

#[test]
fn the_born_again_study_shows_what_it_claims() {
    let o = study("born-again", 1);
    shown_and_not_by_the_control("born-again", &o);
    let Finding::BornAgain { teacher, kd, kd_kl, control_kl, .. } = o.finding else { panic!() };
    assert!((kd - teacher).abs() <= 0.01 && kd_kl < control_kl, "{:?}", o.finding);
}
