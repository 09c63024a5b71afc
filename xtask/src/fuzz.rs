//! `cargo xtask fuzz [TARGET…] [--seconds N]`: the cargo-fuzz targets in `fuzz/` (one per parser
//! or validator of user input), each run for N seconds (default 600) on its corpus.
//!
//! * `csv` — a user's CSV file (`Dataset::from_csv`);
//! * `run_json` — a saved run file (`SavedRun::from_json`, then `Session::from_saved`);
//! * `settings` — the page's settings as a JSON object (`Settings::from_values`, `check_live`);
//! * `cli_args` — the `kd` command line (`src/bin/kd/args.rs`).
//!
//! It first installs what is missing: the nightly toolchain (libFuzzer's instrumentation needs
//! it) and cargo-fuzz. Then, for each target, `cargo +nightly fuzz run TARGET fuzz/corpus/TARGET
//! fuzz/seeds/TARGET -- -max_total_time=N`: the committed seeds (a few hand-picked inputs) start
//! it, the working corpus grows in `fuzz/corpus/` (not committed: what fuzzing finds that matters
//! becomes a test in `tests/fuzz_regressions.rs`), a crashing input is written to
//! `fuzz/artifacts/TARGET/`. One line per target sums up; any crash fails the command, after
//! every target has had its turn. One fuzzing process at a time (libFuzzer's default).

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use crate::{capture, cargo, describe, run_cmd, Result};

/// Every fuzz target, in the order they run by default.
const TARGETS: [&str; 4] = ["csv", "run_json", "settings", "cli_args"];
/// Seconds per target unless `--seconds N` says otherwise.
const DEFAULT_SECONDS: u64 = 600;
const FUZZ_DIR: &str = "fuzz";
const USAGE: &str = "usage: cargo xtask fuzz [TARGET…] [--seconds N]  (targets: csv, run_json, settings, cli_args)";

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug, PartialEq)]
struct FuzzOptions {
    targets: Vec<&'static str>,
    seconds: u64,
}

impl FuzzOptions {
    /// Targets by name (default: all, each once, in the order given) and `--seconds N` (or
    /// `--seconds=N`).
    fn parse(args: &[String]) -> Result<FuzzOptions> {
        let mut targets: Vec<&'static str> = Vec::new();
        let mut seconds = DEFAULT_SECONDS;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let value = match arg.split_once('=') {
                Some(("--seconds", value)) => Some(value.to_string()),
                _ if arg == "--seconds" => {
                    Some(rest.next().cloned().ok_or_else(|| format!("--seconds needs a value\n{USAGE}"))?)
                }
                _ => None,
            };
            if let Some(value) = value {
                seconds = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("--seconds takes a whole number of seconds from 1 (got `{value}`)"))?;
            } else if let Some(target) = TARGETS.iter().find(|t| *t == arg) {
                if !targets.contains(target) {
                    targets.push(target);
                }
            } else {
                return Err(format!("unknown fuzz target or option `{arg}`\n{USAGE}"));
            }
        }
        if targets.is_empty() {
            targets = TARGETS.to_vec();
        }
        Ok(FuzzOptions { targets, seconds })
    }
}

/// How one target's run ended.
#[derive(Debug, Default, PartialEq)]
struct Outcome {
    /// Executions (libFuzzer's `stat::number_of_executed_units`, or its `Done N runs` line).
    runs: Option<u64>,
    /// Executions per second (`stat::average_exec_per_sec`).
    per_second: Option<u64>,
    /// Where libFuzzer wrote the crashing input ("Test unit written to PATH").
    crash_inputs: Vec<String>,
}

impl Outcome {
    /// Picks the figures out of one line of libFuzzer's output.
    fn read_line(&mut self, line: &str) {
        let number = |text: &str| text.trim().parse::<u64>().ok();
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:").and_then(number) {
            self.runs = Some(n);
        } else if let Some(n) = line.strip_prefix("stat::average_exec_per_sec:").and_then(number) {
            self.per_second = Some(n);
        } else if let Some(rest) = line.strip_prefix("Done ") {
            // "Done 199630 runs in 16 second(s)"
            if let Some(n) = rest.split_whitespace().next().and_then(number) {
                self.runs.get_or_insert(n);
            }
        } else if let Some(at) = line.find("Test unit written to ") {
            self.crash_inputs.push(line[at + "Test unit written to ".len()..].trim().to_string());
        }
    }
}

/// `cargo xtask fuzz`.
pub(crate) fn fuzz_cmd(root: &Path, args: &[String]) -> Result<()> {
    let options = FuzzOptions::parse(args)?;
    if !root.join(FUZZ_DIR).join("Cargo.toml").is_file() {
        return Err(format!(
            "{} not found: there are no fuzz targets",
            root.join(FUZZ_DIR).join("Cargo.toml").display()
        ));
    }
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    println!("xtask fuzz: {} for {} s each, one at a time", options.targets.join(", "), options.seconds);
    let mut summaries = Vec::new();
    let mut crashed = Vec::new();
    for target in &options.targets {
        println!("\n=== fuzz {target} ===");
        let (summary, ok) = fuzz_target(root, target, options.seconds)?;
        println!("=== {summary} ===");
        summaries.push(summary);
        if !ok {
            crashed.push(*target);
        }
    }
    println!("\nxtask fuzz:");
    for summary in &summaries {
        println!("  {summary}");
    }
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} crashed; reproduce with `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/<input>`, \
             shrink with `cargo +nightly fuzz tmin TARGET fuzz/artifacts/TARGET/<input>`",
            crashed.join(", ")
        ))
    }
}

/// `cargo +nightly …` through rustup's proxy: `cargo()` may be the stable toolchain's own cargo,
/// which does not read `+nightly`.
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly");
    cmd
}

/// Makes sure the nightly toolchain is installed (cargo-fuzz builds with `-Z` flags).
fn ensure_nightly() -> Result<()> {
    if let Some(version) = capture("rustc", &["+nightly", "--version"]) {
        println!("ok {version}");
        return Ok(());
    }
    let hint = "install it by hand with: rustup toolchain install nightly --profile minimal";
    if capture("rustup", &["--version"]).is_none() {
        return Err(format!("`rustc +nightly` does not run and rustup is not installed; {hint}"));
    }
    println!("-- installing the nightly Rust toolchain (rustup, minimal profile)");
    run_cmd(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
        .map_err(|e| format!("{e}\ncould not install the nightly toolchain; {hint}"))?;
    match capture("rustc", &["+nightly", "--version"]) {
        Some(version) => {
            println!("ok {version}");
            Ok(())
        }
        None => Err(format!("rustup installed nightly but `rustc +nightly --version` still fails; {hint}")),
    }
}

/// Makes sure `cargo fuzz` runs.
fn ensure_cargo_fuzz() -> Result<()> {
    let version = || capture("cargo", &["+nightly", "fuzz", "--version"]);
    if let Some(found) = version() {
        println!("ok {found}");
        return Ok(());
    }
    println!("-- installing cargo-fuzz (cargo install cargo-fuzz; takes a few minutes)");
    run_cmd(cargo().args(["install", "cargo-fuzz"]))
        .map_err(|e| format!("{e}\ncould not install cargo-fuzz; install it by hand with: cargo install cargo-fuzz"))?;
    match version() {
        Some(found) => {
            println!("ok {found}");
            Ok(())
        }
        None => Err("cargo install cargo-fuzz finished but `cargo +nightly fuzz --version` still fails".into()),
    }
}

/// Runs one target; returns its summary line and whether it ended without a crash. libFuzzer's
/// output is passed through as it comes.
fn fuzz_target(root: &Path, target: &str, seconds: u64) -> Result<(String, bool)> {
    let corpus = format!("{FUZZ_DIR}/corpus/{target}");
    let seeds = format!("{FUZZ_DIR}/seeds/{target}");
    let artifacts = root.join(FUZZ_DIR).join("artifacts").join(target);
    fs::create_dir_all(root.join(&corpus)).map_err(|e| format!("cannot create {corpus}: {e}"))?;
    let mut cmd = nightly_cargo();
    // libFuzzer writes what it finds into the first folder and reads the others.
    cmd.args(["fuzz", "run", "--fuzz-dir", FUZZ_DIR, target, &corpus, &seeds, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .current_dir(root)
        .stderr(Stdio::piped());
    let shown = describe(&cmd);
    println!("$ {shown}");
    let started = Instant::now();
    let start_time = SystemTime::now();
    let mut child = cmd.spawn().map_err(|e| format!("could not start `{shown}`: {e}"))?;
    let mut outcome = Outcome::default();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("{line}");
            outcome.read_line(&line);
        }
    }
    let status = child.wait().map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    let elapsed = started.elapsed().as_secs();
    let corpus_files = fs::read_dir(root.join(&corpus)).map(|d| d.count()).unwrap_or(0);
    let figures = format!(
        "{} runs ({}/s), corpus {corpus_files} files",
        outcome.runs.map_or("?".to_string(), |n| n.to_string()),
        outcome.per_second.map_or("?".to_string(), |n| n.to_string()),
    );
    if status.success() {
        return Ok((format!("{target}: ok after {elapsed} s, {figures}"), true));
    }
    let mut inputs = outcome.crash_inputs;
    if inputs.is_empty() {
        inputs = new_files(&artifacts, start_time).iter().map(|p| p.display().to_string()).collect();
    }
    let summary = if inputs.is_empty() {
        format!(
            "{target}: FAILED ({status}) after {elapsed} s with no input in {} (a build error?), {figures}",
            artifacts.display()
        )
    } else {
        format!("{target}: CRASHED after {elapsed} s, {figures}; input: {}", inputs.join(", "))
    };
    Ok((summary, false))
}

/// Files in `dir` modified since `since`.
fn new_files(dir: &Path, since: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t >= since))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_targets_and_seconds() {
        assert_eq!(FuzzOptions::parse(&[]), Ok(FuzzOptions { targets: TARGETS.to_vec(), seconds: 600 }));
        assert_eq!(
            FuzzOptions::parse(&args("settings csv --seconds 30 csv")),
            Ok(FuzzOptions { targets: vec!["settings", "csv"], seconds: 30 })
        );
        assert_eq!(FuzzOptions::parse(&args("--seconds=5")).map(|o| o.seconds), Ok(5));
        for bad in ["bogus", "--seconds", "--seconds 0", "--seconds=x", "csv --jobs 2"] {
            assert!(FuzzOptions::parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_libfuzzer_output() {
        let mut outcome = Outcome::default();
        for line in [
            "#1024\tpulse  cov: 1 ft: 2 corp: 3/4b exec/s: 512 rss: 40Mb",
            "==1== ERROR: libFuzzer: deadly signal",
            "artifact_prefix='/r/fuzz/artifacts/csv/'; Test unit written to /r/fuzz/artifacts/csv/crash-00b7",
            "Done 199630 runs in 16 second(s)",
            "stat::number_of_executed_units: 199631",
            "stat::average_exec_per_sec:     12476",
        ] {
            outcome.read_line(line);
        }
        assert_eq!(
            outcome,
            Outcome {
                runs: Some(199631),
                per_second: Some(12476),
                crash_inputs: vec!["/r/fuzz/artifacts/csv/crash-00b7".into()]
            }
        );
    }
}
