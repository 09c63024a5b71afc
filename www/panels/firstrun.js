// The page's first run: what a learner who opens the page without a link trains first. It is the engine's
// small-transfer-set preset (digits; the teacher learns from all the training images, both students from 10% of
// them; T = 8, α = 0.9), chosen because on data that trains in seconds it shows what distillation adds, with the
// control student beside it; and one click away, the same teacher with the students on all the data, which shows
// when it does not. Every number said here is the engine's: the run's own history, and the held-out seeds in
// firstrun.json, written by `kd` (docs/first-run/measure.sh).

import { store } from '../store.js';
import { t } from '../i18n.js';
import { byId, h } from '../lib/dom.js';
import { int, pct, points, temperatureText } from '../lib/format.js';
import { same } from '../lib/settings.js';
import { adopt, attempt, clearExperiment, FAILED, pause, play, setSetting } from '../run.js';

/** The engine's preset that the first run is. */
export const FIRST_RUN = 'small-transfer-set';
/** The transfer-set fraction of the contrast: all the training data. */
const ALL = 1;
/** Below this many points (in absolute value) a mean difference over the held-out seeds is called no gain. */
const NO_GAIN_POINTS = 1;
/** Whether a held-out arm's mean difference (a fraction) is a gain of NO_GAIN_POINTS or more. */
const isGain = (arm) => arm.delta.mean * 100 >= NO_GAIN_POINTS;
/** Whether it is within NO_GAIN_POINTS of nothing, either way. */
const isNoChange = (arm) => Math.abs(arm.delta.mean * 100) < NO_GAIN_POINTS;

/** The first run's settings as the engine gives them (its preset), or null when it refuses. */
export function firstRunSettings(engine) {
  const raw = attempt('do.experiment', () => engine.experimentSettings(FIRST_RUN), { name: FIRST_RUN });
  return raw === FAILED ? null : raw;
}

/**
 * Which arm of the first run `applied` is: 'small' (the preset itself), 'all' (the preset with the students on all
 * the training data), or null (anything else: the guide stays out of the way).
 */
function armOf(applied) {
  const base = store.get('firstRun')?.settings;
  if (!base) return null;
  const differs = store.get('schema').filter((s) => !same(applied[s.name], base[s.name])).map((s) => s.name);
  if (differs.length === 0) return 'small';
  if (differs.length === 1 && differs[0] === 'trainFraction' && Number(applied.trainFraction) === ALL) return 'all';
  return null;
}

/**
 * Whether `values` (the controls' settings) are the first run's, the data set aside: a learner who picks another
 * data set from there gets that data set's defaults in full (panels/settings.js), not the first run's small
 * transfer set.
 */
export function isFirstRunSetup(values) {
  const base = store.get('firstRun')?.settings;
  return Boolean(base) && store.get('schema').every((s) => s.name === 'dataset' || same(values[s.name], base[s.name]));
}

/** The last student epoch of the run, if the students have trained. */
function lastStudents() {
  const s = store.get('history')?.students ?? [];
  const last = s[s.length - 1];
  return last && last.epoch > 0 ? last : null;
}

/** "+5.0 ± 1.5 points" for a held-out arm's paired difference. */
function heldOutDelta(arm, key = 'firstRun.delta') {
  return t(key, { mean: points(arm.delta.mean), std: points(arm.delta.std).replace(/^[+\u2212-]/, '') });
}

/** Trains fresh students with `fraction` of the data on the run's trained teacher (no teacher training again). */
function retrainStudents(fraction) {
  const pg = store.get('pg');
  if (!pg) return;
  pause();
  const settings = { ...store.get('applied'), trainFraction: fraction };
  const next = attempt('do.create', () => pg.withStudents(settings));
  if (next === FAILED) return;
  store.get('controls')?.set('trainFraction', fraction);
  setSetting('trainFraction', fraction);
  clearExperiment(); // the preset's claim is about 10%: another transfer set is not its run
  adopt(next, settings, { kind: 'students', settings });
  play();
}

/** The guide's paragraphs and buttons for the current run. */
function guideOf(arm, status, held) {
  const data = store.get('dataInfo');
  const base = store.get('firstRun').settings;
  const small = held?.arms.find((a) => Number(a.trainFraction) !== ALL);
  const all = held?.arms.find((a) => Number(a.trainFraction) === ALL);
  const seeds = held ? { from: held.seeds[0], to: held.seeds[1], count: held.count } : null;
  const fraction = pct(Number(base.trainFraction), 0);
  const last = lastStudents();
  const done = status.phase === 'done';
  const nodes = [];
  if (arm === 'small') {
    nodes.push(h('p', { text: t('firstRun.setup', { train: int(data.nTrain), fraction, transfer: int(data.nTransfer), T: temperatureText(base.temperature) }) }));
    if (!done || !last) return nodes;
    const diff = last.kdTestAccuracy - last.controlTestAccuracy;
    // remembered (once per run) for the contrast's sentence; the guide reads it, it does not redraw on it
    store.get('firstRun').small = { run: store.get('run'), diff };
    nodes.push(h('p', { text: t('firstRun.smallDone', { fraction, kd: pct(last.kdTestAccuracy), control: pct(last.controlTestAccuracy), diff: points(diff) }) }));
    if (small && seeds) {
      nodes.push(h('p', { text: t(isGain(small) ? 'firstRun.heldOutGain' : 'firstRun.heldOutNoGain', { ...seeds, delta: heldOutDelta(small), ahead: small.delta.ahead, behind: small.delta.behind }) }));
    }
    nodes.push(h('p', { className: 'first-run-ask' },
      t('firstRun.ask'), ' ',
      h('button', { type: 'button', className: 'tool-btn', id: 'first-run-all', text: t('firstRun.allButton'), on: { click: () => retrainStudents(ALL) } })));
    return nodes;
  }
  // the contrast: the same teacher, the students on all the data
  if (!done || !last) {
    nodes.push(h('p', { text: t('firstRun.allRunning', { train: int(data.nTrain) }) }));
    return nodes;
  }
  const diff = last.kdTestAccuracy - last.controlTestAccuracy;
  const before = store.get('firstRun').small;
  nodes.push(h('p', { text: t(before ? 'firstRun.allDone' : 'firstRun.allDoneAlone', {
    train: int(data.nTrain), kd: pct(last.kdTestAccuracy), control: pct(last.controlTestAccuracy), diff: points(diff),
    fraction, before: before ? points(before.diff) : '',
  }) }));
  if (small && all && seeds) {
    const gain = isGain(small) && isNoChange(all);
    nodes.push(h('p', { text: t(gain ? 'firstRun.heldOutBoth' : 'firstRun.heldOutBothOther', {
      ...seeds, fraction, small: heldOutDelta(small, 'firstRun.deltaShort'), all: heldOutDelta(all, 'firstRun.deltaShort'),
      aheadSmall: small.delta.ahead, aheadAll: all.delta.ahead, behindAll: all.delta.behind,
    }) }));
  }
  nodes.push(h('p', { className: 'first-run-ask' },
    h('button', { type: 'button', className: 'tool-btn', id: 'first-run-small', text: t('firstRun.smallButton', { fraction }), on: { click: () => retrainStudents(Number(base.trainFraction)) } })));
  return nodes;
}

/** The held-out seeds' figures (firstrun.json), fetched once; null until they arrive or when they cannot. */
function heldOut() {
  const state = store.get('firstRun');
  if (!state.heldLoading) {
    state.heldLoading = fetch(new URL('../firstrun.json', import.meta.url))
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null)
      .then((held) => {
        store.set({ firstRun: { ...store.get('firstRun'), held: held && Array.isArray(held.arms) ? held : null } });
      });
    store.begin('first-run-held');
    state.heldLoading.finally(() => store.end('first-run-held'));
  }
  return state.held ?? null;
}

function drawGuide(box) {
  const state = store.get('firstRun');
  const status = store.get('status');
  const arm = state?.settings && status ? armOf(store.get('applied')) : null;
  if (!arm) {
    if (box.hidden && box.dataset.key === undefined && !box.firstChild) return; // hidden already: nothing to write
    box.hidden = true;
    delete box.dataset.key;
    box.replaceChildren();
    return;
  }
  // rebuilt only when what it says changes (not at every training frame)
  const key = `${arm}|${store.get('run')}|${status.phase === 'done'}|${store.get('language')}|${Boolean(state.held)}`;
  if (box.dataset.key === key && !box.hidden) return;
  box.dataset.key = key;
  box.hidden = false;
  box.replaceChildren(h('h3', { className: 'first-run-title', id: 'first-run-title', text: t(arm === 'small' ? 'firstRun.title' : 'firstRun.titleAll') }), ...guideOf(arm, status, heldOut()));
}

/**
 * Remembers the first run's settings (`values`, as the controls hold them) and declares the guide shown under the
 * students' verdict while the run is the first run or its contrast.
 */
export function installFirstRun(values) {
  store.set({ firstRun: { settings: { ...values }, small: null, held: null } });
  const box = h('div', { className: 'first-run', id: 'first-run', hidden: true, attrs: { role: 'region', 'aria-labelledby': 'first-run-title' } });
  byId('verdict').after(box);
  store.view('first-run', {
    group: 'frame', deps: ['status', 'applied', 'dataInfo', 'language', 'firstRun'], draw: () => drawGuide(box),
  });
}
