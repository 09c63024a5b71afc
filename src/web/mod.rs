//! The JavaScript boundary: the only module (with its `draw` part) that knows about
//! `wasm_bindgen`. Settings arrive as plain objects and are validated against the settings table;
//! results leave as plain camelCase objects; every error crosses once, as a JS `Error` whose `kd`
//! property is the crate's message (`{key, params}`), which the page renders in the learner's
//! language from its catalogue.

mod draw;
mod language;

use std::collections::BTreeMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::data::{builtin, DataView, Dataset, DatasetName, SplitName};
use crate::error::{KdError, Refusal};
use crate::experiments::{Experiment, Study};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::session::{
    BatchLosses, ModelKind, Phase, RunDocument, SampleInsight, SampleReport, SavedRun, SentVersions, Session, Snapshot,
    Status, StudentEpoch, TeacherEpoch,
};
use crate::settings::{self, Settings, Value};

/// What every call of the boundary returns: a value, or the thrown error of [`js_error`].
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// The crate's error as the one kind of error the page catches: a JS `Error` whose `kd` property
/// is the message (`{key, params}`) the page renders from its catalogue; its own message is the
/// key and values, for the console.
pub(crate) fn js_error(error: KdError) -> JsValue {
    let message = error.message();
    let thrown = js_sys::Error::new(&message.render_english());
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    if let Ok(value) = message.serialize(&serializer) {
        let _ = js_sys::Reflect::set(&thrown, &JsValue::from_str("kd"), &value);
    }
    thrown.into()
}

/// A name the page sent that the engine does not know, as an error.
pub(crate) fn unknown(what: &'static str, got: &str) -> JsValue {
    js_error(KdError::Refused(Refusal::UnknownName { what, got: got.to_string() }))
}

/// What the page sent is not what the call takes, as an error.
pub(crate) fn bad_argument(what: &'static str, detail: impl Into<String>) -> JsValue {
    js_error(KdError::Refused(Refusal::BadArgument { what, detail: detail.into() }))
}

fn to_js<T: Serialize>(value: &T) -> JsResult<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .map_err(|e| js_error(KdError::Internal(format!("cannot send a result to the page: {e}"))))
}

/// Reads what `to_js` wrote (in another instance of this module: the page's worker).
fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> JsResult<T> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| js_error(KdError::Internal(format!("cannot read what the engine sent: {e}"))))
}

/// Reads a plain JS object of settings (name → number or string).
fn settings_values(value: JsValue) -> JsResult<BTreeMap<String, Value>> {
    if value.is_undefined() || value.is_null() {
        return Ok(BTreeMap::new());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| bad_argument("settings", format!("an object of numbers and strings is expected ({e})")))
}

/// Parses a split name from the page.
pub(crate) fn split_name(split: &str) -> JsResult<SplitName> {
    SplitName::from_name(split).ok_or_else(|| unknown("split", split))
}

/// Every setting's declaration: the page builds its controls from this table.
#[wasm_bindgen(js_name = settingsSchema)]
pub fn settings_schema() -> JsResult<JsValue> {
    let page: Vec<&settings::SettingSpec> = settings::SCHEMA.iter().filter(|s| !s.cli_only).collect();
    to_js(&page)
}

/// The colours that mean something (`{teacher, distilled, control, soft, softInk, hard, …,
/// classes}`), as CSS colours: the page sets them as custom properties for its styles and diagrams,
/// so that each concept has the charts' colour everywhere.
#[wasm_bindgen]
pub fn palette() -> JsResult<JsValue> {
    to_js(&crate::charts::palette::palette())
}

/// A run document as `JSON.parse` made it: read field by field (the engine's checks name the
/// faulty field), each decoded with serde-wasm-bindgen, so the module carries no JSON parser.
struct JsDocument(JsValue);

impl RunDocument for JsDocument {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        let value = js_sys::Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
        (!value.is_undefined()).then_some(JsDocument(value))
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !js_sys::Array::is_array(&self.0)
    }
    fn as_text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn as_whole_number(&self) -> Option<u64> {
        self.0.as_f64().filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v <= u64::MAX as f64).map(|v| v as u64)
    }
    fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        serde_wasm_bindgen::from_value(self.0.clone()).map_err(serde_reason)
    }
    fn decode_null<T: serde::de::DeserializeOwned>() -> Result<T, String> {
        serde_wasm_bindgen::from_value(JsValue::NULL).map_err(serde_reason)
    }
}

/// serde-wasm-bindgen's message in the words serde_json uses natively ("null", not "unit value";
/// no "Error: " before it), so that a fault reads the same in the page and in `kd`.
fn serde_reason(error: serde_wasm_bindgen::Error) -> String {
    let text = error.to_string();
    text.strip_prefix("Error: ").unwrap_or(&text).replace("unit value", "null")
}

/// The file data set `dataset` still needs before a session can use it ("digits.csv", fetched by
/// the page from beside this module when digits is first chosen), or undefined when it is ready.
#[wasm_bindgen(js_name = datasetFile)]
pub fn dataset_file(dataset: &str) -> Option<String> {
    let name = DatasetName::from_name(dataset)?;
    (!builtin::is_available(name)).then(|| builtin::file_of(name).map(str::to_string)).flatten()
}

/// Hands the engine the text of `datasetFile(dataset)`; refused unless it is this build's copy.
#[wasm_bindgen(js_name = provideDataset)]
pub fn provide_dataset(dataset: &str, text: String) -> JsResult<()> {
    let name = DatasetName::from_name(dataset).ok_or_else(|| unknown("dataset", dataset))?;
    builtin::provide(name, text).map_err(js_error)
}

/// The settings that picking data set `dataset` changes, as an object.
#[wasm_bindgen(js_name = datasetDefaults)]
pub fn dataset_defaults(dataset: &str) -> JsResult<JsValue> {
    let name = DatasetName::from_name(dataset).ok_or_else(|| unknown("dataset", dataset))?;
    to_js(&values_object(settings::dataset_defaults(name)))
}

/// Settings as the page holds them: numbers as numbers, the rest as text.
pub(crate) fn values_object(values: Vec<(&'static str, &'static str)>) -> BTreeMap<&'static str, Value> {
    values
        .into_iter()
        .map(|(key, text)| {
            let value = match (settings::spec(key).map(|s| s.kind), text.parse::<f64>()) {
                (Some(settings::SettingKind::Number | settings::SettingKind::Integer), Ok(n)) => Value::Number(n),
                _ => Value::Text(text.to_string()),
            };
            (key, value)
        })
        .collect()
}

/// A setting's problem: `message` is the problem alone (`{key, params}`), as the page writes it
/// beside the setting's control.
#[derive(Serialize)]
struct FieldError {
    name: String,
    message: crate::text::Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CsvLimits {
    max_bytes: usize,
    max_rows: usize,
    max_features: usize,
    max_classes: usize,
}

/// The limits of a user's CSV file, for the page to check a file's size before reading it.
#[wasm_bindgen(js_name = csvLimits)]
pub fn csv_limits() -> JsResult<JsValue> {
    use crate::data::csv;
    to_js(&CsvLimits {
        max_bytes: csv::MAX_BYTES,
        max_rows: csv::MAX_ROWS,
        max_features: csv::MAX_FEATURES,
        max_classes: csv::MAX_CLASSES,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExperimentInfo {
    #[serde(flatten)]
    experiment: &'static Experiment,
    /// Whether it is a study of several runs (compared in a table) rather than one run in the
    /// main view.
    study: bool,
    /// A study's runs, in order.
    arms: Vec<crate::experiments::Arm>,
}

/// The experiments: `[{name, title, claim, dataset, settings, study, arms}]` (English; the
/// page's catalogues translate by name).
#[wasm_bindgen]
pub fn experiments() -> JsResult<JsValue> {
    let infos: Vec<ExperimentInfo> = crate::experiments::EXPERIMENTS
        .iter()
        .map(|e| ExperimentInfo { experiment: e, study: e.check.is_study(), arms: e.arms() })
        .collect();
    to_js(&infos)
}

fn experiment_named(name: &str) -> JsResult<&'static Experiment> {
    crate::experiments::experiment(name).ok_or_else(|| unknown("experiment", name))
}

/// The full settings of experiment `name`: its data set's defaults with its own settings over them.
#[wasm_bindgen(js_name = experimentSettings)]
pub fn experiment_settings(name: &str) -> JsResult<JsValue> {
    to_js(&Settings::from_values(&experiment_named(name)?.values()).map_err(js_error)?.to_values())
}

/// The settings the map of methods runs method `name` with (see
/// [`crate::methods::MethodKind::demo`]): its data set's defaults with the demo's settings over them.
#[wasm_bindgen(js_name = methodDemoSettings)]
pub fn method_demo_settings(name: &str) -> JsResult<JsValue> {
    let method = crate::methods::MethodKind::from_name(name).ok_or_else(|| unknown("method", name))?;
    let (dataset, settings) = method.demo();
    let mut values: std::collections::BTreeMap<String, crate::settings::Value> =
        crate::settings::dataset_defaults(dataset)
            .into_iter()
            .chain(settings.iter().copied())
            .map(|(k, v)| (k.to_string(), crate::settings::Value::Text(v.to_string())))
            .collect();
    values.insert("dataset".into(), crate::settings::Value::Text(dataset.name().into()));
    to_js(&Settings::from_values(&values).map_err(js_error)?.to_values())
}

/// A study (an experiment of several runs) in progress. The page calls `step` from its animation
/// loop within a time budget, shows `progress()`, and once it is done lays out `outcome()`.
#[wasm_bindgen]
pub struct StudyRunner {
    study: Study,
}

#[wasm_bindgen]
impl StudyRunner {
    /// The study of experiment `name` with `overrides` (e.g. `{seed: 3}`) over its settings.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, overrides: JsValue) -> JsResult<StudyRunner> {
        let experiment = experiment_named(name)?;
        let mut values = experiment.values();
        values.extend(settings_values(overrides)?);
        Ok(StudyRunner { study: Study::new(experiment, &values).map_err(js_error)? })
    }

    /// Trains up to `batches` mini-batches; returns whether the study is done.
    pub fn step(&mut self, batches: u32) -> JsResult<bool> {
        self.study.step(batches as usize).map_err(js_error)?;
        Ok(self.study.is_done())
    }

    /// `{finished, arms, current, phase, epoch, epochs, done, message}`.
    pub fn progress(&self) -> JsResult<JsValue> {
        to_js(&self.study.progress())
    }

    /// The finished runs so far: `[{label, settings, teacher, members, kd, control}]`.
    pub fn results(&self) -> JsResult<JsValue> {
        to_js(&self.study.results())
    }

    /// What the finished study found: `{experiment, shown, finding: {kind, …}, arms}`.
    pub fn outcome(&self) -> JsResult<JsValue> {
        to_js(&self.study.outcome().map_err(js_error)?)
    }
}

/// The compression bench ([`crate::compression`]) on a finished run's teacher: pruning, int8
/// quantization and transfer learning beside the run's students, each timed in this browser.
#[wasm_bindgen]
pub struct CompressionBench {
    pub(crate) bench: crate::compression::Bench,
}

#[wasm_bindgen]
impl CompressionBench {
    /// The bench on `playground`'s run (trained to the end, with one teacher), with `options`
    /// `{calibration, labelsPerClass}` (either may be left out). A run it cannot compress is a
    /// thrown error with the reason.
    #[wasm_bindgen(constructor)]
    pub fn new(playground: &Playground, options: JsValue) -> JsResult<CompressionBench> {
        let mut chosen = crate::compression::BenchOptions::default();
        if let Ok(given) = js_sys::Reflect::get(&options, &JsValue::from_str("calibration")) {
            if let Some(n) = given.as_f64() {
                chosen.calibration = whole(n, "calibration")?;
            }
        }
        if let Ok(given) = js_sys::Reflect::get(&options, &JsValue::from_str("labelsPerClass")) {
            if let Some(n) = given.as_f64() {
                chosen.labels_per_class = whole(n, "labelsPerClass")?.clamp(1, 1000);
            }
        }
        Ok(CompressionBench { bench: crate::compression::Bench::new(&playground.session, chosen).map_err(js_error)? })
    }

    /// Trains for up to `budget_ms` milliseconds (at least one mini-batch); once everything is
    /// trained, times one row per call on the browser's clock. Returns the progress
    /// `{current, batches, total_batches, timed, rows, done}`.
    pub fn step(&mut self, budget_ms: f64) -> JsResult<JsValue> {
        if self.bench.trained() {
            let mut clock = now_ms;
            self.bench.time_next(&mut clock).map_err(js_error)?;
        } else {
            let start = now_ms();
            while !self.bench.trained() {
                self.bench.step(1).map_err(js_error)?;
                if now_ms() - start >= budget_ms {
                    break;
                }
            }
        }
        to_js(&self.bench.progress())
    }

    pub fn progress(&self) -> JsResult<JsValue> {
        to_js(&self.bench.progress())
    }

    /// What the bench measured (the fields of `kd compare --json`, snake_case): `{rows: [{method,
    /// sizes, parameters, nonzero_parameters, bytes, inference_us_per_sample, test_accuracy,
    /// test_samples, new_task}], method, target_parameters, fine_tune_epochs,
    /// calibration_samples, transfer, skipped: [{method, reason}], int8_kernel, options}`.
    pub fn report(&self) -> JsResult<JsValue> {
        to_js(&self.bench.report().map_err(js_error)?)
    }
}

/// A whole number of at least 0 from the page, or an error naming `what`.
fn whole(n: f64, what: &'static str) -> JsResult<usize> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 1e9 {
        Ok(n as usize)
    } else {
        Err(bad_argument(what, format!("{n} is not a whole number")))
    }
}

/// Every problem with `settings`, as `[{name, message: {key, params}}]`; empty when they are valid.
#[wasm_bindgen(js_name = validateSettings)]
pub fn validate_settings(settings: JsValue) -> JsResult<JsValue> {
    let values = settings_values(settings)?;
    let errors: Vec<FieldError> = settings::validation_errors(&values)
        .into_iter()
        .map(|(name, problem)| FieldError { name, message: problem.message() })
        .collect();
    to_js(&errors)
}

/// One playground run: a data set, a teacher and two students.
#[wasm_bindgen]
pub struct Playground {
    pub(crate) session: Session,
    /// What the drawing methods keep between draws (`draw.rs`).
    pub(crate) drawn: RefCell<draw::Drawn>,
    /// How many epochs of the teacher's and of the students' history the page has been sent
    /// (by [`Playground::train`] and the calls like it): each sends only what is new.
    sent: Cell<(usize, usize)>,
    /// The weights the last [`Playground::snapshot`]s sent (in a worker: the page's copy has them).
    sent_weights: RefCell<SentVersions>,
    /// The selected sample's views, kept while what they depend on stays the same: the page asks
    /// for them for its table, its bars, its formula and its teaching panels.
    views: RefCell<Views>,
    /// The language task's text (its alphabet, its lines), for the calls of `language.rs`.
    corpus: Option<crate::language::Corpus>,
}

/// What a sample's views depend on: the three networks' weights, T, α, and the sample.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ViewKey {
    versions: [u64; 3],
    temperature: u32,
    alpha: u32,
    split: SplitName,
    index: usize,
}

#[derive(Default)]
struct Views {
    report: Option<(ViewKey, Rc<SampleReport>)>,
    insight: Option<(ViewKey, Rc<SampleInsight>)>,
}

/// What changed in one call that trains: where training stands, how many mini-batches this call
/// trained, the epochs recorded since the page last heard (the teacher's from index
/// `teacherFrom` of its history, the students' from `studentFrom`), and the last mini-batch's
/// losses. The page keeps the history by appending these.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress<'a> {
    status: Status,
    trained: usize,
    teacher_from: usize,
    teacher_epochs: &'a [TeacherEpoch],
    student_from: usize,
    student_epochs: &'a [StudentEpoch],
    last_batch: Option<BatchLosses>,
}

/// Milliseconds from the page's clock (`performance.now()`, in a window or a worker).
fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|performance| performance.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |performance| performance.now())
}

impl Playground {
    fn of(session: Session) -> Playground {
        Playground {
            session,
            drawn: Default::default(),
            sent: Cell::new((0, 0)),
            sent_weights: Default::default(),
            views: Default::default(),
            corpus: None,
        }
    }

    /// What changed since the page last heard, `trained` mini-batches later.
    fn progress_after(&self, trained: usize) -> JsResult<JsValue> {
        let history = self.session.history();
        let (teacher_from, student_from) = self.sent.get();
        let (teacher_from, student_from) =
            (teacher_from.min(history.teacher.len()), student_from.min(history.students.len()));
        let progress = Progress {
            status: self.session.status(),
            trained,
            teacher_from,
            teacher_epochs: &history.teacher[teacher_from..],
            student_from,
            student_epochs: &history.students[student_from..],
            last_batch: self.session.last_batch(),
        };
        let sent = to_js(&progress)?;
        self.sent.set((history.teacher.len(), history.students.len()));
        Ok(sent)
    }

    fn view_key(&self, split: SplitName, index: usize) -> ViewKey {
        let settings = self.session.settings();
        ViewKey {
            versions: [ModelKind::Teacher, ModelKind::Kd, ModelKind::Control].map(|m| self.session.weights_version(m)),
            temperature: settings.temperature.to_bits(),
            alpha: settings.alpha.to_bits(),
            split,
            index,
        }
    }

    /// The data set's class names in the learner's language (see [`crate::text::class_name`]).
    pub(crate) fn class_names(&self) -> Vec<String> {
        let data = self.session.data();
        let dataset = data.name.name();
        data.class_names.iter().enumerate().map(|(i, raw)| crate::text::class_name(dataset, i, raw)).collect()
    }

    /// Sample `index` of `split` as the three networks see it now, computed once per change.
    pub(crate) fn report(&self, split: SplitName, index: usize) -> crate::error::Result<Rc<SampleReport>> {
        let key = self.view_key(split, index);
        if let Some((kept, report)) = &self.views.borrow().report {
            if *kept == key {
                return Ok(Rc::clone(report));
            }
        }
        let report = Rc::new(self.session.inspect(split, index)?);
        self.views.borrow_mut().report = Some((key, Rc::clone(&report)));
        Ok(report)
    }

    /// The soft-label view of a sample, computed once per change.
    pub(crate) fn insight(&self, split: SplitName, index: usize) -> crate::error::Result<Rc<SampleInsight>> {
        let key = self.view_key(split, index);
        if let Some((kept, insight)) = &self.views.borrow().insight {
            if *kept == key {
                return Ok(Rc::clone(insight));
            }
        }
        let report = self.report(split, index)?;
        let insight = Rc::new(self.session.explain_report(&report)?);
        self.views.borrow_mut().insight = Some((key, Rc::clone(&insight)));
        Ok(insight)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataInfo<'a> {
    dataset: &'static str,
    view: DataView,
    n_features: usize,
    n_classes: usize,
    class_names: Vec<String>,
    feature_names: &'a [String],
    n_train: usize,
    n_test: usize,
    /// The training samples the students learn from (the transfer set: a fraction of each class,
    /// or all but an omitted class).
    n_transfer: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelSummary {
    layers: Vec<usize>,
    parameters: usize,
    /// Size of the weights as f32, in bytes.
    bytes: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelInfo {
    teacher: ModelSummary,
    student: ModelSummary,
    /// Teacher parameters ÷ student parameters.
    compression_ratio: f64,
    activation: &'static str,
    optimizer: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InferenceTiming {
    model: &'static str,
    /// Milliseconds per sample, measured with `performance.now()` over `samples × repetitions`
    /// forward passes (one batch of the whole test split per repetition).
    ms_per_sample: f64,
    samples: usize,
    repetitions: u32,
    total_ms: f64,
}

#[wasm_bindgen]
impl Playground {
    /// Validates `settings` (missing ones take their defaults) and builds the run.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> JsResult<Playground> {
        let values = settings_values(settings)?;
        let settings = Settings::from_values(&values).map_err(js_error)?;
        Ok(Playground::of(Session::new(settings).map_err(js_error)?))
    }

    /// Builds a run on the user's CSV file (`bytes`, named `file_name` in messages) with
    /// `settings` (its `dataset` is ignored). Malformed files are refused with a message naming
    /// the line and column.
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(settings: JsValue, bytes: &[u8], file_name: &str) -> JsResult<Playground> {
        let values = settings_values(settings)?;
        let settings = Settings::from_values(&values).map_err(js_error)?;
        let data = Dataset::from_csv(bytes, file_name, &settings.data_options()).map_err(js_error)?;
        Ok(Playground::of(Session::with_data(settings, data).map_err(js_error)?))
    }

    /// A new run that keeps this run's trained teacher and data and starts fresh students with
    /// `settings`, which may differ from this run's only in what the students alone use (student
    /// layers and epochs, T, α, the method's student settings, the transfer set): the run that
    /// `new Playground(settings)` would reach once its teacher is trained, without training it
    /// again. Refused (with a message) while the teacher is still training.
    #[wasm_bindgen(js_name = withStudents)]
    pub fn with_students(&self, settings: JsValue) -> JsResult<Playground> {
        let mut values = settings_values(settings)?;
        if self.corpus.is_some() {
            values.insert("task".into(), Value::Text("chars".into()));
        }
        let settings = Settings::from_values(&values).map_err(js_error)?;
        let mut playground = Playground::of(self.session.with_students(settings).map_err(js_error)?);
        playground.corpus = self.corpus.clone();
        Ok(playground)
    }

    /// Changes a live setting (`temperature` or `alpha`) during training.
    #[wasm_bindgen(js_name = setLive)]
    pub fn set_live(&mut self, name: &str, value: f64) -> JsResult<()> {
        match name {
            "temperature" => self.session.set_temperature(value),
            "alpha" => self.session.set_alpha(value),
            other => Settings::check_live(other, value).map(|_| ()),
        }
        .map_err(js_error)
    }

    /// Trains as [`Playground::advance`] does and returns what changed
    /// (`{status, trained, teacherFrom, teacherEpochs, studentFrom, studentEpochs, lastBatch}`): the
    /// page calls it once per animation frame.
    pub fn train(&mut self, budget_ms: f64, max_batches: u32) -> JsResult<JsValue> {
        let trained = self.advance(budget_ms, max_batches)?;
        self.progress_after(trained as usize)
    }

    /// Trains mini-batches of the current phase, at least one while training runs, until
    /// `max_batches` are done or `budget_ms` milliseconds have passed; returns how many it trained
    /// (a worker trains so and sends the page a [`Playground::snapshot`] when it asks).
    pub fn advance(&mut self, budget_ms: f64, max_batches: u32) -> JsResult<u32> {
        let start = now_ms();
        let mut trained = 0u32;
        while trained < max_batches.max(1) && matches!(self.session.phase(), Phase::Teacher | Phase::Distil) {
            self.session.step_batch().map_err(js_error)?;
            trained += 1;
            if now_ms() - start >= budget_ms {
                break;
            }
        }
        Ok(trained)
    }

    /// Trains to the end of the current epoch as [`Playground::step_epoch`] does and returns only
    /// how many mini-batches it trained (a worker's step).
    #[wasm_bindgen(js_name = advanceEpoch)]
    pub fn advance_epoch(&mut self) -> JsResult<u32> {
        let before = self.session.status().steps;
        self.session.step_epoch().map_err(js_error)?;
        Ok((self.session.status().steps - before) as u32)
    }

    /// Where this run stands and what changed since the last snapshot (the history since, the
    /// weights of the networks that changed as `weights`, a `Float32Array`): what the page's copy
    /// of the run needs to [`Playground::follow`] it (src/session/snapshot.rs).
    pub fn snapshot(&self) -> JsResult<JsValue> {
        let (teacher_from, student_from) = self.sent.get();
        let snapshot = self.session.snapshot(teacher_from, student_from, &mut self.sent_weights.borrow_mut());
        let history = self.session.history();
        self.sent.set((history.teacher.len(), history.students.len()));
        let value = to_js(&snapshot)?;
        let weights = js_sys::Float32Array::from(snapshot.weights.as_slice());
        js_sys::Reflect::set(&value, &JsValue::from_str("weights"), &weights)?;
        Ok(value)
    }

    /// Makes this run (built like the one that sent `snapshot`, and following it since) stand
    /// where that one stands, `trained` mini-batches later; returns what changed, as
    /// [`Playground::train`]. The page keeps such a copy while a worker trains.
    pub fn follow(&mut self, snapshot: JsValue, trained: u32) -> JsResult<JsValue> {
        let weights = js_sys::Reflect::get(&snapshot, &JsValue::from_str("weights"))?
            .dyn_into::<js_sys::Float32Array>()
            .map_err(|_| js_error(KdError::Internal("a snapshot without its weights".into())))?
            .to_vec();
        let mut snapshot: Snapshot = from_js(snapshot)?;
        snapshot.weights = weights;
        self.session.follow(&snapshot).map_err(js_error)?;
        self.progress_after(trained as usize)
    }

    /// Trains one mini-batch of the current phase; returns what changed, as [`Playground::train`].
    #[wasm_bindgen(js_name = stepBatch)]
    pub fn step_batch(&mut self) -> JsResult<JsValue> {
        let before = self.session.status().steps;
        self.session.step_batch().map_err(js_error)?;
        self.progress_after((self.session.status().steps - before) as usize)
    }

    /// Trains to the end of the current epoch; returns what changed, as [`Playground::train`].
    #[wasm_bindgen(js_name = stepEpoch)]
    pub fn step_epoch(&mut self) -> JsResult<JsValue> {
        let trained = self.advance_epoch()?;
        self.progress_after(trained as usize)
    }

    /// What changed since the page last heard, without training: for a new run, its whole
    /// history so far (a loaded run's too).
    pub fn progress(&self) -> JsResult<JsValue> {
        self.progress_after(0)
    }

    /// Where training stands.
    pub fn status(&self) -> JsResult<JsValue> {
        to_js(&self.session.status())
    }

    /// The per-epoch metrics of the teacher and the students.
    pub fn history(&self) -> JsResult<JsValue> {
        to_js(self.session.history())
    }

    /// The losses of the last distillation mini-batch, or null.
    #[wasm_bindgen(js_name = lastBatch)]
    pub fn last_batch(&self) -> JsResult<JsValue> {
        to_js(&self.session.last_batch())
    }

    /// The data set: its view, classes, features and split sizes.
    #[wasm_bindgen(js_name = dataInfo)]
    pub fn data_info(&self) -> JsResult<JsValue> {
        let data = self.session.data();
        to_js(&DataInfo {
            dataset: data.name.name(),
            view: data.view,
            n_features: data.feature_count(),
            n_classes: data.classes(),
            class_names: self.class_names(),
            feature_names: &data.feature_names,
            n_train: data.train.len(),
            n_test: data.test.len(),
            n_transfer: self.session.transfer_rows().len(),
        })
    }

    /// The teacher's and the student's layer sizes and parameter counts.
    #[wasm_bindgen(js_name = modelInfo)]
    pub fn model_info(&self) -> JsResult<JsValue> {
        let summary = |which| {
            let model = self.session.model(which);
            let parameters = model.parameter_count();
            ModelSummary { layers: model.sizes(), parameters, bytes: parameters * std::mem::size_of::<f32>() }
        };
        let settings = self.session.settings();
        let (teacher, student) = (summary(ModelKind::Teacher), summary(ModelKind::Kd));
        to_js(&ModelInfo {
            compression_ratio: teacher.parameters as f64 / student.parameters.max(1) as f64,
            teacher,
            student,
            activation: settings.activation.name(),
            optimizer: settings.optimizer.name(),
        })
    }

    /// Sample `index` of `split` ('train' or 'test') as the three networks see it (computed once
    /// per change of the weights, T, α or the sample).
    pub fn inspect(&self, split: &str, index: u32) -> JsResult<JsValue> {
        let report = self.report(split_name(split)?, index as usize).map_err(js_error)?;
        let name = crate::text::class_name(self.session.data().name.name(), report.label, &report.class_name);
        if name == report.class_name {
            to_js(&*report)
        } else {
            to_js(&SampleReport { class_name: name, ..(*report).clone() })
        }
    }

    /// The validated settings of this run (live ones at their current values).
    pub fn settings(&self) -> JsResult<JsValue> {
        to_js(&self.session.settings().to_values())
    }

    /// The soft-label view of a sample: entropy, dark-knowledge mass, the teacher's soft label
    /// across the temperature range, and both loss terms' gradients.
    pub fn explain(&self, split: &str, index: u32) -> JsResult<JsValue> {
        let insight = self.insight(split_name(split)?, index as usize).map_err(js_error)?;
        to_js(&*insight)
    }

    /// The teacher's mean soft label per true class at the current T (a K×K matrix).
    #[wasm_bindgen(js_name = darkKnowledge)]
    pub fn dark_knowledge(&self) -> JsResult<JsValue> {
        to_js(&self.session.class_similarity().map_err(js_error)?)
    }

    /// Times `repetitions` forward passes of `model` ('teacher' or 'kd') over the test split in
    /// this browser and reports the time per sample.
    #[wasm_bindgen(js_name = timeInference)]
    pub fn time_inference(&self, model: &str, repetitions: u32) -> JsResult<JsValue> {
        let (which, name) = match model {
            "teacher" => (ModelKind::Teacher, "teacher"),
            "kd" | "student" => (ModelKind::Kd, "kd"),
            other => return Err(unknown("model", other)),
        };
        let repetitions = repetitions.clamp(1, 1000);
        let performance = web_sys::window()
            .and_then(|w| w.performance())
            .ok_or_else(|| bad_argument("timeInference", "this browser has no performance timer"))?;
        let features = &self.session.data().test.features;
        let network = self.session.model(which);
        let start = performance.now();
        for _ in 0..repetitions {
            network.forward(features.view()).map_err(js_error)?;
        }
        let total_ms = performance.now() - start;
        let samples = features.nrows();
        to_js(&InferenceTiming {
            model: name,
            ms_per_sample: total_ms / (samples.max(1) as f64 * repetitions as f64),
            samples,
            repetitions,
            total_ms,
        })
    }

    /// A test sample that shows what a soft label carries (see
    /// [`Session::telling_sample`]), or undefined when the teacher gets none right.
    #[wasm_bindgen(js_name = tellingSample)]
    pub fn telling_sample(&self) -> JsResult<Option<u32>> {
        Ok(self.session.telling_sample(SplitName::Test).map_err(js_error)?.map(|i| i as u32))
    }

    /// The whole run (settings, status, history, weights) as a plain object for JSON.
    #[wasm_bindgen(js_name = exportRun)]
    pub fn export_run(&self) -> JsResult<JsValue> {
        to_js(&self.session.to_saved().map_err(js_error)?)
    }

    /// Rebuilds a run from a run file's object (`exportRun`'s, or `kd run --save-run`'s file, as
    /// `JSON.parse` gives it); one that is not a run is refused with a message that says why.
    #[wasm_bindgen(js_name = importRun)]
    pub fn import_run(run: JsValue) -> JsResult<Playground> {
        let saved = SavedRun::from_document(&JsDocument(run)).map_err(js_error)?;
        Ok(Playground::of(Session::from_saved(saved).map_err(js_error)?))
    }

    /// What this finished run of experiment `name` showed, judged from its numbers.
    #[wasm_bindgen(js_name = experimentOutcome)]
    pub fn experiment_outcome(&self, name: &str) -> JsResult<JsValue> {
        let experiment = crate::experiments::experiment(name).ok_or_else(|| unknown("experiment", name))?;
        to_js(&crate::experiments::outcome(experiment, &self.session).map_err(js_error)?)
    }

    /// Test accuracy of `model` ('kd' or 'control' or 'teacher') with `shift` added to `class`'s
    /// output bias (the omitted-class slider).
    #[wasm_bindgen(js_name = shiftedClassAccuracy)]
    pub fn shifted_class_accuracy(&self, model: &str, class: u32, shift: f64) -> JsResult<JsValue> {
        let which = ModelKind::from_name(model).ok_or_else(|| unknown("model", model))?;
        to_js(&self.session.shifted_class_accuracy(which, class as usize, shift as f32).map_err(js_error)?)
    }

    /// The bias shift that makes `model` predict `class` as often as it occurs in training.
    #[wasm_bindgen(js_name = biasAdjustment)]
    pub fn bias_adjustment(&self, model: &str, class: u32) -> JsResult<JsValue> {
        let which = ModelKind::from_name(model).ok_or_else(|| unknown("model", model))?;
        to_js(&self.session.bias_adjustment(which, class as usize).map_err(js_error)?)
    }

    /// Every network's fidelity to the teacher and calibration on the test split, once the
    /// students have started: `[{ network, testAccuracy, agreementWithTeacher, testKlToTeacher,
    /// ece, entropy }]` (the teacher first when the method trains one; the agreement and the KL are
    /// null without a teacher).
    pub fn fidelity(&self) -> JsResult<JsValue> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Row {
            network: crate::session::Network,
            #[serde(flatten)]
            fidelity: crate::session::Fidelity,
        }
        if self.session.history().students.is_empty() {
            return to_js(&Vec::<Row>::new());
        }
        let rows = self
            .session
            .networks()
            .into_iter()
            .filter(|&n| n != crate::session::Network::Teacher || self.session.has_teacher())
            .map(|network| self.session.fidelity(network).map(|fidelity| Row { network, fidelity }))
            .collect::<crate::error::Result<Vec<_>>>()
            .map_err(js_error)?;
        to_js(&rows)
    }

    /// Whether the method trains a teacher (mutual learning and self-distillation do not).
    #[wasm_bindgen(js_name = hasTeacher)]
    pub fn has_teacher(&self) -> bool {
        self.session.has_teacher()
    }

    /// Whether FitNets is in its hint stage.
    #[wasm_bindgen(js_name = inHintStage)]
    pub fn in_hint_stage(&self) -> bool {
        self.session.in_hint_stage()
    }

    /// The curves as CSV (one row per epoch of each phase).
    #[wasm_bindgen(js_name = curvesCsv)]
    pub fn curves_csv(&self) -> String {
        self.session.history().to_csv()
    }
}

/// The speed benchmark's reference workload (`cargo xtask bench`): the page's module trains it so
/// that the benchmark measures exactly the code the playground runs.
#[wasm_bindgen]
pub struct ReferenceBench {
    workload: crate::benchmark::ReferenceWorkload,
}

#[wasm_bindgen]
impl ReferenceBench {
    /// The workload with weights and batch order from `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: u32) -> JsResult<ReferenceBench> {
        Ok(ReferenceBench { workload: crate::benchmark::ReferenceWorkload::new(seed as u64).map_err(js_error)? })
    }

    /// Trains one epoch; returns its mean training loss.
    pub fn epoch(&mut self) -> JsResult<f32> {
        self.workload.epoch().map_err(js_error)
    }

    /// Floating-point operations per epoch (6 × parameters × samples).
    #[wasm_bindgen(js_name = flopsPerEpoch)]
    pub fn flops_per_epoch(&self) -> f64 {
        self.workload.flops_per_epoch()
    }

    /// `{features (row-major), labels, samples, featuresPerSample, classes, sizes, batchSize,
    /// learningRate}`: the same data for TensorFlow.js.
    pub fn data(&self) -> JsResult<JsValue> {
        to_js(&self.workload.data())
    }
}
