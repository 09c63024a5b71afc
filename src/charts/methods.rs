//! Each method's own view, beside the loss and accuracy curves every method shares:
//!
//! - `fitnets`: the hint's loss over the student epochs, and how alike the guided layer and the
//!   teacher's hint layer are (linear CKA) for the distilled student and the control;
//! - `rkd`: the pairwise distances between a few test samples' embeddings, as the teacher, the
//!   distilled student and the control see them, side by side;
//! - `dml`: each peer's test accuracy beside its twin's;
//! - `byot`: the early exit's test accuracy, self-distilled and the control's, beside the final
//!   heads'.
//!
//! The other methods learn from soft labels only and have no view of their own.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::{draw_line_panel, Series, YAxis};
use super::heatmap::ramp_color;
use super::palette;
use super::text::{text, text_with};
use super::{chart_err, draw_message, draw_title, ChartScale, Corner, Dash, LineLook};
use crate::error::KdError;
use crate::methods::MethodKind;
use crate::session::{History, RelationView, StudentEpoch};

/// A history field to plot.
type Field = fn(&StudentEpoch) -> Option<f32>;

fn look(color: RGBColor, width: f64, dash: Dash, markers: bool) -> LineLook {
    LineLook { color, width, dash, markers }
}

/// The points `(student epoch, value)` of a history field that is present.
fn points(students: &[StudentEpoch], value: impl Fn(&StudentEpoch) -> Option<f32>) -> Vec<(f64, f64)> {
    students.iter().filter_map(|s| value(s).map(|v| (s.epoch as f64, f64::from(v)))).collect()
}

/// Whether `method` has a view of its own.
pub fn has_view(method: MethodKind) -> bool {
    matches!(method, MethodKind::Fitnets | MethodKind::Rkd | MethodKind::Dml | MethodKind::Byot)
}

/// Draws `method`'s own view from the run's `history` (and, for RKD, `relations`).
pub fn draw_method_view<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    method: MethodKind,
    history: &History,
    relations: Option<&RelationView>,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let students = &history.students;
    if !has_view(method) {
        return draw_message(area, &text("chart.method.none"), scale);
    }
    if method == MethodKind::Rkd {
        return match relations {
            Some(view) if !students.is_empty() => draw_relations(area, view, scale),
            _ => draw_message(area, &text("chart.method.waiting"), scale),
        };
    }
    if students.is_empty() {
        return draw_message(area, &text("chart.method.waiting"), scale);
    }
    // two panels side by side, or one above the other where side by side they would be too narrow
    // (as the loss chart's; the page makes the canvas taller there)
    let (width, height) = area.dim_in_pixel();
    let (left, right) = if super::curves::loss_panels_stacked(width, height, scale) {
        area.split_vertically(height / 2)
    } else {
        area.split_horizontally(width / 2)
    };
    let epoch = text("chart.axis.studentEpoch");
    let accuracy = text("chart.accuracy.y");
    match method {
        MethodKind::Fitnets => {
            let hint = [Series {
                label: text("chart.method.hintLoss"),
                points: points(students, |s| s.method.hint_loss),
                look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
            }];
            draw_line_panel(
                &left,
                &[text("chart.method.hintTitle")],
                &epoch,
                &text("chart.method.hintY"),
                YAxis::LossFromZero,
                &hint,
                Corner::TopRight,
                scale,
            )?;
            let cka = [
                Series {
                    label: text("chart.method.ckaDistilled"),
                    points: points(students, |s| s.method.kd_cka),
                    look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
                },
                Series {
                    label: text("chart.method.ckaControl"),
                    points: points(students, |s| s.method.control_cka),
                    look: look(palette::CONTROL, 2.5, Dash::Dashed, true),
                },
            ];
            draw_line_panel(
                &right,
                &[text("chart.method.ckaTitle")],
                &epoch,
                &text("chart.method.ckaY"),
                YAxis::Unit,
                &cka,
                Corner::BottomRight,
                scale,
            )
        }
        MethodKind::Dml => {
            let pair = |first: bool| {
                let (peer, twin): (Field, Field) = if first {
                    (|s| Some(s.kd_test_accuracy), |s| Some(s.control_test_accuracy))
                } else {
                    (|s| s.method.peer_test_accuracy, |s| s.method.peer_twin_test_accuracy)
                };
                [
                    Series {
                        label: text("chart.method.peer"),
                        points: points(students, peer),
                        look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
                    },
                    Series {
                        label: text("chart.method.twin"),
                        points: points(students, twin),
                        look: look(palette::CONTROL, 2.5, Dash::Dashed, true),
                    },
                ]
            };
            draw_line_panel(
                &left,
                &[text("chart.method.firstPeer")],
                &epoch,
                &accuracy,
                YAxis::Percent,
                &pair(true),
                Corner::BottomRight,
                scale,
            )?;
            draw_line_panel(
                &right,
                &[text("chart.method.secondPeer")],
                &epoch,
                &accuracy,
                YAxis::Percent,
                &pair(false),
                Corner::BottomRight,
                scale,
            )
        }
        _ => {
            // BYOT
            let exits = [
                Series {
                    label: text("chart.method.exitDistilled"),
                    points: points(students, |s| s.method.exit_test_accuracy),
                    look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
                },
                Series {
                    label: text("chart.method.exitControl"),
                    points: points(students, |s| s.method.control_exit_test_accuracy),
                    look: look(palette::CONTROL, 2.5, Dash::Dashed, true),
                },
            ];
            draw_line_panel(
                &left,
                &[text("chart.method.exitTitle")],
                &epoch,
                &accuracy,
                YAxis::Percent,
                &exits,
                Corner::BottomRight,
                scale,
            )?;
            let finals = [
                Series {
                    label: text("chart.method.finalDistilled"),
                    points: points(students, |s| Some(s.kd_test_accuracy)),
                    look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
                },
                Series {
                    label: text("chart.method.finalControl"),
                    points: points(students, |s| Some(s.control_test_accuracy)),
                    look: look(palette::CONTROL, 2.5, Dash::Dashed, true),
                },
            ];
            draw_line_panel(
                &right,
                &[text("chart.method.finalTitle")],
                &epoch,
                &accuracy,
                YAxis::Percent,
                &finals,
                Corner::BottomRight,
                scale,
            )
        }
    }
}

/// The three distance matrices side by side, each sample's class marked along the edges, one
/// colour ramp for all (0 to the largest distance of the three).
fn draw_relations<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    view: &RelationView,
    scale: ChartScale,
) -> Result<(), KdError> {
    let (width, height) = area.dim_in_pixel();
    let title_height = scale.px(24.0);
    let caption_height = scale.px(22.0);
    draw_title(
        area,
        &[text("chart.method.relationsTitle"), text("chart.method.relationsTitleShort")],
        (scale.px(8.0), scale.px(6.0)),
        width as i32 - scale.px(16.0),
        scale,
    )?;
    let top = [&view.teacher, &view.distilled, &view.control]
        .iter()
        .flat_map(|m| m.iter().copied())
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let panels = [
        (&view.teacher, text("chart.method.relationsTeacher"), palette::TEACHER),
        (&view.distilled, text("chart.method.relationsDistilled"), palette::DISTILLED),
        (&view.control, text("chart.method.relationsControl"), palette::CONTROL),
    ];
    let gap = scale.px(12.0);
    let usable_width = (width as i32 - 4 * gap) / 3;
    let usable_height = height as i32 - title_height - caption_height - scale.px(22.0);
    let side = usable_width.min(usable_height).max(scale.px(30.0));
    let n = view.classes.len().max(1) as i32;
    let cell = (side / n).max(1);
    let side = cell * n;
    let total = 3 * side + 2 * gap;
    let left = ((width as i32 - total) / 2).max(0);
    let top_y = title_height + scale.px(20.0);
    for (k, (matrix, label, color)) in panels.iter().enumerate() {
        let x0 = left + k as i32 * (side + gap);
        let style = scale.bold(12.0, *color);
        area.draw(&Text::new(label.clone(), (x0, top_y - scale.px(16.0)), style)).map_err(chart_err)?;
        for ((i, j), &value) in matrix.indexed_iter() {
            let (x, y) = (x0 + j as i32 * cell, top_y + i as i32 * cell);
            let colour = ramp_color(f64::from(value / top));
            area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], colour.filled())).map_err(chart_err)?;
        }
        // class boundaries
        for (i, pair) in view.classes.windows(2).enumerate() {
            if pair[0] != pair[1] {
                let at = (i as i32 + 1) * cell;
                let line = palette::TEXT.stroke_width(1);
                area.draw(&PathElement::new(vec![(x0 + at, top_y), (x0 + at, top_y + side)], line))
                    .map_err(chart_err)?;
                area.draw(&PathElement::new(vec![(x0, top_y + at), (x0 + side, top_y + at)], line))
                    .map_err(chart_err)?;
            }
        }
        area.draw(&Rectangle::new([(x0, top_y), (x0 + side, top_y + side)], palette::TEXT.stroke_width(1)))
            .map_err(chart_err)?;
    }
    let caption = text_with("chart.method.relationsCaption", &[("samples", &view.classes.len().to_string())]);
    let style = scale.text(11.0, palette::MUTED);
    let row = scale.px(14.0);
    for (i, line) in super::wrap_text(area, &caption, &style, width as i32 - scale.px(16.0))?.into_iter().enumerate() {
        let y = top_y + side + scale.px(8.0) + row * i as i32;
        area.draw(&Text::new(line, (scale.px(8.0), y), style.clone())).map_err(chart_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_backend;
    use crate::session::{Phase, Session};
    use crate::settings::{Settings, Value};
    use std::collections::BTreeMap;

    fn session(method: &str, student: &str) -> Session {
        let values: BTreeMap<String, Value> = [
            ("dataset", "blobs"),
            ("points", "120"),
            ("teacherEpochs", "2"),
            ("studentEpochs", "3"),
            ("hintEpochs", "1"),
            ("studentHidden", student),
            ("method", method),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), Value::Text(v.to_string())))
        .collect();
        let mut session = Session::new(Settings::from_values(&values).unwrap()).unwrap();
        session.run_phase(Phase::Teacher).unwrap();
        session.run_phase(Phase::Distil).unwrap();
        session
    }

    #[test]
    fn every_method_with_a_view_draws_it_from_its_own_numbers() {
        for (method, student) in [("fitnets", "6"), ("rkd", "6"), ("dml", "6"), ("byot", "6,5")] {
            let session = session(method, student);
            let kind = session.settings().method;
            let relations = session.relation_view(4).unwrap();
            let (area, recorded) = test_backend::area(900, 320);
            draw_method_view(&area, kind, session.history(), relations.as_ref(), ChartScale::default()).unwrap();
            let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
            let wanted = match method {
                "fitnets" => "chart.method.ckaTitle",
                "rkd" => "chart.method.relationsTitle",
                "dml" => "chart.method.secondPeer",
                _ => "chart.method.exitTitle",
            };
            assert!(texts.iter().any(|t| t.contains(&text(wanted))), "{method}: {texts:?}");
        }
    }
}
