//! The command line, read with `std` only: `kd run [FLAGS]`, `kd experiment NAME`, `kd --help`.
//! Every flag of `kd run` is declared once in [`FLAGS`], which drives the parser, the mapping to
//! the engine's settings and the `--help` text; ranges and choices in the help come from the
//! engine's settings table, so they cannot drift from what validation accepts.

use kd_playground::data::{csv, DatasetName};
use kd_playground::experiments::{self, Experiment, EXPERIMENTS};
use kd_playground::settings::{self, dataset_defaults, SettingKind};

/// Most seeds `--seeds` runs.
pub const MAX_SEEDS: usize = 100;

/// Which part of `kd run --help` a flag is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Data,
    Models,
    Training,
    Distillation,
    Output,
}

/// What a flag does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Sets the engine setting of this name (as in `src/settings.rs`).
    Setting(&'static str),
    /// `--dataset`: a built-in data set or a CSV file.
    Dataset,
    /// `--epochs`: both `teacherEpochs` and `studentEpochs`, unless those flags are given.
    Epochs,
    /// `--seeds N`: seeds 0..N−1.
    Seeds,
    /// `--json`, a switch.
    Json,
    /// `--save-run PATH`: write the trained run as the page's run file.
    SaveRun,
}

/// One flag of `kd run`.
#[derive(Debug)]
pub struct Flag {
    pub name: &'static str,
    /// Placeholder of its value in the help; empty for a switch.
    value: &'static str,
    pub action: Action,
    section: Section,
    help: &'static str,
}

/// Every flag of `kd run`, in the order the help lists them.
pub const FLAGS: &[Flag] = &[
    Flag {
        name: "--dataset",
        value: "NAME|PATH",
        action: Action::Dataset,
        section: Section::Data,
        help: "spiral, blobs, moons (2-D, generated from the seed), digits or iris (real), or a CSV file",
    },
    Flag { name: "--test-fraction", value: "F", action: Action::Setting("testFraction"), section: Section::Data, help: "share of each class held out for testing" },
    Flag { name: "--noise", value: "X", action: Action::Setting("noise"), section: Section::Data, help: "jitter of the generated sets (spiral, blobs, moons only)" },
    Flag { name: "--points", value: "N", action: Action::Setting("points"), section: Section::Data, help: "size of the generated sets (spiral, blobs, moons only)" },
    Flag { name: "--teacher", value: "WIDTHS", action: Action::Setting("teacherHidden"), section: Section::Models, help: "the teacher's hidden layers, e.g. 256,256" },
    Flag { name: "--student", value: "WIDTHS", action: Action::Setting("studentHidden"), section: Section::Models, help: "the students' hidden layers, e.g. 16 ('' for none)" },
    Flag { name: "--activation", value: "NAME", action: Action::Setting("activation"), section: Section::Models, help: "activation of every hidden layer" },
    Flag {
        name: "--teachers",
        value: "N",
        action: Action::Setting("teachers"),
        section: Section::Models,
        help: "teachers in the ensemble, from seeds s, s+1, …; the soft label averages their probabilities",
    },
    Flag { name: "--optimizer", value: "NAME", action: Action::Setting("optimizer"), section: Section::Training, help: "Adam, or SGD with momentum 0.9" },
    Flag { name: "--lr", value: "RATE", action: Action::Setting("learningRate"), section: Section::Training, help: "learning rate of teacher and students" },
    Flag { name: "--batch-size", value: "N", action: Action::Setting("batchSize"), section: Section::Training, help: "samples per mini-batch" },
    Flag { name: "--epochs", value: "N", action: Action::Epochs, section: Section::Training, help: "sets both --teacher-epochs and --student-epochs" },
    Flag { name: "--teacher-epochs", value: "N", action: Action::Setting("teacherEpochs"), section: Section::Training, help: "passes over the training split for the teacher" },
    Flag { name: "--student-epochs", value: "N", action: Action::Setting("studentEpochs"), section: Section::Training, help: "passes over the transfer set for both students" },
    Flag {
        name: "--seed",
        value: "N",
        action: Action::Setting("seed"),
        section: Section::Training,
        help: "the seed of every random draw (data, split, weights, batch order)",
    },
    Flag {
        name: "--seeds",
        value: "N",
        action: Action::Seeds,
        section: Section::Training,
        help: "run seeds 0, 1, …, N−1 (--seed is then ignored) and report mean ± standard deviation over them, and the paired difference distilled − control",
    },
    Flag { name: "--temperature", value: "T", action: Action::Setting("temperature"), section: Section::Distillation, help: "softmax temperature of the soft term" },
    Flag { name: "--alpha", value: "A", action: Action::Setting("alpha"), section: Section::Distillation, help: "weight of the soft term; 1 − α weighs the hard labels" },
    Flag {
        name: "--soft-loss",
        value: "KIND",
        action: Action::Setting("softLoss"),
        section: Section::Distillation,
        help: "kl (T²·KL at T) or logits (squared error between zero-meaned logits, Hinton eq. 4)",
    },
    Flag {
        name: "--omit-class",
        value: "C",
        action: Action::Setting("omitClass"),
        section: Section::Distillation,
        help: "leave class C out of the students' transfer set (−1: none) and report its accuracy before and after the bias adjustment",
    },
    Flag {
        name: "--train-fraction",
        value: "F",
        action: Action::Setting("trainFraction"),
        section: Section::Distillation,
        help: "share of each class of the training split that the students learn from",
    },
    Flag { name: "--json", value: "", action: Action::Json, section: Section::Output, help: "print one JSON object instead of the table (fields: README, \"Command line\")" },
    Flag {
        name: "--save-run",
        value: "PATH",
        action: Action::SaveRun,
        section: Section::Output,
        help: "also write the trained run (settings, curves, weights) as the page's run file, which the page loads (Save and load → Load run…); one seed only",
    },
];

/// What the user asked for.
#[derive(Debug)]
pub enum Command {
    /// Print this text on stdout and succeed.
    Help(String),
    Run(RunArgs),
    /// `kd experiment NAME [FLAGS]`: a preset's settings, then the flags over them.
    Experiment(&'static Experiment, RunArgs),
}

/// Reads `kd experiment NAME [FLAGS]`: the preset's data set and settings come first, so that
/// any flag given changes them.
fn parse_experiment(args: &[String]) -> Result<Command, UsageError> {
    let available = || EXPERIMENTS.iter().map(|e| e.name).collect::<Vec<_>>().join(", ");
    let Some(name) = args.first().filter(|a| !a.starts_with('-')) else {
        if args.iter().any(|a| a == "--help" || a == "-h") {
            return Ok(Command::Help(experiment_help()));
        }
        return Err(UsageError(format!("an experiment's name is missing; available: {}", available())));
    };
    let Some(experiment) = experiments::experiment(name) else {
        return Err(UsageError(format!("'{}' is not an experiment; available: {}", shown(name), available())));
    };
    let rest = args.get(1..).unwrap_or_default();
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help(experiment_help()));
    }
    let Command::Run(mut run) = parse_run(rest)? else {
        return Ok(Command::Help(experiment_help()));
    };
    run.dataset.get_or_insert_with(|| experiment.dataset.name().to_string());
    let mut preset: Vec<(&'static Flag, String)> = Vec::new();
    for (setting, value) in experiment.settings {
        let flag = FLAGS
            .iter()
            .find(|f| matches!(f.action, Action::Setting(name) if name == *setting))
            .ok_or_else(|| UsageError(format!("the experiment sets {setting}, which no flag sets")))?;
        preset.push((flag, value.to_string()));
    }
    preset.append(&mut run.settings);
    run.settings = preset;
    Ok(Command::Experiment(experiment, run))
}

/// `kd experiment --help`.
pub fn experiment_help() -> String {
    let mut text = String::from(
        "kd experiment NAME [FLAGS]: one of Hinton's experiments in miniature, with the preset's\n\
         settings (any kd run flag changes them) and a verdict, from the run's own numbers, on\n\
         whether the run showed the claim. A study runs several runs and compares them; its runs'\n\
         own settings win over the flags.\n\n",
    );
    for e in EXPERIMENTS {
        text.push_str(&format!(
            "{}\n  {}\n  {}\n  preset: --dataset {}",
            e.name,
            e.title(),
            e.claim(),
            e.dataset.name()
        ));
        for (setting, value) in e.settings {
            text.push_str(&format!(" {} {}", flag_of_setting(setting).unwrap_or(setting), value));
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

/// The flags of `kd run`, as given.
#[derive(Debug, Default)]
pub struct RunArgs {
    /// `--dataset`'s value.
    pub dataset: Option<String>,
    /// (flag, value) of every flag that sets engine settings, in the order given.
    pub settings: Vec<(&'static Flag, String)>,
    /// `--seeds N`.
    pub seeds: Option<usize>,
    pub json: bool,
    /// `--save-run PATH`.
    pub save_run: Option<String>,
}

/// A mistake on the command line (exit code 2).
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

/// The flag that sets engine setting `name`, e.g. `--lr` for `learningRate`.
pub fn flag_of_setting(name: &str) -> Option<&'static str> {
    FLAGS.iter().find(|f| matches!(f.action, Action::Setting(setting) if setting == name)).map(|f| f.name)
}

/// Reads the arguments after the program's name.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let Some(command) = args.first() else {
        return Err(UsageError(format!("a command is missing\n\n{}", main_help())));
    };
    let rest = args.get(1..).unwrap_or_default();
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help(main_help())),
        "-V" | "--version" => Ok(Command::Help(format!("kd {}\n", env!("CARGO_PKG_VERSION")))),
        "run" => parse_run(rest),
        "experiment" => parse_experiment(rest),
        other if other.starts_with('-') => Err(UsageError(format!(
            "'{}' must come after a command, e.g. kd run {}; see kd --help",
            shown(other),
            shown(other)
        ))),
        other => Err(UsageError(format!("'{}' is not a command; available: run (see kd --help)", shown(other)))),
    }
}

/// Reads `kd run`'s flags. A flag's value is the next argument whatever it looks like (so
/// `--temperature -1` reaches validation), or follows `=` (`--temperature=4`).
fn parse_run(args: &[String]) -> Result<Command, UsageError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help(run_help()));
    }
    let mut run = RunArgs::default();
    let mut seen: Vec<&'static str> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let Some(flag) = FLAGS.iter().find(|f| f.name == name) else {
            return Err(if name.starts_with('-') {
                UsageError(format!("{} is not a flag of kd run; see kd run --help", shown(name)))
            } else {
                UsageError(format!(
                    "unexpected argument '{}'; every value follows its flag, e.g. --dataset iris",
                    shown(arg)
                ))
            });
        };
        if seen.contains(&flag.name) {
            return Err(UsageError(format!("{}: given twice", flag.name)));
        }
        seen.push(flag.name);
        if flag.action == Action::Json {
            if inline_value.is_some() {
                return Err(UsageError("--json takes no value".into()));
            }
            run.json = true;
            continue;
        }
        let value = match inline_value.or_else(|| rest.next().cloned()) {
            Some(value) => value,
            None => {
                return Err(UsageError(format!("{}: a value is missing ({} {})", flag.name, flag.name, flag.value)))
            }
        };
        match flag.action {
            Action::Dataset => run.dataset = Some(value),
            Action::Seeds => run.seeds = Some(whole_number(flag.name, &value, 1, MAX_SEEDS)?),
            Action::Setting(_) | Action::Epochs => run.settings.push((flag, value)),
            Action::SaveRun if value.is_empty() => return Err(UsageError("--save-run: the path is empty".into())),
            Action::SaveRun => run.save_run = Some(value),
            Action::Json => {}
        }
    }
    if run.seeds.is_some() && run.save_run.is_some() {
        return Err(UsageError("--save-run saves one run; it cannot be combined with --seeds".into()));
    }
    Ok(Command::Run(run))
}

/// A whole number from `low` to `high`.
fn whole_number(flag: &str, value: &str, low: usize, high: usize) -> Result<usize, UsageError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ if high == usize::MAX => {
            Err(UsageError(format!("{flag}: must be a whole number from {low} (got '{}')", shown(value))))
        }
        _ => Err(UsageError(format!("{flag}: must be a whole number from {low} to {high} (got '{}')", shown(value)))),
    }
}

/// At most 40 characters of an argument, for messages.
fn shown(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        short.push('…');
    }
    short
}

/// `kd --help`.
pub fn main_help() -> String {
    "kd: knowledge distillation from the command line, with the engine of KD Playground

A teacher network is trained on the hard labels; then a student learns from the teacher's soft
labels and the hard labels,
    L = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(y, softmax(z_s)),
beside a control student (same architecture, same initial weights, same batches) trained on the
hard labels only. The same settings and seed make the same run as the page.

Usage:
  kd run [FLAGS]          train and report the test accuracy of the three networks
  kd experiment NAME      Hinton's experiments as presets, with a verdict (kd experiment --help)
  kd --help               this text
  kd run --help           every flag of kd run, with its range and the defaults
  kd --version

Example:
  kd run --dataset digits --omit-class 3 --temperature 8 --seeds 3
"
    .to_string()
}

/// The range or choices of engine setting `name`, from the settings table.
fn setting_range(name: &str) -> String {
    let Some(spec) = settings::spec(name) else { return String::new() };
    match spec.kind {
        SettingKind::Choice => spec.choices.join(" | "),
        SettingKind::Number | SettingKind::Integer => format!("{} to {}", spec.min, spec.max),
        SettingKind::Layers => format!("each {} to {}, at most {} layers", spec.min, spec.max, spec.max_layers),
    }
}

/// `kd run --help`, built from [`FLAGS`] and the engine's settings table.
pub fn run_help() -> String {
    let mut text = String::from(
        "kd run: train a teacher, then a distilled and a control student, and report their test
accuracy (overall and per class) as a table, or as one JSON object with --json.

Usage: kd run [--dataset NAME|PATH.csv] [FLAGS]

Every setting starts from the page's defaults for the data set (listed below) and each flag
overrides one. A flag's value follows it (--alpha 0.9) or an equals sign (--alpha=0.9).
",
    );
    let sections = [
        (Section::Data, "Data"),
        (Section::Models, "Models"),
        (Section::Training, "Training"),
        (Section::Distillation, "Distillation"),
        (Section::Output, "Output"),
    ];
    for (section, title) in sections {
        text.push_str(&format!("\n{title}:\n"));
        for flag in FLAGS.iter().filter(|f| f.section == section) {
            let usage =
                if flag.value.is_empty() { flag.name.to_string() } else { format!("{} {}", flag.name, flag.value) };
            let mut help = flag.help.to_string();
            if let Action::Setting(name) = flag.action {
                help.push_str(&format!(" [{}]", setting_range(name)));
            }
            if flag.action == Action::Seeds {
                help.push_str(&format!(" [1 to {MAX_SEEDS}]"));
            }
            if flag.action == Action::Dataset {
                help.push_str(&format!(
                    " (default {}). A CSV file has numeric feature columns and the label in the last column (an integer from 0, or a class name), with or without a header row; at most {} MB, {} rows, {} features and {} classes.",
                    settings::spec("dataset").map_or("spiral", |s| s.default),
                    csv::MAX_BYTES / (1024 * 1024),
                    csv::MAX_ROWS,
                    csv::MAX_FEATURES,
                    csv::MAX_CLASSES
                ));
            }
            text.push_str(&wrap(&usage, &help));
        }
    }
    text.push_str(&wrap("-h, --help", "this text"));
    text.push_str("\nDefaults per data set (the page's; a CSV file takes iris's):\n");
    text.push_str(&defaults_table());
    let others: Vec<String> = settings::SCHEMA
        .iter()
        .filter(|spec| {
            !dataset_defaults(DatasetName::Iris).iter().any(|(name, _)| *name == spec.name) && spec.name != "noise"
        })
        .filter_map(|spec| {
            flag_of_setting(spec.name)
                .map(|flag| format!("{flag} {}", if spec.default.is_empty() { "''" } else { spec.default }))
        })
        .collect();
    text.push_str(&wrap_at("", &format!("and for every data set: {}.", others.join(", ")), 2));
    text.push_str(
        "
Exit status: 0 on success; 2 on a usage error (an unknown flag, a bad value, an unknown data
set); 1 when the data cannot be read or training diverges. Errors go to stderr; with --json,
stdout holds the JSON object only.
",
    );
    text
}

/// The per-data-set defaults as a small table.
fn defaults_table() -> String {
    let columns = [
        ("teacherHidden", "teacher"),
        ("studentHidden", "student"),
        ("learningRate", "lr"),
        ("batchSize", "batch"),
        ("teacherEpochs", "teacher-epochs"),
        ("studentEpochs", "student-epochs"),
        ("temperature", "T"),
        ("alpha", "α"),
        ("noise", "noise"),
    ];
    let mut rows = vec![std::iter::once(String::new())
        .chain(columns.iter().map(|(_, title)| title.to_string()))
        .collect::<Vec<_>>()];
    for dataset in DatasetName::ALL {
        let defaults = dataset_defaults(dataset);
        let value =
            |name: &str| defaults.iter().find(|(n, _)| *n == name).map_or("—".to_string(), |(_, v)| v.to_string());
        rows.push(
            std::iter::once(dataset.name().to_string()).chain(columns.iter().map(|(name, _)| value(name))).collect(),
        );
    }
    let widths: Vec<usize> = (0..=columns.len())
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &width)| format!("{cell:<width$}")).collect();
            format!("  {}\n", cells.join("  ").trim_end())
        })
        .collect()
}

/// One help entry: the usage in a 26-column gutter, the help wrapped at 100 columns.
fn wrap(usage: &str, help: &str) -> String {
    wrap_at(usage, help, 26)
}

/// `help` wrapped at 100 columns and indented by `gutter`, after `usage` when it fits there.
fn wrap_at(usage: &str, help: &str, gutter: usize) -> String {
    const WIDTH: usize = 100;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in help.split_whitespace() {
        if !line.is_empty() && gutter + line.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    let mut text = String::new();
    let first_gutter = format!("  {usage}");
    for (i, line) in lines.iter().enumerate() {
        if i == 0 && first_gutter.chars().count() < gutter {
            text.push_str(&format!("{first_gutter:<gutter$}{line}\n"));
        } else if i == 0 && !usage.is_empty() {
            text.push_str(&format!("{first_gutter}\n{:gutter$}{line}\n", ""));
        } else {
            text.push_str(&format!("{:gutter$}{line}\n", ""));
        }
    }
    text
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
        let flags: Vec<String> = FLAGS
            .iter()
            .map(|f| f.name.to_string())
            .chain(["--help", "-h", "--bogus", "-", "--", "--="].map(String::from))
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
                Ok(Command::Run(run) | Command::Experiment(_, run)) => {
                    // A built-in data set's settings from these flags are validated without panic.
                    let builtin = run.dataset.as_deref().and_then(DatasetName::from_name).unwrap_or(DatasetName::Spiral);
                    let values = settings_values(&Source::Builtin(builtin), &run);
                    let _ = Settings::from_values(&values);
                }
                Err(UsageError(message)) => {
                    prop_assert!(!message.is_empty());
                    // What the user typed is quoted with its control characters escaped.
                    prop_assert!(!message.chars().any(|c| c.is_control() && c != '\n'), "{message:?}");
                }
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
    fn every_setting_flag_names_a_setting_of_the_table() {
        for flag in FLAGS {
            if let Action::Setting(name) = flag.action {
                assert!(settings::spec(name).is_some(), "{} → {name}", flag.name);
            }
        }
    }

    #[test]
    fn values_may_look_like_flags_or_follow_an_equals_sign() {
        let Ok(Command::Run(run)) = parse(&args("run --temperature -1 --alpha=0.9 --json")) else {
            panic!("not a run")
        };
        let given: Vec<(&str, &str)> = run.settings.iter().map(|(f, v)| (f.name, v.as_str())).collect();
        assert_eq!(given, vec![("--temperature", "-1"), ("--alpha", "0.9")]);
        assert!(run.json);
    }

    #[test]
    fn mistakes_are_named() {
        let error = |text: &str| parse(&args(text)).err().map(|e| e.0).unwrap_or_default();
        assert_eq!(error("run --alpha"), "--alpha: a value is missing (--alpha A)");
        assert_eq!(error("run --alpha 1 --alpha 2"), "--alpha: given twice");
        assert_eq!(error("run --seeds 0"), "--seeds: must be a whole number from 1 to 100 (got '0')");
        assert_eq!(error("run iris"), "unexpected argument 'iris'; every value follows its flag, e.g. --dataset iris");
        assert_eq!(error("experiment nothing"), "'nothing' is not an experiment; available: omitted-class, small-transfer-set, temperature-width, ensemble-teacher, high-temperature, born-again");
    }
}
