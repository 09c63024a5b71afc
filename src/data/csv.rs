//! The user's own data: a CSV file with numeric feature columns and the class label in the last
//! column (an integer from 0, or a class name), with or without a header row. Read with `csv-core`
//! (RFC 4180: quoted fields, `""` for a quote inside one, line breaks inside quotes; CRLF or LF),
//! with a byte order mark allowed and blank lines skipped. Every malformed input gets an error
//! that names the line and column and, for limits, states the limit; nothing here panics.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder, Terminator};
use ndarray::Array2;

use super::RawData;
use crate::error::{CsvProblem, KdError, Result};

/// Largest file accepted, checked before anything is parsed.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows.
pub const MAX_ROWS: usize = 20_000;
/// Most feature columns (the label column comes on top).
pub const MAX_FEATURES: usize = 256;
/// Most classes.
pub const MAX_CLASSES: usize = 20;

/// One record of the file: its fields, trimmed, and the line it starts on. A record wider than
/// the limit keeps only its count of fields.
struct Record {
    line: usize,
    fields: Vec<String>,
    columns: usize,
}

/// The file's records, one after the other, each with the line it starts on (a quoted field may
/// span lines). Blank lines, and lines of spaces, are skipped.
struct Records<'a> {
    reader: Reader,
    input: &'a [u8],
    /// The line the next record starts on.
    line: usize,
    /// The record's unescaped bytes, and where each field ends in them (csv-core counts from the
    /// record's start even across calls).
    output: Vec<u8>,
    ends: Vec<usize>,
}

impl<'a> Records<'a> {
    fn new(input: &'a [u8]) -> Self {
        // Records end at LF only (a CR before it is trimmed off the last field), so that a stray
        // CR inside a line is a character, as it always was here, not a line break.
        let reader = ReaderBuilder::new().terminator(Terminator::Any(b'\n')).build();
        Records { reader, input, line: 1, output: vec![0; 4096], ends: vec![0; 64] }
    }

    /// The next record; `Ok(None)` at the end of the file.
    fn next_record(&mut self) -> std::result::Result<Option<Record>, CsvProblem> {
        loop {
            let start_line = self.line + leading_blank_lines(self.input);
            let (mut written, mut ends_written, mut consumed) = (0, 0, 0);
            let mut columns = 0;
            let mut kept_fields: Option<Vec<String>> = None;
            loop {
                // Once the input is all read, an empty call ends the record (or the file).
                let input = &self.input[consumed..];
                let at_end = input.is_empty();
                let (result, read, wrote, ended) =
                    self.reader.read_record(input, &mut self.output[written..], &mut self.ends[ends_written..]);
                consumed += read;
                written += wrote;
                ends_written += ended;
                match result {
                    ReadRecordResult::InputEmpty => {}
                    ReadRecordResult::OutputFull => {
                        let size = self.output.len() * 2;
                        self.output.resize(size, 0);
                    }
                    ReadRecordResult::OutputEndsFull => {
                        // A record wider than any file may be: count its fields, keep none.
                        if self.ends.len() > MAX_FEATURES + 1 {
                            columns += ends_written;
                            ends_written = 0;
                            written = 0;
                            kept_fields.get_or_insert_with(Vec::new);
                        } else {
                            let size = self.ends.len() * 2;
                            self.ends.resize(size, 0);
                        }
                    }
                    ReadRecordResult::Record if at_end && ends_in_open_quote(self.input) => {
                        return Err(CsvProblem::UnclosedQuote { line: start_line });
                    }
                    ReadRecordResult::Record => break,
                    ReadRecordResult::End => {
                        self.input = &[];
                        return Ok(None);
                    }
                }
            }
            let raw = &self.input[..consumed];
            self.line += raw.iter().filter(|&&b| b == b'\n').count();
            self.input = &self.input[consumed..];
            columns += ends_written;
            let fields = match kept_fields {
                Some(none) => none,
                None => {
                    let mut fields = Vec::with_capacity(ends_written);
                    let mut from = 0;
                    for &end in &self.ends[..ends_written] {
                        // The file is UTF-8 (checked first) and fields end at ASCII delimiters.
                        fields.push(String::from_utf8_lossy(&self.output[from..end]).trim().to_string());
                        from = end;
                    }
                    fields
                }
            };
            if columns == 1 && fields.first().is_some_and(String::is_empty) {
                continue; // a line of spaces
            }
            return Ok(Some(Record { line: start_line, fields, columns }));
        }
    }
}

/// The number of line breaks that begin `input` (csv-core skips empty lines before a record).
fn leading_blank_lines(input: &[u8]) -> usize {
    input.iter().take_while(|&&b| b == b'\n').count()
}

/// Whether the last record of a file, `raw`, ends inside a quoted field: the file ended before
/// the quote was closed. A quote opens a field only as its first byte, as csv-core reads it.
fn ends_in_open_quote(raw: &[u8]) -> bool {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    for &b in raw {
        state = match (state, b) {
            (State::FieldStart, b'"') => State::Quoted,
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b',' | b'\n') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    state == State::Quoted
}

/// Parses a feature value; `column` counts from 1.
fn parse_feature(text: &str, line: usize, column: usize) -> std::result::Result<f32, CsvProblem> {
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(CsvProblem::NotFinite { line, column, text: text.to_string() }),
        Err(_) if text.is_empty() => Err(CsvProblem::MissingValue { line, column }),
        Err(_) => Err(CsvProblem::NotANumber { line, column, text: text.to_string() }),
    }
}

/// Reads a CSV file's bytes (`name` is only for messages) into samples and class names.
pub(crate) fn parse(bytes: &[u8], name: &str) -> Result<RawData> {
    read(bytes).map_err(|problem| KdError::Csv { file: name.to_string(), problem })
}

fn read(bytes: &[u8]) -> std::result::Result<RawData, CsvProblem> {
    if bytes.len() > MAX_BYTES {
        return Err(CsvProblem::TooLarge {
            megabytes: bytes.len() as f64 / (1024.0 * 1024.0),
            limit_megabytes: MAX_BYTES / (1024 * 1024),
        });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(CsvProblem::NotUtf8 { line, offset: e.valid_up_to() });
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut records = Records::new(bytes);

    let first = records.next_record()?.ok_or(CsvProblem::Empty)?;
    if first.columns > MAX_FEATURES + 1 {
        return Err(CsvProblem::TooManyColumns { line: first.line, columns: first.columns, limit: MAX_FEATURES + 1 });
    }
    if first.fields.len() < 2 {
        return Err(CsvProblem::OneColumn { line: first.line });
    }
    let header_like = first.fields[..first.fields.len() - 1].iter().any(|f| f.parse::<f32>().is_err());
    let mut rows = Vec::new();
    let feature_names = if header_like {
        check_header(&first.fields, first.line)?;
        first.fields[..first.fields.len() - 1].to_vec()
    } else {
        let names = (1..first.fields.len()).map(|c| format!("feature {c}")).collect();
        rows.push(Record { line: first.line, fields: first.fields.clone(), columns: first.columns });
        names
    };
    let expected = first.fields.len();
    while let Some(record) = records.next_record()? {
        if record.columns != expected {
            return Err(CsvProblem::FieldCount { line: record.line, found: record.columns, expected });
        }
        rows.push(record);
    }
    if rows.is_empty() {
        return Err(CsvProblem::HeaderOnly);
    }
    if rows.len() > MAX_ROWS {
        return Err(CsvProblem::TooManyRows { rows: rows.len(), limit: MAX_ROWS });
    }

    let features = expected - 1;
    let mut values = Vec::with_capacity(rows.len() * features);
    let mut label_texts: Vec<(usize, String)> = Vec::with_capacity(rows.len());
    for record in &rows {
        for (c, field) in record.fields[..features].iter().enumerate() {
            values.push(parse_feature(field, record.line, c + 1)?);
        }
        let label = record.fields[features].clone();
        if label.is_empty() {
            return Err(CsvProblem::MissingLabel { line: record.line, column: features + 1 });
        }
        label_texts.push((record.line, label));
    }
    let (labels, class_names) = class_labels(&label_texts, features + 1)?;
    let features_array = Array2::from_shape_vec((labels.len(), features), values)
        .map_err(|_| CsvProblem::FieldCount { line: 1, found: 0, expected })?;
    Ok(RawData { features: features_array, labels, class_names, feature_names })
}

/// A header's names must be distinct.
fn check_header(header: &[String], line: usize) -> std::result::Result<(), CsvProblem> {
    for (i, name) in header.iter().enumerate() {
        if let Some(j) = header[..i].iter().position(|other| other == name) {
            return Err(CsvProblem::DuplicateColumn { line, name: name.clone(), first: j + 1, second: i + 1 });
        }
    }
    Ok(())
}

/// Labels as class indices: integers 0..K−1 when every label is a whole number (K = largest + 1,
/// at most [`MAX_CLASSES`]), otherwise class names numbered in order of first appearance.
fn class_labels(
    labels: &[(usize, String)],
    column: usize,
) -> std::result::Result<(Vec<usize>, Vec<String>), CsvProblem> {
    let integers: Option<Vec<i64>> = labels.iter().map(|(_, l)| l.parse::<i64>().ok()).collect();
    let (indices, names) = match integers {
        Some(values) => {
            if let Some((line, value)) = labels
                .iter()
                .zip(&values)
                .find(|(_, &v)| v < 0 || v >= MAX_CLASSES as i64)
                .map(|((line, _), v)| (line, v))
            {
                return Err(CsvProblem::LabelOutOfRange { line: *line, column, label: *value, max: MAX_CLASSES - 1 });
            }
            let classes = values.iter().max().map_or(0, |&m| m as usize + 1);
            (
                values.iter().map(|&v| v as usize).collect::<Vec<_>>(),
                (0..classes).map(|c| c.to_string()).collect::<Vec<_>>(),
            )
        }
        None => {
            let mut names: Vec<String> = Vec::new();
            let mut indices = Vec::with_capacity(labels.len());
            for (line, label) in labels {
                let index = match names.iter().position(|n| n == label) {
                    Some(index) => index,
                    None => {
                        if names.len() == MAX_CLASSES {
                            return Err(CsvProblem::TooManyClasses { line: *line, column, limit: MAX_CLASSES });
                        }
                        names.push(label.clone());
                        names.len() - 1
                    }
                };
                indices.push(index);
            }
            (indices, names)
        }
    };
    let distinct = {
        let mut seen = indices.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    if distinct < 2 {
        let only = names.get(indices.first().copied().unwrap_or(0)).cloned().unwrap_or_default();
        return Err(CsvProblem::OneClass { class: only });
    }
    Ok((indices, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text.as_bytes(), "data.csv").err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn reads_files_with_and_without_header_string_labels_crlf_and_bom() {
        let plain = parse(b"1,2,0\n3,4,1\n5,6,1\n", "a.csv").unwrap();
        assert_eq!(plain.labels, vec![0, 1, 1]);
        assert_eq!(plain.class_names, vec!["0", "1"]);
        assert_eq!(plain.feature_names, vec!["feature 1", "feature 2"]);
        let named =
            parse("\u{feff}width,height,kind\r\n1.5,2,cat\r\n3,4,dog\r\n\r\n5,6,cat\r\n".as_bytes(), "b.csv").unwrap();
        assert_eq!(named.labels, vec![0, 1, 0]);
        assert_eq!(named.class_names, vec!["cat", "dog"]);
        assert_eq!(named.feature_names, vec!["width", "height"]);
        assert_eq!(named.features[[0, 0]], 1.5);
        let quoted = parse(b"\"a\",\"b, c\",label\n1,\"2\",\"x \"\"y\"\"\"\n3,4,z\n", "c.csv").unwrap();
        assert_eq!(quoted.feature_names, vec!["a", "b, c"]);
        assert_eq!(quoted.class_names, vec!["x \"y\"", "z"]);
    }

    #[test]
    fn a_quoted_line_break_is_part_of_its_field_and_lines_are_still_counted() {
        // As spreadsheets write a header cell with a line break in it (RFC 4180).
        let text = "\"width\n(cm)\",height,label\r\n1,2,a\r\n3,4,b\r\n";
        let data = parse(text.as_bytes(), "sheet.csv").unwrap();
        assert_eq!(data.feature_names, vec!["width\n(cm)", "height"]);
        assert_eq!(data.class_names, vec!["a", "b"]);
        // The header takes lines 1 and 2, so the data start on line 3.
        let bad = "\"width\n(cm)\",height,label\n1,2,a\n3,x,b\n";
        assert_eq!(error(bad), "line 4, column 2: 'x' is not a number");
    }

    #[test]
    fn each_malformed_file_gets_its_exact_message() {
        assert_eq!(error(""), "data.csv is empty");
        assert_eq!(error("a,b,label\n"), "data.csv has a header but no data rows");
        assert_eq!(error("1,2,0\n3,0\n"), "line 2: 2 fields, expected 3 (every row needs the same columns)");
        assert_eq!(error("1,2,0\n3,x,1\n"), "line 2, column 2: 'x' is not a number");
        assert_eq!(error("1,2,0\n3,NaN,1\n"), "line 2, column 2: 'NaN' is not a finite number");
        assert_eq!(error("1,2,0\n3,inf,1\n"), "line 2, column 2: 'inf' is not a finite number");
        assert_eq!(error("1,2,0\n3,,1\n"), "line 2, column 2: the value is missing");
        assert_eq!(error("1,2,0\n3,4,\n"), "line 2, column 3: the label is missing");
        assert_eq!(
            error("1,2,a\n3,4,a\n"),
            "every row has the same class ('a'); distillation needs at least two classes"
        );
        assert_eq!(
            error("1,2,0\n3,4,25\n"),
            "line 2, column 3: label 25 is out of range; integer labels must be 0 to 19"
        );
        assert_eq!(
            error("1,2,0\n3,4,-1\n"),
            "line 2, column 3: label -1 is out of range; integer labels must be 0 to 19"
        );
        assert_eq!(error("x,y,x\n1,2,0\n"), "line 1: the column name 'x' appears twice (columns 1 and 3)");
        assert_eq!(error("1,\"2,0\n"), "line 1: a quoted field is not closed");
        assert_eq!(error("5\n6\n"), "line 1: one column; a file needs at least one feature column and a label column");
    }

    #[test]
    fn limits_are_stated() {
        let wide = format!("{}0\n", "1,".repeat(1_000_000));
        assert_eq!(error(&wide), "line 1: 1000001 columns; the limit is 257 (256 features and a label)");
        let many_classes: String = (0..25).map(|i| format!("{i},c{i}\n")).collect();
        assert_eq!(error(&many_classes), "line 21, column 2: more than 20 classes; the limit is 20");
        let rows: String = (0..=MAX_ROWS).map(|i| format!("{i},{}\n", i % 2)).collect();
        assert_eq!(error(&rows), "data.csv has 20001 data rows; the limit is 20000");
        let huge = vec![b'1'; MAX_BYTES + 1];
        assert_eq!(
            parse(&huge, "big.csv").err().map(|e| e.to_string()).unwrap_or_default(),
            "big.csv is 5.0 MB; the limit is 5 MB"
        );
        assert_eq!(
            parse(b"1,2,0\n\xff\xfe,1,1\n", "bad.csv").err().map(|e| e.to_string()).unwrap_or_default(),
            "bad.csv is not UTF-8 text (line 2: invalid byte at offset 6); save it as UTF-8"
        );
    }
}
