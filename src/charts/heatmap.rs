//! Which classes the teacher finds alike: the K×K matrix of its mean soft label per true class at
//! the current T (row = the true class of the samples averaged over, column = the class the soft
//! label is for; each row sums to 1). Each cell is coloured on a sequential white → dark-blue ramp
//! (ColorBrewer "Blues", readable with every common colour-vision deficiency and in greyscale) and
//! carries its value, so colour is never the only cue.
//!
//! The diagonal (the teacher's confidence in the true class) dwarfs the rest. With
//! [`Diagonal::Greyed`] it is drawn in neutral grey with its number, and the ramp runs from 0 to
//! the largest off-diagonal value, so the "dark knowledge" (a 3 looks a bit like a 5, a 4 like a 9)
//! becomes visible.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::text::{text, text_with};
use super::{chart_err, draw_message, draw_title, fit_font, fit_size, short_number, wrap_text, ChartScale};
use crate::dark_knowledge::ClassSimilarity;
use crate::error::KdError;

/// How the diagonal cells are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagonal {
    /// Coloured like every other cell; the ramp runs from 0 to the largest value.
    Coloured,
    /// Neutral grey; the ramp runs from 0 to the largest off-diagonal value.
    Greyed,
}

/// The ramp's stops, from 0 to the top of the scale: ColorBrewer's 9-class "Blues".
const RAMP: [RGBColor; 9] = [
    RGBColor(0xF7, 0xFB, 0xFF),
    RGBColor(0xDE, 0xEB, 0xF7),
    RGBColor(0xC6, 0xDB, 0xEF),
    RGBColor(0x9E, 0xCA, 0xE1),
    RGBColor(0x6B, 0xAE, 0xD6),
    RGBColor(0x42, 0x92, 0xC6),
    RGBColor(0x21, 0x71, 0xB5),
    RGBColor(0x08, 0x51, 0x9C),
    RGBColor(0x08, 0x30, 0x6B),
];

/// The greyed diagonal's fill.
const DIAGONAL_GREY: RGBColor = RGBColor(0xC4, 0xC4, 0xC4);

/// The ramp's colour at `fraction` (clamped to 0..1; a non-finite fraction gives white).
pub fn ramp_color(fraction: f64) -> RGBColor {
    if !fraction.is_finite() {
        return WHITE;
    }
    let position = fraction.clamp(0.0, 1.0) * (RAMP.len() - 1) as f64;
    let low = (position.floor() as usize).min(RAMP.len() - 2);
    let t = position - low as f64;
    let (RGBColor(r0, g0, b0), RGBColor(r1, g1, b1)) = (RAMP[low], RAMP[low + 1]);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(r0, r1), mix(g0, g1), mix(b0, b1))
}

/// Whether text on `fill` should be white (the fill is dark).
fn is_dark(RGBColor(r, g, b): RGBColor) -> bool {
    0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b) < 140.0
}

/// A cell's value as printed in it: two decimals.
pub fn cell_text(value: f32) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        format!("{value}")
    }
}

/// The top of the colour scale: the largest finite value (off the diagonal when it is greyed and
/// there are off-diagonal cells), at least a small positive number.
pub fn scale_top(matrix: &[Vec<f32>], diagonal: Diagonal) -> f32 {
    let largest = |off_diagonal_only: bool| {
        matrix
            .iter()
            .enumerate()
            .flat_map(|(row, values)| values.iter().enumerate().map(move |(column, &v)| (row, column, v)))
            .filter(|&(row, column, v)| v.is_finite() && !(off_diagonal_only && row == column))
            .map(|(_, _, v)| v)
            .fold(f32::NEG_INFINITY, f32::max)
    };
    let top = match diagonal {
        Diagonal::Greyed => Some(largest(true)).filter(|v| v.is_finite()).unwrap_or_else(|| largest(false)),
        Diagonal::Coloured => largest(false),
    };
    if top.is_finite() && top > 1e-6 {
        top
    } else {
        1.0
    }
}

/// Draws the class-similarity matrix as a heat map with a colour bar.
pub fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    similarity: &ClassSimilarity,
    class_names: &[String],
    diagonal: Diagonal,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let matrix = &similarity.matrix;
    let classes = matrix.len().max(matrix.iter().map(Vec::len).max().unwrap_or(0));
    if classes == 0 {
        return draw_message(area, &text("chart.message.noClasses"), scale);
    }
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    if width < scale.px(150.0) || height < scale.px(120.0) {
        return Ok(()); // Too small to draw anything legible.
    }
    let pad = scale.px(8.0);
    let name = |class: usize| class_names.get(class).cloned().unwrap_or_else(|| class.to_string());
    let value = |row: usize, column: usize| matrix.get(row).and_then(|r| r.get(column)).copied().unwrap_or(f32::NAN);
    let has_samples = |row: usize| similarity.counts.get(row).is_none_or(|&n| n > 0);
    // A single class has no off-diagonal cells to show: colour its one cell.
    let diagonal = if classes < 2 { Diagonal::Coloured } else { diagonal };
    let top_value = scale_top(matrix, diagonal);

    // Title and caption.
    let t = short_number(similarity.temperature);
    let titles = [
        text_with("chart.heatmap.title", &[("t", &t)]),
        text_with("chart.heatmap.titleShort", &[("t", &t)]),
        text_with("chart.heatmap.titleShortest", &[("t", &t)]),
    ];
    draw_title(area, &titles, (pad, scale.px(6.0)), width - 2 * pad, scale)?;
    let top = cell_text(top_value);
    let caption = match diagonal {
        Diagonal::Greyed => text_with("chart.heatmap.captionGreyed", &[("top", &top)]),
        Diagonal::Coloured => text_with("chart.heatmap.captionColoured", &[("top", &top)]),
    };
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

    // Layout: row labels | grid | colour bar, the column labels and the axis title under the grid.
    let label_size = if classes > 6 { 10.5 } else { 11.5 };
    let label_style = scale.text(label_size, palette::TEXT);
    let mut label_w = 0;
    for class in 0..classes {
        label_w = label_w.max(area.estimate_text_size(&name(class), &label_style).map_err(chart_err)?.0 as i32);
    }
    let axis_title_h = scale.px(15.0);
    let left_w = axis_title_h + label_w + scale.px(6.0);
    let bar_labels_w = area.estimate_text_size("0.00", &scale.text(10.0, palette::TEXT)).map_err(chart_err)?.0 as i32;
    let right_w = scale.px(14.0) + scale.px(10.0) + scale.px(4.0) + bar_labels_w;
    let grid_top = scale.px(30.0);
    let grid_bottom_limit =
        height - scale.px(8.0) - caption_row * caption_lines.len() as i32 - axis_title_h - scale.px(label_size + 6.0);
    let available_w = width - 2 * pad - left_w - right_w;
    let available_h = grid_bottom_limit - grid_top;
    let n = classes as i32;
    let cell_h = (available_h / n).min(available_w / n);
    let cell_w = (available_w / n).min(cell_h * 8 / 5);
    if cell_h < scale.px(6.0) || cell_w < scale.px(6.0) {
        return Ok(());
    }
    let (grid_w, grid_h) = (cell_w * n, cell_h * n);
    let block_w = left_w + grid_w + right_w;
    let grid_left = pad + ((width - 2 * pad - block_w) / 2).max(0) + left_w;
    let grid_bottom = grid_top + grid_h;

    // The cells' font: as large as fits "0.00" in a cell, skipped when even the smallest does not.
    let cell_size = fit_font(area, "0.00", &scale.text(12.0, palette::TEXT), cell_w - scale.px(4.0), (12.0, 7.0))?;
    let (_, one_line) = area.estimate_text_size("0.00", &scale.text(cell_size, palette::TEXT)).map_err(chart_err)?;
    let sample_w = area.estimate_text_size("0.00", &scale.text(cell_size, palette::TEXT)).map_err(chart_err)?.0 as i32;
    let print_values = sample_w <= cell_w - scale.px(2.0) && (one_line as i32) <= cell_h;

    // The cells.
    let gap = scale.px(1.0).max(1);
    for row in 0..classes {
        for column in 0..classes {
            let v = value(row, column);
            let (x0, y0) = (grid_left + cell_w * column as i32, grid_top + cell_h * row as i32);
            let (fill, text) = if !has_samples(row) {
                (WHITE, "–".to_string())
            } else if row == column && diagonal == Diagonal::Greyed {
                (DIAGONAL_GREY, cell_text(v))
            } else {
                (ramp_color(f64::from(v) / f64::from(top_value)), cell_text(v))
            };
            area.draw(&Rectangle::new([(x0, y0), (x0 + cell_w - gap, y0 + cell_h - gap)], fill.filled()))
                .map_err(chart_err)?;
            if print_values {
                let color = if is_dark(fill) { WHITE } else { palette::TEXT };
                let style = scale.text(cell_size, color).pos(Pos::new(HPos::Center, VPos::Center));
                area.draw(&Text::new(text, (x0 + (cell_w - gap) / 2, y0 + (cell_h - gap) / 2), style))
                    .map_err(chart_err)?;
            }
        }
    }
    area.draw(&Rectangle::new(
        [(grid_left - 1, grid_top - 1), (grid_left + grid_w, grid_bottom)],
        palette::GRID_DARK.stroke_width(1),
    ))
    .map_err(chart_err)?;

    // Class names along both axes, and the axis titles.
    let row_style = label_style.clone().pos(Pos::new(HPos::Right, VPos::Center));
    let column_style = label_style.clone().pos(Pos::new(HPos::Center, VPos::Top));
    let column_size = fit_size(label_w, cell_w - scale.px(2.0), (label_size, 7.0));
    let column_style = if column_size < label_size {
        scale.text(column_size, palette::TEXT).pos(Pos::new(HPos::Center, VPos::Top))
    } else {
        column_style
    };
    for class in 0..classes {
        let c = class as i32;
        area.draw(&Text::new(
            name(class),
            (grid_left - scale.px(5.0), grid_top + cell_h * c + cell_h / 2),
            row_style.clone(),
        ))
        .map_err(chart_err)?;
        area.draw(&Text::new(
            name(class),
            (grid_left + cell_w * c + cell_w / 2, grid_bottom + scale.px(4.0)),
            column_style.clone(),
        ))
        .map_err(chart_err)?;
    }
    // The axis titles, shrunk to fit: the rows' along the grid's height, the columns' centred under
    // the grid within the canvas.
    let (rows_title, columns_title) = (text("chart.heatmap.rows"), text("chart.heatmap.columns"));
    let axis_style = scale.text(11.5, palette::MUTED);
    let rows_size = fit_font(area, &rows_title, &axis_style, grid_h, (11.5, 8.0))?;
    area.draw(&Text::new(
        rows_title,
        (grid_left - left_w, grid_top + grid_h / 2),
        scale
            .text(rows_size, palette::MUTED)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(chart_err)?;
    let columns_centre = grid_left + grid_w / 2;
    let columns_room = 2 * (columns_centre - pad).min(width - pad - columns_centre);
    let columns_size = fit_font(area, &columns_title, &axis_style, columns_room, (11.5, 8.0))?;
    area.draw(&Text::new(
        columns_title,
        (columns_centre, grid_bottom + scale.px(label_size + 8.0)),
        scale.text(columns_size, palette::MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(chart_err)?;

    // The colour bar: the ramp from 0 (bottom) to the top of the scale.
    let bar_left = grid_left + grid_w + scale.px(14.0);
    let bar_right = bar_left + scale.px(10.0);
    let steps = 48;
    for k in 0..steps {
        let y_low = grid_bottom - grid_h * k / steps;
        let y_high = grid_bottom - grid_h * (k + 1) / steps;
        let color = ramp_color((f64::from(k) + 0.5) / f64::from(steps));
        area.draw(&Rectangle::new([(bar_left, y_high), (bar_right, y_low)], color.filled())).map_err(chart_err)?;
    }
    area.draw(&Rectangle::new([(bar_left, grid_top), (bar_right, grid_bottom)], palette::GRID_DARK.stroke_width(1)))
        .map_err(chart_err)?;
    let bar_label = scale.text(10.0, palette::TEXT);
    for (fraction, text) in [(0.0, "0".to_string()), (0.5, cell_text(top_value / 2.0)), (1.0, cell_text(top_value))] {
        let y = grid_bottom - (f64::from(grid_h) * fraction).round() as i32;
        area.draw(&PathElement::new(
            vec![(bar_right, y), (bar_right + scale.px(3.0), y)],
            palette::GRID_DARK.stroke_width(1),
        ))
        .map_err(chart_err)?;
        area.draw(&Text::new(
            text,
            (bar_right + scale.px(5.0), y),
            bar_label.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(chart_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::charts::test_backend;
    use crate::session::Session;
    use crate::settings::Settings;

    fn similarity(matrix: Vec<Vec<f32>>) -> ClassSimilarity {
        let counts = vec![5; matrix.len()];
        ClassSimilarity { temperature: 4.0, matrix, counts }
    }

    #[test]
    fn cells_print_the_engines_matrix_in_place() {
        let mut session = Session::new(Settings::from_values(&BTreeMap::new()).unwrap()).unwrap();
        session.step_epoch().unwrap();
        let engine = session.class_similarity().unwrap();
        let names = session.data().class_names.clone();
        for diagonal in [Diagonal::Greyed, Diagonal::Coloured] {
            let (area, recorded) = test_backend::area(520, 300);
            draw_heatmap(&area, &engine, &names, diagonal, ChartScale::default()).unwrap();
            let texts = recorded.borrow().texts.clone();
            for row in &engine.matrix {
                for value in row {
                    assert!(texts.iter().any(|(t, _)| *t == cell_text(*value)), "{value} in {texts:?}");
                }
            }
        }

        // Distinct values: each is drawn right of its left neighbour and below the cell above.
        let values = vec![vec![0.71, 0.12, 0.17], vec![0.21, 0.64, 0.15], vec![0.05, 0.33, 0.62]];
        let (area, recorded) = test_backend::area(520, 300);
        draw_heatmap(&area, &similarity(values.clone()), &[], Diagonal::Greyed, ChartScale::default()).unwrap();
        let texts = recorded.borrow().texts.clone();
        let at = |v: f32| texts.iter().find(|(t, _)| *t == cell_text(v)).map(|(_, p)| *p).unwrap();
        for r in 0..3 {
            for c in 0..3 {
                if c > 0 {
                    assert!(at(values[r][c]).0 > at(values[r][c - 1]).0);
                    assert_eq!(at(values[r][c]).1, at(values[r][c - 1]).1);
                }
                if r > 0 {
                    assert!(at(values[r][c]).1 > at(values[r - 1][c]).1);
                }
            }
        }
        let caption = "Each row sums to 1. Diagonal greyed; colours scaled to the largest off-diagonal value, 0.33.";
        assert!(texts.iter().any(|(t, _)| t == caption), "{texts:?}");
        assert!(
            texts.iter().any(|(t, _)| t.starts_with("Which classes the teacher finds alike") && t.ends_with("(T = 4)")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|(t, _)| t == "true class")
                && texts.iter().any(|(t, _)| t == "teacher's soft label for class")
        );
    }

    #[test]
    fn the_colour_scale_tops_at_the_largest_off_diagonal_value_when_greyed() {
        let m = vec![vec![0.9, 0.1], vec![0.3, 0.7]];
        assert_eq!(scale_top(&m, Diagonal::Greyed), 0.3);
        assert_eq!(scale_top(&m, Diagonal::Coloured), 0.9);
        assert_eq!(scale_top(&[vec![0.4]], Diagonal::Greyed), 0.4); // no off-diagonal cells
        assert_eq!(scale_top(&[vec![f32::NAN, 0.0], vec![0.0, f32::NAN]], Diagonal::Greyed), 1.0);
        assert_eq!(scale_top(&[], Diagonal::Coloured), 1.0);
    }

    #[test]
    fn the_ramp_runs_from_white_to_dark_blue_and_text_turns_white_on_dark_cells() {
        assert_eq!(ramp_color(0.0), RAMP[0]);
        assert_eq!(ramp_color(1.0), RAMP[8]);
        assert_eq!(ramp_color(7.0), RAMP[8]);
        assert_eq!(ramp_color(f64::NAN), WHITE);
        // Lightness falls monotonically along the ramp (readable in greyscale too).
        let lightness =
            |RGBColor(r, g, b): RGBColor| 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        let steps: Vec<f64> = (0..=20).map(|k| lightness(ramp_color(f64::from(k) / 20.0))).collect();
        assert!(steps.windows(2).all(|w| w[1] <= w[0]), "{steps:?}");
        assert!(!is_dark(ramp_color(0.1)) && is_dark(ramp_color(1.0)) && !is_dark(DIAGONAL_GREY));
    }

    #[test]
    fn rows_without_samples_show_a_dash() {
        let mut s = similarity(vec![vec![0.8, 0.2], vec![0.0, 0.0]]);
        s.counts = vec![4, 0];
        let (area, recorded) = test_backend::area(520, 300);
        draw_heatmap(&area, &s, &[], Diagonal::Greyed, ChartScale::default()).unwrap();
        assert_eq!(recorded.borrow().texts.iter().filter(|(t, _)| t == "–").count(), 2);
    }

    #[test]
    fn odd_inputs_draw_without_error() {
        let ten: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let mut nan = similarity(vec![vec![f32::NAN, 0.5], vec![f32::INFINITY, 0.1]]);
        nan.temperature = f32::NAN;
        let cases = [
            similarity(vec![]),
            similarity(vec![vec![]]),
            similarity(vec![vec![1.0]]),
            nan,
            similarity(vec![vec![0.5, 0.5, 0.0], vec![0.1]]), // ragged
            similarity((0..10).map(|r| (0..10).map(|c| if r == c { 0.91 } else { 0.01 }).collect()).collect()),
            ClassSimilarity { temperature: 1.0, matrix: vec![vec![0.5, 0.5]; 2], counts: vec![] },
        ];
        for case in &cases {
            for diagonal in [Diagonal::Greyed, Diagonal::Coloured] {
                for (w, h, ratio) in
                    [(520, 300, 1.0), (1040, 600, 2.0), (360, 260, 1.0), (20, 10, 1.0), (0, 0, 1.0), (160, 125, 1.0)]
                {
                    let (area, _) = test_backend::area(w, h);
                    draw_heatmap(&area, case, &ten, diagonal, ChartScale::new(ratio)).unwrap();
                    draw_heatmap(&area, case, &[], diagonal, ChartScale::new(ratio)).unwrap();
                }
            }
        }
        let (area, recorded) = test_backend::area(520, 300);
        draw_heatmap(&area, &cases[0], &ten, Diagonal::Greyed, ChartScale::default()).unwrap();
        assert_eq!(recorded.borrow().texts.len(), 1);
    }
}
