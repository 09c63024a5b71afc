//! Several commands at once, for `cargo xtask test`: the native test binaries while the wasm
//! builds run, and the end-to-end test files two at a time.
//!
//! Each job's output (stdout and stderr together) goes to a log file of its own, printed as one
//! block when the job ends, so that the output of jobs running together never interleaves; a job
//! is waited for by its exit, never by its output (a browser a test leaves behind cannot hold the
//! run up by keeping a pipe open).

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One job: commands run in order, the next only if the previous succeeded.
pub(crate) struct Job {
    /// What the job is, for the log and for a failure (e.g. `tests/e2e/offline.test.mjs`).
    pub name: String,
    pub steps: Vec<Command>,
}

impl Job {
    pub fn new(name: impl Into<String>, steps: Vec<Command>) -> Self {
        Job { name: name.into(), steps }
    }
}

/// How a job ended.
pub(crate) struct Finished {
    pub name: String,
    /// `None` if every step succeeded; else which step failed, and how.
    pub error: Option<String>,
    pub elapsed: Duration,
}

/// How many jobs run at once: `KD_TEST_JOBS` if set, else the number of cores (at least 1).
pub(crate) fn width() -> usize {
    std::env::var("KD_TEST_JOBS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `jobs`, at most `width` at a time, taking them in the order given; writes each job's
/// output to `logs/<name>.log` and prints it as one block when the job ends. Returns every job's
/// outcome, in the order the jobs were given.
pub(crate) fn run(jobs: Vec<Job>, width: usize, logs: &Path) -> Vec<Finished> {
    if let Err(e) = fs::create_dir_all(logs) {
        return jobs
            .into_iter()
            .map(|job| Finished {
                name: job.name,
                error: Some(format!("cannot create {}: {e}", logs.display())),
                elapsed: Duration::ZERO,
            })
            .collect();
    }
    let count = jobs.len();
    let queue: Arc<Mutex<VecDeque<(usize, Job)>>> = Arc::new(Mutex::new(jobs.into_iter().enumerate().collect()));
    let done: Arc<Mutex<Vec<(usize, Finished)>>> = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let workers: Vec<_> = (0..width.clamp(1, count.max(1)))
        .map(|_| {
            let (queue, done, logs) = (Arc::clone(&queue), Arc::clone(&done), logs.to_path_buf());
            thread::spawn(move || loop {
                let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                let Some((index, job)) = next else { break };
                let finished = run_job(job, &logs);
                if let Ok(mut done) = done.lock() {
                    done.push((index, finished));
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    let mut done = Arc::try_unwrap(done).ok().and_then(|m| m.into_inner().ok()).unwrap_or_default();
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, finished)| finished).collect()
}

/// The log file of a job: its name with every character but letters, digits, `-`, `_` and `.`
/// replaced by `_`.
fn log_path(logs: &Path, name: &str) -> PathBuf {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    logs.join(format!("{safe}.log"))
}

/// Runs one job's steps with their output in its log file; prints the log when it ends.
fn run_job(job: Job, logs: &Path) -> Finished {
    let started = Instant::now();
    let log = log_path(logs, &job.name);
    let error = run_steps(job.steps, &log).err();
    let elapsed = started.elapsed();
    let state = match &error {
        None => "ok".to_string(),
        Some(e) => format!("FAILED: {e}"),
    };
    let text = fs::read_to_string(&log).unwrap_or_else(|e| format!("(cannot read {}: {e})\n", log.display()));
    // one print! call: the block is written whole, never between the lines of another
    print!(
        "\n----- {} ({:.1} s) -----\n{text}----- {}: {state} (log: {}) -----\n",
        job.name,
        elapsed.as_secs_f64(),
        job.name,
        log.display()
    );
    let _ = std::io::stdout().flush();
    Finished { name: job.name, error, elapsed }
}

/// Runs `steps` in order with stdout and stderr appended to `log`; stops at the first failure.
fn run_steps(steps: Vec<Command>, log: &Path) -> Result<(), String> {
    let mut file = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    for mut cmd in steps {
        let shown = crate::describe(&cmd);
        let _ = writeln!(file, "$ {shown}");
        let out = file.try_clone().map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let status = cmd
            .stdout(out)
            .stderr(err)
            .stdin(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("could not start `{shown}`: {e}"))?;
        if !status.success() {
            return Err(format!("`{shown}` failed ({status})"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[test]
    fn runs_every_job_and_names_the_failed_step() {
        let logs = std::env::temp_dir().join(format!("xtask-pool-{}", std::process::id()));
        let jobs = vec![
            Job::new("a/one", vec![sh("echo out; echo err >&2")]),
            Job::new("two", vec![sh("exit 0"), sh("exit 3"), sh("echo never")]),
            Job::new("three", vec![sh("true")]),
        ];
        let done = run(jobs, 2, &logs);
        let names: Vec<&str> = done.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a/one", "two", "three"]);
        assert!(done[0].error.is_none() && done[2].error.is_none());
        let error = done[1].error.as_deref().unwrap_or_default();
        assert!(error.contains("exit 3") && error.contains("failed"), "{error}");
        let log = fs::read_to_string(logs.join("a_one.log")).expect("the first job's log");
        assert!(log.contains("out\n") && log.contains("err\n"), "{log}");
        assert!(!fs::read_to_string(logs.join("two.log")).expect("log").contains("never"));
        let _ = fs::remove_dir_all(logs);
    }
}
