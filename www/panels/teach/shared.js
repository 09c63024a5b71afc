// What the teaching panels share: a panel's frame (heading, lead, error line), engine calls whose errors show in
// the panel, tables with a row or a column per class, and the formulas' pieces.

import { store } from '../../store.js';
import { t, messageOf } from '../../i18n.js';
import { h, setBar } from '../../lib/dom.js';
import { currentMethod, hasTeacher, kdTermsShown } from '../../run.js';

/** p with subscript `who` and superscript T: the soft label symbol. */
export const softSymbol = (who) => [['var', 'p'], ['sub', who], ['sup', 'T']];

/** A formula from pieces: strings, or [tag, text] for 'sub' / 'sup' / 'var'. */
export function math(...pieces) {
  return h('span', { className: 'teach-math' }, pieces.map((piece) => (Array.isArray(piece) ? h(piece[0], {}, piece[1]) : piece)));
}

/**
 * A panel's frame: a section with its heading (h3 inside the page's panel, which has its own heading), its lead
 * paragraphs and an error line. `layout` = { nested, headingTag } from the panels' root.
 */
export function panelShell(id, titleKey, leadKeys, layout) {
  const titleId = `${id}-title`;
  const section = h('section', { id, className: layout.nested ? 'teach-panel' : 'panel teach-panel', attrs: { 'aria-labelledby': titleId } },
    h('div', { className: 'panel-head teach-head' }, h(layout.headingTag, { id: titleId, className: 'teach-title', text: t(titleKey) })),
    [].concat(leadKeys ?? []).map((key) => h('p', { className: 'teach-lead', text: t(key) })));
  const error = h('p', { className: 'teach-error', attrs: { role: 'alert' }, hidden: true });
  // why the view does not apply to the run's method, in place of its numbers (see appliesToMethod)
  const methodNote = h('p', { className: 'teach-note teach-method-note', hidden: true });
  section.append(methodNote);
  return { section, error, methodNote };
}

/**
 * Whether a view applies to the run's method: `needs` 'teacher' (a trained teacher's soft labels: not for mutual
 * learning or self-distillation, which train none) or 'kdTerms' (KD's soft term and its numbers: see kdTermsShown).
 * When it does not, the panel's note says why and what to look at instead, and its `body` is hidden: no numbers
 * that would be false for this method.
 */
export function appliesToMethod(p, needs) {
  const method = t(`method.name.${currentMethod()}`);
  let note = '';
  if (!hasTeacher()) note = t('teach.method.noTeacher', { method });
  else if (needs === 'kdTerms' && !kdTermsShown()) {
    const pg = store.get('pg');
    note = t('teach.method.notKd', { method, term: typeof pg?.softTermText === 'function' ? pg.softTermText() : '—' });
  }
  if (p.methodNote.textContent !== note) p.methodNote.textContent = note;
  p.methodNote.hidden = !note;
  if (p.body) p.body.hidden = Boolean(note);
  return !note;
}

/** Shows `what` failed, and why, in the panel's error line. */
export function showPanelError(panel, what, e) {
  panel.error.textContent = t('teach.error', { what, message: messageOf(e) });
  panel.error.hidden = false;
}

/** Hides the panel's error line. */
export function clearPanelError(panel) {
  if (panel.error.hidden) return;
  panel.error.hidden = true;
  panel.error.textContent = '';
}

/** Runs an engine call; on a thrown error shows it in `panel` and returns null. */
export function attempt(panel, what, fn) {
  try {
    return fn();
  } catch (e) {
    showPanelError(panel, what, e);
    return null;
  }
}

/** Says in the panel that there is no run yet; true when there is none. */
export function waiting(panel) {
  if (store.get('pg')) return false;
  panel.error.hidden = false;
  panel.error.textContent = t('teach.waiting');
  return true;
}

/** The class names of the data set (or 0…n−1). */
export function classNames(n) {
  const names = store.get('dataInfo')?.classNames;
  return names?.length === n ? names : Array.from({ length: n }, (_, i) => String(i));
}

// A table that may be wider than its column scrolls sideways; a scrolling box must then be reachable from the
// keyboard (a focusable region named after the table), and only then.
// (Marked in the next frame, not in the observer's callback: a change made there that moves the layout makes the
// browser report "ResizeObserver loop completed with undelivered notifications" as a page error.)
const scrollWatch = typeof ResizeObserver === 'function'
  ? new ResizeObserver((seen) => {
    const wraps = seen.map((e) => e.target.closest('.teach-table-wrap'));
    requestAnimationFrame(() => wraps.forEach(markScrollable));
  })
  : null;

function markScrollable(wrap) {
  if (!wrap) return;
  const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
  if (scrolls && wrap.tabIndex !== 0) {
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', wrap.querySelector('caption')?.textContent ?? '');
  } else if (!scrolls && wrap.hasAttribute('tabindex')) {
    wrap.removeAttribute('tabindex');
    wrap.removeAttribute('role');
    wrap.removeAttribute('aria-label');
  }
}

/** A table in a box that scrolls sideways when the table is too wide. */
export function tableWrap(table) {
  const wrap = h('div', { className: 'teach-table-wrap' }, table);
  scrollWatch?.observe(wrap);
  scrollWatch?.observe(table);
  return wrap;
}

/** An empty table with a caption, for renderClassRows or renderClassColumns. */
export function classTable(id, className, caption) {
  return h('table', { className: `teach-table ${className}`, id }, h('caption', { className: 'teach-table-caption', text: caption }), h('thead'), h('tbody'));
}

/**
 * Fills a table with one row per class and one column per series: columns = [{key, label, values, format, bar}].
 * The true class's row is marked (in words too, for screen readers).
 */
export function renderClassRows(table, names, trueClass, columns) {
  table.tHead.replaceChildren(h('tr', {},
    h('th', { scope: 'col', className: 'corner', text: t('teach.table.classHead') }),
    columns.map((c) => h('th', { scope: 'col', dataset: { col: c.key }, text: c.label }))));
  table.tBodies[0].replaceChildren(...names.map((name, i) => h('tr', { className: i === trueClass ? 'teach-true' : '', dataset: { class: String(i) } },
    h('th', { scope: 'row' }, name, i === trueClass ? h('span', { className: 'teach-true-mark', text: ` ${t('teach.table.trueClass')}` }) : null),
    columns.map((c) => valueCell(c.values?.[i], c.format, c.bar, { col: c.key })))));
}

/** Fills a table with one column per class (the K×K matrix): rows = [{key, label, values, format, bar, diagonal}]. */
export function renderClassColumns(table, names, rows) {
  table.tHead.replaceChildren(h('tr', {},
    h('th', { scope: 'col', className: 'corner', text: t('teach.table.class') }),
    names.map((name) => h('th', { scope: 'col' }, name))));
  table.tBodies[0].replaceChildren(...rows.map((row) => h('tr', { dataset: { row: row.key } },
    h('th', { scope: 'row', text: row.label }),
    (row.values ?? []).map((v, i) => {
      const td = valueCell(v, row.format, row.bar);
      if (row.diagonal === i) td.classList.add('teach-diagonal');
      return td;
    }))));
}

/** A cell with a number (its exact value in data-value) and, for a probability, a bar behind it. */
function valueCell(v, format, bar, dataset = {}) {
  const td = h('td', { text: format(v), dataset: { ...dataset, value: String(v) } });
  if (bar) {
    td.classList.add('teach-barcell');
    setBar(td, v);
  }
  return td;
}

/** A number with its name, a detail line and a bar (fraction 0..1). */
export function stat(key, label, value, detail, fraction) {
  const fill = h('span', { className: 'teach-bar-fill' });
  fill.style.width = `${(Math.max(0, Math.min(1, Number(fraction) || 0)) * 100).toFixed(1)}%`;
  return h('div', { className: `teach-stat teach-stat-${key}`, dataset: { stat: key } },
    h('dt', {}, label),
    h('dd', {}, h('strong', { className: 'teach-stat-value', text: value }), ' ', h('span', { className: 'teach-stat-detail', text: detail }),
      h('span', { className: 'teach-bar', attrs: { 'aria-hidden': 'true' } }, fill)));
}
