// The map of distillation (loaded when it nears the window): the playground's methods placed by the knowledge the
// student copies (rows: response-, feature-, relation-based) and the scheme that teaches it (columns: offline,
// online, self-distillation), and below, the two controls that ask whether it is really dark knowledge. Each
// method's card says what the student copies, from whom and by which loss, names its paper, and runs its demo:
// the engine's methodDemoSettings, applied as an experiment's preset is. The method of the current run is marked.

import { store } from '../store.js';
import { t } from '../i18n.js';
import { byId, h } from '../lib/dom.js';
import { announce } from './alerts.js';
import { playFast } from './transport.js';
import { methodName } from './method.js';
import { applyPreset, attempt, currentMethod, FAILED, specOf } from '../run.js';

const KNOWLEDGE = ['response', 'feature', 'relation'];
const SCHEMES = ['offline', 'online', 'self'];
/** Where each method sits: its knowledge and its scheme. The controls sit in the strip below the grid. */
const PLACES = {
  kd: ['response', 'offline'],
  logits: ['response', 'offline'],
  fitnets: ['feature', 'offline'],
  rkd: ['relation', 'offline'],
  dml: ['response', 'online'],
  byot: ['response', 'self'],
};
const CONTROLS = ['label-smoothing', 'dkpp'];

const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

/** The engine's methods (the setting's choices), in its order. */
const methods = () => specOf('method')?.choices ?? [];

/** Runs method `name`'s demo: its settings into the controls and the link, then Play at the fastest speed. */
export function runDemo(name) {
  const raw = attempt('do.demo', () => store.get('engine').methodDemoSettings(name), { method: methodName(name) });
  if (raw === FAILED) return false;
  return applyPreset(raw, () => {
    playFast();
    announce(t('map.started', { method: methodName(name) }));
    // the run trains in the playground above: show its curves
    byId('curves-panel').scrollIntoView({ block: 'start', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
  });
}

/** A method's card: its name (a heading `tag`), what it does, its paper, and its demo's button. */
function methodCard(name, active, tag = 'h3') {
  const id = `map-${name}`;
  const heading = h(tag, { className: 'map-name', id: `${id}-name` }, methodName(name));
  if (active) heading.append(' ', h('span', { className: 'tag exp-active-tag', text: t('map.activeTag') }));
  return h('article', { className: `map-method${active ? ' is-active' : ''}`, id, dataset: { method: name }, attrs: { 'aria-labelledby': heading.id } },
    heading,
    h('p', { className: 'map-what', id: `${id}-what`, text: t(`map.method.${name}.what`) }),
    h('p', { className: 'map-paper', text: t(`map.method.${name}.paper`) }),
    h('button', {
      type: 'button', className: 'exp-run map-run', id: `map-run-${name}`,
      attrs: { 'aria-label': t('map.runLabel', { method: methodName(name) }), 'aria-describedby': `${id}-what` },
      on: { click: () => runDemo(name) },
    }, t('map.run')));
}

/** A header of the grid: the name of a knowledge type or a scheme, and what it means. */
function header(role, kind, key) {
  return h('div', { className: `map-head map-head-${kind}`, attrs: { role } },
    h('span', { className: 'map-head-name', text: t(`map.${kind}.${key}`) }),
    h('span', { className: 'map-head-what', text: t(`map.${kind}.${key}.what`) }));
}

/** The grid: a row per knowledge type, a column per scheme; each cell its methods, or says that none sits there. */
function grid(active) {
  const corner = h('div', { className: 'map-corner', attrs: { role: 'columnheader' } }, t('map.corner'));
  const rows = [h('div', { className: 'map-row map-row-head', attrs: { role: 'row' } }, corner, SCHEMES.map((s) => header('columnheader', 'scheme', s)))];
  for (const knowledge of KNOWLEDGE) {
    const cells = SCHEMES.map((scheme) => {
      const here = methods().filter((m) => PLACES[m]?.[0] === knowledge && PLACES[m]?.[1] === scheme);
      return h('div', { className: `map-cell${here.length ? '' : ' map-cell-empty'}`, dataset: { knowledge, scheme }, attrs: { role: 'cell' } },
        h('p', { className: 'map-coords', text: t('map.coords', { knowledge: t(`map.knowledge.${knowledge}`), scheme: t(`map.scheme.${scheme}`) }) }),
        here.length ? here.map((m) => methodCard(m, m === active)) : h('p', { className: 'map-empty', text: t('map.empty') }));
    });
    rows.push(h('div', { className: 'map-row', attrs: { role: 'row' } }, header('rowheader', 'knowledge', knowledge), cells));
  }
  return h('div', { className: 'map-grid', attrs: { role: 'table', 'aria-label': t('map.gridLabel') } }, rows);
}

/** The strip of the controls (and any method the engine has that the map does not place yet). */
function controls(active) {
  const placed = new Set([...Object.keys(PLACES), ...CONTROLS]);
  const listed = [...CONTROLS.filter((m) => methods().includes(m)), ...methods().filter((m) => !placed.has(m))];
  return h('section', { className: 'map-controls', attrs: { 'aria-labelledby': 'map-controls-title' } },
    h('h3', { className: 'map-controls-title', id: 'map-controls-title', text: t('map.controls.title') }),
    h('p', { className: 'map-controls-lead', text: t('map.controls.lead') }),
    h('div', { className: 'map-control-list' }, listed.map((m) => methodCard(m, m === active, 'h4'))));
}

/** Builds the map inside `root` (the page's section, with its heading and lead) and declares its view. */
export function installMap(root) {
  const body = h('div', { className: 'map-body' });
  root.append(body);
  store.view('map', {
    group: 'sync',
    deps: ['applied', 'language'],
    draw(view) {
      const active = store.get('pg') ? currentMethod() : null;
      const key = `${active}|${store.get('language')}`;
      if (key === view.key) return; // T or α moved: the map did not change
      view.key = key;
      const focused = document.activeElement?.id;
      body.replaceChildren(grid(active), controls(active), h('p', { className: 'map-note', text: t('map.note') }));
      if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
    },
  });
}
