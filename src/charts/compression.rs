//! The compression bench's Pareto view ([`crate::compression`]): every row of the data set's task
//! as one marker, its test accuracy (y) against what it costs (x, log scale), in two panels: the
//! bytes of its file, and its inference time per sample on the clock that timed it. A row not yet
//! timed is missing from the time panel only; the transfer rows are of another task (their
//! accuracy is on other classes) and are named in the caption instead.
//!
//! Each panel draws its Pareto frontier: the rows that no other row dominates, where `j`
//! dominates `i` when `acc_j ≥ acc_i` and `cost_j ≤ cost_i` with one of the two strict
//! ([`pareto_front`]). The frontier is drawn as steps, `(c₀, a₀) → (c₁, a₀) → (c₁, a₁) → …`:
//! between two rows nothing is attainable but the cheaper one's accuracy, so a straight segment
//! would promise models that do not exist.
//!
//! A row's colour is its network's (the teacher's for the teacher and its int8 copy, the
//! distilled student's for it and its int8 copy, the control's, a purple of the Okabe–Ito palette
//! for the prunings) and its marker's shape how it is stored: a circle for f32, a square for int8,
//! a triangle for a pruned network (up for weights, down for neurons), so colour is not the only
//! cue. Each marker carries the row's name, placed where it covers the fewest other names,
//! markers and frontier ([`place_labels`]).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{self, Shape};
use super::text::{text, text_with};
use super::{chart_err, draw_message, draw_title, house_mesh, trace_pixels, wrap_text, ChartScale, Span};
use crate::compression::{Report, Row};
use crate::error::KdError;

/// The prunings' colour: the Okabe–Ito reddish purple, which none of the networks' colours is.
const PRUNED: RGBColor = palette::CLASS_COLORS[6];

/// The frontier's stroke.
const FRONTIER: RGBColor = palette::MUTED;

/// Marker radius, in CSS pixels.
const MARKER: f64 = 5.0;

/// A row's marker: its network's colour and the shape of how it is stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    pub color: RGBColor,
    pub shape: Shape,
}

/// The marker of row `method` ([`crate::compression::Entry::name`]).
pub fn marker(method: &str) -> Marker {
    let (color, shape) = match method {
        "teacher" => (palette::TEACHER, Shape::Circle),
        "int8" => (palette::TEACHER, Shape::Square),
        "kd" => (palette::DISTILLED, Shape::Circle),
        "kd-int8" => (palette::DISTILLED, Shape::Square),
        "control" => (palette::CONTROL, Shape::Circle),
        "prune-weights" => (PRUNED, Shape::TriangleUp),
        "prune-neurons" => (PRUNED, Shape::TriangleDown),
        _ => (palette::MUTED, Shape::Diamond),
    };
    Marker { color, shape }
}

/// The short name of row `method` in the charts' language; an unknown row keeps its own name.
pub fn entry_text(method: &str) -> String {
    match method {
        "teacher" => text("chart.compression.entry.teacher"),
        "kd" => text("chart.compression.entry.kd"),
        "control" => text("chart.compression.entry.control"),
        "prune-weights" => text("chart.compression.entry.prune-weights"),
        "prune-neurons" => text("chart.compression.entry.prune-neurons"),
        "int8" => text("chart.compression.entry.int8"),
        "kd-int8" => text("chart.compression.entry.kd-int8"),
        "transfer" => text("chart.compression.entry.transfer"),
        "transfer-scratch" => text("chart.compression.entry.transfer-scratch"),
        other => other.to_string(),
    }
}

/// The indices of the points `(cost, accuracy)` that no other point dominates (at least as
/// accurate and at most as costly, strictly better in one), sorted by cost, then accuracy. Points
/// with a non-finite coordinate are left out; equal points do not dominate each other.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let finite = |&(c, a): &(f64, f64)| c.is_finite() && a.is_finite();
    let dominates = |(cj, aj): (f64, f64), (ci, ai): (f64, f64)| aj >= ai && cj <= ci && (aj > ai || cj < ci);
    let mut front: Vec<usize> = (0..points.len())
        .filter(|&i| finite(&points[i]))
        .filter(|&i| !points.iter().filter(|p| finite(p)).any(|&other| dominates(other, points[i])))
        .collect();
    front.sort_by(|&i, &j| points[i].0.total_cmp(&points[j].0).then(points[i].1.total_cmp(&points[j].1)));
    front
}

/// The frontier through `front` (sorted by cost) as steps: from each point across at its accuracy
/// to the next point's cost, then up to the next point.
fn frontier_steps(front: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut steps: Vec<(f64, f64)> = front.first().copied().into_iter().collect();
    for pair in front.windows(2) {
        let [(_, a0), (c1, a1)] = [pair[0], pair[1]];
        steps.push((c1, a0));
        steps.push((c1, a1));
    }
    steps
}

/// A logarithmic axis over `[min, max]` (both positive) whose ticks are 1, 2 and 5 times powers of
/// ten, or as many of them as fit (see [`log_ticks`]).
#[derive(Debug, Clone, Copy, PartialEq)]
struct LogAxis {
    min: f64,
    max: f64,
}

impl LogAxis {
    /// The axis over the positive, finite `values`, padded by 8 % of its decades on each side.
    fn of(values: impl IntoIterator<Item = f64>) -> Option<LogAxis> {
        let decades = Span::of(values.into_iter().filter(|v| *v > 0.0).map(f64::log10))?.padded(0.08);
        Some(LogAxis { min: 10f64.powf(decades.min), max: 10f64.powf(decades.max) })
    }
}

impl Ranged for LogAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    /// `log(v / min) / log(max / min)` of the way from `limit.0` to `limit.1`.
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value.log10() - self.min.log10()) / (self.max.log10() - self.min.log10());
        if !t.is_finite() {
            return limit.0;
        }
        let pixel = f64::from(limit.0) + t * f64::from(limit.1 - limit.0);
        pixel.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        log_ticks(self.min, self.max, hint.bold_points())
    }

    fn range(&self) -> Range<f64> {
        self.min..self.max
    }
}

/// At most `most` (at least 2) ticks in `[min, max]`: the finest of 1…9, 1-2-5, 1-3 and 1 times
/// the powers of ten that has no more than `most` in the range; when even the powers of ten are
/// too many, every k-th of them.
fn log_ticks(min: f64, max: f64, most: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite() && min > 0.0 && max > min) {
        return Vec::new();
    }
    let most = most.max(2);
    let lowest = (min.log10().floor() as i32).clamp(-300, 300);
    let highest = (max.log10().ceil() as i32).clamp(-300, 300);
    let levels: [&[f64]; 4] = [&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1.0, 2.0, 5.0], &[1.0, 3.0], &[1.0]];
    for mantissas in levels {
        let ticks: Vec<f64> = (lowest..=highest)
            .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| (min..=max).contains(v))
            .collect();
        if ticks.len() <= most {
            return ticks;
        }
    }
    let decades: Vec<f64> = (lowest..=highest).map(|e| 10f64.powi(e)).filter(|v| (min..=max).contains(v)).collect();
    let every = decades.len().div_ceil(most).max(1);
    decades.into_iter().step_by(every).collect()
}

/// `x` with three significant digits at most, trailing zeros dropped: 0.05 → "0.05", 340.041 →
/// "340", 1.5 → "1.5".
fn significant(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A size in bytes with an SI unit: 500 → "500 B", 4865 → "4.87 kB", 340041 → "340 kB".
fn bytes_text(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{} MB", significant(bytes / 1e6))
    } else if bytes >= 1e3 {
        format!("{} kB", significant(bytes / 1e3))
    } else {
        format!("{} B", significant(bytes))
    }
}

/// A pixel rectangle `(left, top, right, bottom)`.
type Rect = (i32, i32, i32, i32);

/// The area two rectangles share, in pixels².
fn overlap((l0, t0, r0, b0): Rect, (l1, t1, r1, b1): Rect) -> i64 {
    let w = (r0.min(r1) - l0.max(l1)).max(0);
    let h = (b0.min(b1) - t0.max(t1)).max(0);
    i64::from(w) * i64::from(h)
}

/// Where each marker's label goes (the top left corner of its `(width, height)` rectangle): of
/// sixteen places around its marker (right, left, above, below and the four diagonals, near then
/// farther), the one that least covers the other labels, the markers (`radius` pixels around each
/// centre), the pixels of the lines `avoid` and the outside of `bounds`; on a tie, the earlier
/// place (a near one, on the right first). The labels are placed one at a time, each avoiding
/// those before it, then each is placed again avoiding all the others, twice, so that an early
/// label does not keep a place a later one needed more.
pub(crate) fn place_labels(
    markers: &[(i32, i32)],
    sizes: &[(i32, i32)],
    radius: i32,
    bounds: Rect,
    avoid: &[(i32, i32)],
) -> Vec<(i32, i32)> {
    let reach = radius + radius / 3 + 1;
    let marker_boxes: Vec<Rect> = markers.iter().map(|&(x, y)| (x - reach, y - reach, x + reach, y + reach)).collect();
    // The places around `(x, y)` for a label of `(w, h)`, best first, each with its cost of distance.
    let places = |(x, y): (i32, i32), (w, h): (i32, i32)| -> Vec<(Rect, i64)> {
        let mut places = Vec::with_capacity(16);
        for (far, gap) in [(0, reach + 3), (1, reach + 3 + h)] {
            let diagonal = gap * 7 / 10;
            let corners = [
                (x + gap, y - h / 2),
                (x - gap - w, y - h / 2),
                (x - w / 2, y - gap - h),
                (x - w / 2, y + gap),
                (x + diagonal, y - diagonal - h),
                (x + diagonal, y + diagonal),
                (x - diagonal - w, y - diagonal - h),
                (x - diagonal - w, y + diagonal),
            ];
            for (place, (left, top)) in corners.into_iter().enumerate() {
                let distance = far * i64::from(6 * radius * radius) + place as i64;
                places.push(((left, top, left + w, top + h), distance));
            }
        }
        places
    };
    let cost = |rect: Rect, distance: i64, others: &[Rect]| -> i64 {
        let (w, h) = (rect.2 - rect.0, rect.3 - rect.1);
        let outside = i64::from(w) * i64::from(h) - overlap(rect, bounds);
        let labels: i64 = others.iter().map(|&other| overlap(rect, other)).sum();
        let marks: i64 = marker_boxes.iter().map(|&other| overlap(rect, other)).sum();
        let lines = avoid.iter().filter(|&&(px, py)| px >= rect.0 && px <= rect.2 && py >= rect.1 && py <= rect.3);
        20 * outside + 10 * (labels + marks) + 8 * i64::from(radius) * lines.count() as i64 + distance
    };
    let best = |i: usize, others: &[Rect]| -> Option<Rect> {
        let (&centre, &size) = (markers.get(i)?, sizes.get(i)?);
        places(centre, size).into_iter().min_by_key(|&(rect, distance)| cost(rect, distance, others)).map(|(r, _)| r)
    };
    let count = markers.len().min(sizes.len());
    let mut placed: Vec<Rect> = Vec::with_capacity(count);
    for i in 0..count {
        if let Some(rect) = best(i, &placed) {
            placed.push(rect);
        }
    }
    for _ in 0..2 {
        for i in 0..placed.len() {
            let others: Vec<Rect> = placed.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &r)| r).collect();
            if let Some(rect) = best(i, &others) {
                placed[i] = rect;
            }
        }
    }
    placed.into_iter().map(|(left, top, _, _)| (left, top)).collect()
}

/// Draws `marker`'s shape at the pixel `centre` of `area`, filled with its colour on a thin white
/// edge (so that markers on top of each other stay apart).
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    marker: Marker,
    centre: (i32, i32),
    r: i32,
    scale: ChartScale,
) -> Result<(), KdError> {
    let edge = WHITE.stroke_width(scale.size(1.5));
    match palette::shape_polygon(marker.shape, centre, r) {
        None => {
            area.draw(&Circle::new(centre, r as u32, marker.color.filled())).map_err(chart_err)?;
            area.draw(&Circle::new(centre, r as u32, edge)).map_err(chart_err)?;
        }
        Some(points) => {
            area.draw(&Polygon::new(points.clone(), marker.color.filled())).map_err(chart_err)?;
            let mut closed = points;
            if let Some(&first) = closed.first() {
                closed.push(first);
            }
            area.draw(&PathElement::new(closed, edge)).map_err(chart_err)?;
        }
    }
    Ok(())
}

/// The cost a panel draws accuracy against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cost {
    Bytes,
    Time,
}

impl Cost {
    /// Row `row`'s cost, if it has one yet (a row is timed after it is trained).
    fn of(self, row: &Row) -> Option<f64> {
        let cost = match self {
            Cost::Bytes => Some(row.bytes as f64),
            Cost::Time => row.inference_us_per_sample,
        };
        cost.filter(|c| c.is_finite() && *c > 0.0)
    }
}

/// A row as the panels draw it.
struct Plotted<'a> {
    row: &'a Row,
    name: String,
    /// The name's size in pixels.
    size: (i32, i32),
}

/// Draws the Pareto view of `report`: test accuracy against bytes on disk and against inference
/// time per sample (both log scale), side by side when the area is at least 640 CSS pixels wide
/// and one above the other otherwise, each with its Pareto frontier; a key of the markers' shapes
/// under the title, and a caption saying how to read it, which rows are of another task and which
/// are not timed yet. With no row of the data set's task, a message.
pub fn draw_compression<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let rows: Vec<&Row> = report.rows.iter().filter(|row| !row.new_task && row.test_accuracy.is_finite()).collect();
    if rows.is_empty() {
        return draw_message(area, &text("chart.compression.empty"), scale);
    }
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    if width < scale.px(200.0) || height < scale.px(180.0) {
        return Ok(()); // Too small to draw anything legible.
    }
    let pad = scale.px(8.0);

    let titles = [
        text("chart.compression.title"),
        text("chart.compression.titleShort"),
        text("chart.compression.titleShortest"),
    ];
    draw_title(area, &titles, (pad, scale.px(6.0)), width - 2 * pad, scale)?;
    let key_bottom = draw_key(area, (pad, scale.px(27.0)), width - 2 * pad, scale)?;

    // The caption at the bottom: how to read the view, the rows of another task, the untimed rows.
    let names_of = |rows: &mut dyn Iterator<Item = &Row>| rows.map(|r| entry_text(r.method)).collect::<Vec<_>>();
    let mut captions = vec![text("chart.compression.caption")];
    let other_task = names_of(&mut report.rows.iter().filter(|r| r.new_task));
    if !other_task.is_empty() {
        captions.push(text_with("chart.compression.newTask", &[("names", &other_task.join(", "))]));
    }
    let untimed = names_of(&mut rows.iter().copied().filter(|r| Cost::Time.of(r).is_none()));
    if !untimed.is_empty() && untimed.len() < rows.len() {
        captions.push(text_with("chart.compression.untimed", &[("names", &untimed.join(", "))]));
    }
    let caption_size = if f64::from(width) / scale.ratio() >= 480.0 { 11.0 } else { 10.0 };
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
    let caption_height = caption_row * caption_lines.len() as i32 + scale.px(8.0);
    let top = key_bottom + scale.px(4.0);
    let body = area.margin(top, caption_height.min(height - top - scale.px(120.0)).max(0), 0, 0);

    // The names, measured once for both panels.
    let label_style = scale.text(11.0, palette::TEXT);
    let mut plotted = Vec::with_capacity(rows.len());
    for row in rows {
        let name = entry_text(row.method);
        let (w, h) = area.estimate_text_size(&name, &label_style).map_err(chart_err)?;
        plotted.push(Plotted { row, name, size: (w as i32, (h as i32).max(scale.px(11.0))) });
    }
    // One accuracy scale for both panels, so that a row is at the same height in each.
    let accuracy = Span::of(plotted.iter().map(|p| 100.0 * f64::from(p.row.test_accuracy)))
        .map(|span| span.padded(0.12))
        .map(|span| Span { min: span.min.max(0.0), max: span.max.min(100.0) })
        .filter(|span| span.max > span.min)
        .unwrap_or(Span { min: 0.0, max: 100.0 });

    let (body_width, body_height) = body.dim_in_pixel();
    let (first, second) = if f64::from(body_width) / scale.ratio() >= 640.0 {
        body.split_horizontally(body_width / 2)
    } else {
        body.split_vertically(body_height / 2)
    };
    draw_panel(area, &first, &plotted, Cost::Bytes, accuracy, scale)?;
    draw_panel(area, &second, &plotted, Cost::Time, accuracy, scale)
}

/// Draws the key of the markers' shapes and of the frontier from `(x, y)` on, in rows of at most
/// `width` pixels. Returns the pixel row under it.
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    width: i32,
    scale: ChartScale,
) -> Result<i32, KdError> {
    let style = scale.text(11.0, palette::TEXT);
    let r = scale.px(4.0).max(2);
    let row = scale.px(16.0);
    let grey = Marker { color: palette::MUTED, shape: Shape::Circle };
    let items: [(&[Shape], String); 4] = [
        (&[Shape::Circle], text("chart.compression.key.f32")),
        (&[Shape::Square], text("chart.compression.key.int8")),
        (&[Shape::TriangleUp, Shape::TriangleDown], text("chart.compression.key.pruned")),
        (&[], text("chart.compression.key.frontier")),
    ];
    let (mut at, mut line) = (x, 0);
    for (shapes, label) in items {
        let sample = if shapes.is_empty() { scale.px(22.0) } else { shapes.len() as i32 * (2 * r + scale.px(3.0)) };
        let (w, _) = area.estimate_text_size(&label, &style).map_err(chart_err)?;
        let item = sample + scale.px(4.0) + w as i32;
        if at > x && at + item > x + width {
            (at, line) = (x, line + 1);
        }
        let centre_y = y + line * row + row / 2;
        if shapes.is_empty() {
            let path = vec![
                (at, centre_y + r),
                (at + sample / 2, centre_y + r),
                (at + sample / 2, centre_y - r),
                (at + sample, centre_y - r),
            ];
            area.draw(&PathElement::new(path, FRONTIER.stroke_width(scale.size(1.5)))).map_err(chart_err)?;
        }
        for (k, &shape) in shapes.iter().enumerate() {
            let centre = (at + r + k as i32 * (2 * r + scale.px(3.0)), centre_y);
            draw_marker(area, Marker { shape, ..grey }, centre, r, scale)?;
        }
        let anchor = Pos::new(HPos::Left, VPos::Center);
        area.draw(&Text::new(label, (at + sample + scale.px(4.0), centre_y), style.clone().pos(anchor)))
            .map_err(chart_err)?;
        at += item + scale.px(14.0);
    }
    Ok(y + (line + 1) * row)
}

/// Draws one panel on `panel` (a part of `area`): the rows of `plotted` that have a `cost`, their
/// frontier, markers and names; with none, a message.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &DrawingArea<DB, Shift>,
    plotted: &[Plotted],
    cost: Cost,
    accuracy: Span,
    scale: ChartScale,
) -> Result<(), KdError> {
    let shown: Vec<(&Plotted, (f64, f64))> = plotted
        .iter()
        .filter_map(|p| cost.of(p.row).map(|c| (p, (c, 100.0 * f64::from(p.row.test_accuracy)))))
        .collect();
    let Some(x_axis) = LogAxis::of(shown.iter().map(|(_, (c, _))| *c)) else {
        return draw_message(panel, &text("chart.compression.timeEmpty"), scale);
    };
    let (panel_width, _) = panel.dim_in_pixel();
    let y_label_area = scale.px(46.0);
    let plot_css = f64::from((panel_width as i32 - y_label_area - scale.px(20.0)).max(0)) / scale.ratio();
    let x_labels = ((plot_css / 64.0).floor() as usize).clamp(2, 8);
    let mut chart = ChartBuilder::on(panel)
        .margin_right(scale.px(14.0))
        .margin_top(scale.px(6.0))
        .margin_bottom(scale.px(4.0))
        .margin_left(scale.px(4.0))
        .x_label_area_size(scale.px(34.0))
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x_axis, accuracy.min..accuracy.max)
        .map_err(chart_err)?;
    let decimals = if accuracy.width() < 4.0 { 1 } else { 0 };
    let percent = |v: &f64| {
        let text = format!("{v:.decimals$}");
        let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
        format!("{text}%")
    };
    let cost_label = |v: &f64| match cost {
        Cost::Bytes => bytes_text(*v),
        Cost::Time => significant(*v),
    };
    let x_desc = match cost {
        Cost::Bytes => text("chart.compression.bytes"),
        Cost::Time => text("chart.compression.time"),
    };
    let mut mesh = chart.configure_mesh();
    house_mesh(&mut mesh, scale)
        .x_labels(x_labels)
        .y_labels(6)
        .x_label_formatter(&cost_label)
        .y_label_formatter(&percent)
        .x_desc(x_desc)
        .y_desc(text("chart.compression.y"))
        .draw()
        .map_err(chart_err)?;

    let (bx, by) = area.get_base_pixel();
    let to_area = |(x, y): (i32, i32)| (x - bx, y - by);
    let points: Vec<(f64, f64)> = shown.iter().map(|(_, p)| *p).collect();
    let front: Vec<(f64, f64)> = pareto_front(&points).into_iter().filter_map(|i| points.get(i).copied()).collect();
    let steps = frontier_steps(&front);
    if steps.len() > 1 {
        chart
            .draw_series(LineSeries::new(steps.iter().copied(), FRONTIER.stroke_width(scale.size(1.5))))
            .map_err(chart_err)?;
    }
    let step_pixels: Vec<(i32, i32)> = steps.iter().map(|p| to_area(chart.backend_coord(p))).collect();
    let avoid = trace_pixels(&step_pixels, scale.px(3.0));

    let centres: Vec<(i32, i32)> = points.iter().map(|p| to_area(chart.backend_coord(p))).collect();
    let r = scale.px(MARKER).max(2);
    for ((p, _), &centre) in shown.iter().zip(&centres) {
        draw_marker(area, marker(p.row.method), centre, r, scale)?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let bounds = (xs.start - bx, ys.start - by, xs.end - bx, ys.end - by);
    let sizes: Vec<(i32, i32)> = shown.iter().map(|(p, _)| p.size).collect();
    let corners = place_labels(&centres, &sizes, r, bounds, &avoid);
    // Each name on a translucent white backing, so that a frontier passing under it leaves it legible.
    let style = scale.text(11.0, palette::TEXT).pos(Pos::new(HPos::Left, VPos::Top));
    let margin = scale.px(2.0);
    for ((p, _), (left, top)) in shown.iter().zip(corners) {
        let (w, h) = p.size;
        let backing = [(left - margin, top), (left + w + margin, top + h)];
        area.draw(&Rectangle::new(backing, WHITE.mix(0.8).filled())).map_err(chart_err)?;
        area.draw(&Text::new(p.name.clone(), (left, top), style.clone())).map_err(chart_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::charts::test_backend;
    use crate::compression::BenchOptions;
    use crate::text::{parse_catalogue, set_catalogue};

    fn texts(recorded: &std::rc::Rc<std::cell::RefCell<test_backend::Recorded>>) -> Vec<String> {
        recorded.borrow().texts.iter().map(|(t, _)| t.clone()).collect()
    }

    fn row(method: &'static str, bytes: usize, us: Option<f64>, accuracy: f32) -> Row {
        Row {
            method,
            sizes: vec![64, 16, 10],
            parameters: 1210,
            nonzero_parameters: 1210,
            bytes,
            inference_us_per_sample: us,
            test_accuracy: accuracy,
            test_samples: 360,
            new_task: method.starts_with("transfer"),
        }
    }

    /// The rows of `kd compare --dataset digits --seed 0` (times of one machine), with the int8
    /// teacher not yet timed.
    fn report() -> Report {
        Report {
            rows: vec![
                row("teacher", 340_041, Some(3.42), 0.969),
                row("kd", 4_865, Some(0.05), 0.960),
                row("control", 4_865, Some(0.05), 0.965),
                row("prune-weights", 8_577, Some(3.87), 0.962),
                row("prune-neurons", 4_701, Some(0.09), 0.942),
                row("int8", 88_701, None, 0.969),
                row("kd-int8", 1_425, Some(0.35), 0.960),
                row("transfer", 334_901, Some(3.99), 0.929),
                row("transfer-scratch", 334_901, Some(3.55), 0.942),
            ],
            method: "kd",
            target_parameters: 1210,
            fine_tune_epochs: 40,
            calibration_samples: 100,
            transfer: None,
            skipped: Vec::new(),
            int8_kernel: "portable",
            options: BenchOptions::default(),
        }
    }

    fn count(drawn: &[String], wanted: &str) -> usize {
        drawn.iter().filter(|t| *t == wanted).count()
    }

    #[test]
    fn each_row_of_the_task_is_a_named_marker_in_each_panel_it_has_a_cost_for() {
        for (width, height, ratio) in [(900, 420, 1.0), (520, 640, 1.0), (1800, 840, 2.0)] {
            let (area, recorded) = test_backend::area(width, height);
            draw_compression(&area, &report(), ChartScale::new(ratio)).unwrap();
            let drawn = texts(&recorded);
            for name in ["teacher", "distilled student", "control student", "weights pruned", "neurons pruned"] {
                assert_eq!(count(&drawn, name), 2, "{name} in both panels: {drawn:?}");
            }
            assert_eq!(count(&drawn, "int8 distilled student"), 2, "{drawn:?}");
            // The int8 teacher is not timed yet: in the bytes panel only, and named in the caption.
            assert_eq!(count(&drawn, "int8 teacher"), 1, "{drawn:?}");
            assert!(drawn.iter().any(|t| t.contains("Not timed yet")), "{drawn:?}");
            // The transfer rows are of another task: not plotted, named in the caption.
            assert_eq!(count(&drawn, "transfer learning"), 0, "{drawn:?}");
            let caption = drawn.join(" ");
            assert!(caption.contains("Not shown: transfer learning,"), "{drawn:?}");
            assert!(drawn.iter().any(|t| t.starts_with("Compression") || t.starts_with("Accuracy")), "{drawn:?}");
            for tick in ["10 kB", "100 kB", "96%", "test accuracy", "size on disk (log scale)"] {
                assert!(drawn.iter().any(|t| t == tick), "{tick} in {drawn:?}");
            }
            assert!(drawn.iter().any(|t| t.starts_with("inference time")), "{drawn:?}");
            // Circles: the f32 rows (teacher, kd, control) in the bytes panel and in the time
            // panel, and the key's f32 circle, each a fill and a white edge.
            assert_eq!(recorded.borrow().circles, 2 * (3 + 3 + 1), "{width}×{height}");
        }
    }

    #[test]
    fn an_untimed_bench_draws_the_bytes_panel_and_says_the_time_panel_is_empty() {
        let mut untimed = report();
        for row in &mut untimed.rows {
            row.inference_us_per_sample = None;
        }
        let (area, recorded) = test_backend::area(900, 420);
        draw_compression(&area, &untimed, ChartScale::default()).unwrap();
        let drawn = texts(&recorded);
        assert_eq!(count(&drawn, "teacher"), 1, "{drawn:?}");
        assert_eq!(count(&drawn, "No model timed yet"), 1, "{drawn:?}");
        // Every row untimed: the time panel's message says it, the caption does not list them.
        assert!(!drawn.iter().any(|t| t.contains("Not timed yet")), "{drawn:?}");
    }

    #[test]
    fn no_row_of_the_task_is_a_message() {
        let mut only_transfer = report();
        only_transfer.rows.retain(|r| r.new_task);
        let empty = Report { rows: Vec::new(), ..report() };
        for case in [only_transfer, empty] {
            let (area, recorded) = test_backend::area(900, 420);
            draw_compression(&area, &case, ChartScale::default()).unwrap();
            assert_eq!(texts(&recorded), vec!["No compressed model measured yet".to_string()]);
        }
    }

    #[test]
    fn the_frontier_holds_the_points_nothing_dominates() {
        // (cost, accuracy): b is dominated by a (cheaper, as accurate); d by c (as cheap, more
        // accurate); e and f are equal, so neither dominates the other; g is not finite.
        let points = [
            (1.0, 0.90),      // a
            (2.0, 0.90),      // b
            (3.0, 0.95),      // c
            (3.0, 0.93),      // d
            (5.0, 0.97),      // e
            (5.0, 0.97),      // f
            (f64::NAN, 0.99), // g
            (0.5, 0.80),      // h: cheapest
        ];
        assert_eq!(pareto_front(&points), vec![7, 0, 2, 4, 5]);
        assert!(pareto_front(&[]).is_empty());
        assert_eq!(pareto_front(&[(1.0, 0.5)]), vec![0]);
        // The digits bench by bytes: control beats kd (same file, more accurate), kd-int8 is the
        // smallest, the int8 teacher beats the f32 teacher (as accurate, a quarter of the bytes).
        let bench = report();
        let by_bytes: Vec<(f64, f64)> =
            bench.rows.iter().filter(|r| !r.new_task).map(|r| (r.bytes as f64, f64::from(r.test_accuracy))).collect();
        let front: Vec<&str> = pareto_front(&by_bytes).into_iter().map(|i| bench.rows[i].method).collect();
        assert_eq!(front, ["kd-int8", "control", "int8"]);
        // Steps: across at the cheaper one's accuracy, then up.
        assert_eq!(
            frontier_steps(&[(1.0, 0.5), (2.0, 0.7), (4.0, 0.9)]),
            vec![(1.0, 0.5), (2.0, 0.5), (2.0, 0.7), (4.0, 0.7), (4.0, 0.9)]
        );
    }

    #[test]
    fn labels_avoid_each_other_and_the_markers() {
        // Two markers on top of each other and one close by, in a roomy plot.
        let markers = [(200, 100), (200, 104), (214, 100)];
        let sizes = [(60, 12); 3];
        let bounds = (0, 0, 400, 200);
        let corners = place_labels(&markers, &sizes, 5, bounds, &[]);
        let rects: Vec<Rect> = corners.iter().zip(&sizes).map(|(&(l, t), &(w, h))| (l, t, l + w, t + h)).collect();
        for (i, a) in rects.iter().enumerate() {
            assert!(overlap(*a, bounds) == 60 * 12, "label {i} inside the plot: {a:?}");
            for b in &rects[i + 1..] {
                assert_eq!(overlap(*a, *b), 0, "{rects:?}");
            }
            for &(x, y) in &markers {
                assert_eq!(overlap(*a, (x - 5, y - 5, x + 5, y + 5)), 0, "{a:?} covers the marker at {x}, {y}");
            }
        }
        // A marker at the right edge puts its label on the left.
        let corners = place_labels(&[(395, 100)], &[(60, 12)], 5, bounds, &[]);
        assert!(corners[0].0 + 60 <= 395, "{corners:?}");
    }

    #[test]
    fn log_ticks_are_round_and_few_enough() {
        assert_eq!(log_ticks(1_200.0, 400_000.0, 4), vec![10_000.0, 100_000.0]);
        let ticks = log_ticks(1_200.0, 400_000.0, 5);
        assert_eq!(ticks, vec![3_000.0, 10_000.0, 30_000.0, 100_000.0, 300_000.0]);
        let ticks = log_ticks(1_200.0, 400_000.0, 8);
        assert_eq!(ticks, vec![2_000.0, 5_000.0, 10_000.0, 20_000.0, 50_000.0, 100_000.0, 200_000.0]);
        let narrow = log_ticks(3.3, 4.2, 4);
        assert_eq!(narrow, vec![4.0]);
        assert!(log_ticks(1e-6, 1e6, 3).len() <= 3);
        assert!(log_ticks(0.0, 1.0, 5).is_empty());
        assert_eq!(bytes_text(340_041.0), "340 kB");
        assert_eq!(bytes_text(4_865.0), "4.87 kB");
        assert_eq!(bytes_text(500.0), "500 B");
        assert_eq!(bytes_text(2e6), "2 MB");
        assert_eq!(significant(0.05), "0.05");
        assert_eq!(significant(0.30000000000000004), "0.3");
        assert_eq!(significant(20.0), "20");
    }

    #[test]
    fn the_korean_catalogue_names_the_rows() {
        let korean = parse_catalogue(include_str!("../../www/locales/ko.json")).unwrap();
        set_catalogue(korean.clone());
        let (area, recorded) = test_backend::area(900, 420);
        draw_compression(&area, &report(), ChartScale::default()).unwrap();
        set_catalogue(BTreeMap::new());
        let drawn = texts(&recorded);
        for key in ["chart.compression.entry.teacher", "chart.compression.entry.kd", "chart.compression.y"] {
            assert!(count(&drawn, &korean[key]) >= 1, "{} in {drawn:?}", korean[key]);
        }
        assert_eq!(count(&drawn, &korean["chart.compression.entry.int8"]), 1, "{drawn:?}");
        assert!(!drawn.iter().any(|t| t == "teacher"), "{drawn:?}");
    }

    #[test]
    fn odd_inputs_draw_without_error() {
        let mut odd = report();
        odd.rows[0].test_accuracy = f32::NAN;
        odd.rows[1].inference_us_per_sample = Some(f64::INFINITY);
        odd.rows[2].inference_us_per_sample = Some(0.0);
        odd.rows[3].bytes = 0;
        odd.rows[4].test_accuracy = 2.0; // not a fraction: the axis stops at 100 %, the marker lies above it
        let single = Report { rows: vec![row("kd", 4_865, Some(0.05), 1.0)], ..report() };
        let unknown = Report { rows: vec![row("something-new", 10, Some(1.0), 0.5)], ..report() };
        // Every accuracy above 1: the accuracy axis falls back to 0–100 %.
        let beyond = Report { rows: vec![row("kd", 4_865, Some(0.05), 2.0)], ..report() };
        for case in [report(), odd, single, unknown, beyond] {
            for (w, h, ratio) in [(900, 420, 1.0), (1800, 840, 2.0), (300, 260, 1.0), (20, 10, 1.0), (0, 0, 1.0)] {
                let (area, _) = test_backend::area(w, h);
                draw_compression(&area, &case, ChartScale::new(ratio)).unwrap();
            }
        }
    }
}
