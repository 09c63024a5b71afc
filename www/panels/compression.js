// The compression bench (loaded when its section nears the window): what sets knowledge distillation apart from the
// other ways to make a network cheaper, measured on this run. The engine's CompressionBench takes the finished run's
// teacher and compresses it in each other way (unstructured and structured pruning down to the distilled student's
// size, fine-tuned; int8 quantization of the teacher and of the student; transfer learning to a related task), then
// times every network in this browser. This panel runs it one step per animation frame (the page stays responsive)
// and lays out what it measured: a table of every network, the engine's Pareto view, the table of what sets each
// method apart with this run's numbers, and sentences each chosen by the numbers beside it. Every number is the
// engine's, only formatted here; the engine's and the learner's texts only ever become text nodes.

import { store } from '../store.js';
import { t, language, messageOf, render as renderMessage } from '../i18n.js';
import { byId, h, sizeCanvas } from '../lib/dom.js';
import { int, kb, pct, points, prec, samplePoints, times } from '../lib/format.js';
import { answerData, keepAnswer } from '../lib/answer.js';
import { announce } from './alerts.js';
import { methodName } from './method.js';
import { applyPreset, attempt, currentMethod, datasetDefaults, FAILED } from '../run.js';

/** The budget of the bench's one step() per animation frame (once trained, a step times one network instead). */
const BENCH_BUDGET_MS = 8;
/** Two times within this ratio of each other are "as fast": the browser's clock is noisy. */
const SAME_SPEED = 1.1;
/** Unstructured pruning is said to be computed like the teacher while its time is within this ratio of the teacher's. */
const DENSE_SPEED = 1.5;
/** The training part of the progress bar (the rest is the timing of each network). */
const TRAINING_SHARE = 0.9;
/** The rows of the differentiator table: the bench's row each quotes. */
const DIFFERENTIATORS = ['kd', 'prune-weights', 'prune-neurons', 'int8', 'kd-int8', 'transfer'];
/** The store keys after which the bench follows the run; the key its views read. */
const FOLLOWED = new Set(['pg', 'run', 'status']);
const BENCH_KEY = 'bench';
const NOT_TRAINED = 'engine.bench.notTrained';

/**
 * The bench of the current run. It holds an engine object that no other part of the page reads, so it lives here,
 * in one record, rather than in the store; each change is followed by store.touch('bench'), which redraws the
 * panel's views (they declare that key). Everything in it belongs to run `run`: a new run discards it.
 */
const bench = {
  key: null,        // `${run}|${done}`: the run (and whether it was done) the rest was made for
  run: 0,           // the store's `run` it belongs to
  engine: null,     // the CompressionBench, prepared, running or done (freed when the run changes)
  refusal: null,    // what the engine threw when asked to compress this run
  preview: null,    // { report, progress } of the prepared bench: the rows it will skip, its epochs
  phase: 'idle',    // 'idle' | 'running' | 'done' | 'stopped' | 'failed'
  progress: null,   // step()'s last answer: { current, batches, total_batches, timed, rows, done }
  report: null,     // report() of the finished bench
  failure: null,    // the error that stopped it
  frame: 0,         // the requestAnimationFrame id while it runs
  version: 0,       // counts changes: the views' key
  resizes: 0,       // counts the canvas's size changes
};

function changed() {
  bench.version += 1;
  store.touch(BENCH_KEY);
}

/** Stops the bench's frames and frees its engine object (the record keeps what it measured). */
function free() {
  if (bench.frame) cancelAnimationFrame(bench.frame);
  bench.frame = 0;
  if (bench.phase === 'running') store.end('bench');
  try { bench.engine?.free(); } catch { /* already freed */ }
  bench.engine = null;
}

/**
 * A new bench on `pg` with the engine's default options, or, when the training split is smaller than the default
 * calibration set, calibrated on all of it (the engine's message says how many samples it has); throws the engine's
 * refusal.
 */
function construct(pg) {
  const Bench = store.get('engine').CompressionBench;
  try {
    return new Bench(pg, {});
  } catch (e) {
    const available = e?.kd?.key === 'engine.bench.calibrationTooLarge' ? Number(e.kd.params?.available) : NaN;
    if (Number.isInteger(available) && available > 0) return new Bench(pg, { calibration: available });
    throw e;
  }
}

/**
 * Follows the run: when it changes, or finishes, the old bench is discarded (never left running for an old run),
 * and the engine is asked whether it can compress this one; if it can, the bench is prepared and its skipped rows
 * are known before it runs.
 */
function follow() {
  const pg = store.get('pg');
  const run = store.get('run');
  const key = `${run}|${store.get('status')?.phase === 'done'}`;
  if (key === bench.key) return;
  free();
  Object.assign(bench, { key, run, refusal: null, preview: null, phase: 'idle', progress: null, report: null, failure: null });
  if (pg) {
    try {
      bench.engine = construct(pg);
      bench.preview = { report: bench.engine.report(), progress: bench.engine.progress() };
    } catch (e) {
      free();
      bench.refusal = e;
    }
  }
  changed();
}

/** Runs the bench on the current (finished) run: a step per animation frame until every network is timed. */
function start() {
  const pg = store.get('pg');
  if (!pg || bench.phase === 'running' || bench.run !== store.get('run') || store.get('status')?.phase !== 'done') return;
  if (!bench.engine || bench.phase !== 'idle') {
    free();
    try {
      bench.engine = construct(pg);
    } catch (e) {
      bench.refusal = e;
      changed();
      return;
    }
  }
  Object.assign(bench, { phase: 'running', progress: null, report: null, failure: null });
  store.begin('bench');
  bench.frame = requestAnimationFrame(benchFrame);
  changed();
}

/** One animation frame of the bench: one step(), then the next frame, or the report once it is done. */
function benchFrame() {
  bench.frame = 0;
  if (bench.phase !== 'running') return;
  if (bench.run !== store.get('run')) {
    follow();
    return;
  }
  try {
    bench.progress = bench.engine.step(BENCH_BUDGET_MS);
    if (bench.progress.done) {
      bench.report = bench.engine.report();
      bench.phase = 'done';
      store.end('bench');
      announce(t('bench.doneAnnounce', { rows: bench.report.rows.length }));
    } else {
      bench.frame = requestAnimationFrame(benchFrame);
    }
  } catch (e) {
    free();
    Object.assign(bench, { phase: 'failed', failure: e });
    console.warn('compression bench:', e); // a warning: the message is on the page
  }
  changed();
}

/** Stops the bench in progress (what it trained so far is dropped: a partial bench compares nothing). */
function stop() {
  if (bench.phase !== 'running') return;
  free();
  bench.phase = 'stopped';
  changed();
}

/** Puts digits and its defaults (as a link `#dataset=digits` would) into the controls and builds its run. */
function trainDigits() {
  const raw = { ...store.get('defaults'), ...(datasetDefaults('digits') ?? {}), dataset: 'digits' };
  applyPreset(raw, () => {
    announce(t('bench.digitsSet'));
    byId('btn-play')?.focus(); // the learner presses Play next
  });
}

// ---------------------------------------------------------------- words and numbers

/** A row's name: the bench's entry in the learner's language (the distilled student's with the run's method). */
const entryName = (method) => t(`bench.entry.${method}`, { method: methodName(currentMethod()) });

/** Classes by their names: a run of consecutive ones as a range ("5–9"), otherwise listed. */
function classList(indices = []) {
  const names = store.get('dataInfo')?.classNames ?? [];
  const name = (i) => String(names[i] ?? i);
  const consecutive = indices.every((c, i) => i === 0 || c === indices[i - 1] + 1);
  return consecutive && indices.length > 2 ? `${name(indices[0])}–${name(indices.at(-1))}` : indices.map(name).join(', ');
}

/** Whether a time `us` is 'faster', 'slower' or 'same' as `base` (within ratio `within`); null if one is missing. */
function speedVariant(base, us, within) {
  if (!(base > 0) || !(us > 0)) return null;
  const ratio = base / us;
  return ratio >= within ? 'faster' : ratio <= 1 / within ? 'slower' : 'same';
}

/** "56× faster", "1.8× slower", "about as fast" than `base`, or "not timed". */
function speedText(base, us) {
  const variant = speedVariant(base, us, SAME_SPEED);
  if (!variant) return t('bench.diff.untimed');
  if (variant === 'same') return t('bench.diff.sameSpeed');
  return t(`bench.diff.${variant}`, { ratio: times(variant === 'faster' ? base / us : us / base) });
}

/** A time per sample as the table writes it (µs, 3 significant digits), '—' until timed. */
const micros = (us) => (typeof us === 'number' ? prec(us, 3) : '—');

/** The report's rows by method. */
const rowsOf = (report) => Object.fromEntries(report.rows.map((r) => [r.method, r]));

/** The columns of the bench's table: the field of a row, its header's key and its format. */
const COLUMNS = [
  { field: 'parameters', key: 'bench.col.parameters', format: int },
  { field: 'nonzero_parameters', key: 'bench.col.nonzero', format: int },
  { field: 'bytes', key: 'bench.col.bytes', format: kb },
  { field: 'inference_us_per_sample', key: 'bench.col.time', format: micros },
  { field: 'test_accuracy', key: 'bench.col.accuracy', format: (x) => pct(x) },
];

/** The table of every network: its name and layer sizes, then each column's number (data-value: the engine's). */
function benchTable(report) {
  const head = h('tr', {}, h('th', { scope: 'col', className: 'corner', text: t('bench.col.network') }),
    COLUMNS.map((c) => h('th', { scope: 'col', dataset: { col: c.field }, text: t(c.key) })));
  const rows = report.rows.map((row) => h('tr', { dataset: { method: row.method, newTask: String(row.new_task) } },
    h('th', { scope: 'row' },
      h('span', { className: 'bench-name', text: entryName(row.method) }), ' ',
      h('span', { className: 'bench-sizes', text: row.sizes.join('→') }),
      row.new_task ? [' ', h('span', { className: 'tag bench-task-tag', text: t('bench.newTask.mark') })] : null),
    COLUMNS.map((c) => {
      const v = row[c.field];
      return h('td', { dataset: { col: c.field, value: v === null || v === undefined ? '' : String(v) }, text: c.format(v) });
    })));
  return h('table', { className: 'bench-table', id: 'bench-table', attrs: { 'aria-labelledby': 'bench-table-caption' } },
    h('thead', {}, head), h('tbody', {}, rows));
}

/** The note on the transfer rows' other task, or '' without them. */
function newTaskNote(report) {
  const transfer = report.transfer;
  const row = report.rows.find((r) => r.new_task);
  if (!transfer || !row) return '';
  return t('bench.newTask.note', {
    classes: classList(transfer.target_classes), per: report.options.labels_per_class, labels: transfer.labels,
    epochs: transfer.epochs, samples: row.test_samples, source: classList(transfer.source_classes),
    sourceAccuracy: pct(transfer.source_accuracy),
  });
}

/** A row's numbers beside the teacher's: share of its bytes, speed, accuracies. */
function againstTeacher(row, teacher) {
  return t('bench.diff.numbers', {
    bytes: pct(row.bytes / teacher.bytes), speed: speedText(teacher.inference_us_per_sample, row.inference_us_per_sample),
    accuracy: pct(row.test_accuracy), teacher: pct(teacher.test_accuracy),
  });
}

/** The differentiator table (차별점): what changes, what it needs, where the gain comes from, this run's numbers. */
function differentiatorTable(report) {
  const by = rowsOf(report);
  const teacher = by.teacher;
  const transfer = report.transfer;
  const params = {
    epochs: report.fine_tune_epochs, samples: report.calibration_samples,
    source: transfer ? classList(transfer.source_classes) : '', per: report.options.labels_per_class,
  };
  const columns = ['changes', 'needs', 'gain', 'numbers'];
  const head = h('tr', {}, h('th', { scope: 'col', className: 'corner', text: t('bench.diff.col.method') }),
    columns.map((c) => h('th', { scope: 'col', text: t(`bench.diff.col.${c}`) })));
  const rows = DIFFERENTIATORS.map((id) => {
    const row = by[id];
    let numbers = t('bench.diff.missing');
    if (id === 'transfer' && row && by['transfer-scratch']) {
      numbers = t('bench.diff.transferNumbers', { transfer: pct(row.test_accuracy), labels: transfer?.labels ?? '—', scratch: pct(by['transfer-scratch'].test_accuracy) });
    } else if (row && teacher) {
      numbers = againstTeacher(row, teacher);
    }
    const needs = id === 'transfer' && !transfer ? 'bench.diff.transfer.needsGeneric' : `bench.diff.${id}.needs`;
    return h('tr', { dataset: { method: id } },
      h('th', { scope: 'row', text: t(`bench.diff.${id}.name`) }),
      h('td', { text: t(`bench.diff.${id}.changes`) }),
      h('td', { text: t(needs, params) }),
      h('td', { text: t(`bench.diff.${id}.gain`) }),
      h('td', { className: 'bench-numbers', dataset: { col: 'numbers' }, text: numbers }));
  });
  return h('table', { className: 'bench-table bench-diff', id: 'bench-diff', attrs: { 'aria-labelledby': 'bench-diff-caption' } },
    h('thead', {}, head), h('tbody', {}, rows));
}

/**
 * The sentences under the tables, each chosen by the numbers it quotes (data-say names it, data-variant says which
 * way the numbers went): the distilled student against its control, unstructured pruning's time against the
 * teacher's, structured pruning, int8 against f32 as measured here, transfer learning against training from scratch.
 */
function sentences(report) {
  const by = rowsOf(report);
  const teacher = by.teacher;
  const out = [];
  const say = (name, variant, key, params) => out.push({ name, variant, text: t(key, params) });
  if (!teacher) return out;
  const teacherUs = teacher.inference_us_per_sample;
  const compare = (a, b) => (a > b ? 'better' : a < b ? 'worse' : 'same');
  const { kd, control } = by;
  if (kd && control) {
    const variant = compare(kd.test_accuracy, control.test_accuracy);
    say('kd', variant, `bench.say.kd.${variant}`, {
      kd: pct(kd.test_accuracy), control: pct(control.test_accuracy), diff: points(kd.test_accuracy - control.test_accuracy),
      sample: samplePoints(kd.test_samples), bytes: pct(kd.bytes / teacher.bytes),
    });
  }
  const weights = by['prune-weights'];
  if (weights && weights.inference_us_per_sample && teacherUs) {
    const variant = speedVariant(teacherUs, weights.inference_us_per_sample, DENSE_SPEED) === 'faster' ? 'faster' : 'dense';
    say('prune-weights', variant, `bench.say.prune.${variant}`, {
      kb: kb(weights.bytes), nonzero: int(weights.nonzero_parameters), parameters: int(weights.parameters),
      us: micros(weights.inference_us_per_sample), teacherUs: micros(teacherUs), speed: speedText(teacherUs, weights.inference_us_per_sample),
    });
  }
  const neurons = by['prune-neurons'];
  if (neurons && neurons.inference_us_per_sample && teacherUs) {
    say('prune-neurons', speedVariant(teacherUs, neurons.inference_us_per_sample, SAME_SPEED), 'bench.say.neurons', {
      sizes: neurons.sizes.join('→'), us: micros(neurons.inference_us_per_sample), teacherUs: micros(teacherUs),
      speed: speedText(teacherUs, neurons.inference_us_per_sample), accuracy: pct(neurons.test_accuracy),
    });
  }
  const int8 = by.int8;
  const int8Us = int8?.inference_us_per_sample;
  const int8Variant = int8 ? speedVariant(teacherUs, int8Us, SAME_SPEED) : null;
  if (int8Variant) {
    say('int8', int8Variant, `bench.say.int8.${int8Variant}`, {
      kb: kb(int8.bytes), smaller: times(teacher.bytes / int8.bytes), accuracy: pct(int8.test_accuracy), teacher: pct(teacher.test_accuracy),
      kernel: t(`bench.kernel.${report.int8_kernel}`), ratio: times(int8Variant === 'slower' ? int8Us / teacherUs : teacherUs / int8Us),
      us: micros(int8Us), teacherUs: micros(teacherUs),
    });
  }
  const transfer = by.transfer;
  const scratch = by['transfer-scratch'];
  if (transfer && scratch && report.transfer) {
    const variant = compare(transfer.test_accuracy, scratch.test_accuracy);
    say('transfer', variant, `bench.say.transfer.${variant}`, {
      source: classList(report.transfer.source_classes), target: classList(report.transfer.target_classes), labels: report.transfer.labels,
      transfer: pct(transfer.test_accuracy), scratch: pct(scratch.test_accuracy), diff: points(transfer.test_accuracy - scratch.test_accuracy),
    });
  }
  return out;
}

// ---------------------------------------------------------------- the views

/** What the status line says: why the bench cannot run yet, or what it will do, or how it ended. */
function statusText() {
  const e = bench.refusal;
  if (e) {
    if (e?.kd?.key === NOT_TRAINED) return t(store.get('status')?.phase === 'diverged' ? 'bench.diverged' : 'bench.notDone');
    return t('bench.refused', { message: messageOf(e) });
  }
  if (!store.get('pg')) return '';
  switch (bench.phase) {
    case 'idle': return bench.preview ? t('bench.ready', { epochs: bench.preview.report.fine_tune_epochs }) : '';
    case 'stopped': return t('bench.stopped');
    case 'failed': return t('bench.failed', { message: messageOf(bench.failure) });
    default: return '';
  }
}

/** The progress bar's value (training, then timing) and its words. */
function drawProgress() {
  const p = bench.progress;
  const bar = byId('bench-progress');
  const text = byId('bench-progress-text');
  if (!p) {
    bar.value = 0;
    text.textContent = t('bench.progress.start');
    return;
  }
  const trained = p.total_batches ? p.batches / p.total_batches : 1;
  const timed = p.rows ? p.timed / p.rows : 1;
  bar.value = p.total_batches ? TRAINING_SHARE * trained + (1 - TRAINING_SHARE) * timed : timed;
  const entry = p.current ? entryName(p.current) : '';
  text.textContent = p.batches < p.total_batches
    ? t('bench.progress.train', { entry, done: int(p.batches), total: int(p.total_batches) })
    : t('bench.progress.time', { entry, at: Math.min(p.timed + 1, p.rows), rows: p.rows });
}

/** The rows the bench leaves out of this run, each with the engine's reason. */
function drawSkipped() {
  const source = bench.phase === 'done' ? { report: bench.report, progress: bench.progress } : bench.preview;
  const skipped = source?.report?.skipped ?? [];
  const box = byId('bench-skipped');
  box.hidden = skipped.length === 0;
  if (!skipped.length) return 0;
  const total = (source.progress?.rows ?? source.report.rows.length) + skipped.length;
  byId('bench-skipped-lead').textContent = t('bench.skipped.lead', { count: skipped.length, total });
  // rows left out for the same reason (the two transfer rows) share one item
  const reasons = new Map();
  for (const s of skipped) {
    const reason = renderMessage(s.reason);
    if (!reasons.has(reason)) reasons.set(reason, []);
    reasons.get(reason).push(s.method);
  }
  byId('bench-skipped-list').replaceChildren(...[...reasons].map(([reason, methods]) => h('li', { dataset: { methods: methods.join(' ') } },
    t('bench.skipped.item', { entry: methods.map(entryName).join(', '), reason }))));
  return skipped.length;
}

/** The finished bench's tables and sentences (built again only when the bench or the language changes). */
function drawResult() {
  const report = bench.report;
  byId('bench-table-wrap').replaceChildren(benchTable(report));
  const note = newTaskNote(report);
  byId('bench-newtask').hidden = !note;
  byId('bench-newtask').textContent = note;
  byId('bench-diff-wrap').replaceChildren(differentiatorTable(report));
  byId('bench-say').replaceChildren(...sentences(report).map((s) => h('p', { className: 'bench-sentence', dataset: { say: s.name, variant: s.variant ?? '' }, text: s.text })));
  byId('bench-answer').href = `answer.html#lang=${encodeURIComponent(language())}`;
  byId('bench-answer-note').hidden = true;
}

/** The panel: its status line, its buttons, the skipped rows, the progress while it runs, the result once done. */
function drawPanel(view) {
  const key = `${bench.version}|${language()}`;
  if (key === view.key) return;
  view.key = key;
  const root = byId('compress');
  root.dataset.phase = bench.phase;
  const running = bench.phase === 'running';
  const status = byId('bench-status');
  status.textContent = running || bench.phase === 'done' ? '' : statusText();
  status.dataset.kind = bench.refusal ? 'refused' : bench.phase;
  const done = store.get('status')?.phase === 'done';
  const run = byId('bench-run');
  run.disabled = running || !done || Boolean(bench.refusal) || bench.run !== store.get('run');
  const skipped = drawSkipped();
  const refused = Boolean(bench.refusal) && bench.refusal?.kd?.key !== NOT_TRAINED;
  byId('bench-digits').hidden = running || !(skipped > 0 || refused);
  byId('bench-running').hidden = !running;
  if (running) drawProgress();
  const result = byId('bench-result');
  result.hidden = bench.phase !== 'done';
  if (bench.phase === 'done') drawResult();
}

/** The engine's Pareto view of the finished bench (hidden when the engine draws none). */
function drawChart(view) {
  const canvas = byId('bench-pareto');
  const shown = bench.phase === 'done' && typeof bench.engine?.drawPareto === 'function';
  canvas.hidden = !shown;
  if (!shown) {
    view.key = null;
    return;
  }
  const key = `${bench.version}|${language()}|${store.get('layout')}|${bench.resizes}`;
  if (key === view.key) return;
  canvas.setAttribute('aria-label', t('bench.chart.label'));
  if (!sizeCanvas(canvas)) return; // not laid out yet: its size change draws it
  view.key = key;
  attempt('do.draw', () => bench.engine.drawPareto(canvas));
}

/** Keeps this run's answer for answer.html (opened by the link itself, in a new tab). */
function keepForAnswer() {
  const pg = store.get('pg');
  if (!pg || !bench.report || bench.run !== store.get('run')) return;
  const data = attempt('do.read', () => answerData(pg, bench.report));
  let kept = false;
  if (data !== FAILED) {
    try { kept = keepAnswer(window.localStorage, data); } catch { kept = false; } // storage switched off
  }
  const note = byId('bench-answer-note');
  note.hidden = kept;
  note.textContent = kept ? '' : t('bench.answerNotKept');
}

// ---------------------------------------------------------------- building the panel

/** A table's box, which scrolls sideways on its own when the table is wider than the screen. */
const tableBox = (id, labelledBy) => h('div', { className: 'bench-table-wrap', id, tabIndex: 0, attrs: { role: 'region', 'aria-labelledby': labelledBy } });

/** The panel's elements (texts are filled by its view, in the learner's language). */
function build() {
  const text = (tag, id, key, className) => h(tag, { id, className, dataset: { i18n: key }, text: t(key) });
  return [
    h('div', { className: 'panel-head' }, text('h2', 'compress-title', 'bench.title')),
    text('p', 'compress-lead', 'bench.lead', 'exp-lead'),
    h('p', { className: 'bench-status', id: 'bench-status' }),
    h('div', { className: 'bench-actions' },
      h('button', { type: 'button', className: 'exp-run', id: 'bench-run', dataset: { i18n: 'bench.run' }, text: t('bench.run'), attrs: { 'aria-describedby': 'bench-status' }, on: { click: start } })),
    h('div', { className: 'bench-skipped', id: 'bench-skipped', hidden: true },
      h('p', { id: 'bench-skipped-lead' }),
      h('ul', { className: 'bench-skipped-list', id: 'bench-skipped-list' })),
    h('div', { className: 'bench-digits', id: 'bench-digits', hidden: true },
      h('button', { type: 'button', className: 'bench-secondary', id: 'bench-digits-run', dataset: { i18n: 'bench.digits' }, text: t('bench.digits'), attrs: { 'aria-describedby': 'bench-digits-help' }, on: { click: trainDigits } }),
      text('p', 'bench-digits-help', 'bench.digitsHelp', 'hint')),
    h('div', { className: 'exp-progress', id: 'bench-running', hidden: true },
      h('progress', { id: 'bench-progress', max: 1, value: 0, attrs: { 'aria-labelledby': 'bench-progress-text' } }),
      h('p', { className: 'exp-progress-text', id: 'bench-progress-text' }),
      h('button', { type: 'button', className: 'exp-stop', id: 'bench-stop', dataset: { i18n: 'bench.stop' }, text: t('bench.stop'), on: { click: stop } })),
    h('div', { className: 'bench-result', id: 'bench-result', hidden: true },
      text('h3', 'bench-table-title', 'bench.table.title', 'bench-subtitle'),
      text('p', 'bench-table-caption', 'bench.table.caption', 'bench-caption'), // beside the table, not in its scrolling box
      tableBox('bench-table-wrap', 'bench-table-title'),
      h('p', { className: 'hint', id: 'bench-newtask', hidden: true }),
      h('canvas', { className: 'bench-canvas', id: 'bench-pareto', hidden: true, attrs: { role: 'img', 'aria-label': t('bench.chart.label') } }),
      text('h3', 'bench-diff-title', 'bench.diff.title', 'bench-subtitle'),
      text('p', 'bench-diff-caption', 'bench.diff.caption', 'bench-caption'),
      tableBox('bench-diff-wrap', 'bench-diff-title'),
      text('h3', 'bench-say-title', 'bench.say.title', 'bench-subtitle'),
      h('div', { className: 'bench-say', id: 'bench-say' }),
      h('p', { className: 'bench-answer' },
        h('a', {
          className: 'exp-run bench-answer-link', id: 'bench-answer', href: 'answer.html', target: '_blank', rel: 'noopener',
          dataset: { i18n: 'bench.answer' }, text: t('bench.answer'), attrs: { 'aria-describedby': 'bench-answer-help' },
          on: { click: keepForAnswer, auxclick: keepForAnswer },
        }),
        ' ', text('span', 'bench-answer-help', 'bench.answerHelp', 'hint')),
      h('p', { className: 'hint', id: 'bench-answer-note', hidden: true, attrs: { role: 'status' } })),
  ];
}

/**
 * Builds the panel inside `root` (the page's #compress section) and follows the run. The panel's texts are in the
 * catalogues' panels part: the caller has loaded it. `window.kdCompression` lets the tests read the report the
 * panel shows.
 */
export function installCompression(root) {
  if (!root || typeof store.get('engine')?.CompressionBench !== 'function') return;
  root.replaceChildren(...build());
  root.setAttribute('aria-labelledby', 'compress-title');
  root.removeAttribute('aria-busy');
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      bench.resizes += 1;
      store.touch('bench-canvas');
    }).observe(byId('bench-pareto'));
  }
  store.view('bench', {
    group: 'frame',
    deps: [BENCH_KEY, 'language'],
    draw: drawPanel, // its static texts (data-i18n) follow the language with the page's, by translatePage()
  });
  store.view('bench-chart', { group: 'frame', deps: [BENCH_KEY, 'language', 'layout', 'bench-canvas'], draw: drawChart });
  store.onChange((keys) => { if (keys.some((k) => FOLLOWED.has(k))) follow(); });
  follow();
  // every chart of the page has a PNG button after it (teach/saveload.js, which adds them when the teaching panels
  // are built): built already, they get this chart's now
  if (document.querySelector('link[data-teach-css]')) {
    store.begin('bench-png');
    import('./teach/saveload.js')
      .then((mod) => mod.addPngButtons(root))
      .catch((e) => console.warn('compression bench:', e))
      .finally(() => store.end('bench-png'));
  }
  window.kdCompression = Object.freeze({
    /** The report the panel shows (a copy), or null until the bench is done. */
    report: () => (bench.report ? structuredClone(bench.report) : null),
  });
}
