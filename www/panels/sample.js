// The selected sample: its picker (split and index), what it is, its labels as the three models see them (a
// table and the engine's bar chart), the loss terms of distillation on it, and the data view in words.

import { store } from '../store.js';
import { language, t } from '../i18n.js';
import { byId, h, setBar, setHidden, setText, sizeCanvas } from '../lib/dom.js';
import { fixed, int, pct, temperatureText } from '../lib/format.js';
import { shorten } from '../urlstate.js';
import { attempt, currentMethod, FAILED, hasTeacher, kdTermsShown, sampleCount, selectedSample } from '../run.js';
import { selectSoon } from './data.js';

// Each row of the table: the model it belongs to ('teacher', 'students' or none) says when it is untrained.
const ROWS = [
  { key: 'hard', field: 'hardLabel', label: () => t('row.hard') },
  { key: 'teacherT1', field: 'teacherT1', model: 'teacher', label: () => t('row.teacherT1') },
  { key: 'teacherAtT', field: 'teacherAtT', model: 'teacher', label: (T) => t('row.teacherAtT', { T }) },
  { key: 'kdStudentAtT', field: 'kdStudentAtT', model: 'students', label: (T) => t('row.kdAtT', { T }) },
  { key: 'controlStudentAtT', field: 'controlStudentAtT', model: 'students', label: (T) => t('row.controlAtT', { T }) },
];

/**
 * Which models have not learned yet, from where training stands: `teacher` before its first step, `students`
 * until they have taken theirs (they start after the teacher), and `teacherLearning` while the teacher's epochs run.
 * Their rows of the table are marked, and a note says what the numbers of an untrained network are: noise.
 */
export function untrainedModels(st) {
  if (!st) return { teacher: false, teacherLearning: false, students: false };
  const teacherPhase = st.phase === 'teacher';
  const teacher = teacherPhase && st.steps === 0;
  const studentsBefore = teacherPhase || (st.phase === 'distil' && st.epoch === 0 && st.batch === 0);
  return { teacher, teacherLearning: teacherPhase && !teacher, students: studentsBefore };
}

/**
 * The note above the table while some model is untrained (or the teacher still learning); '' otherwise. A method
 * that trains no teacher (mutual learning, self-distillation) has no teacher's rows to speak of.
 */
function stateNote(st) {
  const u = untrainedModels(st);
  if (!hasTeacher()) return u.students ? t('sample.state.noTeacherUntrained', { method: t(`method.name.${currentMethod()}`) }) : '';
  if (u.teacher) return t('sample.state.untrained');
  if (u.teacherLearning) return t('sample.state.teacherLearning', { epoch: st.epoch, of: st.teacherEpochs });
  if (u.students) return t('sample.state.studentsUntrained');
  return '';
}

/** "Test sample #12 · true class: 3 · x1 = 0.52, x2 = −1.20" */
export function describeSample(s, dataInfo) {
  const parts = [
    t(s.split === 'train' ? 'sample.train' : 'sample.test', { index: s.index }),
    t('sample.trueClassIs', { name: s.className ?? s.label }),
  ];
  const f = s.features ?? [];
  if (f.length > 0 && f.length <= 4) {
    const names = dataInfo?.featureNames?.length === f.length ? dataInfo.featureNames : f.map((_, i) => `x${i + 1}`);
    parts.push(names.map((n, i) => `${n} = ${fixed(f[i], 2)}`).join(', '));
  }
  return parts.join(' · ');
}

/** The sample table as last built: its rows, columns and words (`shape`) and its value cells, row by row. */
const tableDrawn = new WeakMap();

/** A value cell's text, its value and its bar, and whether it is its row's largest. */
function fillCell(td, v, digits, argmax) {
  setText(td, typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : fixed(v));
  const value = String(v);
  if (td.dataset.value !== value) {
    td.dataset.value = value;
    setBar(td, v);
  }
  td.classList.toggle('argmax', argmax);
}

/** The index of the largest of `values` (the first of equals), −1 when empty. */
function largest(values) {
  let best = -1;
  values.forEach((v, i) => { if (best < 0 || v > values[best]) best = i; });
  return best;
}

/**
 * The accessible table of the selected sample's labels (the e2e tests read it too). While training changes only
 * the numbers (the same sample, rows and words), they are written into the cells in place.
 */
function renderSampleTable(table, sample, classNames, untrained) {
  const tText = temperatureText(sample.temperature);
  const n = sample.hardLabel.length;
  const names = classNames?.length === n ? classNames : Array.from({ length: n }, (_, i) => String(i));
  const digits = n > 5 ? 2 : 3;
  const shown = ROWS.filter((row) => row.model !== 'teacher' || hasTeacher());
  const shape = JSON.stringify([language(), tText, names, sample.label, shown.map((row) => [row.key, Boolean(row.model && untrained[row.model]), (sample[row.field] ?? []).length])]);
  const drawn = tableDrawn.get(table);
  if (drawn?.shape === shape) {
    shown.forEach((row, r) => {
      const values = sample[row.field] ?? [];
      const best = largest(values);
      values.forEach((v, i) => fillCell(drawn.cells[r][i], v, digits, i === best && row.key !== 'hard'));
    });
    return;
  }
  const caption = table.caption ?? table.createCaption();
  caption.className = 'visually-hidden';
  caption.textContent = t('sample.caption');
  const corner = h('th', { className: 'corner', scope: 'col', text: t('sample.classCorner') });
  const heads = names.map((name, i) => h('th', {
    className: i === sample.label ? 'true-class' : '', scope: 'col', text: name, title: i === sample.label ? t('sample.trueClass') : null,
  }));
  (table.tHead ?? table.createTHead()).replaceChildren(h('tr', {}, corner, heads));
  // without a trained teacher (mutual learning, self-distillation) its rows would be a random network's
  const cellRows = [];
  const rows = shown.map((row) => {
    const values = sample[row.field] ?? [];
    const best = largest(values);
    const cells = values.map((v, i) => {
      const td = h('td', {
        className: i === sample.label ? 'true-class' : '',
        text: typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : fixed(v),
        dataset: { value: String(v) },
      });
      setBar(td, v);
      if (i === best && row.key !== 'hard') td.classList.add('argmax');
      return td;
    });
    cellRows.push(cells);
    const raw = Boolean(row.model && untrained[row.model]);
    const head = h('th', { scope: 'row', text: row.label(tText) },
      raw ? h('span', { className: 'untrained-mark', text: ` ${t('row.untrained')}` }) : null);
    return h('tr', { className: raw ? 'untrained' : '', dataset: { row: row.key, untrained: String(raw) } }, head, cells);
  });
  (table.tBodies[0] ?? table.createTBody()).replaceChildren(...rows);
  tableDrawn.set(table, { shape, cells: cellRows });
}

/**
 * The selected sample's loss terms: KD's (or logit matching's), as the engine computes them for the sample. A
 * method that minimises something else (relations, a peer's or its own head's soft labels, altered targets, the
 * reverse KL) gets a sentence that names its term instead of KD's numbers.
 */
function renderSampleLoss(p, s) {
  if (!kdTermsShown()) {
    const pg = store.get('pg');
    lossDrawn.delete(p);
    p.replaceChildren(t('sample.lossOther', {
      method: t(`method.name.${currentMethod()}`), term: typeof pg?.softTermText === 'function' ? pg.softTermText() : '—',
    }));
    return;
  }
  const logits = currentMethod() === 'logits';
  const soft = logits ? '(1/2K)·Σ(z̃ₛ − z̃ₜ)²' : 'T²·KL';
  const terms = [
    [soft, s.softLoss, t(logits ? 'sample.softTitleLogits' : 'sample.softTitle')],
    ['CE', s.hardLoss, t('sample.hardTitle')],
    [t('sample.total', { alpha: fixed(s.alpha, 2) }), s.totalLoss, `α·${soft} + (1 − α)·CE`],
  ];
  // the same terms as drawn (the same words): only the numbers are written, in place
  const shape = JSON.stringify([t('sample.lossLead'), terms.map(([name, , title]) => [name, title])]);
  const drawn = lossDrawn.get(p);
  if (drawn?.shape === shape) {
    terms.forEach(([, value], i) => setText(drawn.strong[i], fixed(value)));
    return;
  }
  const term = (name, value, title) => h('span', { className: 'term', title }, `${name} = `, h('strong', { text: fixed(value) }));
  p.replaceChildren(`${t('sample.lossLead')} `, ...terms.flatMap(([name, value, title], i) => [i > 0 ? ' · ' : null, term(name, value, title)].filter(Boolean)));
  lossDrawn.set(p, { shape, strong: [...p.querySelectorAll('strong')] });
}

/** The loss terms' paragraph as last built with terms: its words (`shape`) and the elements of its numbers. */
const lossDrawn = new WeakMap();

/**
 * The data view in words: what is drawn, each model's latest accuracies (the region maps show where each
 * model puts each class), and the selected sample with what each model says about it.
 */
function renderDataSummary(container, d, history, sample) {
  const teacher = hasTeacher();
  const what = d.view === 'points' || d.view === 'digits'
    ? `summary.${d.view === 'points' ? 'regionsWhat' : 'digitsWhat'}${teacher ? '' : 'NoTeacher'}` : 'summary.scatterWhat';
  const tch = history.teacher.at(-1);
  const s = history.students.at(-1);
  const acc = (train, test) => t('summary.accuracy', { train: pct(train), test: pct(test) });
  const items = [
    [t('model.teacher'), !teacher ? t('summary.noTeacherModel') : tch && tch.epoch > 0 ? acc(tch.trainAccuracy, tch.testAccuracy) : t('summary.untrained')],
    [t('model.kd'), s && s.epoch > 0 ? acc(s.kdTrainAccuracy, s.kdTestAccuracy) : t('summary.untrained')],
    [t('model.control'), s && s.epoch > 0 ? acc(s.controlTrainAccuracy, s.controlTestAccuracy) : t('summary.untrained')],
  ];
  const whatText = t(what, { train: int(d.nTrain), test: int(d.nTest), classes: d.nClasses, list: (d.classNames ?? []).join(', ') });
  // the data and the accuracies change once an epoch; the selected sample's line with every batch
  const top = JSON.stringify([whatText, items]);
  let drawn = summaryDrawn.get(container);
  if (drawn?.top !== top) {
    container.replaceChildren(
      h('p', { text: whatText }),
      h('ul', {}, items.map(([who, text]) => h('li', {}, h('strong', { text: who }), `: ${text}`))));
    drawn = { top, selected: null };
    summaryDrawn.set(container, drawn);
  }
  if (!sample) {
    drawn.selected?.remove();
    drawn.selected = null;
    return;
  }
  const name = (probs) => {
    if (!probs?.length) return '—';
    let best = 0;
    probs.forEach((v, i) => { if (v > probs[best]) best = i; });
    return `${d.classNames?.[best] ?? String(best)} (${pct(probs[best])})`;
  };
  const selected = t(teacher ? 'summary.selected' : 'summary.selectedNoTeacher', {
    sample: describeSample(sample, d), teacher: name(sample.teacherT1), kd: name(sample.kdStudentAtT),
    control: name(sample.controlStudentAtT), T: temperatureText(sample.temperature),
  });
  if (!drawn.selected) {
    drawn.selected = h('p');
    container.append(drawn.selected);
  }
  setText(drawn.selected, selected);
}

/** The data view in words as last built: its first part (`top`) and the selected sample's paragraph. */
const summaryDrawn = new WeakMap();

/** Everything about the selected sample that the engine computes. */
function drawSample() {
  const pg = store.get('pg');
  const d = store.get('dataInfo');
  if (!pg || !d) return;
  const { split, index } = store.get('selection');
  const got = attempt('do.inspect', () => selectedSample());
  if (got === FAILED) return;
  const s = got.report;
  // the chart first: setting its font brings the page's styles up to date, which is cheap before the words change
  const bars = byId('sample-bars');
  if (sizeCanvas(bars)) attempt('do.draw', () => pg.drawSampleBars(bars, split, index));
  setText(byId('sample-desc'), describeSample(s, d));
  const st = store.get('status');
  const note = stateNote(st);
  const state = byId('sample-state');
  setText(state, note);
  setHidden(state, !note);
  renderSampleTable(byId('sample-table'), s, d.classNames, untrainedModels(st));
  renderSampleLoss(byId('sample-loss'), s);
  renderDataSummary(byId('data-summary'), d, store.get('history'), s);
}

/** The picker: the split, the index (not while the learner types in it), its valid range, its error. */
function drawPicker() {
  const { split, index } = store.get('selection');
  const input = byId('sel-index');
  const max = Math.max(0, sampleCount(split) - 1);
  byId('sel-split').value = split;
  if (document.activeElement !== input) input.value = String(index);
  input.max = String(max);
  byId('sel-range').textContent = t('sample.range', { max });
  const problem = store.get('indexError');
  const error = byId('sel-error');
  error.hidden = !problem;
  if (problem) {
    error.textContent = t('sample.indexError', problem);
    input.setAttribute('aria-invalid', 'true');
  } else {
    input.removeAttribute('aria-invalid');
  }
}

/** A typed index: selected if valid; otherwise the picker says what is valid and keeps the selected sample. */
function onIndexChange() {
  const input = byId('sel-index');
  const { split, index } = store.get('selection');
  const i = Number(input.value);
  if (input.value.trim() === '' || !selectSoon(split, i)) {
    store.set({ indexError: { value: shorten(input.value, 20), max: Math.max(0, sampleCount(split) - 1) } });
    input.value = String(index);
  }
}

/** Wires the picker and declares the panel's views. */
export function installSample() {
  byId('sel-split').addEventListener('change', () => {
    const split = byId('sel-split').value;
    const n = sampleCount(split);
    selectSoon(split, Math.min(store.get('selection').index, Math.max(0, n - 1)));
  });
  byId('sel-index').addEventListener('change', onIndexChange);
  store.view('sample-picker', { group: 'sync', deps: ['selection', 'dataInfo', 'indexError', 'language'], draw: drawPicker });
  store.view('sample', {
    group: 'main',
    deps: ['pg', 'status', 'dataInfo', 'selection', 'applied', 'history', 'language', 'layout'],
    draw: drawSample,
  });
}
