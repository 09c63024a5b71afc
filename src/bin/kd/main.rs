//! `kd`: knowledge distillation from the command line, over the same engine as the page.
//!
//! ```text
//! kd run --dataset digits|iris|spiral|blobs|moons|PATH.csv [--teacher 256,256] [--student 16]
//!        [--temperature 4] [--alpha 0.9] [--epochs 60] [--seed 0 | --seeds 5] [--omit-class C]
//!        [--train-fraction F] [--json] …      (kd run --help lists every flag)
//! kd run --dataset names|PATH.txt --task chars [--context 3] --save-run RUN.json
//! kd sample --run RUN.json [--prompt TEXT] [--temperature 1] [--count 10] [--model teacher]
//! ```
//!
//! Exit codes: 0 success, 2 usage error (unknown flag, bad value), 1 data or training error.
//! Errors go to stderr; with `--json`, stdout holds the one JSON object and nothing else.
//!
//! `kd` is a native command: `cargo test --target wasm32-unknown-unknown` still builds every
//! binary of the package, so for that target it is an empty `main` (its command line, clap, is
//! not a dependency of the WebAssembly build).

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod compare;
#[cfg(not(target_arch = "wasm32"))]
mod report;
#[cfg(not(target_arch = "wasm32"))]
mod run;
#[cfg(not(target_arch = "wasm32"))]
mod sample;
#[cfg(not(target_arch = "wasm32"))]
mod study;

#[cfg(not(target_arch = "wasm32"))]
use std::io::Write;
#[cfg(not(target_arch = "wasm32"))]
use std::process::ExitCode;

#[cfg(not(target_arch = "wasm32"))]
use args::Command;
#[cfg(not(target_arch = "wasm32"))]
use kd_playground::experiments::{margin, OverSeeds};
#[cfg(not(target_arch = "wasm32"))]
use run::Failure;

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match execute(&arguments) {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(output.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                // A reader that stopped reading (kd run … | head) is not an error of ours.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: cannot write the output ({error})");
                    ExitCode::from(1)
                }
            }
        }
        Err(failure) => {
            for line in &failure.lines {
                eprintln!("error: {line}");
            }
            if let Some(hint) = &failure.hint {
                eprintln!("  {hint}");
            }
            ExitCode::from(failure.exit_code)
        }
    }
}

/// What to print on stdout, or why not.
#[cfg(not(target_arch = "wasm32"))]
fn execute(arguments: &[String]) -> Result<String, Failure> {
    match args::parse(arguments)? {
        Command::Help(text) => Ok(text),
        Command::Sample(sample_args) => sample::sample(&sample_args),
        Command::Run(run_args) => {
            let report = run::run(&run_args)?;
            if run_args.json {
                report.to_json().map_err(|error| Failure::data(format!("cannot write the JSON ({error})")))
            } else {
                Ok(report.to_table())
            }
        }
        Command::Compare(run_args, compare_args) => {
            let report = compare::compare(&run_args, &compare_args)?;
            if run_args.json {
                report.to_json().map_err(|error| Failure::data(format!("cannot write the JSON ({error})")))
            } else {
                Ok(report.to_table())
            }
        }
        Command::Experiment(experiment, run_args) if experiment.check.is_study() => {
            let report = study::run_study(experiment, &run_args)?;
            if run_args.json {
                report.to_json().map_err(|error| Failure::data(format!("cannot write the JSON ({error})")))
            } else {
                Ok(report.to_table())
            }
        }
        Command::Experiment(experiment, run_args) => {
            let report = run::run(&run_args)?;
            let judged = report.verdicts(experiment);
            let verdicts: Vec<bool> = judged.iter().map(|&(_, shown)| shown).collect();
            let shown = verdicts.iter().filter(|&&v| v).count();
            let differences: Vec<f32> = judged.iter().filter_map(|&(d, _)| d).collect();
            let over = (differences.len() > 1)
                .then(|| OverSeeds::of(&differences, &verdicts, margin(experiment.check)))
                .flatten();
            if run_args.json {
                let text =
                    report.to_json().map_err(|error| Failure::data(format!("cannot write the JSON ({error})")))?;
                let mut json: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|error| Failure::data(format!("cannot write the JSON ({error})")))?;
                json["command"] = "experiment".into();
                json["experiment"] = serde_json::json!({
                    "name": experiment.name,
                    "claim": experiment.claim().to_string(),
                    "shown": verdicts,
                    "shown_in_seeds": shown,
                    "differences": differences,
                    "over_seeds": over,
                });
                serde_json::to_string_pretty(&json)
                    .map(|t| t + "\n")
                    .map_err(|error| Failure::data(format!("cannot write the JSON ({error})")))
            } else {
                Ok(format!(
                    "{}: {}\n{}\n\n{}\nverdict: the claim was shown in {shown} of {} run{} (judged from each run's own numbers)\n{}",
                    experiment.name,
                    experiment.title(),
                    experiment.claim(),
                    report.to_table().trim_end(),
                    verdicts.len(),
                    if verdicts.len() == 1 { "" } else { "s" },
                    over.map_or(String::new(), |o| report::over_seeds_text(experiment.check, &o))
                ))
            }
        }
    }
}
