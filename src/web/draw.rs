//! The playground's drawing methods and `pick`: each parses the page's arguments, hands the
//! session's numbers to a chart in `crate::charts`, and converts the crate's error once. Also the
//! language of the charts' texts (`setChartText`, `chartTextKeys`).

use std::collections::BTreeMap;

use ndarray::s;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{bad_argument, js_error, split_name, to_js, unknown, CompressionBench, JsResult, Playground};
use crate::charts::{bars, canvas, compression, curves, regions, samples};
use crate::charts::{gradients, heatmap, methods, reliability, sweep, text};
use crate::data::{DataView, SplitName};
use crate::error::{KdError, Result};
use crate::losses::argmax_rows;
use crate::session::ModelKind;

/// What the drawing methods keep between draws: each model's regions raster at the weights it
/// shows, and the points over the regions.
#[derive(Default)]
pub(crate) struct Drawn {
    rasters: Vec<KeptRaster>,
    points: Option<KeptPoints>,
    /// The digit gallery's layout as last drawn (it follows the canvas's size): what `pick` inverts.
    gallery: samples::GalleryLayout,
}

struct KeptRaster {
    model: ModelKind,
    /// [`crate::session::Session::weights_version`] of the model it shows.
    version: u64,
    image: HtmlCanvasElement,
}

struct KeptPoints {
    /// Canvas width and height, the scale's bits, and the key's texts.
    key: (u32, u32, u64, String, String),
    image: HtmlCanvasElement,
}

/// What `pick` returns to the page: the sample under the click.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Picked {
    split: SplitName,
    index: usize,
}

/// Hands the charts the catalogue of the learner's language: a plain object of key → text, as the
/// page loaded it from `locales/<lang>.json` (its `chart.` texts are kept; other keys and values
/// that are not strings are ignored). Charts already on the page change when they are next drawn.
#[wasm_bindgen(js_name = setCatalogue)]
pub fn set_catalogue(catalogue: JsValue) -> JsResult<()> {
    if !catalogue.is_object() || js_sys::Array::is_array(&catalogue) {
        return Err(bad_argument("setCatalogue", "a plain object of key → text is expected (locales/<lang>.json)"));
    }
    let mut texts = BTreeMap::new();
    for entry in js_sys::Object::entries(catalogue.unchecked_ref::<js_sys::Object>()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        if let (Some(key), Some(template)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            if key.starts_with("chart.") {
                texts.insert(key, template);
            }
        }
    }
    crate::text::set_catalogue(texts);
    canvas::forget_measures();
    Ok(())
}

#[wasm_bindgen]
impl Playground {
    /// Draws the loss curves (distilled student's terms and total, control's CE; before
    /// distillation, the teacher's CE) onto `canvas`.
    #[wasm_bindgen(js_name = drawLossCurves)]
    pub fn draw_loss_curves(&self, canvas: &HtmlCanvasElement) -> JsResult<()> {
        let area = canvas::drawing_area(canvas).map_err(js_error)?;
        let settings = self.session.settings();
        curves::draw_loss_curves(&area, self.session.history(), settings.method, settings.kl_direction, canvas::scale())
            .map_err(js_error)
    }

    /// The language task: draws each model's bits per character on the held-out lines per epoch,
    /// the teacher (left) and the two students (right).
    #[wasm_bindgen(js_name = drawBitsCurves)]
    pub fn draw_bits_curves(&self, canvas: &HtmlCanvasElement) -> JsResult<()> {
        let area = canvas::drawing_area(canvas).map_err(js_error)?;
        let untrained = (self.session.data().classes() as f64).log2();
        let held_out = self.session.settings().holdout;
        crate::charts::language::draw_bits_curves(&area, self.session.history(), untrained, held_out, canvas::scale())
            .map_err(js_error)
    }

    /// Draws the accuracy curves: the teacher (left) and the two students (right).
    #[wasm_bindgen(js_name = drawAccuracyCurves)]
    pub fn draw_accuracy_curves(&self, canvas: &HtmlCanvasElement) -> JsResult<()> {
        let area = canvas::drawing_area(canvas).map_err(js_error)?;
        curves::draw_accuracy_curves(&area, self.session.history(), self.session.has_teacher(), canvas::scale())
            .map_err(js_error)
    }

    /// Draws sample `index` of `split`: its hard label and the soft labels of the teacher (T = 1
    /// and T) and of the two students (T), with the numbers printed.
    #[wasm_bindgen(js_name = drawSampleBars)]
    pub fn draw_sample_bars(&self, canvas: &HtmlCanvasElement, split: &str, index: u32) -> JsResult<()> {
        let split = split_name(split)?;
        self.sample_bars(canvas, split, index as usize).map_err(js_error)
    }

    /// Draws the decision regions of `model` ('teacher', 'kd' or 'control') with the data over
    /// them (2-D data sets only), ringing the selected sample if there is one.
    #[wasm_bindgen(js_name = drawRegions)]
    pub fn draw_regions(
        &self,
        canvas: &HtmlCanvasElement,
        model: &str,
        selected_split: Option<String>,
        selected_index: Option<u32>,
    ) -> JsResult<()> {
        let model = ModelKind::from_name(model).ok_or_else(|| unknown("model", model))?;
        let selected = selection(selected_split, selected_index)?;
        self.regions(canvas, model, selected).map_err(js_error)
    }

    /// Draws the samples: a gallery of test digits, or a scatter of two features.
    #[wasm_bindgen(js_name = drawSamples)]
    pub fn draw_samples(
        &self,
        canvas: &HtmlCanvasElement,
        selected_split: Option<String>,
        selected_index: Option<u32>,
    ) -> JsResult<()> {
        let selected = selection(selected_split, selected_index)?;
        self.samples(canvas, selected).map_err(js_error)
    }

    /// The sample under a click at `(fx, fy)`, fractions of the canvas's width and height, in view
    /// 'regions' or 'samples': `{split, index}`, or null when there is none near.
    pub fn pick(&self, view: &str, fx: f64, fy: f64) -> JsResult<JsValue> {
        let data = self.session.data();
        let picked = match view {
            "regions" => regions::pick_region(data, fx, fy),
            "samples" if data.view == DataView::Digits => {
                samples::pick_gallery(data, self.drawn.borrow().gallery, fx, fy)
            }
            "samples" => samples::pick_scatter(data, fx, fy),
            other => return Err(unknown("view", other)),
        };
        to_js(&picked.map(|(split, index)| Picked { split, index }))
    }

    /// Draws the teacher's soft label of sample `index` of `split` as the temperature sweeps the
    /// slider's range (log axis), with the current T marked and its probabilities read out.
    #[wasm_bindgen(js_name = drawTemperatureSweep)]
    pub fn draw_temperature_sweep(&self, canvas: &HtmlCanvasElement, split: &str, index: u32) -> JsResult<()> {
        let split = split_name(split)?;
        self.sweep_chart(canvas, split, index as usize).map_err(js_error)
    }

    /// Draws, per class, the gradients of the soft term `α·T·(q − p)` and the hard term
    /// `(1 − α)·(softmax(z_s) − y)` on sample `index` of `split`'s student logits; with
    /// `without_t2`, the soft term as it would be without the T² factor (1/T² as large), on the
    /// same y scale.
    #[wasm_bindgen(js_name = drawGradients)]
    pub fn draw_gradients(
        &self,
        canvas: &HtmlCanvasElement,
        split: &str,
        index: u32,
        without_t2: bool,
    ) -> JsResult<()> {
        let split = split_name(split)?;
        self.gradients_chart(canvas, split, index as usize, without_t2).map_err(js_error)
    }

    /// Draws the teacher's mean soft label per true class at the current T as a heat map.
    /// `grey_diagonal` (default true) greys the diagonal and scales the colours to the largest
    /// off-diagonal value, so the classes the teacher finds alike stand out.
    #[wasm_bindgen(js_name = drawDarkKnowledge)]
    pub fn draw_dark_knowledge(&self, canvas: &HtmlCanvasElement, grey_diagonal: Option<bool>) -> JsResult<()> {
        let diagonal =
            if grey_diagonal.unwrap_or(true) { heatmap::Diagonal::Greyed } else { heatmap::Diagonal::Coloured };
        self.similarity_chart(canvas, diagonal).map_err(js_error)
    }

    /// Draws the reliability diagram of the test split (accuracy against confidence, max p at
    /// T = 1, in 15 bins) for the teacher, the distilled student and the control student, each
    /// with its ECE; only the networks that have trained (the teacher once it has, the students
    /// once distillation has started).
    #[wasm_bindgen(js_name = drawReliability)]
    pub fn draw_reliability(&self, canvas: &HtmlCanvasElement) -> JsResult<()> {
        self.reliability_chart(canvas).map_err(js_error)
    }

    /// Draws the method's own view (see [`crate::charts::methods`]): FitNets' hint loss and
    /// CKA, RKD's distance matrices, DML's peers, BYOT's exits.
    #[wasm_bindgen(js_name = drawMethodView)]
    pub fn draw_method_view(&self, canvas: &HtmlCanvasElement) -> JsResult<()> {
        self.method_chart(canvas).map_err(js_error)
    }

    /// Whether the run's method has a view of its own (FitNets, RKD, DML, BYOT: see
    /// [`Playground::draw_method_view`]).
    #[wasm_bindgen(js_name = hasMethodView)]
    pub fn has_method_view(&self) -> bool {
        methods::has_view(self.session.settings().method)
    }

    /// The distilled student's soft term as the loss chart's legend names it for the run's method
    /// (in the charts' language): the page's numbers beside the chart use the same words.
    #[wasm_bindgen(js_name = softTermText)]
    pub fn soft_term_text(&self) -> String {
        let settings = self.session.settings();
        curves::soft_term_text(settings.method, settings.kl_direction)
    }
}

#[wasm_bindgen]
impl CompressionBench {
    /// Draws the bench's Pareto view (see [`crate::charts::compression`]): test accuracy against
    /// bytes on disk and against inference time per sample, each with its Pareto frontier; the
    /// rows trained so far, a row not yet timed in the bytes panel only.
    #[wasm_bindgen(js_name = drawPareto)]
    pub fn draw_pareto(&self, canvas: &HtmlCanvasElement) -> JsResult<()> {
        self.pareto_chart(canvas).map_err(js_error)
    }
}

impl CompressionBench {
    fn pareto_chart(&self, canvas: &HtmlCanvasElement) -> Result<()> {
        let report = self.bench.report()?;
        let area = canvas::drawing_area(canvas)?;
        compression::draw_compression(&area, &report, canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }
}

/// The selected sample from the page's optional split and index (both or nothing).
fn selection(split: Option<String>, index: Option<u32>) -> JsResult<Option<(SplitName, usize)>> {
    match (split, index) {
        (Some(split), Some(index)) => Ok(Some((split_name(&split)?, index as usize))),
        _ => Ok(None),
    }
}

impl Playground {
    fn sweep_chart(&self, canvas: &HtmlCanvasElement, split: SplitName, index: usize) -> Result<()> {
        let insight = self.insight(split, index)?;
        let area = canvas::drawing_area(canvas)?;
        sweep::draw_temperature_sweep(&area, &insight, &self.class_names(), canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }

    fn gradients_chart(
        &self,
        canvas: &HtmlCanvasElement,
        split: SplitName,
        index: usize,
        without_t2: bool,
    ) -> Result<()> {
        let insight = self.insight(split, index)?;
        let area = canvas::drawing_area(canvas)?;
        gradients::draw_gradients(&area, &insight, &self.class_names(), without_t2, canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }

    fn similarity_chart(&self, canvas: &HtmlCanvasElement, diagonal: heatmap::Diagonal) -> Result<()> {
        let similarity = self.session.class_similarity()?;
        let area = canvas::drawing_area(canvas)?;
        heatmap::draw_heatmap(&area, &similarity, &self.class_names(), diagonal, canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }

    fn method_chart(&self, canvas: &HtmlCanvasElement) -> Result<()> {
        let method = self.session.settings().method;
        let relations = if method == crate::methods::MethodKind::Rkd {
            let per_class = (30 / self.session.data().classes().max(1)).clamp(2, 10);
            self.session.relation_view(per_class)?
        } else {
            None
        };
        let area = canvas::drawing_area(canvas)?;
        methods::draw_method_view(&area, method, self.session.history(), relations.as_ref(), canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }

    fn reliability_chart(&self, canvas: &HtmlCanvasElement) -> Result<()> {
        let test = &self.session.data().test;
        let calibrations = reliability::shown_models(self.session.history(), self.session.status().steps)
            .into_iter()
            // mutual learning and self-distillation train no teacher
            .filter(|&model| model != ModelKind::Teacher || self.session.has_teacher())
            .map(|model| {
                let logits = match model {
                    ModelKind::Teacher => self.session.teacher_test_logits()?,
                    _ => self.session.logits_at(model, test.features.view(), 1.0)?, // (test, classes)
                };
                reliability::Calibration::of(model, logits.view(), &test.labels)
            })
            .collect::<Result<Vec<_>>>()?;
        let area = canvas::drawing_area(canvas)?;
        reliability::draw_reliability(&area, &calibrations, canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }

    fn sample_bars(&self, canvas: &HtmlCanvasElement, split: SplitName, index: usize) -> Result<()> {
        let report = self.report(split, index)?;
        let area = canvas::drawing_area(canvas)?;
        bars::draw_sample_bars(&area, &report, &self.class_names(), self.session.has_teacher(), canvas::scale())?;
        area.present().map_err(crate::charts::chart_err)
    }

    /// The regions raster: the model's class probabilities (T = 1) on a grid over the view, in one
    /// batched forward pass, coloured and put on the canvas as one image; then the points and the
    /// selection. The raster is kept until the model's weights change, the points (the same for
    /// every model) until the canvas's size or the language changes.
    fn regions(
        &self,
        canvas: &HtmlCanvasElement,
        model: ModelKind,
        selected: Option<(SplitName, usize)>,
    ) -> Result<()> {
        let data = self.session.data();
        let view = regions::RegionView::of(data).ok_or_else(|| {
            KdError::Chart(format!(
                "decision regions need a 2-D data set ({} has {} features)",
                data.name.name(),
                data.feature_count()
            ))
        })?;
        let mut drawn = self.drawn.borrow_mut();
        let version = self.session.weights_version(model);
        let kept = drawn.rasters.iter().position(|r| r.model == model && r.version == version);
        let index = match kept {
            Some(index) => index,
            None => {
                let members = if model == ModelKind::Teacher { self.session.teachers().count() } else { 1 };
                let resolution = regions::grid_resolution(self.session.model(model).parameter_count() * members);
                let grid = view.grid_points(resolution); // (n², 2)
                let probabilities = self.session.probabilities_raw(model, grid.view(), 1.0)?; // (n², classes)
                let image = canvas::raster_image(&regions::region_raster(probabilities.view(), resolution)?)?;
                drawn.rasters.retain(|r| r.model != model);
                drawn.rasters.push(KeptRaster { model, version, image });
                drawn.rasters.len() - 1
            }
        };
        canvas::draw_image(canvas, &drawn.rasters[index].image)?;
        let scale = canvas::scale();
        let key = (
            canvas.width(),
            canvas.height(),
            scale.ratio().to_bits(),
            text::text("chart.regions.train"),
            text::text("chart.regions.test"),
        );
        if drawn.points.as_ref().is_none_or(|p| p.key != key) {
            let image = canvas::offscreen(canvas.width(), canvas.height())?;
            let area = canvas::drawing_area(&image)?;
            regions::draw_points_and_key(&area, data, &view, scale)?;
            area.present().map_err(crate::charts::chart_err)?;
            drawn.points = Some(KeptPoints { key, image });
        }
        if let Some(points) = &drawn.points {
            canvas::draw_image(canvas, &points.image)?;
        }
        let area = canvas::drawing_area(canvas)?;
        regions::draw_region_selection(&area, data, &view, selected, scale)?;
        area.present().map_err(crate::charts::chart_err)
    }

    fn samples(&self, canvas: &HtmlCanvasElement, selected: Option<(SplitName, usize)>) -> Result<()> {
        let data = self.session.data();
        let area = canvas::drawing_area(canvas)?;
        let scale = canvas::scale();
        match data.view {
            DataView::Digits => {
                let layout = samples::GalleryLayout::for_size((canvas.width(), canvas.height()), scale);
                self.drawn.borrow_mut().gallery = layout;
                // The teacher's predictions for the shown digits and for the selected sample only
                // (none when the method trains no teacher: an untrained one's would be noise).
                let has_teacher = self.session.has_teacher();
                let predictions = if has_teacher {
                    let shown_features = data.test.features.slice(s![0..samples::gallery_len(data, layout), ..]); // (shown, features)
                    argmax_rows(self.session.probabilities(ModelKind::Teacher, shown_features, 1.0)?.view())
                } else {
                    Vec::new()
                };
                let selection = match selected {
                    Some((split, index)) if !has_teacher && index < data.split(split).len() => {
                        Some(samples::Selection { split, index, teacher_prediction: None })
                    }
                    Some((split, index)) if index < data.split(split).len() => {
                        let features = data.split(split).features.slice(s![index..index + 1, ..]); // (1, features)
                        let prediction =
                            argmax_rows(self.session.probabilities(ModelKind::Teacher, features, 1.0)?.view())
                                .first()
                                .copied();
                        Some(samples::Selection { split, index, teacher_prediction: prediction })
                    }
                    _ => None,
                };
                samples::draw_digit_gallery(&area, data, &predictions, selection, scale)?;
            }
            DataView::Text => {
                return Err(KdError::Chart("the page does not draw a text's samples as a data view".into()));
            }
            DataView::Table | DataView::Points => {
                let selection =
                    selected.map(|(split, index)| samples::Selection { split, index, teacher_prediction: None });
                samples::draw_scatter(&area, data, selection, scale)?;
            }
        }
        area.present().map_err(crate::charts::chart_err)
    }
}
