// The live loss formula: L = α·T²·KL + (1 − α)·CE with the engine's numbers, for the selected sample and for
// the last mini-batch. Each term is a button: hovering or focusing it outlines where its numbers come from in
// the rest of the page.

import { store } from '../../store.js';
import { t } from '../../i18n.js';
import { h } from '../../lib/dom.js';
import { MINUS, fixed, sig, temperatureText } from '../../lib/format.js';
import { currentMethod, selectedSample } from '../../run.js';
import { appliesToMethod, attempt, clearPanelError, math, panelShell, softSymbol, waiting } from './shared.js';

// Where each term comes from, in the page (other panels' elements get a class while a term is highlighted).
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

// The page re-renders the sample table (e.g. on resize): while a term is highlighted, the new rows are marked.
const sourceWatcher = typeof MutationObserver === 'function' ? new MutationObserver(() => markSources()) : null;

function markSources() {
  const hl = store.get('highlight');
  for (const selector of (hl && SOURCES[hl.scope]?.[hl.term]) || []) {
    document.querySelectorAll(selector).forEach((node) => node.classList.add('teach-source'));
  }
}

/** Shows the store's highlight: the pressed term, its help text, and its sources outlined in the page. */
function applyHighlight(p) {
  sourceWatcher?.disconnect();
  document.querySelectorAll('.teach-source').forEach((node) => node.classList.remove('teach-source'));
  const hl = store.get('highlight');
  for (const button of p.section.querySelectorAll('.teach-term')) {
    const active = Boolean(hl) && button.dataset.scope === hl.scope && button.dataset.term === hl.term;
    button.classList.toggle('teach-active', active);
    button.setAttribute('aria-pressed', String(active && hl.pinned));
  }
  p.help.textContent = t(hl ? `teach.formula.help.${hl.scope}.${hl.term}` : 'teach.formula.help.default');
  if (!hl) return;
  markSources();
  const table = document.getElementById('sample-table');
  if (table && sourceWatcher) sourceWatcher.observe(table, { childList: true, subtree: true });
}

/** Highlights a term (or none), at once: the learner's pointer is on it. */
function setHighlight(p, highlight) {
  store.set({ highlight });
  applyHighlight(p);
}

/** One line of the formula: soft term + hard term = total, each term a button that highlights its source. */
function buildEquation(p, scope) {
  const parts = {};
  const num = (name) => (parts[name] = h('span', { className: `teach-num teach-num-${name}`, dataset: { part: name } }, '—'));
  const term = (name, tagKey, symbol, numbers, value) => {
    const button = h('button', {
      type: 'button',
      className: `teach-term teach-term-${name}`,
      dataset: { term: name, scope },
      attrs: { 'aria-pressed': 'false', 'aria-describedby': 'teach-formula-help' },
    },
    h('span', { className: 'teach-term-tag', text: t(tagKey) }),
    h('span', { className: 'teach-term-sym' }, symbol),
    h('span', { className: 'teach-term-nums' }, numbers),
    h('span', { className: 'teach-term-val' }, value));
    const enter = () => setHighlight(p, { scope, term: name, pinned: false });
    const leave = () => { if (!store.get('highlight')?.pinned) setHighlight(p, null); };
    button.addEventListener('mouseenter', enter);
    button.addEventListener('focus', enter);
    button.addEventListener('mouseleave', leave);
    button.addEventListener('blur', leave);
    button.addEventListener('click', () => {
      const hl = store.get('highlight');
      const same = hl?.pinned && hl.scope === scope && hl.term === name;
      setHighlight(p, same ? null : { scope, term: name, pinned: true });
    });
    return button;
  };
  // The soft term as the run computes it: α·T²·KL, or (method = logits) α·(1/2K)·Σ(z̃_s − z̃_t)².
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
  const total = term('total', 'teach.formula.totalTag', math(['var', 'L']), [t('teach.formula.engineTotal')], ['= ', h('strong', {}, num('total'))]);
  const op = (text) => h('span', { className: 'teach-op', attrs: { 'aria-hidden': 'true' } }, text);
  const root = h('div', { className: 'teach-eq', dataset: { scope } }, soft, op('+'), hard, op('='), total);
  return { root, parts };
}

/** Fills an equation with engine numbers: soft = T²·KL (as the engine gives it), hard = CE, total = L. */
function fillEquation(eq, { alpha, temperature, softLoss, hardLoss, totalLoss }, kind) {
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

/** The formula for the selected sample and for the last mini-batch, with the store's numbers. */
function draw(p) {
  if (waiting(p)) return;
  clearPanelError(p);
  if (!appliesToMethod(p, 'kdTerms')) return;
  const kind = currentMethod() === 'logits' ? 'logits' : 'kl';
  const report = attempt(p, t('teach.formula.title'), () => selectedSample().report);
  if (report) {
    p.sampleTitle.textContent = t('teach.formula.sampleTitleOf', {
      split: t(report.split === 'train' ? 'teach.split.train' : 'teach.split.test'),
      index: report.index,
      label: report.className || String(report.label),
    });
    fillEquation(p.sample, report, kind);
  }
  const status = store.get('status');
  // before the students, and during FitNets' hint stage, the terms are not (yet) what the student minimises
  const hint = store.get('pg').inHintStage?.() ?? false;
  p.phaseNote.hidden = status?.phase !== 'teacher' && !hint;
  p.phaseNote.textContent = t(hint ? 'teach.formula.hintStage' : 'teach.formula.teacherPhase');
  const batch = store.get('lastBatch');
  const params = store.get('batchParams');
  const has = Boolean(batch) && Boolean(params);
  p.batch.root.hidden = !has;
  p.batchEmpty.hidden = has;
  p.batchNote.hidden = !has;
  if (!has) p.batchEmpty.textContent = t(!status || status.phase === 'teacher' ? 'teach.formula.noBatch' : 'teach.formula.noBatchSince');
  else {
    fillEquation(p.batch, { ...batch, alpha: params.alpha, temperature: params.temperature }, kind);
    p.batchNote.textContent = t('teach.formula.batchNote', { T: temperatureText(params.temperature), alpha: sig(params.alpha) });
  }
  applyHighlight(p);
}

/** Builds the panel; returns its section and its view (what it reads from the store). */
export function createFormulaPanel(layout) {
  const subTag = layout.headingTag === 'h2' ? 'h3' : 'h4';
  const p = panelShell('teach-formula', 'teach.formula.title', ['teach.formula.lead'], layout);
  p.phaseNote = h('p', { className: 'teach-note', hidden: true, text: t('teach.formula.teacherPhase') });
  p.sampleTitle = h(subTag, { className: 'teach-subtitle', text: t('teach.formula.sampleTitle') });
  p.help = h('p', { className: 'teach-term-help', id: 'teach-formula-help', text: t('teach.formula.help.default') });
  p.sample = buildEquation(p, 'sample');
  p.batch = buildEquation(p, 'batch');
  p.batchEmpty = h('p', { className: 'teach-empty', text: t('teach.formula.noBatch') });
  p.batchNote = h('p', { className: 'teach-small', hidden: true });
  const legend = h('p', { className: 'teach-legend' },
    math(...softSymbol('t')), ` ${t('teach.formula.legend.teacher')} · `,
    math(...softSymbol('s')), ` ${t('teach.formula.legend.student')} · `,
    math(['var', 'p'], ['sub', 's']), ` ${t('teach.formula.legend.studentT1')} · `,
    math(['var', 'y']), ` ${t('teach.formula.legend.hard')} · `,
    t('teach.formula.legend.engine'));
  p.body = h('div', { className: 'teach-body' }, p.phaseNote, p.sampleTitle, p.sample.root,
    h(subTag, { className: 'teach-subtitle', text: t('teach.formula.batchTitle') }), p.batch.root, p.batchEmpty, p.batchNote, p.help, legend);
  p.section.append(p.body, p.error);
  store.set({ highlight: null });
  return {
    section: p.section,
    view: { deps: ['pg', 'status', 'selection', 'applied', 'lastBatch', 'batchParams', 'language'], draw: () => draw(p) },
  };
}
