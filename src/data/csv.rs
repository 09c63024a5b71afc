//! The user's own data: a CSV file with numeric feature columns and the class label in the last
//! column (an integer from 0, or a class name), with or without a header row. Every malformed
//! input gets an error that names the line and column and, for limits, states the limit; nothing
//! here panics.

use ndarray::Array2;

use super::RawData;
use crate::error::{KdError, Result};

/// Largest file accepted, checked before anything is parsed.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows.
pub const MAX_ROWS: usize = 20_000;
/// Most feature columns (the label column comes on top).
pub const MAX_FEATURES: usize = 256;
/// Most classes.
pub const MAX_CLASSES: usize = 20;

fn csv_error(message: impl Into<String>) -> KdError {
    KdError::Data(message.into())
}

/// Splits one line into fields at commas. A field may be quoted with `"`, and `""` inside quotes
/// is a literal quote; surrounding spaces are trimmed. `line_number` is for messages.
fn split_fields(line: &str, line_number: usize) -> Result<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => in_quotes = false,
            ('"', false) if field.trim().is_empty() && !was_quoted => {
                field.clear();
                in_quotes = true;
                was_quoted = true;
            }
            (',', false) => {
                fields.push(if was_quoted {
                    std::mem::take(&mut field)
                } else {
                    std::mem::take(&mut field).trim().to_string()
                });
                was_quoted = false;
            }
            (c, _) => field.push(c),
        }
    }
    if in_quotes {
        return Err(csv_error(format!("line {line_number}: a quoted field is not closed")));
    }
    fields.push(if was_quoted { field } else { field.trim().to_string() });
    Ok(fields)
}

/// Parses a feature value; `column` counts from 1.
fn parse_feature(text: &str, line_number: usize, column: usize) -> Result<f32> {
    let shown: String = text.chars().take(30).collect();
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(csv_error(format!("line {line_number}, column {column}: '{shown}' is not a finite number"))),
        Err(_) if text.is_empty() => {
            Err(csv_error(format!("line {line_number}, column {column}: the value is missing")))
        }
        Err(_) => Err(csv_error(format!("line {line_number}, column {column}: '{shown}' is not a number"))),
    }
}

/// Reads a CSV file's bytes (`name` is only for messages) into samples and class names.
pub(crate) fn parse(bytes: &[u8], name: &str) -> Result<RawData> {
    if bytes.len() > MAX_BYTES {
        return Err(csv_error(format!(
            "{name} is {:.1} MB; the limit is {} MB",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_BYTES / (1024 * 1024)
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        csv_error(format!(
            "{name} is not UTF-8 text (line {line}: invalid byte at offset {}); save it as UTF-8",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty());
    let (first_number, first_line) = lines.next().ok_or_else(|| csv_error(format!("{name} is empty")))?;
    let columns = first_line.matches(',').count() + 1;
    if columns > MAX_FEATURES + 1 {
        return Err(csv_error(format!(
            "line {first_number}: {columns} columns; the limit is {} ({MAX_FEATURES} features and a label)",
            MAX_FEATURES + 1
        )));
    }
    let first = split_fields(first_line, first_number)?;
    if first.len() < 2 {
        // Counted after splitting: commas inside quotes do not separate columns (found by fuzzing).
        return Err(csv_error(format!(
            "line {first_number}: one column; a file needs at least one feature column and a label column"
        )));
    }
    let header_like = first[..first.len() - 1].iter().any(|f| f.parse::<f32>().is_err());
    let (feature_names, data_rows): (Vec<String>, Vec<(usize, &str)>) = if header_like {
        check_header(&first, first_number)?;
        (first[..first.len() - 1].to_vec(), lines.collect())
    } else {
        let names = (1..first.len()).map(|c| format!("feature {c}")).collect();
        (names, std::iter::once((first_number, first_line)).chain(lines).collect())
    };
    if data_rows.is_empty() {
        return Err(csv_error(format!("{name} has a header but no data rows")));
    }
    if data_rows.len() > MAX_ROWS {
        return Err(csv_error(format!("{name} has {} data rows; the limit is {MAX_ROWS}", data_rows.len())));
    }

    let features = first.len() - 1;
    let mut values = Vec::with_capacity(data_rows.len() * features);
    let mut label_texts: Vec<(usize, String)> = Vec::with_capacity(data_rows.len());
    for &(line_number, line) in &data_rows {
        let fields = split_fields(line, line_number)?;
        if fields.len() != first.len() {
            return Err(csv_error(format!(
                "line {line_number}: {} fields, expected {} (every row needs the same columns)",
                fields.len(),
                first.len()
            )));
        }
        for (c, field) in fields[..features].iter().enumerate() {
            values.push(parse_feature(field, line_number, c + 1)?);
        }
        let label = fields[features].clone();
        if label.is_empty() {
            return Err(csv_error(format!("line {line_number}, column {}: the label is missing", features + 1)));
        }
        label_texts.push((line_number, label));
    }
    let (labels, class_names) = class_labels(&label_texts, features + 1)?;
    let features_array =
        Array2::from_shape_vec((labels.len(), features), values).map_err(|e| KdError::Shape(e.to_string()))?;
    Ok(RawData { features: features_array, labels, class_names, feature_names })
}

/// A header's names must be distinct.
fn check_header(header: &[String], line_number: usize) -> Result<()> {
    for (i, name) in header.iter().enumerate() {
        if let Some(j) = header[..i].iter().position(|other| other == name) {
            let shown: String = name.chars().take(30).collect();
            return Err(csv_error(format!(
                "line {line_number}: the column name '{shown}' appears twice (columns {} and {})",
                j + 1,
                i + 1
            )));
        }
    }
    Ok(())
}

/// Labels as class indices: integers 0..K−1 when every label is a whole number (K = largest + 1,
/// at most [`MAX_CLASSES`]), otherwise class names numbered in order of first appearance.
fn class_labels(labels: &[(usize, String)], column: usize) -> Result<(Vec<usize>, Vec<String>)> {
    let integers: Option<Vec<i64>> = labels.iter().map(|(_, l)| l.parse::<i64>().ok()).collect();
    let (indices, names) = match integers {
        Some(values) => {
            if let Some((line, value)) = labels
                .iter()
                .zip(&values)
                .find(|(_, &v)| v < 0 || v >= MAX_CLASSES as i64)
                .map(|((line, _), v)| (line, v))
            {
                return Err(csv_error(format!(
                    "line {line}, column {column}: label {value} is out of range; integer labels must be 0 to {}",
                    MAX_CLASSES - 1
                )));
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
                            return Err(csv_error(format!("line {line}, column {column}: more than {MAX_CLASSES} classes; the limit is {MAX_CLASSES}")));
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
        let only: String =
            names.get(indices.first().copied().unwrap_or(0)).cloned().unwrap_or_default().chars().take(30).collect();
        return Err(csv_error(format!(
            "every row has the same class ('{only}'); distillation needs at least two classes"
        )));
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
    fn each_malformed_file_gets_its_exact_message() {
        assert_eq!(error(""), "data: data.csv is empty");
        assert_eq!(error("a,b,label\n"), "data: data.csv has a header but no data rows");
        assert_eq!(error("1,2,0\n3,0\n"), "data: line 2: 2 fields, expected 3 (every row needs the same columns)");
        assert_eq!(error("1,2,0\n3,x,1\n"), "data: line 2, column 2: 'x' is not a number");
        assert_eq!(error("1,2,0\n3,NaN,1\n"), "data: line 2, column 2: 'NaN' is not a finite number");
        assert_eq!(error("1,2,0\n3,inf,1\n"), "data: line 2, column 2: 'inf' is not a finite number");
        assert_eq!(error("1,2,0\n3,,1\n"), "data: line 2, column 2: the value is missing");
        assert_eq!(error("1,2,0\n3,4,\n"), "data: line 2, column 3: the label is missing");
        assert_eq!(
            error("1,2,a\n3,4,a\n"),
            "data: every row has the same class ('a'); distillation needs at least two classes"
        );
        assert_eq!(
            error("1,2,0\n3,4,25\n"),
            "data: line 2, column 3: label 25 is out of range; integer labels must be 0 to 19"
        );
        assert_eq!(
            error("1,2,0\n3,4,-1\n"),
            "data: line 2, column 3: label -1 is out of range; integer labels must be 0 to 19"
        );
        assert_eq!(error("x,y,x\n1,2,0\n"), "data: line 1: the column name 'x' appears twice (columns 1 and 3)");
        assert_eq!(error("1,\"2,0\n"), "data: line 1: a quoted field is not closed");
        assert_eq!(
            error("5\n6\n"),
            "data: line 1: one column; a file needs at least one feature column and a label column"
        );
    }

    #[test]
    fn limits_are_stated() {
        let wide = format!("{}0\n", "1,".repeat(1_000_000));
        assert_eq!(error(&wide), "data: line 1: 1000001 columns; the limit is 257 (256 features and a label)");
        let many_classes: String = (0..25).map(|i| format!("{i},c{i}\n")).collect();
        assert_eq!(error(&many_classes), "data: line 21, column 2: more than 20 classes; the limit is 20");
        let rows: String = (0..=MAX_ROWS).map(|i| format!("{i},{}\n", i % 2)).collect();
        assert_eq!(error(&rows), "data: data.csv has 20001 data rows; the limit is 20000");
        let huge = vec![b'1'; MAX_BYTES + 1];
        assert_eq!(
            parse(&huge, "big.csv").err().map(|e| e.to_string()).unwrap_or_default(),
            "data: big.csv is 5.0 MB; the limit is 5 MB"
        );
        assert_eq!(
            parse(b"1,2,0\n\xff\xfe,1,1\n", "bad.csv").err().map(|e| e.to_string()).unwrap_or_default(),
            "data: bad.csv is not UTF-8 text (line 2: invalid byte at offset 6); save it as UTF-8"
        );
    }
}
