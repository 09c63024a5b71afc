//! The reliability diagram (Guo et al. 2017) of up to three networks on the test split: each
//! network's test samples binned by their confidence `c = max_k softmax(z)_k` at T = 1, and each
//! bin's accuracy `acc_b` drawn against its mean confidence `conf_b`, over the diagonal of perfect
//! calibration (`acc_b = conf_b`). A point below the diagonal is a bin where the network is
//! overconfident; the more samples a bin holds, the bigger its dot. Each network's legend entry
//! gives its expected calibration error `ECE = Σ_b (n_b/n)·|acc_b − conf_b|` (see
//! [`crate::fidelity`]).
//!
//! The teacher is drawn in its colour with a solid line, the distilled student in its own with a
//! thicker solid line, the control student dashed (as in the curves), so colour is not the only
//! cue.

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::text::{text, text_with};
use super::{
    chart_err, draw_legend, draw_line, draw_message, draw_title, house_mesh, trace_pixels, wrap_text, ChartScale,
    Corner, Dash, LineLook,
};
use crate::error::KdError;
use crate::fidelity::{expected_calibration_error, reliability, ReliabilityBin, CALIBRATION_BINS};
use crate::session::{History, ModelKind};

/// One network's calibration on a split: its reliability bins and its ECE.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub model: ModelKind,
    /// [`CALIBRATION_BINS`] equal bins of confidence over (0, 1].
    pub bins: Vec<ReliabilityBin>,
    /// The expected calibration error, a fraction in [0, 1].
    pub ece: f32,
}

impl Calibration {
    /// The calibration of network `model` from its `logits` (batch, classes) at T = 1 and the
    /// true `labels`.
    pub fn of(model: ModelKind, logits: ArrayView2<f32>, labels: &[usize]) -> Result<Self, KdError> {
        Ok(Calibration {
            model,
            bins: reliability(logits, labels, CALIBRATION_BINS)?,
            ece: expected_calibration_error(logits, labels)?,
        })
    }
}

/// The networks that have something to show: the teacher once it has trained a mini-batch
/// (`steps`, the session's mini-batches in all, is positive; its history starts with the untrained
/// network's epoch 0), the two students once distillation has started (their history has its first
/// point, the evaluation before their first step).
pub fn shown_models(history: &History, steps: u64) -> Vec<ModelKind> {
    let distilling = !history.students.is_empty();
    let teacher = (steps > 0 || distilling).then_some(ModelKind::Teacher);
    let students = if distilling { &[ModelKind::Kd, ModelKind::Control][..] } else { &[][..] };
    teacher.into_iter().chain(students.iter().copied()).collect()
}

/// The look of a network's line (and of its legend entry): its colour, and a dash for the control.
pub fn model_look(model: ModelKind) -> LineLook {
    let (color, width, dash) = match model {
        ModelKind::Teacher => (palette::TEACHER, 2.0, Dash::Solid),
        ModelKind::Kd => (palette::DISTILLED, 2.5, Dash::Solid),
        ModelKind::Control => (palette::CONTROL, 2.0, Dash::Dashed),
    };
    LineLook { color, width, dash, markers: true }
}

/// The diagonal of perfect calibration.
const DIAGONAL: LineLook = LineLook { color: palette::MUTED, width: 1.5, dash: Dash::Dotted, markers: false };

/// A network's legend entry: its name and its ECE in percent with one decimal ("teacher: ECE 3.1%").
fn legend_label(calibration: &Calibration) -> String {
    let ece = format!("{:.1}", calibration.ece * 100.0);
    match calibration.model {
        ModelKind::Teacher => text_with("chart.reliability.teacher", &[("ece", &ece)]),
        ModelKind::Kd => text_with("chart.reliability.distilled", &[("ece", &ece)]),
        ModelKind::Control => text_with("chart.reliability.control", &[("ece", &ece)]),
    }
}

/// The radius (CSS px) of a bin's dot: its area grows with the bin's share of the samples, from
/// 2.5 px for a bin of a few samples to 7.5 px for one that holds them all.
fn dot_radius(count: usize, total: usize) -> f64 {
    let share = if total == 0 { 0.0 } else { count as f64 / total as f64 };
    2.5 + 5.0 * share.sqrt()
}

/// The points `(conf_b, acc_b)` of the bins that hold samples, with their counts.
fn bin_points(bins: &[ReliabilityBin]) -> Vec<((f64, f64), usize)> {
    bins.iter()
        .filter(|b| b.count > 0)
        .map(|b| ((f64::from(b.mean_confidence), f64::from(b.accuracy)), b.count))
        .collect()
}

/// Draws the reliability diagram of `calibrations` (at most one per network, in the order given):
/// accuracy against confidence per bin, the diagonal of perfect calibration, a legend with each
/// network's ECE, and a caption saying how to read it. With no network, a message.
pub fn draw_reliability<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    calibrations: &[Calibration],
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    if calibrations.is_empty() {
        return draw_message(area, &text("chart.reliability.empty"), scale);
    }
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    if width < scale.px(160.0) || height < scale.px(140.0) {
        return Ok(()); // Too small to draw anything legible.
    }
    let pad = scale.px(8.0);

    // Title, and the caption at the bottom (as many lines as the width needs).
    let titles = [
        text("chart.reliability.title"),
        text("chart.reliability.titleShort"),
        text("chart.reliability.titleShortest"),
    ];
    draw_title(area, &titles, (pad, scale.px(6.0)), width - 2 * pad, scale)?;
    let caption = text_with("chart.reliability.caption", &[("bins", &CALIBRATION_BINS.to_string())]);
    let caption_size = if f64::from(width) / scale.ratio() >= 480.0 { 11.0 } else { 10.0 };
    let caption_style = scale.text(caption_size, palette::MUTED);
    let caption_lines = wrap_text(area, &caption, &caption_style, width - 2 * pad)?;
    let caption_row = scale.px(caption_size + 3.0);
    for (i, line) in caption_lines.iter().rev().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (pad, height - scale.px(5.0) - caption_row * i as i32),
            caption_style.clone().pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))
        .map_err(chart_err)?;
    }
    let caption_height = caption_row * caption_lines.len() as i32 + scale.px(8.0);
    let title_height = scale.px(24.0);
    let body = area.margin(title_height, caption_height.min(height - title_height - scale.px(60.0)).max(0), 0, 0);

    let mut chart = ChartBuilder::on(&body)
        .margin_right(scale.px(14.0))
        .margin_top(scale.px(4.0))
        .margin_bottom(scale.px(4.0))
        .margin_left(scale.px(4.0))
        .x_label_area_size(scale.px(34.0))
        .y_label_area_size(scale.px(46.0))
        .build_cartesian_2d(0.0f64..1.0f64, 0.0f64..1.0f64)
        .map_err(chart_err)?;
    let percent = |v: &f64| format!("{:.0}%", v * 100.0);
    let mut mesh = chart.configure_mesh();
    house_mesh(&mut mesh, scale)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&percent)
        .y_label_formatter(&percent)
        .x_desc(text("chart.reliability.x"))
        .y_desc(text("chart.reliability.y"))
        .draw()
        .map_err(chart_err)?;

    let diagonal = [(0.0, 0.0), (1.0, 1.0)];
    draw_line(&mut chart, &diagonal, DIAGONAL, scale)?;
    let (bx, by) = area.get_base_pixel();
    let to_area = |(x, y): (i32, i32)| (x - bx, y - by);
    let mut occupied = trace_pixels(&diagonal.map(|p| to_area(chart.backend_coord(&p))), scale.px(4.0));
    let mut entries = vec![(text("chart.reliability.perfect"), DIAGONAL)];
    for calibration in calibrations {
        let look = model_look(calibration.model);
        let points = bin_points(&calibration.bins);
        let total: usize = points.iter().map(|(_, count)| count).sum();
        let line: Vec<(f64, f64)> = points.iter().map(|(p, _)| *p).collect();
        if line.len() > 1 {
            draw_line(&mut chart, &line, LineLook { markers: false, ..look }, scale)?;
        }
        let stroke = look.color.stroke_width(scale.size(1.5));
        chart
            .draw_series(points.iter().filter(|((x, y), _)| x.is_finite() && y.is_finite()).map(|&(p, count)| {
                let radius = scale.size(dot_radius(count, total));
                EmptyElement::at(p) + Circle::new((0, 0), radius, WHITE.filled()) + Circle::new((0, 0), radius, stroke)
            }))
            .map_err(chart_err)?;
        let pixels: Vec<(i32, i32)> = line.iter().map(|p| to_area(chart.backend_coord(p))).collect();
        occupied.extend(trace_pixels(&pixels, scale.px(4.0)));
        entries.push((legend_label(calibration), look));
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let within = (xs.start - bx, ys.start - by, xs.end - bx, ys.end - by);
    // Overconfident bins lie below the diagonal, on the right: the top left is usually free.
    draw_legend(area, &entries, within, Corner::TopLeft, &occupied, scale)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::charts::test_backend;
    use crate::session::{Phase, Session};
    use crate::settings::{Settings, Value};
    use crate::text::{parse_catalogue, set_catalogue};
    use ndarray::Array2;

    fn texts(recorded: &std::rc::Rc<std::cell::RefCell<test_backend::Recorded>>) -> Vec<String> {
        recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect()
    }

    /// Two-class logits `[ln(c/(1 − c)), 0]`: confidence `c` on class 0.
    fn two_class(confidences: &[f64]) -> Array2<f32> {
        Array2::from_shape_fn((confidences.len(), 2), |(i, k)| {
            if k == 0 {
                (confidences[i] / (1.0 - confidences[i])).ln() as f32
            } else {
                0.0
            }
        })
    }

    #[test]
    fn each_network_has_its_dots_and_its_ece_in_the_legend() {
        // The hand-computed case of fidelity.rs (ECE 0.36, three bins) for the teacher; a
        // calibrated one (c = 0.75, 3 of 4 right: ECE 0, one bin) for the distilled student.
        let teacher =
            Calibration::of(ModelKind::Teacher, two_class(&[0.9, 0.9, 0.75, 0.5, 0.75]).view(), &[0, 1, 0, 0, 1])
                .unwrap();
        let distilled = Calibration::of(ModelKind::Kd, two_class(&[0.75; 4]).view(), &[0, 0, 0, 1]).unwrap();
        assert!((teacher.ece - 0.36).abs() < 1e-6 && distilled.ece.abs() < 1e-6);
        let (area, recorded) = test_backend::area(520, 420);
        draw_reliability(&area, &[teacher.clone(), distilled.clone()], ChartScale::default()).unwrap();
        let drawn = texts(&recorded);
        for expected in [
            "teacher: ECE 36.0%",
            "distilled student: ECE 0.0%",
            "perfect calibration",
            "0%",
            "100%",
            "accuracy in the bin",
        ] {
            assert!(drawn.iter().any(|t| t == expected), "{expected} in {drawn:?}");
        }
        assert!(!drawn.iter().any(|t| t.starts_with("control student")), "{drawn:?}");
        assert!(drawn.iter().any(|t| t.starts_with("Calibration")), "a title: {drawn:?}");
        assert!(drawn.iter().any(|t| t.contains("15")), "the caption names the bins: {drawn:?}");
        // Two circles (white fill, coloured ring) per non-empty bin (3 + 1), and per legend entry
        // with markers (2).
        assert_eq!(recorded.borrow().circles, 2 * (3 + 1) + 2 * 2);

        // With the control instead of the distilled student, its entry; in Korean, the catalogue's
        // words.
        let control = Calibration { model: ModelKind::Control, ..distilled };
        let (area, recorded) = test_backend::area(1040, 840);
        draw_reliability(&area, &[teacher.clone(), control.clone()], ChartScale::new(2.0)).unwrap();
        assert!(texts(&recorded).iter().any(|t| t == "control student: ECE 0.0%"));
        let korean = parse_catalogue(include_str!("../../www/locales/ko.json")).unwrap();
        set_catalogue(korean.clone());
        let (area, recorded) = test_backend::area(520, 420);
        draw_reliability(&area, &[teacher, control], ChartScale::default()).unwrap();
        set_catalogue(BTreeMap::new());
        let drawn = texts(&recorded);
        let teacher_label = korean["chart.reliability.teacher"].replace("{ece}", "36.0");
        assert!(drawn.contains(&teacher_label), "{teacher_label} in {drawn:?}");
        assert!(drawn.contains(&korean["chart.reliability.perfect"]), "{drawn:?}");
    }

    #[test]
    fn dots_grow_with_their_share_of_the_samples() {
        assert_eq!(dot_radius(0, 0), 2.5);
        assert_eq!(dot_radius(10, 10), 7.5);
        assert!(dot_radius(1, 100) < dot_radius(25, 100));
        assert!((dot_radius(25, 100) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn only_trained_networks_are_shown() {
        let values = BTreeMap::from([("teacherEpochs".to_string(), Value::Number(2.0))]);
        let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
        let shown = |session: &Session| shown_models(session.history(), session.status().steps);
        // A new session's history holds the untrained teacher's epoch 0: nothing to show.
        assert_eq!(session.history().teacher.len(), 1);
        assert!(shown(&session).is_empty());
        session.step_batch().unwrap();
        assert_eq!(shown(&session), [ModelKind::Teacher]); // within the first epoch
        session.step_epoch().unwrap();
        assert_eq!(shown(&session), [ModelKind::Teacher]);
        session.run_phase(Phase::Teacher).unwrap();
        // Distillation has started (the students' epoch 0), before the students' first step.
        assert_eq!(session.history().students.len(), 1);
        assert_eq!(shown(&session), [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control]);
    }

    #[test]
    fn a_session_is_drawn_as_the_page_draws_it() {
        // What drawReliability does (web/draw.rs): the shown networks' logits on the test split.
        let values = BTreeMap::from([("teacherEpochs".to_string(), Value::Number(2.0))]);
        let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
        let calibrations = |session: &Session| -> Vec<Calibration> {
            let test = &session.data().test;
            shown_models(session.history(), session.status().steps)
                .into_iter()
                .map(|model| {
                    let logits = session.logits_at(model, test.features.view(), 1.0).unwrap();
                    Calibration::of(model, logits.view(), &test.labels).unwrap()
                })
                .collect()
        };
        let (area, recorded) = test_backend::area(520, 420);
        draw_reliability(&area, &calibrations(&session), ChartScale::default()).unwrap();
        assert_eq!(texts(&recorded), vec!["No trained network to show yet".to_string()]);

        session.run_phase(Phase::Teacher).unwrap();
        session.step_epoch().unwrap();
        let shown = calibrations(&session);
        assert_eq!(
            shown.iter().map(|c| c.model).collect::<Vec<_>>(),
            [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control]
        );
        let (area, recorded) = test_backend::area(520, 420);
        draw_reliability(&area, &shown, ChartScale::default()).unwrap();
        let drawn = texts(&recorded);
        for calibration in &shown {
            assert_eq!(calibration.bins.iter().map(|b| b.count).sum::<usize>(), session.data().test.len());
            assert!(drawn.contains(&legend_label(calibration)), "{:?} in {drawn:?}", legend_label(calibration));
        }
    }

    #[test]
    fn odd_inputs_draw_without_error() {
        let nan_bin = ReliabilityBin { lower: 0.0, upper: 0.5, count: 3, mean_confidence: f32::NAN, accuracy: 0.5 };
        let cases = [
            vec![],
            vec![Calibration { model: ModelKind::Teacher, bins: vec![], ece: 0.0 }],
            vec![Calibration { model: ModelKind::Kd, bins: vec![nan_bin], ece: f32::NAN }],
            vec![Calibration::of(ModelKind::Control, two_class(&[0.999_999]).view(), &[1]).unwrap()],
        ];
        for case in &cases {
            for (w, h, ratio) in [(520, 420, 1.0), (1040, 840, 2.0), (300, 260, 1.0), (20, 10, 1.0), (0, 0, 1.0)] {
                let (area, _) = test_backend::area(w, h);
                draw_reliability(&area, case, ChartScale::new(ratio)).unwrap();
            }
        }
    }
}
