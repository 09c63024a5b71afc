// KD Playground: the page. The engine (Rust → WebAssembly, ./pkg/kd_playground.js) trains the models, computes
// every model number and draws every chart. This module owns the DOM, the controls and the animation loop.

import { buildControls, coerce } from './controls.js';
import * as view from './view.js';

const FRAME_BUDGET_MS = 10;   // at most this much training per animation frame while playing (the page never freezes)
const FAILED = Symbol('failed');

// All mutable state of the page.
const state = {
  engine: null,        // the wasm module's exports
  schema: [],          // settingsSchema()
  settings: {},        // the values in the controls
  applied: {},         // the values the current Playground was built with (+ live changes)
  localErrors: new Map(), // name -> message, for input the page cannot even hand to the engine (e.g. not a number)
  invalid: false,      // validateSettings() or a local check found an error
  errorNames: new Set(), // the settings that have an error
  pg: null,            // the Playground
  status: null,
  dataInfo: null,
  modelInfo: null,
  selection: { split: 'test', index: 0 },
  playing: false,
  batchesPerFrame: 4,  // the Speed select: mini-batches per frame while playing (Infinity: as many as the budget allows)
  frameRequested: false,
  dirty: { status: true, data: true, sample: true, curves: true },
  drawCost: {},        // ms the last draw of each view took (throttles it while playing)
  lastDraw: {},        // when each view was last drawn
  controls: null,
};

const $ = (id) => document.getElementById(id);
const ui = {
  settings: $('settings'),
  reset: $('btn-reset'),
  play: $('btn-play'),
  playLabel: $('play-label'),
  stepEpoch: $('btn-step-epoch'),
  stepBatch: $('btn-step-batch'),
  speed: $('speed'),
  phase: $('phase'),
  phaseDetail: $('phase-detail'),
  progress: $('progress'),
  pending: $('pending'),
  error: $('error'),
  errorText: $('error-text'),
  errorClose: $('error-close'),
  dataNote: $('data-note'),
  dataTitle: $('data-title'),
  regionsRow: $('regions-row'),
  regions: { teacher: $('regions-teacher'), kd: $('regions-kd'), control: $('regions-control') },
  samplesRow: $('samples-row'),
  samples: $('samples'),
  pickHint: $('pick-hint'),
  selSplit: $('sel-split'),
  selIndex: $('sel-index'),
  sampleDesc: $('sample-desc'),
  sampleBars: $('sample-bars'),
  sampleTable: $('sample-table'),
  sampleLoss: $('sample-loss'),
  verdict: $('verdict'),
  lossCurves: $('loss-curves'),
  accuracyCurves: $('accuracy-curves'),
  latest: $('latest'),
};

// ---------------------------------------------------------------- errors

function messageOf(e) {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  try { return JSON.stringify(e); } catch { return String(e); }
}

function showError(text, kind = 'error') {
  ui.errorText.textContent = text;
  ui.error.dataset.kind = kind;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.errorText.textContent = '';
}

function fail(what, e) {
  let msg = messageOf(e);
  if (e instanceof WebAssembly.RuntimeError) {
    msg = `the engine crashed (${msg}). Press Reset to start again, or reload the page.`;
  }
  showError(`${what}: ${msg}`);
  pause();
  console.warn(`${what}:`, e); // a warning, not an error: the message is on the page
}

/** Run an engine call; on a thrown error show it and return FAILED. */
function attempt(what, fn) {
  try {
    return fn();
  } catch (e) {
    fail(what, e);
    return FAILED;
  }
}

// ---------------------------------------------------------------- settings

const specOf = (name) => state.schema.find((s) => s.name === name);
/** The pairs of an engine object (a plain object, or a Map if the engine hands one). */
const entries = (obj) => (obj instanceof Map ? [...obj.entries()] : Object.entries(obj));
const same = (a, b) => String(a) === String(b);

function validate() {
  const list = [];
  for (const [name, message] of state.localErrors) list.push({ name, message });
  const settings = { ...state.settings };
  for (const name of state.localErrors.keys()) settings[name] = state.applied[name] ?? specOf(name)?.default;
  const r = attempt('Checking the settings', () => state.engine.validateSettings(settings));
  if (r !== FAILED) list.push(...r);
  state.errorNames = new Set(list.map((e) => e.name));
  const orphans = state.controls.setErrors(list);
  if (orphans.length) showError(`Invalid settings: ${orphans.join(' ')}`);
  state.invalid = list.length > 0 || r === FAILED;
  updateButtons();
  return !state.invalid;
}

function trained() {
  return !!state.status && state.status.steps > 0;
}

function updatePending() {
  const names = new Set();
  if (state.pg && trained()) {
    for (const spec of state.schema) {
      if (!spec.live && !same(state.settings[spec.name], state.applied[spec.name])) names.add(spec.name);
    }
  }
  state.controls.setPending(names);
  ui.pending.hidden = names.size === 0;
  ui.reset.classList.toggle('attention', names.size > 0);
}

function onSettingInput(name, value) {
  const spec = specOf(name);
  if (!spec) return;
  if ((spec.kind === 'number' || spec.kind === 'integer') && !Number.isFinite(value)) {
    state.localErrors.set(name, `${spec.label ?? name}: enter a number.`);
    validate();
    return;
  }
  state.localErrors.delete(name);
  state.settings[name] = value;
  validate();
  if (spec.live && state.pg && !state.errorNames.has(name)) {
    const r = attempt(`Setting ${spec.label ?? name}`, () => state.pg.setLive(name, value));
    if (r !== FAILED) {
      state.applied[name] = value;
      markDirty('sample', 'curves', 'data');
      requestFrame();
    }
  }
  updatePending();
}

function onSettingCommit(name, value) {
  const spec = specOf(name);
  if (!spec || spec.live) return;
  if (spec.name === 'dataset') {
    const defaults = attempt(`Defaults for ${value}`, () => state.engine.datasetDefaults(value));
    if (defaults !== FAILED && defaults) {
      for (const [k, raw] of entries(defaults)) {
        const spec = specOf(k);
        if (!spec) continue;
        const v = coerce(spec, raw);
        state.settings[k] = v;
        state.localErrors.delete(k);
        state.controls.set(k, v);
      }
    }
    if (validate()) reset();
    return;
  }
  // before any training, a change applies at once; afterwards it waits for Reset
  if (!trained() && validate()) reset();
  updatePending();
}

// ---------------------------------------------------------------- the playground

function reset() {
  if (!validate()) {
    showError('Some settings are invalid: fix the ones marked in red, then press Reset.');
    return;
  }
  pause();
  const settings = { ...state.settings };
  const pg = attempt('Creating the models', () => new state.engine.Playground(settings));
  if (pg === FAILED) return;
  if (state.pg) { try { state.pg.free(); } catch { /* already gone */ } }
  state.pg = pg;
  state.applied = settings;
  clearError();

  const status = attempt('Reading the status', () => pg.status());
  const dataInfo = attempt('Reading the data set', () => pg.dataInfo());
  const modelInfo = attempt('Reading the models', () => pg.modelInfo());
  if (status === FAILED || dataInfo === FAILED || modelInfo === FAILED) return;
  state.status = status;
  state.modelInfo = modelInfo;

  // keep the selected sample across resets of the same data set; otherwise start at test sample 0
  const previous = state.dataInfo;
  state.dataInfo = dataInfo;
  const sel = state.selection;
  const n = sel.split === 'train' ? dataInfo.nTrain : dataInfo.nTest;
  if (previous?.dataset !== dataInfo.dataset || !(sel.index < n)) {
    state.selection = { split: dataInfo.nTest > 0 ? 'test' : 'train', index: 0 };
  }

  showInfo();
  showDataMode();
  updatePending();
  markDirty('status', 'data', 'sample', 'curves');
  requestFrame();
}

function showInfo() {
  const d = state.dataInfo;
  const dataBox = state.controls.info('data');
  if (dataBox) view.renderDataInfo(dataBox, d);
  const modelBox = state.controls.info('models');
  if (modelBox) view.renderModelInfo(modelBox, state.modelInfo);
  // settings the schema marks generatedOnly mean something for the generated 2-D sets only
  const generated = d.view === 'points';
  for (const spec of state.schema.filter((s) => s.generatedOnly)) {
    state.controls.setDisabled(spec.name, !generated, 'Only for the generated 2-D data sets');
  }
  ui.selIndex.max = String(Math.max(0, (state.selection.split === 'train' ? d.nTrain : d.nTest) - 1));
}

function showDataMode() {
  const d = state.dataInfo;
  const points = d.view === 'points';
  ui.regionsRow.hidden = !points;
  ui.samplesRow.hidden = points;
  ui.samplesRow.dataset.view = d.view;
  ui.dataTitle.textContent = points ? 'Data and decision regions' : 'Data';
  if (points) {
    ui.dataNote.textContent = `${d.dataset}: 2-D points; the background is each model's predicted class.`;
    ui.pickHint.textContent = 'Click anywhere on a map to select the nearest sample. Filled dots: training set; ringed dots: test set.';
  } else if (d.view === 'digits') {
    ui.dataNote.textContent = `${d.dataset}: 8×8 images of handwritten digits (test set).`;
    ui.pickHint.textContent = 'Click a digit to inspect it.';
  } else {
    ui.dataNote.textContent = `${d.dataset}: ${d.nFeatures} measured features, ${d.nClasses} classes; the plot shows two of them.`;
    ui.pickHint.textContent = 'Click a point to select the nearest sample.';
  }
}

function setStatus(st) {
  state.status = st;
  markDirty('status', 'data', 'sample', 'curves');
  if (st.phase === 'diverged') {
    pause();
    showError(st.message || 'Training diverged: a loss became NaN or infinite. Try a smaller learning rate and press Reset.', 'diverged');
  }
}

function step(kind) {
  if (!state.pg) return;
  const st = attempt(kind === 'epoch' ? 'Training an epoch' : 'Training a batch',
    () => (kind === 'epoch' ? state.pg.stepEpoch() : state.pg.stepBatch()));
  if (st === FAILED) return;
  setStatus(st);
  updatePending();
  requestFrame();
}

function running(st) {
  return st && (st.phase === 'teacher' || st.phase === 'distil');
}

function play() {
  if (!state.pg || !running(state.status)) return;
  state.playing = true;
  updateButtons();
  requestFrame();
}

function pause() {
  if (!state.playing) return;
  state.playing = false;
  markDirty('status', 'data', 'sample', 'curves');
  updateButtons();
  requestFrame();
}

function updateButtons() {
  const ready = !!state.pg;
  const canTrain = ready && running(state.status);
  ui.play.disabled = !canTrain && !state.playing;
  ui.play.setAttribute('aria-pressed', String(state.playing));
  ui.play.classList.toggle('playing', state.playing);
  ui.playLabel.textContent = state.playing ? 'Pause' : 'Play';
  ui.play.title = state.playing ? 'Pause training' : 'Train (play)';
  ui.stepEpoch.disabled = !canTrain || state.playing;
  ui.stepBatch.disabled = !canTrain || state.playing;
  ui.reset.disabled = !state.engine || state.invalid;
  ui.reset.title = state.invalid ? 'Fix the settings marked in red first' : 'Reset: new models with the current settings';
}

// ---------------------------------------------------------------- drawing

function markDirty(...parts) {
  for (const p of parts) state.dirty[p] = true;
}

function requestFrame() {
  if (state.frameRequested) return;
  state.frameRequested = true;
  requestAnimationFrame(frame);
}

function frame() {
  state.frameRequested = false;
  if (state.playing && state.pg) {
    const t0 = performance.now();
    let st = state.status;
    let n = 0;
    do {
      const r = attempt('Training', () => state.pg.stepBatch());
      if (r === FAILED) { st = null; break; }
      st = r;
      n++;
    } while (running(st) && n < state.batchesPerFrame && performance.now() - t0 < FRAME_BUDGET_MS);
    if (st) setStatus(st);
    if (!running(st)) pause();
    updatePending();
  }
  render();
  if (state.playing) requestFrame();
}

// While playing, a view is redrawn no more often than its drawing cost allows (about a quarter of the time
// goes to drawing it), so that training keeps its share of each frame on slow machines.
const DRAWERS = {
  data: () => drawData(),
  sample: () => renderSample(),
  curves: () => renderCurves(),
};

function render() {
  if (!state.pg) return;
  const d = state.dirty;
  if (d.status) { d.status = false; renderStatus(); }
  for (const [part, draw] of Object.entries(DRAWERS)) {
    if (!d[part]) continue;
    const now = performance.now();
    const cost = state.drawCost[part] ?? 0;
    if (state.playing && cost > 2 && now - (state.lastDraw[part] ?? 0) < Math.min(500, 4 * cost)) {
      requestFrame(); // still dirty: a later frame draws it
      continue;
    }
    d[part] = false;
    draw();
    state.lastDraw[part] = performance.now();
    state.drawCost[part] = state.lastDraw[part] - now;
  }
}

function renderStatus() {
  const st = state.status;
  if (!st) return;
  const s = view.describeStatus(st);
  ui.phase.textContent = s.text;
  ui.phase.dataset.phase = st.phase;
  ui.phaseDetail.textContent = s.detail ? `${s.detail} · ${view.int(s.steps)} steps` : '';
  ui.progress.max = Math.max(1, s.total);
  if (s.done === null) ui.progress.removeAttribute('value');
  else ui.progress.value = s.done;
  ui.progress.setAttribute('aria-valuetext', `${s.text}${s.detail ? `, ${s.detail}` : ''}`);
  updateButtons();
}

function drawData() {
  const { split, index } = state.selection;
  if (state.dataInfo.view === 'points') {
    for (const [model, canvas] of Object.entries(ui.regions)) {
      if (!view.sizeCanvas(canvas)) continue;
      if (attempt(`Drawing the ${model} regions`, () => state.pg.drawRegions(canvas, model, split, index)) === FAILED) return;
    }
  } else if (view.sizeCanvas(ui.samples)) {
    attempt('Drawing the samples', () => state.pg.drawSamples(ui.samples, split, index));
  }
}

function renderSample() {
  const { split, index } = state.selection;
  ui.selSplit.value = split;
  if (document.activeElement !== ui.selIndex) ui.selIndex.value = String(index); // not while the user types
  const s = attempt('Inspecting the sample', () => state.pg.inspect(split, index));
  if (s === FAILED) return;
  ui.sampleDesc.textContent = view.describeSample(s, state.dataInfo);
  const tText = String(Number(Number(s.temperature).toPrecision(3)));
  view.renderSampleTable(ui.sampleTable, s, state.dataInfo.classNames, tText);
  view.renderSampleLoss(ui.sampleLoss, s);
  if (view.sizeCanvas(ui.sampleBars)) {
    attempt('Drawing the sample', () => state.pg.drawSampleBars(ui.sampleBars, split, index));
  }
}

function renderCurves() {
  const h = attempt('Reading the history', () => state.pg.history());
  if (h === FAILED) return;
  const lb = attempt('Reading the last batch', () => state.pg.lastBatch());
  const v = view.verdictText(h, state.status, state.dataInfo);
  ui.verdict.textContent = v.text;
  ui.verdict.dataset.sign = String(v.sign);
  view.renderLatest(ui.latest, h, lb === FAILED ? null : lb);
  if (view.sizeCanvas(ui.lossCurves)) attempt('Drawing the loss curves', () => state.pg.drawLossCurves(ui.lossCurves));
  if (view.sizeCanvas(ui.accuracyCurves)) attempt('Drawing the accuracy curves', () => state.pg.drawAccuracyCurves(ui.accuracyCurves));
}

// ---------------------------------------------------------------- selection

function select(split, index) {
  if (!state.dataInfo) return;
  const n = split === 'train' ? state.dataInfo.nTrain : state.dataInfo.nTest;
  if (!Number.isInteger(index) || index < 0 || index >= n) return;
  state.selection = { split, index };
  ui.selIndex.max = String(Math.max(0, n - 1));
  markDirty('data', 'sample');
  requestFrame();
}

function pickAt(canvas, viewName, event) {
  if (!state.pg) return;
  const rect = canvas.getBoundingClientRect();
  const fx = (event.clientX - rect.left) / rect.width;
  const fy = (event.clientY - rect.top) / rect.height;
  const r = attempt('Selecting a sample', () => state.pg.pick(viewName, fx, fy));
  if (r !== FAILED && r) select(r.split, r.index);
}

function stepSelection(delta) {
  const { split, index } = state.selection;
  const n = split === 'train' ? state.dataInfo.nTrain : state.dataInfo.nTest;
  if (n > 0) select(split, (index + delta + n) % n);
}

function onCanvasKey(event) {
  const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
  if (delta && state.dataInfo) {
    event.preventDefault();
    stepSelection(delta);
  }
}

// ---------------------------------------------------------------- wiring

function wire() {
  ui.reset.addEventListener('click', reset);
  ui.play.addEventListener('click', () => (state.playing ? pause() : play()));
  ui.stepEpoch.addEventListener('click', () => step('epoch'));
  ui.stepBatch.addEventListener('click', () => step('batch'));
  ui.errorClose.addEventListener('click', clearError);
  const speed = () => {
    const v = ui.speed.value;
    state.batchesPerFrame = v === 'max' ? Infinity : Math.max(1, Number(v) || 1);
  };
  ui.speed.addEventListener('change', speed);
  speed();

  for (const canvas of Object.values(ui.regions)) {
    canvas.addEventListener('click', (e) => pickAt(canvas, 'regions', e));
    canvas.addEventListener('keydown', onCanvasKey);
    canvas.tabIndex = 0;
  }
  ui.samples.addEventListener('click', (e) => pickAt(ui.samples, 'samples', e));
  ui.samples.addEventListener('keydown', onCanvasKey);
  ui.samples.tabIndex = 0;

  ui.selSplit.addEventListener('change', () => {
    const split = ui.selSplit.value;
    const n = split === 'train' ? state.dataInfo?.nTrain : state.dataInfo?.nTest;
    select(split, Math.min(state.selection.index, Math.max(0, (n ?? 1) - 1)));
  });
  ui.selIndex.addEventListener('change', () => {
    const i = Number(ui.selIndex.value);
    if (Number.isInteger(i)) select(state.selection.split, i);
    ui.selIndex.value = String(state.selection.index);
  });

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { markDirty('data', 'sample', 'curves'); requestFrame(); }, 100);
  });

  // keyboard: space toggles play when no control has the focus
  document.addEventListener('keydown', (e) => {
    if (e.key !== ' ' || e.target !== document.body) return;
    e.preventDefault();
    if (state.playing) pause(); else play();
  });
}

window.addEventListener('error', (e) => showError(`Unexpected error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showError(`Unexpected error: ${messageOf(e.reason)}`));

async function start() {
  wire();
  let engine;
  try {
    engine = await import('./pkg/kd_playground.js');
    await engine.default();
  } catch (e) {
    ui.phase.textContent = 'The engine did not load';
    ui.settings.querySelector('.settings-loading')?.replaceChildren('The settings come from the engine, which did not load.');
    showError(`Could not start the WebAssembly engine (pkg/kd_playground.js): ${messageOf(e)}. ` +
      'The page needs a browser with WebAssembly, served over http(s) with the built pkg/ folder.');
    return;
  }
  state.engine = engine;

  const schema = attempt('Reading the settings', () => engine.settingsSchema());
  if (schema === FAILED) return;
  state.schema = schema;
  for (const spec of schema) state.settings[spec.name] = coerce(spec, spec.default);
  const ds = specOf('dataset');
  if (ds) {
    const defaults = attempt('Reading the data set defaults', () => engine.datasetDefaults(state.settings.dataset));
    if (defaults !== FAILED && defaults) {
      for (const [k, v] of entries(defaults)) if (specOf(k)) state.settings[k] = coerce(specOf(k), v);
    }
  }
  state.controls = buildControls(ui.settings, schema, state.settings, {
    onInput: onSettingInput,
    onCommit: onSettingCommit,
  });
  ui.settings.addEventListener('submit', (e) => e.preventDefault());
  reset();
  updateButtons();
  document.body.dataset.ready = 'true';
}

start();
