//! `kd compare`: a run trained as `kd run` trains it, then the compression bench
//! ([`kd_playground::compression`]) on its teacher, timed on this machine's clock.

use std::io::IsTerminal;
use std::time::Instant;

use kd_playground::compression::{Bench, BenchOptions, Report, Row};
use kd_playground::session::{Phase, Session};
use kd_playground::settings::{self, Settings};
use kd_playground::KdError;

use crate::args::{CompareArgs, RunArgs};
use crate::run::{ignored_flag_notes, settings_values, Failure, Source};

/// What `kd compare` measured, with the run it measured it on.
pub struct CompareReport {
    pub settings: Settings,
    pub source_name: &'static str,
    pub file: Option<String>,
    pub report: Report,
}

/// Runs `kd compare`.
pub fn compare(run: &RunArgs, given: &CompareArgs) -> Result<CompareReport, Failure> {
    let engine = |error: KdError| Failure::engine(error, run);
    let dataset =
        run.dataset.clone().unwrap_or_else(|| settings::spec("dataset").map_or("spiral", |s| s.default).to_string());
    let source = Source::resolve(&dataset)?;
    let settings = Settings::from_values(&settings_values(&source, run)).map_err(engine)?;
    for note in ignored_flag_notes(&source, run) {
        eprintln!("{note}");
    }
    let defaults = BenchOptions::default();
    let options = BenchOptions {
        calibration: given.calibration.unwrap_or(defaults.calibration),
        labels_per_class: given.labels_per_class.unwrap_or(defaults.labels_per_class),
        ..defaults
    };
    let progress = std::io::stderr().is_terminal();
    let mut session = match source.dataset(&settings).map_err(engine)? {
        None => Session::new(settings.clone()),
        Some(data) => Session::with_data(settings.clone(), data),
    }
    .map_err(engine)?;
    for (phase, what) in [(Phase::Teacher, "the teacher"), (Phase::Distil, "the students")] {
        if progress {
            eprint!("\r\x1b[Ktraining {what}…");
        }
        let status = session.run_phase(phase).map_err(engine)?;
        if status.phase == Phase::Diverged {
            let message = status.stopped.map_or_else(|| "training diverged".into(), |m| m.to_string());
            return Err(Failure::data(message));
        }
    }
    let mut bench = Bench::new(&session, options).map_err(engine)?;
    while !bench.trained() {
        let status = bench.step(200).map_err(engine)?;
        if progress {
            eprint!(
                "\r\x1b[Kcompression bench: {} ({} of {} mini-batches)…",
                status.current.unwrap_or(""),
                status.batches,
                status.total_batches
            );
        }
    }
    let start = Instant::now();
    let mut clock = || start.elapsed().as_secs_f64() * 1000.0;
    let report = bench.run_to_end(&mut clock).map_err(engine)?;
    if progress {
        eprint!("\r\x1b[K");
    }
    Ok(CompareReport { settings, source_name: source.name(), file: source.file().map(str::to_string), report })
}

fn layers(sizes: &[usize]) -> String {
    sizes.iter().map(usize::to_string).collect::<Vec<_>>().join("-")
}

fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl CompareReport {
    fn row(&self, method: &str) -> Option<&Row> {
        self.report.rows.iter().find(|r| r.method == method)
    }

    /// The table, and what to read from it.
    pub fn to_table(&self) -> String {
        let s = &self.settings;
        let dataset = self.file.as_deref().unwrap_or(self.source_name);
        let mut text = format!(
            "Compression bench on {dataset} (seed {}): one teacher, compressed in each way; times measured on this \
             machine\n\n",
            s.seed
        );
        let header = ["method", "layers", "parameters", "non-zero", "bytes", "µs/sample", "test accuracy"];
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        for row in &self.report.rows {
            rows.push(vec![
                row.method.to_string(),
                layers(&row.sizes),
                grouped(row.parameters),
                grouped(row.nonzero_parameters),
                grouped(row.bytes),
                row.inference_us_per_sample.map_or("—".into(), |t| format!("{t:.2}")),
                format!("{:.1}%{}", 100.0 * row.test_accuracy, if row.new_task { " *" } else { "" }),
            ]);
        }
        let widths: Vec<usize> =
            (0..header.len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        for row in &rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, &w))| if c < 2 { format!("{cell:<w$}") } else { format!("{cell:>w$}") })
                .collect();
            text.push_str(cells.join("  ").trim_end());
            text.push('\n');
        }
        text.push('\n');
        let r = &self.report;
        text.push_str(&format!(
            "kd: the distilled student ({}, T = {}, α = {}); control: the same network on hard labels only.\n",
            s.method.name(),
            s.temperature,
            s.alpha
        ));
        text.push_str(&format!(
            "prune-weights, prune-neurons: the teacher pruned to at most {} non-zero parameters (the distilled \
             student's), fine-tuned for {} epochs; prune-weights is stored sparse but computed dense: unstructured \
             sparsity saves no time without sparse kernels.\n",
            grouped(r.target_parameters),
            r.fine_tune_epochs
        ));
        text.push_str(&format!(
            "int8, kd-int8: post-training quantization (per-channel weight scales, input scales from {} training \
             samples), run by an int8 kernel ({}).\n",
            r.calibration_samples,
            match r.int8_kernel {
                "avx2" => "AVX2 instructions",
                "simd128" => "WebAssembly SIMD128",
                _ => "portable Rust",
            }
        ));
        if let (Some(teacher), Some(int8)) = (self.row("teacher"), self.row("int8")) {
            if let (Some(f), Some(q)) = (teacher.inference_us_per_sample, int8.inference_us_per_sample) {
                text.push_str(&format!(
                    "int8 against the f32 teacher: {:+.1} points of accuracy, {:.1}× smaller, {}\n",
                    100.0 * (int8.test_accuracy - teacher.test_accuracy),
                    teacher.bytes as f64 / int8.bytes as f64,
                    if q < f {
                        format!("{:.1}× faster", f / q)
                    } else {
                        format!("{:.1}× slower (as measured here)", q / f)
                    }
                ));
            }
        }
        if let Some(t) = &r.transfer {
            text.push_str(&format!(
                "* transfer, transfer-scratch: a new task, classes {} learned from {} labels ({} per class), tested \
                 on its own test samples; transfer reuses the hidden layers (frozen) of a network trained on classes \
                 {} ({:.1}% on those), transfer-scratch is the same network trained from scratch.\n",
                t.target_classes.iter().map(usize::to_string).collect::<Vec<_>>().join(", "),
                t.labels,
                r.options.labels_per_class,
                t.source_classes.iter().map(usize::to_string).collect::<Vec<_>>().join(", "),
                100.0 * t.source_accuracy
            ));
        }
        for skipped in &r.skipped {
            text.push_str(&format!("{}: not run: {}\n", skipped.method, skipped.reason.render_english()));
        }
        text
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        let s = &self.settings;
        let r = &self.report;
        let json = serde_json::json!({
            "command": "compare",
            "dataset": self.source_name,
            "file": self.file,
            "seed": s.seed,
            "method": s.method.name(),
            "temperature": s.temperature,
            "alpha": s.alpha,
            "timing": "native",
            "target_parameters": r.target_parameters,
            "fine_tune_epochs": r.fine_tune_epochs,
            "calibration_samples": r.calibration_samples,
            "int8_kernel": r.int8_kernel,
            "transfer": r.transfer,
            "skipped": r.skipped.iter().map(|s| serde_json::json!({"method": s.method, "reason": s.reason.render_english()})).collect::<Vec<_>>(),
            "rows": r.rows,
        });
        serde_json::to_string_pretty(&json).map(|t| t + "\n")
    }
}
