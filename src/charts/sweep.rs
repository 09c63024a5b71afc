//! The selected sample's soft label as the temperature changes: the teacher's
//! `softmax(z_t/T)_k` for every class k as T sweeps the temperature slider's range, on a log axis.
//! At small T the soft label is nearly the hard label; as T grows the mass spreads over the wrong
//! classes (the "dark knowledge") until, at very large T, every class gets about 1/K.
//!
//! One line per class (class colour, solid for classes 0–4 and dashed for 5–9, and the class's
//! marker shape every few points, so colour is never the only cue; the true class thicker), a
//! vertical line at the current T with a dot on each curve, a dotted line at T = 1 (the ordinary
//! softmax), and a key on the right that also reads out every class's probability at the current T.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::text::{split_text, text, text_with};
use super::{
    chart_err, draw_class_marker, draw_line, draw_message, draw_title, house_mesh, short_number, ChartScale, Dash,
    LineLook, Span, BOLD_WIDTH,
};
use crate::dark_knowledge::temperature_sweep;
use crate::error::KdError;
use crate::session::SampleInsight;

/// The temperatures labelled on the x axis (those inside the sweep's range are drawn).
const T_TICKS: [f64; 11] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0];

/// Markers along a line: about this many per line.
const MARKERS_PER_LINE: usize = 8;

/// The x coordinate of temperature `t`: `log10 T` (NaN when T is not a positive finite number,
/// which the line drawing turns into a gap).
fn log_t(t: f32) -> f64 {
    if t.is_finite() && t > 0.0 {
        f64::from(t).log10()
    } else {
        f64::NAN
    }
}

/// The look of class `class`'s line: its colour (darkened yellow on white), solid for classes 0–4
/// and dashed for 5–9 (the marker shapes repeat every five classes, so colour, dash and shape
/// together tell ten classes apart), thicker for the true class.
pub fn class_look(class: usize, is_true: bool) -> LineLook {
    LineLook {
        color: palette::point_color(class),
        width: if is_true { 3.0 } else { 1.6 },
        dash: if class % palette::CLASS_COLORS.len() >= 5 { Dash::Dashed } else { Dash::Solid },
        markers: false,
    }
}

/// A probability as printed in the key (two decimals, as the sample bars print them).
pub fn probability_text(p: f32) -> String {
    if p.is_finite() {
        format!("{p:.2}")
    } else {
        format!("{p}")
    }
}

/// Draws the teacher's soft label of `insight`'s sample against the temperature.
pub fn draw_temperature_sweep<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    insight: &SampleInsight,
    class_names: &[String],
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let sweep = &insight.sweep;
    let classes = sweep.probabilities.iter().map(Vec::len).max().unwrap_or(0);
    let log_temperatures: Vec<f64> = sweep.temperatures.iter().map(|&t| log_t(t)).collect();
    let x_span = match Span::of(log_temperatures.iter().copied()) {
        Some(span) if classes > 0 => span,
        _ => return draw_message(area, &text("chart.sweep.empty"), scale),
    };
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    if width < scale.px(160.0) || height < scale.px(110.0) {
        return Ok(()); // Too small to draw anything legible.
    }
    let name = |class: usize| class_names.get(class).cloned().unwrap_or_else(|| class.to_string());

    // The soft label at the current T, computed by the engine's own function.
    let temperature = insight.temperature;
    let at_t: Vec<f32> =
        temperature_sweep(&insight.teacher_logits, &[temperature]).probabilities.into_iter().next().unwrap_or_default();
    let value_at = |class: usize| at_t.get(class).copied().unwrap_or(f32::NAN);

    // Title: as much as fits.
    let pad = scale.px(8.0);
    let true_class = name(insight.label);
    let titles = [
        text_with(
            "chart.sweep.title",
            &[("split", &split_text(insight.split)), ("index", &insight.index.to_string()), ("class", &true_class)],
        ),
        text_with("chart.sweep.titleShort", &[("class", &true_class)]),
        text("chart.sweep.titleShortest"),
    ];
    draw_title(area, &titles, (pad, scale.px(6.0)), width - 2 * pad, scale)?;

    // The key on the right: one row per class, with its probability at the current T.
    let key = Key::measure(area, classes, &name, &at_t, temperature, scale)?;
    let key_left = width - pad - key.width;
    let (plot_area, _) = area.split_horizontally((key_left - scale.px(6.0)).max(1));

    let mut chart = ChartBuilder::on(&plot_area)
        .margin_top(scale.px(42.0))
        .margin_right(scale.px(8.0))
        .margin_left(scale.px(4.0))
        .margin_bottom(scale.px(2.0))
        .x_label_area_size(scale.px(34.0))
        .y_label_area_size(scale.px(44.0))
        .build_cartesian_2d(x_span.min..x_span.max, -0.02f64..1.03f64)
        .map_err(chart_err)?;
    let mut mesh = chart.configure_mesh();
    house_mesh(&mut mesh, scale)
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&|y: &f64| short_number(*y as f32))
        .x_desc(text("chart.sweep.x"))
        .y_desc(text("chart.sweep.y"))
        .draw()
        .map_err(chart_err)?;
    let (bx, by) = area.get_base_pixel();
    let to_area = |(x, y): (i32, i32)| (x - bx, y - by);
    let (plot_top, plot_bottom) = {
        let (_, ys) = chart.plotting_area().get_pixel_range();
        (ys.start - by, ys.end - by)
    };

    // The temperature ticks: light grid lines and labels under the axis.
    let tick_style = scale.text(11.0, palette::TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    for t in T_TICKS {
        let x = t.log10();
        if x < x_span.min - 1e-9 || x > x_span.max + 1e-9 {
            continue;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(x, 0.0), (x, 1.0)], palette::GRID.stroke_width(1))))
            .map_err(chart_err)?;
        let (px, py) = to_area(chart.backend_coord(&(x, -0.02)));
        area.draw(&Text::new(short_number(t as f32), (px, py + scale.px(6.0)), tick_style.clone()))
            .map_err(chart_err)?;
    }

    // T = 1, the ordinary softmax: a dotted line.
    let one = 0.0; // log10(1)
    let one_inside = one >= x_span.min && one <= x_span.max;
    if one_inside {
        chart
            .draw_series(DashedLineSeries::new(
                [(one, -0.02), (one, 1.03)],
                scale.size(2.0),
                scale.size(3.0),
                palette::MUTED.stroke_width(scale.size(1.5)),
            ))
            .map_err(chart_err)?;
    }

    // The lines: every class, the true class last (on top).
    let order = (0..classes).filter(|&c| c != insight.label).chain((insight.label < classes).then_some(insight.label));
    for class in order {
        let is_true = class == insight.label;
        let points: Vec<(f64, f64)> = log_temperatures
            .iter()
            .zip(&sweep.probabilities)
            .map(|(&x, row)| (x, row.get(class).map_or(f64::NAN, |&p| f64::from(p))))
            .collect();
        draw_line(&mut chart, &points, class_look(class, is_true), scale)?;
        // The class's marker every few points, staggered between classes so that where the lines
        // meet (large T) the markers do not all sit on top of each other.
        let every = points.len().div_ceil(MARKERS_PER_LINE).max(1);
        let offset = (class * every / classes.max(1) + every / 2) % every;
        for (i, &(x, y)) in points.iter().enumerate() {
            // Where every class is near 0 the lines overlap and markers would only clutter.
            if i % every == offset && x.is_finite() && y.is_finite() && y >= 0.015 {
                let centre = to_area(chart.backend_coord(&(x, y)));
                draw_class_marker(area, centre, class, false, if is_true { 3.8 } else { 3.0 }, scale)?;
            }
        }
    }

    // The current T: a vertical line, its label above the plot, and a dot on every curve.
    let x_now = log_t(temperature);
    if x_now.is_finite() && x_now >= x_span.min - 1e-9 && x_now <= x_span.max + 1e-9 {
        let x_now = x_now.clamp(x_span.min, x_span.max);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x_now, -0.02), (x_now, 1.03)],
                palette::INK.stroke_width(scale.size(1.5)),
            )))
            .map_err(chart_err)?;
        let (px, _) = to_area(chart.backend_coord(&(x_now, 1.0)));
        let now_label = format!("T = {}", short_number(temperature));
        let now_style = scale.bold(12.0, palette::TEXT);
        let (now_w, _) = area.estimate_text_size(&now_label, &now_style).map_err(chart_err)?;
        let now_w = (f64::from(now_w) * BOLD_WIDTH).ceil() as i32;
        let label_y = plot_top - scale.px(4.0);
        // Centred over the line, but clear of the key's header on the right.
        let now_x = (px - now_w / 2).clamp(pad, (key_left - now_w - scale.px(12.0)).max(pad));
        area.draw(&Text::new(now_label, (now_x, label_y), now_style.pos(Pos::new(HPos::Left, VPos::Bottom))))
            .map_err(chart_err)?;
        if one_inside {
            // "T = 1" beside its dotted line, unless it would run into the current T's label.
            let (one_px, _) = to_area(chart.backend_coord(&(one, 1.0)));
            let one_label = "T = 1";
            let one_style = scale.text(11.0, palette::MUTED);
            let (one_w, _) = area.estimate_text_size(one_label, &one_style).map_err(chart_err)?;
            let one_x = one_px - one_w as i32 / 2;
            let gap = scale.px(6.0);
            if one_x + one_w as i32 + gap < now_x || one_x > now_x + now_w + gap {
                area.draw(&Text::new(one_label, (one_x, label_y), one_style.pos(Pos::new(HPos::Left, VPos::Bottom))))
                    .map_err(chart_err)?;
            }
        }
        for class in
            (0..classes).filter(|&c| c != insight.label).chain((insight.label < classes).then_some(insight.label))
        {
            let p = value_at(class);
            if p.is_finite() {
                let centre = to_area(chart.backend_coord(&(x_now, f64::from(p))));
                let radius = if class == insight.label { 5.0 } else { 4.0 };
                draw_class_marker(area, centre, class, true, radius, scale)?;
                if class == insight.label {
                    // The true class's probability beside its dot (all of them are in the key).
                    let text = probability_text(p);
                    let style = scale.bold(11.0, palette::TEXT);
                    let (text_w, _) = area.estimate_text_size(&text, &style).map_err(chart_err)?;
                    let beside = scale.px(8.0);
                    let (x, anchor) = if centre.0 + beside + text_w as i32 <= key_left - scale.px(10.0) {
                        (centre.0 + beside, HPos::Left)
                    } else {
                        (centre.0 - beside, HPos::Right)
                    };
                    area.draw(&Text::new(text, (x, centre.1), style.pos(Pos::new(anchor, VPos::Center))))
                        .map_err(chart_err)?;
                }
            }
        }
    }

    key.draw(area, (key_left, plot_top, plot_bottom), insight.label, scale)
}

/// The key on the right of the chart: the class's line sample, its name and its probability at
/// the current T.
struct Key {
    /// (class, name, probability at T as printed)
    rows: Vec<(usize, String, String)>,
    header: String,
    name_width: i32,
    value_width: i32,
    width: i32,
    font: f64,
}

impl Key {
    const SAMPLE: f64 = 24.0;

    fn measure<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        classes: usize,
        name: &dyn Fn(usize) -> String,
        at_t: &[f32],
        temperature: f32,
        scale: ChartScale,
    ) -> Result<Key, KdError> {
        let font = if classes > 6 { 10.5 } else { 11.5 };
        let bold = scale.bold(font, palette::TEXT);
        let bold_width = |text: &str| -> Result<i32, KdError> {
            Ok((f64::from(area.estimate_text_size(text, &bold).map_err(chart_err)?.0) * BOLD_WIDTH).ceil() as i32)
        };
        let mut name_width = 0;
        let mut value_width = 0;
        let mut rows = Vec::with_capacity(classes);
        for class in 0..classes {
            let label = name(class);
            name_width = name_width.max(bold_width(&label)?);
            let value = probability_text(at_t.get(class).copied().unwrap_or(f32::NAN));
            value_width = value_width.max(bold_width(&value)?);
            rows.push((class, label, value));
        }
        let header = text_with("chart.sweep.keyHeader", &[("t", &short_number(temperature))]);
        let header_width =
            area.estimate_text_size(&header, &scale.text(10.5, palette::MUTED)).map_err(chart_err)?.0 as i32;
        let gap = scale.px(6.0);
        let width = (scale.px(Self::SAMPLE) + gap + name_width + gap + value_width).max(header_width);
        Ok(Key { rows, header, name_width, value_width, width, font })
    }

    /// Draws the key from `left`, its rows spread over the plot's height (`top` to `bottom`).
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (left, top, bottom): (i32, i32, i32),
        true_class: usize,
        scale: ChartScale,
    ) -> Result<(), KdError> {
        let gap = scale.px(6.0);
        let header_y = top - scale.px(4.0);
        area.draw(&Text::new(
            self.header.clone(),
            (left + self.width, header_y),
            scale.text(10.5, palette::MUTED).pos(Pos::new(HPos::Right, VPos::Bottom)),
        ))
        .map_err(chart_err)?;
        let count = self.rows.len().max(1) as i32;
        let row = ((bottom - top) / count).clamp(1, scale.px(17.0));
        let sample_w = scale.px(Self::SAMPLE);
        for (i, (class, label, value)) in self.rows.iter().enumerate() {
            let class = *class;
            let is_true = class == true_class;
            let y = top + row * i as i32 + row / 2;
            let look = class_look(class, is_true);
            let style = ShapeStyle { color: look.color.to_rgba(), filled: false, stroke_width: scale.size(look.width) };
            let (a, b) = ((left, y), (left + sample_w, y));
            match look.dash {
                Dash::Dashed => area.draw(&plotters::element::DashedPathElement::new(
                    vec![a, b],
                    scale.size(6.0),
                    scale.size(4.0),
                    style,
                )),
                _ => area.draw(&PathElement::new(vec![a, b], style)),
            }
            .map_err(chart_err)?;
            draw_class_marker(area, (left + sample_w / 2, y), class, false, if is_true { 3.8 } else { 3.0 }, scale)?;
            let text_style =
                if is_true { scale.bold(self.font, palette::TEXT) } else { scale.text(self.font, palette::TEXT) };
            let name_x = left + sample_w + gap;
            area.draw(&Text::new(
                label.clone(),
                (name_x, y),
                text_style.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(chart_err)?;
            let value_x = name_x + self.name_width + gap + self.value_width;
            area.draw(&Text::new(value.clone(), (value_x, y), text_style.pos(Pos::new(HPos::Right, VPos::Center))))
                .map_err(chart_err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::charts::test_backend;
    use crate::dark_knowledge::{log_spaced, sample_gradients};
    use crate::data::SplitName;
    use crate::session::Session;
    use crate::settings::Settings;

    /// An insight for `logits` at `temperature`, built from the engine's own functions.
    fn insight(logits: Vec<f32>, label: usize, temperature: f32) -> SampleInsight {
        let sweep = temperature_sweep(&logits, &log_spaced(0.25, 50.0, 80));
        let student = vec![0.0; logits.len()];
        let gradients = sample_gradients(
            crate::methods::SoftLoss::Kl,
            &student,
            &logits,
            label.min(logits.len().saturating_sub(1)),
            temperature,
            0.7,
        )
        .unwrap_or_else(|_| {
            sample_gradients(crate::methods::SoftLoss::Kl, &[0.0], &[0.0], 0, temperature, 0.7).unwrap()
        });
        SampleInsight {
            split: SplitName::Test,
            index: 3,
            label,
            temperature,
            alpha: 0.7,
            teacher_logits: logits,
            teacher_entropy_bits: 0.0,
            teacher_entropy_bits_t1: 0.0,
            max_entropy_bits: 0.0,
            wrong_class_mass: 0.0,
            wrong_class_mass_t1: 0.0,
            sweep,
            gradients,
            soft_pull_by_temperature: Vec::new(),
        }
    }

    fn texts(recorded: &std::rc::Rc<std::cell::RefCell<test_backend::Recorded>>) -> Vec<String> {
        recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect()
    }

    #[test]
    fn the_key_prints_the_engines_soft_label_at_the_current_t() {
        let mut session = Session::new(Settings::from_values(&BTreeMap::new()).unwrap()).unwrap();
        session.step_epoch().unwrap();
        session.set_temperature(4.0).unwrap();
        let names = session.data().class_names.clone();
        let insight = session.explain(SplitName::Test, 2).unwrap();
        let report = session.inspect(SplitName::Test, 2).unwrap();
        let (area, recorded) = test_backend::area(1040, 600);
        draw_temperature_sweep(&area, &insight, &names, ChartScale::new(2.0)).unwrap();
        let texts = texts(&recorded);
        for p in &report.teacher_at_t {
            assert!(texts.contains(&format!("{p:.2}")), "{p} in {texts:?}");
        }
        assert!(texts.contains(&"p at T = 4".to_string()), "{texts:?}");
        assert!(texts.contains(&"T = 4".to_string()));
        assert!(texts.iter().any(|t| t.starts_with("Teacher's soft label as T changes (test sample 2")), "{texts:?}");
        for name in &names {
            assert!(texts.contains(name), "{name} in {texts:?}");
        }
    }

    #[test]
    fn the_temperature_axis_is_labelled_at_the_slider_ticks() {
        let (area, recorded) = test_backend::area(520, 300);
        draw_temperature_sweep(&area, &insight(vec![3.0, 1.0, -1.0], 0, 2.0), &[], ChartScale::default()).unwrap();
        let texts = texts(&recorded);
        for tick in ["0.25", "0.5", "1", "2", "5", "10", "20", "50", "T = 1", "T = 2"] {
            assert!(texts.contains(&tick.to_string()), "{tick} in {texts:?}");
        }
        assert!(
            !texts.contains(&"0.1".to_string()) && !texts.contains(&"100".to_string()),
            "ticks outside the range: {texts:?}"
        );
    }

    #[test]
    fn odd_inputs_draw_without_error() {
        let ten: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let mut empty = insight(vec![1.0, 0.0], 0, 4.0);
        empty.sweep.temperatures.clear();
        empty.sweep.probabilities.clear();
        let mut no_classes = insight(vec![1.0, 0.0], 0, 4.0);
        no_classes.sweep.probabilities = vec![vec![]; no_classes.sweep.temperatures.len()];
        let mut bad_temperatures = insight(vec![2.0, 0.0, 1.0], 1, f32::NAN);
        bad_temperatures.sweep.temperatures[3] = -1.0;
        bad_temperatures.sweep.temperatures[4] = f32::NAN;
        let mut ragged = insight(vec![2.0, 0.0, 1.0], 2, 60.0);
        ragged.sweep.probabilities.truncate(10);
        ragged.sweep.probabilities[2].pop();
        let mut one_temperature = insight(vec![2.0, 0.0], 0, 1.0);
        one_temperature.sweep.temperatures.truncate(1);
        let cases = [
            empty,
            no_classes,
            bad_temperatures,
            ragged,
            one_temperature,
            insight(vec![f32::NAN, 1.0, 0.0], 0, 4.0),
            insight(vec![0.5; 10], 3, 4.0),
            insight(vec![1.0], 0, 0.25),
            insight(vec![1.0, 2.0], 9, 4.0), // a label beyond the classes
        ];
        for case in &cases {
            for (w, h, ratio) in
                [(520, 300, 1.0), (1040, 600, 2.0), (360, 260, 1.0), (20, 10, 1.0), (0, 0, 1.0), (170, 120, 1.0)]
            {
                let (area, _) = test_backend::area(w, h);
                draw_temperature_sweep(&area, case, &ten, ChartScale::new(ratio)).unwrap();
                draw_temperature_sweep(&area, case, &[], ChartScale::new(ratio)).unwrap();
            }
        }
        let (area, recorded) = test_backend::area(520, 300);
        draw_temperature_sweep(&area, &cases[0], &ten, ChartScale::default()).unwrap();
        assert_eq!(texts(&recorded), vec!["No soft labels to show yet".to_string()]);
    }

    #[test]
    fn classes_differ_in_more_than_colour() {
        // Ten classes: five marker shapes, each once solid and once dashed.
        let looks: Vec<(crate::charts::palette::Shape, Dash)> =
            (0..10).map(|c| (palette::class_shape(c), class_look(c, false).dash)).collect();
        for (i, a) in looks.iter().enumerate() {
            assert!(looks.iter().skip(i + 1).all(|b| b != a), "{looks:?}");
        }
        assert!(class_look(2, true).width > class_look(2, false).width);
    }
}
