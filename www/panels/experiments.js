// The Experiments panel: Hinton's experiments in miniature, the engine's presets. "Run this experiment" puts a
// preset into the controls and the link and trains to the end; then ./outcome.js says, from the run's own
// numbers, whether it showed the claim.

import { store } from '../store.js';
import { t, settingLabel, choiceLabel } from '../i18n.js';
import { h, byId, setHidden, setText } from '../lib/dom.js';
import { coerce, entries, formatSettingValue } from '../lib/settings.js';
import { MINUS, pct, points } from '../lib/format.js';
import { announce } from './alerts.js';
import { readSpeed } from './transport.js';
import { attempt, datasetReady, fail, FAILED, pause, play, reset, showSettings, specOf, withDataset } from '../run.js';

/** The engine's presets (experiments and studies), read once; none when it refuses. */
export function presets() {
  if (!store.get('presets')) {
    let list = [];
    try {
      list = [...(store.get('engine').experiments() ?? [])];
    } catch (e) {
      fail(t('do.experiment', { name: '' }), e);
    }
    store.set({ presets: list });
  }
  return store.get('presets');
}

/** A preset's title in the current language. */
export const titleOf = (p) => t(`experiment.${p.name}.title`);

/** "Setting: value" for each pair, in the current language. */
export function describeSettings(pairs) {
  return pairs.map(([name, value]) => {
    const spec = specOf(name);
    if (!spec) return `${name} = ${value}`;
    const shown = spec.kind === 'choice' ? choiceLabel(spec, value) : formatSettingValue(spec, coerce(spec, value));
    return `${settingLabel(spec)}: ${shown}`;
  });
}

/**
 * The experiments over the held-out seeds, as `kd` computed them (www/heldout.json, written by `cargo xtask
 * heldout`): loaded once; null until it arrives or when it cannot be read (the cards then leave the line out).
 */
function loadHeldOut() {
  if (store.get('heldOutLoading')) return;
  store.set({ heldOutLoading: true });
  store.begin('held-out');
  fetch(new URL('heldout.json', document.baseURI))
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)
    .then((json) => store.set({ heldOut: json }))
    .finally(() => store.end('held-out'));
}

/** Loads the held-out figures once `node` comes near the window (they are not part of the first load). */
export function loadHeldOutNear(node) {
  if (typeof IntersectionObserver !== 'function') {
    loadHeldOut();
    return;
  }
  const observer = new IntersectionObserver((seen) => {
    if (!seen.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    loadHeldOut();
  }, { rootMargin: '400px 0px' });
  observer.observe(node);
}

/** The studies whose verdict compares a relative difference (a percentage) or a similarity (a plain number). */
const RELATIVE = new Set(['born-again', 'rkd-relations', 'kl-direction']);
const SIMILARITY = new Set(['fitnets-hint']);

/** A difference of similarities, signed, 3 decimals and never an exponent (as kd prints it): +0.020, −0.001. */
function similarityDifference(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  const s = Math.abs(x).toFixed(3);
  return x > 0 ? `+${s}` : x < 0 ? `${MINUS}${s}` : s;
}

/** A difference as the claim over the seeds compares it: points, a percentage (closer, smaller, lower) or a CKA. */
function heldOutValue(name, x, { bare = false } = {}) {
  if (RELATIVE.has(name)) return pct(x, 0);
  if (SIMILARITY.has(name)) return similarityDifference(x);
  return bare ? points(x) : t('verdict.points', { value: points(x) });
}

/** The claim over the held-out seeds in a sentence, from `kd`'s numbers; '' when there are none. */
export function heldOutText(name) {
  const run = store.get('heldOut')?.[name];
  const seeds = run?.seeds;
  if (!run?.experiment || !seeds?.length) return '';
  const shown = run.experiment.shown_in_seeds;
  const base = { first: seeds[0], last: seeds[seeds.length - 1], shown, seeds: seeds.length };
  const o = run.experiment.over_seeds;
  if (!o) return t('experiments.heldout.count', base);
  return t('experiments.heldout.line', {
    ...base,
    what: t(`experiments.heldout.what.${name}`),
    mean: heldOutValue(name, o.mean), low: heldOutValue(name, o.low, { bare: true }), high: heldOutValue(name, o.high),
    verdict: t(o.holds ? 'experiments.heldout.holds' : 'experiments.heldout.notHolds', { margin: heldOutValue(name, o.margin) }),
  });
}

/** A preset's card: its title, claim and setup, and the button that runs it. */
export function presetCard(p, { active, setupExtra = '', onRun }) {
  const titleId = `exp-${p.name}-title`;
  const claimId = `exp-${p.name}-claim`;
  const heading = h('h3', { className: 'exp-title', id: titleId }, titleOf(p));
  const heldOut = heldOutText(p.name);
  if (active) heading.append(' ', h('span', { className: 'tag exp-active-tag', text: t('experiments.activeTag') }));
  const setup = `${describeSettings([['dataset', p.dataset], ...p.settings]).join(' · ')} · ${t('experiments.setupMore')}${setupExtra}`;
  const button = h('button', {
    type: 'button', className: 'exp-run', id: `exp-run-${p.name}`,
    attrs: { 'aria-label': t(p.study ? 'experiments.study.runLabel' : 'experiments.runLabel', { title: titleOf(p) }), 'aria-describedby': claimId },
    on: { click: onRun },
  }, t(p.study ? 'experiments.study.run' : 'experiments.run'));
  return h('li', { className: `exp-card${active ? ' is-active' : ''}`, dataset: { experiment: p.name }, attrs: { 'aria-labelledby': titleId } },
    heading,
    h('p', { className: 'exp-claim', id: claimId }, h('strong', { text: t('experiments.claim') }), ' ', t(`experiment.${p.name}.claim`)),
    h('p', { className: 'exp-heldout', id: `exp-${p.name}-heldout`, text: heldOut, hidden: !heldOut }),
    h('p', { className: 'exp-setup', text: t('experiments.setup', { list: setup }) }),
    button);
}

/** Runs experiment `name` as a link to it would: its settings into the controls and the URL, then Play, fast. */
export function runExperiment(name) {
  const engine = store.get('engine');
  const raw = attempt('do.experiment', () => engine.experimentSettings(name), { name });
  if (raw === FAILED) return false;
  const dataset = entries(raw).find(([k]) => k === 'dataset')?.[1];
  if (dataset && !datasetReady(engine, dataset)) {
    withDataset(dataset, () => runExperiment(name));
    return true;
  }
  pause();
  store.set({ csv: null, experiment: null }); // the preset's data set replaces the user's file
  showSettings(raw);
  if (!reset()) return false;
  store.set({ experiment: { name, liveChanged: false } });
  byId('speed').value = 'max';
  readSpeed();
  play();
  announce(t('experiments.started', { title: t(`experiment.${name}.title`) }));
  return true;
}

// ---------------------------------------------------------------- the result of the active experiment

/** Builds the result area of the panel and returns its parts. */
function buildResult(root) {
  const title = h('h3', { className: 'exp-result-title', id: 'exp-result-title' });
  // the verdict is a live region that stays in the page, so that a screen reader hears it when it arrives
  const verdict = h('p', { className: 'exp-verdict', id: 'exp-verdict', attrs: { role: 'status' } });
  const notes = h('div', { className: 'exp-notes' });
  const numbers = h('div', { className: 'exp-numbers' });
  const bias = h('div', { className: 'exp-bias', hidden: true });
  const box = h('div', { className: 'exp-result', id: 'exp-result', hidden: true, attrs: { role: 'region', 'aria-labelledby': title.id } },
    title, verdict, notes, numbers, bias);
  root.append(box);
  return { box, title, verdict, notes, numbers, bias };
}

/** A verdict's text and its kind ('yes' | 'no' | 'none': a border style; the words say it too). */
export function setVerdict(node, text, kind) {
  if (node.textContent !== text) node.textContent = text;
  node.dataset.shown = kind;
}

/** Hides the omitted class's bias slider. */
export function hideBias(bias) {
  bias.hidden = true;
  bias.replaceChildren();
}

/** The active experiment's result: rebuilt only when what it shows changes (`view.shown` remembers it). */
function drawResult(parts, view) {
  const active = store.get('experiment');
  const preset = active ? presets().find((p) => p.name === active.name) : null;
  const status = store.get('status');
  if (!preset || !store.get('pg') || !status) {
    setHidden(parts.box, true);
    view.shown = 'none';
    setText(parts.verdict, '');
    return;
  }
  const phase = status.phase;
  const playing = store.get('playing');
  const key = `${store.get('run')}|${store.get('language')}|${active.name}|${phase === 'done' || phase === 'diverged' ? `${phase}|${active.liveChanged}` : playing}`;
  if (key === view.shown) return;
  view.shown = key;
  parts.box.hidden = false;
  parts.title.textContent = t('experiments.resultTitle', { title: titleOf(preset) });
  parts.notes.replaceChildren();
  parts.numbers.replaceChildren();
  if (phase === 'done') {
    // the outcome's code is loaded when a preset's run is first done
    store.begin('outcome');
    loadOutcome()
      .then((mod) => { if (view.shown === key) mod.renderOutcome(parts, active); })
      .finally(() => store.end('outcome'));
    return;
  }
  setVerdict(parts.verdict, phase === 'diverged' ? t('experiments.diverged') : t(playing ? 'experiments.running' : 'experiments.paused'), 'none');
  hideBias(parts.bias);
}

/** The module that lays out a finished run's outcome, loaded once. */
function loadOutcome() {
  if (!store.get('outcomeLoading')) store.set({ outcomeLoading: import('./outcome.js') });
  return store.get('outcomeLoading');
}

/** Builds the panel (the presets that drive the playground; the studies have their own panel). */
export function installExperiments(root) {
  const engine = store.get('engine');
  if (!root || typeof engine.experiments !== 'function') return;
  const list = h('ul', { className: 'exp-list' });
  root.append(list);
  const parts = buildResult(root);
  loadHeldOutNear(root);
  store.view('experiments-list', {
    group: 'sync',
    deps: ['experiment', 'language', 'heldOut'],
    draw() {
      const focused = document.activeElement?.id;
      const shown = presets().filter((p) => !p.study);
      const active = store.get('experiment')?.name ?? null;
      list.replaceChildren(...(shown.length
        ? shown.map((p) => presetCard(p, { active: p.name === active, onRun: () => runExperiment(p.name) }))
        : [h('li', { className: 'exp-card', text: t('experiments.unavailable') })]));
      if (focused) document.getElementById(focused)?.focus();
    },
  });
  store.view('experiments-result', {
    group: 'frame', deps: ['experiment', 'status', 'playing', 'pg', 'dataInfo', 'language'], draw: (view) => drawResult(parts, view),
  });
  root.hidden = false;
}
