// The gradient view: how hard each term of the loss pulls on the student's logits for the selected sample, per
// class and in norm, and the T² switch: without T² the soft term's pull is 1/T² as strong. What the panel says
// follows the numbers beside it: which term pulls harder here (pullBand), and how the soft pull changes across
// temperatures with and without T² (the engine's softPullByTemperature for this sample). T² does not make the
// terms pull equally; it keeps the soft term's scale from vanishing as T rises, so α's balance holds across T.

import { store } from '../../store.js';
import { t } from '../../i18n.js';
import { h, sizeCanvas } from '../../lib/dom.js';
import { prec, sig, signed, temperatureText } from '../../lib/format.js';
import { announce } from '../alerts.js';
import { drawNow } from '../../loop.js';
import { currentMethod, selectedSample } from '../../run.js';
import { appliesToMethod, attempt, classNames, classTable, clearPanelError, panelShell, renderClassRows, tableWrap, waiting } from './shared.js';

const CHART_SHARE = 15; // as the temperature explorer's chart

function draw(p) {
  if (waiting(p)) return;
  clearPanelError(p);
  if (!appliesToMethod(p, 'kdTerms')) return;
  const got = attempt(p, t('teach.gradients.title'), () => selectedSample(true));
  if (!got) return;
  const { report, insight } = got;
  const g = insight.gradients;
  const without = store.get('withoutT2');
  p.toggle.checked = without;
  const T = insight.temperature;
  p.canvas.setAttribute('aria-label', t(without ? 'teach.gradients.canvasLabelWithout' : 'teach.gradients.canvasLabel'));
  if (sizeCanvas(p.canvas)) attempt(p, t('teach.gradients.title'), () => store.get('pg').drawGradients(p.canvas, report.split, report.index, without));
  const shownSoft = without ? g.softWithoutT2Norm : g.softNorm;
  const ratio = g.softWithoutT2Norm > 0 ? g.softNorm / g.softWithoutT2Norm : NaN; // engine numbers, divided for display
  const softVsHard = g.hardNorm > 0 ? shownSoft / g.hardNorm : NaN;
  const value = (id, text, raw) => h('strong', { id, className: 'teach-stat-value', text, dataset: { value: String(raw) } });
  const item = (label, ...dd) => h('div', { className: 'teach-stat' }, h('dt', {}, label), h('dd', {}, ...dd));
  const ratioItem = item(t('teach.gradients.ratio'),
    `${prec(g.softNorm, 3)} ÷ ${prec(g.softWithoutT2Norm, 3)} = `,
    value('teach-grad-ratio', Number.isFinite(ratio) ? sig(ratio, 3) : '—', ratio),
    ` = T² = ${sig(T * T, 3)}`,
    h('span', { className: 'teach-stat-detail', text: ` (T = ${temperatureText(T)})` }));
  ratioItem.classList.add('teach-stat-ratio');
  p.stats.replaceChildren(
    item(t(without ? 'teach.gradients.softNormWithout' : 'teach.gradients.softNorm'), value('teach-grad-soft-norm', prec(shownSoft, 3), shownSoft)),
    item(t('teach.gradients.hardNorm'), value('teach-grad-hard-norm', prec(g.hardNorm, 3), g.hardNorm)),
    item(t('teach.gradients.softVsHard'), value('teach-grad-soft-vs-hard', Number.isFinite(softVsHard) ? prec(softVsHard, 3) : '—', softVsHard)),
    ratioItem);
  p.stats.dataset.temperature = String(T);
  const band = pullBand(softVsHard);
  p.summary.dataset.band = band;
  p.summary.dataset.ratio = String(softVsHard);
  const values = { ratio: prec(softVsHard, 3), alpha: sig(insight.alpha, 3) };
  // the sentence follows the numbers: which term pulls harder (the band), why the hard term may not pull at all
  // (α = 1 gives it weight 0), and what dropping T² does at this T (below T = 1 it makes the soft pull stronger;
  // logit matching has no T² at all)
  const bandText = (mode) => (band === 'noHard' && insight.alpha >= 1 - 1e-6
    ? t('teach.gradients.band.noHardAlpha') : t(`teach.gradients.band.${mode}.${band}`, values));
  const logits = currentMethod() === 'logits';
  const droppedText = () => {
    if (logits) return t('teach.gradients.summaryLogits');
    if (Math.abs(T - 1) < 1e-6) return t('teach.gradients.summaryWithoutT1');
    const params = { T: temperatureText(T), t2: sig(T * T, 3), times: sig(1 / (T * T), 3), with: prec(g.softNorm, 3), without: prec(g.softWithoutT2Norm, 3) };
    return t(T < 1 ? 'teach.gradients.summaryWithoutLow' : 'teach.gradients.summaryWithout', params);
  };
  p.summary.textContent = without ? [droppedText(), bandText('without')].join(' ') : bandText('with');
  drawPulls(p, insight.softPullByTemperature ?? []);
  const rows = [
    { key: 'soft', label: t(without ? 'teach.gradients.row.softWithout' : 'teach.gradients.row.soft'), values: without ? g.softWithoutT2 : g.soft, format: signed },
    { key: 'hard', label: t('teach.gradients.row.hard'), values: g.hard, format: signed },
  ];
  if (!without) rows.push({ key: 'total', label: t('teach.gradients.row.total'), values: g.total, format: signed });
  renderClassRows(p.table, classNames(g.soft.length), report.label, rows);
}

/**
 * Which term pulls harder on this sample, from ‖soft‖ ÷ ‖hard‖ as shown: 'stronger' (the soft term, by a quarter
 * or more), 'weaker', 'equal' (within a quarter), or 'noHard' when the hard term does not pull at all.
 */
export function pullBand(ratio) {
  if (!Number.isFinite(ratio)) return 'noHard';
  if (ratio >= 1.25) return 'stronger';
  if (ratio <= 0.8) return 'weaker';
  return 'equal';
}

/** The soft pull on this sample across temperatures, with and without T², and what it shows in a sentence. */
function drawPulls(p, pulls) {
  p.pulls.hidden = pulls.length < 2;
  p.pullsNote.hidden = pulls.length < 2;
  if (pulls.length < 2) return;
  const cell = (v) => h('td', { text: prec(v, 3), dataset: { value: String(v) } });
  p.pullsBody.replaceChildren(...pulls.map((r) => h('tr', { dataset: { t: String(r.temperature) } },
    h('th', { attrs: { scope: 'row' }, text: temperatureText(r.temperature) }), cell(r.softNorm), cell(r.softWithoutT2Norm))));
  const [first, last] = [pulls[0], pulls[pulls.length - 1]];
  p.pullsNote.textContent = `${t('teach.gradients.across', {
    low: temperatureText(first.temperature), high: temperatureText(last.temperature),
    withLow: prec(first.softNorm, 3), withHigh: prec(last.softNorm, 3),
    withoutLow: prec(first.softWithoutT2Norm, 3), withoutHigh: prec(last.softWithoutT2Norm, 3),
  })} ${t('teach.gradients.why')}`;
}

/** Builds the panel; returns its section and its view. */
export function createGradientsPanel(layout) {
  const p = panelShell('teach-gradients', 'teach.gradients.title', ['teach.gradients.lead'], layout);
  p.canvas = h('canvas', { id: 'teach-gradients-chart', className: 'teach-canvas teach-canvas-wide', attrs: { role: 'img', 'aria-label': t('teach.gradients.canvasLabel') } });
  p.toggle = h('input', { type: 'checkbox', id: 'teach-drop-t2', className: 'teach-switch-input', checked: store.get('withoutT2'), attrs: { 'aria-describedby': 'teach-drop-t2-help' } });
  p.stats = h('dl', { className: 'teach-stats', id: 'teach-gradient-stats' });
  p.summary = h('p', { className: 'teach-summary', id: 'teach-gradient-summary' });
  p.table = classTable('teach-gradient-table', 'teach-grad-table', t('teach.gradients.tableCaption'));
  p.pullsBody = h('tbody');
  p.pulls = h('table', { className: 'teach-table teach-pulls', id: 'teach-grad-pulls' },
    h('caption', { className: 'teach-table-caption', text: t('teach.gradients.pullsCaption') }),
    h('thead', {}, h('tr', {}, [t('teach.gradients.pullsT'), t('teach.gradients.softNorm'), t('teach.gradients.softNormWithout')]
      .map((text) => h('th', { attrs: { scope: 'col' }, text })))),
    p.pullsBody);
  p.pullsNote = h('p', { className: 'teach-summary', id: 'teach-grad-pulls-note' });
  p.toggle.addEventListener('change', () => {
    store.set({ withoutT2: p.toggle.checked });
    drawNow('teach-gradients'); // at once, so that the summary read out is the new one
    announce(p.summary.textContent);
  });
  const toggleRow = h('div', { className: 'teach-switch' },
    p.toggle,
    h('label', { htmlFor: 'teach-drop-t2' }, t('teach.gradients.switch')),
    h('p', { className: 'teach-small', id: 'teach-drop-t2-help', text: t('teach.gradients.switchHelp') }));
  p.body = h('div', { className: 'teach-two teach-body' },
    h('div', { className: 'teach-side' },
      h('figure', { className: 'teach-figure' }, p.canvas, h('figcaption', { className: 'teach-caption', text: t('teach.gradients.caption') })),
      tableWrap(p.table)),
    h('div', { className: 'teach-side' }, toggleRow, p.stats, p.summary, tableWrap(p.pulls), p.pullsNote));
  p.section.append(p.body, p.error);
  return {
    section: p.section,
    view: {
      deps: ['pg', 'status', 'selection', 'applied', 'withoutT2', 'language', 'teachLayout'],
      minInterval: (view) => Math.max(250, CHART_SHARE * view.cost),
      draw: () => draw(p),
    },
  };
}
