//! The selected sample's labels as small multiples: the hard (one-hot) label, the teacher's soft
//! label at T = 1 and at the current T, and the two students' outputs at T. Each panel is a bar
//! chart over the classes on the same 0–1 scale, with each probability printed above its bar
//! exactly as the engine computed it (two decimals) and the true class shaded and outlined.

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::text::{text, text_with};
use super::{chart_err, draw_message, fit_size, short_number, ChartScale};
use crate::error::KdError;
use crate::session::SampleReport;

/// One bar chart: a title and one value per class.
pub struct BarPanel<'a> {
    pub title: String,
    pub values: &'a [f32],
}

/// The five panels of a sample report, in reading order; without the teacher's two when the
/// method trains no teacher (`has_teacher` false: an untrained teacher's outputs are noise).
pub fn sample_panels<'a>(report: &'a SampleReport, class_names: &[String], has_teacher: bool) -> Vec<BarPanel<'a>> {
    let t = short_number(report.temperature);
    let true_class = class_names.get(report.label).cloned().unwrap_or_else(|| report.label.to_string());
    let mut panels =
        vec![BarPanel { title: text_with("chart.bars.hard", &[("class", &true_class)]), values: &report.hard_label }];
    if has_teacher {
        panels.push(BarPanel { title: text("chart.bars.teacherT1"), values: &report.teacher_t1 });
        panels.push(BarPanel { title: text_with("chart.bars.teacher", &[("t", &t)]), values: &report.teacher_at_t });
    }
    panels.push(BarPanel { title: text_with("chart.bars.distilled", &[("t", &t)]), values: &report.kd_student_at_t });
    panels
        .push(BarPanel { title: text_with("chart.bars.control", &[("t", &t)]), values: &report.control_student_at_t });
    panels
}

/// Draws the sample report's panels in a row (or in two rows on a narrow canvas).
pub fn draw_sample_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &SampleReport,
    class_names: &[String],
    has_teacher: bool,
    scale: ChartScale,
) -> Result<(), KdError> {
    draw_bar_panels(area, &sample_panels(report, class_names, has_teacher), class_names, Some(report.label), scale)
}

/// Draws `panels` side by side, each over the classes named `class_names` (or numbered when the
/// names are missing), shading the column of `true_class`.
pub fn draw_bar_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panels: &[BarPanel<'_>],
    class_names: &[String],
    true_class: Option<usize>,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let classes = panels.iter().map(|p| p.values.len()).max().unwrap_or(0);
    if panels.is_empty() || classes == 0 {
        return draw_message(area, &text("chart.message.noClasses"), scale);
    }
    let (width, height) = area.dim_in_pixel();
    let columns = panel_columns(panels.len(), (f64::from(width) / scale.ratio(), f64::from(height) / scale.ratio()));
    let rows = panels.len().div_ceil(columns);
    let (cell_w, cell_h) = (width as i32 / columns as i32, height as i32 / rows as i32);
    let labels: Vec<String> =
        (0..classes).map(|c| class_names.get(c).cloned().unwrap_or_else(|| c.to_string())).collect();
    // The class labels are the same in every panel: fit their font once.
    let slot = f64::from(cell_w - scale.px(24.0) - 2 * scale.px(6.0)) / classes as f64;
    let label_size = fitting_font(area, &labels, (slot * 0.95) as i32, (11.0, 7.0), scale)?;
    // The titles share one size too (the one at which the longest fits its panel): charts side by side whose titles
    // change size from panel to panel read as unrelated.
    let titles: Vec<String> = panels.iter().map(|p| p.title.clone()).collect();
    let title_room = cell_w - 2 * scale.px(6.0);
    let title_w = widest(area, &titles, &scale.bold(TITLE_SIZE.0, palette::TEXT), &mut HashMap::new())?;
    let title_size = fit_size(title_w, title_room, TITLE_SIZE);
    let mut value_widths = HashMap::new();
    for (i, panel) in panels.iter().enumerate() {
        let (col, row) = ((i % columns) as i32, (i / columns) as i32);
        let rect = (col * cell_w, row * cell_h, (col + 1) * cell_w, (row + 1) * cell_h);
        let classes = Classes { labels: &labels, label_size, title_size, true_class };
        draw_panel(area, panel, &classes, rect, &mut value_widths, scale)?;
    }
    Ok(())
}

/// How wide a panel reads best against its height: its bars, their printed values and its title need more width
/// than height.
const PANEL_ASPECT: f64 = 1.7;

/// How many panels side by side: on a wide, low canvas all in a row; on a narrower or taller one (a phone's, a
/// side column's) in rows of fewer, so that each panel is as large as the canvas allows at about `PANEL_ASPECT`
/// (the panels' width divided by that, or their height, whichever is less, is largest).
fn panel_columns(panels: usize, (width, height): (f64, f64)) -> usize {
    if panels <= 2 || !(width.is_finite() && height.is_finite()) {
        return panels.max(1);
    }
    let size = |columns: usize| {
        let rows = panels.div_ceil(columns);
        (width / columns as f64 / PANEL_ASPECT).min(height / rows as f64)
    };
    (2..=panels).fold(2, |best, columns| if size(columns) > size(best) { columns } else { best })
}

/// The largest font size (CSS px, at most `largest`, at least `smallest`) at which every text fits
/// in `width` pixels (see [`fit_size`]).
fn fitting_font<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: &[String],
    width: i32,
    sizes: (f64, f64),
    scale: ChartScale,
) -> Result<f64, KdError> {
    let measured = widest(area, texts, &scale.text(sizes.0, palette::TEXT), &mut HashMap::new())?;
    Ok(fit_size(measured, width, sizes))
}

/// The width in pixels of the widest text, measuring each distinct text once (`cache`).
fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: &[String],
    style: &TextStyle<'_>,
    cache: &mut HashMap<String, i32>,
) -> Result<i32, KdError> {
    let mut widest = 0;
    for text in texts {
        let width = match cache.get(text) {
            Some(&w) => w,
            None => {
                let w = area.estimate_text_size(text, style).map_err(chart_err)?.0 as i32;
                cache.insert(text.clone(), w);
                w
            }
        };
        widest = widest.max(width);
    }
    Ok(widest)
}

/// A probability as printed above its bar.
fn value_text(v: f32) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        format!("{v}")
    }
}

/// The largest and the smallest size of a panel's title (CSS px).
const TITLE_SIZE: (f64, f64) = (12.5, 8.0);

/// What the panels share: the class labels, their font size, the titles' font size, the true class.
struct Classes<'a> {
    labels: &'a [String],
    label_size: f64,
    title_size: f64,
    true_class: Option<usize>,
}

/// Draws one bar chart in the pixel rectangle `(left, top, right, bottom)`; nothing when it is
/// too small to be legible.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &BarPanel<'_>,
    shared: &Classes<'_>,
    (left, top, right, bottom): (i32, i32, i32, i32),
    value_widths: &mut HashMap<String, i32>,
    scale: ChartScale,
) -> Result<(), KdError> {
    let Classes { labels, label_size, title_size, true_class } = *shared;
    let classes = labels.len() as i32;
    let axis_w = scale.px(24.0);
    let pad = scale.px(6.0);
    let plot_left = left + axis_w + pad;
    let plot_right = right - pad;
    if plot_right - plot_left < classes || bottom - top < scale.px(60.0) {
        return Ok(()); // Too small to draw anything legible.
    }
    let slot = f64::from(plot_right - plot_left) / f64::from(classes);

    // Title, at the size shared by the panels.
    let title_style = scale.bold(title_size, palette::TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    // centred on the panel, whose width the shared size was fitted to (not on the plot, which is off centre)
    area.draw(&Text::new(panel.title.clone(), ((left + right) / 2, top + scale.px(4.0)), title_style))
        .map_err(chart_err)?;

    let label_h = scale.px(label_size + 7.0);

    // The printed values: horizontal when they fit the slot, else turned to read upwards.
    let texts: Vec<String> = panel.values.iter().map(|&v| value_text(v)).collect();
    let value_size = if classes > 5 { 9.5 } else { 10.5 };
    let value_style = scale.text(value_size, palette::TEXT);
    let value_w = widest(area, &texts, &value_style, value_widths)?;
    let rotated = f64::from(value_w) > slot * 0.92;
    let value_room = if rotated { value_w + scale.px(4.0) } else { scale.px(value_size + 5.0) };

    let y_zero = bottom - label_h - pad;
    let y_one = top + scale.px(22.0) + value_room;
    if y_zero - y_one < scale.px(20.0) {
        return Ok(());
    }
    let y_of = |v: f64| y_zero - (v.clamp(0.0, 1.0) * f64::from(y_zero - y_one)).round() as i32;
    let x_of = |class: i32, offset: f64| plot_left + (slot * (f64::from(class) + offset)).round() as i32;

    // The true class's column, shaded.
    if let Some(c) = true_class.filter(|&c| (c as i32) < classes) {
        let band = [(x_of(c as i32, 0.04), y_one - value_room), (x_of(c as i32, 0.96), y_zero)];
        area.draw(&Rectangle::new(band, RGBColor(0xEE, 0xEE, 0xEE).filled())).map_err(chart_err)?;
    }
    // Grid and y ticks.
    let tick_style = scale.text(10.0, palette::MUTED).pos(Pos::new(HPos::Right, VPos::Center));
    for (v, label) in [(0.0, "0"), (0.5, "0.5"), (1.0, "1")] {
        let y = y_of(v);
        let line = if v == 0.0 { palette::GRID_DARK } else { palette::GRID };
        area.draw(&PathElement::new(vec![(plot_left, y), (plot_right, y)], line.stroke_width(1))).map_err(chart_err)?;
        area.draw(&Text::new(label, (plot_left - scale.px(4.0), y), tick_style.clone())).map_err(chart_err)?;
    }
    for v in [0.25, 0.75] {
        let y = y_of(v);
        area.draw(&PathElement::new(vec![(plot_left, y), (plot_right, y)], palette::GRID.stroke_width(1)))
            .map_err(chart_err)?;
    }

    // Bars, values and class labels.
    let label_style = scale.text(label_size, palette::TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    let true_label_style = scale.bold(label_size, palette::TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    for (c, label) in labels.iter().enumerate() {
        let class = c as i32;
        let value = panel.values.get(c).copied().unwrap_or(f32::NAN);
        let is_true = true_class == Some(c);
        let top_y = y_of(if value.is_finite() { f64::from(value) } else { 0.0 });
        let bar = [(x_of(class, 0.18), top_y), (x_of(class, 0.82), y_zero)];
        if top_y < y_zero {
            area.draw(&Rectangle::new(bar, palette::class_color(c).filled())).map_err(chart_err)?;
        }
        let outline =
            if is_true { palette::INK.stroke_width(scale.size(2.0)) } else { palette::INK.mix(0.45).stroke_width(1) };
        if top_y < y_zero || is_true {
            area.draw(&Rectangle::new(bar, outline)).map_err(chart_err)?;
        }
        let centre = x_of(class, 0.5);
        let text = texts.get(c).cloned().unwrap_or_default();
        let gap = scale.px(3.0);
        if rotated {
            let style = value_style.clone().transform(FontTransform::Rotate270).pos(Pos::new(HPos::Left, VPos::Center));
            area.draw(&Text::new(text, (centre, top_y - gap), style)).map_err(chart_err)?;
        } else {
            let style = value_style.clone().pos(Pos::new(HPos::Center, VPos::Bottom));
            area.draw(&Text::new(text, (centre, top_y - gap), style)).map_err(chart_err)?;
        }
        let style = if is_true { true_label_style.clone() } else { label_style.clone() };
        area.draw(&Text::new(label.clone(), (centre, y_zero + scale.px(4.0)), style)).map_err(chart_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_backend;
    use crate::data::SplitName;

    fn report(values: Vec<f32>, label: usize) -> SampleReport {
        SampleReport {
            split: SplitName::Test,
            index: 0,
            label,
            class_name: String::new(),
            features: vec![],
            hard_label: (0..values.len()).map(|c| if c == label { 1.0 } else { 0.0 }).collect(),
            temperature: 4.0,
            alpha: 0.7,
            teacher_logits: values.clone(),
            teacher_t1: values.clone(),
            teacher_at_t: values.clone(),
            kd_student_at_t: values.clone(),
            control_student_at_t: values.clone(),
            kd_student_t1: values.clone(),
            control_student_t1: values,
            soft_loss: 0.0,
            hard_loss: 0.0,
            total_loss: 0.0,
        }
    }

    #[test]
    fn prints_the_engines_numbers_above_the_bars() {
        let (area, recorded) = test_backend::area(1150, 210);
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        draw_sample_bars(&area, &report(vec![0.123, 0.456, 0.421], 1), &names, true, ChartScale::default()).unwrap();
        let texts: Vec<String> = recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect();
        // Four panels show the same probabilities; the hard label shows 0, 1, 0.
        assert_eq!(texts.iter().filter(|t| *t == "0.12").count(), 4, "{texts:?}");
        assert_eq!(texts.iter().filter(|t| *t == "0.46").count(), 4);
        assert_eq!(texts.iter().filter(|t| *t == "1.00").count(), 1);
        assert!(texts.contains(&"Hard label (true class b)".to_string()));
        assert!(texts.contains(&"Distilled student, T = 4".to_string()));
    }

    #[test]
    fn panels_go_in_rows_on_a_narrow_or_tall_canvas() {
        assert_eq!(panel_columns(5, (1150.0, 210.0)), 5, "a laptop's full width: one row");
        assert_eq!(panel_columns(5, (440.0, 210.0)), 3, "a side column: 3 + 2");
        assert_eq!(panel_columns(5, (340.0, 270.0)), 2, "a phone: 2 + 2 + 1, each panel wide enough for its title");
        assert_eq!(panel_columns(3, (340.0, 270.0)), 2);
        assert_eq!(panel_columns(2, (340.0, 270.0)), 2);
    }

    #[test]
    fn the_titles_are_centred_on_their_panels() {
        // a phone's canvas (340 × 270 CSS px at 2×): two columns, each title centred on its own half
        let (area, recorded) = test_backend::area(680, 540);
        let ten: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        draw_sample_bars(&area, &report(vec![0.1; 10], 3), &ten, true, ChartScale::new(2.0)).unwrap();
        let recorded = recorded.borrow();
        let titles: Vec<_> =
            recorded.texts.iter().filter(|(t, _)| t.contains("T = ") || t.starts_with("Hard")).collect();
        assert_eq!(titles.len(), 5, "{titles:?}");
        assert!(titles.iter().all(|(_, (x, _))| *x == 170 || *x == 510), "{titles:?}");
    }

    #[test]
    fn odd_inputs_draw_without_error() {
        let ten: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let cases = [
            report(vec![], 0),
            report(vec![0.1; 10], 3),
            report(vec![f32::NAN, 2.0, -1.0], 0),
            report(vec![1.0], 0),
            report(vec![0.5, 0.5], 7), // a label beyond the classes
        ];
        for case in &cases {
            for (w, h) in [(1150, 210), (2300, 420), (350, 210), (20, 10)] {
                let (area, _) = test_backend::area(w, h);
                draw_sample_bars(&area, case, &ten, true, ChartScale::new(if w > 2000 { 2.0 } else { 1.0 })).unwrap();
                draw_sample_bars(&area, case, &[], false, ChartScale::default()).unwrap();
            }
        }
    }
}
