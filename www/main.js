// KD Playground: the page. The engine (Rust → WebAssembly, ./pkg/kd_playground.js) trains the models, computes
// every model number and draws every chart. This module owns the DOM, the controls, the URL hash, the keyboard
// and the animation loop. Every text comes from the catalogues through ./i18n.js.

import { buildControls, coerce, formatSettingValue } from './controls.js';
import * as lastRun from './lastrun.js';
import { ensureDataset, datasetReady } from './datasets.js';
import * as view from './view.js';
import {
  t, render as renderMessage, messageOf, setLanguage, language, onLanguageChange, translatePage, isLanguage, loadLanguage, catalogue, LANGUAGES, DEFAULT_LANGUAGE, settingLabel, choiceLabel,
} from './i18n.js';
import { parseHash, serialiseHash, languageOf, shorten } from './urlstate.js';
import { createTour, TOUR_STEP_COUNT } from './tour.js';
import { createExperimentsPanel } from './experiments.js';

const FRAME_BUDGET_MS = 10;    // training and drawing per animation frame while playing (the page never freezes)
const TRAIN_SHARE_MS = 5;      // training's share of a frame when a view waits to be drawn
const URGENT_TRAIN_MS = 1;     // … and in the frame that answers a click
const ANNOUNCE_EVERY_MS = 2000; // the live region speaks at most this often while playing
const TEACH_EVERY_MS = 250;     // the teaching panels follow training at most 4 times a second
const REDUCED_MOTION_DRAW_MS = 1000; // with prefers-reduced-motion, charts are redrawn at most once a second while playing
const HASH_DELAY_MS = 150;      // the URL follows a slider after it rests this long (no flood of replaceState)
const KEEP_DELAY_MS = 1000;     // a stepped run is kept in local storage once the clicks rest this long
const FAILED = Symbol('failed');

// All mutable state of the page.
const state = {
  engine: null,        // the wasm module's exports
  schema: [],          // settingsSchema()
  defaults: {},        // every setting's default (with the default data set's defaults)
  settings: {},        // the values in the controls
  applied: {},         // the values the current Playground was built with (+ live changes); the URL holds these
  localErrors: new Map(), // name -> message, for input the page cannot even hand to the engine (e.g. not a number)
  invalid: false,      // validateSettings() or a local check found an error
  errorNames: new Set(), // the settings that have an error
  pg: null,            // the Playground
  status: null,
  dataInfo: null,
  modelInfo: null,
  selection: { split: 'test', index: 0 },
  csv: null,           // the user's own data: { bytes: Uint8Array, name } (replaces the data set on reset)
  csvView: null,       // refreshes the CSV box's texts
  playing: false,
  batchesPerFrame: 4,  // the Speed select: mini-batches per frame while playing (Infinity: as many as the budget allows)
  frameRequested: false,
  urgent: false,       // the next frame answers the user (a selection): it draws before it trains much
  dirty: { status: true, data: true, sample: true, curves: true },
  drawCost: {},        // ms the last draw of each view took (throttles it while playing)
  lastDraw: {},        // when each view was last drawn
  controls: null,
  notice: [],          // the fields of the last hash that were ignored
  hashTimer: 0,
  lastAnnounce: 0,
  teach: null,         // the teaching panels (./teach.js), if they loaded
  teachPending: null,  // a reason waiting for the next update of the teaching panels
  lastTeach: 0,
  tour: null,
  experiment: null,    // the preset being run: { name, liveChanged }; cleared when a non-live setting or the data changes
  experiments: null,   // the Experiments panel (./experiments.js)
};

// Counters for the speed benchmark (`cargo xtask bench`, xtask/bench/bench.mjs reads them through
// window.kdPerformance); the page itself never reads them. Counting costs a few additions per frame.
const perf = {
  frames: 0,          // animation frames run
  trainingFrames: 0,  // frames that trained while playing
  updates: 0,         // frames that updated the view (the status line and progress bar at least)
  draws: { data: { count: 0, totalMs: 0, maxMs: 0 }, sample: { count: 0, totalMs: 0, maxMs: 0 }, curves: { count: 0, totalMs: 0, maxMs: 0 } },
  teach: { count: 0, totalMs: 0, maxMs: 0 },
  frame: { count: 0, totalMs: 0, maxMs: 0 }, // the work of frame(): training, the teaching panels, drawing
  firstRender: false,
};
window.kdPerformance = Object.freeze({
  stats: () => structuredClone(perf),
  /** Redraws every view of the main layout at once, as after a reset; returns the milliseconds it took. */
  redrawAll() {
    if (!state.pg || state.playing) return null;
    markDirty('status', 'data', 'sample', 'curves');
    const start = performance.now();
    render();
    return performance.now() - start;
  },
});

function count(slot, ms) {
  slot.count += 1;
  slot.totalMs += ms;
  slot.maxMs = Math.max(slot.maxMs, ms);
}

const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

const $ = (id) => document.getElementById(id);
const ui = {
  settings: $('settings'),
  reset: $('btn-reset'),
  play: $('btn-play'),
  playLabel: $('play-label'),
  stepEpoch: $('btn-step-epoch'),
  stepBatch: $('btn-step-batch'),
  speed: $('speed'),
  lang: $('lang'),
  tourButton: $('btn-tour'),
  phase: $('phase'),
  phaseDetail: $('phase-detail'),
  progress: $('progress'),
  pending: $('pending'),
  error: $('error'),
  errorText: $('error-text'),
  errorClose: $('error-close'),
  notice: $('notice'),
  noticeText: $('notice-text'),
  noticeList: $('notice-list'),
  noticeClose: $('notice-close'),
  restore: $('restore'),
  restoreText: $('restore-text'),
  restoreYes: $('restore-yes'),
  restoreNo: $('restore-no'),
  announcer: $('announcer'),
  skipLink: $('skip-link'),
  main: $('main'),
  dataNote: $('data-note'),
  dataTitle: $('data-title'),
  regionsRow: $('regions-row'),
  regions: { teacher: $('regions-teacher'), kd: $('regions-kd'), control: $('regions-control') },
  samplesRow: $('samples-row'),
  samples: $('samples'),
  pickHint: $('pick-hint'),
  dataSummary: $('data-summary'),
  selSplit: $('sel-split'),
  selIndex: $('sel-index'),
  selRange: $('sel-range'),
  selError: $('sel-error'),
  sampleDesc: $('sample-desc'),
  sampleBars: $('sample-bars'),
  sampleTable: $('sample-table'),
  sampleLoss: $('sample-loss'),
  teachRoot: $('teach-root'),
  verdict: $('verdict'),
  lossCurves: $('loss-curves'),
  accuracyCurves: $('accuracy-curves'),
  latest: $('latest'),
  curvesSummary: $('curves-summary'),
  experiments: $('experiments'),
  studies: $('studies'),
};

// ---------------------------------------------------------------- errors

/** Shows a message in the alert box (as text). `kind`: 'error', 'warning' or 'diverged'. */
function showError(text, kind = 'error') {
  ui.errorText.textContent = text;
  ui.error.dataset.kind = kind;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.errorText.textContent = '';
}

/** An engine error: the phrase for what failed, then the engine's message, both in the learner's language. */
function fail(what, e) {
  let msg = messageOf(e);
  if (e instanceof WebAssembly.RuntimeError) msg = t('error.engineCrashed', { message: msg });
  showError(t('error.engine', { what, message: msg }));
  pause();
  console.warn(`${what}:`, e); // a warning, not an error: the message is on the page
}

/** Run an engine call; on a thrown error show it and return FAILED. `what` is a catalogue key. */
function attempt(what, fn, params) {
  try {
    return fn();
  } catch (e) {
    fail(t(what, params), e);
    return FAILED;
  }
}

// ---------------------------------------------------------------- the live region

let announceTimer = 0;
/** Says `text` through the polite live region (re-saying the same text works too). */
function announce(text) {
  clearTimeout(announceTimer);
  ui.announcer.textContent = '';
  announceTimer = setTimeout(() => { ui.announcer.textContent = String(text ?? ''); }, 50);
}

/** Epoch and losses in words, for the live region. */
function progressText() {
  const st = state.status;
  if (!st || !state.pg) return '';
  const h = attempt('do.read', () => state.pg.history());
  if (h === FAILED) return '';
  const bpe = Math.max(1, st.batchesPerEpoch || 1);
  switch (st.phase) {
    case 'teacher': {
      const last = h.teacher?.[h.teacher.length - 1];
      return t('announce.teacher', {
        epoch: st.epoch, of: st.teacherEpochs, batch: st.batch, batches: bpe,
        loss: last && last.epoch > 0 ? view.fmt(last.trainLoss) : '—',
        acc: last && last.epoch > 0 ? view.pct(last.testAccuracy) : '—',
      });
    }
    case 'distil': {
      const lb = attempt('do.read', () => state.pg.lastBatch());
      return t('announce.distil', {
        epoch: st.epoch, of: st.studentEpochs, batch: st.batch, batches: bpe,
        soft: view.fmt(lb?.softLoss), hard: view.fmt(lb?.hardLoss), total: view.fmt(lb?.totalLoss),
      });
    }
    case 'done': {
      const s = h.students?.[h.students.length - 1];
      return t('announce.done', { kd: view.pct(s?.kdTestAccuracy), control: view.pct(s?.controlTestAccuracy) });
    }
    case 'diverged':
      return t('status.diverged');
    default:
      return '';
  }
}

/** Announces the progress now (`force`) or, while playing, at most every ANNOUNCE_EVERY_MS. */
function announceProgress(force = false) {
  const now = performance.now();
  if (!force && now - state.lastAnnounce < ANNOUNCE_EVERY_MS) return;
  state.lastAnnounce = now;
  const text = progressText();
  if (text) announce(text);
}

// ---------------------------------------------------------------- settings

const specOf = (name) => state.schema.find((s) => s.name === name);
/** The pairs of an engine object (a plain object, or a Map if the engine hands one). */
const entries = (obj) => (obj instanceof Map ? [...obj.entries()] : Object.entries(obj ?? {}));
const same = (a, b) => String(a) === String(b);

/**
 * A number the engine returns (its settings are f32) as the shortest decimal that is the same f32, so that
 * 0.0010000000474974513 reads 0.001 in the controls and the URL and gives the same run again.
 */
function tidyNumber(spec, v) {
  if (spec.kind !== 'number' || typeof v !== 'number' || !Number.isFinite(v)) return v;
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return v;
}

/** The settings a data set changes, as a plain object of typed values (or null). */
function datasetDefaults(name) {
  const raw = attempt('do.defaults', () => state.engine.datasetDefaults(name), { dataset: name });
  if (raw === FAILED || !raw) return null;
  const out = {};
  for (const [k, v] of entries(raw)) if (specOf(k)) out[k] = coerce(specOf(k), v);
  return out;
}

/** validateSettings() as a plain function for urlstate.js (throws on an engine failure). */
function engineValidate(values) {
  return state.engine.validateSettings(values).map((e) => ({ name: e.name, message: renderMessage(e.message) }));
}

function validate() {
  const list = [];
  for (const [name, message] of state.localErrors) list.push({ name, message });
  const settings = { ...state.settings };
  for (const name of state.localErrors.keys()) settings[name] = state.applied[name] ?? specOf(name)?.default;
  const r = attempt('do.check', () => state.engine.validateSettings(settings));
  if (r !== FAILED) list.push(...r.map((e) => ({ name: e.name, message: renderMessage(e.message) })));
  state.errorNames = new Set(list.map((e) => e.name));
  const orphans = state.controls.setErrors(list);
  if (orphans.length) showError(t('error.invalidSettings', { list: orphans.join(' ') }));
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

/** Changes a live setting of the running Playground (T or α): only what depends on it is redrawn. */
function applyLive(name, value) {
  const spec = specOf(name);
  if (!spec?.live || !state.pg || state.errorNames.has(name)) return false;
  const r = attempt('do.setLive', () => state.pg.setLive(name, value), { label: settingLabel(spec) });
  if (r === FAILED) return false;
  state.applied[name] = value;
  if (state.experiment && state.status?.phase !== 'done' && !state.experiment.liveChanged) {
    state.experiment.liveChanged = true; // the run is no longer the preset's alone: the verdict says so
  }
  // T and α change the selected sample's soft labels and losses, and the teaching panels; the region maps
  // (T = 1), the gallery (T = 1) and the curves (past epochs) do not depend on them.
  markDirty('sample');
  teachUpdate('live');
  requestFrame();
  scheduleHash();
  return true;
}

function onSettingInput(name, value) {
  const spec = specOf(name);
  if (!spec) return;
  if ((spec.kind === 'number' || spec.kind === 'integer') && !Number.isFinite(value)) {
    state.localErrors.set(name, t('error.enterNumber', { label: settingLabel(spec) }));
    validate();
    return;
  }
  state.localErrors.delete(name);
  state.settings[name] = value;
  validate();
  if (spec.live) applyLive(name, value);
  updatePending();
}

function onSettingCommit(name, value) {
  const spec = specOf(name);
  if (!spec || spec.live) return;
  if (!same(value, state.applied[name])) clearExperiment();
  if (spec.name === 'dataset') {
    state.csv = null; // a built-in data set replaces the user's file
    state.csvView?.();
    const defaults = datasetDefaults(value);
    if (defaults) {
      for (const [k, v] of Object.entries(defaults)) {
        state.settings[k] = v;
        state.localErrors.delete(k);
        state.controls.set(k, v);
      }
    }
    if (validate()) {
      reset();
    } else {
      // the data set's defaults are in the controls, but another field still has an error: say so, plainly
      const fields = [...state.errorNames].map((n) => (specOf(n) ? settingLabel(specOf(n)) : n)).join(', ');
      showError(t('error.datasetPending', { dataset: choiceLabel(spec, value), fields }), 'warning');
      updatePending();
    }
    return;
  }
  // before any training, a change applies at once; afterwards it waits for Reset
  if (!trained() && validate()) reset();
  updatePending();
}

// ---------------------------------------------------------------- the playground

/** Builds a new Playground from the controls (and the user's file, if any); false if it failed. */
function reset() {
  if (!validate()) {
    showError(t('error.resetInvalid'));
    return false;
  }
  pause();
  const settings = { ...state.settings };
  const csv = state.csv;
  if (!csv && !datasetReady(state.engine, settings.dataset)) {
    // fetched on first use: build the run when it arrives, if the controls still ask for that data set
    ui.phase.textContent = t('status.fetching', { dataset: choiceLabel(specOf('dataset'), settings.dataset) });
    withDataset(settings.dataset, () => { if (same(state.settings.dataset, settings.dataset)) reset(); });
    return false;
  }
  const pg = csv
    ? attempt('do.readCsv', () => state.engine.Playground.fromCsv(settings, csv.bytes, csv.name), { file: csv.name })
    : attempt('do.create', () => new state.engine.Playground(settings));
  if (pg === FAILED) return false;
  adopt(pg, settings);
  return true;
}

// ---------------------------------------------------------------- the user's own CSV file

/** A file input under the data settings: a CSV with numeric features and the label last. */
function buildCsvInput() {
  const anchor = state.controls.info('data');
  if (!anchor || !state.engine.csvLimits) return;
  const limits = state.engine.csvLimits();
  const box = document.createElement('div');
  box.className = 'csv-upload';
  const label = document.createElement('label');
  label.htmlFor = 'csv-file';
  label.dataset.i18n = 'csv.label';
  label.textContent = t('csv.label');
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'csv-file';
  input.accept = '.csv,text/csv';
  input.setAttribute('aria-describedby', 'csv-help csv-status');
  const help = document.createElement('p');
  help.id = 'csv-help';
  help.className = 'field-help';
  const status = document.createElement('p');
  status.id = 'csv-status';
  status.className = 'csv-status';
  status.setAttribute('role', 'status');
  const clear = document.createElement('button');
  clear.type = 'button';
  clear.className = 'link-btn';
  clear.hidden = true;
  const renderTexts = () => {
    label.textContent = t('csv.label');
    help.textContent = t('csv.help', { maxMb: Math.round(limits.maxBytes / 1048576), maxRows: limits.maxRows, maxFeatures: limits.maxFeatures, maxClasses: limits.maxClasses });
    clear.textContent = t('csv.clear');
    status.textContent = state.csv ? t('csv.loaded', { file: state.csv.name }) : '';
  };
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > limits.maxBytes) {
      // refused before the file is read
      showError(t('csv.tooBig', { file: file.name, size: (file.size / 1048576).toFixed(1), maxMb: Math.round(limits.maxBytes / 1048576) }));
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const previous = state.csv;
    state.csv = { bytes, name: file.name };
    if (reset()) clearExperiment();
    else state.csv = previous; // refused: the last good file (or data set) stays
    clear.hidden = !state.csv;
    renderTexts();
  });
  clear.addEventListener('click', () => {
    state.csv = null;
    clear.hidden = true;
    renderTexts();
    clearExperiment();
    reset();
  });
  box.append(label, input, help, status, clear);
  anchor.after(box);
  state.csvView = () => {
    clear.hidden = !state.csv;
    renderTexts();
  };
  renderTexts();
  onLanguageChange(renderTexts);
}

/** Makes `pg` the current Playground (built with `settings`): frees the old one and refreshes every view. */
function adopt(pg, settings) {
  if (state.pg && state.pg !== pg) { try { state.pg.free(); } catch { /* already gone */ } }
  state.pg = pg;
  state.applied = { ...settings };
  clearError();

  const status = attempt('do.read', () => pg.status());
  const dataInfo = attempt('do.read', () => pg.dataInfo());
  const modelInfo = attempt('do.read', () => pg.modelInfo());
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
  teachUpdate('reset');
  experimentsUpdate('reset');
  scheduleHash(true);
}

/**
 * Puts a complete settings object from the engine (numbers as f32) into the controls; settings it lacks keep
 * their values. Returns the values now in the controls.
 */
function showSettings(raw) {
  const values = {};
  for (const [k, v] of entries(raw)) {
    const spec = specOf(k);
    if (spec) values[k] = tidyNumber(spec, coerce(spec, v));
  }
  state.localErrors.clear();
  for (const spec of state.schema) {
    if (!(spec.name in values)) values[spec.name] = state.settings[spec.name];
    state.settings[spec.name] = values[spec.name];
    state.controls.set(spec.name, values[spec.name]);
  }
  return values;
}

/** Runs `then` once data set `name` is ready (fetching it the first time); says so if it cannot be fetched. */
function withDataset(name, then) {
  if (datasetReady(state.engine, name)) return then();
  return ensureDataset(state.engine, name).then(then, (e) => {
    showError(t('error.fetchData', { dataset: name, message: messageOf(e) }));
    if (state.status) renderStatus();
  });
}

/** A run loaded by the teaching panels (a saved run file): it becomes the current one. */
function importPlayground(pg) {
  pause();
  const raw = attempt('do.import', () => pg.settings());
  if (raw === FAILED) return;
  const values = showSettings(raw);
  validate();
  clearExperiment();
  adopt(pg, values);
  announceProgress(true);
  keepRunSoon(0);
}

function showInfo() {
  const d = state.dataInfo;
  if (!d) return;
  const dataBox = state.controls.info('data');
  if (dataBox) view.renderDataInfo(dataBox, d);
  const modelBox = state.controls.info('models');
  if (modelBox && state.modelInfo) view.renderModelInfo(modelBox, state.modelInfo);
  // settings the schema marks generatedOnly mean something for the generated 2-D sets only
  const generated = d.view === 'points';
  for (const spec of state.schema.filter((s) => s.generatedOnly)) {
    state.controls.setDisabled(spec.name, !generated, t('data.generatedOnly'));
  }
  showIndexRange();
}

function sampleCount(split) {
  const d = state.dataInfo;
  if (!d) return 0;
  return split === 'train' ? d.nTrain : d.nTest;
}

/** The valid range of the Index box, shown beside it. */
function showIndexRange() {
  const max = Math.max(0, sampleCount(state.selection.split) - 1);
  ui.selIndex.max = String(max);
  ui.selRange.textContent = t('sample.range', { max });
}

function showDataMode() {
  const d = state.dataInfo;
  if (!d) return;
  const points = d.view === 'points';
  ui.regionsRow.hidden = !points;
  ui.samplesRow.hidden = points;
  ui.samplesRow.dataset.view = d.view;
  ui.dataTitle.textContent = t(points ? 'data.titlePoints' : 'data.title');
  const params = { dataset: d.dataset, features: d.nFeatures, classes: d.nClasses };
  const mode = points ? 'Points' : d.view === 'digits' ? 'Digits' : 'Table';
  ui.dataNote.textContent = t(`data.note${mode}`, params);
  ui.pickHint.textContent = t(`data.hint${mode}`);
}

function setStatus(st) {
  state.status = st;
  markDirty('status', 'data', 'sample', 'curves');
  if (st.phase === 'diverged') {
    pause();
    showError(st.stopped ? renderMessage(st.stopped) : t('error.diverged'), 'diverged');
  }
  experimentsUpdate('status');
}

function step(kind) {
  if (!state.pg || state.playing || !running(state.status)) return;
  const r = attempt(kind === 'epoch' ? 'do.trainEpoch' : 'do.trainBatch',
    () => (kind === 'epoch' ? state.pg.stepEpoch() : state.pg.stepBatch()));
  if (r === FAILED) return;
  setStatus(r.status);
  updatePending();
  teachUpdate('step');
  announceProgress(true);
  requestFrame();
  keepRunSoon(KEEP_DELAY_MS);
}

function running(st) {
  return st && (st.phase === 'teacher' || st.phase === 'distil');
}

function play() {
  if (!state.pg || !running(state.status)) return;
  state.playing = true;
  updateButtons();
  experimentsUpdate('status');
  announce(t('announce.playing'));
  state.lastAnnounce = performance.now();
  requestFrame();
}

function pause() {
  if (!state.playing) return;
  state.playing = false;
  markDirty('status', 'data', 'sample', 'curves');
  updateButtons();
  experimentsUpdate('status');
  flushTeach();
  announceProgress(true);
  requestFrame();
  keepRunSoon(0);
}

function togglePlay() {
  if (state.playing) pause(); else play();
}

function updateButtons() {
  const ready = !!state.pg;
  const canTrain = ready && running(state.status);
  ui.play.disabled = !canTrain && !state.playing;
  ui.play.setAttribute('aria-pressed', String(state.playing));
  ui.play.classList.toggle('playing', state.playing);
  ui.playLabel.textContent = t(state.playing ? 'transport.pause' : 'transport.play');
  ui.play.title = t(state.playing ? 'transport.pauseTitle' : 'transport.playTitle');
  ui.stepEpoch.disabled = !canTrain || state.playing;
  ui.stepBatch.disabled = !canTrain || state.playing;
  ui.reset.disabled = !state.engine || state.invalid;
  ui.reset.title = t(state.invalid ? 'transport.resetInvalidTitle' : 'transport.resetTitle');
}

// ---------------------------------------------------------------- the teaching panels

/** Tells the teaching panels what changed ('reset' | 'step' | 'selection' | 'live' | 'language'). */
function teachUpdate(reason) {
  if (!state.teach) return;
  if (reason === 'step' && state.playing && performance.now() - state.lastTeach < TEACH_EVERY_MS) {
    state.teachPending = reason;
    return;
  }
  state.teachPending = null;
  state.lastTeach = performance.now();
  try {
    state.teach.update(reason);
    count(perf.teach, performance.now() - state.lastTeach);
  } catch (e) {
    showError(t('error.engine', { what: t('do.teach'), message: messageOf(e) }));
    console.warn('teaching panels:', e);
  }
}

function flushTeach() {
  if (state.teachPending) teachUpdate(state.teachPending);
}

let teachLoading = null;

/** Loads the teaching panels once (when their panel nears the window, or when the tour needs them). */
function ensureTeachingPanels() {
  if (!teachLoading) {
    teachLoading = loadTeachingPanels().finally(() => {
      ui.teachRoot.removeAttribute('aria-busy');
      ui.teachRoot.querySelector('.teach-placeholder')?.remove();
      document.body.dataset.teach = state.teach ? 'ready' : 'failed';
    });
  }
  return teachLoading;
}

/** Loads the teaching panels when their (placeholder) panel comes within a screen of the window. */
function watchTeachingPanels() {
  if (typeof IntersectionObserver !== 'function') return void ensureTeachingPanels();
  const observer = new IntersectionObserver((seen) => {
    if (!seen.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    ensureTeachingPanels();
  }, { rootMargin: '100% 0px' });
  observer.observe(ui.teachRoot);
}

async function loadTeachingPanels() {
  const mod = await import('./teach.js').catch(() => null);
  if (!mod?.createTeachingPanels) {
    ui.teachRoot.hidden = true;
    return;
  }
  const ctx = {
    getPlayground: () => state.pg,
    getSelection: () => ({ ...state.selection }),
    getSettings: () => ({ ...state.applied }),
    isPlaying: () => state.playing,
    specOf,
    t,
    onImport: (pg) => importPlayground(pg),
    announce: (text) => announce(text),
    requestRedraw: () => { markDirty('status', 'data', 'sample', 'curves'); requestFrame(); },
    settled: () => publishSettled(),
  };
  try {
    ui.teachRoot.hidden = false;
    state.teach = mod.createTeachingPanels(ui.teachRoot, ctx);
    // the panels may bring their own heading: keep a single #teach-title
    const titles = document.querySelectorAll('#teach-title');
    if (titles.length > 1) titles[0].closest('.panel-head')?.remove();
    if (state.pg) teachUpdate('reset');
  } catch (e) {
    ui.teachRoot.hidden = true;
    state.teach = null;
    showError(t('error.engine', { what: t('do.teach'), message: messageOf(e) }));
    console.warn('teaching panels:', e);
  }
}

// ---------------------------------------------------------------- drawing

function markDirty(...parts) {
  for (const p of parts) state.dirty[p] = true;
}

function requestFrame() {
  if (state.frameRequested) return;
  state.frameRequested = true;
  requestAnimationFrame(frame);
  publishSettled();
}

/**
 * Says on <body data-settled> whether the page has nothing left to do until the learner acts: not training,
 * no frame to come, every view drawn, the teaching panels caught up and the URL written. Set to false in the
 * same task as whatever starts work, so a test that acts and then waits for "true" never reads a stale page.
 */
function publishSettled() {
  const busy = state.playing || state.frameRequested || Object.values(state.dirty).some(Boolean)
    || state.teachPending !== null || Boolean(state.hashTimer) || Boolean(state.teach?.busy?.())
    || Boolean(state.experiments?.busy?.());
  document.body.dataset.settled = busy ? 'false' : 'true';
}

function frame() {
  state.frameRequested = false;
  perf.frames += 1;
  const t0 = performance.now();
  if (state.playing && state.pg) {
    perf.trainingFrames += 1;
    // training leaves room for the views that wait to be drawn (each frame draws the stalest ones that fit)
    const waiting = Object.keys(DRAWERS).some((part) => state.dirty[part]);
    const trainFor = state.urgent ? URGENT_TRAIN_MS : waiting ? TRAIN_SHARE_MS : FRAME_BUDGET_MS;
    // one call trains within the frame's share and says what changed
    const budget = Math.max(0, trainFor - (performance.now() - t0));
    const r = attempt('do.train', () => state.pg.train(budget, Math.min(state.batchesPerFrame, 1e6)));
    const st = r === FAILED ? null : r.status;
    if (st) setStatus(st);
    if (!running(st)) pause();
    updatePending();
    // the teaching panels follow when the frame has room (an epoch's end can take a whole frame's budget)
    if (performance.now() - t0 < TRAIN_SHARE_MS || !state.playing) teachUpdate('step');
    else if (state.teach) state.teachPending = 'step';
    if (state.playing) announceProgress(false);
  }
  render(state.playing ? t0 : null);
  state.urgent = false;
  count(perf.frame, performance.now() - t0);
  if (state.playing) requestFrame();
  publishSettled();
}

// The views render() draws when they are dirty. While playing, each frame trains for TRAIN_SHARE_MS and then
// draws the stalest dirty views that fit in FRAME_BUDGET_MS (so no frame becomes a long task and every view
// keeps updating); with prefers-reduced-motion, each at most once a second, so that the charts do not animate.
const DRAWERS = {
  data: () => drawData(),
  sample: () => renderSample(),
  curves: () => renderCurves(),
};

/** Draws what changed; `frameStart` (while playing) is when this animation frame began, for its budget. */
function render(frameStart = null) {
  if (!state.pg) return;
  const d = state.dirty;
  if (d.status) { d.status = false; renderStatus(); perf.updates += 1; }
  // While playing, the stalest views first, as many as fit in the frame's budget (at least one when the frame has
  // room at all); the others wait for the next frame. With prefers-reduced-motion, each at most once a second.
  const parts = Object.keys(DRAWERS).filter((part) => d[part])
    .sort((a, b) => (state.lastDraw[a] ?? 0) - (state.lastDraw[b] ?? 0));
  let drawn = 0;
  for (const part of parts) {
    const draw = DRAWERS[part];
    const now = performance.now();
    const cost = state.drawCost[part] ?? 0;
    if (frameStart !== null) {
      const since = now - (state.lastDraw[part] ?? 0);
      const late = now - frameStart + (drawn ? cost : 0) > FRAME_BUDGET_MS;
      if (late || (reducedMotion.matches && since < REDUCED_MOTION_DRAW_MS)) {
        requestFrame(); // still dirty: a later frame draws it
        continue;
      }
    }
    drawn += 1;
    d[part] = false;
    draw();
    state.lastDraw[part] = performance.now();
    state.drawCost[part] = state.lastDraw[part] - now;
    count(perf.draws[part], state.drawCost[part]);
  }
  if (!perf.firstRender && !d.data && !d.sample && !d.curves) {
    perf.firstRender = true;
    performance.mark('kd-first-render'); // every view drawn once: the page is usable
  }
}

function renderStatus() {
  const st = state.status;
  if (!st) return;
  const s = view.describeStatus(st);
  ui.phase.textContent = s.text;
  ui.phase.dataset.phase = st.phase;
  ui.phaseDetail.textContent = s.detail ? t('status.steps', { detail: s.detail, steps: view.int(s.steps) }) : '';
  ui.phaseDetail.dataset.steps = String(s.steps);
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
      if (attempt('do.draw', () => state.pg.drawRegions(canvas, model, split, index)) === FAILED) return;
    }
  } else if (view.sizeCanvas(ui.samples)) {
    attempt('do.draw', () => state.pg.drawSamples(ui.samples, split, index));
  }
}

function renderSample() {
  const { split, index } = state.selection;
  ui.selSplit.value = split;
  if (document.activeElement !== ui.selIndex) ui.selIndex.value = String(index); // not while the user types
  showIndexRange();
  const s = attempt('do.inspect', () => state.pg.inspect(split, index));
  if (s === FAILED) return;
  ui.sampleDesc.textContent = view.describeSample(s, state.dataInfo);
  const tText = String(Number(Number(s.temperature).toPrecision(3)));
  view.renderSampleTable(ui.sampleTable, s, state.dataInfo.classNames, tText);
  view.renderSampleLoss(ui.sampleLoss, s);
  if (view.sizeCanvas(ui.sampleBars)) {
    attempt('do.draw', () => state.pg.drawSampleBars(ui.sampleBars, split, index));
  }
  const h = attempt('do.read', () => state.pg.history());
  view.renderDataSummary(ui.dataSummary, { dataInfo: state.dataInfo, history: h === FAILED ? null : h, sample: s });
}

function renderCurves() {
  const h = attempt('do.read', () => state.pg.history());
  if (h === FAILED) return;
  const lb = attempt('do.read', () => state.pg.lastBatch());
  const v = view.verdictText(h, state.status, state.dataInfo);
  ui.verdict.textContent = v.text;
  ui.verdict.dataset.sign = String(v.sign);
  view.renderLatest(ui.latest, h, lb === FAILED ? null : lb);
  view.renderCurvesSummary(ui.curvesSummary, h);
  if (view.sizeCanvas(ui.lossCurves)) attempt('do.draw', () => state.pg.drawLossCurves(ui.lossCurves));
  if (view.sizeCanvas(ui.accuracyCurves)) attempt('do.draw', () => state.pg.drawAccuracyCurves(ui.accuracyCurves));
}

// ---------------------------------------------------------------- selection

function select(split, index) {
  if (!state.dataInfo) return false;
  const n = sampleCount(split);
  if (!Number.isInteger(index) || index < 0 || index >= n) return false;
  state.selection = { split, index };
  ui.selError.hidden = true;
  ui.selIndex.removeAttribute('aria-invalid');
  showIndexRange();
  markDirty('data', 'sample');
  // the user is waiting: the next frame draws these first and trains only briefly before them
  state.lastDraw.sample = 0;
  state.lastDraw.data = 0;
  state.urgent = true;
  teachUpdate('selection');
  requestFrame();
  return true;
}

function pickAt(canvas, viewName, event) {
  if (!state.pg) return;
  const rect = canvas.getBoundingClientRect();
  const fx = (event.clientX - rect.left) / rect.width;
  const fy = (event.clientY - rect.top) / rect.height;
  const r = attempt('do.select', () => state.pg.pick(viewName, fx, fy));
  if (r !== FAILED && r) select(r.split, r.index);
}

function stepSelection(delta) {
  const { split, index } = state.selection;
  const n = sampleCount(split);
  if (n > 0) select(split, (index + delta + n) % n);
}

function onCanvasKey(event) {
  const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
  if (delta && state.dataInfo) {
    event.preventDefault();
    stepSelection(delta);
  }
}

function onIndexChange() {
  const i = Number(ui.selIndex.value);
  const max = Math.max(0, sampleCount(state.selection.split) - 1);
  if (ui.selIndex.value.trim() === '' || !select(state.selection.split, i)) {
    // out of range or not a whole number: say what is valid, and keep the selected sample
    ui.selError.textContent = t('sample.indexError', { value: shorten(ui.selIndex.value, 20), max });
    ui.selError.hidden = false;
    ui.selIndex.setAttribute('aria-invalid', 'true');
  }
  ui.selIndex.value = String(state.selection.index);
}

// ---------------------------------------------------------------- the URL hash

/** Whether a hash holds page state (name=value pairs) rather than an in-page anchor such as #main. */
function isStateHash(hash) {
  return String(hash ?? '').includes('=');
}

/** Writes the applied settings, the language and the tour's step into the hash (replaceState: no history). */
function writeHash() {
  clearTimeout(state.hashTimer);
  state.hashTimer = 0;
  if (!state.schema.length || !state.pg) return void publishSettled(); // nothing to describe yet
  const hash = serialiseHash({
    schema: state.schema, values: state.applied, lang: language(), tour: state.tour?.currentStep() ?? null,
  });
  if (hash !== window.location.hash) {
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`);
  }
  publishSettled();
}

/** Writes the hash soon (a slider moves many times a second), or now. */
function scheduleHash(now = false) {
  if (now) { writeHash(); return; }
  clearTimeout(state.hashTimer);
  state.hashTimer = setTimeout(writeHash, HASH_DELAY_MS);
  publishSettled();
}

function readHash(hash) {
  return parseHash(hash, {
    schema: state.schema,
    defaults: state.defaults,
    languages: LANGUAGES.map((l) => l.code),
    validate: engineValidate,
    datasetDefaults,
    tourSteps: TOUR_STEP_COUNT,
  });
}

/** The notice listing the fields of a link that were ignored (text only). */
function renderNotice() {
  const list = state.notice;
  ui.notice.hidden = list.length === 0;
  ui.noticeList.replaceChildren();
  if (!list.length) return;
  ui.noticeText.textContent = t('notice.ignored');
  for (const item of list) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = item.key;
    const spec = specOf(item.key);
    li.append(code);
    if (spec) li.append(` (${settingLabel(spec)})`);
    li.append(`: ${t(`notice.${item.reason}`, {
      value: item.value ?? '', message: item.message ?? '', list: LANGUAGES.map((l) => l.code).join(', '),
      steps: TOUR_STEP_COUNT,
    })}`);
    ui.noticeList.append(li);
  }
}

/** Applies a hash read by readHash(): language, settings (resetting when a non-live one changes), tour. */
function applyHashState(parsed, { initial = false } = {}) {
  if (parsed.lang && parsed.lang !== language()) setLanguage(parsed.lang);
  state.notice = parsed.ignored;
  renderNotice();
  if (initial) {
    for (const spec of state.schema) state.settings[spec.name] = parsed.settings[spec.name];
    return;
  }
  state.localErrors.clear();
  for (const spec of state.schema) {
    const v = parsed.settings[spec.name];
    if (!same(v, state.settings[spec.name])) {
      state.settings[spec.name] = v;
      state.controls.set(spec.name, v);
    }
  }
  const structural = state.schema.some((s) => !s.live && !same(state.settings[s.name], state.applied[s.name]));
  if (structural) {
    clearExperiment();
    reset();
  } else {
    validate();
    for (const spec of state.schema.filter((s) => s.live)) {
      if (!same(state.settings[spec.name], state.applied[spec.name])) applyLive(spec.name, state.settings[spec.name]);
    }
    updatePending();
  }
  if (parsed.tour && state.tour && parsed.tour !== state.tour.currentStep()) state.tour.open(parsed.tour);
  scheduleHash(true);
}

function onHashChange() {
  if (!state.engine || !state.controls || !isStateHash(window.location.hash)) return;
  applyHashState(readHash(window.location.hash));
}

// ---------------------------------------------------------------- language

/** Hands the engine the current language's catalogue, for the words its charts draw (they change when next drawn). */
function applyChartLanguage() {
  if (!state.engine) return;
  attempt('do.chartText', () => state.engine.setCatalogue(catalogue() ?? {}));
}

function onLanguage() {
  applyChartLanguage();
  translatePage();
  ui.lang.value = language();
  if (state.controls) {
    state.controls.translate();
    validate();
    showInfo();
    showDataMode();
  }
  updateButtons();
  renderNotice();
  markDirty('status', 'data', 'sample', 'curves');
  requestFrame();
  teachUpdate('language');
  experimentsUpdate('language');
  state.tour?.translate();
  scheduleHash(true);
}

// ---------------------------------------------------------------- the guided tour

/** What the tour may do to the page: each step sets the page up through these. */
const tourApi = {
  t,
  status: () => state.status,
  dataInfo: () => state.dataInfo,
  modelInfo: () => state.modelInfo,
  applied: () => ({ ...state.applied }),
  playground: () => state.pg,
  pause: () => pause(),
  ensureTeach: () => ensureTeachingPanels(),
  /** Picks data set `name` with its defaults and builds a new run, unless it is already the one running. */
  async useDataset(name) {
    if (state.applied.dataset === name && state.pg) return true;
    const spec = specOf('dataset');
    if (!spec) return false;
    await ensureDataset(state.engine, name).catch(() => { /* reset() says what failed */ });
    state.settings.dataset = name;
    state.controls.set('dataset', name);
    onSettingCommit('dataset', name);
    return state.applied.dataset === name;
  },
  /** Trains one epoch of the current phase (false when training is over or failed). */
  stepEpoch() {
    if (!state.pg || !running(state.status)) return false;
    pause();
    step('epoch');
    render();
    return true;
  },
  /** Sets a live setting (T, α) as the slider would. */
  setLive(name, value) {
    const spec = specOf(name);
    if (!spec?.live) return;
    state.settings[name] = value;
    state.controls.set(name, value);
    state.localErrors.delete(name);
    validate();
    applyLive(name, value);
  },
  select: (split, index) => select(split, index),
  selection: () => ({ ...state.selection }),
  onStepChange: () => scheduleHash(true),
  reducedMotion: () => reducedMotion.matches,
};

// ---------------------------------------------------------------- the experiments

/** Tells the Experiments panel what changed ('reset' | 'status' | 'run' | 'clear' | 'language'). */
function experimentsUpdate(reason) {
  if (!state.experiments) return;
  try {
    state.experiments.update(reason);
  } catch (e) {
    showError(t('error.engine', { what: t('do.experiment', { name: state.experiment?.name ?? '' }), message: messageOf(e) }));
    console.warn('experiments panel:', e);
  }
}

/** Forgets the active experiment (its settings are no longer those in force). */
function clearExperiment() {
  if (!state.experiment) return;
  state.experiment = null;
  experimentsUpdate('clear');
}

/**
 * Runs experiment `name` as a link to it would: its complete settings into the controls and the URL, a new run,
 * and Play at the fast speed to the end (the same animation loop as the Play button: the page stays responsive).
 */
function runExperiment(name) {
  const raw = attempt('do.experiment', () => state.engine.experimentSettings(name), { name });
  if (raw === FAILED) return false;
  const dataset = entries(raw).find(([k]) => k === 'dataset')?.[1];
  if (dataset && !datasetReady(state.engine, dataset)) {
    withDataset(dataset, () => runExperiment(name));
    return true;
  }
  pause();
  state.csv = null; // the preset's data set replaces the user's file
  state.csvView?.();
  showSettings(raw);
  state.experiment = null;
  if (!reset()) {
    updatePending();
    return false;
  }
  state.experiment = { name, liveChanged: false };
  ui.speed.value = 'max';
  ui.speed.dispatchEvent(new Event('change'));
  experimentsUpdate('run');
  play();
  announce(t('experiments.started', { title: t(`experiment.${name}.title`) }));
  return true;
}

/** The Experiments panel, above the playground. */
function buildExperimentsPanel() {
  if (!ui.experiments || typeof state.engine.experiments !== 'function') return;
  state.experiments = createExperimentsPanel(ui.experiments, {
    engine: state.engine,
    t,
    getPlayground: () => state.pg,
    getStatus: () => state.status,
    getDataInfo: () => state.dataInfo,
    isPlaying: () => state.playing,
    active: () => (state.experiment ? { ...state.experiment } : null),
    run: (name) => runExperiment(name),
    withDataset: (name, then) => withDataset(name, then),
    describeSettings: (pairs) => pairs.map(([name, value]) => {
      const spec = specOf(name);
      if (!spec) return `${name} = ${value}`;
      const shown = spec.kind === 'choice' ? choiceLabel(spec, value) : formatSettingValue(spec, coerce(spec, value));
      return `${settingLabel(spec)}: ${shown}`;
    }),
    seed: () => Number(state.applied.seed ?? state.settings.seed ?? 1),
    studiesRoot: ui.studies,
    pause: () => pause(),
    fail: (what, e) => fail(what, e),
    render: (message) => renderMessage(message),
    settled: () => publishSettled(),
  });
  ui.experiments.hidden = false;
  if (ui.studies) ui.studies.hidden = false;
}

// ---------------------------------------------------------------- keyboard

/** Elements where Space means something of their own (typing, pressing a button, opening a select). */
const OWNS_SPACE = 'input, textarea, select, button, a[href], summary, [contenteditable=""], [contenteditable="true"], [role="button"], [role="checkbox"], [role="switch"], [role="slider"], [role="tab"], [role="menuitem"], [role="option"]';
/** Elements where → means something of their own (a caret, a slider, the selection on a chart). */
const OWNS_ARROWS = 'input, textarea, select, canvas, [contenteditable=""], [contenteditable="true"], [role="slider"], [role="tablist"], [role="tab"], [role="listbox"], [role="grid"], [role="radiogroup"], [role="menu"]';

function onGlobalKey(e) {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
  const target = e.target instanceof Element ? e.target : document.body;
  if (e.key === ' ' || e.key === 'Spacebar') {
    if (target.closest(OWNS_SPACE)) return;
    e.preventDefault();
    togglePlay();
  } else if (e.key === 'ArrowRight') {
    if (target.closest(OWNS_ARROWS)) return;
    if (!state.pg || state.playing || !running(state.status)) return;
    e.preventDefault();
    step(e.shiftKey ? 'epoch' : 'batch');
  }
}

// ---------------------------------------------------------------- wiring

function wire() {
  ui.reset.addEventListener('click', reset);
  ui.play.addEventListener('click', togglePlay);
  ui.stepEpoch.addEventListener('click', () => step('epoch'));
  ui.stepBatch.addEventListener('click', () => step('batch'));
  ui.errorClose.addEventListener('click', clearError);
  ui.noticeClose.addEventListener('click', () => { state.notice = []; renderNotice(); });
  const speed = () => {
    const v = ui.speed.value;
    state.batchesPerFrame = v === 'max' ? Infinity : Math.max(1, Number(v) || 1);
  };
  ui.speed.addEventListener('change', speed);
  speed();
  ui.lang.addEventListener('change', () => setLanguage(ui.lang.value));
  onLanguageChange(onLanguage);

  // the skip link moves the focus without replacing the state in the hash
  ui.skipLink.addEventListener('click', (e) => {
    e.preventDefault();
    ui.main.focus();
    ui.main.scrollIntoView({ block: 'start', behavior: 'auto' });
  });

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
    const n = sampleCount(split);
    select(split, Math.min(state.selection.index, Math.max(0, n - 1)));
  });
  ui.selIndex.addEventListener('change', onIndexChange);

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { markDirty('data', 'sample', 'curves'); requestFrame(); }, 100);
  });

  document.addEventListener('keydown', onGlobalKey);
  window.addEventListener('hashchange', onHashChange);
}

// ---------------------------------------------------------------- the last run, kept for the next visit

let keepTimer = 0;
let keptKey = '';
let tooLargeSaid = false;

/** Keeps the current run in local storage after `delay` ms (or at once), unless it is untrained or already kept. */
function keepRunSoon(delay) {
  clearTimeout(keepTimer);
  keepTimer = delay > 0 ? setTimeout(keepRunNow, delay) : 0;
  if (delay <= 0) keepRunNow();
}

function keepRunNow() {
  clearTimeout(keepTimer);
  keepTimer = 0;
  const pg = state.pg;
  const st = state.status;
  if (!pg || !st || !(st.steps > 0) || state.csv) return; // nothing trained yet; a CSV run cannot be saved
  const key = `${st.phase}/${st.steps}/${JSON.stringify(state.applied)}`;
  if (key === keptKey) return;
  let run;
  try { run = pg.exportRun(); } catch { return; }
  const result = lastRun.keepRun(window.localStorage, run);
  keptKey = key;
  document.body.dataset.lastRun = result.kept ? 'kept' : result.reason;
  if (!result.kept && result.reason === 'too-large' && !tooLargeSaid) {
    tooLargeSaid = true;
    showError(t('lastRun.tooLarge', { size: (result.chars / 1e6).toFixed(1) }), 'warning');
  }
}

/** On load: offers the run kept at the last visit, or says that what was kept could not be read. */
function offerLastRun() {
  let storage;
  try { storage = window.localStorage; } catch { return; }
  const kept = lastRun.readKeptRun(storage);
  if (!kept) return;
  if (kept.corrupt) {
    lastRun.forget(storage);
    showError(t('lastRun.corrupt', { reason: kept.corrupt }), 'warning');
    return;
  }
  const s = kept.summary;
  const phase = ['teacher', 'distil', 'done', 'diverged'].includes(s.phase) ? t(`lastRun.phase.${s.phase}`, { epoch: s.epoch }) : s.phase;
  const when = kept.savedAt ? new Date(kept.savedAt).toLocaleString(language()) : '—';
  ui.restoreText.textContent = t('lastRun.offer', { dataset: s.dataset, seed: s.seed, phase, steps: s.steps, when });
  ui.restore.hidden = false;
  ui.restoreYes.onclick = () => withDataset(s.dataset, () => {
    ui.restore.hidden = true;
    let pg;
    try {
      pg = state.engine.Playground.importRun(kept.run);
    } catch (e) {
      lastRun.forget(storage);
      showError(t('lastRun.failed', { message: messageOf(e) }));
      return;
    }
    importPlayground(pg);
    announce(t('lastRun.restored'));
  });
  ui.restoreNo.onclick = () => { ui.restore.hidden = true; };
}

document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') keepRunNow(); });
window.addEventListener('pagehide', keepRunNow);

window.addEventListener('error', (e) => showError(t('error.unexpected', { message: e.message })));
window.addEventListener('unhandledrejection', (e) => showError(t('error.unexpected', { message: messageOf(e.reason) })));

async function start() {
  // the language first (it needs no engine), so that even "loading" reads in it
  const lang = languageOf(window.location.hash, LANGUAGES.map((l) => l.code));
  const first = lang && isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
  // the engine is fetched while the catalogue is (a language is fetched only when chosen)
  const loading = import('./pkg/kd_playground.js').then(async (module) => { await module.default(); return module; });
  loading.catch(() => {}); // its failure is reported below, once the page can say it in words
  const loaded = await loadLanguage(first).catch(() => false);
  if (!loaded && first !== DEFAULT_LANGUAGE) await loadLanguage(DEFAULT_LANGUAGE).catch(() => false);
  setLanguage(loaded ? first : DEFAULT_LANGUAGE);
  translatePage();
  ui.lang.value = language();
  wire();
  state.tour = createTour(tourApi, { button: ui.tourButton, root: $('tour') });

  let engine;
  try {
    engine = await loading;
  } catch (e) {
    ui.phase.textContent = t('status.engineFailed');
    ui.settings.querySelector('.settings-loading')?.replaceChildren(t('sidebar.engineFailed'));
    showError(t('error.engineLoad', { message: messageOf(e) }));
    return;
  }
  state.engine = engine;
  applyChartLanguage();

  const schema = attempt('do.read', () => engine.settingsSchema());
  if (schema === FAILED) return;
  state.schema = schema;
  for (const spec of schema) state.defaults[spec.name] = coerce(spec, spec.default);
  const dsDefaults = specOf('dataset') ? datasetDefaults(state.defaults.dataset) : null;
  if (dsDefaults) Object.assign(state.defaults, dsDefaults);
  Object.assign(state.settings, state.defaults);

  const parsed = isStateHash(window.location.hash) ? readHash(window.location.hash) : null;
  if (parsed) applyHashState(parsed, { initial: true });

  state.controls = buildControls(ui.settings, schema, state.settings, {
    onInput: onSettingInput,
    onCommit: onSettingCommit,
  });
  ui.settings.addEventListener('submit', (e) => e.preventDefault());
  buildCsvInput();
  buildExperimentsPanel();
  // a link to digits: fetch it before the first run is built (the page is ready when that run is)
  await ensureDataset(engine, state.settings.dataset).catch((e) => showError(t('error.fetchData', { dataset: state.settings.dataset, message: messageOf(e) })));
  reset();
  updateButtons();
  if (parsed) renderNotice();
  watchTeachingPanels();
  offerLastRun();
  document.body.dataset.ready = 'true';
  if (parsed?.tour) state.tour.open(parsed.tour);
}

start();
