//! The JavaScript boundary in a real headless Chromium (`wasm-bindgen-test`): a session is created
//! from a plain settings object, stepped, its metrics read back as JS objects, bad settings are
//! refused with a message, and the charts draw pixels into canvases.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use kd_playground::error::{KdError, Model, RunFileProblem};
use kd_playground::web::{dataset_defaults, settings_schema, validate_settings, Playground};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn number(object: &JsValue, key: &str) -> f64 {
    get(object, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

fn settings(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// Hands the engine digits.csv as the page does after fetching it (it is not compiled into the
/// WebAssembly module); every other data set needs nothing.
fn provide_digits() {
    if kd_playground::web::dataset_file("digits").is_some() {
        kd_playground::web::provide_dataset("digits", include_str!("../src/data/digits.csv").to_string()).unwrap();
    }
}

#[wasm_bindgen_test]
fn digits_is_fetched_and_only_its_own_bytes_are_accepted() {
    let refused = kd_playground::web::provide_dataset("digits", "1,2,3\n".to_string());
    assert!(refused.is_err(), "another file is refused");
    provide_digits();
    assert_eq!(kd_playground::web::dataset_file("digits"), None);
    assert_eq!(kd_playground::web::dataset_file("iris"), None);
    assert!(Playground::new(dataset_defaults("digits").unwrap()).is_ok());
}

fn small_run(dataset: &str) -> Playground {
    provide_digits();
    let defaults = dataset_defaults(dataset).unwrap();
    Reflect::set(&defaults, &"teacherEpochs".into(), &JsValue::from_f64(2.0)).unwrap();
    Reflect::set(&defaults, &"studentEpochs".into(), &JsValue::from_f64(2.0)).unwrap();
    Playground::new(defaults).unwrap()
}

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(width);
    canvas.set_height(height);
    document.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

/// Number of pixels that are neither white nor transparent.
fn ink(canvas: &HtmlCanvasElement) -> usize {
    let context: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let pixels = context.get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64).unwrap().data();
    pixels.chunks(4).filter(|p| p[3] > 0 && (p[0] < 240 || p[1] < 240 || p[2] < 240)).count()
}

#[wasm_bindgen_test]
fn the_schema_declares_every_setting_once() {
    let schema: js_sys::Array = settings_schema().unwrap().dyn_into().unwrap();
    let names: Vec<String> = schema.iter().map(|s| get(&s, "name").as_string().unwrap()).collect();
    for name in ["dataset", "temperature", "alpha", "teacherHidden", "studentHidden", "learningRate", "seed"] {
        assert_eq!(names.iter().filter(|n| *n == name).count(), 1, "{name}");
    }
}

#[wasm_bindgen_test]
fn a_session_is_created_stepped_and_its_metrics_read() {
    let mut playground = small_run("moons");
    let status = get(&playground.step_batch().unwrap(), "status");
    assert_eq!(get(&status, "phase").as_string().unwrap(), "teacher");
    assert_eq!(number(&status, "steps"), 1.0);
    let status = get(&playground.step_epoch().unwrap(), "status");
    assert_eq!(number(&status, "epoch"), 1.0);
    playground.step_epoch().unwrap();
    let status = get(&playground.step_epoch().unwrap(), "status");
    assert_eq!(get(&status, "phase").as_string().unwrap(), "distil");

    let history = playground.history().unwrap();
    let teacher: js_sys::Array = get(&history, "teacher").dyn_into().unwrap();
    assert_eq!(teacher.length(), 3);
    let last = teacher.get(2);
    let accuracy = number(&last, "testAccuracy");
    assert!((0.0..=1.0).contains(&accuracy));
    let students: js_sys::Array = get(&history, "students").dyn_into().unwrap();
    let first = students.get(0);
    for key in ["softLoss", "hardLoss", "totalLoss", "controlHardLoss", "kdTestAccuracy", "controlTestAccuracy"] {
        assert!(number(&first, key).is_finite(), "{key}");
    }

    let sample = playground.inspect("test", 0).unwrap();
    let at_t: Vec<f64> = js_sys::Array::from(&get(&sample, "teacherAtT")).iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(at_t.len(), 2);
    assert!((at_t.iter().sum::<f64>() - 1.0).abs() < 1e-5);
    playground.set_live("temperature", 10.0).unwrap();
    let softer = playground.inspect("test", 0).unwrap();
    assert_eq!(number(&softer, "temperature"), 10.0);
}

/// Each call that trains says what changed: the page rebuilds the whole history from these.
#[wasm_bindgen_test]
fn training_sends_only_what_changed() {
    let mut playground = small_run("spiral");
    let mut teacher: Vec<String> = Vec::new();
    let mut students: Vec<String> = Vec::new();
    let mut append = |progress: &JsValue| {
        for (kept, from, epochs) in
            [(&mut teacher, "teacherFrom", "teacherEpochs"), (&mut students, "studentFrom", "studentEpochs")]
        {
            assert_eq!(number(progress, from) as usize, kept.len(), "{from}: it starts where the page's copy ends");
            let epochs: js_sys::Array = get(progress, epochs).dyn_into().unwrap();
            kept.extend(epochs.iter().map(|e| String::from(js_sys::JSON::stringify(&e).unwrap())));
        }
    };
    let first = playground.progress().unwrap();
    append(&first);
    assert_eq!(number(&first, "trained"), 0.0);
    // A budget that cannot run out: exactly the batches asked for.
    let three = playground.train(1e9, 3).unwrap();
    assert_eq!(number(&three, "trained"), 3.0);
    assert_eq!(number(&get(&three, "status"), "steps"), 3.0);
    append(&three);
    append(&playground.progress().unwrap()); // nothing new: nothing sent twice
    loop {
        let progress = playground.train(1e9, 7).unwrap();
        append(&progress);
        if get(&get(&progress, "status"), "phase").as_string().as_deref() == Some("done") {
            break;
        }
    }
    let history = playground.history().unwrap();
    let whole = |key: &str| -> Vec<String> {
        let epochs: js_sys::Array = get(&history, key).dyn_into().unwrap();
        epochs.iter().map(|e| String::from(js_sys::JSON::stringify(&e).unwrap())).collect()
    };
    assert_eq!(teacher, whole("teacher"));
    assert_eq!(students, whole("students"));
    assert_eq!(students.len(), 3, "epoch 0 and two student epochs");
    // Done: nothing more to train.
    assert_eq!(number(&playground.train(1e9, 5).unwrap(), "trained"), 0.0);
}

#[wasm_bindgen_test]
fn bad_input_is_refused_with_a_message_not_a_panic() {
    let errors: js_sys::Array = validate_settings(settings(&[
        ("temperature", JsValue::from_f64(-1.0)),
        ("alpha", JsValue::from_f64(f64::NAN)),
        ("teacherHidden", JsValue::from_str("64,<b>")),
    ]))
    .unwrap()
    .dyn_into()
    .unwrap();
    let names: Vec<String> = errors.iter().map(|e| get(&e, "name").as_string().unwrap()).collect();
    for name in ["teacherHidden", "temperature", "alpha"] {
        assert!(names.iter().any(|n| n == name), "{name} not reported in {names:?}");
    }
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(Playground::new(settings(&[("batchSize", JsValue::from_f64(0.0))])).is_err());
    assert!(Playground::new(JsValue::from_str("not an object")).is_err());
    // A field's problem crosses as a message of the catalogues, with its numbers.
    let temperature = errors.iter().find(|e| get(e, "name").as_string().as_deref() == Some("temperature")).unwrap();
    let problem = get(&temperature, "message");
    assert_eq!(get(&problem, "key").as_string().as_deref(), Some("engine.setting.outOfRange"));
    assert_eq!(number(&get(&problem, "params"), "got"), -1.0);
    let mut playground = small_run("iris");
    // A thrown error carries its message too (the page renders it in the learner's language).
    let thrown: JsValue = playground.set_live("alpha", 2.0).unwrap_err();
    let message = get(&thrown, "kd");
    assert_eq!(get(&message, "key").as_string().as_deref(), Some("engine.setting"));
    let params = get(&message, "params");
    assert_eq!(get(&get(&params, "setting"), "key").as_string().as_deref(), Some("setting.alpha.label"));
    assert_eq!(get(&get(&params, "problem"), "key").as_string().as_deref(), Some("engine.setting.outOfRange"));
    assert!(playground.set_live("seed", 2.0).is_err());
    assert!(playground.inspect("validation", 0).is_err());
    assert!(playground.inspect("test", 100_000).is_err());
}

#[wasm_bindgen_test]
fn charts_draw_pixels_into_canvases() {
    let mut playground = small_run("spiral");
    playground.step_epoch().unwrap();
    playground.step_epoch().unwrap();
    playground.step_epoch().unwrap();

    let curves = canvas(480, 300);
    assert_eq!(ink(&curves), 0);
    playground.draw_loss_curves(&curves).unwrap();
    assert!(ink(&curves) > 2_000, "loss curves drew {} pixels", ink(&curves));

    let accuracy = canvas(480, 300);
    playground.draw_accuracy_curves(&accuracy).unwrap();
    assert!(ink(&accuracy) > 2_000);

    let bars = canvas(600, 220);
    playground.draw_sample_bars(&bars, "test", 0).unwrap();
    assert!(ink(&bars) > 2_000);

    let regions = canvas(240, 240);
    playground.draw_regions(&regions, "kd", Some("test".into()), Some(0)).unwrap();
    assert!(ink(&regions) > 240 * 240 / 2, "decision regions cover the canvas");
}

#[wasm_bindgen_test]
fn teaching_views_report_and_draw() {
    let mut playground = small_run("iris");
    playground.step_epoch().unwrap();
    playground.step_epoch().unwrap();
    playground.step_epoch().unwrap();
    let insight = playground.explain("test", 1).unwrap();
    let gradients = get(&insight, "gradients");
    let t = number(&insight, "temperature");
    let ratio = number(&gradients, "softNorm") / number(&gradients, "softWithoutT2Norm");
    assert!((ratio - t * t).abs() < 1e-2 * t * t, "‖soft‖ / ‖soft without T²‖ = {ratio}, T² = {}", t * t);
    let similarity = playground.dark_knowledge().unwrap();
    let matrix: js_sys::Array = get(&similarity, "matrix").dyn_into().unwrap();
    assert_eq!(matrix.length(), 3);

    let run = playground.export_run().unwrap();
    // As the page saves it (JSON.stringify of the object) and loads it (JSON.parse of the file).
    let text: String = js_sys::JSON::stringify(&run).unwrap().into();
    let loaded = Playground::import_run(js_sys::JSON::parse(&text).unwrap()).unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&loaded.inspect("test", 2).unwrap()).unwrap(),
        js_sys::JSON::stringify(&playground.inspect("test", 2).unwrap()).unwrap(),
        "an exported run loads back with the same predictions"
    );
    // The message a document is refused with, as the page receives it (the `kd` property of the
    // thrown error, JSON text; "" if the document is loaded).
    let refused = |document: &str| -> String {
        let error = Playground::import_run(js_sys::JSON::parse(document).unwrap()).err().unwrap_or(JsValue::UNDEFINED);
        let message = js_sys::Reflect::get(&error, &"kd".into()).unwrap_or(JsValue::UNDEFINED);
        js_sys::JSON::stringify(&message).ok().and_then(|m| m.as_string()).unwrap_or_default()
    };
    // The message the native reader gives for a fault (tests/malformed.rs renders it in English).
    let expected = |problem: RunFileProblem| -> String {
        let message = KdError::RunFile(problem).message();
        let value = message.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap();
        js_sys::JSON::stringify(&value).unwrap().into()
    };
    assert!(Playground::import_run(JsValue::from_str("{}")).is_err());
    assert_eq!(refused("{}"), expected(RunFileProblem::NoFormat));
    assert_eq!(refused("[1]"), expected(RunFileProblem::NotAnObject));
    // The same messages as the native reader's, for the same faults.
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["version"] = 2.into();
    assert_eq!(refused(&document.to_string()), expected(RunFileProblem::OtherVersion { version: 2, supported: 1 }));
    document["version"] = 1.into();
    document["weights"]["controlStudent"]["layers"][0]["bias"]["data"][0] = serde_json::Value::Null;
    assert_eq!(
        refused(&document.to_string()),
        expected(RunFileProblem::MalformedWeights {
            model: Model::Control,
            reason: "invalid type: null, expected f32".into()
        })
    );
    assert!(refused(&document.to_string()).contains(r#""key":"engine.run.cannotLoad""#));

    for draw in [
        |p: &Playground, c: &HtmlCanvasElement| p.draw_temperature_sweep(c, "test", 1),
        |p: &Playground, c: &HtmlCanvasElement| p.draw_gradients(c, "test", 1, true),
        |p: &Playground, c: &HtmlCanvasElement| p.draw_dark_knowledge(c, None),
    ] {
        let target = canvas(520, 300);
        draw(&playground, &target).unwrap();
        assert!(ink(&target) > 2_000, "a teaching chart drew {} pixels", ink(&target));
    }
}

/// The int8 kernel in WebAssembly is the SIMD128 one, and it is the exact integer product (so the
/// same bits as natively, where AVX2 or the portable loops compute it).
#[wasm_bindgen_test]
fn the_int8_kernel_is_simd128_and_exact() {
    use kd_playground::compression::int8::{kernel, matmul_i8};
    assert_eq!(kernel(), "simd128");
    let mut rng = kd_playground::rng::Rng::new(11);
    for (m, k, n) in [(1, 1, 1), (3, 17, 5), (4, 64, 16), (2, 257, 7)] {
        let a: Vec<i8> = (0..m * k).map(|_| rng.below(255) as i8).collect();
        let b: Vec<i8> = (0..n * k).map(|_| rng.below(255) as i8).collect();
        let mut c = vec![0; m * n];
        matmul_i8(&a, &b, k, &mut c);
        for i in 0..m {
            for j in 0..n {
                let expected: i32 = (0..k).map(|p| i32::from(a[i * k + p]) * i32::from(b[j * k + p])).sum();
                assert_eq!(c[i * n + j], expected, "{m}×{k}×{n} at ({i}, {j})");
            }
        }
    }
}

/// The f32 product in WebAssembly (4 × 8 tiles of SIMD128) is the in-order sum of each output, into
/// a transposed `C` too, and its ReLU, and the evaluation pass's, have the bits of `f32::max(v, 0.0)`
/// there (libm's fmaxf): the same bits as the passes computed before the ReLU was fused into the
/// product, and before the evaluation pass stopped calling fmaxf.
#[wasm_bindgen_test]
fn the_f32_product_and_its_relu_have_the_bits_of_their_definitions() {
    use kd_playground::matmul::{matmul_bias_into, matmul_into, relu};
    use ndarray::{Array1, Array2};
    let mut specials =
        vec![0.0f32, -0.0, 1.5, -1.5, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, -f32::NAN, 1e-40, -1e-40];
    specials.extend([0x7fc0_0001u32, 0xff80_0001, 0x7f80_0001, 1, 0x8000_0001].map(f32::from_bits));
    for v in specials.iter().copied() {
        assert_eq!(relu(v).to_bits(), std::hint::black_box(v).max(0.0).to_bits(), "relu({v:?})");
    }
    // the evaluation pass's activation (Mlp::forward_cached) too
    let mut activated = Array2::from_shape_vec((1, specials.len()), specials.clone()).unwrap();
    kd_playground::network::Activation::Relu.apply(&mut activated);
    for (v, h) in specials.iter().zip(activated.iter()) {
        assert_eq!(h.to_bits(), std::hint::black_box(*v).max(0.0).to_bits(), "Activation::Relu.apply({v:?})");
    }
    let mut rng = kd_playground::rng::Rng::new(12);
    for (m, k, n) in [(1, 1, 1), (5, 3, 17), (32, 64, 256), (33, 256, 10), (256, 32, 10)] {
        let a = Array2::from_shape_fn((m, k), |_| rng.normal() as f32);
        let b = Array2::from_shape_fn((k, n), |_| rng.normal() as f32);
        let bias = Array1::from_shape_fn(n, |_| rng.normal() as f32);
        let sum = |i: usize, j: usize| (0..k).fold(0.0f32, |s, p| s + a[[i, p]] * b[[p, j]]);
        let mut c = Array2::zeros((m, n));
        matmul_into(a.view(), b.view(), c.view_mut()).unwrap();
        let mut ct = Array2::zeros((n, m));
        matmul_into(a.view(), b.view(), ct.view_mut().reversed_axes()).unwrap();
        let mut h = Array2::zeros((m, n));
        matmul_bias_into(a.view(), b.view(), bias.view(), true, h.view_mut()).unwrap();
        for i in 0..m {
            for j in 0..n {
                assert_eq!(c[[i, j]].to_bits(), sum(i, j).to_bits(), "{m}×{k}×{n} at ({i}, {j})");
                assert_eq!(ct[[j, i]].to_bits(), sum(i, j).to_bits(), "{m}×{k}×{n} transposed at ({i}, {j})");
                let separate = std::hint::black_box(sum(i, j) + bias[j]).max(0.0);
                assert_eq!(h[[i, j]].to_bits(), separate.to_bits(), "{m}×{k}×{n} + bias, relu at ({i}, {j})");
            }
        }
    }
}

/// The engine's `exp` in WebAssembly, written out to be inlined into the softmax loops, has the bits
/// of libm's `expf` and `exp` (which it replaced, and which the native build computes the same way):
/// every 65,537th f32 bit pattern and the values beside each branch point of libm's code. So does
/// its `max`, of `f32::max` there (libm's `fmaxf`), signed zeros included.
#[wasm_bindgen_test]
fn exp_has_the_bits_of_libm() {
    use kd_playground::math::{exp, exp_f64};
    let mut values: Vec<f32> = (0..=u32::MAX).step_by(65_537).map(f32::from_bits).collect();
    for t in [0x42ae_ac50u32, 0x42b1_7218, 0x3eb1_7218, 0x3f85_1592, 0x3900_0000] {
        for bits in t - 2..=t + 2 {
            values.extend([f32::from_bits(bits), -f32::from_bits(bits)]);
        }
    }
    // and the softmax's row maximum, as `max` computes it in WebAssembly
    let specials = [0.0f32, -0.0, 1.5, -1.5, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 1e-40];
    for a in specials {
        for b in specials {
            let (fast, call) = (kd_playground::math::max(a, b), std::hint::black_box(a).max(b));
            assert!(fast.to_bits() == call.to_bits() || fast.is_nan() && call.is_nan(), "max({a}, {b})");
            let (fast, call) =
                (kd_playground::math::max_f64(a.into(), b.into()), std::hint::black_box(f64::from(a)).max(b.into()));
            assert!(fast.to_bits() == call.to_bits() || fast.is_nan() && call.is_nan(), "max_f64({a}, {b})");
        }
    }
    for x in values {
        assert_eq!(exp(x).to_bits(), libm::expf(x).to_bits(), "exp({x:e})");
        let wide = f64::from(x) / 3.0;
        assert_eq!(exp_f64(wide).to_bits(), libm::exp(wide).to_bits(), "exp_f64({wide:e})");
    }
    for high in [0x4086_232bu64, 0x3fd6_2e42, 0x3ff0_a2b2, 0x3e30_0000] {
        for bits in (high << 32) - 3..=(high << 32) + 3 {
            for x in [f64::from_bits(bits), -f64::from_bits(bits)] {
                assert_eq!(exp_f64(x).to_bits(), libm::exp(x).to_bits(), "exp_f64({x:e})");
            }
        }
    }
}

/// The compression bench runs in the browser on a finished run: refused before, then every row
/// is trained, timed on the page's clock and reported.
#[wasm_bindgen_test]
fn the_compression_bench_runs_on_a_finished_run() {
    use kd_playground::web::CompressionBench;
    let mut pg = Playground::new(settings(&[
        ("dataset", JsValue::from_str("blobs")),
        ("points", JsValue::from_f64(120.0)),
        ("teacherHidden", JsValue::from_str("32,32")),
        ("studentHidden", JsValue::from_str("32")),
        ("teacherEpochs", JsValue::from_f64(2.0)),
        ("studentEpochs", JsValue::from_f64(2.0)),
    ]))
    .unwrap();
    let refused = CompressionBench::new(&pg, JsValue::UNDEFINED).err().expect("a bench before the run is done");
    assert_eq!(get(&get(&refused, "kd"), "key").as_string().as_deref(), Some("engine.bench.notTrained"));
    while pg.status().map(|s| get(&s, "phase").as_string() != Some("done".into())).unwrap() {
        pg.train(50.0, 1000).unwrap();
    }
    let mut bench = CompressionBench::new(&pg, settings(&[("calibration", JsValue::from_f64(20.0))])).unwrap();
    while !get(&bench.step(20.0).unwrap(), "done").is_truthy() {}
    let report = bench.report().unwrap();
    let rows: js_sys::Array = get(&report, "rows").dyn_into().unwrap();
    // blobs has three classes: no transfer demonstration, said in `skipped`
    assert_eq!(rows.length(), 7);
    for row in rows.iter() {
        assert!(number(&row, "inference_us_per_sample") > 0.0);
        assert!(number(&row, "bytes") > 0.0);
    }
    assert_eq!(get(&report, "int8_kernel").as_string().as_deref(), Some("simd128"));
    let skipped: js_sys::Array = get(&report, "skipped").dyn_into().unwrap();
    assert_eq!(skipped.length(), 2);
}

/// The first run's contrast (the same teacher, the students on all the data) is built without
/// training the teacher again, and reaches the bits of a fresh run with the same settings; a
/// change the teacher would see, or a teacher still training, is refused with a message.
#[wasm_bindgen_test]
fn fresh_students_on_the_trained_teacher_match_a_fresh_run() {
    let with = |fraction: f64| {
        let defaults = dataset_defaults("moons").unwrap();
        for (key, value) in [("teacherEpochs", 2.0), ("studentEpochs", 2.0), ("trainFraction", fraction)] {
            Reflect::set(&defaults, &key.into(), &JsValue::from_f64(value)).unwrap();
        }
        defaults
    };
    let finish = |playground: &mut Playground| {
        while get(&playground.status().unwrap(), "phase").as_string().unwrap() != "done" {
            playground.step_epoch().unwrap();
        }
    };
    let mut small = Playground::new(with(0.2)).unwrap();
    assert!(small.with_students(with(1.0)).is_err(), "the teacher is not trained yet");
    small.step_epoch().unwrap();
    small.step_epoch().unwrap();
    let mut all = small.with_students(with(1.0)).unwrap();
    assert_eq!(number(&all.status().unwrap(), "epoch"), 0.0, "fresh students");
    finish(&mut all);
    let mut fresh = Playground::new(with(1.0)).unwrap();
    finish(&mut fresh);
    assert_eq!(all.curves_csv(), fresh.curves_csv(), "the same bits as a fresh run");
    let wider = with(1.0);
    Reflect::set(&wider, &"teacherHidden".into(), &JsValue::from_str("8")).unwrap();
    assert!(small.with_students(wider).is_err(), "a setting of the teacher is refused");
}
