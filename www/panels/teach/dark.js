// The dark-knowledge matrix: for each class, the teacher's average soft label at T over the training samples of
// that class (the engine's heat map and a table), and the class each one looks most like.

import { store } from '../../store.js';
import { t } from '../../i18n.js';
import { h, sizeCanvas } from '../../lib/dom.js';
import { fixed, int, temperatureText } from '../../lib/format.js';
import { appliesToMethod, attempt, classNames, classTable, clearPanelError, panelShell, renderClassColumns, tableWrap, waiting } from './shared.js';

/** The matrix runs the teacher over the whole training split: while training, at most this often. */
const DARK_MIN_INTERVAL_MS = 1000;

function renderText(p, sim) {
  const matrix = sim.matrix ?? [];
  const names = classNames(matrix.length);
  const T = temperatureText(sim.temperature);
  p.canvas.setAttribute('aria-label', t('teach.dark.canvasLabel', { T }));
  p.note.textContent = t('teach.dark.note', { T, n: int((sim.counts ?? []).reduce((a, b) => a + b, 0)) });
  p.list.replaceChildren(...matrix.map((row, c) => {
    let best = -1;
    row.forEach((v, k) => { if (k !== c && (best < 0 || v > row[best])) best = k; });
    const li = h('li', { dataset: { class: String(c), alike: best >= 0 ? String(best) : '' } });
    if (!sim.counts?.[c]) li.textContent = t('teach.dark.noSamples', { a: names[c] });
    else if (best < 0) li.textContent = names[c];
    else {
      li.append(
        h('span', { className: 'teach-alike-a', text: names[c] }), ' ',
        t('teach.dark.alikeMiddle'), ' ',
        h('strong', { className: 'teach-alike-b', text: names[best] }), ' ',
        h('span', { className: 'teach-alike-p', text: `(${fixed(row[best], 3)})` }));
      li.setAttribute('aria-label', t('teach.dark.alike', { a: names[c], b: names[best], p: fixed(row[best], 3) }));
    }
    return li;
  }));
  renderClassColumns(p.table, names, matrix.map((row, c) => ({
    key: String(c), label: names[c], values: row, format: (v) => fixed(v, 3), bar: true, diagonal: c,
  })));
}

/** Recomputes the matrix when the teacher, T, the language or the layout changed (`view.key` remembers which). */
function draw(p, view) {
  if (waiting(p)) return;
  const pg = store.get('pg');
  const key = ['run', 'teacherVersion', 'language', 'teachLayout'].map((k) => store.get(k)).join('|') + `|${store.get('applied').temperature}`;
  if (key === view.key) return; // α changed: the matrix did not
  clearPanelError(p);
  if (!appliesToMethod(p, 'teacher')) {
    view.key = key;
    return;
  }
  const sim = attempt(p, t('teach.dark.title'), () => pg.darkKnowledge());
  if (!sim) return;
  view.key = key;
  if (sizeCanvas(p.canvas)) attempt(p, t('teach.dark.title'), () => pg.drawDarkKnowledge(p.canvas));
  renderText(p, sim);
}

/** Builds the panel; returns its section and its view. */
export function createDarkPanel(layout) {
  const subTag = layout.headingTag === 'h2' ? 'h3' : 'h4';
  const p = panelShell('teach-dark-knowledge', 'teach.dark.title', ['teach.dark.lead'], layout);
  p.canvas = h('canvas', { id: 'teach-dark-chart', className: 'teach-canvas teach-canvas-square', attrs: { role: 'img', 'aria-label': t('teach.dark.canvasLabel', { T: '—' }) } });
  p.list = h('ul', { className: 'teach-alike', id: 'teach-dark-list', attrs: { 'aria-labelledby': 'teach-dark-list-title' } });
  p.note = h('p', { className: 'teach-small' });
  p.table = classTable('teach-dark-table', 'teach-matrix', t('teach.dark.tableCaption'));
  p.body = h('div', { className: 'teach-body' },
    h('div', { className: 'teach-two teach-two-square' },
      h('figure', { className: 'teach-figure' }, p.canvas, h('figcaption', { className: 'teach-caption', text: t('teach.dark.caption') })),
      h('div', { className: 'teach-side' }, h(subTag, { className: 'teach-subtitle', id: 'teach-dark-list-title', text: t('teach.dark.listTitle') }), p.list, p.note)),
    h('details', { className: 'teach-details' }, h('summary', { text: t('teach.dark.showTable') }), tableWrap(p.table)));
  p.section.append(p.body, p.error);
  return {
    section: p.section,
    view: {
      // the teacher only changes while it trains; the matrix otherwise only depends on T
      deps: ['pg', 'teacherVersion', 'applied', 'language', 'teachLayout'],
      minInterval: (view) => Math.max(DARK_MIN_INTERVAL_MS, 8 * view.cost),
      draw: (view) => draw(p, view),
    },
  };
}
