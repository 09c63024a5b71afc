//! What `kd run` prints: one JSON object (`--json`) whose fields are documented in the README's
//! "Command line" section, or a table for people. Both read the same [`Report`].
//!
//! Over several seeds every metric becomes its mean, sample standard deviation
//! `sqrt(Σ (x − mean)² / (n − 1))` (none for one value) and per-seed values; a per-class value
//! that a seed lacks (no test sample of the class) is `null` in `values` and left out of the mean
//! and deviation.

use std::collections::BTreeMap;

use serde::Serialize;

use kd_playground::experiments::{Check, OverSeeds};
use kd_playground::language::metrics::perplexity;
use kd_playground::session::{Fidelity, Network};
use kd_playground::settings::Value;

use kd_playground::language::metrics::DIVERSITY_LINES;

use crate::run::{Report, Scores, SeedRun};

/// One metric: a number (or null) for one seed, or its summary over seeds.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Metric {
    One(Option<f32>),
    Seeds(Summary),
}

/// A metric over seeds.
#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    pub(crate) mean: Option<f32>,
    pub(crate) std: Option<f32>,
    values: Vec<Option<f32>>,
}

impl Summary {
    pub(crate) fn of(values: Vec<Option<f32>>) -> Self {
        let present: Vec<f64> = values.iter().flatten().map(|&v| f64::from(v)).collect();
        if present.is_empty() {
            return Summary { mean: None, std: None, values };
        }
        let n = present.len() as f64;
        let mean = present.iter().sum::<f64>() / n;
        // the sample standard deviation (ddof 1), as papers report it; none from a single value
        let std =
            (present.len() > 1).then(|| (present.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
        Summary { mean: Some(mean as f32), std: std.map(|s| s as f32), values }
    }
}

/// Which seeds a report is over: "seed 7", "seeds 0, 1, 2 (3 seeds)", "seeds 10–29 (20 seeds)".
pub(crate) fn seed_list(seeds: &[u64]) -> String {
    match seeds {
        [one] => format!("seed {one}"),
        [first, .., last] if seeds.windows(2).all(|w| w[1] == w[0] + 1) && seeds.len() > 3 => {
            format!("seeds {first}–{last} ({} seeds)", seeds.len())
        }
        _ => {
            let list: Vec<String> = seeds.iter().map(u64::to_string).collect();
            format!("seeds {} ({} seeds)", list.join(", "), seeds.len())
        }
    }
}

/// What an experiment's verdict compares, in words, and how its numbers read: "distilled −
/// control, test accuracy" in points, the born-again student's closeness in percent, or a
/// similarity (linear CKA) as a plain number.
pub(crate) fn difference_words(check: Check) -> (&'static str, &'static str) {
    match check {
        Check::OmittedClass => ("distilled − control, omitted class recognised after the adjustment", "points"),
        Check::DistilledBeatsControl | Check::EnsembleTeacher => ("distilled − control, test accuracy", "points"),
        Check::HighTemperature => (
            "agreement with the logit-matching student: KD at the high temperature − the larger of KD at the low one and the control",
            "points",
        ),
        Check::BornAgain => ("how much closer to the teacher's probabilities than the control (1 − KL ratio)", "%"),
        Check::FitnetsHint => (
            "linear CKA with the teacher's hint layer: the FitNets student's guided layer − the control's same layer",
            "",
        ),
        Check::RkdRelations => {
            ("how much smaller the RKD student's distance term to the teacher is than the control's (1 − ratio)", "%")
        }
        Check::MutualLearning => ("each peer − its control (the same start, hard labels only), test accuracy, mean of the two peers", "points"),
        Check::SelfDistillation => ("the self-distilled early exit − the control's exit, test accuracy", "points"),
        Check::DarkKnowledgeControls => {
            ("KD − the better of label smoothing and permuted soft labels, test accuracy", "points")
        }
        Check::KlDirection => (
            "how much lower the reverse-KL student's test entropy is than the lower of the forward-KL student's and the control's (1 − ratio)",
            "%",
        ),
        Check::CapacityGap => (
            "the student of the teacher assistant − the student distilled directly from the assistant's teacher, test accuracy",
            "points",
        ),
        Check::TemperatureByWidth => ("", ""),
    }
}

/// The claim over the seeds in a paragraph: how many seeds showed it, the mean difference with its
/// bootstrap interval, and whether the interval clears the verdict's margin.
pub(crate) fn over_seeds_text(check: Check, o: &OverSeeds) -> String {
    let (what, unit) = difference_words(check);
    let n = |x: f32| match unit {
        "%" => format!("{:.0}%", x * 100.0),
        "points" => format!("{:+.1}", x * 100.0),
        _ => format!("{x:+.3}"),
    };
    let unit_words = if unit == "points" { " points" } else { "" };
    let sd = o.std.map_or(String::new(), |s| match unit {
        "%" => format!(" ± {:.0}%", s * 100.0),
        "points" => format!(" ± {:.1}", s * 100.0),
        _ => format!(" ± {s:.3}"),
    });
    format!(
        "over the seeds: shown in {} of {}; {what}: {}{sd}{unit_words} on average (sample std), 95% interval {} to {}{unit_words} \
         (bootstrap over the seeds); {} the margin {}{unit_words}: the claim {} over these seeds\n",
        o.shown,
        o.seeds,
        n(o.mean),
        n(o.low),
        n(o.high),
        if o.holds { "the whole interval is at or above" } else { "the interval reaches below" },
        n(o.margin),
        if o.holds { "holds" } else { "does not hold" },
    )
}

/// A setting's value as JSON: whole numbers as integers, other numbers at the precision the engine
/// holds them (f32), texts as texts.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum SettingJson {
    Integer(i64),
    Number(f32),
    Text(String),
}

#[derive(Debug, Serialize)]
struct DataJson {
    name: &'static str,
    file: Option<String>,
    classes: Vec<String>,
    features: usize,
    train_samples: usize,
    test_samples: usize,
    /// The students' transfer set: the training split without the omitted class, at the fraction.
    transfer_samples: usize,
}

#[derive(Debug, Serialize)]
struct ModelJson {
    test_accuracy: Metric,
    per_class_test_accuracy: Vec<Metric>,
    #[serde(flatten)]
    fidelity: FidelityJson,
    #[serde(flatten)]
    language: Option<LanguageJson>,
}

/// The language task: the next character's cross-entropy on the test split in bits, and the
/// perplexity (2 to the bits).
#[derive(Debug, Serialize)]
struct LanguageJson {
    bits_per_char: Metric,
    perplexity: Metric,
    /// The fraction of distinct 3-grams in 200 lines written at sampling temperature 1.
    distinct_trigrams: Metric,
}

/// The language task: what each network wrote from nothing at sampling temperature 1 (the first
/// seed's run).
#[derive(Debug, Serialize)]
struct WrittenJson {
    temperature: f32,
    teacher: Vec<String>,
    student_kd: Vec<String>,
    student_hard: Vec<String>,
}

/// Fidelity to the teacher and calibration on the test split (fractions; the KL and the entropy
/// in nats); null where there is no teacher to compare with.
#[derive(Debug, Serialize)]
struct FidelityJson {
    agreement_with_teacher: Metric,
    test_kl_to_teacher: Metric,
    ece: Metric,
    entropy: Metric,
}

/// A network a method adds (an early exit, a second peer), beside the student it belongs to.
#[derive(Debug, Serialize)]
struct ExtraJson {
    test_accuracy: Metric,
    #[serde(flatten)]
    fidelity: FidelityJson,
}

#[derive(Debug, Serialize)]
struct StudentJson {
    test_accuracy: Metric,
    per_class_test_accuracy: Vec<Metric>,
    #[serde(flatten)]
    fidelity: FidelityJson,
    #[serde(flatten)]
    language: Option<LanguageJson>,
    /// BYOT: the student's early exit.
    #[serde(skip_serializing_if = "Option::is_none")]
    exit: Option<ExtraJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    omitted_class_test_accuracy: Option<Metric>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjusted: Option<AdjustedJson>,
}

#[derive(Debug, Serialize)]
struct AdjustedJson {
    class: usize,
    bias_shift: Metric,
    test_accuracy: Metric,
    per_class_test_accuracy: Vec<Metric>,
    omitted_class_test_accuracy: Metric,
}

/// The `--json` object.
#[derive(Debug, Serialize)]
struct RunJson {
    command: &'static str,
    settings: BTreeMap<String, SettingJson>,
    data: DataJson,
    seeds: Vec<u64>,
    method: &'static str,
    /// Null when the method trains no teacher (dml, byot).
    teacher: Option<ModelJson>,
    student_kd: StudentJson,
    student_hard: StudentJson,
    delta_test_accuracy: Metric,
    /// DML: the second peer and its twin.
    #[serde(skip_serializing_if = "Option::is_none")]
    second_peer: Option<ExtraJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    second_peer_twin: Option<ExtraJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    written: Option<WrittenJson>,
}

/// One figure of a network's [`Fidelity`].
type FidelityField = fn(&Fidelity) -> Option<f32>;

/// Which student.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Student {
    Kd,
    Control,
}

impl Student {
    fn scores(self, run: &SeedRun) -> &Scores {
        match self {
            Student::Kd => &run.kd,
            Student::Control => &run.control,
        }
    }

    fn network(self) -> Network {
        match self {
            Student::Kd => Network::Kd,
            Student::Control => Network::Control,
        }
    }

    fn adjusted(self, run: &SeedRun) -> Option<&kd_playground::session::BiasAdjustment> {
        match self {
            Student::Kd => run.kd_adjusted.as_ref(),
            Student::Control => run.control_adjusted.as_ref(),
        }
    }
}

impl Report {
    /// Whether the method trained a teacher.
    fn has_teacher(&self) -> bool {
        self.runs.iter().all(|run| run.has_teacher)
    }

    /// The value of `metric` in every run, in seed order.
    fn values(&self, metric: impl Fn(&SeedRun) -> Option<f32>) -> Vec<Option<f32>> {
        self.runs.iter().map(metric).collect()
    }

    /// `metric` as one number, or summarised over seeds.
    fn metric(&self, metric: impl Fn(&SeedRun) -> Option<f32>) -> Metric {
        let values = self.values(metric);
        match (self.over_seeds, values.as_slice()) {
            (false, [one]) => Metric::One(*one),
            _ => Metric::Seeds(Summary::of(values)),
        }
    }

    fn per_class(&self, per_class: impl Fn(&SeedRun) -> Option<&Vec<Option<f32>>>) -> Vec<Metric> {
        (0..self.data.class_names.len())
            .map(|class| self.metric(|run| per_class(run).and_then(|values| values.get(class).copied().flatten())))
            .collect()
    }

    fn fidelity_json(&self, which: Network) -> FidelityJson {
        let of = |pick: fn(&Fidelity) -> Option<f32>| self.metric(move |run| run.fidelity_of(which).and_then(pick));
        FidelityJson {
            agreement_with_teacher: of(|f| f.agreement_with_teacher),
            test_kl_to_teacher: of(|f| f.test_kl_to_teacher),
            ece: of(|f| Some(f.ece)),
            entropy: of(|f| Some(f.entropy)),
        }
    }

    /// An added network's figures, if the method trains it.
    fn extra_json(&self, which: Network) -> Option<ExtraJson> {
        self.runs.first()?.fidelity_of(which)?;
        Some(ExtraJson {
            test_accuracy: self.metric(|run| run.fidelity_of(which).map(|f| f.test_accuracy)),
            fidelity: self.fidelity_json(which),
        })
    }

    /// Network `k`'s (0 teacher, 1 distilled, 2 control) bits per character and perplexity, for
    /// the language task.
    fn language_json(&self, k: usize) -> Option<LanguageJson> {
        self.runs.first()?.language.as_ref()?;
        let bits = move |run: &SeedRun| run.language.as_ref().map(|l| l.bits[k]);
        Some(LanguageJson {
            bits_per_char: self.metric(bits),
            perplexity: self.metric(move |run| bits(run).map(|b| perplexity(f64::from(b)) as f32)),
            distinct_trigrams: self.metric(move |run| run.language.as_ref().and_then(|l| l.distinct_trigrams[k])),
        })
    }

    fn student_json(&self, student: Student) -> StudentJson {
        let omitted = self.settings.omit_class;
        let adjusted = omitted.map(|class| AdjustedJson {
            class,
            bias_shift: self.metric(|run| student.adjusted(run).map(|a| a.bias_shift)),
            test_accuracy: self.metric(|run| student.adjusted(run).map(|a| a.test_accuracy)),
            per_class_test_accuracy: self.per_class(|run| student.adjusted(run).map(|a| &a.per_class_test_accuracy)),
            omitted_class_test_accuracy: self.metric(|run| {
                student.adjusted(run).and_then(|a| a.per_class_test_accuracy.get(class).copied().flatten())
            }),
        });
        StudentJson {
            test_accuracy: self.metric(|run| Some(student.scores(run).test_accuracy)),
            per_class_test_accuracy: self.per_class(|run| Some(&student.scores(run).per_class)),
            omitted_class_test_accuracy: omitted
                .map(|class| self.metric(|run| student.scores(run).per_class.get(class).copied().flatten())),
            adjusted,
            fidelity: self.fidelity_json(student.network()),
            language: self.language_json(match student {
                Student::Kd => 1,
                Student::Control => 2,
            }),
            exit: self.extra_json(match student {
                Student::Kd => Network::KdExit,
                Student::Control => Network::ControlExit,
            }),
        }
    }

    /// The `--json` object, pretty-printed.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut settings: BTreeMap<String, SettingJson> = self
            .settings
            .to_values()
            .into_iter()
            .map(|(name, value)| {
                let json = match value {
                    Value::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => SettingJson::Integer(n as i64),
                    Value::Number(n) => SettingJson::Number(n as f32),
                    Value::Text(text) => SettingJson::Text(text),
                };
                (name, json)
            })
            .collect();
        settings.insert("dataset".into(), SettingJson::Text(self.source_name.to_string()));
        let json = RunJson {
            command: "run",
            settings,
            data: DataJson {
                name: self.source_name,
                file: self.file.clone(),
                classes: self.data.class_names.clone(),
                features: self.data.features,
                train_samples: self.data.train,
                test_samples: self.data.test,
                transfer_samples: self.data.transfer,
            },
            seeds: self.runs.iter().map(|run| run.seed).collect(),
            method: self.settings.method.name(),
            teacher: self.has_teacher().then(|| ModelJson {
                test_accuracy: self.metric(|run| Some(run.teacher.test_accuracy)),
                per_class_test_accuracy: self.per_class(|run| Some(&run.teacher.per_class)),
                fidelity: self.fidelity_json(Network::Teacher),
                language: self.language_json(0),
            }),
            student_kd: self.student_json(Student::Kd),
            student_hard: self.student_json(Student::Control),
            delta_test_accuracy: self.metric(|run| Some(run.kd.test_accuracy - run.control.test_accuracy)),
            second_peer: self.extra_json(Network::Peer),
            second_peer_twin: self.extra_json(Network::PeerTwin),
            written: self.runs.first().and_then(|run| run.language.as_ref()).map(|l| WrittenJson {
                temperature: 1.0,
                teacher: l.written[0].clone(),
                student_kd: l.written[1].clone(),
                student_hard: l.written[2].clone(),
            }),
        };
        let mut text = serde_json::to_string_pretty(&json)?;
        text.push('\n');
        Ok(text)
    }

    /// The table for people.
    pub fn to_table(&self) -> String {
        let s = &self.settings;
        let data = &self.data;
        let arrows = |sizes: &[usize]| sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("→");
        let language = self.runs.first().and_then(|run| run.language.as_ref()).is_some();
        let name = match &self.file {
            Some(file) if language => format!("{file} (text, {} characters of context)", s.context),
            Some(file) => format!("{file} (CSV)"),
            None => self.source_name.to_string(),
        };
        let mut text = format!(
            "{name}: {} training and {} test samples, {} features, {} classes; students' transfer set: {} samples",
            data.train,
            data.test,
            data.features,
            data.class_names.len(),
            data.transfer
        );
        let mut transfer = Vec::new();
        if let Some(class) = s.omit_class {
            transfer.push(format!("class {} left out", self.class_label(class)));
        }
        if s.train_fraction < 1.0 {
            transfer.push(format!("{}% of each class", s.train_fraction * 100.0));
        }
        if language && s.student_text == kd_playground::language::StudentText::Teacher {
            transfer.push(
                "as many lines written by the teacher at sampling temperature 1: sequence-level distillation".into(),
            );
        }
        if !transfer.is_empty() {
            text.push_str(&format!(" ({})", transfer.join(", ")));
        }
        text.push('\n');
        let teacher_words = if self.has_teacher() {
            format!("teacher {} ({} epochs)", arrows(&data.teacher_sizes), s.teacher_epochs)
        } else {
            "no teacher".to_string()
        };
        text.push_str(&format!(
            "{teacher_words}, students {} ({} epochs), {}; {}, learning rate {}, batch {}; T = {}, α = {}\n",
            arrows(&data.student_sizes),
            s.student_epochs,
            s.activation.name(),
            s.optimizer.name(),
            s.learning_rate,
            s.batch_size,
            s.temperature,
            s.alpha
        ));
        text.push_str(&format!("method {}, KL {}", s.method.name(), s.kl_direction.name()));
        match s.method {
            kd_playground::methods::MethodKind::Fitnets => text.push_str(&format!(
                ": hint stage of {} epochs on the student's hidden layer {}\n",
                s.hint_epochs, s.hint_layer
            )),
            kd_playground::methods::MethodKind::Dml | kd_playground::methods::MethodKind::Byot => {
                text.push_str(": no teacher is trained\n")
            }
            _ => text.push('\n'),
        }
        let seeds: Vec<u64> = self.runs.iter().map(|run| run.seed).collect();
        if self.over_seeds {
            text.push_str(&format!("{}: mean ± sample standard deviation over the seeds\n", seed_list(&seeds)));
        } else {
            text.push_str(&format!("{}\n", seed_list(&seeds)));
        }

        text.push('\n');
        let mut rows = vec![vec![
            if language { "next-character accuracy" } else { "test accuracy" }.to_string(),
            "teacher".into(),
            "distilled student".into(),
            "control student".into(),
        ]];
        let teacher = self.has_teacher();
        rows.push(vec![
            "all classes".into(),
            self.percent(|run| teacher.then_some(run.teacher.test_accuracy)),
            self.percent(|run| Some(run.kd.test_accuracy)),
            self.percent(|run| Some(run.control.test_accuracy)),
        ]);
        if language {
            // per character, the accuracies say little; how sure each model is of the right one
            let bits = |k: usize| move |run: &SeedRun| run.language.as_ref().map(|l| l.bits[k]);
            let perplexity_of = |k: usize| move |run: &SeedRun| bits(k)(run).map(|b| perplexity(f64::from(b)) as f32);
            rows.push(
                ["bits per character".to_string()].into_iter().chain((0..3).map(|k| self.plain(bits(k)))).collect(),
            );
            rows.push(
                ["perplexity".to_string()].into_iter().chain((0..3).map(|k| self.plain(perplexity_of(k)))).collect(),
            );
            let distinct = |k: usize| move |run: &SeedRun| run.language.as_ref().and_then(|l| l.distinct_trigrams[k]);
            rows.push(
                [format!("distinct 3-grams ({DIVERSITY_LINES} lines)")]
                    .into_iter()
                    .chain((0..3).map(|k| self.percent(distinct(k))))
                    .collect(),
            );
        }
        for class in (0..data.class_names.len()).filter(|_| !language) {
            let at = |scores: &Scores| scores.per_class.get(class).copied().flatten();
            let mut label = format!("class {}", self.class_label(class));
            if s.omit_class == Some(class) {
                label.push_str(" (left out)");
            }
            rows.push(vec![
                label,
                self.percent(|run| if teacher { at(&run.teacher) } else { None }),
                self.percent(|run| at(&run.kd)),
                self.percent(|run| at(&run.control)),
            ]);
        }
        let fidelity = |which: Network, pick: fn(&Fidelity) -> Option<f32>| {
            move |run: &SeedRun| {
                if which == Network::Teacher && !teacher {
                    None
                } else {
                    run.fidelity_of(which).and_then(pick)
                }
            }
        };
        let networks = [Network::Teacher, Network::Kd, Network::Control];
        let fidelity_rows: [(&str, FidelityField, bool); 4] = [
            ("agreement with teacher", |f| f.agreement_with_teacher, true),
            ("KL to teacher (nats)", |f| f.test_kl_to_teacher, false),
            ("ECE (15 bins)", |f| Some(f.ece), true),
            ("entropy (nats)", |f| Some(f.entropy), false),
        ];
        for (label, pick, percent) in fidelity_rows {
            let mut row = vec![label.to_string()];
            for which in networks {
                row.push(if percent { self.percent(fidelity(which, pick)) } else { self.plain(fidelity(which, pick)) });
            }
            rows.push(row);
        }
        text.push_str(&table(&rows));
        text.push_str(&format!(
            "distilled − control, all classes: {}\n",
            self.points(|run| Some(run.kd.test_accuracy - run.control.test_accuracy))
        ));
        if let Some(first) = self.runs.first().and_then(|run| run.language.as_ref()) {
            text.push_str(&format!(
                "distilled − control, bits per character: {}\n\nwritten at sampling temperature 1 (seed {}):\n",
                self.plain(|run| run.language.as_ref().map(|l| l.bits[1] - l.bits[2])),
                self.runs[0].seed
            ));
            for (label, lines) in ["teacher", "distilled student", "control student"].iter().zip(&first.written) {
                text.push_str(&format!("  {label:<18} {}\n", lines.join(", ")));
            }
        }
        let accuracy_of = |which: Network| move |run: &SeedRun| run.fidelity_of(which).map(|f| f.test_accuracy);
        if self.runs.first().and_then(|run| run.fidelity_of(Network::KdExit)).is_some() {
            text.push_str(&format!(
                "early exit after hidden layer 1: self-distilled {}, the control's exit {}; difference {}\n",
                self.percent(accuracy_of(Network::KdExit)),
                self.percent(accuracy_of(Network::ControlExit)),
                self.points(|run| Some(accuracy_of(Network::KdExit)(run)? - accuracy_of(Network::ControlExit)(run)?))
            ));
        }
        if self.runs.first().and_then(|run| run.fidelity_of(Network::Peer)).is_some() {
            text.push_str(&format!(
                "second peer {}, its control student {}; difference {}\n",
                self.percent(accuracy_of(Network::Peer)),
                self.percent(accuracy_of(Network::PeerTwin)),
                self.points(|run| Some(accuracy_of(Network::Peer)(run)? - accuracy_of(Network::PeerTwin)(run)?))
            ));
        }

        if let Some(class) = s.omit_class {
            let label = self.class_label(class);
            text.push_str(&format!(
                "\nClass {label} was left out of the students' transfer set (the teacher saw it).\n\
                 Its test accuracy before and after raising its output bias until each student predicts it\n\
                 on the training split as often as it occurs there (Hinton §3):\n\n"
            ));
            let adjusted = |student: Student, run: &SeedRun| student.adjusted(run).cloned();
            let omitted =
                |student: Student| move |run: &SeedRun| student.scores(run).per_class.get(class).copied().flatten();
            let after = |student: Student| {
                move |run: &SeedRun| {
                    adjusted(student, run).and_then(|a| a.per_class_test_accuracy.get(class).copied().flatten())
                }
            };
            let rows = vec![
                vec![String::new(), "distilled student".into(), "control student".into()],
                vec![
                    format!("class {label}, before"),
                    self.percent(omitted(Student::Kd)),
                    self.percent(omitted(Student::Control)),
                ],
                vec![
                    format!("class {label}, after"),
                    self.percent(after(Student::Kd)),
                    self.percent(after(Student::Control)),
                ],
                vec![
                    "all classes, after".into(),
                    self.percent(|run| adjusted(Student::Kd, run).map(|a| a.test_accuracy)),
                    self.percent(|run| adjusted(Student::Control, run).map(|a| a.test_accuracy)),
                ],
                vec![
                    "bias shift".into(),
                    self.plain(|run| adjusted(Student::Kd, run).map(|a| a.bias_shift)),
                    self.plain(|run| adjusted(Student::Control, run).map(|a| a.bias_shift)),
                ],
            ];
            text.push_str(&table(&rows));
            let kd_after = after(Student::Kd);
            let control_after = after(Student::Control);
            text.push_str(&format!(
                "distilled − control, class {label} after adjustment: {}\n",
                self.points(|run| Some(kd_after(run)? - control_after(run)?))
            ));
        }
        text
    }

    /// "3" for digits, "1 versicolor" for named classes.
    fn class_label(&self, class: usize) -> String {
        match self.data.class_names.get(class) {
            Some(name) if *name != class.to_string() => {
                let short: String = name.chars().take(24).collect();
                format!("{class} {short}")
            }
            _ => class.to_string(),
        }
    }

    /// A fraction as a percentage: "96.7%", or "96.7 ± 1.2%" over seeds; "—" when missing.
    fn percent(&self, metric: impl Fn(&SeedRun) -> Option<f32>) -> String {
        self.formatted(metric, 100.0, "%")
    }

    /// A difference of fractions in percentage points, with its sign.
    fn points(&self, metric: impl Fn(&SeedRun) -> Option<f32>) -> String {
        let values = self.values(metric);
        let summary = Summary::of(values.clone());
        let Some(mean) = summary.mean else { return "—".into() };
        let mean = f64::from(mean) * 100.0;
        if self.over_seeds {
            let std = f64::from(summary.std.unwrap_or(0.0)) * 100.0;
            let ahead = values.iter().flatten().filter(|&&v| v > 0.0).count();
            let behind = values.iter().flatten().filter(|&&v| v < 0.0).count();
            let paired = values.iter().flatten().count();
            format!("{mean:+.1} ± {std:.1} points (paired over {paired} seeds: distilled ahead in {ahead}, behind in {behind})")
        } else {
            format!("{mean:+.1} points")
        }
    }

    /// A plain number with two decimals.
    fn plain(&self, metric: impl Fn(&SeedRun) -> Option<f32>) -> String {
        self.formatted(metric, 1.0, "")
    }

    fn formatted(&self, metric: impl Fn(&SeedRun) -> Option<f32>, scale: f64, unit: &str) -> String {
        let decimals = if unit == "%" { 1 } else { 2 };
        let summary = Summary::of(self.values(metric));
        match (summary.mean, summary.std) {
            (Some(mean), Some(std)) if self.over_seeds => {
                format!("{:.decimals$} ± {:.decimals$}{unit}", f64::from(mean) * scale, f64::from(std) * scale)
            }
            (Some(mean), _) => format!("{:.decimals$}{unit}", f64::from(mean) * scale),
            _ => "—".into(),
        }
    }
}

/// Rows as aligned columns: the first left-aligned, the others right-aligned.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|row| row.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &width))| if c == 0 { format!("{cell:<width$}") } else { format!("{cell:>width$}") })
            .collect();
        text.push_str(cells.join("   ").trim_end());
        text.push('\n');
    }
    text
}
