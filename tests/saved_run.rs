//! Saving a run and loading it back: the same settings, the same weights, so the same
//! predictions; and clear refusals of files from another version or with the wrong shapes.

use std::collections::BTreeMap;

use kd_playground::data::SplitName;
use kd_playground::session::{ModelKind, Phase, SavedRun, Session};
use kd_playground::settings::{Settings, Value};

fn trained(dataset: &str) -> Session {
    let values: BTreeMap<String, Value> = [
        ("dataset", Value::Text(dataset.into())),
        ("teacherEpochs", Value::Number(3.0)),
        ("studentEpochs", Value::Number(4.0)),
        ("temperature", Value::Number(3.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
    session.run_phase(Phase::Teacher).unwrap();
    session.step_epoch().unwrap();
    session.step_epoch().unwrap();
    session
}

#[test]
fn a_saved_run_loads_back_with_the_same_weights_and_predictions() {
    let session = trained("iris");
    let loaded = Session::from_saved(session.to_saved().unwrap()).unwrap();
    assert_eq!(loaded.settings(), session.settings());
    assert_eq!(loaded.history(), session.history());
    assert_eq!(loaded.status().phase, Phase::Distil);
    assert_eq!(loaded.status().epoch, 2);
    for model in [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control] {
        assert_eq!(loaded.model(model), session.model(model));
        for split in [SplitName::Train, SplitName::Test] {
            assert_eq!(loaded.predictions(model, split).unwrap(), session.predictions(model, split).unwrap());
        }
    }
    assert_eq!(loaded.inspect(SplitName::Test, 4).unwrap(), session.inspect(SplitName::Test, 4).unwrap());
}

#[test]
fn a_loaded_run_can_go_on_training_to_the_end() {
    let mut loaded = Session::from_saved(trained("moons").to_saved().unwrap()).unwrap();
    let status = loaded.run_phase(Phase::Distil).unwrap();
    assert_eq!(status.phase, Phase::Done);
    assert_eq!(loaded.history().students.len(), 5);
}

#[test]
fn wrong_files_are_refused_with_a_message() {
    let good = trained("iris").to_saved().unwrap();
    let refuse = |run: SavedRun, expected: &str| {
        let error = Session::from_saved(run).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains(expected), "expected '{expected}' in '{error}'");
    };
    refuse(SavedRun { version: 2, ..good.clone() }, "version 2 of the run format; this playground reads version 1");
    refuse(SavedRun { format: "something else".into(), ..good.clone() }, "not a KD Playground run");
    let mut other_student = good.clone();
    other_student.settings.insert("studentHidden".into(), Value::Text("5".into()));
    refuse(other_student, "the distilled student's layers are [4, 8, 3], but its settings give [4, 5, 3]");
    let mut bad_setting = good.clone();
    bad_setting.settings.insert("temperature".into(), Value::Number(-1.0));
    refuse(bad_setting, "its settings are invalid: Temperature T: must be between");
    let mut nan = good.clone();
    nan.weights.teacher.layers[0].weights[[0, 0]] = f32::NAN;
    refuse(nan, "the teacher's weights contain NaN");
    refuse(SavedRun { epoch: 99, ..good }, "epoch 99 of a phase that has 4");
}

#[test]
fn the_curves_export_as_csv_with_one_row_per_epoch() {
    let session = trained("iris");
    let csv = session.history().to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 4 + 3, "header, teacher epochs 0–3, student epochs 0–2");
    let columns = lines[0].split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == columns), "every row has {columns} columns");
    assert!(lines[1].starts_with("teacher,0,"));
    assert!(lines[5].starts_with("students,0,,,,"));
    let last_soft: f32 = lines[7].split(',').nth(5).unwrap().parse().unwrap();
    assert_eq!(last_soft, session.history().students[2].soft_loss);
}

#[test]
fn a_run_on_a_users_csv_is_not_saved_without_its_data() {
    use kd_playground::data::Dataset;
    let settings = Settings::from_values(&BTreeMap::new()).unwrap();
    let text: String = (0..40).map(|i| format!("{},{},{}\n", i, i % 7, i % 2)).collect();
    let data = Dataset::from_csv(text.as_bytes(), "mine.csv", &settings.data_options()).unwrap();
    let session = Session::with_data(settings, data).unwrap();
    let error = session.to_saved().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("cannot be saved yet"), "{error}");
}
