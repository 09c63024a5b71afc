//! The shipped experiments show their effect from a fixed seed, judged by their own verdicts: the
//! presets (one run) and the studies (several runs compared); every verdict fails when the control
//! takes the distilled student's place. The methods' studies run here shortened (fewer epochs): they
//! check what each study measures and how it is judged, not whether its claim holds, which the
//! held-out seeds decide (docs/experiments.md). The measurements over the held-out seeds 10–29 are
//! in docs/experiments.md and the README ("Experiments").

use std::collections::BTreeMap;

use kd_playground::data::SplitName;
use kd_playground::experiments::{
    experiment, judge, margin, outcome, preset_shown, study_difference, ArmResult, Check, Finding, OverSeeds, Study,
    StudyOutcome, ASSISTANT_TEACHER, CAPACITY_TEACHERS, EXPERIMENTS, SWEEP_TEMPERATURES, SWEEP_WIDTHS,
};
use kd_playground::methods::relations::RelationTerms;
use kd_playground::session::{Fidelity, MethodEpoch, Phase, Session};
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
            "born-again",
            "fitnets-hint",
            "rkd-relations",
            "mutual-learning",
            "self-distillation",
            "dark-knowledge-controls",
            "kl-direction",
            "capacity-gap"
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
/// fidelity and calibration, its layer's similarity and relations to the teacher, its predictions;
/// a second peer's control in the peer's place, the control's early exit in the exit's).
fn control_in_place(arms: &[ArmResult]) -> Vec<ArmResult> {
    arms.iter()
        .cloned()
        .map(|mut a| {
            a.kd = a.control;
            a.kd_fidelity = a.control_fidelity.clone();
            a.kd_cka = a.control_cka;
            a.kd_relation = a.control_relation;
            a.kd_predictions = a.control_predictions.clone();
            a.method.kd_cka = a.method.control_cka;
            a.method.peer_test_accuracy = a.method.peer_twin_test_accuracy;
            a.method.exit_test_accuracy = a.method.control_exit_test_accuracy;
            a
        })
        .collect()
}

/// A study's verdict holds on its own arms and fails with the control in the distilled students' place.
fn shown_and_not_by_the_control(name: &str, o: &StudyOutcome) {
    assert!(o.shown, "{name}: {:?}", o.finding);
    judged_and_not_by_the_control(name, o);
}

/// A study's verdict is its judge's on its arms, is the difference its claim over the seeds compares
/// against the margin, and fails with the control in the distilled students' place (whether or not
/// this seed showed the claim).
fn judged_and_not_by_the_control(name: &str, o: &StudyOutcome) {
    let check = experiment(name).unwrap().check;
    assert_eq!(judge(check, &o.arms).unwrap(), (o.shown, o.finding.clone()));
    if let Some(difference) = study_difference(&o.finding) {
        assert_eq!(o.shown, difference >= margin(check), "{name}: the verdict is the difference against the margin");
    }
    let (shown, finding) = judge(check, &control_in_place(&o.arms)).unwrap();
    assert!(!shown, "{name}: the control passes in the distilled student's place: {finding:?}");
    if let Some(difference) = study_difference(&finding) {
        assert!(difference.abs() < 1e-6, "{name}: the control against itself differs by {difference}");
    }
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
    study_with(name, seed, &[])
}

/// The same, with `changes` over the study's settings (e.g. fewer epochs, to keep the tests fast).
fn study_with(name: &str, seed: u64, changes: &[(&str, &str)]) -> StudyOutcome {
    let experiment = experiment(name).expect("a shipped study");
    let mut values = experiment.values();
    values.insert("seed".into(), Value::Number(seed as f64));
    for (k, v) in changes {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
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
    // the relations between samples are measured on the study of relations only
    assert!(o.arms.iter().all(|a| a.kd_relation.is_none() && a.control_relation.is_none()));
}

// ---------------------------------------------------------------------------------------------
// The methods' studies, shortened

#[test]
fn the_fitnets_study_measures_the_guided_layer_as_the_history_does() {
    let o = study_with("fitnets-hint", 1, &[("studentEpochs", "20"), ("hintEpochs", "5")]);
    judged_and_not_by_the_control("fitnets-hint", &o);
    let Finding::FitnetsHint { fitnets_cka, control_cka, kd_cka, fitnets_cka_after_hint, .. } = o.finding else {
        panic!("{:?}", o.finding)
    };
    // the similarity the verdict reads is the one the FitNets run records after its last epoch
    let fitnets = &o.arms[1];
    assert_eq!(Some(fitnets_cka), fitnets.method.kd_cka);
    assert_eq!(Some(control_cka), fitnets.method.control_cka);
    assert!(fitnets_cka_after_hint.is_some() && fitnets.hint_stage.is_some(), "the end of the hint stage is kept");
    // plain KD records none, yet its layer is measured the same way; both arms share the control
    assert_eq!(o.arms[0].method.kd_cka, None);
    assert!(kd_cka > 0.0 && kd_cka <= 1.0);
    assert_eq!(o.arms[0].control_cka, fitnets.control_cka);
    assert_eq!(o.arms[0].control, fitnets.control);
}

#[test]
fn the_rkd_study_shows_the_relations_copied() {
    let o = study_with("rkd-relations", 1, &[("studentEpochs", "10")]);
    shown_and_not_by_the_control("rkd-relations", &o);
    let Finding::RkdRelations { rkd_distance, control_distance, rkd_angle, control_angle, .. } = o.finding else {
        panic!("{:?}", o.finding)
    };
    assert!(rkd_distance < control_distance && rkd_angle < control_angle, "{:?}", o.finding);
    // measured on the study of relations only (the born-again study's test checks that it measures none)
    assert!(o.arms.iter().all(|a| a.kd_relation.is_some() && a.control_relation.is_some()));
}

#[test]
fn the_mutual_learning_study_compares_each_peer_with_its_control() {
    let o = study_with("mutual-learning", 1, &[("studentEpochs", "20")]);
    judged_and_not_by_the_control("mutual-learning", &o);
    let run = &o.arms[0];
    assert_eq!(run.teacher, None, "mutual learning trains no teacher");
    assert!(run.members.is_empty() && run.kd_fidelity.agreement_with_teacher.is_none());
    let Finding::MutualLearning { first_peer, first_twin, second_peer, second_twin } = o.finding else { panic!() };
    assert_eq!((first_peer, first_twin), (run.kd, run.control));
    assert_eq!(
        (Some(second_peer), Some(second_twin)),
        (run.method.peer_test_accuracy, run.method.peer_twin_test_accuracy)
    );
    assert_ne!(first_twin, second_twin, "the two peers start from different weights");
}

#[test]
fn the_self_distillation_study_compares_the_exits() {
    let o = study_with("self-distillation", 1, &[("studentEpochs", "20")]);
    judged_and_not_by_the_control("self-distillation", &o);
    let run = &o.arms[0];
    let Finding::SelfDistillation { exit, control_exit, final_head, control_final_head } = o.finding else { panic!() };
    assert_eq!(
        (Some(exit), Some(control_exit)),
        (run.method.exit_test_accuracy, run.method.control_exit_test_accuracy)
    );
    assert_eq!((final_head, control_final_head), (run.kd, run.control));
    assert_eq!(run.teacher, None);
}

#[test]
fn the_dark_knowledge_study_shows_kd_beyond_its_two_controls() {
    let o = study("dark-knowledge-controls", 1);
    shown_and_not_by_the_control("dark-knowledge-controls", &o);
    let Finding::DarkKnowledgeControls { kd, label_smoothing, dkpp, control, .. } = o.finding else { panic!() };
    assert!(kd > label_smoothing && kd > dkpp && kd > control, "{:?}", o.finding);
    // one teacher and one control for all three students
    assert!(o.arms.iter().all(|a| a.teacher == o.arms[0].teacher && a.control == control));
}

#[test]
fn the_kl_direction_study_reads_each_student_s_entropy() {
    let o = study_with("kl-direction", 1, &[("studentEpochs", "20")]);
    judged_and_not_by_the_control("kl-direction", &o);
    let Finding::KlDirection { forward_entropy, reverse_entropy, control_entropy, reverse_ece, .. } = o.finding else {
        panic!()
    };
    let [forward, reverse] = &o.arms[..] else { panic!() };
    assert_eq!(forward_entropy, forward.kd_fidelity.entropy);
    assert_eq!((reverse_entropy, reverse_ece), (reverse.kd_fidelity.entropy, reverse.kd_fidelity.ece));
    assert_eq!(control_entropy, reverse.control_fidelity.entropy, "the direction does not touch the control");
    // a control as confident as the reverse-KL student fails the verdict even when the forward student is not
    let mut confident_control = o.arms.clone();
    for arm in &mut confident_control {
        arm.control_fidelity.entropy = reverse_entropy;
    }
    confident_control[0].kd_fidelity.entropy = reverse_entropy * 10.0;
    assert!(!judge(Check::KlDirection, &confident_control).unwrap().0);
}

#[test]
fn the_capacity_gap_study_teaches_a_student_by_the_assistant() {
    let o = study_with("capacity-gap", 1, &[("teacherEpochs", "4"), ("studentEpochs", "30")]);
    judged_and_not_by_the_control("capacity-gap", &o);
    let [direct @ .., assistant, student] = &o.arms[..] else { panic!() };
    assert_eq!(direct.len(), CAPACITY_TEACHERS.len());
    // the assistant is the student of the assistant's teacher, which it shares with that arm, bit for bit
    assert_eq!(assistant.teacher, direct[ASSISTANT_TEACHER].teacher);
    assert_eq!(
        assistant.settings,
        vec![("method", "kd".to_string()), ("teacherHidden", "256,256".into()), ("studentHidden", "64,64".into())]
    );
    // and then teaches: the last arm's teacher is the assistant as its arm left it
    assert_eq!(student.teacher, Some(assistant.kd));
    // every student of 16 units starts from the same weights and sees the same batches: one control
    assert!(direct
        .iter()
        .chain([student])
        .all(|a| a.control == student.control && a.control_predictions == student.control_predictions));
    let Finding::CapacityGap { teachers, students, assistant_student, direct_student, best_teacher, .. } = &o.finding
    else {
        panic!()
    };
    assert_eq!(teachers.len(), CAPACITY_TEACHERS.len());
    assert_eq!((*assistant_student, *direct_student), (student.kd, direct[ASSISTANT_TEACHER].kd));
    assert!(students.iter().all(|&s| s <= students[*best_teacher]));
}

/// A study's arm as the judges read it, with made-up numbers: `kd` and `control` test accuracy, the
/// same numbers as each student's fidelity, nothing else measured.
fn made_up(kd: f32, control: f32) -> ArmResult {
    let fidelity = |accuracy: f32| Fidelity {
        test_accuracy: accuracy,
        agreement_with_teacher: Some(accuracy),
        test_kl_to_teacher: Some(1.0 - accuracy),
        ece: 0.05,
        entropy: 1.0 - accuracy,
    };
    ArmResult {
        label: String::new(),
        settings: Vec::new(),
        teacher: Some(0.97),
        members: vec![0.97],
        kd,
        control,
        kd_fidelity: fidelity(kd),
        control_fidelity: fidelity(control),
        kd_cka: None,
        control_cka: None,
        kd_relation: None,
        control_relation: None,
        method: MethodEpoch::default(),
        hint_stage: None,
        kd_predictions: Vec::new(),
        control_predictions: Vec::new(),
    }
}

/// Each method's judge passes a method that clears its margin, fails one just short of it, and
/// fails with the control in the method's place: the verdicts can fail, and can pass, whatever a
/// shortened run happens to show.
#[test]
fn each_method_s_verdict_has_a_margin_its_control_cannot_meet() {
    // (check, arms where the method reaches `by` over what it is compared with)
    type Arms = fn(f32) -> Vec<ArmResult>;
    let cases: [(Check, Arms); 7] = [
        (Check::FitnetsHint, |by| {
            let (mut kd, mut fitnets) = (made_up(0.95, 0.95), made_up(0.95, 0.95));
            (kd.kd_cka, kd.control_cka) = (Some(0.72), Some(0.70));
            (fitnets.kd_cka, fitnets.control_cka) = (Some(0.70 + by), Some(0.70));
            vec![kd, fitnets]
        }),
        (Check::RkdRelations, |by| {
            let (mut kd, mut rkd) = (made_up(0.95, 0.95), made_up(0.94, 0.95));
            let control = RelationTerms { distance: 0.02, angle: 0.01 };
            (kd.kd_relation, kd.control_relation) = (Some(control), Some(control));
            rkd.kd_relation = Some(RelationTerms { distance: 0.02 * (1.0 - by), angle: 0.005 });
            rkd.control_relation = Some(control);
            vec![kd, rkd]
        }),
        (Check::MutualLearning, |by| {
            let mut run = made_up(0.95 + by, 0.95);
            (run.method.peer_test_accuracy, run.method.peer_twin_test_accuracy) = (Some(0.94 + by), Some(0.94));
            vec![run]
        }),
        (Check::SelfDistillation, |by| {
            let mut run = made_up(0.93, 0.95);
            (run.method.exit_test_accuracy, run.method.control_exit_test_accuracy) = (Some(0.90 + by), Some(0.90));
            vec![run]
        }),
        (Check::DarkKnowledgeControls, |by| vec![made_up(0.88 + by, 0.82), made_up(0.88, 0.82), made_up(0.86, 0.82)]),
        (Check::KlDirection, |by| {
            let (mut forward, mut reverse) = (made_up(0.95, 0.95), made_up(0.95, 0.95));
            (forward.kd_fidelity.entropy, forward.control_fidelity.entropy) = (0.10, 0.22);
            (reverse.kd_fidelity.entropy, reverse.control_fidelity.entropy) = (0.10 * (1.0 - by), 0.22);
            vec![forward, reverse]
        }),
        (Check::CapacityGap, |by| {
            let mut arms: Vec<ArmResult> = [0.85, 0.89, 0.88, 0.87].iter().map(|&kd| made_up(kd, 0.82)).collect();
            arms.push(made_up(0.92, 0.86));
            arms.push(made_up(0.88 + by, 0.82));
            arms
        }),
    ];
    for (check, arms) in cases {
        let m = margin(check);
        assert!(judge(check, &arms(m + 0.005)).unwrap().0, "{check:?}: a method clearing the margin passes");
        assert!(!judge(check, &arms(m - 0.005)).unwrap().0, "{check:?}: a method just short of it fails");
        assert!(!judge(check, &control_in_place(&arms(0.5))).unwrap().0, "{check:?}: the control in its place fails");
        // one test image (0.22 points on digits) does not pass a verdict in points
        if matches!(
            check,
            Check::MutualLearning | Check::SelfDistillation | Check::DarkKnowledgeControls | Check::CapacityGap
        ) {
            assert!(!judge(check, &arms(1.0 / 451.0)).unwrap().0, "{check:?}: one test image");
        }
    }
}
