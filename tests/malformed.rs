//! The corpus of malformed inputs in `tests/malformed/`: every file a user might hand the
//! playground by mistake, with the exact message each one gets. The same engine functions read
//! them in the page (CSV upload, "Load run…") and in `kd run` (`--dataset FILE`), so these are the
//! messages a user sees there too. Inputs too big to commit are made here.

use std::path::Path;

use kd_playground::data::{csv, DataOptions, Dataset};
use kd_playground::session::{SavedRun, Session};

fn file(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn options() -> DataOptions {
    DataOptions::default()
}

fn csv_message(name: &str, bytes: &[u8]) -> String {
    match Dataset::from_csv(bytes, name, &options()) {
        Ok(_) => "loaded".into(),
        Err(e) => e.to_string(),
    }
}

fn run_message(text: &str) -> String {
    match SavedRun::from_json(text).and_then(Session::from_saved) {
        Ok(_) => "loaded".into(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn each_malformed_csv_file_gets_its_exact_message() {
    let cases = [
        ("csv-empty.csv", "csv-empty.csv is empty"),
        ("csv-header-only.csv", "csv-header-only.csv has a header but no data rows"),
        ("csv-ragged.csv", "line 3: 2 fields, expected 3 (every row needs the same columns)"),
        ("csv-non-numeric.csv", "line 3, column 2: 'four' is not a number"),
        ("csv-nan.csv", "line 3, column 2: 'NaN' is not a finite number"),
        ("csv-inf.csv", "line 3, column 2: '-Infinity' is not a finite number"),
        ("csv-single-class.csv", "every row has the same class ('cat'); distillation needs at least two classes"),
        ("csv-label-out-of-range.csv", "line 3, column 3: label 20 is out of range; integer labels must be 0 to 19"),
        ("csv-header-twice.csv", "line 2, column 1: 'width' is not a number"),
        ("csv-duplicate-column.csv", "line 1: the column name 'width' appears twice (columns 1 and 2)"),
        (
            "csv-invalid-utf8.csv",
            "csv-invalid-utf8.csv is not UTF-8 text (line 3: invalid byte at offset 28); save it as UTF-8",
        ),
        ("csv-unclosed-quote.csv", "line 2: a quoted field is not closed"),
    ];
    for (name, expected) in cases {
        assert_eq!(csv_message(name, &file(name)), expected, "{name}");
    }
}

#[test]
fn a_byte_order_mark_crlf_line_ends_and_quoted_fields_are_read() {
    let data = Dataset::from_csv(&file("csv-bom-crlf-quoted.csv"), "csv-bom-crlf-quoted.csv", &options()).unwrap();
    assert_eq!(data.feature_names, vec!["width", "height, cm"]);
    assert_eq!(data.class_names, vec!["cat", "dog \"rex\""]);
    assert_eq!(data.train.features.nrows() + data.test.features.nrows(), 3);
}

#[test]
fn files_over_the_limits_are_refused_with_the_limit() {
    let wide = format!("{}0\n1,0\n", "1,".repeat(1_000_000));
    assert_eq!(
        csv_message("wide.csv", wide.as_bytes()),
        "line 1: 1000001 columns; the limit is 257 (256 features and a label)"
    );
    // Refused on its length: nothing of it is parsed (the page and `kd run` check the file's
    // size before they read it at all).
    let huge = vec![b'1'; csv::MAX_BYTES + 1];
    assert_eq!(csv_message("huge.csv", &huge), "huge.csv is 5.0 MB; the limit is 5 MB");
}

#[test]
fn a_version_1_run_file_loads() {
    let text = String::from_utf8(file("run-valid-v1.json")).unwrap();
    assert_eq!(run_message(&text), "loaded");
}

#[test]
fn each_malformed_run_file_gets_its_exact_message() {
    let cases = [
        ("run-truncated.json", "cannot load this run: the file ends in the middle of its JSON (line 1, column 1264): it was probably cut short"),
        ("run-version-2.json", "cannot load this run: it is version 2 of the run format; this playground reads version 1"),
        ("run-wrong-shape.json", "cannot load this run: the teacher's layers are [4, 5, 3], but its settings give [4, 3, 3]"),
        ("run-wrong-length.json", "cannot load this run: the distilled student's weights are malformed (data and dimension must match in size)"),
        ("run-null-weight.json", "cannot load this run: the control student's weights are malformed (invalid type: null, expected f32)"),
        ("run-not-json.json", "cannot load this run: it is not JSON (line 1, column 1: expected value)"),
        ("run-other-json.json", "cannot load this run: it is not a KD Playground run (no \"format\": \"kd-playground-run\")"),
        ("run-bad-setting.json", "cannot load this run: its settings are invalid: Temperature T: must be between 0.05 and 100 (got 1000000000)"),
    ];
    let mut wrong = Vec::new();
    for (name, expected) in cases {
        let got = run_message(&String::from_utf8_lossy(&file(name)));
        if got != expected {
            wrong.push(format!("{name}: {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
