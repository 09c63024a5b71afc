// The temperature explorer: the selected sample's teacher probabilities as T sweeps its range (the engine's
// chart), its logits and soft labels in a table, and how much the soft label says beyond the right answer
// (entropy, the mass on the wrong classes) at the current T.

import { store } from '../../store.js';
import { t } from '../../i18n.js';
import { h, sizeCanvas } from '../../lib/dom.js';
import { fixed, temperatureText } from '../../lib/format.js';
import { selectedSample } from '../../run.js';
import { appliesToMethod, attempt, classNames, classTable, clearPanelError, panelShell, renderClassRows, stat, tableWrap, waiting } from './shared.js';

/** While training, the chart takes at most about 1/CHART_SHARE of the time (and waits at least 250 ms). */
const CHART_SHARE = 15;

/** The temperature setting's range (the sweep chart spans it), as caption text. */
function temperatureRange() {
  const spec = store.get('schema').find((s) => s.name === 'temperature');
  return { low: spec ? String(spec.min) : '—', high: spec ? String(spec.max) : '—' };
}

function draw(p) {
  if (waiting(p)) return;
  clearPanelError(p);
  if (!appliesToMethod(p, 'teacher')) return;
  const got = attempt(p, t('teach.temperature.title'), () => selectedSample(true));
  if (!got) return;
  const { report, insight } = got;
  const T = temperatureText(insight.temperature);
  p.canvas.setAttribute('aria-label', t('teach.temperature.canvasLabel', { T }));
  if (sizeCanvas(p.canvas)) attempt(p, t('teach.temperature.title'), () => store.get('pg').drawTemperatureSweep(p.canvas, report.split, report.index));
  renderClassRows(p.table, classNames(report.hardLabel.length), report.label, [
    { key: 'logits', label: t('teach.temperature.row.logits'), values: insight.teacherLogits, format: (v) => fixed(v, 2) },
    { key: 't1', label: t('teach.temperature.row.t1'), values: report.teacherT1, format: (v) => fixed(v, 3), bar: true },
    { key: 'atT', label: t('teach.temperature.row.atT', { T }), values: report.teacherAtT, format: (v) => fixed(v, 3), bar: true },
  ]);
  p.stats.replaceChildren(
    stat('entropy', t('teach.temperature.entropy', { T }), fixed(insight.teacherEntropyBits, 2),
      t('teach.temperature.entropyDetail', { max: fixed(insight.maxEntropyBits, 2), t1: fixed(insight.teacherEntropyBitsT1, 2) }),
      insight.maxEntropyBits > 0 ? insight.teacherEntropyBits / insight.maxEntropyBits : 0),
    stat('wrong', t('teach.temperature.wrongMass', { T }), fixed(insight.wrongClassMass, 3),
      t('teach.temperature.wrongMassDetail', { t1: fixed(insight.wrongClassMassT1, 3) }), insight.wrongClassMass),
  );
}

/** Builds the panel; returns its section and its view. */
export function createTemperaturePanel(layout) {
  const p = panelShell('teach-temperature', 'teach.temperature.title', ['teach.temperature.lead'], layout);
  p.canvas = h('canvas', { id: 'teach-sweep', className: 'teach-canvas teach-canvas-wide', attrs: { role: 'img', 'aria-label': t('teach.temperature.canvasLabel', { T: '—' }) } });
  p.table = classTable('teach-logits', 'teach-logits', t('teach.temperature.tableCaption'));
  p.stats = h('dl', { className: 'teach-stats', id: 'teach-temperature-stats' });
  p.body = h('div', { className: 'teach-two teach-body' },
    h('figure', { className: 'teach-figure' }, p.canvas, h('figcaption', { className: 'teach-caption', text: t('teach.temperature.caption', temperatureRange()) })),
    h('div', { className: 'teach-side' }, tableWrap(p.table), p.stats));
  p.section.append(p.body, p.error);
  return {
    section: p.section,
    view: {
      deps: ['pg', 'status', 'selection', 'applied', 'language', 'teachLayout'],
      minInterval: (view) => Math.max(250, CHART_SHARE * view.cost),
      draw: () => draw(p),
    },
  };
}
