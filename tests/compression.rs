//! The compression bench (src/compression): every row is measured on the run's own teacher, the
//! prunings reach the distilled student's size and keep their zeros, the int8 networks are really
//! stored and run in 8 bits, the transfer demonstration is a new task, the same seed gives the same
//! bench, and what cannot be compressed is refused (or skipped) with the reason.

use std::collections::BTreeMap;

use kd_playground::compression::pruning::{nonzero_parameters, Mask};
use kd_playground::compression::{encoding, Bench, BenchOptions, Entry, Report, Stored};
use kd_playground::data::DatasetName;
use kd_playground::data::SplitName;
use kd_playground::error::{BenchProblem, KdError};
use kd_playground::losses::accuracy;
use kd_playground::session::{ModelKind, Phase, Session};
use kd_playground::settings::{dataset_defaults, Settings, Value};

/// A digits run (its defaults, shortened) with `changes`, trained to the end.
fn trained(dataset: DatasetName, changes: &[(&str, &str)]) -> Session {
    let mut values: BTreeMap<String, Value> =
        dataset_defaults(dataset).into_iter().map(|(k, v)| (k.to_string(), Value::Text(v.to_string()))).collect();
    for (k, v) in [("teacherEpochs", "4"), ("studentEpochs", "4"), ("seed", "3")].iter().chain(changes) {
        values.insert(k.to_string(), Value::Text(v.to_string()));
    }
    let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    session.run_phase(Phase::Distil).unwrap();
    assert_eq!(session.phase(), Phase::Done);
    session
}

/// A clock that advances 1 ms per reading: the bench's timings become a count of readings.
fn counter() -> impl FnMut() -> f64 {
    let mut now = 0.0;
    move || {
        now += 1.0;
        now
    }
}

fn options() -> BenchOptions {
    BenchOptions { transfer_epochs: 30, time_ms: 3.0, ..BenchOptions::default() }
}

fn row<'a>(report: &'a Report, method: &str) -> &'a kd_playground::compression::Row {
    report.rows.iter().find(|r| r.method == method).unwrap_or_else(|| panic!("no row {method}"))
}

#[test]
fn every_row_is_measured_on_the_runs_own_teacher() {
    let session = trained(DatasetName::Digits, &[]);
    let mut bench = Bench::new(&session, options()).unwrap();
    let report = bench.run_to_end(&mut counter()).unwrap();
    let names: Vec<&str> = report.rows.iter().map(|r| r.method).collect();
    assert_eq!(names, Entry::ALL.map(Entry::name).to_vec());
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);

    let teacher = session.model(ModelKind::Teacher);
    let student = session.model(ModelKind::Kd);
    let t = row(&report, "teacher");
    assert_eq!((t.parameters, t.sizes.clone()), (teacher.parameter_count(), teacher.sizes()));
    assert_eq!(t.test_accuracy, session.accuracy(ModelKind::Teacher, SplitName::Test).unwrap());
    assert_eq!(row(&report, "kd").test_accuracy, session.accuracy(ModelKind::Kd, SplitName::Test).unwrap());
    assert_eq!(row(&report, "control").test_accuracy, session.accuracy(ModelKind::Control, SplitName::Test).unwrap());
    assert_eq!(report.target_parameters, student.parameter_count());
    // the bytes are the files' lengths, and the files hold the networks
    assert_eq!(t.bytes, encoding::dense(teacher).len());
    assert_eq!(encoding::read_dense(&encoding::dense(teacher)).unwrap(), *teacher);

    // unstructured: the teacher's shape, at most the student's count of non-zero parameters
    let pruned = row(&report, "prune-weights");
    assert_eq!((pruned.parameters, pruned.sizes.clone()), (t.parameters, t.sizes.clone()));
    assert!(pruned.nonzero_parameters <= report.target_parameters, "{pruned:?}");
    assert!(pruned.nonzero_parameters > report.target_parameters * 9 / 10, "the budget is used: {pruned:?}");
    assert!(pruned.bytes < t.bytes / 10, "stored sparse: {pruned:?}");
    // structured: a really smaller network of the teacher's depth
    let smaller = row(&report, "prune-neurons");
    assert!(smaller.parameters <= report.target_parameters);
    assert_eq!(smaller.sizes.len(), t.sizes.len());
    assert!(smaller.sizes[1] < t.sizes[1]);
    // int8: a byte per weight (plus three floats per neuron), and close to the f32 network
    let int8 = row(&report, "int8");
    assert!(int8.bytes * 7 / 2 < t.bytes && int8.bytes > t.parameters, "{int8:?}");
    assert!((int8.test_accuracy - t.test_accuracy).abs() <= 0.02, "{int8:?} against {t:?}");
    let kd_int8 = row(&report, "kd-int8");
    assert!(kd_int8.bytes * 3 < row(&report, "kd").bytes);
    let Some(Stored::Int8(quantized)) = bench.network(Entry::Int8) else { panic!("int8 is stored in 8 bits") };
    assert_eq!(encoding::read_int8(&encoding::int8(quantized)).unwrap(), *quantized);

    // transfer: a new task (digits 5–9), from ten labels per class
    let transfer = report.transfer.clone().expect("digits has two halves of five classes");
    assert_eq!((transfer.source_classes, transfer.target_classes), (vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]));
    assert_eq!(transfer.labels, 50);
    let test_fives = session.data().test.labels.iter().filter(|&&l| l >= 5).count();
    for method in ["transfer", "transfer-scratch"] {
        let r = row(&report, method);
        assert!(r.new_task && r.test_samples == test_fives && *r.sizes.last().unwrap() == 5, "{r:?}");
    }
    assert!(report.rows.iter().filter(|r| !r.method.starts_with("transfer")).all(|r| !r.new_task));

    // every row timed: the counter clock reads at least 3 repetitions' worth
    for r in &report.rows {
        let us = r.inference_us_per_sample.unwrap_or_else(|| panic!("{} not timed", r.method));
        assert!(us > 0.0 && us.is_finite(), "{r:?}");
    }
}

#[test]
fn fine_tuning_keeps_the_pruned_weights_at_zero_and_recovers_accuracy() {
    let session = trained(DatasetName::Digits, &[]);
    let mut bench = Bench::new(&session, options()).unwrap();
    while !bench.trained() {
        bench.step(500).unwrap();
    }
    let Some(Stored::Sparse(pruned)) = bench.network(Entry::PruneWeights) else { panic!("stored sparse") };
    let teacher = session.model(ModelKind::Teacher);
    let biases: usize = teacher.layers.iter().map(|l| l.bias.len()).sum();
    let weights_kept: usize = pruned.layers.iter().map(|l| l.weights.iter().filter(|&&w| w != 0.0).count()).sum();
    assert!(weights_kept <= session.model(ModelKind::Kd).parameter_count() - biases);
    assert!(nonzero_parameters(pruned) <= session.model(ModelKind::Kd).parameter_count());
    // the same sparsity in one shot, without fine-tuning: what the fine-tuning recovers
    let mut one_shot = teacher.clone();
    Mask::largest(teacher, weights_kept).apply(&mut one_shot);
    let test = &session.data().test;
    let at = |network: &kd_playground::network::Mlp| {
        accuracy(network.forward(test.features.view()).unwrap().view(), &test.labels)
    };
    assert!(at(pruned) > at(&one_shot) + 0.05, "fine-tuned {} against one-shot {}", at(pruned), at(&one_shot));
    // the teacher itself is untouched by the bench
    assert_eq!(session.model(ModelKind::Teacher), teacher);
}

#[test]
fn the_same_seed_gives_the_same_bench_but_for_the_times() {
    let reports: Vec<Report> = (0..2)
        .map(|_| {
            let session = trained(DatasetName::Digits, &[("teacherEpochs", "2"), ("studentEpochs", "2")]);
            let mut report = Bench::new(&session, options()).unwrap().run_to_end(&mut counter()).unwrap();
            report.rows.iter_mut().for_each(|r| r.inference_us_per_sample = None);
            report
        })
        .collect();
    assert_eq!(reports[0], reports[1]);
}

fn problem_of(result: Result<Bench, KdError>) -> BenchProblem {
    match result {
        Err(KdError::Bench(problem)) => problem,
        other => panic!("expected a bench problem, got {:?}", other.map(|_| "a bench")),
    }
}

#[test]
fn what_cannot_be_compressed_is_refused_or_skipped_with_the_reason() {
    let short = [("teacherEpochs", "1"), ("studentEpochs", "1")];
    // no teacher to compress
    let dml = trained(DatasetName::Digits, &[short[0], short[1], ("method", "dml")]);
    assert_eq!(problem_of(Bench::new(&dml, options())), BenchProblem::NeedsTeacher { method: "dml".into() });
    let ensemble = trained(DatasetName::Digits, &[short[0], short[1], ("teachers", "2")]);
    assert_eq!(problem_of(Bench::new(&ensemble, options())), BenchProblem::NeedsOneTeacher { teachers: 2 });
    // not finished
    let mut values: BTreeMap<String, Value> = dataset_defaults(DatasetName::Digits)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
        .collect();
    values.insert("teacherEpochs".into(), Value::Text("1".into()));
    let mut unfinished = Session::new(Settings::from_values(&values).unwrap()).unwrap();
    unfinished.run_phase(Phase::Teacher).unwrap();
    assert_eq!(problem_of(Bench::new(&unfinished, options())), BenchProblem::NotTrained);
    // calibration sets too small or too large
    let digits = trained(DatasetName::Digits, &short);
    let with = |calibration| BenchOptions { calibration, ..options() };
    assert_eq!(problem_of(Bench::new(&digits, with(5))), BenchProblem::CalibrationTooSmall { samples: 5, least: 10 });
    let train = digits.data().train.len();
    assert_eq!(
        problem_of(Bench::new(&digits, with(train + 1))),
        BenchProblem::CalibrationTooLarge { samples: train + 1, available: train }
    );
    assert!(Bench::new(&digits, with(train)).is_ok());
    // a student as large as the teacher: nothing to prune, both prunings skipped with the reason
    let large = trained(DatasetName::Digits, &[short[0], short[1], ("teacherHidden", "16"), ("studentHidden", "32")]);
    let report = Bench::new(&large, options()).unwrap().run_to_end(&mut counter()).unwrap();
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.method).collect();
    assert_eq!(skipped, ["prune-weights", "prune-neurons"]);
    assert!(report.skipped.iter().all(|s| s.reason.key == "engine.bench.nothingToPrune"));
    assert!(report.rows.iter().all(|r| !r.method.starts_with("prune")));
    // iris: three classes (no two halves of two), and biases that alone exceed the student's size
    let iris = trained(DatasetName::Iris, &short);
    let report = Bench::new(&iris, options()).unwrap().run_to_end(&mut counter()).unwrap();
    let reasons: Vec<(&str, &str)> = report.skipped.iter().map(|s| (s.method, s.reason.key.as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("prune-weights", "engine.bench.tooSmallToPrune"),
            ("transfer", "engine.bench.transferClasses"),
            ("transfer-scratch", "engine.bench.transferClasses"),
        ]
    );
    assert!(report.transfer.is_none());
    let english = report.skipped[1].reason.render_english();
    assert!(english.contains("2 in the first half and 1 in the second"), "{english}");
}
