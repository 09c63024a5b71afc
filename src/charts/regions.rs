//! Decision regions of a 2-D data set, TensorFlow-Playground style: every pixel of a grid over the
//! data is coloured by the class probabilities a network gives there, and the samples are drawn
//! on top (training samples filled, test samples hollow, each class with its colour and shape).
//!
//! The plot fills the whole canvas. Its one mapping between canvas fractions and data coordinates
//! is [`RegionView`]: the grid, the points and `pick` all use it, so a click selects the sample
//! drawn under it.

use ndarray::{Array2, ArrayView2};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::text::text;
use super::{chart_err, draw_class_marker, draw_selection_ring, ChartScale, Span};
use crate::data::{DataView, Dataset, SplitName};
use crate::error::KdError;

/// Grid cells per side of the decision-region raster (the browser smooths it when scaling up).
pub const GRID_RESOLUTION: usize = 100;
/// The coarsest raster, for the largest networks.
pub const MIN_GRID_RESOLUTION: usize = 32;
/// Multiply-adds one raster may cost (grid points × parameters): about 2 ms in the browser, so
/// that a redraw fits in a frame beside training (the browser smooths a coarser raster well).
const GRID_WORK: f64 = 1.5e7;

/// Grid cells per side for a network of `parameters` parameters: [`GRID_RESOLUTION`] when the
/// whole raster costs at most [`GRID_WORK`] multiply-adds, fewer (down to
/// [`MIN_GRID_RESOLUTION`]) for bigger networks so that a redraw never freezes the page.
pub fn grid_resolution(parameters: usize) -> usize {
    let affordable = (GRID_WORK / parameters.max(1) as f64).sqrt() as usize;
    affordable.clamp(MIN_GRID_RESOLUTION, GRID_RESOLUTION)
}
/// How far the region colours are moved towards white so that the points stay visible.
pub const REGION_LIGHTEN: f32 = 0.6;
/// A click selects the nearest sample within this distance, as a fraction of the canvas side.
pub const PICK_RADIUS: f64 = 0.06;

/// The data rectangle shown on the canvas: canvas fraction (0, 0) is (x.min, y.max), the top left,
/// and (1, 1) is (x.max, y.min), the bottom right (y grows upwards in the data, downwards on the
/// canvas).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionView {
    pub x: Span,
    pub y: Span,
}

impl RegionView {
    /// The view of a 2-D data set: the bounding box of all its samples (original units, train and
    /// test) plus 10 % of its width on every side. `None` unless the data set has two features
    /// and is shown as points.
    pub fn of(data: &Dataset) -> Option<RegionView> {
        if data.view != DataView::Points || data.feature_count() != 2 {
            return None;
        }
        let x = Span::of(data.raw_column(0))?.padded(0.1);
        let y = Span::of(data.raw_column(1))?.padded(0.1);
        Some(RegionView { x, y })
    }

    /// Data coordinates → canvas fractions.
    pub fn to_fraction(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (self.x.fraction(x), 1.0 - self.y.fraction(y))
    }

    /// Canvas fractions → data coordinates.
    pub fn from_fraction(&self, (fx, fy): (f64, f64)) -> (f64, f64) {
        (self.x.at(fx), self.y.at(1.0 - fy))
    }

    /// Data coordinates → the pixel of a `(width, height)` canvas.
    pub fn to_pixel(&self, point: (f64, f64), (width, height): (u32, u32)) -> (i32, i32) {
        let (fx, fy) = self.to_fraction(point);
        ((fx * f64::from(width)).round() as i32, (fy * f64::from(height)).round() as i32)
    }

    /// The centres of an `n × n` grid of cells covering the view, in original units, row by row
    /// from the top (n², 2): cell (row i, column j) is the raster pixel (j, i).
    pub fn grid_points(&self, n: usize) -> Array2<f32> {
        let mut points = Array2::zeros((n * n, 2)); // (n², features)
        let centre = |k: usize| (k as f64 + 0.5) / n as f64;
        for i in 0..n {
            for j in 0..n {
                let (x, y) = self.from_fraction((centre(j), centre(i)));
                points[[i * n + j, 0]] = x as f32;
                points[[i * n + j, 1]] = y as f32;
            }
        }
        points
    }
}

/// An RGBA image, row by row from the top (what `ImageData` takes).
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// The decision-region raster of an `n × n` grid from the class probabilities at its cell centres
/// (n², classes), rows in the order of [`RegionView::grid_points`]. Each pixel is
/// [`palette::region_color`] of its row.
pub fn region_raster(probabilities: ArrayView2<f32>, n: usize) -> Result<Raster, KdError> {
    if probabilities.nrows() != n * n {
        return Err(KdError::Internal(format!("{} probability rows for a {n}×{n} grid", probabilities.nrows())));
    }
    let mut rgba = Vec::with_capacity(n * n * 4);
    let mut row_values = Vec::with_capacity(probabilities.ncols());
    for row in probabilities.rows() {
        row_values.clear();
        row_values.extend(row.iter().copied());
        let [r, g, b] = palette::region_color(&row_values, REGION_LIGHTEN);
        rgba.extend_from_slice(&[r, g, b, 255]);
    }
    let side = u32::try_from(n).map_err(chart_err)?;
    Ok(Raster { width: side, height: side, rgba })
}

/// Draws the samples of a 2-D data set over the (already drawn) regions: training samples filled,
/// test samples hollow, the selected sample ringed, and a small key in the bottom-left corner.
pub fn draw_region_points<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    view: &RegionView,
    selected: Option<(SplitName, usize)>,
    scale: ChartScale,
) -> Result<(), KdError> {
    draw_points_and_key(area, data, view, scale)?;
    draw_region_selection(area, data, view, selected, scale)
}

/// Sample `index` of `split` as a pixel of an area of `size`, if it has two finite features.
fn sample_pixel(
    data: &Dataset,
    view: &RegionView,
    (split, index): (SplitName, usize),
    size: (u32, u32),
) -> Option<(i32, i32)> {
    let raw = &data.split(split).raw;
    if index >= raw.nrows() || raw.ncols() < 2 {
        return None;
    }
    let point = (f64::from(raw[[index, 0]]), f64::from(raw[[index, 1]]));
    (point.0.is_finite() && point.1.is_finite()).then(|| view.to_pixel(point, size))
}

/// Every sample's marker and the key: the part of [`draw_region_points`] that is the same for
/// every model and every selection (the browser draws it once and keeps it as an image).
pub fn draw_points_and_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    view: &RegionView,
    scale: ChartScale,
) -> Result<(), KdError> {
    let size = area.dim_in_pixel();
    for split in [SplitName::Train, SplitName::Test] {
        for (index, &label) in data.split(split).labels.iter().enumerate() {
            if let Some(centre) = sample_pixel(data, view, (split, index), size) {
                draw_class_marker(area, centre, label, split == SplitName::Test, 3.6, scale)?;
            }
        }
    }
    draw_key(area, scale)
}

/// The ring around the selected sample.
pub fn draw_region_selection<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &Dataset,
    view: &RegionView,
    selected: Option<(SplitName, usize)>,
    scale: ChartScale,
) -> Result<(), KdError> {
    match selected.and_then(|selected| sample_pixel(data, view, selected, area.dim_in_pixel())) {
        Some(centre) => draw_selection_ring(area, centre, scale),
        None => Ok(()),
    }
}

/// "● train ○ test" (translated) in the bottom-left corner, on a translucent white box.
fn draw_key<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, scale: ChartScale) -> Result<(), KdError> {
    let (_, height) = area.dim_in_pixel();
    let style = scale.text(10.5, palette::TEXT);
    let (train, test) = (text("chart.regions.train"), text("chart.regions.test"));
    let (train_w, _) = area.estimate_text_size(&train, &style).map_err(chart_err)?;
    let (test_w, _) = area.estimate_text_size(&test, &style).map_err(chart_err)?;
    let (pad, marker, gap) = (scale.px(5.0), scale.px(12.0), scale.px(10.0));
    let box_h = scale.px(18.0);
    let box_w = pad + marker + train_w as i32 + gap + marker + test_w as i32 + pad;
    let (x0, y0) = (scale.px(4.0), height as i32 - box_h - scale.px(4.0));
    area.draw(&Rectangle::new([(x0, y0), (x0 + box_w, y0 + box_h)], WHITE.mix(0.8).filled())).map_err(chart_err)?;
    let y = y0 + box_h / 2;
    let anchor = Pos::new(HPos::Left, VPos::Center);
    let mut x = x0 + pad + marker / 2;
    let neutral = RGBColor(0x55, 0x55, 0x55);
    area.draw(&Circle::new((x, y), scale.size(3.6), neutral.filled())).map_err(chart_err)?;
    x += marker / 2 + scale.px(2.0);
    area.draw(&Text::new(train, (x, y), style.clone().pos(anchor))).map_err(chart_err)?;
    x += train_w as i32 + gap + marker / 2;
    area.draw(&Circle::new((x, y), scale.size(3.6), WHITE.filled())).map_err(chart_err)?;
    area.draw(&Circle::new((x, y), scale.size(3.6), neutral.stroke_width(scale.size(2.0)))).map_err(chart_err)?;
    x += marker / 2 + scale.px(2.0);
    area.draw(&Text::new(test, (x, y), style.pos(anchor))).map_err(chart_err)
}

/// The sample drawn nearest to the canvas fraction `(fx, fy)` (train or test), if one lies within
/// [`PICK_RADIUS`] of it; distances are measured in canvas fractions, i.e. as drawn on the
/// (square) canvas.
pub fn pick_region(data: &Dataset, fx: f64, fy: f64) -> Option<(SplitName, usize)> {
    let view = RegionView::of(data)?;
    if !(fx.is_finite() && fy.is_finite()) {
        return None;
    }
    let mut best: Option<(f64, SplitName, usize)> = None;
    for split in [SplitName::Train, SplitName::Test] {
        let raw = &data.split(split).raw;
        for (index, row) in raw.rows().into_iter().enumerate() {
            let (Some(&x), Some(&y)) = (row.get(0), row.get(1)) else { continue };
            let (px, py) = view.to_fraction((f64::from(x), f64::from(y)));
            let distance = (px - fx).hypot(py - fy);
            if distance.is_finite() && best.is_none_or(|(d, _, _)| distance < d) {
                best = Some((distance, split, index));
            }
        }
    }
    best.filter(|&(d, _, _)| d <= PICK_RADIUS).map(|(_, split, index)| (split, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_backend;
    use crate::data::{DataOptions, DatasetName};

    fn spiral() -> Dataset {
        Dataset::load(
            DatasetName::Spiral,
            &DataOptions { noise: 0.1, points: 120, test_fraction: 0.25, seed: 3, ..Default::default() },
        )
        .unwrap()
    }

    #[test]
    fn view_covers_the_data_with_a_margin_and_round_trips() {
        let data = spiral();
        let view = RegionView::of(&data).unwrap();
        for (split, rows) in [(SplitName::Train, &data.train.raw), (SplitName::Test, &data.test.raw)] {
            for row in rows.rows() {
                let point = (f64::from(row[0]), f64::from(row[1]));
                let (fx, fy) = view.to_fraction(point);
                // Inside the 10 % margin: at least 0.1 / 1.2 of the canvas from each edge.
                assert!(
                    (0.08..=0.92).contains(&fx) && (0.08..=0.92).contains(&fy),
                    "{split:?} {point:?} at {fx}, {fy}"
                );
                let back = view.from_fraction((fx, fy));
                assert!((back.0 - point.0).abs() < 1e-9 && (back.1 - point.1).abs() < 1e-9);
            }
        }
        // Up in the data is up on the canvas.
        assert!(view.to_fraction((0.0, view.y.max)).1.abs() < 1e-12);
    }

    #[test]
    fn clicking_on_a_sample_picks_it() {
        let data = spiral();
        let view = RegionView::of(&data).unwrap();
        for (split, index) in [(SplitName::Train, 0), (SplitName::Train, 17), (SplitName::Test, 5)] {
            let raw = &data.split(split).raw;
            let (fx, fy) = view.to_fraction((f64::from(raw[[index, 0]]), f64::from(raw[[index, 1]])));
            assert_eq!(pick_region(&data, fx, fy), Some((split, index)));
        }
        // The canvas corner is far from every sample.
        assert_eq!(pick_region(&data, 0.0, 0.0), None);
        assert_eq!(pick_region(&data, f64::NAN, 0.5), None);
    }

    #[test]
    fn big_networks_get_a_coarser_raster() {
        assert_eq!(grid_resolution(51), GRID_RESOLUTION); // a 2-8-3 student
        assert_eq!(grid_resolution(4_547), 57); // the spiral's 2-64-64-3 teacher
        assert_eq!(grid_resolution(300_000), MIN_GRID_RESOLUTION);
    }

    #[test]
    fn grid_points_are_the_raster_pixel_centres() {
        let view = RegionView { x: Span { min: 0.0, max: 4.0 }, y: Span { min: 0.0, max: 2.0 } };
        let grid = view.grid_points(2);
        // Row 0 is the top of the canvas: y = 1.5; columns at x = 1 and 3.
        assert_eq!(grid.row(0).to_vec(), vec![1.0, 1.5]);
        assert_eq!(grid.row(1).to_vec(), vec![3.0, 1.5]);
        assert_eq!(grid.row(2).to_vec(), vec![1.0, 0.5]);
    }

    #[test]
    fn raster_checks_its_shape_and_colours_by_probability() {
        let probabilities =
            Array2::from_shape_vec((4, 2), vec![1.0, 0.0, 0.0, 1.0, 0.5, 0.5, f32::NAN, f32::NAN]).unwrap();
        let raster = region_raster(probabilities.view(), 2).unwrap();
        assert_eq!((raster.width, raster.height, raster.rgba.len()), (2, 2, 16));
        let [r, g, b] = palette::region_color(&[1.0, 0.0], REGION_LIGHTEN);
        assert_eq!(raster.rgba[0..4], [r, g, b, 255]);
        assert_eq!(raster.rgba[12..16], [255, 255, 255, 255]);
        assert!(region_raster(probabilities.view(), 3).is_err());
    }

    #[test]
    fn other_data_sets_have_no_regions() {
        let iris = Dataset::load(
            DatasetName::Iris,
            &DataOptions { noise: 0.0, points: 0, test_fraction: 0.2, seed: 1, ..Default::default() },
        )
        .unwrap();
        assert_eq!(RegionView::of(&iris), None);
        assert_eq!(pick_region(&iris, 0.5, 0.5), None);
    }

    #[test]
    fn points_draw_with_and_without_a_selection() {
        let data = spiral();
        let view = RegionView::of(&data).unwrap();
        let (area, recorded) = test_backend::area(380, 380);
        draw_region_points(&area, &data, &view, Some((SplitName::Test, 2)), ChartScale::default()).unwrap();
        let drawn = recorded.borrow();
        // Circles (class 0 and the key and ring) and polygons (the other classes) for every sample.
        assert!(drawn.circles + drawn.paths >= data.train.len() + data.test.len());
        drop(drawn);
        let (area, _) = test_backend::area(380, 380);
        draw_region_points(&area, &data, &view, Some((SplitName::Test, 100_000)), ChartScale::new(2.0)).unwrap();
    }
}
