//! `kd run`: the settings from the data set's defaults and the flags, validated by the engine; the
//! data (built in, or the user's CSV file); one [`Session`] per seed trained to the end, exactly as
//! the page trains it; and what each run measured.

use kd_playground::experiments::{preset_difference, preset_shown, Experiment};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use kd_playground::data::{csv, Dataset, DatasetName, SplitName};
use kd_playground::language::metrics::score;
use kd_playground::language::sampling::write_lines;
use kd_playground::language::{Corpus, StudentText, Task, MAX_TEXT_BYTES};
use kd_playground::rng::{Rng, Stream};
use kd_playground::session::{BiasAdjustment, Fidelity, ModelKind, Network, Phase, SavedText, Session};
use kd_playground::settings::{self, dataset_defaults, Settings, Value};
use kd_playground::KdError;

use crate::args::{flag_of, flag_of_setting, RunArgs, Sets, UsageError};

/// Why `kd` stops: a usage error (exit code 2) or a data or training error (exit code 1), with the
/// lines to print on stderr.
#[derive(Debug)]
pub struct Failure {
    pub exit_code: u8,
    /// One message per problem, each printed after "error: ".
    pub lines: Vec<String>,
    /// A line of help after them.
    pub hint: Option<String>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure { exit_code: 2, lines: vec![message.into()], hint: None }
    }

    pub fn data(message: impl Into<String>) -> Self {
        Failure { exit_code: 1, lines: vec![message.into()], hint: None }
    }

    /// An engine error: invalid settings are the user's flags (exit code 2, one line per setting
    /// with the flag that set it in `run`); anything else is about the data or training (exit
    /// code 1).
    pub fn engine(error: KdError, run: &RunArgs) -> Self {
        let settings: Vec<(String, String)> =
            error.setting_problems().into_iter().map(|(name, problem)| (name, problem.message().to_string())).collect();
        if settings.is_empty() {
            return Failure::data(error.to_string());
        }
        let mut lines = Vec::new();
        for (name, message) in &settings {
            lines.push(format!("{name}: {message}"));
        }
        let mut by_flag: Vec<(String, Vec<&str>)> = Vec::new();
        for (name, _) in &settings {
            let Some(flag) = flag_given(run, name) else { continue };
            match by_flag.iter_mut().find(|(f, _)| *f == flag) {
                Some((_, names)) if !names.contains(&name.as_str()) => names.push(name),
                Some(_) => {}
                None => by_flag.push((flag, vec![name])),
            }
        }
        let flags: Vec<String> =
            by_flag.iter().map(|(flag, names)| format!("{flag} sets {}", names.join(" and "))).collect();
        let hint = (!flags.is_empty()).then(|| format!("({}; see kd run --help)", flags.join(", ")));
        Failure { exit_code: 2, lines, hint }
    }
}

impl From<UsageError> for Failure {
    /// clap's message, whole (its first line says what is wrong, after "error: ").
    fn from(error: UsageError) -> Self {
        Failure::usage(error.0.strip_prefix("error: ").unwrap_or(&error.0).trim_end())
    }
}

/// The flag that set engine setting `name` in `run` (`--epochs` for both epoch settings unless
/// the specific flag was given), or the flag that would set it.
fn flag_given(run: &RunArgs, name: &str) -> Option<String> {
    let given = |wanted: Sets| run.settings.iter().find(|(sets, _)| *sets == wanted).map(|(sets, _)| flag_of(*sets));
    given(Sets::Setting(settings::spec(name)?.name))
        .or_else(|| if matches!(name, "teacherEpochs" | "studentEpochs") { given(Sets::Epochs) } else { None })
        .or_else(|| flag_of_setting(name))
}

/// Where the samples come from.
pub enum Source {
    Builtin(DatasetName),
    /// The user's CSV file: its path as given, and its bytes.
    Csv {
        path: String,
        bytes: Vec<u8>,
    },
    /// A text for the language task (`--task chars`): the built-in first names (`names`), or the
    /// user's file (its path as given), and its bytes.
    Text {
        name: String,
        bytes: Vec<u8>,
    },
}

/// What `--task` says, as the flags give it (the engine checks its value).
pub fn task_of(run: &RunArgs) -> Option<Task> {
    run.settings.iter().rev().find(|(sets, _)| *sets == Sets::Setting("task")).and_then(|(_, v)| Task::from_name(v))
}

/// Reads the file `value` names, refused before it is read when larger than `limit` bytes
/// (`what` names the kind of file in messages).
fn read_file(value: &str, limit: u64, what: &str) -> Result<Vec<u8>, Failure> {
    let path = Path::new(value);
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::data(format!("{value} does not exist")));
        }
        Err(error) => return Err(Failure::data(format!("cannot read {value} ({error})"))),
    };
    if metadata.is_dir() {
        return Err(Failure::data(format!("{value} is a folder, not a {what}")));
    }
    if metadata.len() > limit {
        return Err(Failure::data(format!(
            "{value} is {:.1} MB; the limit is {} MB",
            metadata.len() as f64 / (1024.0 * 1024.0),
            limit / (1024 * 1024)
        )));
    }
    std::fs::read(path).map_err(|error| Failure::data(format!("cannot read {value} ({error})")))
}

impl Source {
    /// `--dataset`'s value for `--task chars`: `names`, or the path of a text file (its size is
    /// checked against the limit before it is read).
    pub fn resolve_text(value: &str) -> Result<Source, Failure> {
        if value == "names" {
            return Ok(Source::Text { name: "names".into(), bytes: Corpus::names_text().as_bytes().to_vec() });
        }
        if DatasetName::from_name(value).is_some() || value.to_ascii_lowercase().ends_with(".csv") {
            return Err(Failure::usage(format!(
                "--dataset: --task chars learns from a text: 'names' or a text file, not '{value}'"
            )));
        }
        let bytes = read_file(value, MAX_TEXT_BYTES, "text file")?;
        Ok(Source::Text { name: value.to_string(), bytes })
    }

    /// `--dataset`'s value: a built-in name, or a path ending in `.csv` or naming an existing file.
    /// The file's size is checked against the CSV reader's limit before it is read.
    pub fn resolve(value: &str) -> Result<Source, Failure> {
        if let Some(name) = DatasetName::from_name(value) {
            return Ok(Source::Builtin(name));
        }
        let path = Path::new(value);
        if !value.to_ascii_lowercase().ends_with(".csv") && !path.exists() {
            let names: Vec<&str> = DatasetName::ALL.iter().map(|d| d.name()).collect();
            return Err(Failure::usage(format!(
                "--dataset: '{value}' is neither a data set ({}) nor a CSV file (a text needs --task chars)",
                names.join(", ")
            )));
        }
        let bytes = read_file(value, csv::MAX_BYTES as u64, "CSV file")?;
        Ok(Source::Csv { path: value.to_string(), bytes })
    }

    /// The data set's name as the settings know it, or "csv", or "text".
    pub fn name(&self) -> &'static str {
        match self {
            Source::Builtin(name) => name.name(),
            Source::Csv { .. } => DatasetName::Csv.name(),
            Source::Text { .. } => DatasetName::Text.name(),
        }
    }

    /// The file, for a CSV or a text (`names` for the built-in one).
    pub fn file(&self) -> Option<&str> {
        match self {
            Source::Builtin(_) => None,
            Source::Csv { path, .. } => Some(path),
            Source::Text { name, .. } => Some(name),
        }
    }

    /// The page's defaults for this data set. A CSV file takes iris's (a small tabular set); its
    /// `dataset` setting keeps the table's default, which a CSV run does not use (the engine's
    /// `dataset` choice has no "csv").
    fn defaults(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            Source::Builtin(name) => dataset_defaults(*name),
            Source::Csv { .. } => {
                dataset_defaults(DatasetName::Csv).into_iter().filter(|(name, _)| *name != "dataset").collect()
            }
            Source::Text { .. } => {
                let mut defaults = dataset_defaults(DatasetName::Text);
                defaults.push(("task", "chars"));
                defaults
            }
        }
    }

    /// The data set of one seed's run.
    pub fn dataset(&self, settings: &Settings) -> Result<Option<Dataset>, KdError> {
        match self {
            Source::Builtin(_) => Ok(None),
            Source::Csv { path, bytes } => Dataset::from_csv(bytes, path, &settings.data_options()).map(Some),
            Source::Text { name, bytes } => {
                Corpus::read(bytes, name, settings.seed)?.dataset(settings.context, settings.holdout).map(Some)
            }
        }
    }
}

/// The settings of a run, validated by the engine: the data set's defaults, then the flags.
/// `--epochs` sets both epoch settings, and `--teacher-epochs` / `--student-epochs` win over it.
pub fn settings_values(source: &Source, run: &RunArgs) -> BTreeMap<String, Value> {
    let mut values: BTreeMap<String, Value> =
        source.defaults().into_iter().map(|(name, value)| (name.to_string(), Value::Text(value.to_string()))).collect();
    for (sets, value) in &run.settings {
        if *sets == Sets::Epochs {
            for name in ["teacherEpochs", "studentEpochs"] {
                values.insert(name.to_string(), Value::Text(value.clone()));
            }
        }
    }
    for (sets, value) in &run.settings {
        if let Sets::Setting(name) = sets {
            values.insert(name.to_string(), Value::Text(value.clone()));
        }
    }
    values
}

/// Notes for flags that change nothing on this data set.
pub fn ignored_flag_notes(source: &Source, run: &RunArgs) -> Vec<String> {
    let generated = matches!(source, Source::Builtin(name) if name.is_generated());
    let mut notes = Vec::new();
    for (sets, _) in &run.settings {
        if let Sets::Setting(name) = *sets {
            if !generated && settings::spec(name).is_some_and(|spec| spec.generated_only) {
                notes.push(format!(
                    "note: {} applies only to spiral, blobs and moons; {} ignores it",
                    flag_of(*sets),
                    source.file().unwrap_or(source.name())
                ));
            }
            if name == "seed" && run.seeds.is_some() {
                notes.push("note: --seeds runs its own seeds; --seed is ignored".to_string());
            }
        }
    }
    notes
}

/// A network's test accuracy, overall and per class (None: no test sample of that class).
#[derive(Debug, Clone)]
pub struct Scores {
    pub test_accuracy: f32,
    pub per_class: Vec<Option<f32>>,
}

/// What one seed's run measured.
#[derive(Debug, Clone)]
pub struct SeedRun {
    pub seed: u64,
    pub teacher: Scores,
    pub kd: Scores,
    pub control: Scores,
    /// With an omitted class: each student's bias adjustment for it.
    pub kd_adjusted: Option<BiasAdjustment>,
    pub control_adjusted: Option<BiasAdjustment>,
    /// Whether the method trained a teacher (mutual learning and self-distillation do not).
    pub has_teacher: bool,
    /// Fidelity and calibration of every network the method trains, on the test split.
    pub fidelity: Vec<(Network, Fidelity)>,
    /// The language task: bits per character on the test split, and what each network writes.
    pub language: Option<LanguageScores>,
}

/// Bits per character on the test split (the next character's cross-entropy in bits) of the
/// teacher, the distilled and the control student, and a few lines each wrote from nothing at
/// sampling temperature 1 (from the seed).
#[derive(Debug, Clone)]
pub struct LanguageScores {
    pub bits: [f32; 3],
    pub written: [Vec<String>; 3],
    /// The fraction of distinct 3-grams in [`DIVERSITY_LINES`] lines each wrote at temperature 1
    /// (how varied what it writes is; None when they hold no 3-gram).
    pub distinct_trigrams: [Option<f32>; 3],
}

/// Sequence-level distillation: the session whose students learn from as many lines as the
/// training split holds, written by `session`'s trained teacher at sampling temperature 1 from the
/// seed (the validation and test lines stay).
fn on_teacher_text(session: &Session, source: &Source) -> Result<Session, KdError> {
    let Source::Text { name, bytes } = source else {
        return Err(KdError::Internal("--student-text teacher without a text".into()));
    };
    let settings = session.settings().clone();
    let corpus = Corpus::read(bytes, name, settings.seed)?;
    let teacher = session.model(ModelKind::Teacher).clone();
    let mut rng = Rng::stream(settings.seed, Stream::Sampling);
    let written = write_lines(&teacher, &corpus, settings.context, corpus.train.len(), 1.0, &mut rng)?;
    let data = corpus.with_training_lines(written).dataset(settings.context, settings.holdout)?;
    Session::with_trained_teacher(settings, data, teacher)
}

fn language_scores(session: &Session, corpus: &Corpus) -> Result<LanguageScores, KdError> {
    let test = &session.data().test;
    let (context, seed) = (session.settings().context, session.settings().seed);
    let models = [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control];
    let mut scores = LanguageScores { bits: [0.0; 3], written: Default::default(), distinct_trigrams: [None; 3] };
    for (k, which) in models.into_iter().enumerate() {
        let measured = score(session.model(which), corpus, context, (test.features.view(), &test.labels), seed)?;
        scores.bits[k] = measured.bits_per_char;
        scores.distinct_trigrams[k] = measured.distinct_trigrams;
        scores.written[k] = measured.written;
    }
    Ok(scores)
}

impl SeedRun {
    /// Network `which`'s fidelity and calibration, if the method trains it.
    pub fn fidelity_of(&self, which: Network) -> Option<&Fidelity> {
        self.fidelity.iter().find(|(n, _)| *n == which).map(|(_, f)| f)
    }
}

/// What the data set and the transfer set hold (the same for every seed).
#[derive(Debug, Clone)]
pub struct DataSummary {
    pub class_names: Vec<String>,
    pub features: usize,
    pub train: usize,
    pub test: usize,
    pub transfer: usize,
    /// Layer sizes, input to output.
    pub teacher_sizes: Vec<usize>,
    pub student_sizes: Vec<usize>,
}

/// Builds the session of one seed as the page does and trains it to the end.
pub fn run_seed(
    settings: Settings,
    source: &Source,
    run: &RunArgs,
    progress: bool,
) -> Result<(SeedRun, DataSummary), Failure> {
    let engine = |error: KdError| Failure::engine(error, run);
    let seed = settings.seed;
    let mut session = match source.dataset(&settings).map_err(engine)? {
        None => Session::new(settings),
        Some(data) => Session::with_data(settings, data),
    }
    .map_err(engine)?;
    for (phase, what) in [(Phase::Teacher, "the teacher"), (Phase::Distil, "the students")] {
        if progress {
            eprint!("\r\x1b[Kseed {seed}: training {what}…");
        }
        if phase == Phase::Distil && session.settings().student_text == StudentText::Teacher {
            session = on_teacher_text(&session, source).map_err(engine)?;
        }
        let status = session.run_phase(phase).map_err(engine)?;
        if status.phase == Phase::Diverged {
            if progress {
                eprint!("\r\x1b[K");
            }
            // The run keeps the last good weights; a saved run lets the user look at them.
            save_run(&session, source, run)?;
            let message = status.stopped.map_or_else(|| "training diverged".into(), |m| m.to_string());
            return Err(Failure::data(format!("seed {seed}: {message}")));
        }
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    save_run(&session, source, run)?;
    let language = match source {
        Source::Text { name, bytes } => {
            let corpus = Corpus::read(bytes, name, seed).map_err(engine)?;
            Some(language_scores(&session, &corpus).map_err(engine)?)
        }
        _ => None,
    };
    let history = session.history();
    let missing = || Failure::data(format!("seed {seed}: the run recorded no metrics"));
    let teacher_epoch = history.teacher.last().ok_or_else(missing)?;
    let student_epoch = history.students.last().ok_or_else(missing)?;
    let per_class = |which: ModelKind| session.per_class_accuracy(which, SplitName::Test).map_err(engine);
    let adjustment = |which: ModelKind| match session.settings().omit_class {
        Some(class) => session.bias_adjustment(which, class).map(Some).map_err(engine),
        None => Ok(None),
    };
    let run = SeedRun {
        seed,
        teacher: Scores { test_accuracy: teacher_epoch.test_accuracy, per_class: per_class(ModelKind::Teacher)? },
        kd: Scores { test_accuracy: student_epoch.kd_test_accuracy, per_class: per_class(ModelKind::Kd)? },
        control: Scores {
            test_accuracy: student_epoch.control_test_accuracy,
            per_class: per_class(ModelKind::Control)?,
        },
        kd_adjusted: adjustment(ModelKind::Kd)?,
        control_adjusted: adjustment(ModelKind::Control)?,
        has_teacher: session.has_teacher(),
        fidelity: session
            .networks()
            .into_iter()
            .map(|which| session.fidelity(which).map(|f| (which, f)))
            .collect::<Result<_, _>>()
            .map_err(engine)?,
        language,
    };
    let data = session.data();
    let summary = DataSummary {
        class_names: data.class_names.clone(),
        features: data.feature_count(),
        train: data.train.len(),
        test: data.test.len(),
        transfer: session.transfer_rows().len(),
        teacher_sizes: session.model(ModelKind::Teacher).sizes(),
        student_sizes: session.model(ModelKind::Kd).sizes(),
    };
    Ok((run, summary))
}

/// Everything `kd run` measured.
pub struct Report {
    /// The settings of the first run (the others differ only in the seed).
    pub settings: Settings,
    pub source_name: &'static str,
    pub file: Option<String>,
    /// Whether `--seeds` was given: every metric is then summarised over seeds.
    pub over_seeds: bool,
    pub runs: Vec<SeedRun>,
    pub data: DataSummary,
}

/// Writes the session as the page's run file to `--save-run`'s path, if given.
fn save_run(session: &Session, source: &Source, run: &RunArgs) -> Result<(), Failure> {
    let Some(path) = &run.save_run else { return Ok(()) };
    let saved = match source {
        // the language task's run carries its text's characters, for kd sample
        Source::Text { name, bytes } => Corpus::read(bytes, name, session.settings().seed).and_then(|corpus| {
            session.to_saved_text(SavedText { name: name.clone(), characters: corpus.symbols[1..].iter().collect() })
        }),
        _ => session.to_saved(),
    }
    .map_err(|error| Failure::engine(error, run))?;
    let json = saved.to_json().map_err(|error| Failure::data(format!("--save-run: {error}")))?;
    std::fs::write(path, json).map_err(|error| Failure::data(format!("--save-run: cannot write {path} ({error})")))
}

/// Runs `kd run`.
pub fn run(run: &RunArgs) -> Result<Report, Failure> {
    let dataset =
        run.dataset.clone().unwrap_or_else(|| settings::spec("dataset").map_or("spiral", |s| s.default).to_string());
    let source = match task_of(run) {
        Some(Task::Chars) => Source::resolve_text(&dataset)?,
        _ => Source::resolve(&dataset)?,
    };
    let values = settings_values(&source, run);
    let base = Settings::from_values(&values).map_err(|error| Failure::engine(error, run))?;
    if base.student_text == StudentText::Teacher && base.task != Task::Chars {
        return Err(Failure::usage(
            "--student-text teacher: the students learn a text the teacher wrote only with --task chars",
        ));
    }
    for note in ignored_flag_notes(&source, run) {
        eprintln!("{note}");
    }
    let seeds: Vec<u64> = match &run.seeds {
        Some(range) => range.clone().collect(),
        None => vec![base.seed],
    };
    let progress = std::io::stderr().is_terminal();
    let mut runs = Vec::with_capacity(seeds.len());
    let mut first: Option<(Settings, DataSummary)> = None;
    for &seed in &seeds {
        let settings = Settings { seed, ..base.clone() };
        let (seed_run, summary) = run_seed(settings.clone(), &source, run, progress)?;
        runs.push(seed_run);
        if first.is_none() {
            first = Some((settings, summary));
        }
    }
    let Some((settings, data)) = first else {
        return Err(Failure::usage("--seeds: no seed to run"));
    };
    Ok(Report {
        settings,
        source_name: source.name(),
        file: source.file().map(str::to_string),
        over_seeds: run.seeds.is_some(),
        runs,
        data,
    })
}

impl Report {
    /// For each seed, the difference `experiment`'s verdict compares and whether its run showed the
    /// claim, by the engine's criterion (the same one the page uses, [`preset_shown`]).
    pub fn verdicts(&self, experiment: &Experiment) -> Vec<(Option<f32>, bool)> {
        self.runs
            .iter()
            .map(|run| {
                let after = |adjusted: &Option<BiasAdjustment>| {
                    adjusted.as_ref().and_then(|a| a.per_class_test_accuracy.get(a.class).copied().flatten())
                };
                let omitted = after(&run.kd_adjusted).zip(after(&run.control_adjusted));
                let (kd, control) = (run.kd.test_accuracy, run.control.test_accuracy);
                (
                    preset_difference(experiment.check, kd, control, omitted),
                    preset_shown(experiment.check, kd, control, omitted),
                )
            })
            .collect()
    }
}
