//! How each term of the distillation loss pulls on the selected sample's student logits: per
//! class, the gradient of the soft term `α·T²·KL`, which is `α·T·(q − p)` with
//! q = softmax(z_s/T) and p = softmax(z_t/T), beside the gradient of the hard term `(1 − α)·CE`,
//! which is `(1 − α)·(softmax(z_s) − y)`.
//!
//! Gradient descent moves each logit against its gradient, so a bar below 0 means the update
//! raises that class's logit. The soft bars are hatched and the hard bars filled (colour is not
//! the only cue). In the "without T²" mode the soft bars show the gradient the soft term would
//! have without its T² factor (exactly 1/T² of it) on the same y scale, next to a dashed outline
//! of the bar with T², so toggling the mode shows the pull shrink.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::text::{text, text_with};
use super::{chart_err, draw_message, draw_title, fit_font, short_number, wrap_text, ChartScale, BOLD_WIDTH};
use crate::error::KdError;
use crate::session::SampleInsight;

/// A gradient as printed at its bar and in the norms: three decimals, or scientific notation when
/// it is too small for three decimals to show (|g| < 0.001).
pub fn gradient_text(g: f32) -> String {
    if !g.is_finite() {
        format!("{g}")
    } else if g == 0.0 {
        "0".to_string()
    } else if g.abs() < 1e-3 {
        format!("{g:.1e}")
    } else {
        format!("{g:.3}")
    }
}

/// The title, longest first (the chart draws the first that fits): what is shown, or in the
/// "without T²" mode how much smaller the soft term's pull is.
pub fn gradients_titles(temperature: f32, alpha: f32, without_t2: bool) -> Vec<String> {
    let t = short_number(temperature);
    if !without_t2 {
        let a = short_number(alpha);
        let values = [("t", t.as_str()), ("a", a.as_str())];
        return vec![
            text_with("chart.gradients.title", &values),
            text_with("chart.gradients.titleShort", &values),
            text_with("chart.gradients.titleShortest", &values),
        ];
    }
    let squared = temperature * temperature;
    let factor = if !squared.is_finite() || squared <= 0.0 {
        text("chart.gradients.factorUnknown")
    } else if (squared - 1.0).abs() < 1e-6 {
        text("chart.gradients.factorSame")
    } else if squared > 1.0 {
        text_with("chart.gradients.factorSmaller", &[("t2", &short_number(squared))])
    } else {
        text_with("chart.gradients.factorLarger", &[("times", &short_number(1.0 / squared))])
    };
    let values = [("factor", factor.as_str()), ("t", t.as_str())];
    vec![
        text_with("chart.gradients.withoutTitle", &values),
        text_with("chart.gradients.withoutTitleShort", &values),
        text_with("chart.gradients.withoutTitleShortest", &values),
    ]
}

/// Draws the soft and hard terms' gradients of `insight`'s sample as grouped bars per class;
/// `without_t2` shows the soft term without its T² factor.
pub fn draw_gradients<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    insight: &SampleInsight,
    class_names: &[String],
    without_t2: bool,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let gradients = &insight.gradients;
    let soft = if without_t2 { &gradients.soft_without_t2 } else { &gradients.soft };
    let hard = &gradients.hard;
    let classes = soft.len().max(hard.len());
    if classes == 0 {
        return draw_message(area, &text("chart.gradients.empty"), scale);
    }
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    if width < scale.px(160.0) || height < scale.px(130.0) {
        return Ok(()); // Too small to draw anything legible.
    }
    let pad = scale.px(8.0);

    // Title, and the key under it.
    let titles = gradients_titles(insight.temperature, insight.alpha, without_t2);
    draw_title(area, &titles, (pad, scale.px(6.0)), width - 2 * pad, scale)?;
    // The layout is the same in both modes (the key's rows, the room for the values), so that
    // toggling the mode changes the soft bars only.
    let key_y = scale.px(30.0);
    let key_rows = key(area, (pad, key_y), width - 2 * pad, !without_t2, false, scale)?.max(key(
        area,
        (pad, key_y),
        width - 2 * pad,
        without_t2,
        true,
        scale,
    )?);

    // Caption at the bottom: how to read the bars, and (when there is room) what the symbols are.
    let narrow = f64::from(width) / scale.ratio() < 480.0;
    let captions = if narrow {
        vec![text("chart.gradients.captionDescent")]
    } else {
        vec![text("chart.gradients.captionDescent"), text("chart.gradients.captionSymbols")]
    };
    let caption_size = if narrow { 10.0 } else { 11.0 };
    let caption_style = scale.text(caption_size, palette::MUTED);
    let mut caption_lines = Vec::new();
    for caption in &captions {
        caption_lines.extend(wrap_text(area, caption, &caption_style, width - 2 * pad)?);
    }
    let caption_row = scale.px(caption_size + 3.0);
    for (i, line) in caption_lines.iter().rev().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (pad, height - scale.px(5.0) - caption_row * i as i32),
            caption_style.clone().pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))
        .map_err(chart_err)?;
    }

    // The plot: y symmetric around 0, from the largest magnitude of both soft modes and the hard
    // term, so the scale does not change when the mode is toggled.
    let axis_w = scale.px(44.0);
    let plot_left = pad + axis_w;
    let plot_right = width - pad;
    let label_h = scale.px(16.0);
    let plot_top = key_y + scale.px(KEY_ROW) * key_rows;
    let plot_bottom = height - scale.px(10.0) - caption_row * caption_lines.len() as i32 - label_h;
    let slot = f64::from(plot_right - plot_left) / classes as f64;
    if slot < 2.0 || plot_bottom - plot_top < scale.px(40.0) {
        return Ok(());
    }
    let largest = [&gradients.soft, &gradients.soft_without_t2, &gradients.hard]
        .iter()
        .flat_map(|values| values.iter())
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, &v| m.max(f64::from(v.abs())));
    let half = if largest > 0.0 { largest } else { 1.0 };

    // The printed values: horizontal when they fit half a slot, else turned to read upwards; room
    // for them is kept above and below the bars.
    let value_size = if classes > 5 {
        if narrow {
            8.0
        } else {
            9.0
        }
    } else {
        10.5
    };
    let value_style = scale.text(value_size, palette::TEXT);
    let soft_texts: Vec<String> =
        (0..classes).map(|c| gradient_text(soft.get(c).copied().unwrap_or(f32::NAN))).collect();
    let hard_texts: Vec<String> =
        (0..classes).map(|c| gradient_text(hard.get(c).copied().unwrap_or(f32::NAN))).collect();
    let other_texts: Vec<String> = (if without_t2 { &gradients.soft } else { &gradients.soft_without_t2 })
        .iter()
        .map(|&g| gradient_text(g))
        .collect();
    let mut value_w = 0;
    for text in soft_texts.iter().chain(&hard_texts).chain(&other_texts) {
        value_w = value_w.max(area.estimate_text_size(text, &value_style).map_err(chart_err)?.0 as i32);
    }
    let rotated = f64::from(value_w) > slot * 0.46;
    let value_room = if rotated { value_w + scale.px(5.0) } else { scale.px(value_size + 5.0) };
    let y_zero = (plot_top + plot_bottom) / 2;
    let reach = (plot_bottom - plot_top) / 2 - value_room;
    if reach < scale.px(15.0) {
        return Ok(());
    }
    let y_of = |v: f64| y_zero - (v / half * f64::from(reach)).round() as i32;
    let x_of = |class: usize, offset: f64| plot_left + (slot * (class as f64 + offset)).round() as i32;

    // The true class's column, shaded.
    if insight.label < classes {
        let band = [(x_of(insight.label, 0.03), plot_top), (x_of(insight.label, 0.97), plot_bottom)];
        area.draw(&Rectangle::new(band, RGBColor(0xF0, 0xF0, 0xF0).filled())).map_err(chart_err)?;
    }

    // Grid and ticks.
    let step = nice_step(half / 2.0);
    let tick_style = scale.text(10.0, palette::MUTED).pos(Pos::new(HPos::Right, VPos::Center));
    let ticks = (half / step).floor() as i32;
    for k in -ticks..=ticks {
        let v = f64::from(k) * step;
        let y = y_of(v);
        let line = if k == 0 { palette::GRID_DARK } else { palette::GRID };
        area.draw(&PathElement::new(vec![(plot_left, y), (plot_right, y)], line.stroke_width(1))).map_err(chart_err)?;
        area.draw(&Text::new(tick_text(v), (plot_left - scale.px(4.0), y), tick_style.clone())).map_err(chart_err)?;
    }
    let axis_title = text("chart.gradients.y");
    let axis_size =
        fit_font(area, &axis_title, &scale.text(11.0, palette::MUTED), plot_bottom - plot_top, (11.0, 8.0))?;
    area.draw(&Text::new(
        axis_title,
        (pad, (plot_top + plot_bottom) / 2),
        scale
            .text(axis_size, palette::MUTED)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(chart_err)?;

    // Bars and values.
    let name = |class: usize| class_names.get(class).cloned().unwrap_or_else(|| class.to_string());
    // The true class's label, bold, shrunk to its column if need be.
    let true_label =
        (insight.label < classes).then(|| text_with("chart.gradients.trueClass", &[("class", &name(insight.label))]));
    let true_size = match &true_label {
        Some(label) => {
            let measured =
                f64::from(area.estimate_text_size(label, &scale.bold(11.0, palette::TEXT)).map_err(chart_err)?.0);
            super::fit_size((measured * BOLD_WIDTH).ceil() as i32, slot.floor() as i32 - scale.px(2.0), (11.0, 7.0))
        }
        None => 11.0,
    };
    let mut occupied = Vec::new(); // the bars' and their values' rectangles
    for (class, (soft_text, hard_text)) in soft_texts.iter().zip(&hard_texts).enumerate() {
        let soft_value = soft.get(class).copied().unwrap_or(f32::NAN);
        let hard_value = hard.get(class).copied().unwrap_or(f32::NAN);
        let soft_span = (x_of(class, 0.1), x_of(class, 0.49));
        let hard_span = (x_of(class, 0.51), x_of(class, 0.9));
        if without_t2 {
            // The bar the soft term would have with its T² factor: a dashed outline.
            if let Some(&with) = gradients.soft.get(class).filter(|v| v.is_finite()) {
                let y = y_of(f64::from(with));
                let outline = (soft_span.0, y.min(y_zero), soft_span.1, y.max(y_zero));
                dashed_outline(area, outline, scale)?;
                occupied.push(outline);
            }
        }
        occupied.extend(draw_bar(area, soft_span, y_zero, soft_value, &y_of, BarFill::Hatched, scale)?);
        occupied.extend(draw_bar(area, hard_span, y_zero, hard_value, &y_of, BarFill::Filled, scale)?);
        for (value, text, span) in [(soft_value, soft_text, soft_span), (hard_value, hard_text, hard_span)] {
            let centre = (span.0 + span.1) / 2;
            // Values go beyond their bar's end: above for positive (and NaN, at 0), below for negative.
            let upward = value >= 0.0 || value.is_nan();
            let end = if value.is_finite() { y_of(f64::from(value)) } else { y_zero };
            let gap = scale.px(3.0);
            let (anchor, y) = match (rotated, upward) {
                (true, true) => (Pos::new(HPos::Left, VPos::Center), end - gap),
                (true, false) => (Pos::new(HPos::Right, VPos::Center), end + gap),
                (false, true) => (Pos::new(HPos::Center, VPos::Bottom), end - gap),
                (false, false) => (Pos::new(HPos::Center, VPos::Top), end + gap),
            };
            let style =
                if rotated { value_style.clone().transform(FontTransform::Rotate270) } else { value_style.clone() };
            // A white backing, so the text stays readable where it crosses a dashed outline.
            let (text_w, text_h) = area.estimate_text_size(text, &value_style).map_err(chart_err)?;
            let (text_w, text_h) = (text_w as i32, text_h as i32);
            let backing = match (rotated, upward) {
                (true, true) => (centre - text_h / 2, y - text_w, centre + text_h / 2, y),
                (true, false) => (centre - text_h / 2, y, centre + text_h / 2, y + text_w),
                (false, true) => (centre - text_w / 2, y - text_h, centre + text_w / 2, y),
                (false, false) => (centre - text_w / 2, y, centre + text_w / 2, y + text_h),
            };
            area.draw(&Rectangle::new([(backing.0, backing.1), (backing.2, backing.3)], WHITE.mix(0.85).filled()))
                .map_err(chart_err)?;
            occupied.push(backing);
            area.draw(&Text::new(text.clone(), (centre, y), style.pos(anchor))).map_err(chart_err)?;
        }
        let is_true = class == insight.label;
        let label = match (&true_label, is_true) {
            (Some(label), true) => label.clone(),
            _ => name(class),
        };
        let label_style = if is_true { scale.bold(true_size, palette::TEXT) } else { scale.text(11.0, palette::TEXT) };
        area.draw(&Text::new(
            label,
            (x_of(class, 0.5), plot_bottom + scale.px(3.0)),
            label_style.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(chart_err)?;
    }

    // The norms, in the corner the bars leave most free.
    let norms = norm_lines(insight, without_t2);
    draw_norms(area, &norms, (plot_left, plot_top, plot_right, plot_bottom), &occupied, scale)
}

/// How a bar is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BarFill {
    /// The soft term: diagonal hatching in its colour, outlined.
    Hatched,
    /// The hard term: solid, outlined.
    Filled,
}

/// Draws one bar from `y_zero` to `value` between the pixel columns `(left, right)` and returns
/// its rectangle; a value too small to see is drawn as a short line at 0, a non-finite one not at
/// all (`None`).
fn draw_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, right): (i32, i32),
    y_zero: i32,
    value: f32,
    y_of: &dyn Fn(f64) -> i32,
    fill: BarFill,
    scale: ChartScale,
) -> Result<Option<(i32, i32, i32, i32)>, KdError> {
    if !value.is_finite() {
        return Ok(None);
    }
    let y = y_of(f64::from(value));
    let rect = (left, y.min(y_zero), right, y.max(y_zero));
    if rect.3 - rect.1 < 1 {
        let line = vec![(left, y_zero), (right, y_zero)];
        let color = if fill == BarFill::Hatched { hatch_color() } else { hard_edge_color() };
        area.draw(&PathElement::new(line, color.stroke_width(scale.size(2.0)))).map_err(chart_err)?;
    } else {
        draw_box(area, rect, fill, scale)?;
    }
    Ok(Some(rect))
}

/// Draws the rectangle `(left, top, right, bottom)` hatched or filled, with its outline.
fn draw_box<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, top, right, bottom): (i32, i32, i32, i32),
    fill: BarFill,
    scale: ChartScale,
) -> Result<(), KdError> {
    let corners = [(left, top), (right, bottom)];
    match fill {
        BarFill::Hatched => {
            area.draw(&Rectangle::new(corners, WHITE.filled())).map_err(chart_err)?;
            hatch(area, (left, top, right, bottom), scale.px(4.0).max(3), hatch_color().stroke_width(scale.size(1.3)))?;
            area.draw(&Rectangle::new(corners, hatch_color().stroke_width(scale.size(1.5)))).map_err(chart_err)
        }
        BarFill::Filled => {
            area.draw(&Rectangle::new(corners, palette::HARD_TERM.filled())).map_err(chart_err)?;
            area.draw(&Rectangle::new(corners, palette::INK.mix(0.7).stroke_width(1))).map_err(chart_err)
        }
    }
}

/// The soft term's hatching: its orange, darkened a little so thin lines show on white.
fn hatch_color() -> RGBColor {
    let RGBColor(r, g, b) = palette::SOFT_TERM;
    RGBColor((f32::from(r) * 0.85) as u8, (f32::from(g) * 0.85) as u8, (f32::from(b) * 0.85) as u8)
}

/// The hard term's colour darkened, for a bar too small to show as more than a line.
fn hard_edge_color() -> RGBColor {
    let RGBColor(r, g, b) = palette::HARD_TERM;
    RGBColor((f32::from(r) * 0.7) as u8, (f32::from(g) * 0.7) as u8, (f32::from(b) * 0.7) as u8)
}

/// Diagonal lines (`/`) every `spacing` pixels across the rectangle `(left, top, right, bottom)`.
fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, top, right, bottom): (i32, i32, i32, i32),
    spacing: i32,
    style: ShapeStyle,
) -> Result<(), KdError> {
    // The lines x + y = c; each is cut to the rectangle.
    let mut c = left + top + spacing;
    while c < right + bottom {
        let x_start = left.max(c - bottom);
        let x_end = right.min(c - top);
        if x_start < x_end {
            area.draw(&PathElement::new(vec![(x_start, c - x_start), (x_end, c - x_end)], style)).map_err(chart_err)?;
        }
        c += spacing;
    }
    Ok(())
}

/// A dashed grey outline of the rectangle `(left, top, right, bottom)`.
fn dashed_outline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, top, right, bottom): (i32, i32, i32, i32),
    scale: ChartScale,
) -> Result<(), KdError> {
    let corners = vec![(left, bottom), (left, top), (right, top), (right, bottom)];
    let style = palette::MUTED.stroke_width(scale.size(1.2));
    area.draw(&DashedPathElement::new(corners, scale.size(3.0), scale.size(3.0), style)).map_err(chart_err)
}

/// The height of a row of the key, in CSS pixels.
const KEY_ROW: f64 = 16.0;

/// The key: a hatched swatch for the soft term, a filled one for the hard term, and in the
/// "without T²" mode the dashed outline of the soft bar with T²; on as many rows as it needs,
/// the first centred on `y`. Returns the number of rows; draws only when `draw`.
fn key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, y): (i32, i32),
    width: i32,
    without_t2: bool,
    draw: bool,
    scale: ChartScale,
) -> Result<i32, KdError> {
    let soft_label = if without_t2 { text("chart.gradients.keySoftWithout") } else { text("chart.gradients.keySoft") };
    // (fill, drawn as a dashed outline, label)
    let mut entries: Vec<(BarFill, bool, String)> =
        vec![(BarFill::Hatched, false, soft_label), (BarFill::Filled, false, text("chart.gradients.keyHard"))];
    if without_t2 {
        entries.push((BarFill::Hatched, true, text("chart.gradients.keySoftWith")));
    }
    let size = if f64::from(width) / scale.ratio() >= 480.0 { 11.0 } else { 10.0 };
    let style = scale.text(size, palette::TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    let swatch = (scale.px(16.0), scale.px(11.0));
    let gap = scale.px(5.0);
    let spacing = scale.px(14.0);
    let (mut x, mut row) = (left, 0);
    for (fill, dashed, label) in entries {
        let (label_w, _) = area.estimate_text_size(&label, &style).map_err(chart_err)?;
        let entry_w = swatch.0 + gap + label_w as i32;
        if x > left && x + entry_w > left + width {
            x = left;
            row += 1;
        }
        if draw {
            let y = y + scale.px(KEY_ROW) * row;
            let rect = (x, y - swatch.1 / 2, x + swatch.0, y + swatch.1 / 2);
            if dashed {
                dashed_outline(area, rect, scale)?;
            } else {
                draw_box(area, rect, fill, scale)?;
            }
            area.draw(&Text::new(label, (x + swatch.0 + gap, y), style.clone())).map_err(chart_err)?;
        }
        x += entry_w + spacing;
    }
    Ok(row + 1)
}

/// The norms printed in the corner: ‖soft‖ and ‖hard‖, and in the "without T²" mode the soft
/// norm without T² first, then with it.
pub fn norm_lines(insight: &SampleInsight, without_t2: bool) -> Vec<String> {
    let g = &insight.gradients;
    let hard = text_with("chart.gradients.normHard", &[("value", &gradient_text(g.hard_norm))]);
    if without_t2 {
        vec![
            text_with("chart.gradients.normSoftWithout", &[("value", &gradient_text(g.soft_without_t2_norm))]),
            text_with("chart.gradients.normSoftWith", &[("value", &gradient_text(g.soft_norm))]),
            hard,
        ]
    } else {
        vec![text_with("chart.gradients.normSoft", &[("value", &gradient_text(g.soft_norm))]), hard]
    }
}

/// Draws `lines` in a small white box at the top or bottom edge of the plot `(left, top, right,
/// bottom)`, preferably in a corner, where it covers the least of the `occupied` rectangles (the
/// bars and their values).
fn draw_norms<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[String],
    (left, top, right, bottom): (i32, i32, i32, i32),
    occupied: &[(i32, i32, i32, i32)],
    scale: ChartScale,
) -> Result<(), KdError> {
    let style = scale.text(10.5, palette::TEXT);
    let mut text_w = 0;
    for line in lines {
        text_w = text_w.max(area.estimate_text_size(line, &style).map_err(chart_err)?.0 as i32);
    }
    let pad = scale.px(5.0);
    let row = scale.px(14.0);
    let (box_w, box_h) = (text_w + 2 * pad, row * lines.len() as i32 + 2 * pad - scale.px(2.0));
    let inset = scale.px(3.0);
    let (x_left, x_right) = (left + inset, (right - box_w - inset).max(left));
    let (y_top, y_bottom) = (top + inset, (bottom - box_h - inset).max(top));
    let overlap = |(x, y): (i32, i32)| -> i64 {
        occupied
            .iter()
            .map(|&(l, t, r, b)| {
                let w = (r.min(x + box_w) - l.max(x)).max(0);
                let h = (b.min(y + box_h) - t.max(y)).max(0);
                i64::from(w) * i64::from(h)
            })
            .sum()
    };
    // The corners first (top right, top left, bottom right, bottom left), then places along the
    // top and bottom edges; the first with the least overlap wins.
    let along = |k: i32| x_right - (x_right - x_left) * k / 8;
    let corners = [(x_right, y_top), (x_left, y_top), (x_right, y_bottom), (x_left, y_bottom)];
    let edges = (1..8).flat_map(|k| [(along(k), y_top), (along(k), y_bottom)]);
    let mut best = ((x_right, y_top), i64::MAX);
    for candidate in corners.into_iter().chain(edges) {
        let covered = overlap(candidate);
        if covered < best.1 {
            best = (candidate, covered);
        }
    }
    let (x, y) = best.0;
    area.draw(&Rectangle::new([(x, y), (x + box_w, y + box_h)], WHITE.mix(0.9).filled())).map_err(chart_err)?;
    area.draw(&Rectangle::new([(x, y), (x + box_w, y + box_h)], palette::GRID_DARK.stroke_width(1)))
        .map_err(chart_err)?;
    for (i, line) in lines.iter().enumerate() {
        let y = y + pad + row * i as i32 + row / 2 - scale.px(1.0);
        area.draw(&Text::new(line.clone(), (x + pad, y), style.clone().pos(Pos::new(HPos::Left, VPos::Center))))
            .map_err(chart_err)?;
    }
    Ok(())
}

/// A step of 1, 2 or 5 × 10ⁿ close to `rough`.
fn nice_step(rough: f64) -> f64 {
    if !(rough.is_finite() && rough > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(rough.log10().floor());
    let fraction = rough / magnitude;
    let nice = if fraction < 1.5 {
        1.0
    } else if fraction < 3.5 {
        2.0
    } else if fraction < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A y tick: a short decimal, or scientific notation for tiny steps.
fn tick_text(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v.abs() < 1e-3 {
        format!("{v:.0e}")
    } else {
        let text = format!("{v:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::charts::test_backend;
    use crate::dark_knowledge::{log_spaced, sample_gradients, temperature_sweep};
    use crate::data::SplitName;
    use crate::session::Session;
    use crate::settings::Settings;

    fn insight(student: &[f32], teacher: &[f32], label: usize, temperature: f32) -> SampleInsight {
        let gradients =
            sample_gradients(crate::methods::SoftLoss::Kl, student, teacher, label, temperature, 0.7).unwrap();
        SampleInsight {
            split: SplitName::Train,
            index: 0,
            label,
            temperature,
            alpha: 0.7,
            teacher_logits: teacher.to_vec(),
            teacher_entropy_bits: 0.0,
            teacher_entropy_bits_t1: 0.0,
            max_entropy_bits: 0.0,
            wrong_class_mass: 0.0,
            wrong_class_mass_t1: 0.0,
            sweep: temperature_sweep(teacher, &log_spaced(0.25, 50.0, 10)),
            gradients,
            soft_pull_by_temperature: Vec::new(),
        }
    }

    fn texts(recorded: &std::rc::Rc<std::cell::RefCell<test_backend::Recorded>>) -> Vec<String> {
        recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect()
    }

    #[test]
    fn gradients_are_printed_with_three_decimals_or_scientific_when_tiny() {
        assert_eq!(gradient_text(0.12345), "0.123");
        assert_eq!(gradient_text(-0.5), "-0.500");
        assert_eq!(gradient_text(0.00005), "5.0e-5");
        assert_eq!(gradient_text(-0.00012), "-1.2e-4");
        assert_eq!(gradient_text(0.0), "0");
        assert_eq!(gradient_text(f32::NAN), "NaN");
    }

    #[test]
    fn titles_say_how_much_smaller_the_soft_pull_is_without_t2() {
        assert_eq!(
            gradients_titles(4.0, 0.7, true)[0],
            "Without T²: the soft term's pull is 1/T² = 1/16 as large (T = 4)"
        );
        assert_eq!(
            gradients_titles(0.5, 0.7, true)[0],
            "Without T²: the soft term's pull is 1/T² = 4× as large (T = 0.5)"
        );
        assert!(gradients_titles(1.0, 0.7, true)[0].contains("the same"));
        assert_eq!(
            gradients_titles(4.0, 0.7, false)[0],
            "Each loss term's gradient on the student's logits (T = 4, α = 0.7)"
        );
    }

    #[test]
    fn bars_print_the_engines_gradients_and_norms() {
        let mut session = Session::new(Settings::from_values(&BTreeMap::new()).unwrap()).unwrap();
        session.step_epoch().unwrap();
        session.set_temperature(4.0).unwrap();
        let names = session.data().class_names.clone();
        let insight = session.explain(SplitName::Test, 5).unwrap();
        let g = &insight.gradients;
        for without_t2 in [false, true] {
            let (area, recorded) = test_backend::area(520, 300);
            draw_gradients(&area, &insight, &names, without_t2, ChartScale::default()).unwrap();
            let texts = texts(&recorded);
            let soft = if without_t2 { &g.soft_without_t2 } else { &g.soft };
            for value in soft.iter().chain(&g.hard) {
                assert!(texts.contains(&gradient_text(*value)), "{value} in {texts:?}");
            }
            assert!(texts.contains(&format!("‖hard‖ = {}", gradient_text(g.hard_norm))), "{texts:?}");
            if without_t2 {
                assert!(
                    texts.contains(&format!("‖soft without T²‖ = {}", gradient_text(g.soft_without_t2_norm))),
                    "{texts:?}"
                );
                assert!(texts.iter().any(|t| t.contains("1/16 as large")), "{texts:?}");
            } else {
                assert!(texts.contains(&format!("‖soft‖ = {}", gradient_text(g.soft_norm))), "{texts:?}");
            }
        }
    }

    #[test]
    fn toggling_t2_keeps_the_y_scale() {
        let insight = insight(&[0.5, -1.0, 2.0], &[2.0, 0.0, 1.0], 0, 4.0);
        let ticks = |without_t2: bool| -> Vec<(String, (i32, i32))> {
            let (area, recorded) = test_backend::area(520, 300);
            draw_gradients(&area, &insight, &[], without_t2, ChartScale::default()).unwrap();
            let texts = recorded.borrow().texts.clone();
            // The y ticks are the texts drawn left of the plot.
            texts.into_iter().filter(|(t, (x, _))| *x < 60 && t.parse::<f64>().is_ok()).collect()
        };
        let (with, without) = (ticks(false), ticks(true));
        assert!(with.len() >= 3, "{with:?}");
        assert_eq!(with, without);
    }

    #[test]
    fn odd_inputs_draw_without_error() {
        let ten: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let normal = insight(&[0.5, -1.0, 2.0], &[2.0, 0.0, 1.0], 1, 4.0);
        let mut empty = normal.clone();
        empty.gradients.soft.clear();
        empty.gradients.hard.clear();
        empty.gradients.soft_without_t2.clear();
        let mut nan = normal.clone();
        nan.gradients.soft[0] = f32::NAN;
        nan.gradients.hard[1] = f32::INFINITY;
        nan.gradients.soft_without_t2[2] = f32::NAN;
        nan.gradients.soft_norm = f32::NAN;
        nan.temperature = f32::NAN;
        let mut zeros = normal.clone();
        zeros.gradients.soft = vec![0.0; 3];
        zeros.gradients.hard = vec![0.0; 3];
        zeros.gradients.soft_without_t2 = vec![0.0; 3];
        let mut ragged = normal.clone();
        ragged.gradients.hard.pop();
        ragged.label = 7;
        let cases = [
            normal,
            empty,
            nan,
            zeros,
            ragged,
            insight(&[0.0; 10], &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0], 9, 0.25),
        ];
        for case in &cases {
            for without_t2 in [false, true] {
                for (w, h, ratio) in
                    [(520, 300, 1.0), (1040, 600, 2.0), (360, 260, 1.0), (20, 10, 1.0), (0, 0, 1.0), (170, 140, 1.0)]
                {
                    let (area, _) = test_backend::area(w, h);
                    draw_gradients(&area, case, &ten, without_t2, ChartScale::new(ratio)).unwrap();
                    draw_gradients(&area, case, &[], without_t2, ChartScale::new(ratio)).unwrap();
                }
            }
        }
    }

    #[test]
    fn nice_steps_and_ticks() {
        assert_eq!(nice_step(0.48), 0.5);
        assert_eq!(nice_step(0.03), 0.02);
        assert_eq!(nice_step(f64::NAN), 1.0);
        assert_eq!(tick_text(-0.5), "-0.5");
        assert_eq!(tick_text(0.0002), "2e-4");
    }
}
