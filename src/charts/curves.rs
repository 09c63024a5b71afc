//! Training curves: the losses of the distillation (or the teacher's loss before it starts) and
//! the accuracies of the three networks, one point per epoch from the history.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette;
use super::text::{text, text_with};
use super::{
    chart_err, draw_legend, draw_line, draw_message, draw_title, finite_pieces, house_mesh, short_number, trace_pixels,
    ChartScale, Corner, Dash, LineLook, Span,
};
use crate::error::KdError;
use crate::methods::{KlDirection, MethodKind};
use crate::session::{History, StudentEpoch};

/// One series of a line panel: its legend label, its points `(epoch, value)` and its look.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub look: LineLook,
}

/// The y axis of a line panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YAxis {
    /// From 0 to a little above the largest finite value.
    LossFromZero,
    /// Accuracy fractions 0..1 shown as 0–100 %.
    Percent,
    /// A similarity from 0 to 1 (linear CKA), shown as such.
    Unit,
}

/// The loss curves of the distillation, each a mean over the training set per student epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossCurve {
    /// The distilled student's hard term `CE(y, softmax(z_s))`.
    DistilledHard,
    /// The control student's `CE(y, softmax(z_s))`, the only loss it has.
    ControlHard,
    /// The distilled student's soft term `T²·KL(softmax(z_t/T) ‖ softmax(z_s/T))`.
    DistilledSoft,
    /// The distilled student's total `α·soft + (1 − α)·hard`, what its optimizer minimises.
    DistilledTotal,
}

impl LossCurve {
    fn value(self, epoch: &StudentEpoch) -> f32 {
        match self {
            LossCurve::DistilledHard => epoch.hard_loss,
            LossCurve::ControlHard => epoch.control_hard_loss,
            LossCurve::DistilledSoft => epoch.soft_loss,
            LossCurve::DistilledTotal => epoch.total_loss,
        }
    }

    /// Its legend label: the soft term and the total as `method` computes them (see
    /// [`soft_term_text`]).
    fn label(self, method: MethodKind, kl: KlDirection) -> String {
        match self {
            LossCurve::DistilledHard => text("chart.loss.distilledHard"),
            LossCurve::ControlHard => text("chart.loss.control"),
            LossCurve::DistilledSoft => soft_term_text(method, kl),
            LossCurve::DistilledTotal => match method {
                MethodKind::Byot => text("chart.loss.total.byot"),
                MethodKind::Fitnets => text("chart.loss.total.fitnets"),
                _ => text("chart.loss.distilledTotal"),
            },
        }
    }

    fn look(self) -> LineLook {
        match self {
            LossCurve::DistilledHard => look(palette::DISTILLED, 2.5, Dash::Solid, false),
            LossCurve::ControlHard => look(palette::CONTROL, 2.0, Dash::Dashed, false),
            LossCurve::DistilledSoft => look(palette::SOFT_TERM, 2.5, Dash::Solid, false),
            LossCurve::DistilledTotal => look(palette::DISTILLED, 1.5, Dash::Dotted, false),
        }
    }
}

/// The two panels of the loss chart during distillation, each with its own y axis. Like is
/// compared with like: the hard-label cross-entropy, which both students have, in the first; the
/// soft term, which only the distilled student has (T² times larger than a KL, so on another
/// scale), and the total it minimises in the second, never beside the control's CE.
pub const LOSS_PANELS: [&[LossCurve]; 2] =
    [&[LossCurve::DistilledHard, LossCurve::ControlHard], &[LossCurve::DistilledSoft, LossCurve::DistilledTotal]];

/// What the history's soft term is for `method` (its KL running `kl`), in the legend's words:
/// Hinton's `T²·KL(teacher ‖ student)` for `kd`; logit matching; RKD's relational term
/// `25·L_D + 50·L_A`; the KL to the other peer (DML), of the early exit to the final head (BYOT),
/// to the smoothed or the permuted soft labels (the controls).
pub fn soft_term_text(method: MethodKind, kl: KlDirection) -> String {
    let term = match method {
        MethodKind::Kd => text("chart.loss.distilledSoft"),
        MethodKind::Logits => text("chart.loss.soft.logits"),
        MethodKind::Fitnets => text("chart.loss.soft.fitnets"),
        MethodKind::Rkd => text("chart.loss.soft.rkd"),
        MethodKind::Dml => text("chart.loss.soft.dml"),
        MethodKind::Byot => text("chart.loss.soft.byot"),
        MethodKind::LabelSmoothing => text("chart.loss.soft.labelSmoothing"),
        MethodKind::Dkpp => text("chart.loss.soft.dkpp"),
    };
    let has_kl = !matches!(method, MethodKind::Logits | MethodKind::Rkd);
    if has_kl && kl == KlDirection::Reverse {
        text_with("chart.loss.soft.reverse", &[("term", &term)])
    } else {
        term
    }
}

/// Whether the loss chart's two panels go one above the other rather than side by side: when side
/// by side each would be narrower than 325 CSS px, or the area is not much wider than tall. (The
/// page makes the loss canvas taller below 660 CSS px of width, see `.curve-loss` in style.css.)
pub fn loss_panels_stacked(width: u32, height: u32, scale: ChartScale) -> bool {
    let css_width = f64::from(width) / scale.ratio();
    css_width < 650.0 || f64::from(width) < 1.6 * f64::from(height)
}

/// Draws the loss curves.
///
/// During distillation (once `history.students` has a point), in two panels ([`LOSS_PANELS`]),
/// side by side or, on a narrow area, one above the other: both students' cross-entropy on the
/// hard labels `CE(y, softmax(z_s))` (distilled solid, control dashed) on one y axis; and the
/// distilled student's soft term `T²·KL(softmax(z_t/T) ‖ softmax(z_s/T))` with its total
/// `α·soft + (1 − α)·hard` on another (named as `method` computes them: [`soft_term_text`]);
/// against the student epoch. Before: the teacher's training CE against the teacher epoch.
pub fn draw_loss_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &History,
    method: MethodKind,
    kl: KlDirection,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    if !history.students.is_empty() {
        let students = &history.students;
        let (width, height) = area.dim_in_pixel();
        let (first, second) = if loss_panels_stacked(width, height, scale) {
            area.split_vertically(height / 2)
        } else {
            area.split_horizontally(width / 2)
        };
        let series = |curves: &[LossCurve]| -> Vec<Series> {
            curves
                .iter()
                .map(|&curve| Series {
                    label: curve.label(method, kl),
                    points: students.iter().map(|s| (s.epoch as f64, f64::from(curve.value(s)))).collect(),
                    look: curve.look(),
                })
                .collect()
        };
        let x_label = text("chart.axis.studentEpoch");
        let [hard_curves, soft_curves] = LOSS_PANELS;
        let hard_titles = [text("chart.loss.hardTitle"), text("chart.loss.hardTitleShort")];
        let hard_lines = series(hard_curves);
        let hard_y = text("chart.loss.ceY");
        draw_line_panel(
            &first,
            &hard_titles,
            &x_label,
            &hard_y,
            YAxis::LossFromZero,
            &hard_lines,
            Corner::TopRight,
            scale,
        )?;
        let settings = settings_text(students);
        let soft_titles = if method == MethodKind::Kd && kl == KlDirection::Forward {
            vec![
                text_with("chart.loss.softTitle", &[("settings", &settings)]),
                text_with("chart.loss.softTitleShort", &[("settings", &settings)]),
            ]
        } else {
            let term = soft_term_text(method, kl);
            vec![
                text_with("chart.loss.softTitleOf", &[("term", &term), ("settings", &settings)]),
                text_with("chart.loss.softTitleOfShort", &[("term", &term)]),
            ]
        };
        let soft_lines = series(soft_curves);
        let soft_y = text("chart.loss.y");
        draw_line_panel(
            &second,
            &soft_titles,
            &x_label,
            &soft_y,
            YAxis::LossFromZero,
            &soft_lines,
            Corner::TopRight,
            scale,
        )
    } else if !history.teacher.is_empty() {
        let lines = [Series {
            label: text("chart.loss.teacher"),
            points: history.teacher.iter().map(|t| (t.epoch as f64, f64::from(t.train_loss))).collect(),
            look: look(palette::TEACHER, 2.0, Dash::Solid, false),
        }];
        draw_line_panel(
            area,
            &[text("chart.loss.teacherTitle")],
            &text("chart.axis.teacherEpoch"),
            &text("chart.loss.ceY"),
            YAxis::LossFromZero,
            &lines,
            Corner::TopRight,
            scale,
        )
    } else {
        draw_message(area, &text("chart.loss.empty"), scale)
    }
}

/// Draws the accuracy curves in two panels: the teacher's train and test accuracy against the
/// teacher epoch (left) and the two students' against the student epoch (right; distilled solid,
/// control dashed; train thin, test thick with markers). Without a teacher (`has_teacher` false:
/// mutual learning, self-distillation), the students' panel alone, over the whole width.
pub fn draw_accuracy_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &History,
    has_teacher: bool,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let (width, _) = area.dim_in_pixel();
    // without a teacher the students' panel takes the whole width
    let (left, right) = area.split_horizontally(if has_teacher { width * 9 / 20 } else { 0 });

    let teacher = |value: fn(&crate::session::TeacherEpoch) -> f32| -> Vec<(f64, f64)> {
        history.teacher.iter().map(|t| (t.epoch as f64, f64::from(value(t)))).collect()
    };
    let teacher_lines = [
        Series {
            label: text("chart.accuracy.train"),
            points: teacher(|t| t.train_accuracy),
            look: look(palette::TEACHER, 1.2, Dash::Solid, false),
        },
        Series {
            label: text("chart.accuracy.test"),
            points: teacher(|t| t.test_accuracy),
            look: look(palette::TEACHER, 2.5, Dash::Solid, true),
        },
    ];
    if !has_teacher {
        // nothing on the left: mutual learning and self-distillation train no teacher
    } else if history.teacher.is_empty() {
        draw_message(&left, &text("chart.accuracy.teacherEmpty"), scale)?;
    } else {
        let (title, x_label, y_label) =
            (text("chart.accuracy.teacher"), text("chart.axis.teacherEpoch"), text("chart.accuracy.y"));
        draw_line_panel(
            &left,
            &[title],
            &x_label,
            &y_label,
            YAxis::Percent,
            &teacher_lines,
            Corner::BottomRight,
            scale,
        )?;
    }

    let students = &history.students;
    let student = |value: fn(&StudentEpoch) -> f32| -> Vec<(f64, f64)> {
        students.iter().map(|s| (s.epoch as f64, f64::from(value(s)))).collect()
    };
    let student_lines = [
        Series {
            label: text("chart.accuracy.distilledTrain"),
            points: student(|s| s.kd_train_accuracy),
            look: look(palette::DISTILLED, 1.2, Dash::Solid, false),
        },
        Series {
            label: text("chart.accuracy.distilledTest"),
            points: student(|s| s.kd_test_accuracy),
            look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
        },
        Series {
            label: text("chart.accuracy.controlTrain"),
            points: student(|s| s.control_train_accuracy),
            look: look(palette::CONTROL, 1.2, Dash::Dashed, false),
        },
        Series {
            label: text("chart.accuracy.controlTest"),
            points: student(|s| s.control_test_accuracy),
            look: look(palette::CONTROL, 2.5, Dash::Dashed, true),
        },
    ];
    if students.is_empty() {
        draw_students_waiting(&right, scale)
    } else {
        let (title, x_label, y_label) =
            (text("chart.accuracy.students"), text("chart.axis.studentEpoch"), text("chart.accuracy.y"));
        draw_line_panel(
            &right,
            &[title],
            &x_label,
            &y_label,
            YAxis::Percent,
            &student_lines,
            Corner::BottomRight,
            scale,
        )
    }
}

/// The students' panel before distillation starts: its frame, its title and a word saying when it
/// fills (the accuracy chart's and the language task's bits chart's).
pub fn draw_students_waiting<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: ChartScale,
) -> Result<(), KdError> {
    let pad = scale.px(8.0);
    let area = area.margin(0, 0, pad, 0);
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, scale.px(26.0)), (w as i32 - pad, h as i32 - scale.px(4.0))],
        palette::GRID.stroke_width(1),
    ))
    .map_err(chart_err)?;
    draw_title(&area, &[text("chart.accuracy.students")], (0, scale.px(6.0)), w as i32 - pad, scale)?;
    draw_message(&area, &text("chart.accuracy.studentsWaiting"), scale)
}

fn look(color: RGBColor, width: f64, dash: Dash, markers: bool) -> LineLook {
    LineLook { color, width, dash, markers }
}

/// "T = 4, α = 0.7", or the ranges "T = 2–4, α = 0.7" when they were changed during training.
fn settings_text(students: &[StudentEpoch]) -> String {
    let range = |values: Vec<f32>| -> String {
        let min = values.iter().copied().fold(f32::INFINITY, f32::min);
        let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if !min.is_finite() || !max.is_finite() {
            "?".to_string()
        } else if max - min < 1e-6 {
            short_number(min)
        } else {
            format!("{}–{}", short_number(min), short_number(max))
        }
    };
    format!(
        "T = {}, α = {}",
        range(students.iter().map(|s| s.temperature).collect()),
        range(students.iter().map(|s| s.alpha).collect())
    )
}

/// One titled panel of line series with a light grid and a legend in `corner`. The title is the
/// first of `titles` (longest first) that fits the panel's width (see [`draw_title`]).
#[allow(clippy::too_many_arguments)]
pub fn draw_line_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    titles: &[String],
    x_label: &str,
    y_label: &str,
    y_axis: YAxis,
    series: &[Series],
    corner: Corner,
    scale: ChartScale,
) -> Result<(), KdError> {
    let title_height = scale.px(24.0);
    let (head, body) = area.split_vertically(title_height);
    let (width, _) = head.dim_in_pixel();
    draw_title(&head, titles, (scale.px(8.0), scale.px(6.0)), width as i32 - scale.px(16.0), scale)?;

    let all = || series.iter().flat_map(|s| s.points.iter());
    let last_epoch = Span::of(all().map(|p| p.0)).map_or(1.0, |s| s.max).max(1.0);
    let x_span = 0.0..last_epoch;
    let y_span = match y_axis {
        YAxis::Percent | YAxis::Unit => 0.0..1.0,
        YAxis::LossFromZero => {
            let top = Span::of(all().map(|p| p.1)).map_or(1.0, |s| s.max);
            0.0..(top * 1.08).max(1e-3)
        }
    };

    let mut chart = ChartBuilder::on(&body)
        .margin_right(scale.px(14.0))
        .margin_top(scale.px(4.0))
        .margin_bottom(scale.px(4.0)) // room for the descenders of the x axis' label (Hangul fonts are taller)
        .margin_left(scale.px(4.0))
        .x_label_area_size(scale.px(34.0))
        .y_label_area_size(scale.px(if y_axis == YAxis::Percent { 46.0 } else { 50.0 }))
        .build_cartesian_2d(x_span, y_span)
        .map_err(chart_err)?;
    let integer_epochs = |x: &f64| if (x - x.round()).abs() < 1e-9 { format!("{}", x.round()) } else { String::new() };
    let y_format = |y: &f64| match y_axis {
        YAxis::Percent => format!("{:.0}%", y * 100.0),
        YAxis::LossFromZero => trim_tick(*y),
        YAxis::Unit => format!("{y:.1}"),
    };
    let mut mesh = chart.configure_mesh();
    house_mesh(&mut mesh, scale)
        .x_labels(7)
        .y_labels(if y_axis == YAxis::Percent { 6 } else { 5 })
        .x_label_formatter(&integer_epochs)
        .y_label_formatter(&y_format)
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(chart_err)?;

    for s in series {
        draw_line(&mut chart, &s.points, s.look, scale)?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let (bx, by) = area.get_base_pixel();
    let within = (xs.start - bx, ys.start - by, xs.end - bx, ys.end - by);
    let entries: Vec<(String, LineLook)> = series.iter().map(|s| (s.label.clone(), s.look)).collect();
    let mut occupied = Vec::new();
    for s in series {
        for piece in finite_pieces(&s.points) {
            let pixels: Vec<(i32, i32)> =
                piece.iter().map(|p| chart.backend_coord(p)).map(|(x, y)| (x - bx, y - by)).collect();
            occupied.extend(trace_pixels(&pixels, scale.px(4.0)));
        }
    }
    draw_legend(area, &entries, within, corner, &occupied, scale)
}

/// A tick value without trailing zeros: 0.5 → "0.5", 2 → "2", 0.25 → "0.25".
fn trim_tick(y: f64) -> String {
    let text = format!("{y:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_backend;
    use crate::session::TeacherEpoch;

    fn student(epoch: usize, value: f32) -> StudentEpoch {
        StudentEpoch {
            epoch,
            soft_loss: value,
            hard_loss: value,
            total_loss: value,
            control_hard_loss: value,
            kd_train_accuracy: value,
            kd_test_accuracy: value,
            control_train_accuracy: value,
            control_test_accuracy: value,
            kd_test_bits: None,
            control_test_bits: None,
            temperature: 4.0,
            alpha: 0.7,
            method: Default::default(),
        }
    }

    fn teacher(epoch: usize, value: f32) -> TeacherEpoch {
        TeacherEpoch { epoch, train_loss: value, train_accuracy: value, test_accuracy: value, test_bits: None }
    }

    fn histories() -> Vec<History> {
        vec![
            History::default(),
            History { teacher: vec![teacher(0, 1.1)], students: vec![] },
            History { teacher: vec![teacher(0, f32::NAN), teacher(1, f32::INFINITY)], students: vec![] },
            History { teacher: vec![teacher(0, 1.1), teacher(1, 0.5)], students: vec![student(0, 0.9)] },
            History {
                teacher: vec![teacher(0, 1.1)],
                students: vec![student(0, f32::NAN), student(1, 0.3), student(2, f32::NAN)],
            },
        ]
    }

    #[test]
    fn every_history_draws_without_error() {
        for history in histories() {
            for (width, height) in [(560, 280), (1120, 560), (40, 30)] {
                let (area, _) = test_backend::area(width, height);
                draw_loss_curves(&area, &history, MethodKind::Kd, KlDirection::Forward, ChartScale::new(2.0)).unwrap();
                draw_accuracy_curves(&area, &history, true, ChartScale::new(1.0)).unwrap();
                draw_accuracy_curves(&area, &history, false, ChartScale::new(1.0)).unwrap();
            }
        }
    }

    #[test]
    fn titles_follow_the_phase() {
        let (area, recorded) = test_backend::area(560, 280);
        let teacher_only = History { teacher: vec![teacher(0, 1.0)], students: vec![] };
        draw_loss_curves(&area, &teacher_only, MethodKind::Kd, KlDirection::Forward, ChartScale::default()).unwrap();
        assert!(recorded.borrow().texts.iter().any(|(t, _)| t.starts_with("Teacher's training loss")));

        let mut students = vec![student(0, 0.5), student(1, 0.4)];
        students[1].temperature = 2.0;
        let history = History { teacher: vec![teacher(0, 1.0)], students };
        let (area, recorded) = test_backend::area(1400, 300);
        draw_loss_curves(&area, &history, MethodKind::Kd, KlDirection::Forward, ChartScale::default()).unwrap();
        let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
        for wanted in [
            "Both students: cross-entropy on the hard labels",
            "Distilled student only: soft term T²·KL (T = 2–4, α = 0.7)",
            "distilled: CE",
            "control: CE",
            "soft term T²·KL",
        ] {
            assert!(texts.iter().any(|t| t == wanted), "{wanted:?} in {texts:?}");
        }
        assert!(!texts.iter().any(|t| t.starts_with("Teacher's")), "{texts:?}");

        // Side by side on a narrower canvas, the shorter titles.
        let (area, recorded) = test_backend::area(660, 280);
        draw_loss_curves(&area, &history, MethodKind::Kd, KlDirection::Forward, ChartScale::default()).unwrap();
        let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
        assert!(texts.iter().any(|t| t == "Distilled only: T²·KL (T = 2–4, α = 0.7)"), "{texts:?}");
    }

    #[test]
    fn the_soft_term_is_named_as_the_method_computes_it() {
        let history = History { teacher: vec![teacher(0, 1.0)], students: vec![student(0, 0.5), student(1, 0.4)] };
        let drawn = |method, kl| {
            let (area, recorded) = test_backend::area(1400, 300);
            draw_loss_curves(&area, &history, method, kl, ChartScale::default()).unwrap();
            let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
            texts
        };
        let rkd = drawn(MethodKind::Rkd, KlDirection::Reverse);
        assert!(rkd.iter().any(|t| t == "relational term 25·L_D + 50·L_A"), "{rkd:?}");
        assert!(!rkd.iter().any(|t| t.contains("T²·KL")), "RKD has no KL: {rkd:?}");
        let byot = drawn(MethodKind::Byot, KlDirection::Forward);
        assert!(byot.iter().any(|t| t == "exit’s T²·KL to the final head"), "{byot:?}");
        assert!(byot.iter().any(|t| t.starts_with("total CE(final head)")), "{byot:?}");
        let dml = drawn(MethodKind::Dml, KlDirection::Reverse);
        assert!(dml.iter().any(|t| t == "T²·KL to the other peer, reverse KL"), "{dml:?}");
        // the accuracy chart of a run without a teacher draws no untrained teacher's curve
        let (area, recorded) = test_backend::area(900, 300);
        draw_accuracy_curves(&area, &history, false, ChartScale::default()).unwrap();
        let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
        assert!(texts.iter().any(|t| t == "Students") && !texts.iter().any(|t| t == "Teacher"), "{texts:?}");
    }

    #[test]
    fn the_control_s_ce_and_the_soft_term_are_never_on_one_panel() {
        use LossCurve::*;
        for panel in LOSS_PANELS {
            let soft = panel.contains(&DistilledSoft) || panel.contains(&DistilledTotal);
            assert!(!(soft && panel.contains(&ControlHard)), "{panel:?}");
        }
        assert!(LOSS_PANELS.iter().any(|p| p.contains(&DistilledHard) && p.contains(&ControlHard)), "like with like");
        let drawn: Vec<LossCurve> = LOSS_PANELS.iter().flat_map(|p| p.iter().copied()).collect();
        assert_eq!(drawn.len(), 4, "each curve once: {drawn:?}");

        // As drawn: each curve's legend entry lies in its own panel, side by side and stacked.
        let students: Vec<StudentEpoch> = (0..6)
            .map(|e| StudentEpoch {
                soft_loss: 14.0 / (1.0 + e as f32),
                hard_loss: 2.9 / (1.0 + e as f32),
                total_loss: 0.9 * 14.0 / (1.0 + e as f32) + 0.1 * 2.9 / (1.0 + e as f32),
                control_hard_loss: 2.8 / (1.0 + e as f32),
                ..student(e, 0.5)
            })
            .collect();
        let history = History { teacher: vec![teacher(0, 1.0)], students };
        for (width, height, ratio, stacked) in
            [(1900, 560, 2.0, false), (950, 280, 1.0, false), (684, 920, 2.0, true), (560, 280, 1.0, true)]
        {
            let scale = ChartScale::new(ratio);
            assert_eq!(loss_panels_stacked(width, height, scale), stacked, "{width}×{height} at {ratio}");
            let (area, recorded) = test_backend::area(width, height);
            draw_loss_curves(&area, &history, MethodKind::Kd, KlDirection::Forward, scale).unwrap();
            let texts = &recorded.borrow().texts;
            let panel_of = |curve: LossCurve| -> usize {
                let label = curve.label(MethodKind::Kd, KlDirection::Forward);
                let at = texts.iter().find(|(t, _)| *t == label).map(|(_, at)| *at);
                let (x, y) = at.unwrap_or_else(|| panic!("{label:?} is drawn at {width}×{height}: {texts:?}"));
                usize::from(if stacked { y >= height as i32 / 2 } else { x >= width as i32 / 2 })
            };
            for (index, panel) in LOSS_PANELS.iter().enumerate() {
                for &curve in panel.iter() {
                    assert_eq!(panel_of(curve), index, "{curve:?} at {width}×{height}");
                }
            }
        }
    }

    #[test]
    fn tick_values_are_trimmed() {
        assert_eq!(trim_tick(0.5), "0.5");
        assert_eq!(trim_tick(2.0), "2");
        assert_eq!(trim_tick(-0.0), "0");
    }
}
