// The architecture and its payoff: the flow of distillation as a diagram (data → teacher → softmax at T → soft
// labels → loss ← student, and the hard labels), the two networks' sizes, and their inference time measured in
// this browser (automatically once the page is idle, or with the Measure button).

import { store } from '../../store.js';
import { t } from '../../i18n.js';
import { h, svg } from '../../lib/dom.js';
import { fixed, int, kb, sig, times } from '../../lib/format.js';
import { announce } from '../alerts.js';
import { drawNow } from '../../loop.js';
import { appliesToMethod, attempt, clearPanelError, panelShell, tableWrap, waiting } from './shared.js';
import { currentMethod } from '../../run.js';

/** Inference is timed until one model's measurement has taken at least this long (ms)… */
const TIMING_TARGET_MS = 80;
/** …in at most this many calls of timeInference. */
const TIMING_MAX_CALLS = 12;
/** A new run is timed once the page has been idle this long (ms); while training, later. */
const AUTO_MEASURE_MS = 300;
const AUTO_MEASURE_RETRY_MS = 2000;

/** Colours an SVG element through its style (a CSS colour or var(--kd-…): the page's palette). */
function paint(node, { fill, stroke, fillOpacity }) {
  if (fill) node.style.setProperty('fill', fill);
  if (stroke) node.style.setProperty('stroke', stroke);
  if (fillOpacity !== undefined) node.style.setProperty('fill-opacity', String(fillOpacity));
  return node;
}

/** The flow of distillation as an SVG: data → teacher → softmax at T → soft labels → loss ← student, hard labels. */
function architectureSvg(mi) {
  const W = 960;
  const H = 384;
  const lane = { teacher: 88, student: 238, hard: 344 };
  // the concepts' colours are the charts' (the page sets them from the engine's palette as CSS custom properties)
  const colour = { teacher: 'var(--kd-teacher)', student: 'var(--kd-distilled)', soft: 'var(--kd-soft)', hard: 'var(--kd-hard)', ink: 'var(--kd-text)' };
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'teach-arch-svg', role: 'img', 'aria-labelledby': 'teach-arch-svg-title teach-arch-svg-desc' });
  root.append(svg('title', { id: 'teach-arch-svg-title' }, t('teach.arch.svgTitle')));
  root.append(svg('desc', { id: 'teach-arch-svg-desc' }, t('teach.arch.svgDesc', {
    teacher: mi.teacher.layers.join('→'), teacherParams: int(mi.teacher.parameters),
    student: mi.student.layers.join('→'), studentParams: int(mi.student.parameters),
  })));
  const defs = svg('defs');
  const arrowColour = { ink: colour.ink, soft: colour.soft, hard: colour.hard, grad: colour.student };
  for (const [name, c] of Object.entries(arrowColour)) {
    const marker = svg('marker', { id: `teach-arrow-${name}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(paint(svg('path', { d: 'M0,0 L10,5 L0,10 z' }), { fill: c }));
    defs.append(marker);
  }
  root.append(defs);

  const arrow = (points, kind = 'ink', extra = {}) => {
    const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x},${y}`).join(' ');
    root.append(paint(svg('path', { d, fill: 'none', 'stroke-width': kind === 'ink' ? 1.6 : 2.2, 'marker-end': `url(#teach-arrow-${kind})`, ...extra }), { stroke: arrowColour[kind] }));
  };
  const text = (x, y, content, attrs = {}) => {
    const node = svg('text', { x, y, 'text-anchor': 'middle', class: 'teach-svg-text', ...attrs }, content);
    root.append(node);
    return node;
  };
  /**
   * A labelled box outlined in `stroke` and tinted with it (or filled with `fill`); `lines` = [main, sub];
   * data-max-width lets fitTexts shrink long (translated) text.
   */
  const box = (x, y, w, hgt, lines, stroke, id, fill = null) => {
    const g = svg('g', { class: 'teach-svg-box', id });
    g.append(paint(svg('rect', { x, y, width: w, height: hgt, rx: 8, fill: 'none', 'stroke-width': 1.6 }), { stroke, fill: fill ?? stroke, fillOpacity: fill ? 1 : 0.08 }));
    const n = lines.filter(Boolean).length;
    lines.filter(Boolean).forEach((line, i) => {
      const ty = y + hgt / 2 + (i - (n - 1) / 2) * 18 + 5;
      g.append(svg('text', { x: x + w / 2, y: ty, 'text-anchor': 'middle', class: i === 0 ? 'teach-svg-strong' : 'teach-svg-sub', 'data-max-width': w - 12 }, line));
    });
    root.append(g);
    return { x, y, w, h: hgt, cx: x + w / 2, cy: y + hgt / 2, right: x + w, bottom: y + hgt };
  };

  // training data: one tall box feeding the teacher, the student and the hard labels
  const data = box(12, lane.teacher - 34, 112, lane.hard - lane.teacher + 58, [t('teach.arch.svg.data'), t('teach.arch.svg.dataSub')], colour.ink, 'teach-svg-data', 'var(--bg)');

  // the two networks as layer bars (height ~ log of the width), on one scale so that sizes compare
  const maxWidth = Math.max(...mi.teacher.layers, ...mi.student.layers, 2);
  const barHeight = (w) => 10 + 70 * Math.log2(w + 1) / Math.log2(maxWidth + 1);
  const network = (layers, y, c, key) => {
    const n = layers.length;
    const span = Math.min(300, 78 * (n - 1));
    const x0 = 170;
    const xs = layers.map((_, i) => x0 + (n > 1 ? (i * span) / (n - 1) : 0));
    const bw = 16;
    const g = svg('g', { class: `teach-svg-net teach-svg-${key}` });
    for (let i = 0; i + 1 < n; i++) {
      const [h1, h2] = [barHeight(layers[i]), barHeight(layers[i + 1])];
      const pts = [[xs[i] + bw, y - h1 / 2], [xs[i + 1], y - h2 / 2], [xs[i + 1], y + h2 / 2], [xs[i] + bw, y + h1 / 2]];
      g.append(svg('polygon', { points: pts.map((q) => q.join(',')).join(' '), fill: c, 'fill-opacity': 0.13, stroke: c, 'stroke-opacity': 0.35 }));
    }
    layers.forEach((w, i) => {
      const bh = barHeight(w);
      g.append(svg('rect', { x: xs[i], y: y - bh / 2, width: bw, height: bh, rx: 3, fill: c, 'fill-opacity': i === 0 ? 0.35 : 0.85, stroke: c }));
      g.append(svg('text', { x: xs[i] + bw / 2, y: y + bh / 2 + 14, 'text-anchor': 'middle', class: 'teach-svg-small' }, String(w)));
    });
    root.append(g);
    return { left: x0, right: xs[n - 1] + bw, mid: (x0 + xs[n - 1] + bw) / 2 };
  };
  const teacherNet = network(mi.teacher.layers, lane.teacher, colour.teacher, 'teacher');
  const studentNet = network(mi.student.layers, lane.student, colour.student, 'student');
  text(teacherNet.left, lane.teacher - 50, t('teach.arch.svg.teacher', { params: int(mi.teacher.parameters), kb: kb(mi.teacher.bytes) }),
    { 'text-anchor': 'start', class: 'teach-svg-strong teach-svg-teacher-title', 'data-max-width': 340 });
  text(studentNet.left, lane.student - 50, t('teach.arch.svg.student', { params: int(mi.student.parameters), kb: kb(mi.student.bytes) }),
    { 'text-anchor': 'start', class: 'teach-svg-strong teach-svg-student-title', 'data-max-width': 340 });

  // teacher → softmax at T → soft labels
  const softmaxT = box(510, lane.teacher - 26, 140, 52, [t('teach.arch.svg.softmaxT'), t('teach.arch.svg.softmaxTSub')], colour.teacher, 'teach-svg-softmax');
  const soft = box(688, lane.teacher - 36, 170, 72, [t('teach.arch.svg.soft'), t('teach.arch.svg.softSub'), t('teach.arch.svg.softExample')], colour.soft, 'teach-svg-soft');
  const studentOut = box(510, lane.student - 26, 140, 52, [t('teach.arch.svg.studentOut'), t('teach.arch.svg.studentOutSub')], colour.student, 'teach-svg-student-out');
  const loss = box(676, lane.student - 34, 194, 68, [t('teach.arch.svg.loss'), 'α·T²·KL + (1 − α)·CE'], colour.ink, 'teach-svg-loss', 'var(--panel)');
  const hard = box(500, lane.hard - 30, 160, 60, [t('teach.arch.svg.hard'), t('teach.arch.svg.hardSub'), t('teach.arch.svg.hardExample')], colour.hard, 'teach-svg-hard');

  arrow([[data.right, lane.teacher], [teacherNet.left - 4, lane.teacher]]);
  arrow([[data.right, lane.student], [studentNet.left - 4, lane.student]]);
  arrow([[data.right, lane.hard], [hard.x - 2, lane.hard]], 'hard');
  arrow([[teacherNet.right + 4, lane.teacher], [softmaxT.x - 2, lane.teacher]]);
  arrow([[softmaxT.right, lane.teacher], [soft.x - 2, lane.teacher]], 'soft');
  arrow([[soft.cx, soft.bottom], [soft.cx, loss.y - 2]], 'soft');
  text(soft.cx + 8, (soft.bottom + loss.y) / 2 + 4, 'KL', { 'text-anchor': 'start', class: 'teach-svg-small teach-svg-soft-ink' });
  arrow([[studentNet.right + 4, lane.student], [studentOut.x - 2, lane.student]]);
  arrow([[studentOut.right, lane.student], [loss.x - 2, lane.student]]);
  arrow([[hard.right, lane.hard], [soft.cx, lane.hard], [soft.cx, loss.bottom + 2]], 'hard');
  text(soft.cx + 8, (loss.bottom + lane.hard) / 2 + 4, 'CE', { 'text-anchor': 'start', class: 'teach-svg-small teach-svg-hard-ink' });
  // the gradient flows back to the student only: the teacher is frozen
  const gy = lane.student + 44;
  arrow([[loss.x + 20, loss.bottom], [loss.x + 20, gy], [studentNet.right + 6, gy]], 'grad', { 'stroke-dasharray': '6 4' });
  text((studentNet.right + loss.x) / 2 + 10, gy + 16, t('teach.arch.svg.gradient'), { class: 'teach-svg-small teach-svg-grad-ink', 'data-max-width': 300 });
  text(teacherNet.left, lane.teacher + 78, t('teach.arch.svg.frozen'), { 'text-anchor': 'start', class: 'teach-svg-small teach-svg-teacher-ink teach-svg-note', 'data-max-width': 300 });
  return root;
}


/** Shrinks SVG texts wider than their data-max-width (long translations) to fit. */
function fitTexts(container) {
  for (const node of container.querySelectorAll('text[data-max-width]')) {
    const max = Number(node.getAttribute('data-max-width'));
    let width = 0;
    try { width = node.getComputedTextLength(); } catch { width = 0; }
    if (width > max && max > 0) {
      node.setAttribute('textLength', String(max));
      node.setAttribute('lengthAdjust', 'spacingAndGlyphs');
    }
  }
}


/** Times `model` until the calls took TIMING_TARGET_MS in all, then reports the mean per sample. */
function timeModel(pg, model) {
  let totalMs = 0;
  let samples = 0;
  let repetitions = 0;
  let reps = 1;
  for (let call = 0; call < TIMING_MAX_CALLS && totalMs < TIMING_TARGET_MS; call++) {
    const r = pg.timeInference(model, reps);
    totalMs += r.totalMs;
    samples = r.samples;
    repetitions += r.repetitions;
    // aim the next call at what is missing, from this call's speed (at most 1000 repetitions a call)
    const perRep = r.totalMs / Math.max(1, r.repetitions);
    reps = Math.max(1, Math.min(1000, Math.ceil((TIMING_TARGET_MS - totalMs) / Math.max(perRep, 0.01))));
  }
  return { model, samples, repetitions, totalMs, msPerSample: totalMs / Math.max(1, samples * repetitions) };
}

/** The panel as built now (it is rebuilt when the language changes), for its error line. */
const currentPanel = () => ({ error: document.querySelector('#teach-architecture .teach-error') ?? h('p') });

/** Measures both models' inference (not while training); `byUser` says the result aloud. */
function measureInference(byUser) {
  const pg = store.get('pg');
  if (!pg || store.get('measuring') || store.get('playing')) return;
  store.clearTimer('measure');
  store.set({ measuring: true, timingPending: false });
  store.begin('measuring');
  drawNow('teach-architecture'); // the button and the status say so at once
  // let the "measuring…" text paint before the main thread is busy for a few hundred ms
  requestAnimationFrame(() => setTimeout(() => {
    let result = null;
    if (store.get('pg') === pg) {
      const p = currentPanel();
      clearPanelError(p);
      result = attempt(p, t('teach.arch.measure'), () => ({ teacher: timeModel(pg, 'teacher'), kd: timeModel(pg, 'kd') }));
    }
    store.set({ measuring: false, ...(result ? { timing: result } : {}) });
    store.end('measuring');
    if (result && byUser) {
      const speed = result.teacher.msPerSample / result.kd.msPerSample;
      announce(t(speed > 1 ? 'teach.arch.announce' : 'teach.arch.announceNotFaster', { teacher: sig(result.teacher.msPerSample * 1000, 3), student: sig(result.kd.msPerSample * 1000, 3), speedup: times(speed) }));
    }
  }, 0));
}

/** Times a new run once the page is idle (the panel's own timer; it waits while training). */
function scheduleAutoMeasure(delay) {
  store.timer('measure', delay, () => {
    if (!store.get('timingPending')) return;
    if (store.get('playing') || document.hidden) scheduleAutoMeasure(AUTO_MEASURE_RETRY_MS);
    else measureInference(false);
  });
}

/** The sizes, the times and the wins. */
function renderPayoff(p) {
  const mi = store.get('modelInfo');
  if (!mi) return;
  const timing = store.get('timing');
  const measuring = store.get('measuring');
  const playing = store.get('playing');
  const us = (m) => (timing?.[m] ? timing[m].msPerSample * 1000 : null);
  const cell = (text, id, raw) => h('td', { id, text, dataset: raw === undefined ? {} : { value: String(raw) } });
  const row = (label, a, b) => h('tr', {}, h('th', { scope: 'row', text: label }), a, b);
  p.payoff.tHead.replaceChildren(h('tr', {},
    h('td', { className: 'corner' }),
    h('th', { scope: 'col', className: 'teach-col-teacher', text: t('teach.arch.teacher') }),
    h('th', { scope: 'col', className: 'teach-col-student', text: t('teach.arch.student') })));
  const timeText = (m) => (us(m) === null ? t('teach.arch.notMeasured') : t('teach.arch.us', { us: sig(us(m), 3) }));
  const bytes = (m) => t('teach.arch.bytes', { bytes: int(m.bytes), kb: kb(m.bytes) });
  p.payoff.tBodies[0].replaceChildren(
    row(t('teach.arch.row.layers'), cell(mi.teacher.layers.join('→'), 'teach-teacher-layers'), cell(mi.student.layers.join('→'), 'teach-student-layers')),
    row(t('teach.arch.row.parameters'), cell(int(mi.teacher.parameters), 'teach-teacher-params', mi.teacher.parameters), cell(int(mi.student.parameters), 'teach-student-params', mi.student.parameters)),
    row(t('teach.arch.row.bytes'), cell(bytes(mi.teacher), 'teach-teacher-bytes', mi.teacher.bytes), cell(bytes(mi.student), 'teach-student-bytes', mi.student.bytes)),
    row(t('teach.arch.row.time'), cell(timeText('teacher'), 'teach-teacher-time', us('teacher') ?? ''), cell(timeText('kd'), 'teach-student-time', us('kd') ?? '')),
  );
  const speedup = us('teacher') && us('kd') ? us('teacher') / us('kd') : null;
  const win = (id, big, text, raw) => h('div', { className: 'teach-win', id, dataset: { value: String(raw ?? '') } },
    h('span', { className: 'teach-win-big', text: big }), h('span', { className: 'teach-win-text', text }));
  p.wins.replaceChildren(
    // each card says what its number shows: a student as large as the teacher (born-again) is not smaller, and a
    // measured student that is not faster is not called faster
    win('teach-ratio', times(mi.compressionRatio), mi.compressionRatio > 1
      ? t('teach.arch.fewer', { kb: kb(mi.teacher.bytes - mi.student.bytes) })
      : t('teach.arch.notFewer'), mi.compressionRatio),
    win('teach-speedup', speedup ? times(speedup) : '?',
      !speedup ? t('teach.arch.fasterUnknown') : speedup > 1 ? t('teach.arch.faster') : t('teach.arch.notFaster'), speedup),
  );
  p.measure.disabled = playing || measuring;
  p.measureStatus.dataset.state = measuring ? 'measuring' : playing ? 'paused' : timing ? 'done' : 'idle';
  if (measuring) p.measureStatus.textContent = t('teach.arch.measuring');
  else if (playing) p.measureStatus.textContent = t('teach.arch.pauseToMeasure');
  else if (timing) {
    p.measureStatus.textContent = t('teach.arch.measured', {
      samples: int(timing.teacher.samples), teacherReps: int(timing.teacher.repetitions), teacherMs: fixed(timing.teacher.totalMs, 0),
      studentReps: int(timing.kd.repetitions), studentMs: fixed(timing.kd.totalMs, 0),
    });
  } else p.measureStatus.textContent = t('teach.arch.notYet');
}

/** The diagram (rebuilt for a new run or language: `view.key`) and the payoff. */
function draw(p, view) {
  if (waiting(p)) return;
  const mi = store.get('modelInfo');
  if (!mi) return;
  if (!appliesToMethod(p, 'teacher')) return; // no teacher: no teacher → student diagram, no size to compare
  const key = `${store.get('run')}|${store.get('language')}`;
  if (key !== view.key) {
    view.key = key;
    p.diagram.replaceChildren(architectureSvg(mi));
    fitTexts(p.diagram);
    // the diagram is Hinton's KD; another method's run says so above it
    const method = currentMethod();
    const kd = method === 'kd' && store.get('applied').klDirection !== 'reverse';
    p.diagramNote.hidden = kd;
    p.diagramNote.textContent = kd ? '' : t('teach.arch.otherMethod', { method: t(`method.name.${method}`) });
  }
  renderPayoff(p);
}

/** Builds the panel; returns its section and its view. */
export function createArchitecturePanel(layout) {
  const p = panelShell('teach-architecture', 'teach.arch.title', ['teach.arch.lead'], layout);
  p.diagram = h('div', { className: 'teach-diagram', id: 'teach-arch-diagram' });
  p.payoff = h('table', { className: 'teach-table teach-payoff', id: 'teach-payoff' },
    h('caption', { className: 'teach-table-caption', text: t('teach.arch.tableCaption') }), h('thead'), h('tbody'));
  p.wins = h('div', { className: 'teach-wins', id: 'teach-wins' });
  p.measure = h('button', { type: 'button', className: 'teach-button', id: 'teach-measure', text: t('teach.arch.measure') });
  p.measure.addEventListener('click', () => measureInference(true));
  p.measureStatus = h('p', { className: 'teach-small', id: 'teach-measure-status', attrs: { role: 'status' } });
  p.diagramNote = h('p', { className: 'teach-note', id: 'teach-arch-method', hidden: true });
  p.body = h('div', { className: 'teach-body' }, p.diagramNote, p.diagram,
    h('div', { className: 'teach-payoff-row' },
      tableWrap(p.payoff),
      h('div', { className: 'teach-wins-col' }, p.wins, h('div', { className: 'teach-measure-row' }, p.measure, p.measureStatus))),
    h('p', { className: 'teach-why', text: t('teach.arch.why') }));
  p.section.append(p.body, p.error);
  return {
    section: p.section,
    view: { deps: ['pg', 'modelInfo', 'playing', 'timing', 'measuring', 'language'], draw: (view) => draw(p, view) },
  };
}

/**
 * The inference times of the current run, measured now if they are not yet (for the tour's last step); resolves
 * with the store's timing once it is there, or null when it cannot be measured (no run, or training).
 */
export function timingNow() {
  const ready = () => !store.get('measuring') && !store.get('timingPending') && store.get('timing');
  if (ready()) return Promise.resolve(store.get('timing'));
  if (!store.get('pg') || store.get('playing')) return Promise.resolve(null);
  if (!store.get('measuring')) measureInference(false);
  return new Promise((resolve) => {
    const check = () => {
      if (!store.get('measuring')) resolve(ready() ? store.get('timing') : null);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

/** Times each new run once the page is idle (installed once, with the panels: it listens to the store). */
export function installAutoMeasure() {
  const soon = () => { if (store.get('timingPending') && store.get('pg')) scheduleAutoMeasure(AUTO_MEASURE_MS); };
  store.onChange((keys) => {
    if (keys.includes('run') || (keys.includes('playing') && !store.get('playing'))) soon();
  });
  soon();
}
