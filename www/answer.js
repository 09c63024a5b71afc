// The printable exam answer (answer.html): knowledge distillation in the fixed shape of a Korean exam answer —
// 정의 (definition), 구성도 (architecture diagram), 구성요소 (components), a sample's soft and hard labels, the loss,
// 비교표 (comparison table) and 장점/활용 (advantages and uses) — in English or Korean (#lang=en, #lang=ko).
//
// Every number on it is the engine's: the page reads the answer's data the playground kept (lib/answer.js), or,
// opened on its own, trains the default digits comparison here, runs the compression bench on it and builds the
// same data. This module only picks and formats those numbers (lib/format.js); the few ratios and differences it
// writes (teacher bytes ÷ student bytes…) are of two numbers shown beside them. Every text comes from the
// catalogues (answer.*), every value goes in as text (lib/dom.js), never as HTML.

import { store } from './store.js';
import {
  DEFAULT_LANGUAGE, LANGUAGES, appendRich, datasetLabel, isLanguage, language, loadLanguage, loadPanelTexts,
  messageOf, render, setLanguage, t, translatePage,
} from './i18n.js';
import { languageOf } from './urlstate.js';
import { applyPalette, byId, h, svg } from './lib/dom.js';
import { fixed, int, pct, points, prec, sig, temperatureText, times } from './lib/format.js';
import { answerData, readAnswer } from './lib/answer.js';
import { packageFile } from './lib/pkg.js';
import { missingFeature, missingFeatureKey } from './lib/support.js';
import './lib/offline.js'; // opened on its own (a bookmark), the answer too makes the site work offline

/** What the page trains when it is opened on its own: the playground's default digits comparison. */
const DEFAULT_RUN = { dataset: 'digits' };

/** The seed of a run with the defaults (the engine's settings table declares it), as `kd compare` uses. */
const defaultSeed = (engine) => engine.settingsSchema().find((spec) => spec.name === 'seed')?.default;
/** Milliseconds of training per chunk (one chunk per animation frame): the progress line stays live. */
const TRAIN_BUDGET_MS = 30;
const MAX_BATCHES_PER_CHUNK = 1e6;
/** Milliseconds of the compression bench per chunk (bench.step). */
const BENCH_BUDGET_MS = 30;
/** Classes of the sample's table: those the teacher gives the most probability at T. */
const SAMPLE_CLASSES = 4;
/** The techniques of the comparison table, and the rows of the measured table (the bench's order). */
const TECHNIQUES = ['kd', 'prune-weights', 'prune-neurons', 'int8', 'kd-int8', 'transfer'];
const ENTRIES = ['teacher', 'kd', 'control', 'prune-weights', 'prune-neurons', 'int8', 'kd-int8', 'transfer', 'transfer-scratch'];

// ---------------------------------------------------------------- numbers as the answer writes them

const params = (n) => int(n);
const bytes = (n) => int(n);
const micros = (us) => sig(us, 3);
const loss = (x) => prec(x, 3);
const accuracy = (a) => pct(a, 1);
const probability = (p) => fixed(p, 3);
const alphaText = (alpha) => sig(alpha, 3);
const layersText = (sizes) => (Array.isArray(sizes) ? sizes.join('→') : '—');
/** Correct test samples of an accuracy over `n` samples (accuracies are counts ÷ n, stored as f32). */
const correct = (acc, n) => Math.round(acc * n);

// ---------------------------------------------------------------- the engine and the default comparison

/** The next chunk of work: the next animation frame (a timeout when the tab is hidden and frames stop). */
function nextChunk() {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() => { clearTimeout(fallback); setTimeout(resolve, 0); });
  });
}

/** An error that says which step failed (`key`, a catalogue key taking {message}) and why. */
function stepError(key, cause, extra = {}) {
  const error = new Error(messageOf(cause));
  error.answerStep = { key, params: extra, cause };
  return error;
}

/**
 * The default comparison trained here: the digits data fetched as the main page fetches it (datasetFile,
 * provideDataset), the run trained to the end, then the compression bench. `say(message)` shows the progress
 * ({key, params} and the fraction done). Returns the answer's data (lib/answer.js).
 */
async function trainDefault(engine, say) {
  const { dataset } = DEFAULT_RUN;
  const seed = Number(defaultSeed(engine));
  const file = engine.datasetFile(dataset);
  if (file) {
    say({ key: 'answer.progress.data', params: { dataset: datasetLabel(dataset) } }, 0);
    try {
      const response = await fetch(packageFile(file));
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      engine.provideDataset(dataset, await response.text());
    } catch (e) {
      throw stepError('answer.error.data', e, { dataset: datasetLabel(dataset) });
    }
  }

  let pg;
  try {
    pg = new engine.Playground({ ...engine.datasetDefaults(dataset), seed });
  } catch (e) {
    throw stepError('answer.error.train', e);
  }
  // training: the teacher, then both students (0–40 % of the bar)
  for (;;) {
    let status;
    try {
      status = pg.train(TRAIN_BUDGET_MS, MAX_BATCHES_PER_CHUNK).status;
    } catch (e) {
      throw stepError('answer.error.train', e);
    }
    if (status.phase === 'diverged') throw stepError('answer.error.diverged', { kd: status.stopped ?? { key: 'error.diverged', params: {} } });
    if (status.phase !== 'teacher' && status.phase !== 'distil') break;
    const perEpoch = Math.max(1, status.batchesPerEpoch);
    const total = (status.teacherEpochs + status.studentEpochs) * perEpoch;
    const teacher = status.phase === 'teacher';
    say({
      key: teacher ? 'answer.progress.teacher' : 'answer.progress.students',
      params: { epoch: status.epoch + 1, of: teacher ? status.teacherEpochs : status.studentEpochs },
    }, 0.4 * Math.min(1, status.steps / Math.max(1, total)));
    await nextChunk();
  }

  // the compression bench: its trainings (40–90 %), then one row timed per call (90–100 %)
  let bench;
  try {
    bench = new engine.CompressionBench(pg, {});
    for (;;) {
      const p = bench.step(BENCH_BUDGET_MS);
      if (p.done) break;
      if (p.batches < p.total_batches) {
        say({
          key: 'answer.progress.bench',
          params: { entry: t(`answer.entry.${p.current}`), batches: int(p.batches), total: int(p.total_batches) },
        }, 0.4 + 0.5 * (p.batches / Math.max(1, p.total_batches)));
      } else {
        say({ key: 'answer.progress.timing', params: { timed: p.timed, rows: p.rows } }, 0.9 + 0.1 * (p.timed / Math.max(1, p.rows)));
      }
      await nextChunk();
    }
    say({ key: 'answer.progress.writing', params: {} }, 1);
    return answerData(pg, bench.report());
  } catch (e) {
    throw stepError('answer.error.bench', e);
  } finally {
    try { bench?.free(); } catch { /* already freed */ }
    try { pg.free(); } catch { /* already freed */ }
  }
}

// ---------------------------------------------------------------- the answer's parts

/** The bench's row of `method`, or undefined (skipped, or not in this report). */
const rowOf = (data, method) => data.bench?.rows?.find((r) => r.method === method);
/** The rendered reason why the bench skipped `method`, or null. */
function skippedReason(data, method) {
  const skipped = data.bench?.skipped?.find((s) => s.method === method);
  return skipped ? render(skipped.reason) : null;
}
/** The test samples the accuracies are over (the teacher's row, else the distilled student's). */
const testSamples = (data) => (rowOf(data, 'teacher') ?? rowOf(data, 'kd'))?.test_samples;

/** The values every section quotes: T, α, the two models. */
function runValues(data) {
  const teacher = rowOf(data, 'teacher');
  const kd = rowOf(data, 'kd');
  return {
    T: temperatureText(data.settings.temperature),
    alpha: alphaText(data.settings.alpha),
    beta: alphaText(1 - data.settings.alpha),
    teacherLayers: layersText(data.teacher.layers),
    teacherParams: params(data.teacher.parameters),
    teacherBytes: teacher ? bytes(teacher.bytes) : '—',
    studentLayers: layersText(data.student.layers),
    studentParams: params(data.student.parameters),
    studentBytes: kd ? bytes(kd.bytes) : '—',
    teacherEpochs: data.settings.teacherEpochs,
    studentEpochs: data.settings.studentEpochs,
    dataset: datasetLabel(data.dataset),
  };
}

/** A section: its heading and content (data-section names it for the tests and the print styles). */
function section(name, titleKey, ...content) {
  return h('section', { className: 'ans-section', dataset: { section: name } }, h('h2', { text: t(titleKey) }), ...content);
}

/** A paragraph of catalogue text (with its light markup). */
function para(text, className) {
  const p = h('p', { className });
  appendRich(p, text);
  return p;
}

/**
 * A table: caption, header cells (texts) and rows (<tr> nodes). Each data cell gets its column's header as
 * data-label: on narrow screens the rows read as cards, each value under its label.
 */
function table({ className, caption, head, rows }) {
  for (const tr of rows) {
    if (!tr) continue;
    [...tr.children].forEach((cell, i) => {
      if (cell.tagName === 'TD' && cell.colSpan === 1 && head[i]) cell.dataset.label = head[i];
    });
  }
  return h('div', { className: 'ans-table-wrap' },
    h('table', { className: `ans-table ${className ?? ''}` },
      caption ? h('caption', { text: caption }) : null,
      h('thead', {}, h('tr', {}, head.map((text) => h('th', { scope: 'col', text })))),
      h('tbody', {}, rows)));
}

/** A measured number's cell: its text, and the engine's value in data-value (the tests compare both). */
function numberCell(text, value, field) {
  return h('td', { className: 'num', text, dataset: { field, value: String(value ?? '') } });
}

// 1. 정의
function definitionSection(data, v) {
  const parts = [para(t('answer.s1.text'))];
  parts.push(para(t('answer.s1.run', {
    teacherParams: v.teacherParams, teacherLayers: v.teacherLayers, studentParams: v.studentParams,
    studentLayers: v.studentLayers, dataset: v.dataset, ratio: times(data.teacher.parameters / data.student.parameters),
  }), 'ans-run'));
  if (data.settings.method && data.settings.method !== 'kd') {
    parts.push(para(t('answer.method.other', { method: t(`method.name.${data.settings.method}`) }), 'ans-note'));
  }
  return section('definition', 'answer.s1.title', ...parts);
}

// 2. 구성도
/**
 * The diagram's two layouts: wide (screens and paper) and tall (narrow screens). Boxes: x, y, width, height;
 * arrows: points, kind (ink, soft, hard, grad) and an optional label at a point.
 */
const LAYOUTS = {
  wide: {
    width: 900,
    height: 350,
    boxes: {
      data: [10, 40, 130, 295], teacher: [180, 28, 220, 92], student: [180, 150, 220, 80],
      soft: [440, 35, 190, 78], out: [440, 150, 190, 80], hard: [440, 277, 190, 60], loss: [670, 130, 220, 100],
    },
    arrows: [
      { points: [[140, 74], [178, 74]] },
      { points: [[140, 190], [178, 190]] },
      { points: [[140, 307], [438, 307]], kind: 'hard' },
      { points: [[400, 74], [438, 74]] },
      { points: [[400, 190], [438, 190]] },
      { points: [[630, 74], [780, 74], [780, 128]], kind: 'soft', label: ['KL', 788, 104] },
      { points: [[630, 190], [668, 190]] },
      { points: [[630, 307], [780, 307], [780, 232]], kind: 'hard', label: ['CE', 788, 274] },
      { points: [[700, 230], [700, 244], [290, 244], [290, 232]], kind: 'grad' },
    ],
    gradientLabel: [495, 264, 'middle'],
  },
  tall: {
    width: 400,
    height: 560,
    boxes: {
      data: [10, 10, 360, 50], teacher: [10, 92, 175, 100], student: [195, 92, 175, 100],
      soft: [10, 224, 175, 84], out: [195, 224, 175, 84], hard: [245, 338, 125, 62], loss: [10, 432, 360, 96],
    },
    arrows: [
      { points: [[97, 60], [97, 90]] },
      { points: [[282, 60], [282, 90]] },
      { points: [[370, 35], [388, 35], [388, 369], [372, 369]], kind: 'hard' },
      { points: [[97, 192], [97, 222]] },
      { points: [[282, 192], [282, 222]] },
      { points: [[97, 308], [97, 430]], kind: 'soft', label: ['KL', 104, 374] },
      { points: [[215, 308], [215, 430]] },
      { points: [[307, 400], [307, 430]], kind: 'hard', label: ['CE', 314, 420] },
      { points: [[190, 430], [190, 150], [193, 150]], kind: 'grad' },
    ],
    gradientLabel: [190, 548, 'middle'],
  },
};

/** The flow of distillation in one layout, labelled with the run's values. */
function diagram(v, layoutName) {
  const layout = LAYOUTS[layoutName];
  const id = (part) => `ans-diagram-${layoutName}-${part}`;
  const root = svg('svg', {
    viewBox: `0 0 ${layout.width} ${layout.height}`, class: `ans-diagram ans-diagram-${layoutName}`, role: 'img',
    'aria-labelledby': `${id('title')} ${id('desc')}`,
  });
  root.append(svg('title', { id: id('title') }, t('answer.svg.title')));
  root.append(svg('desc', { id: id('desc') }, t('answer.svg.desc', v)));
  const defs = svg('defs');
  for (const kind of ['ink', 'soft', 'hard', 'grad']) {
    const marker = svg('marker', { id: id(`arrow-${kind}`), viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: `ans-arrowhead ans-${kind}` }));
    defs.append(marker);
  }
  root.append(defs);

  const boxLines = {
    data: [t('answer.svg.data'), t('answer.svg.dataSub'), v.dataset],
    teacher: [t('answer.svg.teacher'), v.teacherLayers, t('answer.svg.params', { n: v.teacherParams }), t('answer.svg.frozen')],
    student: [t('answer.svg.student'), v.studentLayers, t('answer.svg.params', { n: v.studentParams })],
    soft: [t('answer.svg.soft'), t('answer.svg.softSub'), t('answer.svg.softT', { T: v.T })],
    out: [t('answer.svg.studentOut'), t('answer.svg.studentOutSub'), t('answer.svg.studentOutSub1')],
    hard: [t('answer.svg.hard'), t('answer.svg.hardSub')],
    loss: [t('answer.svg.loss'), 'α·T²·KL + (1 − α)·CE', t('answer.svg.lossValues', { T: v.T, alpha: v.alpha })],
  };
  // the tall layout puts the data's three lines on two
  if (layoutName === 'tall') boxLines.data = [`${t('answer.svg.data')} ${t('answer.svg.dataSub')}`, v.dataset];
  for (const [name, [x, y, w, hgt]] of Object.entries(layout.boxes)) {
    const g = svg('g', { class: `ans-box ans-box-${name}`, 'data-box': name });
    g.append(svg('rect', { x, y, width: w, height: hgt, rx: 8 }));
    const lines = boxLines[name];
    lines.forEach((line, i) => {
      const ty = y + hgt / 2 + (i - (lines.length - 1) / 2) * 20 + 5;
      const cls = i === 0 ? 'ans-svg-strong' : name === 'teacher' && i === 3 ? 'ans-svg-note' : 'ans-svg-sub';
      g.append(svg('text', { x: x + w / 2, y: ty, 'text-anchor': 'middle', class: cls, 'data-max-width': w - 12 }, line));
    });
    root.append(g);
  }
  for (const { points, kind = 'ink', label } of layout.arrows) {
    const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x},${y}`).join(' ');
    root.append(svg('path', { d, class: `ans-arrow ans-${kind}`, 'marker-end': `url(#${id(`arrow-${kind}`)})` }));
    if (label) root.append(svg('text', { x: label[1], y: label[2], class: `ans-svg-label ans-${kind}-ink` }, label[0]));
  }
  const [gx, gy, anchor] = layout.gradientLabel;
  root.append(svg('text', { x: gx, y: gy, 'text-anchor': anchor, class: 'ans-svg-label ans-grad-ink', 'data-max-width': layout.width - 20 }, t('answer.svg.gradient')));
  return root;
}

/** Keeps "T = 4" on one line: the spaces around '=' in the sheet's texts (not the diagram's) become no-break spaces. */
function tieEquations(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement?.closest('svg') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.data.includes(' = ')) node.data = node.data.replaceAll(' = ', '\u00a0=\u00a0');
  }
  for (const cell of root.querySelectorAll('[data-label]')) cell.dataset.label = cell.dataset.label.replaceAll(' = ', '\u00a0=\u00a0');
}

/** Shrinks SVG texts wider than their data-max-width (long translations) to fit; hidden ones wait. */
function fitTexts(container) {
  for (const node of container.querySelectorAll('text[data-max-width]')) {
    const max = Number(node.getAttribute('data-max-width'));
    node.removeAttribute('textLength');
    node.removeAttribute('lengthAdjust');
    let width = 0;
    try { width = node.getComputedTextLength(); } catch { width = 0; }
    if (width > max && max > 0) {
      node.setAttribute('textLength', String(max));
      node.setAttribute('lengthAdjust', 'spacingAndGlyphs');
    }
  }
}

function diagramSection(v) {
  return section('diagram', 'answer.s2.title',
    h('figure', { className: 'ans-figure' },
      h('div', { className: 'ans-diagram-box' }, diagram(v, 'wide'), diagram(v, 'tall')),
      h('figcaption', { text: t('answer.s2.caption', v) })));
}

// 3. 구성요소
function componentsSection(data, v) {
  const sample = data.sample;
  const kd = rowOf(data, 'kd');
  const teacher = rowOf(data, 'teacher');
  const runText = {
    teacher: t('answer.s3.teacher.run', { layers: v.teacherLayers, params: v.teacherParams, accuracy: accuracy(teacher?.test_accuracy ?? data.teacher.testAccuracy) }),
    student: t('answer.s3.student.run', { layers: v.studentLayers, params: v.studentParams, accuracy: accuracy(kd?.test_accuracy ?? data.student.kdTestAccuracy) }),
    temperature: t('answer.s3.temperature.run', { T: v.T }),
    soft: sample
      ? t('answer.s3.soft.run', {
        index: sample.index, className: sample.className, T: v.T,
        pT: probability(sample.teacherAtT[sample.label]), pT1: probability(sample.teacherT1[sample.label]),
      })
      : t('answer.s3.soft.none'),
    hard: t('answer.s3.hard.run', { classes: data.classNames.length, names: data.classNames.join(', ') }),
    loss: t('answer.s3.loss.run', { alpha: v.alpha, beta: v.beta }),
    transfer: t('answer.s3.transfer.run', { dataset: v.dataset, epochs: v.studentEpochs }),
  };
  const rows = Object.entries(runText).map(([part, run]) => h('tr', { dataset: { part } },
    h('th', { scope: 'row', text: t(`answer.s3.${part}.name`) }),
    h('td', { text: t(`answer.s3.${part}.role`) }),
    h('td', { className: 'ans-run-cell', text: run })));
  return section('components', 'answer.s3.title', table({
    className: 'ans-components', caption: t('answer.s3.caption'),
    head: [t('answer.s3.col.component'), t('answer.s3.col.role'), t('answer.s3.col.run')], rows,
  }));
}

/** The sample's classes the teacher gives the most probability at T (most first). */
function topClasses(sample) {
  return sample.teacherAtT.map((p, c) => [p, c]).sort((a, b) => b[0] - a[0]).slice(0, SAMPLE_CLASSES).map(([, c]) => c);
}

/** The wrong class the teacher gives the most probability at T. */
function topWrongClass(sample) {
  let best = null;
  sample.teacherAtT.forEach((p, c) => { if (c !== sample.label && (best === null || p > sample.teacherAtT[best])) best = c; });
  return best;
}

// 4. soft and hard labels
function sampleSection(data, v) {
  const sample = data.sample;
  if (!sample) return section('sample', 'answer.s4.title', para(t('answer.s4.none')));
  const classes = topClasses(sample);
  const name = (c) => data.classNames[c] ?? String(c);
  const rows = classes.map((c) => h('tr', { dataset: { class: String(c) }, className: c === sample.label ? 'ans-true' : null },
    h('th', { scope: 'row', text: c === sample.label ? t('answer.s4.trueClass', { className: name(c) }) : name(c) }),
    numberCell(probability(sample.hardLabel[c]), sample.hardLabel[c], 'hardLabel'),
    numberCell(probability(sample.teacherT1[c]), sample.teacherT1[c], 'teacherT1'),
    numberCell(probability(sample.teacherAtT[c]), sample.teacherAtT[c], 'teacherAtT'),
    numberCell(probability(sample.kdStudentT1[c]), sample.kdStudentT1[c], 'kdStudentT1'),
    numberCell(probability(sample.controlStudentT1[c]), sample.controlStudentT1[c], 'controlStudentT1')));
  const wrong = topWrongClass(sample);
  return section('sample', 'answer.s4.title',
    para(t('answer.s4.lead', { index: sample.index, className: sample.className, T: v.T, k: classes.length })),
    table({
      className: 'ans-sample',
      caption: t('answer.s4.caption', { index: sample.index, rest: sample.teacherAtT.length - classes.length }),
      head: [t('answer.s4.col.class'), t('answer.s4.col.hard'), t('answer.s4.col.teacherT1'), t('answer.s4.col.teacherT', { T: v.T }),
        t('answer.s4.col.kd'), t('answer.s4.col.control')],
      rows,
    }),
    wrong === null ? null : para(t('answer.s4.reading', {
      className: sample.className, wrong: name(wrong), T: v.T,
      pT1: probability(sample.teacherT1[wrong]), pT: probability(sample.teacherAtT[wrong]),
    })));
}

// 5. the loss
function lossSection(data, v) {
  const sample = data.sample;
  const formula = h('p', { className: 'ans-formula' });
  appendRich(formula, t('answer.s5.formula'));
  const parts = [formula, para(t('answer.s5.where'))];
  if (!sample) return section('loss', 'answer.s5.title', ...parts, para(t('answer.s5.none')));
  const soft = loss(sample.softLoss);
  const hard = loss(sample.hardLoss);
  const total = loss(sample.totalLoss);
  const math = (text) => {
    const cell = h('td', { className: 'ans-math' });
    appendRich(cell, text);
    return cell;
  };
  const row = (name, formulaText, text, value, field) => h('tr', { dataset: { term: field } },
    h('th', { scope: 'row', text: t(name) }), math(formulaText), numberCell(text, value, field));
  parts.push(para(t('answer.s5.values', { T: v.T, alpha: v.alpha, index: sample.index })));
  parts.push(table({
    className: 'ans-loss', caption: t('answer.s5.caption', { index: sample.index }),
    head: [t('answer.s5.col.term'), t('answer.s5.col.formula'), t('answer.s5.col.value')],
    rows: [
      row('answer.s5.row.soft', 'T²·KL(p_{t}(T) ‖ p_{s}(T))', soft, sample.softLoss, 'softLoss'),
      row('answer.s5.row.hard', 'CE(y, p_{s})', hard, sample.hardLoss, 'hardLoss'),
      row('answer.s5.row.total', 'α·soft + (1 − α)·hard', t('answer.s5.total', { alpha: v.alpha, beta: v.beta, soft, hard, total }), sample.totalLoss, 'totalLoss'),
    ],
  }));
  // which term carries this sample's loss: the weighted terms, as the engine's total adds them
  const softShare = sample.alpha * sample.softLoss;
  const hardShare = (1 - sample.alpha) * sample.hardLoss;
  parts.push(para(t(softShare >= hardShare ? 'answer.s5.softLarger' : 'answer.s5.hardLarger')));
  return section('loss', 'answer.s5.title', ...parts);
}

// 6. 비교표
function comparisonSection(data, v) {
  const bench = data.bench;
  const transfer = bench.transfer;
  const howParams = { epochs: bench.fine_tune_epochs, samples: bench.calibration_samples, labels: transfer?.labels };
  // the transfer demonstration's labels, when it ran (else the need without a number)
  const needs = (m) => (m === 'transfer' && !transfer ? 'answer.how.transfer.needsNone' : `answer.how.${m}.needs`);
  const howRows = TECHNIQUES.map((m) => h('tr', { dataset: { method: m } },
    h('th', { scope: 'row', text: t(`answer.entry.${m}`).replace(/\s*†$/, '') }),
    h('td', { text: t(`answer.how.${m}.changes`, howParams) }),
    h('td', { text: t(needs(m), howParams) }),
    h('td', { text: t(`answer.how.${m}.gain`, howParams) })));
  const n = testSamples(data);
  const measuredRows = ENTRIES.map((m) => {
    const row = rowOf(data, m);
    const reason = row ? null : skippedReason(data, m);
    if (!row && !reason) return null;
    const head = h('th', { scope: 'row', text: t(`answer.entry.${m}`) });
    if (!row) {
      return h('tr', { dataset: { method: m, skipped: 'true' }, className: 'ans-skipped' },
        head, h('td', { colSpan: 6, text: t('answer.s6.notMeasured', { reason }) }));
    }
    return h('tr', { dataset: { method: m }, className: row.new_task ? 'ans-new-task' : null },
      head,
      h('td', { className: 'num ans-layers', text: layersText(row.sizes), dataset: { field: 'sizes', value: row.sizes.join(',') } }),
      numberCell(params(row.parameters), row.parameters, 'parameters'),
      numberCell(params(row.nonzero_parameters), row.nonzero_parameters, 'nonzero_parameters'),
      numberCell(bytes(row.bytes), row.bytes, 'bytes'),
      numberCell(micros(row.inference_us_per_sample), row.inference_us_per_sample, 'inference_us_per_sample'),
      numberCell(accuracy(row.test_accuracy), row.test_accuracy, 'test_accuracy'));
  });
  const name = (c) => data.classNames[c] ?? String(c);
  const transferRow = rowOf(data, 'transfer');
  return section('comparison', 'answer.s6.title',
    table({
      className: 'ans-how', caption: t('answer.s6.how'),
      head: [t('answer.s6.col.technique'), t('answer.s6.col.changes'), t('answer.s6.col.needs'), t('answer.s6.col.gain')],
      rows: howRows,
    }),
    table({
      className: 'ans-measured', caption: t('answer.s6.measured', { dataset: v.dataset, n: n ?? '—' }),
      head: [t('answer.s6.col.model'), t('answer.s6.col.layers'), t('answer.s6.col.parameters'), t('answer.s6.col.nonzero'),
        t('answer.s6.col.bytes'), t('answer.s6.col.time'), t('answer.s6.col.accuracy')],
      rows: measuredRows,
    }),
    transfer && transferRow ? para(t('answer.s6.newTask', {
      source: transfer.source_classes.map(name).join(', '), target: transfer.target_classes.map(name).join(', '),
      sourceAccuracy: accuracy(transfer.source_accuracy), labels: transfer.labels, epochs: transfer.epochs, n: transferRow.test_samples,
    }), 'ans-note') : null,
    para(t('answer.s6.files'), 'ans-note'));
}

// 7. 장점/활용
/** The measured advantages: each sentence is chosen by the numbers it quotes. */
function advantages(data) {
  const teacher = rowOf(data, 'teacher');
  const kd = rowOf(data, 'kd');
  const control = rowOf(data, 'control');
  const out = [];
  const timed = (row) => typeof row?.inference_us_per_sample === 'number' && row.inference_us_per_sample > 0;
  if (teacher && kd) {
    out.push(t('answer.adv.size', {
      ratio: times(teacher.bytes / kd.bytes), teacherBytes: bytes(teacher.bytes), studentBytes: bytes(kd.bytes),
      teacherParams: params(teacher.parameters), studentParams: params(kd.parameters),
    }));
    if (timed(teacher) && timed(kd)) {
      const faster = kd.inference_us_per_sample < teacher.inference_us_per_sample;
      out.push(t(faster ? 'answer.adv.faster' : 'answer.adv.notFaster', {
        studentUs: micros(kd.inference_us_per_sample), teacherUs: micros(teacher.inference_us_per_sample),
        ratio: times(teacher.inference_us_per_sample / kd.inference_us_per_sample),
      }));
    }
    const n = teacher.test_samples;
    const below = correct(kd.test_accuracy, n) < correct(teacher.test_accuracy, n);
    out.push(t(below ? 'answer.adv.belowTeacher' : 'answer.adv.notBelowTeacher', {
      kd: accuracy(kd.test_accuracy), teacher: accuracy(teacher.test_accuracy), diff: points(kd.test_accuracy - teacher.test_accuracy),
    }));
  }
  if (kd && control) {
    const n = kd.test_samples;
    const gap = correct(kd.test_accuracy, n) - correct(control.test_accuracy, n);
    const key = gap > 0 ? 'answer.adv.kdBetter' : gap < 0 ? 'answer.adv.kdWorse' : 'answer.adv.kdTie';
    out.push(t(key, {
      kd: accuracy(kd.test_accuracy), control: accuracy(control.test_accuracy),
      diff: points(kd.test_accuracy - control.test_accuracy), count: Math.abs(gap), n,
    }));
  }
  const int8 = rowOf(data, 'int8');
  const kernel = data.bench.int8_kernel;
  if (teacher && int8) {
    out.push(t('answer.adv.int8', {
      ratio: times(teacher.bytes / int8.bytes), teacherBytes: bytes(teacher.bytes), int8Bytes: bytes(int8.bytes),
      int8Accuracy: accuracy(int8.test_accuracy), teacherAccuracy: accuracy(teacher.test_accuracy),
    }));
    if (timed(teacher) && timed(int8)) {
      const faster = int8.inference_us_per_sample < teacher.inference_us_per_sample;
      out.push(t(faster ? 'answer.adv.int8Faster' : 'answer.adv.int8Slower', {
        int8Us: micros(int8.inference_us_per_sample), teacherUs: micros(teacher.inference_us_per_sample), kernel,
      }));
    }
  }
  const kdInt8 = rowOf(data, 'kd-int8');
  if (teacher && kdInt8) {
    out.push(t('answer.adv.combined', {
      ratio: times(teacher.bytes / kdInt8.bytes), bytes: bytes(kdInt8.bytes), accuracy: accuracy(kdInt8.test_accuracy),
    }));
    if (kd && timed(kd) && timed(kdInt8)) {
      const faster = kdInt8.inference_us_per_sample < kd.inference_us_per_sample;
      out.push(t(faster ? 'answer.adv.combinedFaster' : 'answer.adv.combinedSlower', {
        us: micros(kdInt8.inference_us_per_sample), kdUs: micros(kd.inference_us_per_sample),
      }));
    }
  }
  const pruned = rowOf(data, 'prune-weights');
  if (teacher && pruned) {
    out.push(t('answer.adv.pruneWeights', {
      nonzero: params(pruned.nonzero_parameters), params: params(pruned.parameters), bytes: bytes(pruned.bytes),
      accuracy: accuracy(pruned.test_accuracy), us: micros(pruned.inference_us_per_sample), teacherUs: micros(teacher.inference_us_per_sample),
    }));
  }
  const neurons = rowOf(data, 'prune-neurons');
  if (neurons && kd) {
    out.push(t('answer.adv.pruneNeurons', {
      layers: layersText(neurons.sizes), params: params(neurons.parameters), us: micros(neurons.inference_us_per_sample),
      accuracy: accuracy(neurons.test_accuracy), kdAccuracy: accuracy(kd.test_accuracy), kdParams: params(kd.parameters),
    }));
  }
  const transfer = rowOf(data, 'transfer');
  const scratch = rowOf(data, 'transfer-scratch');
  if (transfer && scratch && data.bench.transfer) {
    const helped = correct(transfer.test_accuracy, transfer.test_samples) > correct(scratch.test_accuracy, scratch.test_samples);
    out.push(t(helped ? 'answer.adv.transferHelped' : 'answer.adv.transferDidNot', {
      accuracy: accuracy(transfer.test_accuracy), scratch: accuracy(scratch.test_accuracy), labels: data.bench.transfer.labels,
    }));
  }
  return out;
}

function advantagesSection(data, v, source) {
  const list = (items) => h('ul', {}, items.map((text) => h('li', { text })));
  return section('advantages', 'answer.s7.title',
    h('h3', { text: t('answer.s7.measured') }),
    h('ul', { className: 'ans-measured-list' }, advantages(data).map((text) => h('li', { text }))),
    h('h3', { text: t('answer.s7.uses') }),
    list(['edge', 'serving', 'ensemble', 'combine', 'unlabelled'].map((k) => t(`answer.use.${k}`))),
    h('h3', { text: t('answer.s7.limits') }),
    list(['teacher', 'gain'].map((k) => t(`answer.limit.${k}`))),
    para(t(source === 'stored' ? 'answer.source.stored' : 'answer.source.trained', {
      dataset: v.dataset, seed: data.settings.seed, T: v.T, alpha: v.alpha, teacherEpochs: v.teacherEpochs,
      studentEpochs: v.studentEpochs, n: testSamples(data) ?? '—', kernel: data.bench.int8_kernel,
    }), 'ans-source'));
}

/** The whole answer for `data` in the current language. */
function answerSheet(data, source) {
  const v = runValues(data);
  return [
    h('header', { className: 'ans-head' },
      h('p', { className: 'ans-kicker', text: t(source === 'stored' ? 'answer.kicker.stored' : 'answer.kicker.trained') }),
      h('h1', { text: t('answer.title') }),
      h('p', { className: 'ans-question', text: t('answer.question') })),
    definitionSection(data, v),
    diagramSection(v),
    componentsSection(data, v),
    sampleSection(data, v),
    lossSection(data, v),
    comparisonSection(data, v),
    advantagesSection(data, v, source),
  ];
}

// ---------------------------------------------------------------- the page

/** The page's state: what it shows, redrawn when the language changes. */
function createPage() {
  const state = { data: null, source: null, progress: null, fraction: 0, failure: null, why: false, seed: null };

  const drawWorking = () => {
    byId('working-why').hidden = !state.why;
    if (state.why) byId('working-why').textContent = t('answer.progress.why', { dataset: datasetLabel(DEFAULT_RUN.dataset), seed: state.seed });
    byId('working-line').textContent = state.progress ? t(state.progress.key, state.progress.params) : '';
    byId('working-bar').value = state.fraction;
    const error = byId('working-error');
    error.hidden = !state.failure;
    if (state.failure) {
      const { key, params: values, cause } = state.failure;
      error.replaceChildren(h('span', { text: t(key, { ...values, message: messageOf(cause) }) }), ' ', h('span', { text: t('answer.error.hint') }));
    }
    byId('working').hidden = Boolean(state.data) && !state.failure;
  };

  const drawSheet = () => {
    const sheet = byId('answer');
    if (!state.data) { sheet.hidden = true; return; }
    try {
      sheet.replaceChildren(...answerSheet(state.data, state.source));
    } catch (e) {
      console.warn('answer:', e);
      state.failure = { key: 'answer.error.render', params: {}, cause: e };
      state.data = null;
      sheet.hidden = true;
      drawWorking();
      document.body.dataset.ready = 'failed';
      return;
    }
    tieEquations(sheet);
    sheet.hidden = false;
    fitTexts(sheet);
  };

  const draw = () => {
    document.title = t('answer.pageTitle');
    translatePage(byId('toolbar'));
    translatePage(byId('working'));
    byId('lang').value = language();
    drawWorking();
    drawSheet();
  };

  return {
    state,
    draw,
    fit: () => fitTexts(byId('answer')),
    progress(message, fraction) {
      state.progress = message;
      state.fraction = fraction;
      drawWorking();
    },
    fail(failure) {
      state.failure = failure;
      drawWorking();
      document.body.dataset.ready = 'failed';
    },
    show(data, source) {
      state.data = data;
      state.source = source;
      state.progress = null;
      drawWorking();
      drawSheet();
      if (!state.data) return;
      window.__answer = Object.freeze({ source, data });
      document.body.dataset.source = source;
      byId('print').disabled = false;
      document.body.dataset.ready = 'true';
    },
  };
}

/** The language of the URL's hash (#lang=ko), or the default. */
function hashLanguage() {
  return languageOf(window.location.hash, LANGUAGES.map((l) => l.code)) ?? DEFAULT_LANGUAGE;
}

/** The language switch: the select's choices, its change (into the hash), and the hash's change. */
function installLanguageSwitch() {
  const select = byId('lang');
  select.replaceChildren(...LANGUAGES.map((l) => h('option', { value: l.code, text: l.name, attrs: { lang: l.code } })));
  select.value = language();
  select.addEventListener('change', () => {
    const lang = select.value;
    if (!isLanguage(lang)) return;
    window.history.replaceState(null, '', `#lang=${lang}`);
    setLanguage(lang);
  });
  window.addEventListener('hashchange', () => setLanguage(hashLanguage()));
}

async function start() {
  const page = createPage();
  // the panels' part of the catalogues (answer.*) comes with every language loaded
  loadPanelTexts();
  const first = hashLanguage();
  const missing = missingFeature(); // a browser without WebAssembly SIMD is told so, not shown a compile error
  const engineLoading = missing
    ? Promise.reject(new Error(missing))
    : import('./pkg/kd_playground.js').then(async (module) => { await module.default(); return module; });
  engineLoading.catch(() => {}); // a failure is said below, in the learner's language
  const loaded = await loadLanguage(first).catch(() => false);
  if (!loaded && first !== DEFAULT_LANGUAGE) await loadLanguage(DEFAULT_LANGUAGE).catch(() => false);
  setLanguage(loaded ? first : DEFAULT_LANGUAGE);
  installLanguageSwitch();
  store.onChange((keys) => { if (keys.includes('language')) page.draw(); });
  byId('print').addEventListener('click', () => window.print());
  // the diagram's texts are fitted once shown: the tall layout appears on narrow screens only
  window.matchMedia('(max-width: 620px)').addEventListener('change', () => page.fit());
  page.draw();

  let kept = null;
  try { kept = readAnswer(window.localStorage); } catch { kept = null; /* storage switched off */ }

  let engine = null;
  if (!kept) page.progress({ key: 'answer.progress.engine', params: {} }, 0);
  try {
    engine = await engineLoading;
    applyPalette(engine.palette());
  } catch (e) {
    // the kept answer needs no engine (only its colours, which have fallbacks): without one, nothing can be trained
    if (!kept) return page.fail(missing ? { key: missingFeatureKey(missing), params: {} } : { key: 'answer.error.engine', params: {}, cause: e });
    console.warn('answer: the engine (for its palette):', e);
  }
  if (kept) return page.show(kept, 'stored');

  page.state.why = true;
  page.state.seed = defaultSeed(engine);
  try {
    const data = await trainDefault(engine, (message, fraction) => page.progress(message, fraction));
    page.show(data, 'trained');
  } catch (e) {
    console.warn('answer:', e);
    page.fail(e.answerStep ?? { key: 'answer.error.train', params: {}, cause: e });
  }
}

start();
