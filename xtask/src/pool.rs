//! Several commands at once, for `cargo xtask test`: after the native build, the native test
//! binaries, the wasm builds, the wasm tests and the end-to-end test files all run from one queue,
//! each job as soon as what it needs is done and the cores have room for it.
//!
//! A job may need other jobs (the e2e files need the site's build): it starts only after they
//! succeeded, and is not run at all if one of them failed. Every job counts as one core: each
//! e2e file keeps about one core busy (its page trains and draws; measured in docs/performance.md).
//!
//! Each job's output (stdout and stderr together) goes to a log file of its own, printed as one
//! block when the job ends, so that the output of jobs running together never interleaves; a job
//! is waited for by its exit, never by its output (a browser a test leaves behind cannot hold the
//! run up by keeping a pipe open).

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// One job: commands run in order, the next only if the previous succeeded.
pub(crate) struct Job {
    /// What the job is, for the log and for a failure (e.g. `tests/e2e/offline.test.mjs`); the
    /// jobs of one pool have different names (`needs` and the log files go by them).
    pub name: String,
    pub steps: Vec<Command>,
    /// The jobs (by name) that must have succeeded before this one starts.
    pub needs: Vec<String>,
    /// The jobs (by name) that must have ended, however, before this one starts (e.g. two builds that
    /// share a lock).
    pub follows: Vec<String>,
}

impl Job {
    pub fn new(name: impl Into<String>, steps: Vec<Command>) -> Self {
        Job { name: name.into(), steps, needs: Vec::new(), follows: Vec::new() }
    }

    /// This job starts only after the job named `name` succeeded.
    pub fn after(mut self, name: impl Into<String>) -> Self {
        self.needs.push(name.into());
        self
    }

    /// This job starts only after the job named `name` ended, whether or not it succeeded.
    pub fn following(mut self, name: impl Into<String>) -> Self {
        self.follows.push(name.into());
        self
    }

    /// The jobs it waits for.
    fn waits_for(&self) -> impl Iterator<Item = &String> {
        self.needs.iter().chain(&self.follows)
    }
}

/// How a job ended.
pub(crate) struct Finished {
    pub name: String,
    /// `None` if every step succeeded; else which step failed, and how (or why it was not run).
    pub error: Option<String>,
    /// It was not run (what it needs failed or never ran).
    pub not_run: bool,
    pub elapsed: Duration,
    /// When it ended, counted from the start of the pool.
    pub ended: Duration,
}

/// How many jobs run at once: `KD_TEST_JOBS` if set, else the number of cores (at least 1).
pub(crate) fn width() -> usize {
    std::env::var("KD_TEST_JOBS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `jobs`, at most `width` at a time, each once every job it needs has succeeded (and every
/// job it follows has ended); among the jobs that may start, the earlier given starts first. Writes
/// each job's output to `logs/<name>.log` and prints it as one block when the job ends. Returns
/// every job's outcome, in the order the jobs were given; a job whose needs failed, or can never be
/// met, is not run and says why.
pub(crate) fn run(jobs: Vec<Job>, width: usize, logs: &Path) -> Vec<Finished> {
    let pool_started = Instant::now();
    if let Err(e) = fs::create_dir_all(logs) {
        return jobs
            .into_iter()
            .map(|job| Finished {
                name: job.name,
                error: Some(format!("cannot create {}: {e}", logs.display())),
                not_run: true,
                elapsed: Duration::ZERO,
                ended: Duration::ZERO,
            })
            .collect();
    }
    let width = width.max(1);
    let mut waiting: VecDeque<(usize, Job)> = jobs.into_iter().enumerate().collect();
    // name → whether it succeeded, for every job that ended
    let mut outcome: HashMap<String, bool> = HashMap::new();
    let mut done: Vec<(usize, Finished)> = Vec::with_capacity(waiting.len());
    let (tx, rx) = mpsc::channel::<(usize, Finished)>();
    let mut running = 0;
    loop {
        // start what may start, in order; skip what can no longer run
        let mut i = 0;
        while i < waiting.len() {
            let job = &waiting[i].1;
            if let Some(failed) = job.needs.iter().find(|n| outcome.get(*n) == Some(&false)).cloned() {
                let Some((index, job)) = waiting.remove(i) else { break };
                let error = format!("not run: `{failed}`, which it needs, failed");
                println!("\n----- {}: {error} -----", job.name);
                outcome.insert(job.name.clone(), false);
                let ended = pool_started.elapsed();
                done.push((
                    index,
                    Finished { name: job.name, error: Some(error), not_run: true, elapsed: Duration::ZERO, ended },
                ));
                i = 0; // the jobs that need it are not run either
                continue;
            }
            if !job.waits_for().all(|n| outcome.contains_key(n)) {
                i += 1;
                continue;
            }
            if running == width {
                break;
            }
            let Some((index, job)) = waiting.remove(i) else { break };
            running += 1;
            let (tx, logs) = (tx.clone(), logs.to_path_buf());
            thread::spawn(move || {
                let finished = run_job(job, &logs, pool_started);
                let _ = tx.send((index, finished));
            });
        }
        if running == 0 {
            // nothing runs and nothing can start: what is left needs jobs that were not given (or that
            // need each other)
            for (index, job) in waiting.drain(..) {
                let missing: Vec<&str> =
                    job.waits_for().filter(|n| !outcome.contains_key(*n)).map(String::as_str).collect();
                let error = format!("not run: it waits for {}, which never ran", missing.join(", "));
                let ended = pool_started.elapsed();
                done.push((
                    index,
                    Finished { name: job.name, error: Some(error), not_run: true, elapsed: Duration::ZERO, ended },
                ));
            }
            break;
        }
        let Ok((index, finished)) = rx.recv() else { break };
        running -= 1;
        outcome.insert(finished.name.clone(), finished.error.is_none());
        done.push((index, finished));
    }
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
fn run_job(job: Job, logs: &Path, pool_started: Instant) -> Finished {
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
    Finished { name: job.name, error, not_run: false, elapsed, ended: pool_started.elapsed() }
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

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-pool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch folder");
        dir
    }

    #[test]
    fn runs_every_job_and_names_the_failed_step() {
        let logs = scratch("steps");
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

    #[test]
    fn a_job_starts_after_what_it_needs_and_not_at_all_if_that_failed() {
        let dir = scratch("needs");
        let at = |file: &str| dir.join(file).display().to_string();
        // given first, but needs "build": it must find build's file
        let jobs = vec![
            Job::new("test", vec![sh(&format!("test -e {} && touch {}", at("built"), at("tested")))]).after("build"),
            Job::new("build", vec![sh(&format!("touch {}", at("built")))]),
            Job::new("broken", vec![sh("exit 1")]),
            Job::new("uses broken", vec![sh(&format!("touch {}", at("never1")))]).after("broken"),
            Job::new("uses that", vec![sh(&format!("touch {}", at("never2")))]).after("uses broken"),
            Job::new("needs a ghost", vec![sh(&format!("touch {}", at("never3")))]).after("ghost"),
            // follows "broken", which failed: runs once it ended
            Job::new("follows broken", vec![sh(&format!("touch {}", at("followed")))]).following("broken"),
            Job::new("follows a ghost", vec![sh(&format!("touch {}", at("never4")))]).following("ghost"),
        ];
        let done = run(jobs, 2, &dir.join("logs"));
        assert!(done[0].error.is_none() && done[1].error.is_none(), "{:?}", done[0].error);
        assert!(dir.join("tested").exists());
        assert!(done[2].error.is_some());
        assert!(!done[2].not_run && done[3].not_run && done[4].not_run && done[5].not_run && !done[6].not_run);
        let skipped = done[3].error.as_deref().unwrap_or_default();
        assert!(skipped.contains("not run") && skipped.contains("`broken`"), "{skipped}");
        assert!(done[4].error.as_deref().unwrap_or_default().contains("`uses broken`"));
        assert!(done[5].error.as_deref().unwrap_or_default().contains("ghost"));
        assert!(done[6].error.is_none() && dir.join("followed").exists(), "{:?}", done[6].error);
        assert!(done[6].ended >= done[2].ended);
        assert!(done[7].error.as_deref().unwrap_or_default().contains("ghost"));
        for never in ["never1", "never2", "never3", "never4"] {
            assert!(!dir.join(never).exists(), "{never} ran");
        }
        assert!(done[1].ended <= done[0].ended);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn two_jobs_in_two_cores_run_together() {
        let dir = scratch("together");
        // a rendezvous: each job waits (up to 30 s) for the other's file, so both must run at once
        let meet = |me: &str, other: &str| {
            let (me, other) = (dir.join(me).display().to_string(), dir.join(other).display().to_string());
            sh(&format!("touch {me}; i=0; while [ ! -e {other} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; test -e {other}"))
        };
        let done =
            run(vec![Job::new("a", vec![meet("a", "b")]), Job::new("b", vec![meet("b", "a")])], 2, &dir.join("logs"));
        assert!(done.iter().all(|job| job.error.is_none()), "{:?}", done.iter().map(|j| &j.error).collect::<Vec<_>>());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn jobs_in_one_core_run_one_at_a_time() {
        let dir = scratch("alone");
        let lock = dir.join("lock").display().to_string();
        let exclusive = || sh(&format!("mkdir {lock} && sleep 0.2 && rmdir {lock}"));
        let jobs =
            vec![Job::new("a", vec![exclusive()]), Job::new("b", vec![exclusive()]), Job::new("c", vec![exclusive()])];
        let done = run(jobs, 1, &dir.join("logs"));
        assert!(done.iter().all(|job| job.error.is_none()), "{:?}", done.iter().map(|j| &j.error).collect::<Vec<_>>());
        let _ = fs::remove_dir_all(dir);
    }
}
