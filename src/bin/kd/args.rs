//! The command line, read with clap: `kd run [FLAGS]`, `kd experiment NAME [FLAGS]`, `kd --help`.
//! Every flag that sets an engine setting comes from the settings' one declaration
//! (`kd_playground::settings::SCHEMA`: its flag, its placeholder, its range or choices) and its help
//! from the English catalogue (`setting.<name>.help`), so the command line cannot drift from what
//! the page offers and validation accepts. The flags of the command line alone (`--dataset` for a
//! file, `--epochs`, `--seeds`, `--json`, `--save-run`) are declared here.

use clap::{Arg, ArgAction, ArgMatches};
use kd_playground::data::{csv, DatasetName};
use kd_playground::experiments::{self, Experiment, EXPERIMENTS};
use kd_playground::settings::{self, dataset_defaults, Group, SettingKind, SCHEMA};
use kd_playground::text::english;

/// Most seeds `--seeds` runs.
pub const MAX_SEEDS: usize = 100;

/// What a flag given on the command line sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sets {
    /// The engine setting of this name (as in `src/settings.rs`).
    Setting(&'static str),
    /// `--epochs`: both `teacherEpochs` and `studentEpochs`, unless those flags are given.
    Epochs,
}

/// What the user asked for.
#[derive(Debug)]
pub enum Command {
    /// Print this text on stdout and succeed.
    Help(String),
    Run(RunArgs),
    /// `kd experiment NAME [FLAGS]`: a preset's settings, then the flags over them.
    Experiment(&'static Experiment, RunArgs),
    /// `kd compare [FLAGS]`: a run, then the compression bench on its teacher.
    Compare(RunArgs, CompareArgs),
    /// `kd sample --run FILE …`: what a saved run of the language task writes.
    Sample(SampleArgs),
}

/// The flags of `kd sample`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleArgs {
    pub run: String,
    pub prompt: String,
    pub temperature: f32,
    pub count: usize,
    pub seed: u64,
    /// `teacher`, `kd` or `control`.
    pub model: String,
}

/// The flags of `kd compare` beside `kd run`'s.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct CompareArgs {
    /// `--calibration N`: samples of the training split that int8's scales are measured on.
    pub calibration: Option<usize>,
    /// `--labels-per-class N`: the transfer demonstration's labels per class of the new task.
    pub labels_per_class: Option<usize>,
}

/// The flags of `kd run`, as given.
#[derive(Debug, Default)]
pub struct RunArgs {
    /// `--dataset`'s value.
    pub dataset: Option<String>,
    /// (what, value) of every flag that sets engine settings, in the order given (an
    /// experiment's preset first).
    pub settings: Vec<(Sets, String)>,
    /// `--seeds N` (seeds 0 to N − 1) or `--seeds A..B` (seeds A to B − 1).
    pub seeds: Option<std::ops::Range<u64>>,
    pub json: bool,
    /// `--save-run PATH`.
    pub save_run: Option<String>,
}

/// A mistake on the command line (exit code 2): clap's message, whole.
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

/// The flag that sets engine setting `name`, e.g. `--lr` for `learningRate`.
pub fn flag_of_setting(name: &str) -> Option<String> {
    settings::spec(name).filter(|spec| !spec.flag.is_empty()).map(|spec| format!("--{}", spec.flag))
}

/// The flag that `what` was given by.
pub fn flag_of(what: Sets) -> String {
    match what {
        Sets::Setting(name) => flag_of_setting(name).unwrap_or_else(|| name.to_string()),
        Sets::Epochs => "--epochs".to_string(),
    }
}

/// The English text of catalogue key `key` (empty if it has none).
fn english_text(key: &str) -> String {
    english().and_then(|catalogue| catalogue.get(key).cloned()).unwrap_or_default()
}

/// The range or choices of a setting, from its declaration.
fn setting_range(spec: &settings::SettingSpec) -> String {
    match spec.kind {
        SettingKind::Choice => spec.choices.join(" | "),
        SettingKind::Number | SettingKind::Integer => format!("{} to {}", spec.min, spec.max),
        SettingKind::Layers => format!("each {} to {}, at most {} layers", spec.min, spec.max, spec.max_layers),
    }
}

/// The section of the help a group's settings are listed in.
fn heading(group: Group) -> &'static str {
    match group {
        Group::Data => "Data",
        Group::Models => "Models",
        Group::Training => "Training",
        Group::Distillation => "Distillation",
    }
}

/// A flag that takes one value, which may look like a flag (`--temperature -1` reaches validation).
fn value_flag(id: &'static str, long: &'static str, placeholder: &'static str, help: String) -> Arg {
    Arg::new(id).long(long).value_name(placeholder).help(help).action(ArgAction::Set).allow_hyphen_values(true)
}

/// `kd run`'s flags: one per setting of the engine (but the data set, which the command line also
/// takes as a file), then the command line's own.
fn run_flags() -> Vec<Arg> {
    let mut flags = vec![value_flag(
        "dataset",
        "dataset",
        "NAME|PATH",
        format!(
            "{} [{}], or a CSV file: numeric feature columns and the label in the last column (an integer from 0, \
             or a class name), with or without a header row; at most {} MB, {} rows, {} features and {} classes",
            english_text("setting.dataset.help"),
            settings::spec("dataset").map(setting_range).unwrap_or_default(),
            csv::MAX_BYTES / (1024 * 1024),
            csv::MAX_ROWS,
            csv::MAX_FEATURES,
            csv::MAX_CLASSES
        ),
    )
    .help_heading("Data")];
    for spec in SCHEMA.iter().filter(|spec| !spec.flag.is_empty() && spec.name != "dataset") {
        let help = format!("{} [{}]", english_text(&format!("setting.{}.help", spec.name)), setting_range(spec));
        flags.push(value_flag(spec.name, spec.flag, spec.placeholder, help).help_heading(heading(spec.group)));
    }
    flags.extend([
        value_flag("epochs", "epochs", "N", "sets both --teacher-epochs and --student-epochs".into())
            .help_heading("Training"),
        value_flag(
            "seeds",
            "seeds",
            "N|A..B",
            format!(
                "run seeds 0, 1, …, N−1, or A, A+1, …, B−1 (--seed is then ignored) and report the mean ± sample \
                 standard deviation over them, and the paired difference distilled − control [1 to {MAX_SEEDS} seeds]"
            ),
        )
        .value_parser(parse_seeds)
        .help_heading("Training"),
        Arg::new("json")
            .long("json")
            .action(ArgAction::SetTrue)
            .help("print one JSON object instead of the table (fields: README, \"Command line\")")
            .help_heading("Output"),
        value_flag(
            "save-run",
            "save-run",
            "PATH",
            "also write the trained run (settings, curves, weights) as the page's run file, which the page loads \
             (Save and load → Load run…); one seed only"
                .into(),
        )
        .value_parser(clap::builder::NonEmptyStringValueParser::new())
        .conflicts_with("seeds")
        .help_heading("Output"),
    ]);
    flags
}

/// `--seeds`: `N` (seeds 0 to N − 1) or `A..B` (seeds A to B − 1), 1 to [`MAX_SEEDS`] seeds. Seeds
/// 0–9 are the tuning seeds (with `--holdout validation`); the held-out seeds are 10–29 (docs/experiments.md).
fn parse_seeds(text: &str) -> Result<std::ops::Range<u64>, String> {
    let number = |part: &str| part.trim().parse::<u64>().map_err(|_| format!("'{part}' is not a whole number"));
    let range = match text.split_once("..") {
        Some((from, to)) => number(from)?..number(to)?,
        None => 0..number(text)?,
    };
    let count = range.end.saturating_sub(range.start);
    if count == 0 || count > MAX_SEEDS as u64 {
        return Err(format!("{count} seeds: give 1 to {MAX_SEEDS} (N, or A..B with A < B, B excluded)"));
    }
    Ok(range)
}

/// The whole command line.
fn command() -> clap::Command {
    let run = clap::Command::new("run")
        .about("train a teacher, then a distilled and a control student, and report their test accuracy")
        .long_about(
            "Train a teacher, then a distilled and a control student, and report their test accuracy (overall \
             and per class) as a table, or as one JSON object with --json. Every setting starts from the page's \
             defaults for the data set (listed below) and each flag overrides one. A flag's value follows it \
             (--alpha 0.9) or an equals sign (--alpha=0.9).",
        )
        .args(run_flags())
        .after_help(run_after_help());
    let experiment = clap::Command::new("experiment")
        .about("Hinton's experiments in miniature, with a verdict (kd experiment --help lists them)")
        .long_about(
            "One of Hinton's experiments in miniature, with the preset's settings (any kd run flag changes them) \
             and a verdict, from the run's own numbers, on whether the run showed the claim. A study runs several \
             runs and compares them; its runs' own settings win over the flags.",
        )
        .arg(
            Arg::new("name")
                .value_name("NAME")
                .required(true)
                .value_parser(clap::builder::PossibleValuesParser::new(EXPERIMENTS.iter().map(|e| e.name))),
        )
        .args(run_flags())
        .after_help(experiment_list());
    let compare = clap::Command::new("compare")
        .about("the compression bench: distillation beside pruning, int8 quantization and transfer learning")
        .long_about(
            "Train a run as kd run does (its teacher, distilled and control students), then compress the same \
             teacher in other ways and measure every network side by side: parameters, non-zero parameters, bytes \
             on disk (the length of each network's file), inference time per sample (measured here, natively) and \
             test accuracy. Rows: teacher, kd, control, prune-weights (magnitude pruning of the teacher to the \
             distilled student's parameter count, fine-tuned), prune-neurons (whole neurons removed, fine-tuned), \
             int8 (post-training quantization, run by an int8 kernel), kd-int8 (the distilled student quantized), \
             transfer and transfer-scratch (a network trained on the first half of the classes reused for the second \
             half from a few labels, against the same network from scratch).",
        )
        .args(run_flags().into_iter().filter(|flag| !matches!(flag.get_id().as_str(), "seeds" | "save-run")))
        .args([
            value_flag(
                "calibration",
                "calibration",
                "N",
                format!(
                    "samples of the training split that int8 quantization measures its scales on [at least {}; \
                     default {}]",
                    kd_playground::compression::MIN_CALIBRATION,
                    kd_playground::compression::BenchOptions::default().calibration
                ),
            )
            .value_parser(clap::value_parser!(usize))
            .help_heading("Compression"),
            value_flag(
                "labels-per-class",
                "labels-per-class",
                "N",
                format!(
                    "labelled training samples per class of the transfer demonstration's new task [1 to 1000; \
                     default {}]",
                    kd_playground::compression::BenchOptions::default().labels_per_class
                ),
            )
            .value_parser(clap::value_parser!(u16).range(1..=1000))
            .help_heading("Compression"),
        ])
        .after_help(
            "Example:\n  kd compare --dataset digits --seed 0 --json\n\nExit status: as kd run's (1 also when the \
             bench cannot run on this run, e.g. a teacher no larger than the student).",
        );
    clap::Command::new("kd")
        .version(env!("CARGO_PKG_VERSION"))
        .about("knowledge distillation from the command line, with the engine of KD Playground")
        .long_about(
            "Knowledge distillation from the command line, with the engine of KD Playground. A teacher network is \
             trained on the hard labels; then a student learns from the teacher's soft labels and the hard labels, \
             L = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(y, softmax(z_s)), beside a control student \
             (same architecture, same initial weights, same batches) trained on the hard labels only. The same \
             settings and seed make the same run as the page.",
        )
        .after_help("Example:\n  kd run --dataset digits --omit-class 3 --temperature 8 --seeds 3")
        .subcommand_required(true)
        .max_term_width(100)
        .subcommands([run, experiment, compare, sample_command()])
}

/// `kd sample`'s flags.
fn sample_command() -> clap::Command {
    clap::Command::new("sample")
        .about("what a saved run of the language task writes (kd run --task chars --save-run FILE)")
        .long_about(
            "What a saved run of the language task writes: each line starts with the prompt, and every next \
             character is drawn from the network's softmax at the sampling temperature (the same T, its second \
             meaning: below 1 the model's favourite characters more often, above 1 more surprising ones; 0 always \
             the most likely), from the seed, until the network ends the line.",
        )
        .args([
            value_flag("run", "run", "FILE", "the run file (kd run --task chars --save-run FILE)".into()).required(true),
            value_flag("prompt", "prompt", "TEXT", "the start of every line [default: nothing]".into()),
            value_flag("temperature", "temperature", "T", "the sampling temperature, 0 to 100 [default: 1]".into())
                .value_parser(clap::value_parser!(f32)),
            value_flag("count", "count", "N", "how many lines, 1 to 1000 [default: 10]".into())
                .value_parser(clap::value_parser!(u16).range(1..=1000)),
            value_flag("seed", "seed", "N", "the seed of the draws [default: 1]".into())
                .value_parser(clap::value_parser!(u64)),
            value_flag("model", "model", "NAME", "which network writes [default: teacher]".into())
                .value_parser(["teacher", "kd", "control"]),
        ])
        .after_help("Example:\n  kd run --dataset names --task chars --save-run names.json\n  kd sample --run names.json --prompt ma --temperature 0.8 --count 5")
}

/// The defaults per data set and the exit status, after `kd run --help`'s flags.
fn run_after_help() -> String {
    let mut text = String::from("Defaults per data set (the page's; a CSV file takes iris's):\n");
    text.push_str(&defaults_table());
    let per_dataset: Vec<&str> = dataset_defaults(DatasetName::Iris).iter().map(|(name, _)| *name).collect();
    let others: Vec<String> = SCHEMA
        .iter()
        .filter(|spec| !per_dataset.contains(&spec.name) && spec.by_dataset.is_none() && !spec.flag.is_empty())
        .map(|spec| format!("--{} {}", spec.flag, if spec.default.is_empty() { "''" } else { spec.default }))
        .collect();
    text.push_str(&format!("and for every data set: {}.\n\n", others.join(", ")));
    text.push_str(
        "Exit status: 0 on success; 2 on a usage error (an unknown flag, a bad value, an unknown data set); 1 when \
         the data cannot be read or training diverges. Errors go to stderr; with --json, stdout holds the JSON \
         object only.",
    );
    text
}

/// The per-data-set defaults as a small table: a row per setting that depends on the data set,
/// a column per data set.
fn defaults_table() -> String {
    let mut rows = vec![std::iter::once(String::new())
        .chain(DatasetName::ALL.iter().map(|d| d.name().to_string()))
        .collect::<Vec<_>>()];
    let per_dataset: Vec<Vec<(&str, &str)>> = DatasetName::ALL.iter().map(|&d| dataset_defaults(d)).collect();
    for spec in SCHEMA.iter().filter(|spec| spec.by_dataset.is_some()) {
        let values = per_dataset.iter().map(|defaults| {
            defaults.iter().find(|(name, _)| *name == spec.name).map_or("—".to_string(), |(_, v)| v.to_string())
        });
        rows.push(std::iter::once(format!("--{}", spec.flag)).chain(values).collect());
    }
    let widths: Vec<usize> = (0..=DatasetName::ALL.len())
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &width)| format!("{cell:<width$}")).collect();
            format!("  {}\n", cells.join("  ").trim_end())
        })
        .collect()
}

/// The experiments, for `kd experiment --help`: each one's name, title, claim, preset and runs.
fn experiment_list() -> String {
    let mut text = String::from("Experiments:\n");
    for e in EXPERIMENTS {
        text.push_str(&format!(
            "{}\n  {}\n  {}\n  preset: --dataset {}",
            e.name,
            e.title(),
            e.claim(),
            e.dataset.name()
        ));
        for (setting, value) in e.settings {
            text.push_str(&format!(" {} {}", flag_of_setting(setting).unwrap_or_else(|| setting.to_string()), value));
        }
        let arms = e.arms();
        if !arms.is_empty() {
            let labels: Vec<&str> = arms.iter().map(|a| a.label.as_str()).collect();
            text.push_str(&format!(
                "\n  a study of {} run{}: {}",
                arms.len(),
                if arms.len() == 1 { "" } else { "s" },
                labels.join("; ")
            ));
        }
        text.push_str("\n\n");
    }
    text
}

/// `kd --help`.
pub fn main_help() -> String {
    command().render_long_help().to_string()
}

/// `kd run --help`.
#[cfg(test)]
fn run_help() -> String {
    let mut command = command();
    command.find_subcommand_mut("run").map(|run| run.render_long_help().to_string()).unwrap_or_default()
}

/// Reads the arguments after the program's name.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let argv = std::iter::once("kd".to_string()).chain(args.iter().cloned());
    let matches = match command().try_get_matches_from(argv) {
        Ok(matches) => matches,
        Err(error) => {
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Ok(Command::Help(error.render().to_string()))
                }
                _ => Err(UsageError(error.render().to_string())),
            }
        }
    };
    match matches.subcommand() {
        Some(("run", run)) => Ok(Command::Run(run_args(run))),
        Some(("sample", given)) => {
            let temperature = given.get_one::<f32>("temperature").copied().unwrap_or(1.0);
            if !(0.0..=100.0).contains(&temperature) {
                return Err(UsageError(format!(
                    "error: --temperature {temperature}: a sampling temperature is from 0 to 100\n"
                )));
            }
            Ok(Command::Sample(SampleArgs {
                run: given.get_one::<String>("run").cloned().unwrap_or_default(),
                prompt: given.get_one::<String>("prompt").cloned().unwrap_or_default(),
                temperature,
                count: given.get_one::<u16>("count").map_or(10, |&n| usize::from(n)),
                seed: given.get_one::<u64>("seed").copied().unwrap_or(1),
                model: given.get_one::<String>("model").cloned().unwrap_or_else(|| "teacher".into()),
            }))
        }
        Some(("compare", given)) => Ok(Command::Compare(
            run_args(given),
            CompareArgs {
                calibration: given.get_one::<usize>("calibration").copied(),
                labels_per_class: given.get_one::<u16>("labels-per-class").map(|&n| usize::from(n)),
            },
        )),
        Some(("experiment", given)) => {
            let name = given.get_one::<String>("name").map(String::as_str).unwrap_or_default();
            let experiment = experiments::experiment(name)
                .ok_or_else(|| UsageError(format!("error: '{name}' is not an experiment\n")))?;
            let mut run = run_args(given);
            run.dataset.get_or_insert_with(|| experiment.dataset.name().to_string());
            // The preset's settings first, so that any flag given changes them.
            let mut preset: Vec<(Sets, String)> = experiment
                .settings
                .iter()
                .map(|(setting, value)| (Sets::Setting(setting), value.to_string()))
                .collect();
            preset.append(&mut run.settings);
            run.settings = preset;
            Ok(Command::Experiment(experiment, run))
        }
        _ => Ok(Command::Help(main_help())),
    }
}

/// The flags of `kd run` (or `kd experiment`) from clap's matches, in the order given.
fn run_args(matches: &ArgMatches) -> RunArgs {
    let mut given: Vec<(usize, Sets, String)> = Vec::new();
    let mut take = |id: &str, sets: Sets| {
        if let (Some(value), Some(index)) = (matches.get_one::<String>(id), matches.index_of(id)) {
            given.push((index, sets, value.clone()));
        }
    };
    for spec in SCHEMA.iter().filter(|spec| !spec.flag.is_empty() && spec.name != "dataset") {
        take(spec.name, Sets::Setting(spec.name));
    }
    take("epochs", Sets::Epochs);
    given.sort_by_key(|(index, _, _)| *index);
    RunArgs {
        dataset: matches.get_one::<String>("dataset").cloned(),
        settings: given.into_iter().map(|(_, sets, value)| (sets, value)).collect(),
        seeds: matches.try_get_one::<std::ops::Range<u64>>("seeds").ok().flatten().cloned(),
        json: matches.get_flag("json"),
        save_run: matches.try_get_one::<String>("save-run").ok().flatten().cloned(),
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::run::{settings_values, Source};
    use kd_playground::settings::Settings;
    use proptest::prelude::*;

    /// One argument: a flag (of `kd run`, of `kd`, or made up), with or without `=value`, or a
    /// value of any kind.
    fn argument() -> impl Strategy<Value = String> {
        let flags: Vec<String> = SCHEMA
            .iter()
            .filter(|s| !s.flag.is_empty())
            .map(|s| format!("--{}", s.flag))
            .chain(
                ["--epochs", "--seeds", "--json", "--save-run", "--help", "-h", "--bogus", "-", "--", "--="]
                    .map(String::from),
            )
            .collect();
        let words = [
            "run",
            "experiment",
            "omitted-class",
            "temperature-width",
            "help",
            "-V",
            "digits",
            "iris",
            "spiral",
            "nope.csv",
            "0",
            "-1",
            "1e9",
            "NaN",
            "",
            "64,64",
            "relu",
            "kl",
        ];
        prop_oneof![
            3 => prop::sample::select(flags.clone()),
            2 => (prop::sample::select(flags), "\\PC{0,6}").prop_map(|(f, v)| format!("{f}={v}")),
            3 => prop::sample::select(words.map(String::from).to_vec()),
            2 => any::<f64>().prop_map(|v| v.to_string()),
            1 => "\\PC{0,10}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_arguments_are_parsed_or_refused_with_a_message(args in prop::collection::vec(argument(), 0..8)) {
            match parse(&args) {
                Ok(Command::Help(text)) => prop_assert!(!text.is_empty()),
                Ok(Command::Run(run) | Command::Experiment(_, run) | Command::Compare(run, _)) => {
                    // A built-in data set's settings from these flags are validated without panic.
                    let builtin = run.dataset.as_deref().and_then(DatasetName::from_name).unwrap_or(DatasetName::Spiral);
                    let values = settings_values(&Source::Builtin(builtin), &run);
                    let _ = Settings::from_values(&values);
                }
                Ok(Command::Sample(sample)) => prop_assert!(!sample.run.is_empty(), "--run is required"),
                Err(UsageError(message)) => prop_assert!(message.starts_with("error: "), "{message:?}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_command_line_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn every_setting_but_the_data_set_has_a_flag_and_help() {
        for spec in SCHEMA {
            assert!(!spec.flag.is_empty(), "{} has no flag", spec.name);
            assert!(!english_text(&format!("setting.{}.help", spec.name)).is_empty(), "{} has no help", spec.name);
        }
        let help = run_help();
        for spec in SCHEMA {
            assert!(help.contains(&format!("--{} ", spec.flag)), "--{} missing from:\n{help}", spec.flag);
        }
    }

    #[test]
    fn values_may_look_like_flags_or_follow_an_equals_sign() {
        let Ok(Command::Run(run)) = parse(&args("run --temperature -1 --alpha=0.9 --json")) else {
            panic!("not a run")
        };
        assert_eq!(
            run.settings,
            vec![(Sets::Setting("temperature"), "-1".to_string()), (Sets::Setting("alpha"), "0.9".to_string())]
        );
        assert!(run.json);
    }

    #[test]
    fn an_experiment_starts_from_its_preset() {
        let Ok(Command::Experiment(experiment, run)) = parse(&args("experiment omitted-class --temperature 2")) else {
            panic!("not an experiment")
        };
        assert_eq!(experiment.name, "omitted-class");
        assert_eq!(run.dataset.as_deref(), Some("digits"));
        assert_eq!(run.settings.first(), Some(&(Sets::Setting("omitClass"), "3".to_string())));
        assert_eq!(run.settings.last(), Some(&(Sets::Setting("temperature"), "2".to_string())), "the flag comes last");
    }

    #[test]
    fn mistakes_are_named() {
        let first_line = |text: &str| {
            parse(&args(text)).err().map(|e| e.0.lines().next().unwrap_or_default().to_string()).unwrap_or_default()
        };
        assert_eq!(first_line("run --alpha"), "error: a value is required for '--alpha <A>' but none was supplied");
        assert_eq!(
            first_line("run --alpha 1 --alpha 2"),
            "error: the argument '--alpha <A>' cannot be used multiple times"
        );
        assert_eq!(
            first_line("run --seeds 0"),
            "error: invalid value '0' for '--seeds <N|A..B>': 0 seeds: give 1 to 100 (N, or A..B with A < B, B excluded)"
        );
        assert_eq!(
            first_line("run --seeds 3..200"),
            "error: invalid value '3..200' for '--seeds <N|A..B>': 197 seeds: give 1 to 100 (N, or A..B with A < B, B excluded)"
        );
        assert_eq!(first_line("run iris"), "error: unexpected argument 'iris' found");
        assert_eq!(first_line("experiment nothing"), "error: invalid value 'nothing' for '<NAME>'");
        assert_eq!(
            first_line("run --seeds 2 --save-run x.json"),
            "error: the argument '--seeds <N|A..B>' cannot be used with '--save-run <PATH>'"
        );
    }
}
