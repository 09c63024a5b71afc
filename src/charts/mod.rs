//! Charts, drawn with plotters onto any drawing area: the browser hands us canvases (see
//! `canvas`, wasm32 only), the native tests hand us a recording backend.
//!
//! One small `draw_*` function per chart, each taking plain data (the history, a sample report, the
//! data set) and returning `Result<(), KdError>`:
//!
//! - [`curves`]: loss curves and accuracy curves over the epochs;
//! - [`bars`]: the selected sample's hard label and soft labels as small bar charts;
//! - [`regions`]: a 2-D data set's points over a model's decision regions (the regions raster
//!   itself is computed here and put on the canvas as one image by `canvas`);
//! - [`samples`]: a gallery of digits, or a scatter of two features;
//! - [`sweep`]: the selected sample's teacher soft label as the temperature sweeps its range;
//! - [`gradients`]: the soft and hard loss terms' gradients on the selected sample's logits;
//! - [`heatmap`]: the teacher's mean soft label per true class (which classes it finds alike);
//! - [`reliability`]: the reliability diagram of the three networks on the test split (accuracy
//!   against confidence, and each one's ECE);
//! - [`compression`]: the compression bench's Pareto view (test accuracy against bytes on disk and
//!   against inference time, with each panel's Pareto frontier);
//! - [`language`]: the language task's bits per character over the epochs;
//! - [`text`]: every word the charts draw, in English and in the page's chosen language.
//!
//! Every chart whose samples can be clicked keeps its mapping between the canvas and the data in
//! one function that both the drawing and `pick` use, so a click selects what was drawn there.
//!
//! Sizes are given in CSS pixels and multiplied by [`ChartScale`] (the device-pixel ratio), so a
//! chart looks the same on every screen.

pub mod bars;
pub mod compression;
pub mod curves;
pub mod gradients;
pub mod heatmap;
pub mod language;
pub mod methods;
pub mod palette;
pub mod regions;
pub mod reliability;
pub mod samples;
pub mod sweep;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod canvas;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::KdError;

/// The charts' one grid and axis style: light grid lines, dark axes, small ticks, scaled fonts.
pub fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    scale: ChartScale,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    mesh.bold_line_style(palette::GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(palette::GRID_DARK.stroke_width(1))
        .set_all_tick_mark_size(scale.px(4.0))
        .label_style(scale.text(11.0, palette::TEXT))
        .axis_desc_style(scale.text(11.5, palette::MUTED))
}

/// Converts a plotters error (or any error) into the crate's chart error, once, where it happens.
pub fn chart_err<E: std::fmt::Display>(error: E) -> KdError {
    KdError::Chart(error.to_string())
}

/// The chart font family.
pub const FONT: &str = "sans-serif";

/// Converts CSS sizes to canvas pixels: a canvas is `css size × device-pixel ratio` pixels wide, so
/// fonts, strokes and markers are scaled by the same ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartScale {
    ratio: f64,
}

impl Default for ChartScale {
    fn default() -> Self {
        ChartScale { ratio: 1.0 }
    }
}

impl ChartScale {
    /// A scale for a device-pixel ratio; a non-finite or absurd ratio is clamped into [0.5, 4].
    pub fn new(device_pixel_ratio: f64) -> Self {
        let ratio = if device_pixel_ratio.is_finite() { device_pixel_ratio.clamp(0.5, 4.0) } else { 1.0 };
        ChartScale { ratio }
    }

    pub fn ratio(self) -> f64 {
        self.ratio
    }

    /// `css` CSS pixels in canvas pixels.
    pub fn px(self, css: f64) -> i32 {
        (css * self.ratio).round() as i32
    }

    /// `css` CSS pixels in canvas pixels, at least 1 (for stroke widths and sizes).
    pub fn size(self, css: f64) -> u32 {
        (css * self.ratio).round().max(1.0) as u32
    }

    /// A font of `css` CSS pixels.
    pub fn font(self, css: f64) -> f64 {
        css * self.ratio
    }

    /// A sans-serif text style of `css` CSS pixels in `color`.
    pub fn text(self, css: f64, color: RGBColor) -> TextStyle<'static> {
        TextStyle { color: color.to_backend_color(), ..TextStyle::from((FONT, self.font(css)).into_font()) }
    }

    /// A bold sans-serif text style.
    pub fn bold(self, css: f64, color: RGBColor) -> TextStyle<'static> {
        TextStyle {
            color: color.to_backend_color(),
            ..TextStyle::from((FONT, self.font(css), FontStyle::Bold).into_font())
        }
    }
}

/// A rectangle on the canvas as fractions of its width and height (0 = left/top, 1 = right/bottom).
/// Layouts that `pick` must invert are stated in fractions: they are the same at every canvas size
/// and device-pixel ratio, and `pick` receives the click as fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FracRect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl FracRect {
    /// The whole canvas.
    pub const FULL: FracRect = FracRect { left: 0.0, top: 0.0, right: 1.0, bottom: 1.0 };

    /// The rectangle in pixels of a `(width, height)` canvas: `(left, top, right, bottom)`.
    pub fn pixels(&self, (width, height): (u32, u32)) -> (i32, i32, i32, i32) {
        let (w, h) = (f64::from(width), f64::from(height));
        (
            (self.left * w).round() as i32,
            (self.top * h).round() as i32,
            (self.right * w).round() as i32,
            (self.bottom * h).round() as i32,
        )
    }

    /// Where the canvas fraction `(fx, fy)` falls inside this rectangle, as fractions of it
    /// (`None` when outside or not finite).
    pub fn locate(&self, fx: f64, fy: f64) -> Option<(f64, f64)> {
        let (w, h) = (self.right - self.left, self.bottom - self.top);
        if !(fx.is_finite() && fy.is_finite()) || w <= 0.0 || h <= 0.0 {
            return None;
        }
        let (u, v) = ((fx - self.left) / w, (fy - self.top) / h);
        ((0.0..=1.0).contains(&u) && (0.0..=1.0).contains(&v)).then_some((u, v))
    }
}

/// A closed interval of data values, never empty or degenerate (a zero-width span is widened).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub min: f64,
    pub max: f64,
}

impl Span {
    /// The span of the finite values, or `None` when there are none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Span> {
        let mut span: Option<Span> = None;
        for v in values.into_iter().filter(|v| v.is_finite()) {
            span = Some(match span {
                None => Span { min: v, max: v },
                Some(s) => Span { min: s.min.min(v), max: s.max.max(v) },
            });
        }
        span.map(Span::widened)
    }

    /// Widens a zero-width span to ±0.5 around its value.
    fn widened(self) -> Span {
        if self.max - self.min > 1e-9 {
            self
        } else {
            Span { min: self.min - 0.5, max: self.max + 0.5 }
        }
    }

    /// The span grown by `fraction` of its width on each side.
    pub fn padded(self, fraction: f64) -> Span {
        let pad = (self.max - self.min) * fraction;
        Span { min: self.min - pad, max: self.max + pad }
    }

    pub fn width(self) -> f64 {
        self.max - self.min
    }

    /// The value at fraction `t` of the span (0 → min, 1 → max).
    pub fn at(self, t: f64) -> f64 {
        self.min + t * self.width()
    }

    /// The fraction of the span at which `value` lies.
    pub fn fraction(self, value: f64) -> f64 {
        (value - self.min) / self.width()
    }
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// The look of one line series (and of its legend entry).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineLook {
    pub color: RGBColor,
    /// Stroke width in CSS pixels.
    pub width: f64,
    pub dash: Dash,
    /// Whether the points carry circle markers (drawn on a subset when there are many).
    pub markers: bool,
}

/// Draws `points` as a line on `chart` in `look`, split into separate pieces at non-finite
/// values (a NaN is a gap, never a jump to zero). A piece of one point is drawn as a marker.
pub(crate) fn draw_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
    look: LineLook,
    scale: ChartScale,
) -> Result<(), KdError> {
    let style = ShapeStyle { color: look.color.to_rgba(), filled: false, stroke_width: scale.size(look.width) };
    for piece in finite_pieces(points) {
        match look.dash {
            Dash::Solid => {
                chart.draw_series(LineSeries::new(piece.iter().copied(), style)).map_err(chart_err)?;
            }
            Dash::Dashed => {
                chart
                    .draw_series(DashedLineSeries::new(piece.iter().copied(), scale.size(6.0), scale.size(4.0), style))
                    .map_err(chart_err)?;
            }
            Dash::Dotted => {
                chart
                    .draw_series(DashedLineSeries::new(piece.iter().copied(), scale.size(1.5), scale.size(3.0), style))
                    .map_err(chart_err)?;
            }
        }
        if piece.len() == 1 && !look.markers {
            let radius = scale.size(look.width + 1.5);
            chart.draw_series(piece.iter().map(|&p| Circle::new(p, radius, look.color.filled()))).map_err(chart_err)?;
        }
    }
    if look.markers {
        let every = points.len().div_ceil(12).max(1);
        let radius = scale.size(look.width + 1.0);
        let marked = points
            .iter()
            .enumerate()
            .filter(|(i, p)| (i % every == 0 || *i + 1 == points.len()) && p.0.is_finite() && p.1.is_finite());
        chart
            .draw_series(marked.map(|(_, &p)| {
                EmptyElement::at(p)
                    + Circle::new((0, 0), radius, WHITE.filled())
                    + Circle::new((0, 0), radius, look.color.stroke_width(scale.size(1.5)))
            }))
            .map_err(chart_err)?;
    }
    Ok(())
}

/// Pixels along the polyline through `points` (pixel coordinates), about every `step` pixels:
/// what a legend should avoid covering.
pub(crate) fn trace_pixels(points: &[(i32, i32)], step: i32) -> Vec<(i32, i32)> {
    let step = step.max(1);
    let mut traced: Vec<(i32, i32)> = points.first().copied().into_iter().collect();
    for pair in points.windows(2) {
        let [(x0, y0), (x1, y1)] = [pair[0], pair[1]];
        let n = ((x1 - x0).abs().max((y1 - y0).abs()) / step).clamp(1, 10_000);
        traced.extend((1..=n).map(|k| (x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n)));
    }
    traced
}

/// The runs of consecutive finite points.
pub(crate) fn finite_pieces(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current = Vec::new();
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() {
            current.push((x, y));
        } else if !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Where a legend goes inside the plotting area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    TopRight,
    BottomRight,
    TopLeft,
    BottomLeft,
}

impl Corner {
    /// `self` first, then the other corners.
    fn preferring(self) -> [Corner; 4] {
        let mut order = [self; 4];
        let others = [Corner::TopRight, Corner::BottomRight, Corner::TopLeft, Corner::BottomLeft]
            .into_iter()
            .filter(|&c| c != self);
        for (slot, corner) in order.iter_mut().skip(1).zip(others) {
            *slot = corner;
        }
        order
    }
}

/// Draws a legend of line samples inside the pixel rectangle `within` (`(left, top, right,
/// bottom)`) on a translucent white box, in the first corner, from `corner` on, where it covers
/// the fewest of the data's pixels `occupied` (so it does not hide the curves).
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, LineLook)],
    within: (i32, i32, i32, i32),
    corner: Corner,
    occupied: &[(i32, i32)],
    scale: ChartScale,
) -> Result<(), KdError> {
    if entries.is_empty() {
        return Ok(());
    }
    let font = scale.text(11.0, palette::TEXT);
    let sample_width = scale.px(26.0);
    let gap = scale.px(6.0);
    let pad = scale.px(6.0);
    let row = scale.px(15.0);
    let mut text_width = 0;
    for (label, _) in entries {
        let (w, _) = area.estimate_text_size(label, &font).map_err(chart_err)?;
        text_width = text_width.max(w as i32);
    }
    let box_width = pad + sample_width + gap + text_width + pad;
    let box_height = pad + row * entries.len() as i32 + pad - scale.px(3.0);
    let (left, top, right, bottom) = within;
    let inset = scale.px(8.0);
    let origin = |corner: Corner| -> (i32, i32) {
        let x = match corner {
            Corner::TopRight | Corner::BottomRight => (right - box_width - inset).max(left),
            Corner::TopLeft | Corner::BottomLeft => left + inset,
        };
        let y = match corner {
            Corner::TopRight | Corner::TopLeft => top + inset,
            Corner::BottomRight | Corner::BottomLeft => (bottom - box_height - inset).max(top),
        };
        (x, y)
    };
    let covered = |(x, y): (i32, i32)| {
        occupied.iter().filter(|&&(px, py)| px >= x && px <= x + box_width && py >= y && py <= y + box_height).count()
    };
    let mut best = (usize::MAX, origin(corner));
    for candidate in corner.preferring() {
        let at = origin(candidate);
        let count = covered(at);
        if count < best.0 {
            best = (count, at);
        }
    }
    let (x0, y0) = best.1;
    area.draw(&Rectangle::new([(x0, y0), (x0 + box_width, y0 + box_height)], WHITE.mix(0.85).filled()))
        .map_err(chart_err)?;
    area.draw(&Rectangle::new([(x0, y0), (x0 + box_width, y0 + box_height)], palette::GRID_DARK.stroke_width(1)))
        .map_err(chart_err)?;
    for (i, (label, look)) in entries.iter().enumerate() {
        let y = y0 + pad + row * i as i32 + row / 2 - scale.px(1.5);
        let (a, b) = ((x0 + pad, y), (x0 + pad + sample_width, y));
        let style = ShapeStyle { color: look.color.to_rgba(), filled: false, stroke_width: scale.size(look.width) };
        match look.dash {
            Dash::Solid => area.draw(&PathElement::new(vec![a, b], style)),
            Dash::Dashed => area.draw(&DashedPathElement::new(vec![a, b], scale.size(6.0), scale.size(4.0), style)),
            Dash::Dotted => area.draw(&DashedPathElement::new(vec![a, b], scale.size(1.5), scale.size(3.0), style)),
        }
        .map_err(chart_err)?;
        if look.markers {
            let radius = scale.size(look.width + 1.0);
            let centre = ((a.0 + b.0) / 2, y);
            area.draw(&Circle::new(centre, radius, WHITE.filled())).map_err(chart_err)?;
            area.draw(&Circle::new(centre, radius, look.color.stroke_width(scale.size(1.5)))).map_err(chart_err)?;
        }
        let anchor = Pos::new(HPos::Left, VPos::Center);
        area.draw(&Text::new(label.clone(), (b.0 + gap, y), font.clone().pos(anchor))).map_err(chart_err)?;
    }
    Ok(())
}

/// Draws the marker of class `class` (its colour and shape) centred at the pixel `centre` with a
/// radius of `radius` CSS pixels: filled with a thin dark outline for training samples, hollow
/// (white inside, a thick class-coloured outline) for test samples.
pub(crate) fn draw_class_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    centre: (i32, i32),
    class: usize,
    hollow: bool,
    radius: f64,
    scale: ChartScale,
) -> Result<(), KdError> {
    let color = palette::point_color(class);
    let r = scale.px(radius).max(2);
    let (fill, outline) = if hollow {
        (WHITE.filled(), color.stroke_width(scale.size(2.0)))
    } else {
        (color.filled(), palette::INK.mix(0.75).stroke_width(scale.size(1.0)))
    };
    let shape = palette::class_shape(class);
    if hollow {
        // A thin dark edge just outside the coloured ring keeps it visible on its own region colour.
        let edge = palette::INK.mix(0.55).stroke_width(scale.size(1.0));
        draw_shape(area, shape, centre, r + scale.px(1.5).max(1), None, edge)?;
    }
    draw_shape(area, shape, centre, r, Some(fill), outline)
}

fn draw_shape<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: palette::Shape,
    centre: (i32, i32),
    r: i32,
    fill: Option<ShapeStyle>,
    outline: ShapeStyle,
) -> Result<(), KdError> {
    match palette::shape_polygon(shape, centre, r) {
        None => {
            if let Some(fill) = fill {
                area.draw(&Circle::new(centre, r as u32, fill)).map_err(chart_err)?;
            }
            area.draw(&Circle::new(centre, r as u32, outline)).map_err(chart_err)?;
        }
        Some(points) => {
            if let Some(fill) = fill {
                area.draw(&Polygon::new(points.clone(), fill)).map_err(chart_err)?;
            }
            let mut closed = points;
            if let Some(&first) = closed.first() {
                closed.push(first);
            }
            area.draw(&PathElement::new(closed, outline)).map_err(chart_err)?;
        }
    }
    Ok(())
}

/// Draws the selection ring around the pixel `centre`: a thick black ring on a white halo, so it
/// shows on any background.
pub(crate) fn draw_selection_ring<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    centre: (i32, i32),
    scale: ChartScale,
) -> Result<(), KdError> {
    let r = scale.size(10.0);
    area.draw(&Circle::new(centre, r, WHITE.stroke_width(scale.size(5.0)))).map_err(chart_err)?;
    area.draw(&Circle::new(centre, r, palette::INK.stroke_width(scale.size(2.5)))).map_err(chart_err)
}

/// The largest font size (CSS px, from `largest` down to `smallest`) at which `text`, drawn in
/// `style` at size `largest`, fits in `width` pixels. The text is measured once (measuring in the
/// browser is slow: the text is laid out in the page); see [`fit_size`].
pub(crate) fn fit_font<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    width: i32,
    sizes: (f64, f64),
) -> Result<f64, KdError> {
    let (measured, _) = area.estimate_text_size(text, style).map_err(chart_err)?;
    Ok(fit_size(measured as i32, width, sizes))
}

/// The font size at which a text `measured` pixels wide at size `largest` is at most `width`
/// pixels wide, given that text width grows in proportion to the font size; rounded down to half
/// a pixel and kept within `[smallest, largest]`.
pub(crate) fn fit_size(measured: i32, width: i32, (largest, smallest): (f64, f64)) -> f64 {
    if measured <= width || measured <= 0 {
        return largest;
    }
    let size = (largest * f64::from(width.max(0)) / f64::from(measured) * 2.0).floor() / 2.0;
    size.clamp(smallest, largest)
}

/// A number as short as it can be written with at most two decimals: 4 → "4", 2.5 → "2.5".
pub fn short_number(x: f32) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// How much wider bold text is estimated than it is measured: in the browser plotters measures
/// text in a `<span>` styled `font-style: bold`, which CSS ignores, so bold text is measured as
/// if it were regular (about 5–10 % narrower than it is drawn).
pub(crate) const BOLD_WIDTH: f64 = 1.1;

/// Draws a chart's title at the top left `(x, y)`: the first of `candidates` (longest first) that
/// fits `width` pixels in bold at 13 CSS px, shrinking to no less than 11.5 px; when none does, the
/// last one shrunk to fit (down to 8 px). Returns the title drawn.
pub(crate) fn draw_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    candidates: &[String],
    (x, y): (i32, i32),
    width: i32,
    scale: ChartScale,
) -> Result<String, KdError> {
    let largest = 13.0;
    let style = scale.bold(largest, palette::TEXT);
    let mut chosen = None;
    for (i, candidate) in candidates.iter().enumerate() {
        let measured =
            (f64::from(area.estimate_text_size(candidate, &style).map_err(chart_err)?.0) * BOLD_WIDTH).ceil() as i32;
        let last = i + 1 == candidates.len();
        let size = fit_size(measured, width, (largest, if last { 8.0 } else { 11.5 }));
        if last || f64::from(measured) * size / largest <= f64::from(width) {
            chosen = Some((candidate.clone(), size));
            break;
        }
    }
    let Some((title, size)) = chosen else {
        return Ok(String::new());
    };
    area.draw(&Text::new(title.clone(), (x, y), scale.bold(size, palette::TEXT).pos(Pos::new(HPos::Left, VPos::Top))))
        .map_err(chart_err)?;
    Ok(title)
}

/// `text` broken at spaces into lines that fit `width` pixels in `style`. The text is measured
/// once and each line's width taken in proportion to its characters (measuring is slow in the
/// browser); a word longer than the width gets a line of its own.
pub(crate) fn wrap_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'_>,
    width: i32,
) -> Result<Vec<String>, KdError> {
    let measured = f64::from(area.estimate_text_size(text, style).map_err(chart_err)?.0);
    let characters = text.chars().count().max(1) as f64;
    let per_character = measured / characters;
    let fits = |line: &str| line.chars().count() as f64 * per_character <= f64::from(width) * 0.97;
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if fits(&candidate) || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    Ok(lines)
}

/// Draws `message` centred in `area` (for charts with nothing to show yet), broken into lines
/// that fit the area's width.
pub(crate) fn draw_message<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    message: &str,
    scale: ChartScale,
) -> Result<(), KdError> {
    let (w, h) = area.dim_in_pixel();
    let style = scale.text(12.0, palette::MUTED);
    let lines = wrap_text(area, message, &style, w as i32 - 2 * scale.px(8.0))?;
    let row = scale.px(16.0);
    let first = h as i32 / 2 - row * (lines.len() as i32 - 1) / 2;
    let style = style.pos(Pos::new(HPos::Center, VPos::Center));
    for (i, line) in lines.into_iter().enumerate() {
        area.draw(&Text::new(line, (w as i32 / 2, first + row * i as i32), style.clone())).map_err(chart_err)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod test_backend {
    //! A drawing backend that records what is drawn, for native tests of the charts.

    use plotters::prelude::*;
    use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

    #[derive(Debug, Default)]
    pub struct Recorded {
        pub texts: Vec<(String, BackendCoord)>,
        pub rects: usize,
        pub circles: usize,
        pub paths: usize,
    }

    pub struct RecordingBackend {
        pub size: (u32, u32),
        pub recorded: std::rc::Rc<std::cell::RefCell<Recorded>>,
    }

    #[derive(Debug)]
    pub struct Never;
    impl std::fmt::Display for Never {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "never")
        }
    }
    impl std::error::Error for Never {}

    impl DrawingBackend for RecordingBackend {
        type ErrorType = Never;
        fn get_size(&self) -> (u32, u32) {
            self.size
        }
        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Never>> {
            Ok(())
        }
        fn present(&mut self) -> Result<(), DrawingErrorKind<Never>> {
            Ok(())
        }
        fn draw_pixel(&mut self, _: BackendCoord, _: BackendColor) -> Result<(), DrawingErrorKind<Never>> {
            Ok(())
        }
        fn draw_line<S: BackendStyle>(
            &mut self,
            _: BackendCoord,
            _: BackendCoord,
            _: &S,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.recorded.borrow_mut().paths += 1;
            Ok(())
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            _: BackendCoord,
            _: BackendCoord,
            _: &S,
            _: bool,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.recorded.borrow_mut().rects += 1;
            Ok(())
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            _: I,
            _: &S,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.recorded.borrow_mut().paths += 1;
            Ok(())
        }
        fn draw_circle<S: BackendStyle>(
            &mut self,
            _: BackendCoord,
            _: u32,
            _: &S,
            _: bool,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.recorded.borrow_mut().circles += 1;
            Ok(())
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            _: I,
            _: &S,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.recorded.borrow_mut().paths += 1;
            Ok(())
        }
        fn draw_text<S: BackendTextStyle>(
            &mut self,
            text: &str,
            _: &S,
            pos: BackendCoord,
        ) -> Result<(), DrawingErrorKind<Never>> {
            self.recorded.borrow_mut().texts.push((text.to_string(), pos));
            Ok(())
        }
    }

    /// A recording drawing area of `width × height` pixels and what it recorded.
    pub fn area(
        width: u32,
        height: u32,
    ) -> (DrawingArea<RecordingBackend, plotters::coord::Shift>, std::rc::Rc<std::cell::RefCell<Recorded>>) {
        let recorded = std::rc::Rc::new(std::cell::RefCell::new(Recorded::default()));
        let backend = RecordingBackend { size: (width, height), recorded: recorded.clone() };
        (backend.into_drawing_area(), recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_ignore_non_finite_values_and_widen_a_single_value() {
        assert_eq!(Span::of([f64::NAN, f64::INFINITY]), None);
        assert_eq!(Span::of([2.0]), Some(Span { min: 1.5, max: 2.5 }));
        assert_eq!(Span::of([1.0, f64::NAN, 3.0]), Some(Span { min: 1.0, max: 3.0 }));
    }

    #[test]
    fn non_finite_points_split_a_line_into_pieces() {
        let points = [(0.0, 1.0), (1.0, f64::NAN), (2.0, 2.0), (3.0, 3.0), (4.0, f64::INFINITY)];
        assert_eq!(finite_pieces(&points), vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
        assert!(finite_pieces(&[]).is_empty());
    }

    #[test]
    fn corners_are_tried_preferred_first_and_each_once() {
        for corner in [Corner::TopRight, Corner::BottomRight, Corner::TopLeft, Corner::BottomLeft] {
            let order = corner.preferring();
            assert_eq!(order[0], corner);
            for c in [Corner::TopRight, Corner::BottomRight, Corner::TopLeft, Corner::BottomLeft] {
                assert_eq!(order.iter().filter(|&&o| o == c).count(), 1, "{corner:?}: {order:?}");
            }
        }
    }

    #[test]
    fn traced_lines_have_no_gaps_larger_than_the_step() {
        let traced = trace_pixels(&[(0, 0), (100, 0), (100, 50)], 10);
        assert_eq!(traced.first(), Some(&(0, 0)));
        assert_eq!(traced.last(), Some(&(100, 50)));
        assert!(traced.windows(2).all(|w| (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs() <= 10));
        assert!(trace_pixels(&[], 10).is_empty());
    }

    #[test]
    fn frac_rect_locates_inside_points_only() {
        let r = FracRect { left: 0.1, top: 0.2, right: 0.6, bottom: 0.7 };
        let (u, v) = r.locate(0.35, 0.45).unwrap();
        assert!((u - 0.5).abs() < 1e-12 && (v - 0.5).abs() < 1e-12);
        assert_eq!(r.locate(0.05, 0.45), None);
        assert_eq!(r.locate(f64::NAN, 0.45), None);
    }

    #[test]
    fn font_sizes_shrink_in_proportion_to_fit() {
        assert_eq!(fit_size(80, 100, (12.0, 8.0)), 12.0);
        assert_eq!(fit_size(120, 100, (12.0, 8.0)), 10.0);
        assert_eq!(fit_size(1000, 100, (12.0, 8.0)), 8.0);
        assert_eq!(fit_size(0, 0, (12.0, 8.0)), 12.0);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(4.0), "4");
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(1.25), "1.25");
        assert_eq!(short_number(0.333), "0.33");
    }
}
