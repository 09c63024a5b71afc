// A language model distilled in miniature (language.html): a character model reads the last few characters of a
// name and gives the next character's distribution, which is a soft label. The teacher is trained on the names, then
// a smaller student learns from its distributions (α·T²·KL + (1 − α)·CE) beside a control student that has only the
// hard next characters. The learner trains, types a prompt and compares the three models' next-character bars at T = 1
// and at the distillation T, reads what each writes at a sampling temperature (T's second meaning), and follows each
// one's bits per character on the validation lines; at the end the test lines' scores.
//
// The engine trains the run in the worker (./remote.js) where there is one, and the run here follows its snapshots
// bit for bit; every number shown is the engine's, and every text comes from the catalogues (lm.* keys), values going
// in as text (lib/dom.js). What the tests read: body[data-ready]; body[data-settled] ("true" once nothing is training,
// no action of the learner is under way and everything is drawn), body[data-phase], and window.__lm (the numbers shown).

import { store } from './store.js';
import {
  DEFAULT_LANGUAGE, LANGUAGES, isLanguage, language, loadLanguage, loadPanelTexts, messageOf, render,
  setLanguage, t, translatePage,
} from './i18n.js';
import { languageOf } from './urlstate.js';
import { applyPalette, byId, h, setBar, sizeCanvas } from './lib/dom.js';
import { fixed, pct, signed } from './lib/format.js';
import { compileEngine } from './lib/pkg.js';
import { missingFeature, missingFeatureKey } from './lib/support.js';
import { startRemote } from './remote.js';
import './lib/offline.js'; // this page too makes the site work offline

/** The models in the order the page shows them, with their catalogue names and colours. */
const MODELS = ['teacher', 'kd', 'control'];
/** Characters shown one by one in the bars (the rest is "other"). */
const BARS = 8;
/** Lines each model writes. */
const LINES = 5;
/** Training between two looks at the page when there is no worker, in milliseconds per frame. */
const FRAME_MS = 12;
/** Mini-batches the worker may train ahead of the page's last look (it sends a snapshot every frame). */
const CREDIT = 1e6;
/** The prompt the page opens with. */
const FIRST_PROMPT = 'ma';
/** The settings a link may set (language.html#seed=3&teacherEpochs=2): its controls' and the epochs. */
const CONTROLS = { temperature: 'temperature', alpha: 'alpha', klDirection: 'kl', context: 'context', seed: 'seed' };
const LINKED = [...Object.keys(CONTROLS), 'teacherEpochs', 'studentEpochs'];

/** The settings the URL's hash names, as text (the engine checks them when the run is built). */
function linkedSettings() {
  const fields = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  return Object.fromEntries(LINKED.filter((name) => fields.has(name)).map((name) => [name, fields.get(name)]));
}

const state = {
  engine: null,
  remote: null,
  pg: null,              // the run (in a worker: the copy that follows it)
  limits: null,
  defaults: null,        // the language task's settings (textDefaults)
  overrides: {},         // settings without a control, from a link (the epochs)
  text: { kind: 'names' }, // or { kind: 'text', bytes, name }
  info: null,            // textInfo()
  status: null,
  history: { teacher: [], students: [] },
  playing: false,
  frame: 0,
  draw: 0,               // which draw of the seed the written lines are
  scores: null,          // textScores() once training is done
  next: null,            // nextCharacters() for the prompt
  written: null,
  error: null,
  promptError: null,
  pending: 0,            // the learner's actions under way (act())
  run: 0,                // how many runs were built: the views' keys start with it
  shown: '',             // what the views were drawn for (a key of the weights, T, prompt…)
};

const num = (id) => Number(byId(id).value);
const bits = (x) => fixed(x, 3);
const prob = (p) => fixed(p, 3);

// ---------------------------------------------------------------- the run

/** The run's settings from the controls (the language task's defaults under them). */
function settings() {
  return {
    ...state.defaults,
    temperature: num('temperature'),
    alpha: num('alpha'),
    klDirection: byId('kl').value,
    // as typed: the engine refuses an empty or out-of-range value with a message
    context: byId('context').value.trim(),
    seed: byId('seed').value.trim(),
    ...state.overrides,
  };
}

/** The controls of the run's settings show the run's values again (after a refused change). */
function restoreControls() {
  if (!state.pg) return;
  const applied = state.pg.settings();
  for (const name of ['temperature', 'alpha', 'context', 'seed']) byId(name).value = String(applied[name]);
  byId('kl').value = applied.klDirection;
  byId('text-choice').value = state.text.kind === 'names' ? 'names' : 'file';
  byId('file-field').hidden = state.text.kind === 'names';
}

/** Says that `what` (a catalogue key) failed with engine error `e`; the run stops. */
function fail(what, e) {
  pause();
  state.error = () => t('lm.error', { what: t(what), message: messageOf(e) });
  refresh();
}

/**
 * Runs the learner's action `fn` (maybe async): the page is not settled (body[data-settled]) from the moment it
 * starts until it is done and drawn.
 */
async function act(fn) {
  state.pending += 1;
  document.body.dataset.settled = 'false';
  try {
    return await fn();
  } finally {
    state.pending -= 1;
    refresh();
  }
}

/** Builds the run from the controls, here and in the worker; with `keepTeacher`, only new students. */
async function build({ keepTeacher = false } = {}) {
  await pause();
  const values = settings();
  const recipe = keepTeacher
    ? { kind: 'students', settings: values }
    : state.text.kind === 'names'
      ? { kind: 'names', settings: values }
      : { kind: 'text', settings: values, bytes: state.text.bytes, name: state.text.name };
  let next;
  try {
    if (recipe.kind === 'names') next = state.engine.Playground.onNames(values);
    else if (recipe.kind === 'text') next = state.engine.Playground.fromText(values, recipe.bytes, recipe.name);
    else next = state.pg.withStudents(values);
  } catch (e) {
    state.error = () => messageOf(e);
    restoreControls();
    refresh();
    return false;
  }
  state.pg?.free();
  state.pg = next;
  state.run += 1; // every view is of the new run
  state.error = null;
  state.scores = null;
  state.draw = 0;
  state.info = next.textInfo();
  if (state.remote) await state.remote.build(recipe);
  read();
  refresh();
  return true;
}

/** Reads where the run stands. */
function read() {
  state.status = state.pg.status();
  state.history = state.pg.history();
  if (state.status.phase === 'done' && !state.scores) {
    try {
      state.scores = state.pg.textScores();
    } catch (e) {
      fail('lm.do.score', e);
    }
  }
}

/** The run followed the worker's snapshot, `trained` mini-batches later. */
function followed(snapshot, trained) {
  if (!state.pg) return;
  try {
    state.pg.follow(snapshot, trained);
  } catch (e) {
    fail('lm.do.train', e);
    return;
  }
  afterTraining();
}

function afterTraining() {
  read();
  const phase = state.status.phase;
  if (phase === 'done' || phase === 'diverged') pause();
  refresh();
}

function frame() {
  state.frame = 0;
  if (!state.playing) return;
  if (state.remote) {
    state.remote.train(CREDIT);
  } else {
    try {
      state.pg.advance(FRAME_MS, CREDIT);
    } catch (e) {
      fail('lm.do.train', e);
      return;
    }
    afterTraining();
  }
  if (state.playing) state.frame = requestAnimationFrame(frame);
}

function play() {
  if (!state.pg || state.playing) return;
  const phase = state.status?.phase;
  if (phase === 'done' || phase === 'diverged') return;
  state.playing = true;
  state.frame = requestAnimationFrame(frame);
  refresh();
}

/** Stops training; resolves once the run here stands where the worker stopped. */
async function pause() {
  if (!state.playing) return;
  state.playing = false;
  cancelAnimationFrame(state.frame);
  state.frame = 0;
  if (state.remote) await state.remote.stop();
  refresh();
}

async function stepEpoch() {
  if (!state.pg) return;
  await pause();
  try {
    if (state.remote) await state.remote.step('epoch');
    else state.pg.advanceEpoch();
    afterTraining();
  } catch (e) {
    fail('lm.do.train', e);
  }
}

/** The worker's engine failed at `what` (a catalogue key) with `error` (the engine's message, as plain data). */
function workerFailed(what, error) {
  const e = new Error(error?.crashed ? t('error.engineCrashed', { message: error.message }) : error?.message ?? '');
  if (error?.kd) e.kd = error.kd;
  fail(what, e);
}

// ---------------------------------------------------------------- what is shown

/** The status line and the progress bar. */
function drawStatus() {
  const s = state.status;
  const line = byId('status');
  const bar = byId('progress');
  if (!s) {
    line.textContent = t('lm.status.loading');
    return;
  }
  document.body.dataset.phase = s.phase;
  const total = s.teacherEpochs + s.studentEpochs;
  const inTeacher = s.phase === 'teacher' || (s.phase === 'diverged' && (state.history.students ?? []).length === 0);
  const doneEpochs = inTeacher ? s.epoch : s.teacherEpochs + (s.phase === 'done' ? s.studentEpochs : s.epoch);
  bar.value = total > 0 ? (doneEpochs + (s.phase === 'done' ? 0 : s.batch / Math.max(1, s.batchesPerEpoch))) / total : 0;
  let text;
  if (s.phase === 'diverged') text = s.stopped ? render(s.stopped) : t('lm.status.diverged');
  else if (s.phase === 'teacher') text = t('lm.status.teacher', { epoch: s.epoch, epochs: s.teacherEpochs });
  else if (s.phase === 'distil') text = t('lm.status.distil', { epoch: s.epoch, epochs: s.studentEpochs });
  else text = t('lm.status.done', { teacher: s.teacherEpochs, students: s.studentEpochs });
  // a live region: rewritten only when what it says changes
  if (line.textContent !== text) line.textContent = text;
  const play = byId('play');
  const label = t(state.playing ? 'lm.pause' : 'lm.play');
  if (play.textContent !== label) play.textContent = label;
  const over = s.phase === 'done' || s.phase === 'diverged';
  play.disabled = over;
  byId('step').disabled = over || state.playing;
  byId('reset').disabled = false;
}

/** One model's card of bars: each shown character at T = 1 and at T, then "other". */
function barsCard(model, view) {
  const bars = view[model];
  const rows = [...view.symbols, t('lm.next.other')].map((symbol, i) => {
    const cell = (p, which) => {
      const bar = h('span', { className: `bar bar-${which}` });
      setBar(bar, p);
      return h('span', { className: 'bar-cell', attrs: { role: 'cell' } },
        h('span', { className: 'bar-track' }, bar), h('span', { className: 'bar-value', text: prob(p) }));
    };
    const other = i === view.symbols.length;
    return h('div', { className: `bar-row${other ? ' bar-other' : ''}`, attrs: { role: 'row' } },
      h('span', { className: 'bar-symbol', text: symbol, attrs: { role: 'rowheader' } }),
      cell(bars.atOne[i], 'one'),
      cell(bars.atT[i], 't'));
  });
  return h('figure', { className: `model-card model-${model}`, dataset: { model } },
    h('figcaption', {},
      h('span', { className: 'swatch' }),
      h('strong', { text: t(`lm.model.${model}`) }),
      h('span', { className: 'muted', text: ` ${t('lm.next.entropy', { bits: bits(bars.entropyBits) })}` })),
    h('div', { className: 'bar-table', attrs: { role: 'table', 'aria-label': t('lm.next.tableLabel', { model: t(`lm.model.${model}`) }) } },
      h('div', { className: 'bar-row bar-head', attrs: { role: 'row' } },
        h('span', { attrs: { role: 'columnheader' }, text: t('lm.next.character') }),
        h('span', { attrs: { role: 'columnheader' }, text: 'T = 1' }),
        h('span', { attrs: { role: 'columnheader' }, text: `T = ${fixed(view.temperature, 1)}` })),
      rows));
}

function drawNext() {
  const error = byId('prompt-error');
  error.hidden = !state.promptError;
  if (error.textContent !== (state.promptError ?? '')) error.textContent = state.promptError ?? '';
  byId('prompt').setAttribute('aria-invalid', String(Boolean(state.promptError)));
  const view = state.next;
  const read = byId('read');
  const box = byId('bars');
  if (!view) {
    read.replaceChildren();
    box.replaceChildren();
    byId('bars-note').textContent = '';
    return;
  }
  read.replaceChildren(t('lm.next.read'), ' ', ...view.read.map((c) => h('kbd', { text: c })));
  box.replaceChildren(...MODELS.map((m) => barsCard(m, view)));
  const temperature = view.temperature;
  const note = Math.abs(temperature - 1) < 1e-6 ? 'lm.next.sameAtOne' : temperature > 1 ? 'lm.next.note' : 'lm.next.noteSharper';
  byId('bars-note').textContent = t(note, { t: fixed(temperature, 1) });
}

function drawWritten() {
  const box = byId('written');
  const w = state.written;
  byId('again').disabled = !w;
  if (!w) {
    box.replaceChildren();
    return;
  }
  const prompt = byId('prompt').value;
  box.replaceChildren(...MODELS.map((model) => h('figure', { className: `model-card model-${model}`, dataset: { model } },
    h('figcaption', {}, h('span', { className: 'swatch' }), h('strong', { text: t(`lm.model.${model}`) })),
    h('ol', { className: 'lines' }, w[model].map((line) => h('li', {},
      h('span', { className: 'line-prompt', text: line.slice(0, prompt.length) }),
      line.slice(prompt.length) || h('span', { className: 'muted', text: t('lm.write.empty') })))))));
}

/** The latest epoch's bits per character on the held-out lines of each model (null before it has one). */
function latestBits() {
  const teacher = state.history.teacher.at(-1)?.testBits ?? null;
  const last = state.history.students.at(-1);
  return { teacher, kd: last?.kdTestBits ?? null, control: last?.controlTestBits ?? null };
}

/** What the text's lines are called: names for the built-in names, lines for the learner's text. */
const items = () => t(state.text.kind === 'names' ? 'lm.items.names' : 'lm.items.lines');

function drawCurves() {
  const info = state.info;
  byId('curves-lead').textContent = info
    ? t(`lm.curves.lead.${info.heldOut}`, { lines: info[`${info.heldOut}Lines`], items: items(), untrained: bits(info.untrainedBits), symbols: info.symbols })
    : '';
  const canvas = byId('bits-chart');
  if (state.pg && sizeCanvas(canvas)) {
    try {
      state.pg.drawBitsCurves(canvas);
    } catch (e) {
      console.warn('bits chart:', e);
    }
  }
  const now = latestBits();
  const table = byId('now-table');
  table.replaceChildren(
    h('thead', {}, h('tr', {}, h('th', { text: t('lm.table.model') }), h('th', { text: t(`lm.table.bits.${info?.heldOut ?? 'validation'}`, { items: items() }) }))),
    h('tbody', {}, MODELS.map((m) => h('tr', { dataset: { model: m } },
      h('th', { text: t(`lm.model.${m}`) }),
      h('td', { text: now[m] === null ? '—' : bits(now[m]) })))));
}

function drawTest() {
  const scores = state.scores;
  const table = byId('test-table');
  const info = state.info;
  byId('test-title').textContent = t('lm.test.title', { items: items() });
  byId('test-lead').textContent = info ? t('lm.test.lead', { lines: info.testLines, items: items() }) : '';
  const verdict = byId('verdict');
  if (!scores) {
    table.replaceChildren();
    verdict.textContent = t('lm.test.waiting');
    return;
  }
  // one row per measure, one column per model: it fits a phone's width
  const measures = [
    ['lm.table.bits', (m) => bits(m.bitsPerChar)],
    ['lm.table.perplexity', (m) => fixed(m.perplexity, 2)],
    ['lm.table.accuracy', (m) => pct(m.accuracy)],
    ['lm.table.distinct', (m) => (m.distinctTrigrams === null ? '—' : pct(m.distinctTrigrams))],
  ];
  table.replaceChildren(
    h('thead', {}, h('tr', {}, h('th', { text: t('lm.table.measure') }),
      MODELS.map((m) => h('th', { dataset: { model: m }, text: t(`lm.model.${m}`) })))),
    h('tbody', {}, measures.map(([key, format]) => h('tr', {},
      h('th', { text: t(key, { count: state.limits.diversityLines }) }),
      MODELS.map((m) => h('td', { dataset: { model: m }, text: format(scores[m]) }))))));
  verdict.replaceChildren();
  for (const sentence of verdictSentences(scores, info)) verdict.append(h('span', { text: sentence }), ' ');
}

/** What the test scores say, only what the numbers shown say: the teacher against a model that knows nothing, the
 *  distilled student against the control (as the table rounds them), and that one seed decides nothing. */
function verdictSentences(scores, info) {
  const out = [t('lm.verdict.teacher', { teacher: bits(scores.teacher.bitsPerChar), untrained: bits(info.untrainedBits) })];
  const kd = bits(scores.kd.bitsPerChar);
  const control = bits(scores.control.bitsPerChar);
  const diff = Number(kd) - Number(control);
  const params = { kd, control, diff: signed(Number(diff.toFixed(3))) };
  if (kd === control) out.push(t('lm.verdict.same', params));
  else out.push(t(diff < 0 ? 'lm.verdict.better' : 'lm.verdict.worse', params));
  out.push(t('lm.verdict.seed'));
  return out;
}

/** The views that depend on the weights, T and the prompt: recomputed only when one of them changed. */
function updateViews() {
  const pg = state.pg;
  if (!pg) return;
  const prompt = byId('prompt').value;
  const s = state.status;
  const key = `${state.run}|${s?.steps}|${s?.phase}|${pg.settings().temperature}|${prompt}|${num('sampling')}|${state.draw}`;
  if (key === state.shown) return;
  state.shown = key;
  try {
    state.next = pg.nextCharacters(prompt, BARS);
    state.promptError = null;
  } catch (e) {
    state.next = null;
    state.written = null;
    state.writtenKey = ''; // written again once the prompt is good
    state.promptError = messageOf(e);
    return;
  }
  // what the models write changes at each epoch's end (or when asked), not at every mini-batch
  const writtenKey = `${state.run}|${state.history.teacher.length}|${state.history.students.length}|${s?.phase}|${prompt}|${num('sampling')}|${state.draw}`;
  if (writtenKey !== state.writtenKey) {
    state.writtenKey = writtenKey;
    try {
      state.written = pg.write(prompt, num('sampling'), LINES, state.draw);
    } catch (e) {
      state.written = null;
      state.writtenKey = '';
      state.promptError = messageOf(e);
    }
  }
}

/** Redraws everything from the state (once per frame at most). */
let drawing = 0;
function refresh() {
  document.body.dataset.settled = 'false'; // in the same task as what asked for it: a test never reads a stale page
  if (drawing) return;
  drawing = requestAnimationFrame(() => {
    drawing = 0;
    drawNow();
  });
}

function drawNow() {
  const error = byId('error');
  const message = state.error ? state.error() : '';
  error.hidden = !message;
  if (error.textContent !== message) error.textContent = message;
  byId('temperature-out').textContent = fixed(num('temperature'), 1);
  byId('alpha-out').textContent = fixed(num('alpha'), 2);
  byId('sampling-out').textContent = fixed(num('sampling'), 1);
  updateViews();
  drawStatus();
  drawNext();
  drawWritten();
  drawCurves();
  drawTest();
  publish();
}

/** What the tests read: the numbers shown, as the engine gave them. */
function publish() {
  window.__lm = Object.freeze({
    status: state.status,
    info: state.info,
    bits: latestBits(),
    next: state.next,
    written: state.written,
    scores: state.scores,
    worker: Boolean(state.remote),
  });
  document.body.dataset.scores = state.scores ? 'ready' : 'none';
  document.body.dataset.settled = String(!state.playing && state.pending === 0 && drawing === 0);
}

// ---------------------------------------------------------------- controls

function installControls() {
  const limits = state.limits;
  const rebuildOn = (id, options) => byId(id).addEventListener('change', () => act(() => build(options)));
  byId('play').addEventListener('click', () => act(() => (state.playing ? pause() : play())));
  byId('step').addEventListener('click', () => act(stepEpoch));
  byId('reset').addEventListener('click', () => act(() => build()));
  for (const name of ['temperature', 'alpha']) {
    byId(name).addEventListener('input', () => {
      const value = num(name);
      try {
        state.pg?.setLive(name, value);
        state.remote?.live(name, value);
      } catch (e) {
        fail('lm.do.live', e);
      }
      refresh();
    });
  }
  // a new KL direction trains new students from the same teacher once it is trained
  byId('kl').addEventListener('change', () => {
    const phase = state.status?.phase;
    act(() => build({ keepTeacher: phase === 'distil' || phase === 'done' }));
  });
  const context = byId('context');
  context.max = String(limits.maxContext);
  rebuildOn('context');
  rebuildOn('seed');
  // the names, or the learner's file: a new run only when the text changes
  byId('text-choice').addEventListener('change', () => {
    const file = byId('text-choice').value === 'file';
    byId('file-field').hidden = !file;
    if (!file && state.text.kind !== 'names') {
      state.text = { kind: 'names' };
      act(() => build());
    } else if (file && byId('text-file').files?.[0]) {
      act(() => readFile(byId('text-file').files[0]));
    }
  });
  byId('text-file').addEventListener('change', () => {
    const input = byId('text-file');
    const file = input.files?.[0];
    if (file) act(() => readFile(file));
  });
  /** Reads the learner's text file and builds a run on it; refused with a message, the run before stays. */
  async function readFile(file) {
    if (file.size > limits.maxBytes) {
      // refused before it is read, in the engine's words (its message for a text over the limit)
      const [size, limit] = [fixed(file.size / 1048576, 1), fixed(limits.maxBytes / 1048576, 0)];
      state.error = () => t('engine.text.tooLarge', { file: file.name, size, limit });
      refresh();
      return;
    }
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      state.error = () => t('lm.error', { what: t('lm.do.readText'), message: messageOf(e) });
      return;
    }
    const previous = state.text;
    state.text = { kind: 'text', bytes, name: file.name };
    if (!(await build())) {
      state.text = previous;
      restoreControls();
    }
  }
  const prompt = byId('prompt');
  prompt.maxLength = limits.maxPrompt;
  prompt.addEventListener('input', () => refresh());
  byId('sampling').addEventListener('input', () => refresh());
  byId('again').addEventListener('click', () => {
    state.draw += 1;
    refresh();
  });
  // the chart is drawn again once its box has its new size (a rotated phone, a resized window)
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => refresh()).observe(byId('bits-chart'));
  else window.addEventListener('resize', () => refresh());
}

/** The language switch: the select's choices, its change (into the hash), and the hash's change. */
function installLanguageSwitch() {
  const select = byId('lang');
  select.replaceChildren(...LANGUAGES.map((l) => h('option', { value: l.code, text: l.name, attrs: { lang: l.code } })));
  select.value = language();
  // an action: the page is settled once the catalogue is loaded and everything is drawn in it
  const switchTo = (lang) => act(async () => {
    await loadLanguage(lang).catch(() => false);
    setLanguage(lang);
  });
  select.addEventListener('change', () => {
    if (!isLanguage(select.value)) return;
    window.history.replaceState(null, '', `#lang=${select.value}`);
    switchTo(select.value);
  });
  window.addEventListener('hashchange', () => switchTo(hashLanguage()));
}

function hashLanguage() {
  return languageOf(window.location.hash, LANGUAGES.map((l) => l.code)) ?? DEFAULT_LANGUAGE;
}

/** The static texts in the chosen language, the charts' words handed to the engine, and every view redrawn. */
function translate() {
  translatePage();
  document.title = t('lm.pageTitle');
  byId('back').href = `./#lang=${encodeURIComponent(language())}`;
  byId('lang').value = language();
  if (state.engine) state.engine.setCatalogue(Object.fromEntries(Object.entries(catalogueNow())));
  state.shown = '';
  state.writtenKey = '';
  refresh();
}

/** The catalogue shown (the engine's charts take their words from it). */
function catalogueNow() {
  const all = store.get('catalogues');
  return { ...(all[DEFAULT_LANGUAGE] ?? {}), ...(all[language()] ?? {}) };
}


async function start() {
  loadPanelTexts(); // the page's texts are in the panels' part of the catalogues
  const first = hashLanguage();
  const missing = missingFeature();
  let compiled = null;
  const loading = missing
    ? Promise.reject(new Error(missing))
    : Promise.all([import('./pkg/kd_playground.js'), compileEngine()]).then(async ([glue, module]) => {
      await glue.default({ module_or_path: module });
      compiled = module;
      return glue;
    });
  loading.catch(() => {});
  const loaded = await loadLanguage(first).catch(() => false);
  if (!loaded && first !== DEFAULT_LANGUAGE) await loadLanguage(DEFAULT_LANGUAGE).catch(() => false);
  await store.get('panelTexts')?.catch(() => {});
  setLanguage(loaded ? first : DEFAULT_LANGUAGE);
  installLanguageSwitch();
  store.onChange((keys) => { if (keys.includes('language') || keys.includes('catalogues')) translate(); });
  translate();
  try {
    state.engine = await loading;
  } catch (e) {
    state.error = () => (missing ? t(missingFeatureKey(missing)) : t('lm.error.engine', { message: messageOf(e) }));
    refresh();
    return;
  }
  applyPalette(state.engine.palette());
  translate();
  state.limits = state.engine.textLimits();
  state.defaults = state.engine.textDefaults();
  const schema = state.engine.settingsSchema();
  const defaultOf = (name) => state.defaults[name] ?? schema.find((s) => s.name === name)?.default;
  const controlDefaults = () => {
    for (const [name, id] of Object.entries(CONTROLS)) byId(id).value = String(defaultOf(name));
  };
  controlDefaults();
  // a link's settings, as the link wrote them, for the first run (the controls then show the run's values); the epochs,
  // which have no control, stay
  const linked = linkedSettings();
  state.overrides = { ...linked };
  byId('sampling').value = '1';
  byId('prompt').value = FIRST_PROMPT;
  installControls();
  const remote = await startRemote(compiled).catch(() => null);
  if (remote) {
    remote.onSnapshot = followed;
    remote.onFailure = workerFailed;
    state.remote = remote;
  }
  let built = await act(() => build());
  state.overrides = Object.fromEntries(Object.entries(linked).filter(([name]) => !CONTROLS[name]));
  if (built) restoreControls();
  if (!built && Object.keys(linked).length > 0) {
    // a link's bad setting: said, and the run built with the defaults
    const refused = state.error;
    state.overrides = {};
    controlDefaults();
    built = await act(() => build());
    if (built) state.error = refused;
  }
  if (built) document.body.dataset.ready = 'true';
}

start();
