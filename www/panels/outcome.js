// A finished preset's outcome (loaded when a preset's run is first done): the verdict from the run's own numbers
// (experimentOutcome()), the numbers by model, and for the omitted class a slider that shifts that class's
// output bias of both students and shows what they then predict (shiftedClassAccuracy()).

import { store } from '../store.js';
import { t } from '../i18n.js';
import { h } from '../lib/dom.js';
import { decimals, pct, points } from '../lib/format.js';
import { fail } from '../run.js';
import { hideBias, setVerdict } from './experiments.js';

/** A table: a caption, a header row and rows whose first cell names the row (cells: text or a node). */
export function table(id, caption, head, rows, { className = 'exp-table' } = {}) {
  return h('table', { className, id },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, head.map((text) => h('th', { attrs: { scope: 'col' }, text })))),
    h('tbody', {}, rows.map(({ cells: [name, ...cells], model }) => h('tr', { dataset: model ? { model } : {} },
      h('th', { attrs: { scope: 'row' }, text: name }),
      cells.map((cell) => (cell instanceof Node ? h('td', {}, cell) : h('td', { text: cell })))))));
}

/** The bias slider's step, and how far past the larger adjusted shift it reaches. */
const BIAS_STEP = 0.05;
const BIAS_REACH = 1.5;

/** The outcome of the finished run of `name`, computed once per run (null if the engine refused). */
function outcomeOf(name) {
  const kept = store.get('experimentOutcome');
  const run = store.get('run');
  if (kept?.run === run && kept.name === name) return kept.value;
  let value = null;
  try {
    value = store.get('pg').experimentOutcome(name);
  } catch (e) {
    fail(t('do.experiment', { name }), e);
  }
  store.set({ experimentOutcome: { run, name, value }, biasShift: null });
  return value;
}

const className = (cls) => String(store.get('dataInfo')?.classNames?.[cls] ?? cls);

/** Both students with class `cls`'s bias shifted by `shift` (null if the engine refused). */
function sampleAt(cls, shift) {
  const pg = store.get('pg');
  if (!pg) return null;
  try {
    return { kd: pg.shiftedClassAccuracy('kd', cls, shift), control: pg.shiftedClassAccuracy('control', cls, shift) };
  } catch (e) {
    fail(t('do.experiment', { name: store.get('experiment')?.name ?? '' }), e);
    return null;
  }
}

/** The outcome as a table: every number of the verdict, by model. */
function numbersTable(o) {
  const m = o.omitted;
  const cls = m ? className(m.class) : '';
  const none = t('experiments.table.none');
  const head = [t('experiments.table.model'), t('experiments.table.test')];
  if (m) head.push(t('experiments.table.before', { cls }), t('experiments.table.after', { cls }), t('experiments.table.shift'));
  const rows = [
    { model: 'teacher', cells: [t('model.teacher'), pct(o.teacherTestAccuracy), ...(m ? [none, none, none] : [])] },
    { model: 'kd', cells: [t('model.kd'), pct(o.kdTestAccuracy), ...(m ? [pct(m.kdBefore), pct(m.kdAfter), `+${decimals(m.kdBiasShift)}`] : [])] },
    { model: 'control', cells: [t('model.control'), pct(o.controlTestAccuracy), ...(m ? [pct(m.controlBefore), pct(m.controlAfter), `+${decimals(m.controlBiasShift)}`] : [])] },
  ];
  return h('div', { className: 'exp-table-wrap' }, table('exp-numbers', t('experiments.table.caption'), head, rows));
}

/**
 * What the bias adjustment does to everything else, for both students: accuracy on the other classes and on all
 * classes, before and after. Raising a class's bias catches its unseen samples where the student was unsure, and
 * can turn unsure answers on other classes into that class too.
 */
function othersTable(o) {
  const m = o.omitted;
  const cls = className(m.class);
  const head = [t('experiments.table.model'), t('experiments.others.before'), t('experiments.others.after'),
    t('experiments.others.allBefore'), t('experiments.others.allAfter')];
  const rows = [
    { model: 'kd', cells: [t('model.kd'), pct(m.kdOthersBefore), pct(m.kdOthersAfter), pct(o.kdTestAccuracy), pct(m.kdOverallAfter)] },
    { model: 'control', cells: [t('model.control'), pct(m.controlOthersBefore), pct(m.controlOthersAfter), pct(o.controlTestAccuracy), pct(m.controlOverallAfter)] },
  ];
  return h('div', { className: 'exp-table-wrap' }, table('exp-others', t('experiments.others.caption', { cls }), head, rows));
}

/** The bias slider of the omitted class: both students' class accuracy at the chosen shift. */
function showBias(bias, m) {
  const focused = document.activeElement?.id === 'exp-bias';
  const cls = className(m.class);
  const largest = Math.max(m.kdBiasShift, m.controlBiasShift, BIAS_STEP);
  const max = Math.ceil((BIAS_REACH * largest) / BIAS_STEP) * BIAS_STEP;
  // start where the distilled student is adjusted (to the nearest step of the slider)
  if (store.get('biasShift') === null) store.set({ biasShift: Math.min(max, Math.round(m.kdBiasShift / BIAS_STEP) * BIAS_STEP) });
  const trainTrue = sampleAt(m.class, 0)?.kd?.trainTrue;
  const input = h('input', {
    type: 'range', id: 'exp-bias', min: '0', max: max.toFixed(2), step: String(BIAS_STEP),
    value: store.get('biasShift').toFixed(2), attrs: { 'aria-describedby': 'exp-bias-marks' },
  });
  const output = h('output', { className: 'exp-bias-value', id: 'exp-bias-value', attrs: { for: 'exp-bias' } });
  const mark = (model, shift, key) => {
    const pos = Math.min(1, Math.max(0, shift / max));
    // the text beside the tick, on the side with room
    const node = h('p', { className: 'exp-mark', text: t(key, { shift: decimals(shift) }), dataset: { model, side: pos > 0.5 ? 'left' : 'right' } });
    node.style.setProperty('--pos', String(pos));
    return node;
  };
  const caption = h('caption');
  const cells = { kd: [h('td'), h('td'), h('td')], control: [h('td'), h('td'), h('td')] };
  const row = (model, label, adjusted) => h('tr', { dataset: { model } }, h('th', { attrs: { scope: 'row' }, text: label }),
    cells[model], h('td', { text: `+${decimals(adjusted)}` }));
  const head = [t('experiments.table.model'), t('experiments.bias.class', { cls }), t('experiments.bias.overall'),
    t('experiments.bias.predicted', { cls }), t('experiments.bias.adjusted')];
  const biasTable = h('table', { className: 'exp-table exp-bias-table', id: 'exp-bias-table' }, caption,
    h('thead', {}, h('tr', {}, head.map((text) => h('th', { attrs: { scope: 'col' }, text })))),
    h('tbody', {}, row('kd', t('model.kd'), m.kdBiasShift), row('control', t('model.control'), m.controlBiasShift)));

  /** The students at the slider's shift (drawn at once: the slider answers every move). */
  const drawShift = () => {
    const shift = store.get('biasShift');
    const at = sampleAt(m.class, shift);
    output.textContent = `+${decimals(shift)}`;
    caption.textContent = t('experiments.bias.caption', { shift: decimals(shift), cls });
    if (!at) return;
    for (const model of ['kd', 'control']) {
      const r = at[model];
      const [classCell, overall, predicted] = cells[model];
      classCell.textContent = r.classTestAccuracy === null || r.classTestAccuracy === undefined ? t('experiments.table.none') : pct(r.classTestAccuracy);
      overall.textContent = pct(r.testAccuracy);
      predicted.textContent = t('experiments.bias.predictedOf', { predicted: r.trainPredicted, cls, trainTrue: r.trainTrue });
    }
    input.setAttribute('aria-valuetext', t('experiments.bias.valueText', {
      shift: decimals(shift), cls, kd: pct(at.kd.classTestAccuracy), control: pct(at.control.classTestAccuracy),
    }));
  };
  input.addEventListener('input', () => {
    store.set({ biasShift: Number(input.value) });
    drawShift();
  });
  bias.replaceChildren(
    h('h4', { className: 'exp-bias-title', text: t('experiments.bias.title', { cls }) }),
    h('p', { className: 'exp-bias-lead', text: t('experiments.bias.lead', { cls, trainTrue: trainTrue ?? '—' }) }),
    h('div', { className: 'exp-bias-control' }, h('label', { attrs: { for: 'exp-bias' }, text: t('experiments.bias.label', { cls }) }),
      h('div', { className: 'exp-bias-row' }, h('div', { className: 'exp-track' }, input,
        h('div', { className: 'exp-marks', id: 'exp-bias-marks' },
          mark('kd', m.kdBiasShift, 'experiments.bias.markKd'),
          mark('control', m.controlBiasShift, 'experiments.bias.markControl'))), output)),
    h('div', { className: 'exp-table-wrap' }, biasTable));
  bias.hidden = false;
  drawShift();
  if (focused) input.focus();
}

/** The finished run's verdict, notes, numbers and (for the omitted class) the bias slider. */
export function renderOutcome(parts, active) {
  const o = outcomeOf(active.name);
  if (!o) {
    setVerdict(parts.verdict, '', 'none');
    hideBias(parts.bias);
    return;
  }
  const accuracies = t('experiments.accuracies', { teacher: pct(o.teacherTestAccuracy), kd: pct(o.kdTestAccuracy), control: pct(o.controlTestAccuracy) });
  let details;
  let caveat = '';
  const extra = [];
  if (o.omitted) {
    const m = o.omitted;
    const cls = className(m.class);
    details = t('experiments.omitted.details', {
      cls, kdAfter: pct(m.kdAfter), controlAfter: pct(m.controlAfter), kdBefore: pct(m.kdBefore), controlBefore: pct(m.controlBefore),
    });
    // the engine's verdict compares the two students; the claim also says "most of them": say when that fails
    if (o.shown && !(m.kdAfter > 0.5)) caveat = ` ${t('experiments.omitted.notMost', { cls })}`;
    extra.push(t('experiments.shifts', { cls, kdShift: decimals(m.kdBiasShift), controlShift: decimals(m.controlBiasShift) }));
  } else {
    details = t('experiments.small.details', {
      kd: pct(o.kdTestAccuracy), control: pct(o.controlTestAccuracy),
      delta: t('experiments.points', { value: points(o.kdTestAccuracy - o.controlTestAccuracy) }),
    });
    extra.push(t('experiments.small.curves'));
  }
  setVerdict(parts.verdict, `${t(o.shown ? 'experiments.shown' : 'experiments.notShown', { details })}${caveat}`, o.shown ? 'yes' : 'no');
  parts.notes.append(h('p', { text: accuracies }), ...extra.map((text) => h('p', { text })));
  if (active.liveChanged) parts.notes.append(h('p', { className: 'exp-caveat', text: t('experiments.liveChanged') }));
  parts.numbers.append(numbersTable(o));
  if (o.omitted) parts.numbers.append(othersTable(o), h('p', { className: 'exp-note', id: 'exp-why-control', text: t('experiments.omitted.why', { cls: className(o.omitted.class) }) }));
  if (o.omitted) showBias(parts.bias, o.omitted);
  else hideBias(parts.bias);
}

