// Rendering helpers: canvas sizing and the text views (phase, data/model info, sample table, latest numbers,
// the text alternatives of the charts). Everything shown here is a number the engine returned, only formatted,
// in words from the catalogue (./i18n.js). User-visible text is always set with textContent (never innerHTML).

import { t } from './i18n.js';

const MINUS = '\u2212';

// Each canvas's CSS box, kept up to date by a ResizeObserver: reading it with getBoundingClientRect() on every
// redraw forced the browser to lay out the page again after each DOM change (a fifth of the time while training).
const boxes = new WeakMap();
const resizes = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const e of entries) {
      const border = e.borderBoxSize?.[0];
      boxes.set(e.target, border ? { width: border.inlineSize, height: border.blockSize } : { width: e.contentRect.width, height: e.contentRect.height });
    }
  })
  : null;

/**
 * Sizes a canvas's pixel buffer to its CSS box × devicePixelRatio, or clears it when it has that size already.
 * Returns false when it is not displayed.
 */
export function sizeCanvas(canvas) {
  let box = resizes ? boxes.get(canvas) : null;
  if (!box) {
    const rect = canvas.getBoundingClientRect();
    box = { width: rect.width, height: rect.height };
    if (resizes) {
      boxes.set(canvas, box);
      resizes.observe(canvas);
    }
  }
  if (box.width < 1 || box.height < 1) return false;
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(box.width * dpr));
  const height = Math.max(1, Math.round(box.height * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  } else {
    canvas.getContext('2d')?.clearRect(0, 0, width, height);
  }
  return true;
}

export function fmt(x, digits = 3) {
  if (typeof x !== 'number') return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : `${MINUS}∞`;
  const a = Math.abs(x);
  const s = a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : x.toFixed(digits);
  return s.replaceAll('-', MINUS);
}

export function pct(x, digits = 1) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

export function int(x) {
  return typeof x === 'number' ? x.toLocaleString('en-US') : '—';
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}


/** `key.one` when n is 1, else `key.many`. */
function plural(key, n, params) {
  return t(`${key}.${n === 1 ? 'one' : 'many'}`, { n, ...params });
}

/** "Training the teacher — epoch 12/40" and the progress fraction. */
export function describeStatus(st) {
  const bpe = Math.max(1, st.batchesPerEpoch || 1);
  const total = (st.teacherEpochs + st.studentEpochs) * bpe;
  let text;
  let done;
  let detail = '';
  switch (st.phase) {
    case 'teacher':
      text = t('status.teacher', { epoch: st.epoch, of: st.teacherEpochs });
      done = st.epoch * bpe + st.batch;
      detail = t('status.batch', { batch: st.batch, of: bpe });
      break;
    case 'distil':
      text = t('status.distil', { epoch: st.epoch, of: st.studentEpochs });
      done = (st.teacherEpochs + st.epoch) * bpe + st.batch;
      detail = t('status.batch', { batch: st.batch, of: bpe });
      break;
    case 'done':
      text = t('status.done');
      done = total;
      detail = t('status.doneDetail', { teacher: st.teacherEpochs, students: st.studentEpochs });
      break;
    case 'diverged':
      text = t('status.diverged');
      done = null;
      break;
    default:
      text = String(st.phase);
      done = 0;
  }
  return { text, detail, done, total, steps: st.steps };
}

/** "Teacher 2→64→64→3 · 4,547 parameters" */
export function renderModelInfo(container, info) {
  container.replaceChildren();
  const line = (who, m, key) => {
    const p = el('p', 'model-line');
    p.append(el('strong', null, who), ` ${t(key, { layers: m.layers.join('→'), n: int(m.parameters) })}`);
    return p;
  };
  container.append(line(t('model.teacher'), info.teacher, 'model.parameters'));
  container.append(line(t('model.students'), info.student, 'model.parametersEach'));
  const ratio = info.student.parameters > 0 ? info.teacher.parameters / info.student.parameters : null;
  const extra = [info.activation, info.optimizer].filter(Boolean).join(' · ');
  const shared = t('model.shared');
  const larger = ratio ? t('model.larger', { ratio: ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1) }) : '';
  container.append(el('p', 'model-note', `${shared}${larger || '.'}${extra ? ` (${extra})` : ''}`));
}

export function renderDataInfo(container, info) {
  container.replaceChildren();
  const p = el('p', 'data-line');
  p.append(el('strong', null, t('data.train', { n: int(info.nTrain) })), ' / ', el('strong', null, t('data.test', { n: int(info.nTest) })),
    ` ${t('data.shape', { features: info.nFeatures, classes: info.nClasses })}`);
  container.append(p);
  if (info.classNames?.length && info.classNames.length <= 10) {
    container.append(el('p', 'data-classes', t('data.classes', { list: info.classNames.join(', ') })));
  }
}

const ROWS = [
  { key: 'hard', field: 'hardLabel', label: () => t('row.hard') },
  { key: 'teacherT1', field: 'teacherT1', label: () => t('row.teacherT1') },
  { key: 'teacherAtT', field: 'teacherAtT', label: (T) => t('row.teacherAtT', { T }) },
  { key: 'kdStudentAtT', field: 'kdStudentAtT', label: (T) => t('row.kdAtT', { T }) },
  { key: 'controlStudentAtT', field: 'controlStudentAtT', label: (T) => t('row.controlAtT', { T }) },
];

/** The accessible table of the selected sample's labels (the e2e test reads it too). */
export function renderSampleTable(table, sample, classNames, tText) {
  const n = sample.hardLabel.length;
  const names = classNames?.length === n ? classNames : Array.from({ length: n }, (_, i) => String(i));
  const digits = n > 5 ? 2 : 3;

  const caption = table.caption ?? table.createCaption();
  caption.className = 'visually-hidden';
  caption.textContent = t('sample.caption');
  const thead = table.tHead ?? table.createTHead();
  const headRow = document.createElement('tr');
  const corner = el('th', 'corner', t('sample.classCorner'));
  corner.scope = 'col';
  headRow.append(corner);
  names.forEach((name, i) => {
    const th = el('th', i === sample.label ? 'true-class' : '', name);
    th.scope = 'col';
    if (i === sample.label) th.title = t('sample.trueClass');
    headRow.append(th);
  });
  thead.replaceChildren(headRow);

  const tbody = table.tBodies[0] ?? table.createTBody();
  const rows = [];
  for (const row of ROWS) {
    const values = sample[row.field] ?? [];
    const tr = document.createElement('tr');
    tr.dataset.row = row.key;
    const th = el('th', null, row.label(tText));
    th.scope = 'row';
    tr.append(th);
    let best = -1;
    values.forEach((v, i) => { if (best < 0 || v > values[best]) best = i; });
    values.forEach((v, i) => {
      const td = el('td', i === sample.label ? 'true-class' : '', typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : fmt(v));
      td.dataset.value = String(v);
      td.style.setProperty('--p', String(Math.max(0, Math.min(1, Number(v) || 0))));
      if (i === best && row.key !== 'hard') td.classList.add('argmax');
      tr.append(td);
    });
    rows.push(tr);
  }
  tbody.replaceChildren(...rows);
}

/** The selected sample's loss terms. */
export function renderSampleLoss(p, s) {
  p.replaceChildren();
  const term = (name, value, title) => {
    const span = el('span', 'term');
    span.title = title;
    span.append(`${name} = `, el('strong', null, fmt(value)));
    return span;
  };
  p.append(`${t('sample.lossLead')} `,
    term('T²·KL', s.softLoss, t('sample.softTitle')), ' · ',
    term('CE', s.hardLoss, t('sample.hardTitle')), ' · ',
    term(t('sample.total', { alpha: fmt(s.alpha, 2) }), s.totalLoss, 'α·T²·KL + (1 − α)·CE'));
}

export function describeSample(s, dataInfo) {
  const parts = [
    t(s.split === 'train' ? 'sample.train' : 'sample.test', { index: s.index }),
    t('sample.trueClassIs', { name: s.className ?? s.label }),
  ];
  const f = s.features ?? [];
  if (f.length > 0 && f.length <= 4) {
    const names = dataInfo?.featureNames?.length === f.length ? dataInfo.featureNames : f.map((_, i) => `x${i + 1}`);
    parts.push(names.map((n, i) => `${n} = ${fmt(f[i], 2)}`).join(', '));
  }
  return parts.join(' · ');
}

function signedPoints(diff) {
  const v = Math.abs(diff).toFixed(1);
  if (v === '0.0') return t('verdict.points', { value: '±0.0' });
  return t('verdict.points', { value: `${diff > 0 ? '+' : MINUS}${v}` });
}

/** The one-line comparison of the two students, only what the numbers say. */
export function verdictText(history, status, dataInfo) {
  const s = history.students ?? [];
  const tch = history.teacher ?? [];
  const last = s[s.length - 1];
  const started = status.phase === 'distil' || status.phase === 'done' || (status.phase === 'diverged' && last && last.epoch > 0);
  if (started && last && last.epoch > 0) {
    const diff = (last.kdTestAccuracy - last.controlTestAccuracy) * 100;
    const one = dataInfo?.nTest ? ` ${t('verdict.onePoint', { value: (100 / dataInfo.nTest).toFixed(dataInfo.nTest > 1000 ? 2 : 1) })}` : '';
    return {
      text: plural('verdict.students', last.epoch, {
        kd: pct(last.kdTestAccuracy), control: pct(last.controlTestAccuracy), diff: signedPoints(diff),
      }) + one,
      sign: Math.abs(diff) < 0.05 ? 0 : Math.sign(diff),
    };
  }
  if (status.phase === 'diverged') return { text: t('verdict.diverged'), sign: 0 };
  if (started) return { text: t('verdict.distilBegun'), sign: 0 };
  const lt = tch[tch.length - 1];
  if (lt && lt.epoch > 0) return { text: plural('verdict.teacher', lt.epoch, { acc: pct(lt.testAccuracy) }), sign: 0 };
  return { text: t('verdict.start'), sign: 0 };
}

/** Latest numbers as a definition list. */
export function renderLatest(dl, history, lastBatch) {
  dl.replaceChildren();
  const group = (title, items) => {
    const div = el('div', 'latest-group');
    div.append(el('dt', null, title));
    const dd = el('dd');
    items.forEach(([name, value, title2], i) => {
      if (i > 0) dd.append(' · ');
      const span = el('span', 'term');
      if (title2) span.title = title2;
      span.append(`${name} `, el('strong', null, value));
      dd.append(span);
    });
    div.append(dd);
    dl.append(div);
  };
  const tch = history.teacher?.[history.teacher.length - 1];
  if (tch) {
    group(t('latest.teacher', { epoch: tch.epoch }), [
      [t('latest.trainLoss'), fmt(tch.trainLoss)],
      [t('latest.trainAcc'), pct(tch.trainAccuracy)],
      [t('latest.testAcc'), pct(tch.testAccuracy)],
    ]);
  }
  const s = history.students?.[history.students.length - 1];
  if (s) {
    group(t('latest.kd', { epoch: s.epoch }), [
      [t('latest.soft'), fmt(s.softLoss), t('latest.softTitle')],
      [t('latest.hardCe'), fmt(s.hardLoss)],
      [t('latest.total'), fmt(s.totalLoss), t('latest.totalTitle', { T: fmt(s.temperature, 2), alpha: fmt(s.alpha, 2) })],
      [t('latest.trainAcc'), pct(s.kdTrainAccuracy)],
      [t('latest.testAcc'), pct(s.kdTestAccuracy)],
    ]);
    group(t('latest.control', { epoch: s.epoch }), [
      [t('latest.hardCe'), fmt(s.controlHardLoss)],
      [t('latest.trainAcc'), pct(s.controlTrainAccuracy)],
      [t('latest.testAcc'), pct(s.controlTestAccuracy)],
    ]);
  }
  if (lastBatch) {
    group(t('latest.batch'), [
      [t('latest.batchSoft'), fmt(lastBatch.softLoss)],
      [t('latest.batchHard'), fmt(lastBatch.hardLoss)],
      [t('latest.total'), fmt(lastBatch.totalLoss)],
      [t('latest.batchControl'), fmt(lastBatch.controlHardLoss)],
    ]);
  }
}

// ---------------------------------------------------------------- text alternatives of the charts

/** Minimum and maximum of `key` over `rows`, with the epochs where they occur. */
function extremes(rows, key) {
  let lo = null;
  let hi = null;
  for (const r of rows) {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (!lo || v < lo.v) lo = { v, epoch: r.epoch };
    if (!hi || v > hi.v) hi = { v, epoch: r.epoch };
  }
  return { lo, hi };
}

/**
 * The curves in words, for readers who cannot see the charts: one paragraph per model with the first and the
 * last value of each curve and the best test accuracy (from pg.history()).
 */
export function renderCurvesSummary(container, history) {
  container.replaceChildren();
  const teacher = (history.teacher ?? []).filter((r) => r.epoch > 0);
  const students = (history.students ?? []).filter((r) => r.epoch > 0);
  if (teacher.length === 0) {
    container.append(el('p', null, t('summary.curvesEmpty')));
    return;
  }
  const first = teacher[0];
  const last = teacher[teacher.length - 1];
  const best = extremes(teacher, 'testAccuracy').hi;
  container.append(el('p', null, t('summary.teacher', {
    epochs: last.epoch, lossFirst: fmt(first.trainLoss), lossLast: fmt(last.trainLoss),
    acc: pct(last.testAccuracy), best: pct(best?.v), bestEpoch: best?.epoch ?? '—',
  })));
  if (students.length === 0) return;
  const sf = students[0];
  const sl = students[students.length - 1];
  const bestKd = extremes(students, 'kdTestAccuracy').hi;
  const bestControl = extremes(students, 'controlTestAccuracy').hi;
  container.append(el('p', null, t('summary.kd', {
    epochs: sl.epoch, softFirst: fmt(sf.softLoss), softLast: fmt(sl.softLoss), hardFirst: fmt(sf.hardLoss),
    hardLast: fmt(sl.hardLoss), acc: pct(sl.kdTestAccuracy), best: pct(bestKd?.v), bestEpoch: bestKd?.epoch ?? '—',
  })));
  container.append(el('p', null, t('summary.control', {
    epochs: sl.epoch, hardFirst: fmt(sf.controlHardLoss), hardLast: fmt(sl.controlHardLoss),
    acc: pct(sl.controlTestAccuracy), best: pct(bestControl?.v), bestEpoch: bestControl?.epoch ?? '—',
  })));
}

/**
 * The data view in words: what is drawn, each model's latest accuracies (the region maps show where each
 * model puts each class), and the selected sample with what each model says about it.
 */
export function renderDataSummary(container, { dataInfo, history, sample }) {
  container.replaceChildren();
  const d = dataInfo;
  const points = d.view === 'points';
  container.append(el('p', null, t(points ? 'summary.regionsWhat' : d.view === 'digits' ? 'summary.digitsWhat' : 'summary.scatterWhat', {
    train: int(d.nTrain), test: int(d.nTest), classes: d.nClasses, list: (d.classNames ?? []).join(', '),
  })));
  const tch = history?.teacher?.[history.teacher.length - 1];
  const s = history?.students?.[history.students.length - 1];
  const acc = (train, test) => t('summary.accuracy', { train: pct(train), test: pct(test) });
  const items = [];
  items.push([t('model.teacher'), tch && tch.epoch > 0 ? acc(tch.trainAccuracy, tch.testAccuracy) : t('summary.untrained')]);
  items.push([t('model.kd'), s && s.epoch > 0 ? acc(s.kdTrainAccuracy, s.kdTestAccuracy) : t('summary.untrained')]);
  items.push([t('model.control'), s && s.epoch > 0 ? acc(s.controlTrainAccuracy, s.controlTestAccuracy) : t('summary.untrained')]);
  const ul = el('ul');
  for (const [who, text] of items) {
    const li = el('li');
    li.append(el('strong', null, who), `: ${text}`);
    ul.append(li);
  }
  container.append(ul);
  if (sample) {
    const name = (probs) => {
      if (!probs?.length) return '—';
      let best = 0;
      probs.forEach((v, i) => { if (v > probs[best]) best = i; });
      const cls = d.classNames?.[best] ?? String(best);
      return `${cls} (${pct(probs[best])})`;
    };
    container.append(el('p', null, t('summary.selected', {
      sample: describeSample(sample, d),
      teacher: name(sample.teacherT1),
      kd: name(sample.kdStudentAtT),
      control: name(sample.controlStudentAtT),
      T: String(Number(Number(sample.temperature).toPrecision(3))),
    })));
  }
}
