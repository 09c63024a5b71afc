//! The `kd` command, run as a user runs it: small configurations (iris and moons with a few
//! epochs, digits with two epochs and a small teacher) so that the whole file takes seconds.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn kd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kd")).args(args).output().expect("the kd binary runs")
}

/// Runs `kd` expecting success and returns its stdout.
fn stdout_of(args: &[&str]) -> String {
    let output = kd(args);
    assert!(output.status.success(), "kd {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs `kd … --json` and parses the one object on stdout.
fn json_of(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let text = stdout_of(&args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}):\n{text}"))
}

/// Runs `kd` expecting failure with `exit_code`, nothing on stdout, and `message` as the first
/// line of stderr.
fn assert_fails(args: &[&str], exit_code: i32, message: &str) {
    let output = kd(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(exit_code), "kd {args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "kd {args:?} printed on stdout: {}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(stderr.lines().next(), Some(message), "kd {args:?}: stderr was\n{stderr}");
}

/// A file under the temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!("kd-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("write a temporary file");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn number(value: &Value, what: &str) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("{what} is not a number: {value}"))
}

fn accuracy(value: &Value, what: &str) -> f64 {
    let a = number(value, what);
    assert!((0.0..=1.0).contains(&a), "{what} = {a} is not in [0, 1]");
    a
}

/// A per-class list of one seed: `classes` accuracies or nulls.
fn check_per_class(value: &Value, classes: usize, what: &str) -> Vec<Option<f64>> {
    let list = value.as_array().unwrap_or_else(|| panic!("{what} is not a list: {value}"));
    assert_eq!(list.len(), classes, "{what}");
    list.iter().enumerate().map(|(c, v)| (!v.is_null()).then(|| accuracy(v, &format!("{what}[{c}]")))).collect()
}

/// A metric over seeds: `{mean, std, values}` with `seeds` values, the mean their average and the
/// standard deviation the sample one (ddof 1), as papers report it.
fn check_summary(value: &Value, seeds: usize, what: &str) -> Vec<f64> {
    let values: Vec<f64> = value["values"]
        .as_array()
        .unwrap_or_else(|| panic!("{what} has no values: {value}"))
        .iter()
        .map(|v| number(v, what))
        .collect();
    assert_eq!(values.len(), seeds, "{what}");
    let mean = values.iter().sum::<f64>() / seeds as f64;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64).sqrt();
    assert!((number(&value["mean"], what) - mean).abs() < 1e-6, "{what}: mean {} of {values:?}", value["mean"]);
    assert!((number(&value["std"], what) - std).abs() < 1e-6, "{what}: std {} of {values:?}", value["std"]);
    values
}

#[test]
fn json_output_has_the_documented_fields() {
    let json = json_of(&["run", "--dataset", "iris", "--epochs", "5", "--seed", "2"]);
    assert_eq!(json["command"], "run");
    let settings = &json["settings"];
    assert_eq!(settings["dataset"], "iris");
    assert_eq!(settings["seed"], 2);
    assert_eq!((&settings["teacherEpochs"], &settings["studentEpochs"]), (&Value::from(5), &Value::from(5)));
    assert_eq!(settings["teacherHidden"], "64,64", "iris's default teacher");
    assert_eq!(settings["learningRate"].as_f64(), Some(0.01));
    assert_eq!(json["seeds"], serde_json::json!([2]));
    assert_eq!(json["data"]["classes"], serde_json::json!(["setosa", "versicolor", "virginica"]));
    for model in ["teacher", "student_kd", "student_hard"] {
        accuracy(&json[model]["test_accuracy"], model);
        let per_class = check_per_class(&json[model]["per_class_test_accuracy"], 3, model);
        assert!(per_class.iter().all(Option::is_some), "iris has test samples of every class");
        assert!(json[model].get("adjusted").is_none() && json[model].get("omitted_class_test_accuracy").is_none());
    }
    let delta = number(&json["delta_test_accuracy"], "delta");
    let expected =
        number(&json["student_kd"]["test_accuracy"], "kd") - number(&json["student_hard"]["test_accuracy"], "hard");
    assert!((delta - expected).abs() < 1e-6, "delta {delta} vs {expected}");
}

/// The page builds a session from the data set's defaults and its controls; `kd` must give the
/// numbers of that session.
#[test]
fn the_numbers_are_the_engines() {
    use std::collections::BTreeMap;

    use kd_playground::data::{DatasetName, SplitName};
    use kd_playground::session::{ModelKind, Phase, Session};
    use kd_playground::settings::{dataset_defaults, Settings, Value as SettingValue};

    let json = json_of(&["run", "--dataset", "moons", "--epochs", "4", "--temperature", "2", "--seed", "3"]);
    let mut values: BTreeMap<String, SettingValue> = dataset_defaults(DatasetName::Moons)
        .into_iter()
        .map(|(k, v)| (k.to_string(), SettingValue::Text(v.to_string())))
        .collect();
    for (name, value) in [("teacherEpochs", 4.0), ("studentEpochs", 4.0), ("temperature", 2.0), ("seed", 3.0)] {
        values.insert(name.to_string(), SettingValue::Number(value));
    }
    let mut session = Session::new(Settings::from_values(&values).expect("valid settings")).expect("a session");
    session.run_phase(Phase::Teacher).expect("teacher trains");
    session.run_phase(Phase::Distil).expect("students train");
    let students = session.history().students.last().cloned().expect("student metrics");
    let as_f32 = |value: &Value| value.as_f64().map(|v| v as f32);
    assert_eq!(as_f32(&json["student_kd"]["test_accuracy"]), Some(students.kd_test_accuracy));
    assert_eq!(as_f32(&json["student_hard"]["test_accuracy"]), Some(students.control_test_accuracy));
    let teacher = session.per_class_accuracy(ModelKind::Teacher, SplitName::Test).expect("per class");
    let from_kd: Vec<Option<f32>> =
        json["teacher"]["per_class_test_accuracy"].as_array().expect("a list").iter().map(as_f32).collect();
    assert_eq!(from_kd, teacher);
}

#[test]
fn the_table_names_the_three_models() {
    let table = stdout_of(&["run", "--dataset", "moons", "--epochs", "3", "--student", "8"]);
    for words in
        ["teacher", "distilled student", "control student", "all classes", "class 0", "class 1", "moons", "2→8→2"]
    {
        assert!(table.contains(words), "'{words}' missing from\n{table}");
    }
    assert!(!table.contains("class 2"), "moons has two classes:\n{table}");
}

#[test]
fn seeds_give_mean_standard_deviation_and_the_values_of_each_seed() {
    let args = ["run", "--dataset", "iris", "--epochs", "3"];
    let json = json_of(&[&args[..], &["--seeds", "2", "--seed", "7"]].concat());
    assert_eq!(json["seeds"], serde_json::json!([0, 1]), "--seeds runs 0..N−1 and ignores --seed");
    let singles: Vec<Value> = ["0", "1"].iter().map(|seed| json_of(&[&args[..], &["--seed", seed]].concat())).collect();
    for model in ["teacher", "student_kd", "student_hard"] {
        let values = check_summary(&json[model]["test_accuracy"], 2, model);
        for (seed, single) in singles.iter().enumerate() {
            assert_eq!(values[seed], number(&single[model]["test_accuracy"], model), "{model}, seed {seed} alone");
        }
        let per_class = json[model]["per_class_test_accuracy"].as_array().expect("a list");
        assert_eq!(per_class.len(), 3);
        for (class, metric) in per_class.iter().enumerate() {
            check_summary(metric, 2, &format!("{model} class {class}"));
        }
    }
    let deltas = check_summary(&json["delta_test_accuracy"], 2, "delta");
    let kd = check_summary(&json["student_kd"]["test_accuracy"], 2, "kd");
    let hard = check_summary(&json["student_hard"]["test_accuracy"], 2, "hard");
    for seed in 0..2 {
        assert!((deltas[seed] - (kd[seed] - hard[seed])).abs() < 1e-6, "paired delta of seed {seed}");
    }
    let table = stdout_of(&[&args[..], &["--seeds", "2"]].concat());
    assert!(
        table.contains(" ± ") && table.contains("seeds 0, 1 (2 seeds): mean ± sample standard deviation"),
        "{table}"
    );
    // A..B runs seeds A to B − 1: the held-out seeds are not the tuning seeds
    let later = json_of(&[&args[..], &["--seeds", "1..3"]].concat());
    assert_eq!(later["seeds"], serde_json::json!([1, 2]));
    assert_eq!(
        later["teacher"]["test_accuracy"]["values"][0], json["teacher"]["test_accuracy"]["values"][1],
        "seed 1 is seed 1"
    );
}

#[test]
fn the_same_command_gives_the_same_numbers() {
    let args = ["run", "--dataset", "digits", "--epochs", "2", "--teacher", "32", "--json"];
    let first = stdout_of(&args);
    assert_eq!(first, stdout_of(&args));
    let json: Value = serde_json::from_str(&first).expect("JSON");
    check_per_class(&json["student_kd"]["per_class_test_accuracy"], 10, "digits per class");
}

#[test]
fn an_omitted_class_is_reported_before_and_after_the_bias_adjustment() {
    let json = json_of(&["run", "--dataset", "iris", "--omit-class", "1", "--seed", "0"]);
    assert_eq!(json["settings"]["omitClass"], 1);
    let train = json["data"]["train_samples"].as_u64().expect("a count");
    let transfer = json["data"]["transfer_samples"].as_u64().expect("a count");
    assert!(transfer < train, "the transfer set lacks class 1");
    for student in ["student_kd", "student_hard"] {
        let adjusted = &json[student]["adjusted"];
        assert_eq!(adjusted["class"], 1, "{student}");
        assert!(number(&adjusted["bias_shift"], student) >= 0.0);
        accuracy(&adjusted["test_accuracy"], student);
        let per_class = check_per_class(&adjusted["per_class_test_accuracy"], 3, student);
        assert_eq!(Some(accuracy(&adjusted["omitted_class_test_accuracy"], student)), per_class[1]);
        let before = check_per_class(&json[student]["per_class_test_accuracy"], 3, student);
        assert_eq!(Some(accuracy(&json[student]["omitted_class_test_accuracy"], student)), before[1]);
        assert!(json["teacher"].get("adjusted").is_none());
    }
    assert_eq!(
        json["student_hard"]["omitted_class_test_accuracy"], 0.0,
        "a student trained on hard labels only never predicts a class it never saw"
    );
    let table = stdout_of(&["run", "--dataset", "iris", "--omit-class", "1", "--seed", "0"]);
    for words in
        ["class 1 versicolor (left out)", "class 1 versicolor, before", "class 1 versicolor, after", "bias shift"]
    {
        assert!(table.contains(words), "'{words}' missing from\n{table}");
    }
}

#[test]
fn a_users_csv_file_runs() {
    let mut text = String::from("width,height,kind\r\n");
    for i in 0..60 {
        let (x, y, kind) = match i % 3 {
            0 => (0.0, 0.0, "cat"),
            1 => (3.0, 1.0, "dog"),
            _ => (0.0, 3.0, "eel"),
        };
        let jitter = (i as f64 * 0.37).sin() * 0.4;
        text.push_str(&format!("{},{},{kind}\r\n", x + jitter, y - jitter));
    }
    let file = TempFile::new("animals.csv", &text);
    let json = json_of(&["run", "--dataset", file.path(), "--epochs", "5"]);
    assert_eq!(json["settings"]["dataset"], "csv");
    assert_eq!(json["settings"]["teacherHidden"], "64,64", "a CSV takes iris's defaults");
    assert_eq!(json["data"]["file"], file.path());
    assert_eq!(json["data"]["classes"], serde_json::json!(["cat", "dog", "eel"]));
    assert_eq!(json["data"]["features"], 2);
    assert_eq!(
        json["data"]["train_samples"].as_u64().unwrap_or(0) + json["data"]["test_samples"].as_u64().unwrap_or(0),
        60
    );
    accuracy(&json["teacher"]["test_accuracy"], "teacher");
    check_per_class(&json["student_kd"]["per_class_test_accuracy"], 3, "csv per class");
}

#[test]
fn malformed_input_is_refused_with_its_exact_message() {
    let ragged = TempFile::new("ragged.csv", "a,b,label\r\n1,2,x\r\n3,4\r\n5,6,y\r\n");
    assert_fails(
        &["run", "--dataset", ragged.path()],
        1,
        "error: line 3: 2 fields, expected 3 (every row needs the same columns)",
    );
    let missing = std::env::temp_dir().join(format!("kd-cli-{}-missing.csv", std::process::id()));
    let missing = missing.to_str().expect("a UTF-8 path");
    assert_fails(&["run", "--dataset", missing], 1, &format!("error: {missing} does not exist"));
    assert_fails(&["run", "--dataset", "iris", "--bogus", "1"], 2, "error: unexpected argument '--bogus' found");
    assert_fails(
        &["run", "--dataset", "iris", "--temperature", "-1"],
        2,
        "error: temperature: must be between 0.05 and 100 (got -1)",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--epochs", "2.5"],
        2,
        "error: teacherEpochs: must be a whole number (got 2.5)",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--teachers", "9"],
        2,
        "error: teachers: must be between 1 and 5 (got 9)",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--teachers", "2", "--method", "logits"],
        2,
        "error: method: logits reads one teacher's logits or layers; an ensemble of 2 has no single one, so set teachers to 1",
    );
    assert_fails(
        &["experiment", "born-again", "--dataset", "iris"],
        2,
        "error: --dataset: the study 'born-again' runs on digits",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--seeds", "0"],
        2,
        "error: invalid value '0' for '--seeds <N|A..B>': 0 seeds: give 1 to 100 (N, or A..B with A < B, B excluded)",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--seeds", "5..5"],
        2,
        "error: invalid value '5..5' for '--seeds <N|A..B>': 0 seeds: give 1 to 100 (N, or A..B with A < B, B excluded)",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--seeds", "x..4"],
        2,
        "error: invalid value 'x..4' for '--seeds <N|A..B>': 'x' is not a whole number",
    );
    assert_fails(
        &["run", "--dataset", "iris", "--omit-class", "3"],
        2,
        "error: omitClass: the data set has 3 classes (0 to 2); −1 omits none",
    );
    assert_fails(
        &["run", "--dataset", "mnist"],
        2,
        "error: --dataset: 'mnist' is neither a data set (spiral, blobs, moons, digits, iris) nor a CSV file (a text needs --task chars)",
    );
    assert_fails(&["run", "--alpha"], 2, "error: a value is required for '--alpha <A>' but none was supplied");
    assert_fails(&["train"], 2, "error: unrecognized subcommand 'train'");
}

#[test]
fn a_diverging_run_reports_the_engines_message() {
    let output = kd(&["run", "--dataset", "iris", "--epochs", "3", "--optimizer", "sgd", "--lr", "10", "--json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        stderr.starts_with("error: seed 1: Training stopped:") && stderr.contains("Try a smaller learning rate"),
        "{stderr}"
    );
}

#[test]
fn help_lists_every_flag() {
    let help = stdout_of(&["run", "--help"]);
    for flag in [
        "--dataset",
        "--teacher ",
        "--student ",
        "--temperature",
        "--alpha",
        "--epochs",
        "--batch-size",
        "--lr",
        "--optimizer",
        "--seed ",
        "--seeds",
        "--omit-class",
        "--train-fraction",
        "--teachers",
        "--json",
        "--teacher-epochs",
        "--student-epochs",
        "--activation",
        "--noise",
        "--points",
        "--test-fraction",
        "--method",
        "--kl",
        "--hint-layer",
        "--hint-epochs",
    ] {
        assert!(help.contains(flag), "{flag} missing from kd run --help");
    }
    assert!(help.contains("--seed is then ignored"));
    assert!(stdout_of(&["--help"]).contains("kd run"));
}

#[test]
fn an_experiment_runs_its_preset_and_gives_a_verdict() {
    // The preset's settings, shortened by flags for the test: flags change a preset.
    let json =
        json_of(&["experiment", "small-transfer-set", "--epochs", "3", "--student-epochs", "3", "--teacher", "32"]);
    assert_eq!(json["command"], "experiment");
    assert_eq!(json["experiment"]["name"], "small-transfer-set");
    assert!(json["experiment"]["claim"].as_str().unwrap_or_default().contains("10%"));
    assert_eq!(json["settings"]["trainFraction"].as_f64(), Some(0.1));
    assert_eq!(json["settings"]["temperature"].as_f64(), Some(8.0));
    assert_eq!(json["settings"]["studentEpochs"].as_f64(), Some(3.0), "a flag overrides the preset");
    let shown = json["experiment"]["shown"].as_array().expect("one verdict per seed");
    assert_eq!(shown.len(), 1);
    let kd = accuracy(&json["student_kd"]["test_accuracy"], "distilled");
    let control = accuracy(&json["student_hard"]["test_accuracy"], "control");
    assert_eq!(shown[0].as_bool(), Some(kd > control), "the verdict follows the numbers");
    assert_fails(&["experiment", "nothing"], 2, "error: invalid value 'nothing' for '<NAME>'");
    // clap lists the experiments there is
    let stderr = String::from_utf8_lossy(&self::kd(&["experiment", "nothing"]).stderr).into_owned();
    assert!(stderr.contains("[possible values: omitted-class, small-transfer-set, temperature-width, ensemble-teacher, high-temperature, born-again, fitnets-hint, rkd-relations, mutual-learning, self-distillation, dark-knowledge-controls, kl-direction, capacity-gap]"), "{stderr}");
    // kd experiment --help lists each with its title, claim, preset and runs
    let help = stdout_of(&["experiment", "--help"]);
    for name in ["fitnets-hint", "rkd-relations", "mutual-learning", "self-distillation", "dark-knowledge-controls"] {
        assert!(help.contains(&format!("\n{name}\n")), "{name} missing from kd experiment --help");
    }
    assert!(help.contains("Capacity gap and a teacher assistant (Mirzadeh et al. 2020)"), "{help}");
    assert!(help.contains("a study of 6 runs: teacher 16,16; teacher 64,64;"), "{help}");
    let table =
        stdout_of(&["experiment", "small-transfer-set", "--epochs", "2", "--student-epochs", "2", "--teacher", "16"]);
    assert!(table.contains("verdict: the claim was shown in"), "{table}");
}

#[test]
fn a_study_runs_every_arm_over_seeds_and_judges_each_seed() {
    // The ensemble study, shortened by flags for the test.
    let args = ["experiment", "ensemble-teacher", "--seeds", "2", "--teacher-epochs", "2", "--student-epochs", "3"];
    let json = json_of(&args);
    assert_eq!(json["command"], "experiment");
    assert_eq!(json["experiment"]["name"], "ensemble-teacher");
    assert_eq!(json["seeds"], serde_json::json!([0, 1]));
    assert_eq!(json["settings"]["teacherHidden"], "32");
    let arms = json["arms"].as_array().expect("one entry per run");
    assert_eq!(arms.len(), 2);
    assert_eq!(arms[1]["settings"]["teachers"], "5");
    for arm in arms {
        let kd = check_summary(&arm["student_kd_test_accuracy"], 2, "distilled");
        let control = check_summary(&arm["student_hard_test_accuracy"], 2, "control");
        let delta = check_summary(&arm["delta_test_accuracy"], 2, "delta");
        for i in 0..2 {
            assert!((delta[i] - (kd[i] - control[i])).abs() < 1e-6, "the difference is paired by seed");
        }
        check_summary(&arm["teacher_test_accuracy"], 2, "teacher");
        check_summary(&arm["member_mean_test_accuracy"], 2, "members");
    }
    let findings = json["findings"].as_array().expect("one finding per seed");
    let shown = json["experiment"]["shown"].as_array().expect("one verdict per seed");
    for (finding, shown) in findings.iter().zip(shown) {
        assert_eq!(finding["kind"], "ensembleTeacher");
        let judged = number(&finding["ensemble"], "ensemble") > number(&finding["memberMean"], "mean")
            && number(&finding["kdFromEnsemble"], "kd") > number(&finding["control"], "control");
        assert_eq!(shown.as_bool(), Some(judged), "the verdict follows the numbers: {finding}");
    }
    let table = stdout_of(&args);
    assert!(table.contains("ensemble of 5") && table.contains("its teachers' mean"), "{table}");
    assert!(table.contains("verdict: the claim was shown in"), "{table}");
}

#[test]
fn a_method_study_reports_what_its_verdict_reads() {
    // The capacity-gap study, shortened by flags: its last run learns from the one before it.
    let args = ["experiment", "capacity-gap", "--seeds", "2", "--teacher-epochs", "2", "--student-epochs", "3"];
    let json = json_of(&args);
    assert_eq!(json["experiment"]["name"], "capacity-gap");
    let arms = json["arms"].as_array().expect("one entry per run");
    assert_eq!(arms.len(), 6);
    assert_eq!(arms[4]["settings"]["studentHidden"], "64,64");
    // the student of the assistant: its teacher is the assistant, as the run before left it
    let assistant = check_summary(&arms[4]["student_kd_test_accuracy"], 2, "assistant");
    assert_eq!(check_summary(&arms[5]["teacher_test_accuracy"], 2, "assistant as a teacher"), assistant);
    let findings = json["findings"].as_array().expect("one finding per seed");
    let shown = json["experiment"]["shown"].as_array().expect("one verdict per seed");
    let differences = json["experiment"]["differences"].as_array().expect("one difference per seed");
    for ((finding, shown), difference) in findings.iter().zip(shown).zip(differences) {
        assert_eq!(finding["kind"], "capacityGap");
        let gap =
            number(&finding["assistantStudent"], "of the assistant") - number(&finding["directStudent"], "direct");
        assert!((number(difference, "difference") - gap).abs() < 1e-6, "{finding}");
        assert_eq!(shown.as_bool(), Some(gap >= 0.01), "the verdict follows the numbers: {finding}");
    }
    let table = stdout_of(&args);
    for line in [
        "assistant 64,64 from teacher 256,256",
        "what the verdict reads, and what is reported beside it (mean ± sample std over the seeds):",
        "student of the assistant − student of the assistant's teacher",
        "over the seeds: shown in",
    ] {
        assert!(table.contains(line), "«{line}» missing from:\n{table}");
    }
    // no teacher: mutual learning's table says so rather than quoting an untrained one
    let dml = stdout_of(&["experiment", "mutual-learning", "--student-epochs", "2"]);
    assert!(dml.lines().any(|l| l.starts_with("DML") && l.contains(" — ")), "{dml}");
}

#[test]
fn compare_prints_every_row_of_the_bench_as_json_and_as_a_table() {
    let json = json_of(&["compare", "--dataset", "digits", "--seed", "0", "--epochs", "2"]);
    assert_eq!(json["command"], "compare");
    let rows = json["rows"].as_array().expect("rows");
    let methods: Vec<&str> = rows.iter().map(|r| r["method"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        methods,
        [
            "teacher",
            "kd",
            "control",
            "prune-weights",
            "prune-neurons",
            "int8",
            "kd-int8",
            "transfer",
            "transfer-scratch"
        ]
    );
    for row in rows {
        for field in ["parameters", "nonzero_parameters", "bytes", "inference_us_per_sample", "test_accuracy"] {
            let value = number(&row[field], field);
            assert!(value > 0.0, "{field} of {row}");
        }
        assert!(number(&row["nonzero_parameters"], "nonzero") <= number(&row["parameters"], "parameters"));
    }
    let by = |m: &str| rows.iter().find(|r| r["method"] == m).unwrap();
    assert!(number(&by("prune-weights")["nonzero_parameters"], "n") <= number(&by("kd")["parameters"], "p"));
    assert!(number(&by("int8")["bytes"], "b") * 3.5 < number(&by("teacher")["bytes"], "b"));
    assert_eq!(json["skipped"].as_array().map(Vec::len), Some(0));

    let table = stdout_of(&["compare", "--dataset", "digits", "--seed", "0", "--epochs", "2"]);
    for expected in
        ["method", "prune-neurons", "kd-int8", "transfer-scratch", "µs/sample", "saves no time without sparse kernels"]
    {
        assert!(table.contains(expected), "{expected} in\n{table}");
    }
}

#[test]
fn compare_refuses_a_calibration_set_too_small_and_says_what_it_skips() {
    assert_fails(
        &["compare", "--dataset", "iris", "--epochs", "1", "--calibration", "3"],
        1,
        "error: a calibration set of 3 samples is too small: int8 quantization measures its scales on at least 10",
    );
    assert_fails(
        &["compare", "--dataset", "iris", "--epochs", "1", "--calibration", "100000"],
        1,
        "error: a calibration set of 100000 samples is larger than the training split (111 samples)",
    );
    assert_fails(
        &["compare", "--dataset", "iris", "--calibration", "many"],
        2,
        "error: invalid value 'many' for '--calibration <N>': invalid digit found in string",
    );
    let json = json_of(&["compare", "--dataset", "iris", "--epochs", "1"]);
    let skipped: Vec<(String, String)> = json["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (s["method"].as_str().unwrap_or_default().to_string(), s["reason"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(
        skipped.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(),
        ["prune-weights", "transfer", "transfer-scratch"]
    );
    assert!(skipped[1].1.contains("at least two classes"), "{skipped:?}");
    assert!(json["transfer"].is_null());
}

#[test]
fn the_language_task_runs_on_the_names_and_on_a_text_file() {
    let json = json_of(&["run", "--dataset", "names", "--task", "chars", "--epochs", "2", "--seed", "4"]);
    assert_eq!(
        (json["settings"]["dataset"].as_str(), json["settings"]["task"].as_str()),
        (Some("text"), Some("chars"))
    );
    assert_eq!(json["settings"]["context"], 3);
    assert_eq!(json["data"]["file"], "names");
    assert_eq!(json["data"]["classes"].as_array().map(Vec::len), Some(27), "the letters and the line's end");
    assert_eq!(json["data"]["features"], 81, "three characters of context, one-hot");
    for model in ["teacher", "student_kd", "student_hard"] {
        let bits = number(&json[model]["bits_per_char"], model);
        let perplexity = number(&json[model]["perplexity"], model);
        assert!(bits > 1.0 && bits < 27f64.log2(), "{model}: {bits} bits per character");
        assert!((perplexity - bits.exp2()).abs() < 1e-3 * perplexity, "{model}: perplexity {perplexity} = 2^{bits}");
        accuracy(&json[model]["test_accuracy"], model);
    }
    let written = json["written"]["teacher"].as_array().expect("what the teacher wrote");
    assert_eq!(written.len(), 5);
    assert!(written.iter().all(|w| w.as_str().is_some_and(|w| w.chars().all(|c| c.is_ascii_lowercase()))));
    let table = stdout_of(&["run", "--dataset", "names", "--task", "chars", "--epochs", "2", "--seed", "4"]);
    assert!(
        table.contains("bits per character")
            && table.contains("perplexity")
            && table.contains("next-character accuracy"),
        "{table}"
    );
    assert!(table.contains("written at sampling temperature 1 (seed 4):"), "{table}");

    // sequence-level distillation: the students learn lines the teacher wrote; the test lines stay
    let base = ["run", "--dataset", "names", "--task", "chars", "--epochs", "2", "--seed", "4"];
    let teacher_text = json_of(&[&base[..], &["--student-text", "teacher"]].concat());
    assert_eq!(teacher_text["settings"]["studentText"], "teacher");
    assert_eq!(teacher_text["data"]["test_samples"], json["data"]["test_samples"]);
    assert_ne!(
        teacher_text["data"]["train_samples"], json["data"]["train_samples"],
        "the teacher's lines, not the names"
    );
    assert_eq!(teacher_text["teacher"]["bits_per_char"], json["teacher"]["bits_per_char"], "the same teacher");
    assert_fails(
        &["run", "--dataset", "digits", "--student-text", "teacher"],
        2,
        "error: --student-text teacher: the students learn a text the teacher wrote only with --task chars",
    );

    // a text file of one line per item
    let lines: Vec<String> = (0..40).map(|i| ["ab", "abc", "bca", "cab"][i % 4].repeat(1 + i % 3)).collect();
    let file = TempFile::new("words.txt", &lines.join("\n"));
    let json = json_of(&["run", "--dataset", file.path(), "--task", "chars", "--context", "2", "--epochs", "2"]);
    assert_eq!(json["data"]["classes"], serde_json::json!(["⏎", "a", "b", "c"]));
    assert_eq!(json["data"]["features"], 8);

    // bad input
    assert_fails(
        &["run", "--dataset", "digits", "--task", "chars"],
        2,
        "error: --dataset: --task chars learns from a text: 'names' or a text file, not 'digits'",
    );
    let empty = TempFile::new("empty.txt", "\n\n");
    assert_fails(
        &["run", "--dataset", empty.path(), "--task", "chars"],
        1,
        &format!("error: {} has no line with a character", empty.path()),
    );
    assert_fails(
        &["run", "--dataset", "names", "--task", "chars", "--context", "12"],
        1,
        "error: a context of 12 characters cannot be used: it must be from 1 to 11 (the longest line of names has 11 characters)",
    );
}

#[test]
fn kd_sample_writes_with_a_saved_run_of_the_language_task() {
    let run = TempFile::new("names-run.json", "");
    stdout_of(&["run", "--dataset", "names", "--task", "chars", "--epochs", "2", "--save-run", run.path()]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(run.path()).unwrap()).unwrap();
    assert_eq!(saved["text"]["name"], "names");
    assert_eq!(saved["text"]["characters"], "abcdefghijklmnopqrstuvwxyz");
    let sample = |extra: &[&str]| stdout_of(&[&["sample", "--run", run.path()][..], extra].concat());
    let written = sample(&["--prompt", "ma", "--count", "6", "--seed", "3"]);
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l.starts_with("ma") && l.chars().all(|c| c.is_ascii_lowercase())), "{written}");
    assert_eq!(sample(&["--prompt", "ma", "--count", "6", "--seed", "3"]), written, "the same seed writes the same");
    let greedy = sample(&["--temperature", "0", "--count", "3", "--model", "kd"]);
    assert_eq!(greedy.lines().collect::<std::collections::HashSet<_>>().len(), 1, "at temperature 0: one line");
    assert_fails(
        &["sample", "--run", run.path(), "--prompt", "Ma"],
        1,
        "error: the character 'M' never occurs in names: the model cannot read it",
    );
    assert_fails(
        &["sample", "--run", run.path(), "--temperature", "-1"],
        2,
        "error: --temperature -1: a sampling temperature is from 0 to 100",
    );
    let digits = TempFile::new("digits-run.json", "");
    stdout_of(&["run", "--dataset", "iris", "--epochs", "1", "--save-run", digits.path()]);
    assert_fails(
        &["sample", "--run", digits.path()],
        1,
        &format!(
            "error: {} is not a run of the language task (kd run --task chars --save-run FILE writes one)",
            digits.path()
        ),
    );
    // the page cannot open it as a run yet, and says why
    let refused = kd_playground::session::SavedRun::from_json(&std::fs::read_to_string(run.path()).unwrap())
        .and_then(kd_playground::session::Session::from_saved)
        .unwrap_err();
    assert!(refused.to_string().contains("this is a run of the language task"), "{refused}");
}
