//! The browser side of drawing (wasm32 only): a canvas handed over by the page becomes a plotters
//! drawing area, and a decision-region raster is put on it as one image, scaled up by the browser
//! with smoothing (not as thousands of rectangles).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::regions::Raster;
use super::ChartScale;
use crate::error::KdError;

/// A canvas as a plotters drawing area of its pixel size (`width` × `height` attributes).
pub fn drawing_area(canvas: &HtmlCanvasElement) -> Result<DrawingArea<CanvasBackend, Shift>, KdError> {
    CanvasBackend::with_canvas_object(canvas.clone())
        .map(IntoDrawingArea::into_drawing_area)
        .ok_or_else(|| KdError::Chart("the canvas has no 2-D drawing context".into()))
}

/// The scale of fonts, strokes and markers: the window's device-pixel ratio (the page sizes each
/// canvas to its CSS size times this ratio).
pub fn scale() -> ChartScale {
    ChartScale::new(web_sys::window().map_or(1.0, |window| window.device_pixel_ratio()))
}

/// Puts `raster` on the whole canvas: the image goes onto a scratch canvas of the raster's size,
/// which is then drawn scaled to the canvas with image smoothing on, so the regions look smooth.
pub fn draw_raster(canvas: &HtmlCanvasElement, raster: &Raster) -> Result<(), KdError> {
    let context = context_2d(canvas)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| KdError::Chart("no document to draw in".into()))?;
    let scratch: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| js_failure("creating a scratch canvas", e))?
        .dyn_into()
        .map_err(|e| js_failure("creating a scratch canvas", e.into()))?;
    scratch.set_width(raster.width);
    scratch.set_height(raster.height);
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&raster.rgba), raster.width, raster.height)
        .map_err(|e| js_failure("making the regions image", e))?;
    context_2d(&scratch)?.put_image_data(&image, 0.0, 0.0).map_err(|e| js_failure("putting the regions image", e))?;
    context.set_image_smoothing_enabled(true);
    context
        .draw_image_with_html_canvas_element_and_dw_and_dh(&scratch, 0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()))
        .map_err(|e| js_failure("drawing the regions image", e))
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
