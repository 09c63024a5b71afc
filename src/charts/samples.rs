//! The samples view for data sets without decision regions: a gallery of digits drawn as their
//! 8×8 images, or a scatter of two features (iris: petal length against petal width).
//!
//! Both layouts are fractions of the canvas ([`GalleryLayout`], [`SCATTER_PLOT`]), so `pick` can
//! turn a click, given as fractions of the canvas, back into the sample drawn there.

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::palette;
use super::text::{split_text, text, text_with};
use super::{
    chart_err, draw_class_marker, draw_selection_ring, fit_font, fit_size, house_mesh, ChartScale, FracRect, Span,
    BOLD_WIDTH,
};
use crate::data::{Dataset, SplitName};
use crate::error::KdError;

/// The most columns and rows of the digit gallery: it shows up to the first 60 test digits.
pub const GALLERY_COLUMNS: usize = 12;
pub const GALLERY_ROWS: usize = 5;
/// The fewest columns and rows: on a phone's narrow canvas the gallery shows fewer, larger digits.
const GALLERY_MIN_COLUMNS: usize = 6;
const GALLERY_MIN_ROWS: usize = 3;
/// The least width of a cell, in CSS pixels: room for a caption such as "6→5" beside its neighbours'.
const GALLERY_CELL_MIN: f64 = 34.0;
/// The least height of the title band, in CSS pixels: its title and its note, one line each.
pub const GALLERY_BAND_MIN: f64 = 36.0;
/// The least height of a row, in CSS pixels: a legible digit and its caption.
const GALLERY_ROW_MIN: f64 = 44.0;
/// Where the gallery's cells are on a tall enough canvas; the title band is above it (on a low canvas
/// the band keeps [`GALLERY_BAND_MIN`] CSS pixels: see [`GalleryLayout::cells`]).
pub const GALLERY: FracRect = FracRect { left: 0.0, top: 0.12, right: 0.77, bottom: 1.0 };
/// Where the enlarged selected digit is.
pub const SELECTED_PANEL: FracRect = FracRect { left: 0.79, top: 0.12, right: 1.0, bottom: 1.0 };
/// Where the scatter's plotting area is; the axes' labels are around it, the key on its right.
pub const SCATTER_PLOT: FracRect = FracRect { left: 0.075, top: 0.1, right: 0.8, bottom: 0.87 };

/// Pixel intensities of the digits run from 0 (background) to 16 (ink).
const DIGIT_MAX: f32 = 16.0;
const DIGIT_SIDE: usize = 8;

/// The selected sample, with the teacher's prediction for it when known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selection {
    pub split: SplitName,
    pub index: usize,
    pub teacher_prediction: Option<usize>,
}

/// How many columns and rows of digits the gallery has. A wide canvas has 12 × 5; a narrow one
/// (a phone's) fewer columns, so that each digit's caption keeps its own room, and a low one fewer
/// rows, so that each digit stays legible. The drawing chooses it from the canvas's size; `pick` must be given
/// the layout that was drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GalleryLayout {
    pub columns: usize,
    pub rows: usize,
    /// The bottom of the title band, as a fraction of the canvas's height.
    pub band: f64,
}

impl Default for GalleryLayout {
    fn default() -> Self {
        GalleryLayout { columns: GALLERY_COLUMNS, rows: GALLERY_ROWS, band: GALLERY.top }
    }
}

impl GalleryLayout {
    /// The layout for a canvas of `(width, height)` pixels at `scale`.
    pub fn for_size((width, height): (u32, u32), scale: ChartScale) -> GalleryLayout {
        let css = |px: u32| f64::from(px) / scale.ratio();
        let (width, height) = (css(width), css(height));
        if !(width.is_finite() && height.is_finite()) || width <= 0.0 || height <= 0.0 {
            return GalleryLayout::default();
        }
        let band = (GALLERY_BAND_MIN / height).clamp(GALLERY.top, 0.3);
        let (w, h) = (width * (GALLERY.right - GALLERY.left), height * (GALLERY.bottom - band));
        let columns = ((w / GALLERY_CELL_MIN).floor() as usize).clamp(GALLERY_MIN_COLUMNS, GALLERY_COLUMNS);
        let rows = ((h / GALLERY_ROW_MIN).floor() as usize).clamp(GALLERY_MIN_ROWS, GALLERY_ROWS);
        GalleryLayout { columns, rows, band }
    }

    /// Where the cells are: [`GALLERY`] below this layout's title band.
    pub fn cells(self) -> FracRect {
        FracRect { top: self.band, ..GALLERY }
    }

    /// Where the enlarged selected digit is: [`SELECTED_PANEL`] below this layout's title band.
    pub fn selected_panel(self) -> FracRect {
        FracRect { top: self.band, ..SELECTED_PANEL }
    }

    /// How many digits it holds.
    pub fn capacity(self) -> usize {
        self.columns * self.rows
    }
}

/// How many test digits the gallery shows in `layout`.
pub fn gallery_len(data: &Dataset, layout: GalleryLayout) -> usize {
    data.test.len().min(layout.capacity())
}

/// The cell of gallery entry `index` (row by row) in `layout`, as canvas fractions.
pub fn gallery_cell(layout: GalleryLayout, index: usize) -> FracRect {
    let (col, row) = ((index % layout.columns) as f64, (index / layout.columns) as f64);
    let area = layout.cells();
    let w = (area.right - area.left) / layout.columns as f64;
    let h = (area.bottom - area.top) / layout.rows as f64;
    FracRect {
        left: area.left + col * w,
        top: area.top + row * h,
        right: area.left + (col + 1.0) * w,
        bottom: area.top + (row + 1.0) * h,
    }
}

/// The test digit whose gallery cell (in the `layout` drawn) contains the canvas fraction `(fx, fy)`.
pub fn pick_gallery(data: &Dataset, layout: GalleryLayout, fx: f64, fy: f64) -> Option<(SplitName, usize)> {
    let (u, v) = layout.cells().locate(fx, fy)?;
    let col = ((u * layout.columns as f64) as usize).min(layout.columns - 1);
    let row = ((v * layout.rows as f64) as usize).min(layout.rows - 1);
    let index = row * layout.columns + col;
    (index < gallery_len(data, layout)).then_some((SplitName::Test, index))
}

/// Draws the gallery of the first test digits, each with its true label and, where the teacher
/// is wrong, a vermillion frame and "true→predicted"; the selected digit is framed in black and
/// shown enlarged on the right. `test_predictions` are the teacher's predictions on the test split.
pub fn draw_digit_gallery<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    test_predictions: &[usize],
    selected: Option<Selection>,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let size = area.dim_in_pixel();
    let layout = GalleryLayout::for_size(size, scale);
    let shown = gallery_len(data, layout);
    let wrong =
        (0..shown).filter(|&i| test_predictions.get(i).is_some_and(|&p| data.test.labels.get(i) != Some(&p))).count();

    let (_, band_bottom, gallery_right, _) =
        FracRect { left: 0.0, top: 0.0, right: GALLERY.right, bottom: layout.band }.pixels(size);
    let title =
        text_with("chart.gallery.title", &[("shown", &shown.to_string()), ("total", &data.test.len().to_string())]);
    let note = if test_predictions.is_empty() {
        String::new()
    } else {
        text_with("chart.gallery.note", &[("wrong", &wrong.to_string())])
    };
    draw_band_text(area, &title, &note, (scale.px(6.0), band_bottom), gallery_right, scale)?;

    let label_font = 11.0;
    for index in 0..shown {
        let (l, t, r, b) = gallery_cell(layout, index).pixels(size);
        let label = data.test.labels.get(index).copied();
        let prediction = test_predictions.get(index).copied();
        let is_wrong = matches!((label, prediction), (Some(y), Some(p)) if y != p);
        let label_h = scale.px(label_font + 4.0);
        let side = ((r - l) as f64 * 0.78).min((b - t - label_h) as f64 * 0.86).floor() as i32;
        if side < DIGIT_SIDE as i32 {
            continue;
        }
        let side = side - side % DIGIT_SIDE as i32; // whole pixels per digit pixel: crisp edges
        let x0 = (l + r - side) / 2;
        let y0 = t + ((b - t - label_h - side) / 2).max(0);
        draw_digit(area, data, SplitName::Test, index, (x0, y0), side)?;
        let frame =
            if is_wrong { palette::WRONG.stroke_width(scale.size(2.0)) } else { palette::GRID_DARK.stroke_width(1) };
        area.draw(&Rectangle::new([(x0 - 1, y0 - 1), (x0 + side, y0 + side)], frame)).map_err(chart_err)?;
        let name = |c: usize| data.class_names.get(c).cloned().unwrap_or_else(|| c.to_string());
        let (caption, style) = match (label, prediction) {
            (Some(y), Some(p)) if y != p => {
                (format!("{}→{}", name(y), name(p)), scale.bold(label_font, palette::WRONG))
            }
            (Some(y), _) => (name(y), scale.text(label_font, palette::TEXT)),
            (None, _) => (String::new(), scale.text(label_font, palette::TEXT)),
        };
        area.draw(&Text::new(
            caption,
            ((l + r) / 2, y0 + side + scale.px(2.0)),
            style.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(chart_err)?;
        if selected.is_some_and(|s| s.split == SplitName::Test && s.index == index) {
            let pad = scale.px(3.0);
            area.draw(&Rectangle::new(
                [(l + pad, t + pad), (r - pad, b - pad)],
                palette::INK.stroke_width(scale.size(3.0)),
            ))
            .map_err(chart_err)?;
        }
    }
    draw_selected_digit(area, data, layout, selected, scale)
}

/// The title band: a bold title and a muted note on the line below, both shrunk to fit `width`.
fn draw_band_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
    (x, bottom): (i32, i32),
    width: i32,
    scale: ChartScale,
) -> Result<(), KdError> {
    let line = scale.px(15.0);
    let top = (bottom - 2 * line - scale.px(4.0)).max(0);
    let anchor = Pos::new(HPos::Left, VPos::Top);
    let title_size = fit_font(area, title, &scale.bold(13.0, palette::TEXT), width - x, (13.0, 8.0))?;
    area.draw(&Text::new(title.to_string(), (x, top), scale.bold(title_size, palette::TEXT).pos(anchor)))
        .map_err(chart_err)?;
    if !note.is_empty() {
        let note_size = fit_font(area, note, &scale.text(11.5, palette::MUTED), width - x, (11.5, 8.0))?;
        area.draw(&Text::new(
            note.to_string(),
            (x, top + line + scale.px(2.0)),
            scale.text(note_size, palette::MUTED).pos(anchor),
        ))
        .map_err(chart_err)?;
    }
    Ok(())
}

/// Draws the 8×8 digit `index` of `split` with its top-left corner at `origin`, `side` pixels wide,
/// dark ink on white (intensity 0 → white, 16 → black), as one bitmap (one image per digit, not
/// a rectangle per pixel).
fn draw_digit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    split: SplitName,
    index: usize,
    origin: (i32, i32),
    side: i32,
) -> Result<(), KdError> {
    let raw = &data.split(split).raw;
    if index >= raw.nrows() || raw.ncols() < DIGIT_SIDE * DIGIT_SIDE || side <= 0 {
        return Ok(());
    }
    let row = raw.row(index);
    let greys: Vec<u8> = row
        .iter()
        .take(DIGIT_SIDE * DIGIT_SIDE)
        .map(|&value| {
            let intensity = if value.is_finite() { (value / DIGIT_MAX).clamp(0.0, 1.0) } else { 0.0 };
            (255.0 * (1.0 - intensity)).round() as u8
        })
        .collect();
    // Image pixel (x, y) shows digit pixel (y·8/side, x·8/side): the same cells as rectangles at
    // edges k·side/8 would cover.
    let side_px = side as usize;
    let cell = |k: usize| (k * DIGIT_SIDE / side_px).min(DIGIT_SIDE - 1);
    let mut rgb = Vec::with_capacity(side_px * side_px * 3);
    for y in 0..side_px {
        for x in 0..side_px {
            let grey = greys[cell(y) * DIGIT_SIDE + cell(x)];
            rgb.extend_from_slice(&[grey, grey, grey]);
        }
    }
    area.draw(&Bitmap { origin, size: (side as u32, side as u32), rgb }).map_err(chart_err)
}

/// An RGB image whose top-left corner is at `origin`, drawn by the backend's `blit_bitmap` (the
/// browser's canvas puts it as one image).
struct Bitmap {
    origin: (i32, i32),
    size: (u32, u32),
    rgb: Vec<u8>,
}

impl<'a> PointCollection<'a, (i32, i32)> for &'a Bitmap {
    type Point = &'a (i32, i32);
    type IntoIter = std::iter::Once<&'a (i32, i32)>;

    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.origin)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Bitmap {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match pos.next() {
            Some(origin) => backend.blit_bitmap(origin, self.size, &self.rgb),
            None => Ok(()),
        }
    }
}

/// The selected digit, enlarged, with its split, index, label and the teacher's prediction.
fn draw_selected_digit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    layout: GalleryLayout,
    selected: Option<Selection>,
    scale: ChartScale,
) -> Result<(), KdError> {
    let (l, t, r, b) = layout.selected_panel().pixels(area.dim_in_pixel());
    area.draw(&PathElement::new(
        vec![(l - scale.px(6.0), t), (l - scale.px(6.0), b - scale.px(4.0))],
        palette::GRID.stroke_width(1),
    ))
    .map_err(chart_err)?;
    let anchor = Pos::new(HPos::Center, VPos::Top);
    let centre = (l + r) / 2;
    // Every line is shrunk to the panel's width (a translation may be longer than the English).
    let fitted = |line: &str, bold: bool, size: f64, color: RGBColor| -> Result<TextStyle<'static>, KdError> {
        let style = if bold { scale.bold(size, color) } else { scale.text(size, color) };
        let measured = f64::from(area.estimate_text_size(line, &style).map_err(chart_err)?.0)
            * if bold { BOLD_WIDTH } else { 1.0 };
        let size = fit_size(measured.ceil() as i32, r - l, (size, 8.0));
        Ok(if bold { scale.bold(size, color) } else { scale.text(size, color) }.pos(anchor))
    };
    let Some(selection) = selected.filter(|s| s.index < data.split(s.split).len()) else {
        let click = text("chart.gallery.click");
        let style = fitted(&click, false, 11.5, palette::MUTED)?;
        return area.draw(&Text::new(click, (centre, t + scale.px(8.0)), style)).map_err(chart_err);
    };
    let heading = text_with(
        "chart.gallery.selected",
        &[("split", &split_text(selection.split)), ("index", &selection.index.to_string())],
    );
    let heading_size = fit_font(area, &heading, &scale.bold(12.5, palette::TEXT), r - l, (12.5, 8.0))?;
    area.draw(&Text::new(heading, (centre, t + scale.px(4.0)), scale.bold(heading_size, palette::TEXT).pos(anchor)))
        .map_err(chart_err)?;
    let lines_h = scale.px(40.0);
    let side = ((r - l) as f64 * 0.8).min((b - t) as f64 - f64::from(scale.px(26.0) + lines_h)).floor() as i32;
    let side = side - side.rem_euclid(DIGIT_SIDE as i32);
    if side < DIGIT_SIDE as i32 {
        return Ok(());
    }
    let (x0, y0) = (centre - side / 2, t + scale.px(24.0));
    draw_digit(area, data, selection.split, selection.index, (x0, y0), side)?;
    area.draw(&Rectangle::new([(x0 - 1, y0 - 1), (x0 + side, y0 + side)], palette::INK.stroke_width(scale.size(2.0))))
        .map_err(chart_err)?;
    let name = |c: usize| data.class_names.get(c).cloned().unwrap_or_else(|| c.to_string());
    let label = data.split(selection.split).labels.get(selection.index).copied();
    let mut y = y0 + side + scale.px(6.0);
    if let Some(label) = label {
        let line = text_with("chart.gallery.trueLabel", &[("class", &name(label))]);
        let style = fitted(&line, false, 11.5, palette::TEXT)?;
        area.draw(&Text::new(line, (centre, y), style)).map_err(chart_err)?;
        y += scale.px(16.0);
    }
    if let Some(p) = selection.teacher_prediction {
        let right = label == Some(p);
        let (line, color) = if right {
            (text_with("chart.gallery.teacherRight", &[("class", &name(p))]), palette::TEXT)
        } else {
            (text_with("chart.gallery.teacherWrong", &[("class", &name(p))]), palette::WRONG)
        };
        let style = fitted(&line, true, 11.5, color)?;
        area.draw(&Text::new(line, (centre, y), style)).map_err(chart_err)?;
    }
    Ok(())
}

/// The scatter's axes: which two features, and the data spans shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatterView {
    /// Feature on the x axis.
    pub x_feature: usize,
    /// Feature on the y axis.
    pub y_feature: usize,
    pub x: Span,
    pub y: Span,
}

impl ScatterView {
    /// Petal length against petal width for a table of four or more features (iris), otherwise
    /// the first two features; spans of all samples in original units plus 5 %. `None` with fewer
    /// than two features or no finite values.
    pub fn of(data: &Dataset) -> Option<ScatterView> {
        let features = data.feature_count();
        let (x_feature, y_feature) = match features {
            0 | 1 => return None,
            2 | 3 => (0, 1),
            _ => (2, 3),
        };
        Some(ScatterView {
            x_feature,
            y_feature,
            x: Span::of(data.raw_column(x_feature))?.padded(0.05),
            y: Span::of(data.raw_column(y_feature))?.padded(0.05),
        })
    }

    /// The sample's two coordinates in original units.
    fn point(&self, data: &Dataset, split: SplitName, index: usize) -> Option<(f64, f64)> {
        let raw = &data.split(split).raw;
        let x = f64::from(*raw.get([index, self.x_feature])?);
        let y = f64::from(*raw.get([index, self.y_feature])?);
        (x.is_finite() && y.is_finite()).then_some((x, y))
    }

    /// Data coordinates → canvas fractions.
    pub fn to_fraction(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let p = SCATTER_PLOT;
        (p.left + self.x.fraction(x) * (p.right - p.left), p.bottom - self.y.fraction(y) * (p.bottom - p.top))
    }
}

/// The sample nearest to the click at canvas fraction `(fx, fy)` in the scatter, measured in the
/// two standardised features shown; `None` when the click is outside the plotting area.
pub fn pick_scatter(data: &Dataset, fx: f64, fy: f64) -> Option<(SplitName, usize)> {
    let view = ScatterView::of(data)?;
    let (u, v) = SCATTER_PLOT.locate(fx, fy)?;
    let (x, y) = (view.x.at(u), view.y.at(1.0 - v));
    let standardise = |value: f64, feature: usize| -> Option<f64> {
        let (mean, std) = (data.mean.get(feature)?, data.std.get(feature)?);
        Some((value - *mean) / *std)
    };
    let (sx, sy) = (standardise(x, view.x_feature)?, standardise(y, view.y_feature)?);
    let mut best: Option<(f64, SplitName, usize)> = None;
    for split in [SplitName::Train, SplitName::Test] {
        let features = &data.split(split).features;
        for index in 0..features.nrows() {
            let (Some(&a), Some(&b)) = (features.get([index, view.x_feature]), features.get([index, view.y_feature]))
            else {
                continue;
            };
            let distance = (f64::from(a) - sx).hypot(f64::from(b) - sy);
            if distance.is_finite() && best.is_none_or(|(d, _, _)| distance < d) {
                best = Some((distance, split, index));
            }
        }
    }
    best.map(|(_, split, index)| (split, index))
}

/// Draws the scatter of two features: training samples filled, test samples hollow, every class
/// with its colour and shape, the selected sample ringed, axes labelled with the feature names and
/// a key of the classes on the right.
pub fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    selected: Option<Selection>,
    scale: ChartScale,
) -> Result<(), KdError> {
    area.fill(&WHITE).map_err(chart_err)?;
    let Some(view) = ScatterView::of(data) else {
        return super::draw_message(area, &text("chart.scatter.tooFew"), scale);
    };
    let size = area.dim_in_pixel();
    let (l, t, r, b) = SCATTER_PLOT.pixels(size);
    let feature = |j: usize| {
        data.feature_names
            .get(j)
            .cloned()
            .unwrap_or_else(|| text_with("chart.scatter.feature", &[("number", &(j + 1).to_string())]))
    };
    let (y_name, x_name) = (feature(view.y_feature), feature(view.x_feature));
    let title = if data.feature_count() > 2 {
        text_with(
            "chart.scatter.titleOf",
            &[("y", &y_name), ("x", &x_name), ("count", &data.feature_count().to_string())],
        )
    } else {
        text_with("chart.scatter.title", &[("y", &y_name), ("x", &x_name)])
    };
    let title_size = fit_size(
        (f64::from(area.estimate_text_size(&title, &scale.bold(13.0, palette::TEXT)).map_err(chart_err)?.0)
            * BOLD_WIDTH)
            .ceil() as i32,
        size.0 as i32 - l - scale.px(8.0),
        (13.0, 8.0),
    );
    let title_style = scale.bold(title_size, palette::TEXT).pos(Pos::new(HPos::Left, VPos::Bottom));
    area.draw(&Text::new(title, (l, t - scale.px(8.0)), title_style)).map_err(chart_err)?;

    let mut chart = ChartBuilder::on(area)
        .margin_top(t)
        .margin_right(size.0 as i32 - r)
        .y_label_area_size(l)
        .x_label_area_size(size.1 as i32 - b)
        .build_cartesian_2d(view.x.min..view.x.max, view.y.min..view.y.max)
        .map_err(chart_err)?;
    let mut mesh = chart.configure_mesh();
    house_mesh(&mut mesh, scale).x_labels(8).y_labels(6).x_desc(x_name).y_desc(y_name).draw().map_err(chart_err)?;

    let pixel = |(x, y): (f64, f64)| chart.backend_coord(&(x, y));
    let (bx, by) = area.get_base_pixel();
    let local = |(x, y): (i32, i32)| (x - bx, y - by);
    for split in [SplitName::Train, SplitName::Test] {
        for (index, &label) in data.split(split).labels.iter().enumerate() {
            if let Some(point) = view.point(data, split, index) {
                draw_class_marker(area, local(pixel(point)), label, split == SplitName::Test, 4.2, scale)?;
            }
        }
    }
    if let Some(point) = selected.and_then(|s| view.point(data, s.split, s.index)) {
        draw_selection_ring(area, local(pixel(point)), scale)?;
    }
    draw_class_key(area, data, (r + scale.px(18.0), t), scale)
}

/// The classes' markers and names, then what filled and hollow mean, from `(x, y)` downwards.
fn draw_class_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    (x, y): (i32, i32),
    scale: ChartScale,
) -> Result<(), KdError> {
    let row = scale.px(20.0);
    let anchor = Pos::new(HPos::Left, VPos::Center);
    let text_x = x + scale.px(16.0);
    let mut y = y + row / 2;
    for (class, name) in data.class_names.iter().enumerate() {
        draw_class_marker(area, (x, y), class, false, 4.5, scale)?;
        area.draw(&Text::new(name.clone(), (text_x, y), scale.text(12.0, palette::TEXT).pos(anchor)))
            .map_err(chart_err)?;
        y += row;
    }
    y += row / 2;
    // What filled and hollow mean, shrunk to the room right of the markers.
    let (filled, hollow) = (text("chart.scatter.filled"), text("chart.scatter.hollow"));
    let room = area.dim_in_pixel().0 as i32 - text_x - scale.px(4.0);
    let mut widest = 0;
    for line in [&filled, &hollow] {
        widest =
            widest.max(area.estimate_text_size(line, &scale.text(11.5, palette::MUTED)).map_err(chart_err)?.0 as i32);
    }
    let style = scale.text(fit_size(widest, room, (11.5, 8.0)), palette::MUTED).pos(anchor);
    let neutral = RGBColor(0x55, 0x55, 0x55);
    area.draw(&Circle::new((x, y), scale.size(4.5), neutral.filled())).map_err(chart_err)?;
    area.draw(&Text::new(filled, (text_x, y), style.clone())).map_err(chart_err)?;
    y += row;
    area.draw(&Circle::new((x, y), scale.size(4.5), neutral.stroke_width(scale.size(2.0)))).map_err(chart_err)?;
    area.draw(&Text::new(hollow, (text_x, y), style)).map_err(chart_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_backend;
    use crate::data::{DataOptions, DatasetName};

    fn load(name: DatasetName) -> Dataset {
        Dataset::load(name, &DataOptions { noise: 0.1, points: 150, test_fraction: 0.2, seed: 4, ..Default::default() })
            .unwrap()
    }

    #[test]
    fn clicking_a_gallery_cell_picks_its_digit() {
        let digits = load(DatasetName::Digits);
        for layout in [GalleryLayout::default(), GalleryLayout { columns: 7, rows: 4, band: 0.18 }] {
            for index in [0, layout.columns - 1, layout.columns, layout.capacity() - 1] {
                let cell = gallery_cell(layout, index);
                let (fx, fy) = ((cell.left + cell.right) / 2.0, (cell.top + cell.bottom) / 2.0);
                assert_eq!(pick_gallery(&digits, layout, fx, fy), Some((SplitName::Test, index)));
            }
            assert_eq!(pick_gallery(&digits, layout, 0.5, 0.05), None); // the title band
            assert_eq!(pick_gallery(&digits, layout, 0.9, 0.5), None); // the selected digit's panel
        }
    }

    #[test]
    fn a_narrow_gallery_has_fewer_columns_each_wide_enough_for_its_caption() {
        // a laptop's canvas keeps the 12 × 5 gallery; a phone's (340 × 220 CSS px, at 2×) has fewer, wider cells
        assert_eq!(GalleryLayout::for_size((1150, 360), ChartScale::default()), GalleryLayout::default());
        let phone = GalleryLayout::for_size((680, 440), ChartScale::new(2.0));
        assert!(phone.columns < GALLERY_COLUMNS && phone.columns >= GALLERY_MIN_COLUMNS, "{phone:?}");
        assert!(340.0 * (GALLERY.right - GALLERY.left) / phone.columns as f64 >= GALLERY_CELL_MIN);
        assert!((GALLERY_MIN_ROWS..=GALLERY_ROWS).contains(&phone.rows), "{phone:?}");
        // what is drawn is what a click picks: the title counts the digits of the narrow layout
        let digits = load(DatasetName::Digits);
        let (area, recorded) = test_backend::area(680, 440);
        draw_digit_gallery(&area, &digits, &[], None, ChartScale::new(2.0)).unwrap();
        let title =
            format!("The first {} of {} test digits, true label below each", phone.capacity(), digits.test.len());
        assert!(recorded.borrow().texts.iter().any(|(t, _)| *t == title), "{title}");
    }

    #[test]
    fn clicking_a_scatter_point_picks_it() {
        let iris = load(DatasetName::Iris);
        let view = ScatterView::of(&iris).unwrap();
        assert_eq!((view.x_feature, view.y_feature), (2, 3));
        // Several iris samples share coordinates, so check that the picked sample is drawn at the
        // clicked spot rather than that it is the same sample.
        for (split, index) in [(SplitName::Train, 0), (SplitName::Test, 7), (SplitName::Train, 80)] {
            let point = view.point(&iris, split, index).unwrap();
            let (fx, fy) = view.to_fraction(point);
            let (s, i) = pick_scatter(&iris, fx, fy).unwrap();
            assert_eq!(view.point(&iris, s, i), Some(point));
        }
        assert_eq!(pick_scatter(&iris, 0.95, 0.5), None); // the key
    }

    #[test]
    fn views_draw_without_error() {
        let digits = load(DatasetName::Digits);
        let iris = load(DatasetName::Iris);
        let moons = load(DatasetName::Moons);
        let selections = [
            None,
            Some(Selection { split: SplitName::Train, index: 3, teacher_prediction: Some(1) }),
            Some(Selection { split: SplitName::Test, index: 9999, teacher_prediction: None }),
        ];
        for selected in selections {
            for (w, h) in [(1150, 360), (2300, 720), (300, 200), (10, 10)] {
                let (area, _) = test_backend::area(w, h);
                draw_digit_gallery(&area, &digits, &[], selected, ChartScale::default()).unwrap();
                draw_digit_gallery(&area, &digits, &vec![0; 2000], selected, ChartScale::new(2.0)).unwrap();
                draw_scatter(&area, &iris, selected, ChartScale::default()).unwrap();
                draw_scatter(&area, &moons, selected, ChartScale::default()).unwrap();
            }
        }
    }

    #[test]
    fn wrong_predictions_are_marked_in_text() {
        let digits = load(DatasetName::Digits);
        let predictions: Vec<usize> = digits.test.labels.iter().map(|&y| if y == 3 { 5 } else { y }).collect();
        let (area, recorded) = test_backend::area(1150, 360);
        draw_digit_gallery(&area, &digits, &predictions, None, ChartScale::default()).unwrap();
        let threes = digits.test.labels.iter().take(60).filter(|&&y| y == 3).count();
        let marked = recorded.borrow().texts.iter().filter(|(t, _)| t == "3→5").count();
        assert_eq!(marked, threes);
    }
}
