// Rendering helpers: canvas sizing and the text views (phase, data/model info, sample table, latest numbers).
// Everything shown here is a number the engine returned, only formatted. User-visible text is always set with
// textContent (never innerHTML).

const MINUS = '\u2212';

/** Size a canvas's pixel buffer to its CSS box × devicePixelRatio. Returns false when it is not displayed. */
export function sizeCanvas(canvas) {
  const rect = canvas.getBoundingClientRect();
  if (rect.width < 1 || rect.height < 1) return false;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(rect.width * dpr));
  canvas.height = Math.max(1, Math.round(rect.height * dpr));
  return true;
}

export function fmt(x, digits = 3) {
  if (typeof x !== 'number') return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : `${MINUS}∞`;
  const a = Math.abs(x);
  const s = a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : x.toFixed(digits);
  return s.replace('-', MINUS);
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

/** "Training the teacher — epoch 12/40" and the progress fraction. */
export function describeStatus(st) {
  const bpe = Math.max(1, st.batchesPerEpoch || 1);
  const total = (st.teacherEpochs + st.studentEpochs) * bpe;
  let text;
  let done;
  let detail = '';
  switch (st.phase) {
    case 'teacher':
      text = `Training the teacher — epoch ${st.epoch}/${st.teacherEpochs}`;
      done = st.epoch * bpe + st.batch;
      detail = `batch ${st.batch}/${bpe}`;
      break;
    case 'distil':
      text = `Distilling — epoch ${st.epoch}/${st.studentEpochs}`;
      done = (st.teacherEpochs + st.epoch) * bpe + st.batch;
      detail = `batch ${st.batch}/${bpe}`;
      break;
    case 'done':
      text = 'Done';
      done = total;
      detail = `teacher ${st.teacherEpochs} epochs, students ${st.studentEpochs} epochs`;
      break;
    case 'diverged':
      text = 'Diverged — training stopped';
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
  const line = (who, m, suffix = '') => {
    const p = el('p', 'model-line');
    p.append(el('strong', null, who), ` ${m.layers.join('→')} · ${int(m.parameters)} parameters${suffix}`);
    return p;
  };
  container.append(line('Teacher', info.teacher));
  container.append(line('Students', info.student, ' each'));
  const ratio = info.student.parameters > 0 ? info.teacher.parameters / info.student.parameters : null;
  const extra = [info.activation, info.optimizer].filter(Boolean).join(' · ');
  const note = el('p', 'model-note',
    `The distilled and the control student share this architecture and start from the same weights${ratio ? `; the teacher is ${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}× larger` : ''}.${extra ? ` (${extra})` : ''}`);
  container.append(note);
}

export function renderDataInfo(container, info) {
  container.replaceChildren();
  const p = el('p', 'data-line');
  p.append(el('strong', null, `${int(info.nTrain)} train`), ' / ', el('strong', null, `${int(info.nTest)} test`),
    ` samples · ${info.nFeatures} features · ${info.nClasses} classes`);
  container.append(p);
  if (info.classNames?.length && info.classNames.length <= 10) {
    container.append(el('p', 'data-classes', `Classes: ${info.classNames.join(', ')}`));
  }
}

const ROWS = [
  { key: 'hard', field: 'hardLabel', label: () => 'Hard label (one-hot)' },
  { key: 'teacherT1', field: 'teacherT1', label: () => 'Teacher, T = 1' },
  { key: 'teacherAtT', field: 'teacherAtT', label: (T) => `Teacher, T = ${T}` },
  { key: 'kdStudentAtT', field: 'kdStudentAtT', label: (T) => `Distilled student, T = ${T}` },
  { key: 'controlStudentAtT', field: 'controlStudentAtT', label: (T) => `Control student, T = ${T}` },
];

/** The accessible table of the selected sample's labels (the e2e test reads it too). */
export function renderSampleTable(table, sample, classNames, tText) {
  const n = sample.hardLabel.length;
  const names = classNames?.length === n ? classNames : Array.from({ length: n }, (_, i) => String(i));
  const digits = n > 5 ? 2 : 3;

  const thead = table.tHead ?? table.createTHead();
  const headRow = document.createElement('tr');
  const corner = el('th', 'corner', 'class →');
  corner.scope = 'col';
  headRow.append(corner);
  names.forEach((name, i) => {
    const th = el('th', i === sample.label ? 'true-class' : '', name);
    th.scope = 'col';
    if (i === sample.label) th.title = 'the true class';
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
  p.append('This sample, distilled student: ',
    term('T²·KL', s.softLoss, 'the soft (distillation) term: T² times KL(teacher at T ‖ student at T)'), ' · ',
    term('CE', s.hardLoss, 'the hard term: cross-entropy with the hard label at T = 1'), ' · ',
    term(`total (α = ${fmt(s.alpha, 2)})`, s.totalLoss, 'α·T²·KL + (1 − α)·CE'));
}

export function describeSample(s, dataInfo) {
  const parts = [`${s.split === 'train' ? 'Training' : 'Test'} sample #${s.index}`, `true class: ${s.className ?? s.label}`];
  const f = s.features ?? [];
  if (f.length > 0 && f.length <= 4) {
    const names = dataInfo?.featureNames?.length === f.length ? dataInfo.featureNames : f.map((_, i) => `x${i + 1}`);
    parts.push(names.map((n, i) => `${n} = ${fmt(f[i], 2)}`).join(', '));
  }
  return parts.join(' · ');
}

function signedPoints(diff) {
  const v = Math.abs(diff).toFixed(1);
  if (v === '0.0') return '±0.0 points';
  return `${diff > 0 ? '+' : MINUS}${v} points`;
}

/** The one-line comparison of the two students, only what the numbers say. */
export function verdictText(history, status, dataInfo) {
  const s = history.students ?? [];
  const t = history.teacher ?? [];
  const last = s[s.length - 1];
  const started = status.phase === 'distil' || status.phase === 'done' || (status.phase === 'diverged' && last && last.epoch > 0);
  if (started && last && last.epoch > 0) {
    const diff = (last.kdTestAccuracy - last.controlTestAccuracy) * 100;
    const one = dataInfo?.nTest ? ` One test sample is ${(100 / dataInfo.nTest).toFixed(dataInfo.nTest > 1000 ? 2 : 1)} points.` : '';
    return {
      text: `Distilled student ${pct(last.kdTestAccuracy)} vs control ${pct(last.controlTestAccuracy)} test accuracy (${signedPoints(diff)}) after ${last.epoch} epoch${last.epoch === 1 ? '' : 's'}.${one}`,
      sign: Math.abs(diff) < 0.05 ? 0 : Math.sign(diff),
    };
  }
  if (status.phase === 'diverged') {
    return { text: 'Training diverged (see the message above): change the settings, e.g. a smaller learning rate, and press Reset.', sign: 0 };
  }
  if (started) return { text: 'Distillation has begun: the students have not finished an epoch yet.', sign: 0 };
  const lt = t[t.length - 1];
  if (lt && lt.epoch > 0) {
    return { text: `Teacher test accuracy ${pct(lt.testAccuracy)} after ${lt.epoch} epoch${lt.epoch === 1 ? '' : 's'}. The students are trained once the teacher is done.`, sign: 0 };
  }
  return { text: 'Press play: first the teacher is trained, then both students (distilled and control) learn side by side.', sign: 0 };
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
  const t = history.teacher?.[history.teacher.length - 1];
  if (t) {
    group(`Teacher (epoch ${t.epoch})`, [
      ['train loss', fmt(t.trainLoss)],
      ['train acc.', pct(t.trainAccuracy)],
      ['test acc.', pct(t.testAccuracy)],
    ]);
  }
  const s = history.students?.[history.students.length - 1];
  if (s) {
    group(`Distilled student (epoch ${s.epoch})`, [
      ['soft T²·KL', fmt(s.softLoss), 'mean over the training set'],
      ['hard CE', fmt(s.hardLoss)],
      ['total', fmt(s.totalLoss), `α·soft + (1 − α)·hard, T = ${fmt(s.temperature, 2)}, α = ${fmt(s.alpha, 2)}`],
      ['train acc.', pct(s.kdTrainAccuracy)],
      ['test acc.', pct(s.kdTestAccuracy)],
    ]);
    group(`Control student (epoch ${s.epoch})`, [
      ['hard CE', fmt(s.controlHardLoss)],
      ['train acc.', pct(s.controlTrainAccuracy)],
      ['test acc.', pct(s.controlTestAccuracy)],
    ]);
  }
  if (lastBatch) {
    group('Last mini-batch (distillation)', [
      ['soft', fmt(lastBatch.softLoss)],
      ['hard', fmt(lastBatch.hardLoss)],
      ['total', fmt(lastBatch.totalLoss)],
      ['control CE', fmt(lastBatch.controlHardLoss)],
    ]);
  }
}
