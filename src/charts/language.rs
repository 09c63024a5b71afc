//! The language task's curves: each model's bits per character on the held-out lines, one point
//! per epoch, the teacher's (left) and the two students' (right), beside the line of a model that
//! knows nothing (log₂ of the number of symbols) and, for the students, the trained teacher's.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::{draw_line_panel, draw_students_waiting, Series, YAxis};
use super::palette;
use super::text::{text, text_with};
use super::{chart_err, draw_message, ChartScale, Corner, Dash, LineLook};
use crate::data::Holdout;
use crate::error::KdError;
use crate::session::History;

fn look(color: RGBColor, width: f64, dash: Dash, markers: bool) -> LineLook {
    LineLook { color, width, dash, markers }
}

/// A flat line at `value` over epochs 0 to `last`.
fn level(value: f64, last: usize) -> Vec<(f64, f64)> {
    vec![(0.0, value), (last.max(1) as f64, value)]
}

/// Draws the bits-per-character curves of the run in `history`, measured on the `held_out` lines,
/// with `untrained` the bits of a model that knows nothing; the two panels stand side by side or,
/// on a narrow area, one above the other (as the loss chart's, [`super::curves::loss_panels_stacked`]).
pub fn draw_bits_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &History,
    untrained: f64,
    held_out: Holdout,
    scale: ChartScale,
) -> Result<(), KdError> {
    let split = match held_out {
        Holdout::Validation => text("chart.split.validation"),
        Holdout::Test => text("chart.split.test"),
    };
    let split = split.as_str();
    area.fill(&WHITE).map_err(chart_err)?;
    let (width, height) = area.dim_in_pixel();
    // side by side, or one above the other on a narrow area (a phone: the page makes it taller)
    let (left, right) = if super::curves::loss_panels_stacked(width, height, scale) {
        area.split_vertically(height / 2)
    } else {
        area.split_horizontally(width * 9 / 20)
    };
    let nothing = text_with("chart.bits.untrained", &[("bits", &format!("{untrained:.3}"))]);
    let y_label = text("chart.bits.y");

    let teacher: Vec<(f64, f64)> =
        history.teacher.iter().filter_map(|e| e.test_bits.map(|b| (e.epoch as f64, f64::from(b)))).collect();
    if teacher.is_empty() {
        draw_message(&left, &text("chart.accuracy.teacherEmpty"), scale)?;
    } else {
        let last = history.teacher.last().map_or(1, |e| e.epoch);
        let lines = [
            Series {
                label: text_with("chart.bits.teacher", &[("split", split)]),
                points: teacher.clone(),
                look: look(palette::TEACHER, 2.5, Dash::Solid, true),
            },
            Series {
                label: nothing.clone(),
                points: level(untrained, last),
                look: look(palette::GRID_DARK, 1.2, Dash::Dashed, false),
            },
        ];
        draw_line_panel(
            &left,
            &[text("chart.accuracy.teacher")],
            &text("chart.axis.teacherEpoch"),
            &y_label,
            YAxis::LossFromZero,
            &lines,
            Corner::BottomLeft,
            scale,
        )?;
    }

    let student = |value: fn(&crate::session::StudentEpoch) -> Option<f32>| -> Vec<(f64, f64)> {
        history.students.iter().filter_map(|e| value(e).map(|b| (e.epoch as f64, f64::from(b)))).collect()
    };
    let (kd, control) = (student(|e| e.kd_test_bits), student(|e| e.control_test_bits));
    if kd.is_empty() {
        return draw_students_waiting(&right, scale);
    }
    let last = history.students.last().map_or(1, |e| e.epoch);
    let mut lines = vec![
        Series {
            label: text("chart.bits.distilled"),
            points: kd,
            look: look(palette::DISTILLED, 2.5, Dash::Solid, true),
        },
        Series {
            label: text("chart.bits.control"),
            points: control,
            look: look(palette::CONTROL, 2.5, Dash::Dashed, true),
        },
    ];
    if let Some(&(_, trained)) = teacher.last() {
        lines.push(Series {
            label: text("chart.bits.trainedTeacher"),
            points: level(trained, last),
            look: look(palette::TEACHER, 1.2, Dash::Dashed, false),
        });
    }
    draw_line_panel(
        &right,
        &[text("chart.accuracy.students")],
        &text("chart.axis.studentEpoch"),
        &y_label,
        YAxis::LossFromZero,
        &lines,
        Corner::BottomLeft,
        scale,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_backend;
    use crate::session::{StudentEpoch, TeacherEpoch};

    #[test]
    fn the_curves_name_their_split_and_the_line_of_a_model_that_knows_nothing() {
        let teacher = |epoch: usize, bits: f32| TeacherEpoch {
            epoch,
            train_loss: 1.0,
            train_accuracy: 0.3,
            test_accuracy: 0.3,
            test_bits: Some(bits),
        };
        let student = |epoch: usize, bits: f32| StudentEpoch {
            epoch,
            soft_loss: 0.1,
            hard_loss: 2.0,
            total_loss: 1.0,
            control_hard_loss: 2.0,
            kd_train_accuracy: 0.3,
            kd_test_accuracy: 0.3,
            control_train_accuracy: 0.3,
            control_test_accuracy: 0.3,
            kd_test_bits: Some(bits),
            control_test_bits: Some(bits + 0.1),
            temperature: 1.0,
            alpha: 0.5,
            method: Default::default(),
        };
        let history = History {
            teacher: vec![teacher(0, 4.7), teacher(1, 3.1)],
            students: vec![student(0, 4.7), student(1, 3.3)],
        };
        let (area, recorded) = test_backend::area(900, 300);
        draw_bits_curves(&area, &history, 27f64.log2(), Holdout::Validation, ChartScale::default()).unwrap();
        let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
        for expected in ["bits per character", "teacher (validation)", "knows nothing (4.755)", "distilled student"] {
            assert!(texts.iter().any(|t| t == expected), "{expected} in {texts:?}");
        }

        // before the students start: the teacher's panel and a word on the right
        let waiting = History { teacher: history.teacher.clone(), students: Vec::new() };
        let (area, recorded) = test_backend::area(900, 300);
        draw_bits_curves(&area, &waiting, 27f64.log2(), Holdout::Validation, ChartScale::default()).unwrap();
        let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
        assert!(texts.iter().any(|t| t == &text("chart.accuracy.studentsWaiting")), "{texts:?}");
    }
}
