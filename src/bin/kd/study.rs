//! `kd experiment NAME` for a study (Hinton's temperature × width, ensemble teacher, high
//! temperature, born-again; one study per method of the map): the study's runs for each seed,
//! exactly as the page runs them, then one row per run with each accuracy's mean ± standard
//! deviation over seeds, the measurements the study's verdict reads (over the seeds), what each
//! seed found, and the verdict per seed.

use std::io::IsTerminal;

use serde::Serialize;

use kd_playground::experiments::{margin, study_difference, Experiment, Finding, OverSeeds, Study, StudyOutcome};
use kd_playground::settings::Settings;

use crate::args::RunArgs;
use crate::report::{seed_list, table, Summary};
use crate::run::{settings_values, Failure, Source};

/// Every seed's outcome of one study.
pub struct StudyReport {
    pub experiment: &'static Experiment,
    pub settings: Settings,
    pub seeds: Vec<u64>,
    pub outcomes: Vec<StudyOutcome>,
}

/// Runs the study of `experiment` over the seeds `run` asks for.
pub fn run_study(experiment: &'static Experiment, run: &RunArgs) -> Result<StudyReport, Failure> {
    let source = Source::Builtin(experiment.dataset);
    if run.dataset.as_deref().is_some_and(|d| d != experiment.dataset.name()) {
        return Err(Failure::usage(format!(
            "--dataset: the study '{}' runs on {}",
            experiment.name,
            experiment.dataset.name()
        )));
    }
    let values = settings_values(&source, run);
    let base = Settings::from_values(&values).map_err(|error| Failure::engine(error, run))?;
    let seeds: Vec<u64> = match &run.seeds {
        Some(range) => range.clone().collect(),
        None => vec![base.seed],
    };
    let progress = std::io::stderr().is_terminal();
    let mut outcomes = Vec::new();
    for &seed in &seeds {
        let mut seed_values = values.clone();
        seed_values.insert("seed".into(), kd_playground::settings::Value::Number(seed as f64));
        let mut study = Study::new(experiment, &seed_values).map_err(|error| Failure::engine(error, run))?;
        while !study.is_done() {
            let status = study.step(200).map_err(|error| Failure::engine(error, run))?;
            if progress {
                eprint!(
                    "\r\x1b[Kseed {seed}: run {} of {}: {}",
                    status.finished + 1,
                    status.arms,
                    status.current.unwrap_or_default()
                );
            }
        }
        if progress {
            eprint!("\r\x1b[K");
        }
        let outcome = study.outcome().map_err(|error| Failure::data(format!("seed {seed}: {error}")))?;
        outcomes.push(outcome);
    }
    Ok(StudyReport { experiment, settings: base, seeds, outcomes })
}

#[derive(Serialize)]
struct ArmJson {
    label: String,
    settings: std::collections::BTreeMap<&'static str, String>,
    teacher_test_accuracy: Summary,
    /// An ensemble's members' test accuracies, averaged over its members (one member otherwise).
    member_mean_test_accuracy: Summary,
    student_kd_test_accuracy: Summary,
    student_hard_test_accuracy: Summary,
    /// Paired over seeds: distilled − control.
    delta_test_accuracy: Summary,
}

#[derive(Serialize)]
struct StudyJson<'a> {
    command: &'static str,
    experiment: ExperimentJson,
    seeds: &'a [u64],
    settings: std::collections::BTreeMap<String, kd_playground::settings::Value>,
    arms: Vec<ArmJson>,
    /// What each seed found (the same fields the page shows).
    findings: Vec<&'a Finding>,
}

#[derive(Serialize)]
struct ExperimentJson {
    name: &'static str,
    title: String,
    claim: String,
    shown: Vec<bool>,
    shown_in_seeds: usize,
    /// What the verdict compares, per seed, and the claim over the seeds (none for one seed or the
    /// temperature sweep).
    differences: Vec<Option<f32>>,
    over_seeds: Option<OverSeeds>,
}

impl StudyReport {
    fn shown(&self) -> Vec<bool> {
        self.outcomes.iter().map(|o| o.shown).collect()
    }

    /// The claim over the seeds (from two seeds on; none for the temperature sweep, judged per seed).
    fn over_seeds(&self) -> Option<OverSeeds> {
        let differences: Option<Vec<f32>> = self.outcomes.iter().map(|o| study_difference(&o.finding)).collect();
        let differences = differences.filter(|d| d.len() > 1)?;
        OverSeeds::of(&differences, &self.shown(), margin(self.experiment.check))
    }

    /// Arm `index`'s `metric` over the seeds (none where an arm has no such number).
    fn summary(&self, index: usize, metric: impl Fn(&kd_playground::experiments::ArmResult) -> Option<f32>) -> Summary {
        Summary::of(self.outcomes.iter().map(|o| o.arms.get(index).and_then(&metric)).collect())
    }

    fn arms(&self) -> Vec<ArmJson> {
        let Some(first) = self.outcomes.first() else { return Vec::new() };
        first
            .arms
            .iter()
            .enumerate()
            .map(|(i, arm)| ArmJson {
                label: arm.label.clone(),
                settings: arm.settings.iter().cloned().collect(),
                teacher_test_accuracy: self.summary(i, |a| a.teacher),
                member_mean_test_accuracy: self.summary(i, |a| {
                    (!a.members.is_empty()).then(|| a.members.iter().sum::<f32>() / a.members.len() as f32)
                }),
                student_kd_test_accuracy: self.summary(i, |a| Some(a.kd)),
                student_hard_test_accuracy: self.summary(i, |a| Some(a.control)),
                delta_test_accuracy: self.summary(i, |a| Some(a.kd - a.control)),
            })
            .collect()
    }

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let shown = self.shown();
        let json = StudyJson {
            command: "experiment",
            experiment: ExperimentJson {
                name: self.experiment.name,
                title: self.experiment.title().to_string(),
                claim: self.experiment.claim().to_string(),
                shown_in_seeds: shown.iter().filter(|&&s| s).count(),
                differences: self.outcomes.iter().map(|o| study_difference(&o.finding)).collect(),
                over_seeds: self.over_seeds(),
                shown,
            },
            seeds: &self.seeds,
            settings: self.settings.to_values(),
            arms: self.arms(),
            findings: self.outcomes.iter().map(|o| &o.finding).collect(),
        };
        let mut text = serde_json::to_string_pretty(&json)?;
        text.push('\n');
        Ok(text)
    }

    pub fn to_table(&self) -> String {
        let e = self.experiment;
        let over_seeds = self.seeds.len() > 1;
        let percent = |s: &Summary| match (s.mean, s.std) {
            (Some(m), Some(sd)) if over_seeds => format!("{:.1} ± {:.1}%", m * 100.0, sd * 100.0),
            (Some(m), _) => format!("{:.1}%", m * 100.0),
            _ => "—".into(),
        };
        let points = |s: &Summary| match (s.mean, s.std) {
            (Some(m), Some(sd)) if over_seeds => format!("{:+.1} ± {:.1}", m * 100.0, sd * 100.0),
            (Some(m), _) => format!("{:+.1}", m * 100.0),
            _ => "—".into(),
        };
        let seeds = seed_list(&self.seeds);
        let mut text = format!(
            "{}: {}\n{}\n\n{} runs on {}, {seeds}; test accuracy\n",
            e.name,
            e.title(),
            e.claim(),
            self.outcomes.first().map_or(0, |o| o.arms.len()),
            e.dataset.name()
        );
        let ensemble = self.outcomes.first().is_some_and(|o| o.arms.iter().any(|a| a.members.len() > 1));
        let mut rows = vec![vec!["run".to_string(), "teacher".into()]];
        if ensemble {
            rows[0].push("its teachers' mean".into());
        }
        rows[0].extend(["distilled".to_string(), "control".into(), "distilled − control (points)".into()]);
        for arm in self.arms() {
            let mut row = vec![arm.label.clone(), percent(&arm.teacher_test_accuracy)];
            if ensemble {
                row.push(percent(&arm.member_mean_test_accuracy));
            }
            row.extend([
                percent(&arm.student_kd_test_accuracy),
                percent(&arm.student_hard_test_accuracy),
                points(&arm.delta_test_accuracy),
            ]);
            rows.push(row);
        }
        text.push_str(&table(&rows));
        text.push('\n');
        let measured = self.measurements();
        if !measured.is_empty() {
            text.push_str(&format!(
                "what the verdict reads, and what is reported beside it ({}):\n",
                if over_seeds { "mean ± sample std over the seeds" } else { "this seed" }
            ));
            text.push_str(&table(&measured));
            text.push('\n');
        }
        for (seed, outcome) in self.seeds.iter().zip(&self.outcomes) {
            text.push_str(&format!(
                "seed {seed}: {} — {}\n",
                if outcome.shown { "shown" } else { "not shown" },
                describe(&outcome.finding)
            ));
        }
        let shown = self.shown();
        let count = shown.iter().filter(|&&s| s).count();
        text.push_str(&format!(
            "verdict: the claim was shown in {count} of {} run{} (judged from each run's own numbers)\n",
            shown.len(),
            if shown.len() == 1 { "" } else { "s" }
        ));
        if let Some(over) = self.over_seeds() {
            text.push_str(&crate::report::over_seeds_text(self.experiment.check, &over));
        }
        text
    }
}

impl StudyReport {
    /// The measurements of [`measurements`] over the seeds, one row each: what, mean ± sample std.
    fn measurements(&self) -> Vec<Vec<String>> {
        let per_seed: Vec<Vec<(String, f32, Unit)>> = self.outcomes.iter().map(|o| measurements(&o.finding)).collect();
        let Some(first) = per_seed.first() else { return Vec::new() };
        first
            .iter()
            .enumerate()
            .map(|(i, (what, _, unit))| {
                let summary = Summary::of(per_seed.iter().map(|m| m.get(i).map(|&(_, v, _)| v)).collect());
                vec![what.clone(), unit.show(&summary)]
            })
            .collect()
    }
}

/// How a measurement reads.
#[derive(Clone, Copy)]
enum Unit {
    /// An accuracy, in percent.
    Percent,
    /// A difference of accuracies, in points.
    Points,
    /// A number (a similarity, a loss, an entropy, an error) with this many decimals.
    Plain(usize),
}

impl Unit {
    fn show(self, s: &Summary) -> String {
        let Some(mean) = s.mean else { return "—".into() };
        let sd = s.std;
        match self {
            Unit::Percent => match sd {
                Some(sd) => format!("{:.1} ± {:.1}%", mean * 100.0, sd * 100.0),
                None => format!("{:.1}%", mean * 100.0),
            },
            Unit::Points => match sd {
                Some(sd) => format!("{:+.1} ± {:.1} points", mean * 100.0, sd * 100.0),
                None => format!("{:+.1} points", mean * 100.0),
            },
            Unit::Plain(decimals) => match sd {
                Some(sd) => format!("{mean:.decimals$} ± {sd:.decimals$}"),
                None => format!("{mean:.decimals$}"),
            },
        }
    }
}

/// What a seed's finding measured beside the table's accuracies, for the methods' studies: what
/// the verdict reads, and the comparisons the text reports beside it (none for Hinton's studies,
/// whose lines say it).
fn measurements(finding: &Finding) -> Vec<(String, f32, Unit)> {
    let m = |what: &str, value: f32, unit: Unit| (what.to_string(), value, unit);
    match finding {
        Finding::TemperatureByWidth { .. }
        | Finding::EnsembleTeacher { .. }
        | Finding::HighTemperature { .. }
        | Finding::BornAgain { .. } => Vec::new(),
        Finding::FitnetsHint {
            kd,
            fitnets,
            control,
            fitnets_cka,
            kd_cka,
            control_cka,
            fitnets_cka_after_hint,
            control_cka_after_hint,
        } => {
            let mut rows = vec![
                m(
                    "linear CKA with the teacher's hint layer: the FitNets student's guided layer",
                    *fitnets_cka,
                    Unit::Plain(3),
                ),
                m("  the KD student's same layer (not guided)", *kd_cka, Unit::Plain(3)),
                m("  the control student's same layer", *control_cka, Unit::Plain(3)),
            ];
            if let (Some(fitnets), Some(control)) = (fitnets_cka_after_hint, control_cka_after_hint) {
                rows.push(m("the same at the end of the hint stage: the FitNets student", *fitnets, Unit::Plain(3)));
                rows.push(m("  the control student", *control, Unit::Plain(3)));
            }
            rows.extend([
                m("test accuracy: FitNets − KD", fitnets - kd, Unit::Points),
                m("test accuracy: FitNets − control", fitnets - control, Unit::Points),
                m("test accuracy: KD − control", kd - control, Unit::Points),
            ]);
            rows
        }
        Finding::RkdRelations {
            kd,
            rkd,
            control,
            rkd_distance,
            kd_distance,
            control_distance,
            rkd_angle,
            kd_angle,
            control_angle,
        } => vec![
            m("RKD's distance term to the teacher (test split): the RKD student", *rkd_distance, Unit::Plain(4)),
            m("  the KD student", *kd_distance, Unit::Plain(4)),
            m("  the control student", *control_distance, Unit::Plain(4)),
            m("RKD's angle term to the teacher (test split): the RKD student", *rkd_angle, Unit::Plain(4)),
            m("  the KD student", *kd_angle, Unit::Plain(4)),
            m("  the control student", *control_angle, Unit::Plain(4)),
            m("test accuracy: RKD − control", rkd - control, Unit::Points),
            m("test accuracy: RKD − KD", rkd - kd, Unit::Points),
        ],
        Finding::MutualLearning { first_peer, first_twin, second_peer, second_twin } => vec![
            m("first peer", *first_peer, Unit::Percent),
            m("  its control (the same start, hard labels only)", *first_twin, Unit::Percent),
            m("second peer", *second_peer, Unit::Percent),
            m("  its control (the same start, hard labels only)", *second_twin, Unit::Percent),
            m("first peer − its control", first_peer - first_twin, Unit::Points),
            m("second peer − its control", second_peer - second_twin, Unit::Points),
        ],
        Finding::SelfDistillation { exit, control_exit, final_head, control_final_head } => vec![
            m("early exit, taught by the final head", *exit, Unit::Percent),
            m("  the control's early exit (hard labels only)", *control_exit, Unit::Percent),
            m("final head", *final_head, Unit::Percent),
            m("  the control's final head", *control_final_head, Unit::Percent),
            m("early exit − the control's", exit - control_exit, Unit::Points),
            m("final head − the control's", final_head - control_final_head, Unit::Points),
        ],
        Finding::DarkKnowledgeControls { kd, label_smoothing, dkpp, control, .. } => vec![
            m("test accuracy: KD − label smoothing", kd - label_smoothing, Unit::Points),
            m("test accuracy: KD − permuted soft labels", kd - dkpp, Unit::Points),
            m("test accuracy: KD − control", kd - control, Unit::Points),
            m("test accuracy: label smoothing − control", label_smoothing - control, Unit::Points),
            m("test accuracy: permuted soft labels − control", dkpp - control, Unit::Points),
        ],
        Finding::KlDirection {
            forward,
            reverse,
            control,
            forward_entropy,
            reverse_entropy,
            control_entropy,
            forward_ece,
            reverse_ece,
            control_ece,
        } => vec![
            m("mean test entropy at T = 1 (nats): forward KL", *forward_entropy, Unit::Plain(3)),
            m("  reverse KL", *reverse_entropy, Unit::Plain(3)),
            m("  control", *control_entropy, Unit::Plain(3)),
            m("expected calibration error (15 bins): forward KL", *forward_ece, Unit::Plain(3)),
            m("  reverse KL", *reverse_ece, Unit::Plain(3)),
            m("  control", *control_ece, Unit::Plain(3)),
            m("test accuracy: reverse − forward", reverse - forward, Unit::Points),
            m("test accuracy: reverse − control", reverse - control, Unit::Points),
        ],
        Finding::CapacityGap {
            teacher_hidden,
            students,
            control,
            assistant,
            assistant_student,
            direct_student,
            ..
        } => {
            let mut rows: Vec<(String, f32, Unit)> = teacher_hidden
                .iter()
                .zip(students)
                .map(|(hidden, student)| {
                    (format!("student of teacher {hidden} − control"), student - control, Unit::Points)
                })
                .collect();
            rows.push(m("the assistant (distilled)", *assistant, Unit::Percent));
            rows.push(m("student of the assistant − control", assistant_student - control, Unit::Points));
            rows.push(m(
                "student of the assistant − student of the assistant's teacher",
                assistant_student - direct_student,
                Unit::Points,
            ));
            rows
        }
    }
}

/// One seed's finding in a line.
fn describe(finding: &Finding) -> String {
    let p = |x: f32| format!("{:.1}%", x * 100.0);
    match finding {
        Finding::TemperatureByWidth { widths, best_temperature, .. } => {
            let best: Vec<String> = widths.iter().zip(best_temperature).map(|(w, t)| format!("width {w} best at T = {t}")).collect();
            best.join(", ")
        }
        Finding::EnsembleTeacher { single_teacher, ensemble, member_mean, kd_from_single, kd_from_ensemble, .. } => format!(
            "ensemble {} vs its teachers' mean {} (one teacher {}); student {} from the ensemble vs {} from one teacher",
            p(*ensemble),
            p(*member_mean),
            p(*single_teacher),
            p(*kd_from_ensemble),
            p(*kd_from_single)
        ),
        Finding::HighTemperature {
            low_temperature,
            high_temperature,
            kd_low,
            kd_high,
            logit_matching,
            agreement_low,
            agreement_high,
            agreement_control,
            ..
        } => format!(
            "logit matching {}; KD at T = {high_temperature} {} (gap {:.1} points, agrees with it on {}), at T = {low_temperature} {} (gap {:.1} points, agrees on {}); control agrees on {}",
            p(*logit_matching),
            p(*kd_high),
            (kd_high - logit_matching).abs() * 100.0,
            p(*agreement_high),
            p(*kd_low),
            (kd_low - logit_matching).abs() * 100.0,
            p(*agreement_low),
            p(*agreement_control)
        ),
        Finding::BornAgain { teacher, kd, control, kd_agreement, control_agreement, kd_kl, control_kl } => format!(
            "teacher {}, born-again student {} (agrees with the teacher on {}, KL to it {kd_kl:.4}), control {} (agrees on {}, KL {control_kl:.4})",
            p(*teacher),
            p(*kd),
            p(*kd_agreement),
            p(*control),
            p(*control_agreement)
        ),
        Finding::FitnetsHint { kd, fitnets, control, fitnets_cka, kd_cka, control_cka, .. } => format!(
            "CKA with the hint layer: FitNets {fitnets_cka:.3}, KD {kd_cka:.3}, control {control_cka:.3}; accuracy: FitNets {}, KD {}, control {}",
            p(*fitnets),
            p(*kd),
            p(*control)
        ),
        Finding::RkdRelations { kd, rkd, control, rkd_distance, kd_distance, control_distance, .. } => format!(
            "distance term: RKD {rkd_distance:.4}, KD {kd_distance:.4}, control {control_distance:.4}; accuracy: RKD {}, KD {}, control {}",
            p(*rkd),
            p(*kd),
            p(*control)
        ),
        Finding::MutualLearning { first_peer, first_twin, second_peer, second_twin } => format!(
            "first peer {} vs its control {}, second peer {} vs its control {}",
            p(*first_peer),
            p(*first_twin),
            p(*second_peer),
            p(*second_twin)
        ),
        Finding::SelfDistillation { exit, control_exit, final_head, control_final_head } => format!(
            "early exit {} vs the control's {}; final head {} vs the control's {}",
            p(*exit),
            p(*control_exit),
            p(*final_head),
            p(*control_final_head)
        ),
        Finding::DarkKnowledgeControls { teacher, kd, label_smoothing, dkpp, control } => format!(
            "teacher {}; KD {}, label smoothing {}, permuted soft labels {}, control {}",
            p(*teacher),
            p(*kd),
            p(*label_smoothing),
            p(*dkpp),
            p(*control)
        ),
        Finding::KlDirection { forward, reverse, control, forward_entropy, reverse_entropy, control_entropy, .. } => format!(
            "entropy: forward {forward_entropy:.3}, reverse {reverse_entropy:.3}, control {control_entropy:.3}; accuracy: forward {}, reverse {}, control {}",
            p(*forward),
            p(*reverse),
            p(*control)
        ),
        Finding::CapacityGap { teacher_hidden, students, best_teacher, assistant_student, direct_student, control, .. } => {
            let list: Vec<String> =
                teacher_hidden.iter().zip(students).map(|(h, s)| format!("{h} → {}", p(*s))).collect();
            format!(
                "students of each teacher: {} (best: {}); of the assistant {} vs directly {}; control {}",
                list.join(", "),
                teacher_hidden.get(*best_teacher).map_or("—", String::as_str),
                p(*assistant_student),
                p(*direct_student),
                p(*control)
            )
        }
    }
}
