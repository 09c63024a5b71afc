// The teaching panels of KD Playground: the live loss formula, the temperature explorer, the gradient view,
// the dark-knowledge matrix, the architecture and its payoff, and saving / loading runs.
//
// The engine (./pkg) computes every number and draws every chart; this module only lays the numbers out,
// with labels from the catalogue (ctx.t, keys `teach.*`). Text is always set with textContent.
//
//   const teach = createTeachingPanels(root, ctx);
//   teach.update(reason);   // 'reset' | 'step' | 'selection' | 'live' | 'language'
//
// ctx = { getPlayground(), getSelection() -> {split, index}, getSettings(), t(key, params), onImport(pg),
//         announce(text), requestRedraw() }

import * as runfile from './runfile.js';
import { messageOf } from './i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const MINUS = '\u2212';

/** Inference is timed until one model's measurement has taken at least this long (ms)… */
const TIMING_TARGET_MS = 80;
/** …in at most this many calls of timeInference. */
const TIMING_MAX_CALLS = 12;
/** The dark-knowledge matrix runs the teacher over the whole training split: while training, at most this often. */
const DARK_MIN_INTERVAL_MS = 1000;
/** While training, the sample charts take at most about 1/CHART_BUDGET of the time. */
const CHART_BUDGET = 15;
/** Once training updates have stopped for this long, the panels skipped while off screen are refreshed. */
const CATCH_UP_MS = 700;

// ------------------------------------------------------------------------------------------------ formatting

/** A number with `digits` decimals (exponent form when tiny or huge), with a true minus sign. */
export function fixed(x, digits = 3) {
  if (typeof x !== 'number') return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : `${MINUS}∞`;
  const a = Math.abs(x);
  const s = a !== 0 && (a >= 1e5 || a < 10 ** -digits) ? x.toExponential(2) : x.toFixed(digits);
  return s.replace(/-/g, MINUS);
}

/** A number to `n` significant digits, without trailing zeros (16, 6.25, 0.0231). */
export function sig(x, n = 3) {
  if (typeof x !== 'number') return '—';
  if (!Number.isFinite(x)) return fixed(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(n - 1).replace(/-/g, MINUS);
  return String(Number(x.toPrecision(n))).replace(/-/g, MINUS);
}

/** A number to `n` significant digits, keeping trailing zeros (1.90, 0.0324). */
export function prec(x, n = 3) {
  if (typeof x !== 'number') return '—';
  if (!Number.isFinite(x)) return fixed(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(n - 1).replace(/-/g, MINUS);
  if (a >= 10 ** n) return Math.round(x).toLocaleString('en-US').replace(/-/g, MINUS);
  return x.toPrecision(n).replace(/-/g, MINUS);
}

/** Signed, 3 decimals: the per-class gradients. */
function signed(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return fixed(x);
  const s = fixed(x, 3);
  return x > 0 ? `+${s}` : s;
}

function int(x) {
  return typeof x === 'number' && Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—';
}

/** The temperature as the page shows it elsewhere (3 significant digits). */
function tText(temperature) {
  return String(Number(Number(temperature).toPrecision(3)));
}

/** "35×", "7.5×". */
function times(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0) return '—';
  return `${ratio >= 10 ? Math.round(ratio).toLocaleString('en-US') : ratio.toFixed(1)}×`;
}

function kb(bytes) {
  return (bytes / 1024).toFixed(bytes < 10 * 1024 ? 2 : 1);
}

// ------------------------------------------------------------------------------------------------ DOM helpers

/**
 * h('p', {className: 'x', id: 'y', dataset: {...}, attrs: {...}, on: {click: fn}}, 'text', child, ...)
 * Strings become text nodes: nothing here ever parses HTML.
 */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

function applyProps(node, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.setAttribute('class', value);
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node[key] = value;
  }
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [a, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(a, String(v));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A formula from pieces: strings, or [tag, text] for 'sub' / 'sup' / 'var'. */
function math(...pieces) {
  const span = h('span', { className: 'teach-math' });
  for (const piece of pieces) {
    if (Array.isArray(piece)) span.append(h(piece[0], {}, piece[1]));
    else span.append(piece);
  }
  return span;
}

/** p with subscript `who` and superscript T: the soft label symbol. */
const softSymbol = (who) => [['var', 'p'], ['sub', who], ['sup', 'T']];

/** Size a canvas's pixel buffer to its CSS box × devicePixelRatio. False when it is not displayed. */
function sizeCanvas(canvas) {
  const rect = canvas.getBoundingClientRect();
  if (rect.width < 1 || rect.height < 1) return false;
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(rect.width * dpr));
  const hgt = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== hgt) canvas.height = hgt;
  return true;
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// ------------------------------------------------------------------------------------------------ the panels

/**
 * Builds the teaching panels inside `root` and returns `{ update(reason) }`.
 * @param {HTMLElement} root
 * @param {object} ctx
 */
export function createTeachingPanels(root, ctx) {
  injectStylesheet();

  /** The text of `key` in the learner's language, from the page's catalogue. */
  const tr = (key, params) => ctx.t(key, params);

  const state = {
    pg: null,
    dataInfo: null,
    modelInfo: null,
    batchParams: null,       // {temperature, alpha} in force for the last mini-batch the page reported
    withoutT2: false,
    highlight: null,         // {scope, term, pinned}
    dirty: new Set(),        // panels to refresh when they scroll into view
    visible: new Set(),
    dark: { key: null, at: 0, cost: 0, timer: 0 },
    timing: null,            // {teacher, kd}: the last measurement, or null
    timingPending: false,
    timingTimer: 0,
    measuring: false,
    catchUpTimer: 0,
    runfileMessage: null,    // {key, params, kind}: the Save & load panel's last message
    chartAt: 0,              // when the sample charts were last drawn, and what it cost (ms)
    chartCost: 0,
  };

  // Inside a page panel that has its own heading, the panels are sections of it (h3, no card of their own);
  // in a bare container they are cards (h2) like the rest of the page.
  const nested = root.classList.contains('panel');
  const headingTag = root.querySelector('h1, h2') ? 'h3' : 'h2';
  const subTag = headingTag === 'h2' ? 'h3' : 'h4';
  const wrapper = h('div', { className: nested ? 'teach teach-nested' : 'teach' });
  root.append(wrapper);
  let ui = null;

  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver(onIntersect, { rootMargin: '150px 0px' })
    : null;

  // ---------------------------------------------------------------- building (and rebuilding on 'language')

  function build() {
    clearHighlight();
    observer?.disconnect();
    scrollWatch?.disconnect();
    state.visible.clear();
    ui = {
      formula: buildFormula(),
      temperature: buildTemperature(),
      gradients: buildGradients(),
      dark: buildDark(),
      architecture: buildArchitecture(),
      runfile: buildRunfile(),
    };
    wrapper.replaceChildren(...Object.values(ui).map((p) => p.section));
    showRunfileStatus();
    for (const [name, panel] of Object.entries(ui)) {
      panel.section.dataset.teachPanel = name;
      if (observer) observer.observe(panel.section);
      else state.visible.add(name);
    }
  }

  // A table that may be wider than its column scrolls sideways; a scrolling box must then be reachable from
  // the keyboard (a focusable region named after the table), and only then.
  const scrollWatch = 'ResizeObserver' in window
    ? new ResizeObserver((entries) => entries.forEach((e) => markScrollable(e.target.closest('.teach-table-wrap'))))
    : null;

  function tableWrap(table) {
    const wrap = h('div', { className: 'teach-table-wrap' }, table);
    scrollWatch?.observe(wrap);
    scrollWatch?.observe(table);
    return wrap;
  }

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

  function panelShell(id, titleKey, leadKeys) {
    const titleId = `${id}-title`;
    const section = h('section', { id, className: nested ? 'teach-panel' : 'panel teach-panel', attrs: { 'aria-labelledby': titleId } });
    const head = h('div', { className: 'panel-head teach-head' }, h(headingTag, { id: titleId, className: 'teach-title', text: tr(titleKey) }));
    section.append(head);
    for (const key of [].concat(leadKeys ?? [])) section.append(h('p', { className: 'teach-lead', text: tr(key) }));
    const error = h('p', { className: 'teach-error', attrs: { role: 'alert' }, hidden: true });
    return { section, head, error };
  }

  function showPanelError(panel, what, e) {
    if (!panel) return;
    panel.error.textContent = tr('teach.error', { what, message: messageOf(e) });
    panel.error.hidden = false;
  }

  function clearPanelError(panel) {
    if (panel && !panel.error.hidden) {
      panel.error.hidden = true;
      panel.error.textContent = '';
    }
  }

  /** Runs an engine call; on a thrown error shows it in `panel` and returns null. */
  function attempt(panel, what, fn) {
    try {
      return fn();
    } catch (e) {
      showPanelError(panel, what, e);
      return null;
    }
  }

  // ---------------------------------------------------------------- 1. live formula

  function buildFormula() {
    const p = panelShell('teach-formula', 'teach.formula.title', ['teach.formula.lead']);
    p.phaseNote = h('p', { className: 'teach-note', hidden: true, text: tr('teach.formula.teacherPhase') });
    p.sampleTitle = h(subTag, { className: 'teach-subtitle', text: tr('teach.formula.sampleTitle') });
    p.sample = buildEquation('sample');
    p.batchTitle = h(subTag, { className: 'teach-subtitle', text: tr('teach.formula.batchTitle') });
    p.batch = buildEquation('batch');
    p.batchEmpty = h('p', { className: 'teach-empty', text: tr('teach.formula.noBatch') });
    p.batchNote = h('p', { className: 'teach-small', hidden: true });
    p.help = h('p', { className: 'teach-term-help', id: 'teach-formula-help', text: tr('teach.formula.help.default') });
    p.legend = h('p', { className: 'teach-legend' },
      math(...softSymbol('t')), ` ${tr('teach.formula.legend.teacher')} · `,
      math(...softSymbol('s')), ` ${tr('teach.formula.legend.student')} · `,
      math(['var', 'p'], ['sub', 's']), ` ${tr('teach.formula.legend.studentT1')} · `,
      math(['var', 'y']), ` ${tr('teach.formula.legend.hard')} · `,
      tr('teach.formula.legend.engine'));
    p.section.append(p.phaseNote, p.sampleTitle, p.sample.root, p.batchTitle, p.batch.root, p.batchEmpty, p.batchNote,
      p.help, p.legend, p.error);
    return p;
  }

  /** One line of the formula: soft term + hard term = total, each term a button that highlights its source. */
  function buildEquation(scope) {
    const parts = {};
    const num = (name) => (parts[name] = h('span', { className: `teach-num teach-num-${name}`, dataset: { part: name } }, '—'));
    const term = (name, tagKey, symbol, numbers, value) => {
      const button = h('button', {
        type: 'button',
        className: `teach-term teach-term-${name}`,
        dataset: { term: name, scope },
        attrs: { 'aria-pressed': 'false', 'aria-describedby': 'teach-formula-help' },
      },
      h('span', { className: 'teach-term-tag', text: tr(tagKey) }),
      h('span', { className: 'teach-term-sym' }, symbol),
      h('span', { className: 'teach-term-nums' }, numbers),
      h('span', { className: 'teach-term-val' }, value));
      const enter = () => setHighlight(scope, name, false);
      const leave = () => { if (!state.highlight?.pinned) clearHighlight(); };
      button.addEventListener('mouseenter', enter);
      button.addEventListener('focus', enter);
      button.addEventListener('mouseleave', leave);
      button.addEventListener('blur', leave);
      button.addEventListener('click', () => {
        const h0 = state.highlight;
        if (h0?.pinned && h0.scope === scope && h0.term === name) clearHighlight();
        else setHighlight(scope, name, true);
      });
      return button;
    };
    // The soft term as the run computes it: α·T²·KL, or (softLoss = logits) α·(1/2K)·Σ(z̃_s − z̃_t)².
    const klOnly = (...nodes) => h('span', { className: 'teach-kl-only' }, ...nodes);
    const logitsOnly = (...nodes) => h('span', { className: 'teach-logits-only', hidden: true }, ...nodes);
    const soft = term('soft', 'teach.formula.softTag',
      [klOnly(math(['var', 'α'], ' · ', ['var', 'T'], ['sup', '2'], ' · KL(', ...softSymbol('t'), ' ‖ ', ...softSymbol('s'), ')')),
        logitsOnly(math(['var', 'α'], ' · ', '(1/2', ['var', 'K'], ') · Σ(', ['var', 'z̃'], ['sub', 's'], ` ${MINUS} `, ['var', 'z̃'], ['sub', 't'], ')', ['sup', '2']))],
      [klOnly(num('alpha'), ' · ', num('t2'), ' · ', num('kl')), logitsOnly(num('alphaLogits'), ' · ', num('matching'))],
      ['= ', h('strong', {}, num('softWeighted')),
        klOnly(h('span', { className: 'teach-aside' }, ' (', math(['var', 'T'], ['sup', '2'], '·KL'), ' = ', num('softLoss'), ')'))]);
    const hard = term('hard', 'teach.formula.hardTag',
      math('(1 ', MINUS, ' ', ['var', 'α'], ') · CE(', ['var', 'y'], ', ', ['var', 'p'], ['sub', 's'], ')'),
      [num('oneMinusAlpha'), ' · ', num('ce')],
      ['= ', h('strong', {}, num('hardWeighted'))]);
    const total = term('total', 'teach.formula.totalTag',
      math(['var', 'L']),
      [tr('teach.formula.engineTotal')],
      ['= ', h('strong', {}, num('total'))]);
    const root = h('div', { className: 'teach-eq', dataset: { scope } },
      soft, h('span', { className: 'teach-op', attrs: { 'aria-hidden': 'true' } }, '+'),
      hard, h('span', { className: 'teach-op', attrs: { 'aria-hidden': 'true' } }, '='),
      total);
    return { root, parts, soft, hard, total };
  }

  /** Fills an equation with engine numbers: soft = T²·KL (as the engine gives it), hard = CE, total = L. */
  function fillEquation(eq, { alpha, temperature, softLoss, hardLoss, totalLoss }, kind = 'kl') {
    const t2 = temperature * temperature;
    const p = eq.parts;
    for (const node of eq.root.querySelectorAll('.teach-kl-only')) node.hidden = kind === 'logits';
    for (const node of eq.root.querySelectorAll('.teach-logits-only')) node.hidden = kind !== 'logits';
    p.alphaLogits.textContent = sig(alpha, 3);
    p.matching.textContent = fixed(softLoss);
    p.alpha.textContent = sig(alpha, 3);
    p.t2.textContent = sig(t2, 3);
    p.kl.textContent = sig(softLoss / t2, 3); // KL = (T²·KL) / T²: display only
    p.softWeighted.textContent = fixed(alpha * softLoss);
    p.softLoss.textContent = fixed(softLoss);
    p.oneMinusAlpha.textContent = sig(1 - alpha, 3);
    p.ce.textContent = fixed(hardLoss);
    p.hardWeighted.textContent = fixed((1 - alpha) * hardLoss);
    p.total.textContent = fixed(totalLoss);
    Object.assign(eq.root.dataset, {
      alpha: String(alpha), temperature: String(temperature),
      softLoss: String(softLoss), hardLoss: String(hardLoss), totalLoss: String(totalLoss),
    });
  }

  /** The run's soft term: 'kl' or 'logits'. */
  function softLossKind(pg) {
    try {
      return pg.settings()?.softLoss === 'logits' ? 'logits' : 'kl';
    } catch {
      return 'kl';
    }
  }

  function refreshFormula(pg, report) {
    const p = ui.formula;
    clearPanelError(p);
    if (report) {
      p.sampleTitle.textContent = tr('teach.formula.sampleTitleOf', {
        split: tr(report.split === 'train' ? 'teach.split.train' : 'teach.split.test'),
        index: report.index,
        label: report.className || String(report.label),
      });
      fillEquation(p.sample, report, softLossKind(pg));
    }
    const status = attempt(p, tr('teach.formula.title'), () => pg.status());
    p.phaseNote.hidden = status?.phase !== 'teacher';
    const batch = attempt(p, tr('teach.formula.batchTitle'), () => pg.lastBatch());
    const params = state.batchParams;
    const has = !!batch && !!params;
    p.batch.root.hidden = !has;
    p.batchEmpty.hidden = has;
    p.batchNote.hidden = !has;
    if (!has) p.batchEmpty.textContent = tr(!status || status.phase === 'teacher' ? 'teach.formula.noBatch' : 'teach.formula.noBatchSince');
    if (has) {
      fillEquation(p.batch, { ...batch, alpha: params.alpha, temperature: params.temperature }, softLossKind(pg));
      p.batchNote.textContent = tr('teach.formula.batchNote', { T: tText(params.temperature), alpha: sig(params.alpha) });
    }
    applyHighlight();
  }

  // Where each term comes from, in the page (other panels' elements get a class while a term is hovered).
  const SOURCES = {
    sample: {
      soft: ['#sample-table tr[data-row="teacherAtT"]', '#sample-table tr[data-row="kdStudentAtT"]', '#teach-temperature'],
      hard: ['#sample-table tr[data-row="hard"]'],
      total: ['#sample-loss'],
    },
    batch: {
      soft: ['#loss-curves'],
      hard: ['#loss-curves'],
      total: ['#loss-curves', '#latest'],
    },
  };

  function setHighlight(scope, term, pinned) {
    clearHighlight();
    state.highlight = { scope, term, pinned };
    applyHighlight();
  }

  // The page re-renders the sample table (e.g. on resize): while a term is highlighted, re-mark the new rows.
  const sourceWatcher = 'MutationObserver' in window ? new MutationObserver(() => markSources()) : null;

  function markSources() {
    const hl = state.highlight;
    for (const selector of (hl && SOURCES[hl.scope]?.[hl.term]) || []) {
      document.querySelectorAll(selector).forEach((el) => el.classList.add('teach-source'));
    }
  }

  function applyHighlight() {
    if (!ui) return;
    sourceWatcher?.disconnect();
    document.querySelectorAll('.teach-source').forEach((el) => el.classList.remove('teach-source'));
    for (const button of ui.formula.section.querySelectorAll('.teach-term')) {
      const active = state.highlight && button.dataset.scope === state.highlight.scope && button.dataset.term === state.highlight.term;
      button.classList.toggle('teach-active', !!active);
      button.setAttribute('aria-pressed', String(!!(active && state.highlight.pinned)));
    }
    const hl = state.highlight;
    ui.formula.help.textContent = tr(hl ? `teach.formula.help.${hl.scope}.${hl.term}` : 'teach.formula.help.default');
    if (!hl) return;
    markSources();
    const table = document.getElementById('sample-table');
    if (table && sourceWatcher) sourceWatcher.observe(table, { childList: true, subtree: true });
  }

  function clearHighlight() {
    state.highlight = null;
    applyHighlight();
  }

  // ---------------------------------------------------------------- 2. temperature explorer

  function buildTemperature() {
    const p = panelShell('teach-temperature', 'teach.temperature.title', ['teach.temperature.lead']);
    p.canvas = h('canvas', { id: 'teach-sweep', className: 'teach-canvas teach-canvas-wide', attrs: { role: 'img', 'aria-label': tr('teach.temperature.canvasLabel', { T: '—' }) } });
    p.canvasCaption = h('figcaption', { className: 'teach-caption', text: tr('teach.temperature.caption', temperatureRange()) });
    const figure = h('figure', { className: 'teach-figure' }, p.canvas, p.canvasCaption);
    p.tableCaption = h('caption', { className: 'teach-table-caption' }, tr('teach.temperature.tableCaption'));
    p.table = h('table', { className: 'teach-table teach-logits', id: 'teach-logits' }, p.tableCaption, h('thead'), h('tbody'));
    p.stats = h('dl', { className: 'teach-stats', id: 'teach-temperature-stats' });
    const side = h('div', { className: 'teach-side' }, tableWrap(p.table), p.stats);
    p.section.append(h('div', { className: 'teach-two' }, figure, side), p.error);
    return p;
  }

  /** The temperature setting's range (the sweep chart spans it), as caption text. */
  function temperatureRange() {
    const spec = ctx.specOf?.('temperature');
    return { low: spec ? String(spec.min) : '—', high: spec ? String(spec.max) : '—' };
  }

  function refreshTemperature(pg, report, insight) {
    const p = ui.temperature;
    clearPanelError(p);
    if (!report || !insight) return;
    const T = tText(insight.temperature);
    p.canvas.setAttribute('aria-label', tr('teach.temperature.canvasLabel', { T }));
    if (typeof pg.drawTemperatureSweep === 'function') {
      if (sizeCanvas(p.canvas)) attempt(p, tr('teach.temperature.title'), () => pg.drawTemperatureSweep(p.canvas, report.split, report.index));
    }
    const names = classNames(report.hardLabel.length);
    renderClassRows(p.table, names, report.label, [
      { key: 'logits', label: tr('teach.temperature.row.logits'), values: insight.teacherLogits, format: (v) => fixed(v, 2) },
      { key: 't1', label: tr('teach.temperature.row.t1'), values: report.teacherT1, format: (v) => fixed(v, 3), bar: true },
      { key: 'atT', label: tr('teach.temperature.row.atT', { T }), values: report.teacherAtT, format: (v) => fixed(v, 3), bar: true },
    ]);
    p.stats.replaceChildren(
      stat('entropy', tr('teach.temperature.entropy', { T }), fixed(insight.teacherEntropyBits, 2),
        tr('teach.temperature.entropyDetail', { max: fixed(insight.maxEntropyBits, 2), t1: fixed(insight.teacherEntropyBitsT1, 2) }),
        insight.maxEntropyBits > 0 ? insight.teacherEntropyBits / insight.maxEntropyBits : 0),
      stat('dark', tr('teach.temperature.dark', { T }), fixed(insight.darkKnowledge, 3),
        tr('teach.temperature.darkDetail', { t1: fixed(insight.darkKnowledgeT1, 3) }),
        insight.darkKnowledge),
    );
  }

  /** A number with its name, a detail line and a bar (fraction 0..1). */
  function stat(key, label, value, detail, fraction) {
    const f = Math.max(0, Math.min(1, Number(fraction) || 0));
    const bar = h('span', { className: 'teach-bar', attrs: { 'aria-hidden': 'true' } }, h('span', { className: 'teach-bar-fill' }));
    bar.firstChild.style.width = `${(f * 100).toFixed(1)}%`;
    return h('div', { className: `teach-stat teach-stat-${key}`, dataset: { stat: key } },
      h('dt', {}, label),
      h('dd', {}, h('strong', { className: 'teach-stat-value', text: value }), ' ', h('span', { className: 'teach-stat-detail', text: detail }), bar));
  }

  function classNames(n) {
    const names = state.dataInfo?.classNames;
    return names?.length === n ? names : Array.from({ length: n }, (_, i) => String(i));
  }

  /**
   * A table with one row per class and one column per series: columns = [{key, label, values, format, bar}].
   * The true class's row is marked (in words too, for screen readers).
   */
  function renderClassRows(table, names, trueClass, columns) {
    table.tHead.replaceChildren(h('tr', {},
      h('th', { scope: 'col', className: 'corner', text: tr('teach.table.classHead') }),
      columns.map((c) => h('th', { scope: 'col', dataset: { col: c.key }, text: c.label }))));
    table.tBodies[0].replaceChildren(...names.map((name, i) => {
      const th = h('th', { scope: 'row' }, name);
      if (i === trueClass) th.append(h('span', { className: 'teach-true-mark', text: ` ${tr('teach.table.trueClass')}` }));
      const row = h('tr', { className: i === trueClass ? 'teach-true' : '', dataset: { class: String(i) } }, th);
      for (const c of columns) {
        const v = c.values?.[i];
        const td = h('td', { dataset: { col: c.key, value: String(v) }, text: c.format(v) });
        if (c.bar) {
          td.classList.add('teach-barcell');
          td.style.setProperty('--p', String(Math.max(0, Math.min(1, Number(v) || 0))));
        }
        row.append(td);
      }
      return row;
    }));
  }

  /** A table with one column per class (the K×K matrix): rows = [{key, label, values, format, bar}]. */
  function renderClassColumns(table, names, rows) {
    table.tHead.replaceChildren(h('tr', {},
      h('th', { scope: 'col', className: 'corner', text: tr('teach.table.class') }),
      names.map((name) => h('th', { scope: 'col' }, name))));
    table.tBodies[0].replaceChildren(...rows.map((row) => {
      const tr_ = h('tr', { dataset: { row: row.key } }, h('th', { scope: 'row', text: row.label }));
      (row.values ?? []).forEach((v, i) => {
        const td = h('td', { text: row.format(v), dataset: { value: String(v) } });
        if (row.diagonal === i) td.classList.add('teach-diagonal');
        if (row.bar) {
          td.classList.add('teach-barcell');
          td.style.setProperty('--p', String(Math.max(0, Math.min(1, Number(v) || 0))));
        }
        tr_.append(td);
      });
      return tr_;
    }));
  }

  // ---------------------------------------------------------------- 3. gradient view

  function buildGradients() {
    const p = panelShell('teach-gradients', 'teach.gradients.title', ['teach.gradients.lead']);
    p.canvas = h('canvas', { id: 'teach-gradients-chart', className: 'teach-canvas teach-canvas-wide', attrs: { role: 'img', 'aria-label': tr('teach.gradients.canvasLabel') } });
    const figure = h('figure', { className: 'teach-figure' }, p.canvas, h('figcaption', { className: 'teach-caption', text: tr('teach.gradients.caption') }));
    const switchId = 'teach-drop-t2';
    p.toggle = h('input', { type: 'checkbox', id: switchId, className: 'teach-switch-input', checked: state.withoutT2, attrs: { 'aria-describedby': 'teach-drop-t2-help' } });
    p.toggle.addEventListener('change', () => {
      state.withoutT2 = p.toggle.checked;
      refreshSamplePanels(['gradients']);
      ctx.announce?.(ui.gradients.summary.textContent);
    });
    const toggleRow = h('div', { className: 'teach-switch' },
      p.toggle,
      h('label', { htmlFor: switchId }, tr('teach.gradients.switch')),
      h('p', { className: 'teach-small', id: 'teach-drop-t2-help', text: tr('teach.gradients.switchHelp') }));
    p.stats = h('dl', { className: 'teach-stats', id: 'teach-gradient-stats' });
    p.summary = h('p', { className: 'teach-summary', id: 'teach-gradient-summary' });
    p.tableCaption = h('caption', { className: 'teach-table-caption' }, tr('teach.gradients.tableCaption'));
    p.table = h('table', { className: 'teach-table teach-grad-table', id: 'teach-gradient-table' }, p.tableCaption, h('thead'), h('tbody'));
    const side = h('div', { className: 'teach-side' }, toggleRow, p.stats, p.summary);
    const main = h('div', { className: 'teach-side' }, figure, tableWrap(p.table));
    p.section.append(h('div', { className: 'teach-two' }, main, side), p.error);
    return p;
  }

  function refreshGradients(pg, report, insight) {
    const p = ui.gradients;
    clearPanelError(p);
    if (!report || !insight) return;
    const g = insight.gradients;
    const without = state.withoutT2;
    p.toggle.checked = without;
    const T = insight.temperature;
    p.canvas.setAttribute('aria-label', tr(without ? 'teach.gradients.canvasLabelWithout' : 'teach.gradients.canvasLabel'));
    if (typeof pg.drawGradients === 'function') {
      if (sizeCanvas(p.canvas)) attempt(p, tr('teach.gradients.title'), () => pg.drawGradients(p.canvas, report.split, report.index, without));
    }
    const shownSoft = without ? g.softWithoutT2Norm : g.softNorm;
    const ratio = g.softWithoutT2Norm > 0 ? g.softNorm / g.softWithoutT2Norm : NaN; // engine numbers, divided for display
    const softVsHard = g.hardNorm > 0 ? shownSoft / g.hardNorm : NaN;
    const value = (id, text, raw) => h('strong', { id, className: 'teach-stat-value', text, dataset: { value: String(raw) } });
    p.stats.replaceChildren(
      h('div', { className: 'teach-stat' },
        h('dt', {}, tr(without ? 'teach.gradients.softNormWithout' : 'teach.gradients.softNorm')),
        h('dd', {}, value('teach-grad-soft-norm', prec(shownSoft, 3), shownSoft))),
      h('div', { className: 'teach-stat' },
        h('dt', {}, tr('teach.gradients.hardNorm')),
        h('dd', {}, value('teach-grad-hard-norm', prec(g.hardNorm, 3), g.hardNorm))),
      h('div', { className: 'teach-stat' },
        h('dt', {}, tr('teach.gradients.softVsHard')),
        h('dd', {}, value('teach-grad-soft-vs-hard', Number.isFinite(softVsHard) ? prec(softVsHard, 3) : '—', softVsHard))),
      h('div', { className: 'teach-stat teach-stat-ratio' },
        h('dt', {}, tr('teach.gradients.ratio')),
        h('dd', {},
          `${prec(g.softNorm, 3)} ÷ ${prec(g.softWithoutT2Norm, 3)} = `,
          value('teach-grad-ratio', Number.isFinite(ratio) ? sig(ratio, 3) : '—', ratio),
          ` = T² = ${sig(T * T, 3)}`,
          h('span', { className: 'teach-stat-detail', text: ` (T = ${tText(T)})` }))),
    );
    p.stats.dataset.temperature = String(T);
    p.summary.textContent = tr(without ? 'teach.gradients.summaryWithout' : 'teach.gradients.summaryWith', {
      T: tText(T), t2: sig(T * T, 3), with: prec(g.softNorm, 3), without: prec(g.softWithoutT2Norm, 3),
    });
    const names = classNames(g.soft.length);
    const rows = [
      { key: 'soft', label: tr(without ? 'teach.gradients.row.softWithout' : 'teach.gradients.row.soft'), values: without ? g.softWithoutT2 : g.soft, format: signed },
      { key: 'hard', label: tr('teach.gradients.row.hard'), values: g.hard, format: signed },
    ];
    if (!without) rows.push({ key: 'total', label: tr('teach.gradients.row.total'), values: g.total, format: signed });
    renderClassRows(p.table, names, report.label, rows);
  }

  // ---------------------------------------------------------------- 4. dark-knowledge matrix

  function buildDark() {
    const p = panelShell('teach-dark-knowledge', 'teach.dark.title', ['teach.dark.lead']);
    p.canvas = h('canvas', { id: 'teach-dark-chart', className: 'teach-canvas teach-canvas-square', attrs: { role: 'img', 'aria-label': tr('teach.dark.canvasLabel', { T: '—' }) } });
    p.caption = h('figcaption', { className: 'teach-caption', text: tr('teach.dark.caption') });
    const figure = h('figure', { className: 'teach-figure' }, p.canvas, p.caption);
    p.listTitle = h(subTag, { className: 'teach-subtitle', id: 'teach-dark-list-title', text: tr('teach.dark.listTitle') });
    p.list = h('ul', { className: 'teach-alike', id: 'teach-dark-list', attrs: { 'aria-labelledby': 'teach-dark-list-title' } });
    p.note = h('p', { className: 'teach-small' });
    p.tableCaption = h('caption', { className: 'teach-table-caption' }, tr('teach.dark.tableCaption'));
    p.table = h('table', { className: 'teach-table teach-matrix', id: 'teach-dark-table' }, p.tableCaption, h('thead'), h('tbody'));
    p.details = h('details', { className: 'teach-details' }, h('summary', { text: tr('teach.dark.showTable') }), tableWrap(p.table));
    const side = h('div', { className: 'teach-side' }, p.listTitle, p.list, p.note);
    p.section.append(h('div', { className: 'teach-two teach-two-square' }, figure, side), p.details, p.error);
    return p;
  }

  function darkKey(pg) {
    const status = pg.status();
    const settings = pg.settings();
    // the teacher only changes while it trains; the matrix otherwise only depends on T
    const teacher = status.phase === 'teacher' ? `teacher:${status.steps}` : `fixed:${status.phase === 'diverged' ? status.steps : ''}`;
    return `${teacher}|${settings.temperature}`;
  }

  /** Recomputes the matrix if it may have changed; `throttle` (while training) keeps it to once a second. */
  function refreshDark(pg, { force = false, throttle = false } = {}) {
    const p = ui.dark;
    const d = state.dark;
    const key = attempt(p, tr('teach.dark.title'), () => darkKey(pg));
    if (key === null) return;
    if (!force && key === d.key) return;
    if (throttle) {
      const wait = Math.max(DARK_MIN_INTERVAL_MS, 8 * d.cost) - (performance.now() - d.at);
      if (wait > 0) {
        if (!d.timer) {
          d.timer = setTimeout(() => {
            d.timer = 0;
            const cur = ctx.getPlayground?.();
            if (cur) refreshDark(cur, { throttle: true });
            ctx.settled?.();
          }, wait);
        }
        return;
      }
    }
    clearTimeout(d.timer);
    d.timer = 0;
    clearPanelError(p);
    const t0 = performance.now();
    const sim = attempt(p, tr('teach.dark.title'), () => pg.darkKnowledge());
    if (!sim) return;
    if (typeof pg.drawDarkKnowledge === 'function' && sizeCanvas(p.canvas)) {
      attempt(p, tr('teach.dark.title'), () => pg.drawDarkKnowledge(p.canvas));
    }
    d.cost = performance.now() - t0;
    d.at = performance.now();
    d.key = key;
    renderDarkText(sim);
  }

  function renderDarkText(sim) {
    const p = ui.dark;
    const matrix = sim.matrix ?? [];
    const names = classNames(matrix.length);
    const T = tText(sim.temperature);
    p.canvas.setAttribute('aria-label', tr('teach.dark.canvasLabel', { T }));
    const samples = (sim.counts ?? []).reduce((a, b) => a + b, 0);
    p.note.textContent = tr('teach.dark.note', { T, n: int(samples) });
    p.list.replaceChildren(...matrix.map((row, c) => {
      let best = -1;
      row.forEach((v, k) => { if (k !== c && (best < 0 || v > row[best])) best = k; });
      const li = h('li', { dataset: { class: String(c), alike: best >= 0 ? String(best) : '' } });
      if (!sim.counts?.[c]) li.textContent = tr('teach.dark.noSamples', { a: names[c] });
      else if (best < 0) li.textContent = names[c];
      else {
        li.append(
          h('span', { className: 'teach-alike-a', text: names[c] }), ' ',
          tr('teach.dark.alikeMiddle'), ' ',
          h('strong', { className: 'teach-alike-b', text: names[best] }), ' ',
          h('span', { className: 'teach-alike-p', text: `(${fixed(row[best], 3)})` }));
        li.setAttribute('aria-label', tr('teach.dark.alike', { a: names[c], b: names[best], p: fixed(row[best], 3) }));
      }
      return li;
    }));
    renderClassColumns(p.table, names, matrix.map((row, c) => ({
      key: String(c), label: names[c], values: row, format: (v) => fixed(v, 3), bar: true, diagonal: c,
    })));
  }

  // ---------------------------------------------------------------- 5. architecture and the payoff

  function buildArchitecture() {
    const p = panelShell('teach-architecture', 'teach.arch.title', ['teach.arch.lead']);
    p.diagram = h('div', { className: 'teach-diagram', id: 'teach-arch-diagram' });
    p.payoffCaption = h('caption', { className: 'teach-table-caption' }, tr('teach.arch.tableCaption'));
    p.payoff = h('table', { className: 'teach-table teach-payoff', id: 'teach-payoff' }, p.payoffCaption, h('thead'), h('tbody'));
    p.wins = h('div', { className: 'teach-wins', id: 'teach-wins' });
    p.measure = h('button', { type: 'button', className: 'teach-button', id: 'teach-measure', text: tr('teach.arch.measure') });
    p.measure.addEventListener('click', () => measureInference(true));
    p.measureStatus = h('p', { className: 'teach-small', id: 'teach-measure-status', attrs: { role: 'status' } });
    p.why = h('p', { className: 'teach-why', text: tr('teach.arch.why') });
    p.section.append(p.diagram,
      h('div', { className: 'teach-payoff-row' },
        tableWrap(p.payoff),
        h('div', { className: 'teach-wins-col' }, p.wins, h('div', { className: 'teach-measure-row' }, p.measure, p.measureStatus))),
      p.why, p.error);
    return p;
  }

  function refreshArchitecture() {
    const p = ui.architecture;
    const mi = state.modelInfo;
    if (!mi) return;
    p.diagram.replaceChildren(architectureSvg(mi));
    fitTexts(p.diagram);
    renderPayoff();
  }

  function renderPayoff() {
    const p = ui.architecture;
    const mi = state.modelInfo;
    if (!mi) return;
    const timing = state.timing;
    const us = (m) => (timing?.[m] ? timing[m].msPerSample * 1000 : null);
    const cell = (text, id, raw) => h('td', { id, text, dataset: raw === undefined ? {} : { value: String(raw) } });
    const row = (label, a, b) => h('tr', {}, h('th', { scope: 'row', text: label }), a, b);
    p.payoff.tHead.replaceChildren(h('tr', {},
      h('td', { className: 'corner' }),
      h('th', { scope: 'col', className: 'teach-col-teacher', text: tr('teach.arch.teacher') }),
      h('th', { scope: 'col', className: 'teach-col-student', text: tr('teach.arch.student') })));
    const timeText = (m) => (us(m) === null ? tr('teach.arch.notMeasured') : tr('teach.arch.us', { us: sig(us(m), 3) }));
    p.payoff.tBodies[0].replaceChildren(
      row(tr('teach.arch.row.layers'), cell(mi.teacher.layers.join('→'), 'teach-teacher-layers'), cell(mi.student.layers.join('→'), 'teach-student-layers')),
      row(tr('teach.arch.row.parameters'), cell(int(mi.teacher.parameters), 'teach-teacher-params', mi.teacher.parameters), cell(int(mi.student.parameters), 'teach-student-params', mi.student.parameters)),
      row(tr('teach.arch.row.bytes'),
        cell(tr('teach.arch.bytes', { bytes: int(mi.teacher.bytes), kb: kb(mi.teacher.bytes) }), 'teach-teacher-bytes', mi.teacher.bytes),
        cell(tr('teach.arch.bytes', { bytes: int(mi.student.bytes), kb: kb(mi.student.bytes) }), 'teach-student-bytes', mi.student.bytes)),
      row(tr('teach.arch.row.time'), cell(timeText('teacher'), 'teach-teacher-time', us('teacher') ?? ''), cell(timeText('kd'), 'teach-student-time', us('kd') ?? '')),
    );
    const speedup = us('teacher') && us('kd') ? us('teacher') / us('kd') : null;
    const win = (id, big, text, raw) => h('div', { className: 'teach-win', id, dataset: { value: String(raw ?? '') } },
      h('span', { className: 'teach-win-big', text: big }), h('span', { className: 'teach-win-text', text }));
    p.wins.replaceChildren(
      win('teach-ratio', times(mi.compressionRatio), tr('teach.arch.fewer', { kb: kb(mi.teacher.bytes - mi.student.bytes) }), mi.compressionRatio),
      win('teach-speedup', speedup ? times(speedup) : '?', speedup ? tr('teach.arch.faster') : tr('teach.arch.fasterUnknown'), speedup),
    );
    const playing = isPlaying();
    p.measure.disabled = playing || state.measuring;
    p.measureStatus.dataset.state = state.measuring ? 'measuring' : playing ? 'paused' : timing ? 'done' : 'idle';
    if (state.measuring) p.measureStatus.textContent = tr('teach.arch.measuring');
    else if (playing) p.measureStatus.textContent = tr('teach.arch.pauseToMeasure');
    else if (timing) {
      p.measureStatus.textContent = tr('teach.arch.measured', {
        samples: int(timing.teacher.samples), teacherReps: int(timing.teacher.repetitions), teacherMs: fixed(timing.teacher.totalMs, 0),
        studentReps: int(timing.kd.repetitions), studentMs: fixed(timing.kd.totalMs, 0),
      });
    } else p.measureStatus.textContent = tr('teach.arch.notYet');
  }

  function isPlaying() {
    if (typeof ctx.isPlaying === 'function') return !!ctx.isPlaying();
    return document.getElementById('btn-play')?.getAttribute('aria-pressed') === 'true';
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

  function measureInference(byUser) {
    const pg = ctx.getPlayground?.();
    if (!pg || !ui || state.measuring) return;
    if (isPlaying()) {
      renderPayoff();
      return;
    }
    clearTimeout(state.timingTimer);
    state.timingTimer = 0;
    state.timingPending = false;
    state.measuring = true;
    renderPayoff();
    // let the "measuring…" text paint before the main thread is busy for a few hundred ms
    requestAnimationFrame(() => setTimeout(() => {
      const current = ctx.getPlayground?.();
      if (current !== pg) { state.measuring = false; renderPayoff(); ctx.settled?.(); return; }
      const p = ui.architecture;
      clearPanelError(p);
      const result = attempt(p, tr('teach.arch.measure'), () => ({ teacher: timeModel(pg, 'teacher'), kd: timeModel(pg, 'kd') }));
      state.measuring = false;
      if (result) state.timing = result;
      renderPayoff();
      if (result && byUser) {
        const speed = result.teacher.msPerSample / result.kd.msPerSample;
        ctx.announce?.(tr('teach.arch.announce', { teacher: sig(result.teacher.msPerSample * 1000, 3), student: sig(result.kd.msPerSample * 1000, 3), speedup: times(speed) }));
      }
      ctx.settled?.();
    }, 0));
  }

  function scheduleAutoMeasure(delay = 700) {
    clearTimeout(state.timingTimer);
    state.timingTimer = setTimeout(() => {
      state.timingTimer = 0;
      if (!state.timingPending) return ctx.settled?.();
      if (isPlaying() || document.hidden) scheduleAutoMeasure(2000);
      else measureInference(false);
    }, delay);
  }

  /** The flow of distillation as an SVG: data → teacher → softmax at T → soft labels → loss ← student, hard labels. */
  function architectureSvg(mi) {
    const W = 960;
    const H = 384;
    const lane = { teacher: 88, student: 238, hard: 344 };
    const colour = { teacher: '#d55e00', student: '#0072b2', soft: '#009e73', hard: '#555b63' };
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'teach-arch-svg', role: 'img', 'aria-labelledby': 'teach-arch-svg-title teach-arch-svg-desc' });
    root.append(svg('title', { id: 'teach-arch-svg-title' }, tr('teach.arch.svgTitle')));
    root.append(svg('desc', { id: 'teach-arch-svg-desc' }, tr('teach.arch.svgDesc', {
      teacher: mi.teacher.layers.join('→'), teacherParams: int(mi.teacher.parameters),
      student: mi.student.layers.join('→'), studentParams: int(mi.student.parameters),
    })));
    const defs = svg('defs');
    for (const [name, c] of Object.entries({ ink: '#3b4249', soft: colour.soft, hard: colour.hard, grad: colour.student })) {
      const marker = svg('marker', { id: `teach-arrow-${name}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: c }));
      defs.append(marker);
    }
    root.append(defs);

    const arrow = (points, kind = 'ink', extra = {}) => {
      const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x},${y}`).join(' ');
      const c = { ink: '#3b4249', soft: colour.soft, hard: colour.hard, grad: colour.student }[kind];
      root.append(svg('path', { d, fill: 'none', stroke: c, 'stroke-width': kind === 'ink' ? 1.6 : 2.2, 'marker-end': `url(#teach-arrow-${kind})`, ...extra }));
    };
    const text = (x, y, content, attrs = {}) => {
      const node = svg('text', { x, y, 'text-anchor': 'middle', class: 'teach-svg-text', ...attrs }, content);
      root.append(node);
      return node;
    };
    /** A labelled box; `lines` = [main, sub]; data-max-width lets fitTexts shrink long (translated) text. */
    const box = (x, y, w, hgt, lines, stroke, fill, id) => {
      const g = svg('g', { class: 'teach-svg-box', id });
      g.append(svg('rect', { x, y, width: w, height: hgt, rx: 8, fill, stroke, 'stroke-width': 1.6 }));
      const n = lines.filter(Boolean).length;
      lines.filter(Boolean).forEach((line, i) => {
        const ty = y + hgt / 2 + (i - (n - 1) / 2) * 18 + 5;
        g.append(svg('text', { x: x + w / 2, y: ty, 'text-anchor': 'middle', class: i === 0 ? 'teach-svg-strong' : 'teach-svg-sub', 'data-max-width': w - 12 }, line));
      });
      root.append(g);
      return { x, y, w, h: hgt, cx: x + w / 2, cy: y + hgt / 2, right: x + w, bottom: y + hgt };
    };

    // training data: one tall box feeding the teacher, the student and the hard labels
    const data = box(12, lane.teacher - 34, 112, lane.hard - lane.teacher + 58, [tr('teach.arch.svg.data'), tr('teach.arch.svg.dataSub')], '#3b4249', '#f4f5f7', 'teach-svg-data');

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
    text(teacherNet.left, lane.teacher - 50, tr('teach.arch.svg.teacher', { params: int(mi.teacher.parameters), kb: kb(mi.teacher.bytes) }),
      { 'text-anchor': 'start', class: 'teach-svg-strong teach-svg-teacher-title', 'data-max-width': 340 });
    text(studentNet.left, lane.student - 50, tr('teach.arch.svg.student', { params: int(mi.student.parameters), kb: kb(mi.student.bytes) }),
      { 'text-anchor': 'start', class: 'teach-svg-strong teach-svg-student-title', 'data-max-width': 340 });

    // teacher → softmax at T → soft labels
    const softmaxT = box(510, lane.teacher - 26, 140, 52, [tr('teach.arch.svg.softmaxT'), tr('teach.arch.svg.softmaxTSub')], colour.teacher, '#fdf0e6', 'teach-svg-softmax');
    const soft = box(688, lane.teacher - 36, 170, 72, [tr('teach.arch.svg.soft'), tr('teach.arch.svg.softSub'), tr('teach.arch.svg.softExample')], colour.soft, '#e3f5ee', 'teach-svg-soft');
    const studentOut = box(510, lane.student - 26, 140, 52, [tr('teach.arch.svg.studentOut'), tr('teach.arch.svg.studentOutSub')], colour.student, '#e6f1f8', 'teach-svg-student-out');
    const loss = box(676, lane.student - 34, 194, 68, [tr('teach.arch.svg.loss'), 'α·T²·KL + (1 − α)·CE'], '#1d2127', '#ffffff', 'teach-svg-loss');
    const hard = box(500, lane.hard - 30, 160, 60, [tr('teach.arch.svg.hard'), tr('teach.arch.svg.hardSub'), tr('teach.arch.svg.hardExample')], colour.hard, '#f1f2f4', 'teach-svg-hard');

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
    text((studentNet.right + loss.x) / 2 + 10, gy + 16, tr('teach.arch.svg.gradient'), { class: 'teach-svg-small teach-svg-grad-ink', 'data-max-width': 300 });
    text(teacherNet.left, lane.teacher + 78, tr('teach.arch.svg.frozen'), { 'text-anchor': 'start', class: 'teach-svg-small teach-svg-teacher-ink teach-svg-note', 'data-max-width': 300 });
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

  // ---------------------------------------------------------------- 6. save & load

  function buildRunfile() {
    const p = panelShell('teach-runfile', 'teach.runfile.title', ['teach.runfile.lead']);
    p.download = h('button', { type: 'button', className: 'teach-button', id: 'teach-download-run', text: tr('teach.runfile.download') });
    p.loadInput = h('input', { type: 'file', id: 'teach-load-input', accept: '.json,application/json', hidden: true, attrs: { 'aria-label': tr('teach.runfile.load') } });
    p.load = h('button', { type: 'button', className: 'teach-button', id: 'teach-load-run', text: tr('teach.runfile.load') });
    p.csv = h('button', { type: 'button', className: 'teach-button', id: 'teach-download-csv', text: tr('teach.runfile.csv') });
    p.status = h('p', { className: 'teach-small teach-runfile-status', id: 'teach-runfile-status', attrs: { role: 'status' } });
    p.pngNote = h('p', { className: 'teach-small', text: tr('teach.runfile.pngNote') });
    p.download.addEventListener('click', downloadRun);
    p.csv.addEventListener('click', downloadCsv);
    p.load.addEventListener('click', () => p.loadInput.click());
    p.loadInput.addEventListener('change', () => {
      const file = p.loadInput.files?.[0];
      p.loadInput.value = '';
      if (file) loadRun(file);
    });
    p.section.append(h('div', { className: 'teach-buttons' }, p.download, p.load, p.loadInput, p.csv), p.status, p.pngNote, p.error);
    return p;
  }

  /** The Save & load panel's message: a catalogue key and its parameters, so that it survives a language change. */
  function runfileStatus(key, params = {}, kind = 'ok') {
    state.runfileMessage = key ? { key, params, kind } : null;
    showRunfileStatus();
    return key ? messageText(state.runfileMessage) : '';
  }

  /** A stored message in the current language (a `phaseKey` parameter is translated too). */
  function messageText({ key, params }) {
    return tr(key, params.phaseKey ? { ...params, phase: tr(params.phaseKey) } : params);
  }

  function showRunfileStatus() {
    const p = ui?.runfile;
    if (!p) return;
    const m = state.runfileMessage;
    p.status.textContent = m ? messageText(m) : '';
    p.status.dataset.kind = m?.kind ?? '';
  }

  function runSettings(pg) {
    try { return pg.settings(); } catch { return ctx.getSettings?.() ?? {}; }
  }

  function downloadRun() {
    const pg = ctx.getPlayground?.();
    if (!pg) return;
    try {
      const name = runfile.runFileName(runSettings(pg));
      runfile.downloadBlob(runfile.runBlob(pg), name, wrapper);
      runfileStatus('teach.runfile.downloaded', { name });
    } catch (e) {
      runfileStatus('teach.runfile.error.export', { detail: messageOf(e) }, 'error');
    }
  }

  function downloadCsv() {
    const pg = ctx.getPlayground?.();
    if (!pg) return;
    try {
      const name = runfile.curvesFileName(runSettings(pg));
      runfile.downloadBlob(runfile.curvesBlob(pg), name, wrapper);
      runfileStatus('teach.runfile.downloaded', { name });
    } catch (e) {
      runfileStatus('teach.runfile.error.export', { detail: messageOf(e) }, 'error');
    }
  }

  async function loadRun(file) {
    runfileStatus('teach.runfile.loading', { name: file.name });
    let pg;
    try {
      pg = await runfile.loadRunFile(file);
    } catch (e) {
      const code = e instanceof runfile.RunFileError ? e.code : 'rejected';
      const detail = e instanceof runfile.RunFileError ? e.detail : messageOf(e);
      ctx.announce?.(runfileStatus(`teach.runfile.error.${code}`, { detail, name: file.name }, 'error'));
      return;
    }
    try {
      ctx.onImport?.(pg);
    } catch (e) {
      try { pg.free(); } catch { /* already gone */ }
      runfileStatus('teach.runfile.error.rejected', { detail: messageOf(e) }, 'error');
      return;
    }
    if (ctx.getPlayground?.() === pg && state.pg !== pg) update('reset');
    let text;
    try {
      const s = pg.settings();
      const st = pg.status();
      text = runfileStatus('teach.runfile.loaded', { name: file.name, dataset: String(s.dataset), seed: String(s.seed), phaseKey: `teach.phase.${st.phase}`, epoch: st.epoch });
    } catch {
      text = runfileStatus('teach.runfile.loadedShort', { name: file.name });
    }
    ctx.announce?.(text);
    ctx.requestRedraw?.();
  }

  // PNG buttons: one after every canvas of the page (added once; re-labelled on 'language')
  const pngButtons = new WeakMap();

  function chartName(canvas) {
    const caption = canvas.closest('figure')?.querySelector('figcaption')?.textContent?.trim();
    if (caption) return caption;
    const label = canvas.getAttribute('aria-label') ?? '';
    const short = label.split(/[;:.]/)[0].trim();
    return short || canvas.id || tr('teach.png.chart');
  }

  function addPngButtons() {
    for (const canvas of document.querySelectorAll('canvas')) {
      let button = pngButtons.get(canvas);
      if (!button || !button.isConnected || button.previousElementSibling !== canvas) {
        const next = canvas.nextElementSibling;
        if (next?.classList.contains('teach-png')) next.remove();
        button = h('button', { type: 'button', className: 'teach-png', dataset: { canvas: canvas.id || '' } },
          h('span', { attrs: { 'aria-hidden': 'true' } }, '⤓ '), 'PNG');
        button.addEventListener('click', () => downloadPng(canvas));
        canvas.after(button);
        pngButtons.set(canvas, button);
      }
      const name = chartName(canvas);
      button.setAttribute('aria-label', tr('teach.png.aria', { chart: name }));
      button.title = tr('teach.png.aria', { chart: name });
    }
  }

  async function downloadPng(canvas) {
    try {
      const blob = await runfile.canvasPng(canvas);
      const name = runfile.pngFileName(canvas);
      runfile.downloadBlob(blob, name, wrapper);
      ctx.announce?.(runfileStatus('teach.runfile.downloaded', { name }));
    } catch (e) {
      const key = e instanceof runfile.RunFileError ? `teach.runfile.error.${e.code}` : 'teach.runfile.error.export';
      ctx.announce?.(runfileStatus(key, { detail: messageOf(e) }, 'error'));
    }
  }

  // ---------------------------------------------------------------- updating

  /** The panels that show the selected sample. */
  function refreshSamplePanels(names = ['formula', 'temperature', 'gradients'], { onlyVisible = false } = {}) {
    const pg = state.pg;
    if (!pg || !ui) return;
    const todo = names.filter((n) => {
      if (onlyVisible && !state.visible.has(n)) { state.dirty.add(n); return false; }
      state.dirty.delete(n);
      return true;
    });
    if (!todo.length) return false;
    const sel = ctx.getSelection?.() ?? { split: 'test', index: 0 };
    const report = attempt(ui.formula, tr('teach.formula.title'), () => pg.inspect(sel.split, sel.index));
    const needInsight = todo.includes('temperature') || todo.includes('gradients');
    const insight = needInsight ? attempt(ui.temperature, tr('teach.temperature.title'), () => pg.explain(sel.split, sel.index)) : null;
    if (todo.includes('formula')) refreshFormula(pg, report);
    if (todo.includes('temperature')) refreshTemperature(pg, report, insight);
    if (todo.includes('gradients')) refreshGradients(pg, report, insight);
    return true;
  }

  function onIntersect(entries) {
    for (const entry of entries) {
      const name = entry.target.dataset.teachPanel;
      if (!name) continue;
      if (entry.isIntersecting) state.visible.add(name);
      else state.visible.delete(name);
      if (entry.isIntersecting && state.dirty.has(name) && state.pg) {
        state.dirty.delete(name);
        if (name === 'dark') refreshDark(state.pg, { throttle: false });
        else if (name === 'architecture') renderPayoff();
        else refreshSamplePanels([name]);
      }
    }
  }

  /** Refreshes every panel left out while training (called once training updates pause). */
  function catchUp() {
    state.catchUpTimer = 0;
    const pg = ctx.getPlayground?.();
    if (!pg || pg !== state.pg || !ui) return ctx.settled?.();
    const samplePanels = ['formula', 'temperature', 'gradients'].filter((n) => state.dirty.has(n));
    if (samplePanels.length) refreshSamplePanels(samplePanels);
    if (state.dirty.delete('dark')) refreshDark(pg);
    state.dirty.delete('architecture');
    renderPayoff();
    ctx.settled?.();
  }

  function readRunInfo(pg) {
    state.dataInfo = attempt(ui.formula, tr('teach.formula.title'), () => pg.dataInfo());
    state.modelInfo = attempt(ui.architecture, tr('teach.arch.title'), () => pg.modelInfo());
  }

  function currentParams(pg) {
    try {
      const s = pg.settings();
      return { temperature: Number(s.temperature), alpha: Number(s.alpha) };
    } catch {
      return null;
    }
  }

  /**
   * Brings the panels up to date. `reason`: 'reset' (a new Playground), 'step' (training advanced),
   * 'selection' (another sample), 'live' (T or α changed), 'language' (rebuild every text).
   */
  function update(reason = 'step') {
    const pg = ctx.getPlayground?.() ?? null;
    if (reason === 'language' || !ui) build();
    if (pg !== state.pg) {
      state.pg = pg;
      if (reason !== 'language') reason = 'reset';
      state.timing = null;
      state.dark.key = null;
      state.batchParams = null;
      state.timingPending = !!pg;
      if (pg) readRunInfo(pg);
      if (pg) scheduleAutoMeasure();
    }
    if (!pg) {
      for (const panel of Object.values(ui)) {
        panel.error.hidden = false;
        panel.error.textContent = tr('teach.waiting');
      }
      return;
    }
    if (reason === 'reset' || reason === 'step') state.batchParams = currentParams(pg);
    if (reason === 'live' && !state.batchParams) state.batchParams = currentParams(pg);

    const training = reason === 'step';
    // while training, panels off screen are skipped; once the updates stop, bring them all up to date
    clearTimeout(state.catchUpTimer);
    state.catchUpTimer = training ? setTimeout(catchUp, CATCH_UP_MS) : 0;
    refreshSamplePanels(['formula']);
    // the two charts of the selected sample: while training, redrawn when visible and at most every
    // CHART_BUDGET × their drawing time (so that drawing them takes a small share of the training time)
    const now = performance.now();
    if (!training || now - state.chartAt >= Math.max(250, CHART_BUDGET * state.chartCost)) {
      const t0 = performance.now();
      const drawn = refreshSamplePanels(['temperature', 'gradients'], { onlyVisible: training });
      if (drawn) {
        state.chartAt = performance.now();
        state.chartCost = state.chartAt - t0;
      }
    } else {
      state.dirty.add('temperature').add('gradients');
    }

    if (reason === 'reset' || reason === 'language') {
      if (reason === 'reset') readRunInfo(pg);
      refreshArchitecture();
      refreshDark(pg, { force: true });
      addPngButtons();
    } else if (reason === 'live') {
      refreshDark(pg);
      renderPayoff();
    } else if (training) {
      if (state.visible.has('dark')) refreshDark(pg, { throttle: true });
      else state.dirty.add('dark');
      if (state.visible.has('architecture')) renderPayoff(); // the Measure button is disabled while playing
      else state.dirty.add('architecture');
    } else {
      renderPayoff();
      addPngButtons();
    }
    if (state.timingPending && !isPlaying() && reason !== 'step') scheduleAutoMeasure(300);
  }

  // redraw the charts when the window changes size
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (!state.pg || !ui) return;
      refreshSamplePanels(['temperature', 'gradients']);
      refreshDark(state.pg, { force: true });
    }, 150);
  });

  /** Whether the panels still have work scheduled (a catch-up after training, the throttled matrix, a timing). */
  function busy() {
    return Boolean(state.catchUpTimer || state.dark.timer || state.measuring || state.timingTimer);
  }

  build();
  return { update, busy };
}

/** Adds teach.css once, next to this module (a <link> element: allowed by a strict CSP, unlike inline styles). */
function injectStylesheet() {
  if (document.querySelector('link[data-teach-css]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('teach.css', import.meta.url).href;
  link.dataset.teachCss = '';
  document.head.append(link);
}
