// The run's method beyond its accuracy: the method's own view (the engine's drawMethodView: FitNets' hint loss and
// CKA, RKD's distance matrices, DML's peers, BYOT's exits) with what it shows in words; and, for every network of
// the run, its fidelity to the teacher and its calibration (the engine's fidelity() as a table, the reliability
// diagram). Every number is the engine's, only formatted; every sentence is chosen by the numbers beside it.

import { store } from '../store.js';
import { t } from '../i18n.js';
import { byId, h, setHidden, sizeCanvas } from '../lib/dom.js';
import { fixed, pct, points } from '../lib/format.js';
import { attempt, currentMethod, FAILED, hasTeacher } from '../run.js';
import { unchanged } from '../loop.js';

/** The columns of the fidelity table: the field of a fidelity() row, its header's key, and its format. */
const COLUMNS = [
  { field: 'testAccuracy', key: 'fidelity.col.accuracy', format: (x) => pct(x) },
  { field: 'agreementWithTeacher', key: 'fidelity.col.agreement', format: (x) => pct(x) },
  { field: 'testKlToTeacher', key: 'fidelity.col.kl', format: (x) => fixed(x) },
  { field: 'ece', key: 'fidelity.col.ece', format: (x) => pct(x) },
  { field: 'entropy', key: 'fidelity.col.entropy', format: (x) => fixed(x) },
];

/** A method's name as the page writes it ("FitNets", "DML"…). */
export const methodName = (method = currentMethod()) => t(`method.name.${method}`);

/**
 * What a view of the run depends on, as a key: the run, the epochs recorded, the phase, the language and the size;
 * while paused, every step too (a stepped batch changes the weights). Drawn again only when it changes: the
 * engine runs every network over the test split for these views, which is too much for every frame.
 */
function runKey(extra = '') {
  const status = store.get('status');
  const steps = store.get('playing') ? '' : status?.steps;
  return [store.get('run'), store.get('history').students.length, status?.phase, steps, store.get('language'), store.get('layout'), extra].join('|');
}

// ---------------------------------------------------------------- the method's own view

/** The view in words, from the last epoch of the history (the numbers the chart draws). */
function methodSummary(method, students) {
  const last = students.at(-1);
  const first = students.find((s) => s.epoch > 0);
  if (!last || last.epoch === 0) return t('method.summary.waiting');
  const m = last.method ?? {};
  switch (method) {
    case 'fitnets': {
      // the hint stage trains the hint; the epochs after it measure it while KD trains the whole student
      const hintEpochs = Number(store.get('applied').hintEpochs);
      const at = (epoch) => students.find((s) => s.epoch === epoch)?.method?.hintLoss;
      const params = { first: fixed(at(1)), last: fixed(m.hintLoss), kd: fixed(m.kdCka, 2), control: fixed(m.controlCka, 2), epoch: last.epoch };
      if (!(last.epoch > hintEpochs)) return t('method.summary.fitnetsHint', params);
      return t('method.summary.fitnets', { ...params, hintEpochs, hintLast: fixed(at(hintEpochs)) });
    }
    case 'rkd':
      return t('method.summary.rkd', { first: fixed(first?.softLoss), last: fixed(last.softLoss), epoch: last.epoch });
    case 'dml':
      return t('method.summary.dml', {
        kd: pct(last.kdTestAccuracy), control: pct(last.controlTestAccuracy), diff: points(last.kdTestAccuracy - last.controlTestAccuracy),
        peer: pct(m.peerTestAccuracy), peerControl: pct(m.peerTwinTestAccuracy), peerDiff: points((m.peerTestAccuracy ?? NaN) - (m.peerTwinTestAccuracy ?? NaN)),
        epoch: last.epoch,
      });
    case 'byot':
      return t('method.summary.byot', {
        exit: pct(m.exitTestAccuracy), controlExit: pct(m.controlExitTestAccuracy),
        diff: points((m.exitTestAccuracy ?? NaN) - (m.controlExitTestAccuracy ?? NaN)),
        kd: pct(last.kdTestAccuracy), control: pct(last.controlTestAccuracy), epoch: last.epoch,
      });
    default:
      return '';
  }
}

/** The method's view: shown for the methods that have one (the engine says which), hidden for the others. */
function drawMethodView(view) {
  const pg = store.get('pg');
  const panel = byId('method-panel');
  const shown = Boolean(pg) && typeof pg.hasMethodView === 'function' && pg.hasMethodView();
  setHidden(panel, !shown);
  if (!shown) {
    view.inputs = null; // drawn whole when shown again
    return;
  }
  if (unchanged(view, [runKey()])) return; // nothing changed: the loop keeps planning with the cost of a real draw
  const method = currentMethod();
  panel.dataset.method = method; // RKD's matrices keep one row on a narrow screen (style.css)
  byId('method-title').textContent = t('method.title', { method: methodName(method) });
  byId('method-lead').textContent = t(`method.lead.${method}`);
  const canvas = byId('method-view');
  canvas.setAttribute('aria-label', t('method.canvasLabel', { method: methodName(method) }));
  byId('method-summary').textContent = methodSummary(method, store.get('history').students);
  if (sizeCanvas(canvas)) attempt('do.draw', () => pg.drawMethodView(canvas));
}

// ---------------------------------------------------------------- fidelity and calibration

/** A network's name in the table: the distilled student and its control are called what the method makes them. */
function networkName(network, method) {
  if ((network === 'kd' || network === 'control') && (method === 'dml' || method === 'byot')) return t(`fidelity.network.${network}.${method}`);
  return t(`fidelity.network.${network}`);
}

/** The rows of the table: one per network of the run, '—' where a value has nothing to compare with. */
function renderTable(table, rows, method) {
  const caption = table.caption ?? table.createCaption();
  caption.textContent = t('fidelity.caption');
  (table.tHead ?? table.createTHead()).replaceChildren(h('tr', {},
    h('th', { scope: 'col', className: 'corner', text: t('fidelity.col.network') }),
    COLUMNS.map((c) => h('th', { scope: 'col', dataset: { col: c.field }, text: t(c.key) }))));
  (table.tBodies[0] ?? table.createTBody()).replaceChildren(...rows.map((row) => h('tr', { dataset: { network: row.network } },
    h('th', { scope: 'row', text: networkName(row.network, method) }),
    COLUMNS.map((c) => {
      const v = row[c.field];
      // data-label: the column's name, which a narrow screen shows beside each value (style.css)
      return h('td', { dataset: { col: c.field, label: t(c.key), value: v === null || v === undefined ? '' : String(v) }, text: v === null || v === undefined ? '—' : c.format(v) });
    }))));
}

/**
 * The sentences under the table, each from the numbers in it: which student is closer to the teacher (a smaller
 * KL) and agrees with it more, and which network is best calibrated (the smallest ECE).
 */
function summaryText(rows, method) {
  const by = Object.fromEntries(rows.map((r) => [r.network, r]));
  const parts = [];
  const kd = by.kd;
  const control = by.control;
  if (kd && control && kd.testKlToTeacher !== null && control.testKlToTeacher !== null) {
    const closer = kd.testKlToTeacher < control.testKlToTeacher ? 'closer' : kd.testKlToTeacher > control.testKlToTeacher ? 'further' : 'same';
    parts.push(t(`fidelity.summary.${closer}`, {
      kdKl: fixed(kd.testKlToTeacher), controlKl: fixed(control.testKlToTeacher),
      kdAgree: pct(kd.agreementWithTeacher), controlAgree: pct(control.agreementWithTeacher),
    }));
  }
  const calibrated = rows.filter((r) => Number.isFinite(r.ece));
  if (calibrated.length > 1) {
    const best = calibrated.reduce((a, b) => (b.ece < a.ece ? b : a));
    parts.push(t('fidelity.summary.calibration', { network: networkName(best.network, method), ece: pct(best.ece) }));
  }
  return parts.join(' ');
}

/** The table and its sentences, once the students have started (the reliability diagram: drawReliability). */
function drawFidelity(view) {
  const pg = store.get('pg');
  if (!pg) return;
  if (unchanged(view, [runKey()])) return; // nothing changed: the loop keeps planning with the cost of a real draw
  const method = currentMethod();
  const rows = attempt('do.read', () => pg.fidelity());
  if (rows === FAILED) return;
  const teacher = hasTeacher();
  const note = byId('fidelity-note');
  note.hidden = teacher;
  note.textContent = teacher ? '' : t('fidelity.noTeacher', { method: methodName(method) });
  const empty = byId('fidelity-empty');
  empty.hidden = rows.length > 0;
  empty.textContent = t('fidelity.empty');
  byId('fidelity-table-wrap').hidden = rows.length === 0;
  renderTable(byId('fidelity-table'), rows, method);
  const status = store.get('status');
  byId('fidelity-when').textContent = rows.length === 0 ? ''
    : t(status?.phase === 'done' ? 'fidelity.whenDone' : 'fidelity.whenTraining', { epoch: store.get('history').students.at(-1)?.epoch ?? 0 });
  byId('fidelity-summary').textContent = summaryText(rows, method);
}

/**
 * The reliability diagram, a view of its own: the engine runs every network over the test split for it, as for the
 * table, so that the loop draws the two in different frames while training.
 */
function drawReliability(view) {
  const pg = store.get('pg');
  if (!pg) return;
  if (unchanged(view, [runKey()])) return; // nothing changed: the loop keeps planning with the cost of a real draw
  const canvas = byId('reliability');
  if (sizeCanvas(canvas)) attempt('do.draw', () => pg.drawReliability(canvas));
}

/** Declares the two panels' views: they follow the history (each epoch), never T or α. */
export function installMethodPanels() {
  const deps = ['pg', 'status', 'history', 'playing', 'language', 'layout'];
  store.view('method-view', { group: 'main', deps, draw: drawMethodView });
  store.view('fidelity', { group: 'main', deps, draw: drawFidelity });
  store.view('reliability', { group: 'main', deps, draw: drawReliability });
}
