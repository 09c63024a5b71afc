//! The browser side of drawing (wasm32 only): a canvas handed over by the page becomes a plotters
//! drawing area, and a decision-region raster is put on it as one image, scaled up by the browser
//! with smoothing (not as thousands of rectangles).
//!
//! Text is measured with the canvas's own `measureText`: plotters' default for the web puts a
//! `<span>` in the page and reads its size, which forces a layout of the whole page per label (it
//! took over half of every chart's drawing time). Each (font, text) is measured once and kept (a
//! chart redrawn while training measures the same tick labels every time), and the context's font
//! is set only when it changes: setting a canvas's font makes the browser bring the page's styles
//! up to date first, which after a DOM change is a style recalculation (about 0.7 ms per call on
//! a CPU slowed 4×, once per label before).

use std::cell::RefCell;
use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::regions::Raster;
use super::ChartScale;
use crate::error::KdError;

/// plotters-canvas's backend, measuring text with `measureText` on the same canvas.
pub struct Canvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    /// Whether the canvas is in the page (a canvas out of it resolves fonts without the page's
    /// styles, e.g. its language, so its measures are kept apart).
    attached: bool,
    /// The font this backend last set on the context (None: not set yet by this drawing).
    font: RefCell<Option<String>>,
    /// The text baseline, alignment and fill colour this backend last set for text (None: not
    /// known; the fill is forgotten by every other drawing, which sets its own).
    text: RefCell<TextState>,
}

/// What the context holds for drawing text, as far as this backend knows.
#[derive(Default)]
struct TextState {
    baseline: Option<&'static str>,
    align: Option<&'static str>,
    fill: Option<String>,
}

type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

/// Kept measures: at most this many (font, text) pairs, then they are forgotten all at once.
const MEASURES_KEPT: usize = 4096;

/// What a measure is of: whether the canvas is in the page, the CSS font and the text.
type MeasureKey = (bool, String, String);

thread_local! {
    /// (canvas in the page, font, text) → (advance width, font height), as `measureText` gave them.
    static MEASURES: RefCell<HashMap<MeasureKey, (u32, u32)>> = RefCell::new(HashMap::new());
}

/// Forgets the kept text measures (the page's language changed: the browser may pick other fonts
/// for the same characters).
pub fn forget_measures() {
    MEASURES.with(|m| m.borrow_mut().clear());
}

/// The CSS font plotters-canvas draws a text style in.
fn css_font<S: BackendTextStyle>(style: &S) -> String {
    format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str())
}

/// A drawing failure as plotters reports it (plotters-canvas's own error type is private).
fn failure(doing: &'static str) -> impl Fn(JsValue) -> DrawingErrorKind<CanvasError> {
    move |e: JsValue| DrawingErrorKind::FontError(Box::new(std::io::Error::other(format!("{doing} failed: {e:?}"))))
}

impl Canvas {
    /// Forgets the fill colour set for text (a drawing of plotters-canvas sets its own).
    fn fill_changed(&self) {
        self.text.borrow_mut().fill = None;
    }

    /// Sets `font` on the context unless this drawing already did.
    fn use_font(&self, font: &str) {
        let mut current = self.font.borrow_mut();
        if current.as_deref() != Some(font) {
            self.context.set_font(font);
            *current = Some(font.to_string());
        }
    }
}

impl DrawingBackend for Canvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: plotters_backend::BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.fill_changed();
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.fill_changed();
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.fill_changed();
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.fill_changed();
        self.inner.fill_polygon(vert, style)
    }

    /// As plotters-canvas draws text (the same calls in the same order), but setting the font only
    /// when it changes; it is set before `save()`, so that `restore()` keeps it.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (mut x, mut y) = (pos.0, pos.1);
        let degrees = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        };
        self.use_font(&css_font(style));
        let turned = degrees != 0.0;
        if turned {
            self.context.save();
            self.context.translate(f64::from(x), f64::from(y)).map_err(failure("moving the text"))?;
            self.context.rotate(degrees / 180.0 * std::f64::consts::PI).map_err(failure("turning the text"))?;
            x = 0;
            y = 0;
        }
        let baseline = match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        };
        let align = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        };
        let (r, g, b) = color.rgb;
        let fill = format!("rgba({},{},{},{})", r, g, b, color.alpha);
        // Each is set unless the context holds it already. Within save() … restore() the
        // context starts from the known state and returns to it, so the state is noted only
        // for text that is not turned.
        let mut known = self.text.borrow_mut();
        if known.baseline != Some(baseline) {
            self.context.set_text_baseline(baseline);
        }
        if known.align != Some(align) {
            self.context.set_text_align(align);
        }
        if known.fill.as_deref() != Some(fill.as_str()) {
            self.context.set_fill_style_str(&fill);
        }
        if !turned {
            *known = TextState { baseline: Some(baseline), align: Some(align), fill: Some(fill) };
        }
        drop(known);
        self.context.fill_text(text, f64::from(x), f64::from(y)).map_err(failure("drawing text"))?;
        if turned {
            self.context.restore();
        }
        Ok(())
    }

    /// The text's advance width and its font's height (ascent + descent), as the canvas lays it
    /// out in the font plotters-canvas draws it with; measured once per font and text.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        let key = (self.attached, css_font(style), text.to_string());
        if let Some(size) = MEASURES.with(|m| m.borrow().get(&key).copied()) {
            return Ok(size);
        }
        self.use_font(&key.1);
        let metrics = self.context.measure_text(text).map_err(failure("measuring text"))?;
        let height = metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent();
        let height = if height.is_finite() && height > 0.0 { height } else { 1.2 * style.size() };
        let size = (metrics.width().ceil().max(0.0) as u32, height.ceil() as u32);
        MEASURES.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= MEASURES_KEPT {
                m.clear();
            }
            m.insert(key, size);
        });
        Ok(size)
    }

    /// An RGB bitmap as one `putImageData` (plotters' default draws it pixel by pixel).
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (width, height): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let pixels = (width as usize) * (height as usize);
        if width == 0 || height == 0 || src.len() < pixels * 3 {
            return Ok(());
        }
        let mut rgba = Vec::with_capacity(pixels * 4);
        for rgb in src.chunks_exact(3).take(pixels) {
            rgba.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        }
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), width, height)
            .map_err(failure("making a bitmap"))?;
        self.context.put_image_data(&image, f64::from(pos.0), f64::from(pos.1)).map_err(failure("putting a bitmap"))
    }
}

/// A canvas as a plotters drawing area of its pixel size (`width` × `height` attributes).
pub fn drawing_area(canvas: &HtmlCanvasElement) -> Result<DrawingArea<Canvas, Shift>, KdError> {
    let context = context_2d(canvas)?;
    CanvasBackend::with_canvas_object(canvas.clone())
        .map(|inner| {
            let attached = canvas.is_connected();
            Canvas { inner, context, attached, font: RefCell::new(None), text: RefCell::default() }.into_drawing_area()
        })
        .ok_or_else(|| KdError::Chart("the canvas has no 2-D drawing context".into()))
}

/// The scale of fonts, strokes and markers: the window's device-pixel ratio (the page sizes each
/// canvas to its CSS size times this ratio).
pub fn scale() -> ChartScale {
    ChartScale::new(web_sys::window().map_or(1.0, |window| window.device_pixel_ratio()))
}

/// A canvas of `width` × `height` pixels that is not in the page (to draw on once and keep).
pub fn offscreen(width: u32, height: u32) -> Result<HtmlCanvasElement, KdError> {
    let document =
        web_sys::window().and_then(|w| w.document()).ok_or_else(|| KdError::Chart("no document to draw in".into()))?;
    let scratch: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| js_failure("creating a scratch canvas", e))?
        .dyn_into()
        .map_err(|e| js_failure("creating a scratch canvas", e.into()))?;
    scratch.set_width(width);
    scratch.set_height(height);
    Ok(scratch)
}

/// `raster` as an offscreen canvas of its own size.
pub fn raster_image(raster: &Raster) -> Result<HtmlCanvasElement, KdError> {
    let scratch = offscreen(raster.width, raster.height)?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&raster.rgba), raster.width, raster.height)
        .map_err(|e| js_failure("making the regions image", e))?;
    context_2d(&scratch)?.put_image_data(&image, 0.0, 0.0).map_err(|e| js_failure("putting the regions image", e))?;
    Ok(scratch)
}

/// Draws `image` over the whole of `canvas`, scaled with image smoothing on (a raster of the
/// regions looks smooth; an image of the canvas's own size is copied as it is).
pub fn draw_image(canvas: &HtmlCanvasElement, image: &HtmlCanvasElement) -> Result<(), KdError> {
    let context = context_2d(canvas)?;
    context.set_image_smoothing_enabled(true);
    context
        .draw_image_with_html_canvas_element_and_dw_and_dh(
            image,
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .map_err(|e| js_failure("drawing an image", e))
}

fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, KdError> {
    canvas
        .get_context("2d")
        .map_err(|e| js_failure("getting the canvas's 2-D context", e))?
        .ok_or_else(|| KdError::Chart("the canvas has no 2-D drawing context".into()))?
        .dyn_into()
        .map_err(|e| js_failure("getting the canvas's 2-D context", e.into()))
}

/// A browser error as a chart error naming what was being done.
fn js_failure(doing: &str, error: JsValue) -> KdError {
    let detail = error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| format!("{error:?}"));
    KdError::Chart(format!("{doing} failed: {detail}"))
}
