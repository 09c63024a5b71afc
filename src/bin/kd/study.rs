//! `kd experiment NAME` for a study (temperature × width, ensemble teacher, high temperature,
//! born-again): the study's runs for each seed, exactly as the page runs them, then one row per
//! run with each accuracy's mean ± standard deviation over seeds, what each seed found, and the
//! verdict per seed.

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

    /// Arm `index`'s `metric` over the seeds.
    fn summary(&self, index: usize, metric: impl Fn(&kd_playground::experiments::ArmResult) -> f32) -> Summary {
        Summary::of(self.outcomes.iter().map(|o| o.arms.get(index).map(&metric)).collect())
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
                member_mean_test_accuracy: self
                    .summary(i, |a| a.members.iter().sum::<f32>() / a.members.len().max(1) as f32),
                student_kd_test_accuracy: self.summary(i, |a| a.kd),
                student_hard_test_accuracy: self.summary(i, |a| a.control),
                delta_test_accuracy: self.summary(i, |a| a.kd - a.control),
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
    }
}
