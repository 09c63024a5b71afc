// The current run: built from the settings (or a file) and trained, in the worker (./remote.js) where there is one,
// the store's run following it, or here; what the engine says about it goes to the store. Its history crosses the
// boundary once: each training call returns the epochs recorded since the last (teacherEpochs from teacherFrom,
// studentEpochs from studentFrom), appended to the store's copy.

import { store } from './store.js';
import { datasetLabel, t, messageOf, render as renderMessage, settingLabel } from './i18n.js';
import { showError, clearError, announce } from './panels/alerts.js';
import { coerce, entries, same, tidyNumber } from './lib/settings.js';
import { fixed, pct } from './lib/format.js';
import { packageFile } from './lib/pkg.js';

/** attempt()'s result when the call threw. */
export const FAILED = Symbol('failed');
/** The most mini-batches a frame may train at the fastest speed (a finite number: wasm takes a u32). */
export const MAX_BATCHES_PER_FRAME = 1e6;
const ANNOUNCE_EVERY_MS = 2000; // the live region speaks at most this often while playing
const KEEP_DELAY_MS = 1000;     // a stepped run is kept in local storage once the clicks rest this long

// ---------------------------------------------------------------- engine errors

/** An engine error: the phrase for what failed, then the engine's message, both in the learner's language. */
export function fail(what, e) {
  let msg = messageOf(e);
  if (e instanceof WebAssembly.RuntimeError) msg = t('error.engineCrashed', { message: msg });
  showError(t('error.engine', { what, message: msg }));
  pause();
  console.warn(`${what}:`, e); // a warning, not an error: the message is on the page
}

/** Runs an engine call; on a thrown error shows it and returns FAILED. `what` is a catalogue key. */
export function attempt(what, fn, params) {
  try {
    return fn();
  } catch (e) {
    fail(t(what, params), e);
    return FAILED;
  }
}

// ---------------------------------------------------------------- settings

/** The declaration of setting `name` in the engine's table. */
export const specOf = (name) => store.get('schema').find((s) => s.name === name);

/** The settings a data set changes, as a plain object of typed values (or null). */
export function datasetDefaults(name) {
  const raw = attempt('do.defaults', () => store.get('engine').datasetDefaults(name), { dataset: datasetLabel(name) });
  if (raw === FAILED || !raw) return null;
  const out = {};
  for (const [k, v] of entries(raw)) if (specOf(k)) out[k] = coerce(specOf(k), v);
  return out;
}

/** The engine's problems with `values`, rendered: [{name, message}] (throws on an engine failure). */
export function engineProblems(values) {
  return store.get('engine').validateSettings(values).map((e) => ({ name: e.name, message: renderMessage(e.message) }));
}

/** Checks the controls' settings; problems go to the store: `{name, message}`, or `{name, local}` (not a number). */
export function validate() {
  const settings = { ...store.get('settings') };
  const list = [];
  for (const name of store.get('localErrors')) {
    list.push({ name, local: true });
    settings[name] = store.get('applied')[name] ?? specOf(name)?.default;
  }
  const r = attempt('do.check', () => store.get('engine').validateSettings(settings));
  if (r !== FAILED) list.push(...r.map((e) => ({ name: e.name, message: e.message })));
  const orphans = list.filter((e) => !specOf(e.name)).map((e) => `${e.name}: ${problemText(e)}`);
  if (orphans.length) showError(t('error.invalidSettings', { list: orphans.join(' ') }));
  store.set({ errors: list, invalid: list.length > 0 || r === FAILED });
  return !store.get('invalid');
}

/** A setting's problem in the current language. */
export function problemText(problem) {
  if (!problem.local) return renderMessage(problem.message);
  return t('error.enterNumber', { label: settingLabel(specOf(problem.name) ?? { name: problem.name }) });
}

/** Sets the value of one setting (as typed into its control). */
export function setSetting(name, value) {
  store.set({ settings: { ...store.get('settings'), [name]: value } });
}

/** The engine's settings (numbers as f32) as the controls hold them; a setting `raw` lacks keeps the controls' value. */
export function settingsValues(raw) {
  const values = {};
  for (const [k, v] of entries(raw)) {
    const spec = specOf(k);
    if (spec) values[k] = tidyNumber(spec, coerce(spec, v));
  }
  const current = store.get('settings');
  for (const spec of store.get('schema')) {
    if (!(spec.name in values)) values[spec.name] = current[spec.name];
  }
  return values;
}

/** Puts the engine's settings (numbers as f32) into the controls; returns the values now there. */
export function showSettings(raw) {
  const values = settingsValues(raw);
  for (const spec of store.get('schema')) store.get('controls')?.set(spec.name, values[spec.name]);
  store.set({ settings: values, localErrors: new Set() });
  return values;
}

/** The settings whose change waits for a Reset (the run has trained). */
export function pendingNames() {
  const names = new Set();
  if (!store.get('pg') || !trained()) return names;
  const settings = store.get('settings');
  const applied = store.get('applied');
  for (const spec of store.get('schema')) {
    if (!spec.live && !same(settings[spec.name], applied[spec.name])) names.add(spec.name);
  }
  return names;
}

/** Changes a live setting (T or α) of the run: only what depends on it is redrawn. */
export function applyLive(name, value) {
  const spec = specOf(name);
  const pg = store.get('pg');
  if (!spec?.live || !pg || store.get('errors').some((e) => e.name === name)) return false;
  if (attempt('do.setLive', () => pg.setLive(name, value), { label: settingLabel(spec) }) === FAILED) return false;
  store.get('remote')?.live(name, value);
  let experiment = store.get('experiment');
  if (experiment && store.get('status')?.phase !== 'done' && !experiment.liveChanged) {
    experiment = { ...experiment, liveChanged: true }; // the run is no longer the preset's alone: the verdict says so
  }
  const batchParams = store.get('batchParams') ?? paramsOf(store.get('applied'));
  store.set({ applied: { ...store.get('applied'), [name]: value }, experiment, batchParams });
  return true;
}

/**
 * Puts a preset's full settings (an experiment's, a method's demo) into the controls, replacing the user's file,
 * and builds its run; then calls `then()`. A data set not fetched yet is fetched first. Returns false when the
 * run could not be built.
 */
export function applyPreset(raw, then) {
  const engine = store.get('engine');
  const dataset = entries(raw).find(([k]) => k === 'dataset')?.[1];
  const apply = () => {
    pause();
    store.set({ csv: null, experiment: null }); // the preset's data set replaces the user's file
    showSettings(raw);
    if (!reset()) return false;
    then();
    return true;
  };
  if (dataset && !datasetReady(engine, dataset)) {
    withDataset(dataset, apply);
    return true;
  }
  return apply();
}

/** The method of the current run (the setting `method`; 'kd' for a run from before the methods). */
export const currentMethod = () => store.get('applied').method ?? 'kd';

/**
 * Whether the current run trains a teacher (mutual learning and self-distillation do not: their teacher keeps its
 * random starting weights, and nothing may be said about it).
 */
export function hasTeacher() {
  const pg = store.get('pg');
  return !pg || typeof pg.hasTeacher !== 'function' || pg.hasTeacher();
}

/**
 * Whether the engine's terms of a sample and its gradients (the soft term T²·KL(teacher ‖ student) at T, or logit
 * matching, beside CE) are what the run's distilled student minimises: for KD and FitNets (after its hint stage)
 * with the KL forward, and for logit matching. The teaching views of the soft term show their numbers only then.
 */
export function kdTermsShown() {
  const method = currentMethod();
  return method === 'logits' || ((method === 'kd' || method === 'fitnets') && store.get('applied').klDirection !== 'reverse');
}

/** Forgets the active experiment (its settings are no longer in force). */
export function clearExperiment() {
  store.set({ experiment: null });
}

// ---------------------------------------------------------------- building a run

/** Whether training runs (the teacher's or the students' phase). */
export const running = (st = store.get('status')) => Boolean(st) && (st.phase === 'teacher' || st.phase === 'distil');
/** Whether the run has trained at least one step. */
export const trained = () => (store.get('status')?.steps ?? 0) > 0;

/** Builds a new run from the controls (and the user's file, if any); false if it failed or waits for data. */
export function reset() {
  if (!validate()) {
    showError(t('error.resetInvalid'));
    return false;
  }
  pause();
  const settings = { ...store.get('settings') };
  const csv = store.get('csv');
  const engine = store.get('engine');
  if (!csv && !datasetReady(engine, settings.dataset)) {
    // fetched on first use: the run is built when it arrives, if still asked for
    store.set({ fetching: settings.dataset });
    withDataset(settings.dataset, () => { if (same(store.get('settings').dataset, settings.dataset)) reset(); });
    return false;
  }
  const pg = csv
    ? attempt('do.readCsv', () => engine.Playground.fromCsv(settings, csv.bytes, csv.name), { file: csv.name })
    : attempt('do.create', () => new engine.Playground(settings));
  if (pg === FAILED) return false;
  adopt(pg, settings, csv ? { kind: 'csv', settings, bytes: csv.bytes, name: csv.name } : { kind: 'new', settings });
  return true;
}

/**
 * Makes `pg` (built with `settings`) the current run, freeing the old one. `recipe` says how it was built, for the
 * worker to build the same run: `{kind: 'new', settings}`, `{kind: 'csv', settings, bytes, name}`, `{kind: 'students',
 * settings}` (fresh students on the current run's teacher) or `{kind: 'import', document}`.
 */
export function adopt(pg, settings, recipe) {
  const read = (fn) => attempt('do.read', fn);
  const status = read(() => pg.status());
  const dataInfo = read(() => pg.dataInfo());
  const modelInfo = read(() => pg.modelInfo());
  const progress = read(() => pg.progress()); // a new run's whole history so far (a loaded run's too)
  if ([status, dataInfo, modelInfo, progress].includes(FAILED)) return;
  const old = store.get('pg');
  if (old && old !== pg) { try { old.free(); } catch { /* already gone */ } }
  clearError();

  // keep the selected sample across resets of the same data set; otherwise start at test sample 0
  let selection = store.get('selection');
  const n = selection.split === 'train' ? dataInfo.nTrain : dataInfo.nTest;
  if (store.get('dataInfo')?.dataset !== dataInfo.dataset || !(selection.index < n)) {
    selection = { split: dataInfo.nTest > 0 ? 'test' : 'train', index: 0 };
  }
  store.get('remote')?.build(recipe);
  store.set({
    pg, run: store.get('run') + 1, applied: { ...settings }, dataInfo, modelInfo, selection, fetching: null,
    history: { teacher: [...progress.teacherEpochs], students: [...progress.studentEpochs] },
    status, lastBatch: progress.lastBatch ?? null, teacherVersion: teacherVersion(status),
    batchParams: paramsOf(settings), timing: null, timingPending: true, experimentOutcome: null, biasShift: null,
  });
}

/** Makes a loaded run (a file, the last visit: its `document`) the current one, its settings in the controls. */
export function importPlayground(pg, document) {
  pause();
  const raw = attempt('do.import', () => pg.settings());
  if (raw === FAILED) return;
  const values = showSettings(raw);
  validate();
  clearExperiment();
  adopt(pg, values, { kind: 'import', document });
  announceProgress(true);
  keepRunSoon(0);
}

/** Runs `then` once data set `name` is ready (fetched the first time); says so if it cannot be. */
export function withDataset(name, then) {
  const engine = store.get('engine');
  if (datasetReady(engine, name)) return then();
  store.begin(`dataset:${name}`);
  return ensureDataset(engine, name)
    .then(then, (e) => {
      showError(t('error.fetchData', { dataset: datasetLabel(name), message: messageOf(e) }));
      store.set({ fetching: null });
    })
    .finally(() => store.end(`dataset:${name}`));
}

// ---------------------------------------------------------------- data sets fetched when chosen
// digits (1797 images) is a third of the engine's download, so it stays out of the first load: `cargo xtask
// build` puts the file beside the engine's module (pkg/digits.csv), and the engine accepts only its exact bytes.

const pending = () => store.get('datasets'); // data set name → Promise of its file handed to the engine
const provided = new Map(); // data set name → its file, as handed to the page's engine (and the worker's)

/**
 * Resolves once data set `name` can be used by `engine` (at once for all but a data set not yet fetched).
 * Rejects with an Error that says what failed (the fetch, or the engine refusing the file); a later call tries
 * again.
 */
export function ensureDataset(engine, name) {
  const file = typeof engine?.datasetFile === 'function' ? engine.datasetFile(String(name)) : undefined;
  if (!file) return Promise.resolve();
  if (!pending().has(name)) {
    const url = packageFile(file);
    const loading = fetch(url)
      .then((response) => {
        if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
        return response.text();
      })
      .then((text) => {
        engine.provideDataset(String(name), text);
        if (engine !== store.get('engine')) return;
        provided.set(String(name), text);
        store.get('remote')?.dataset(String(name), text);
      })
      .catch((e) => {
        pending().delete(name);
        throw e instanceof Error ? e : new Error(String(e));
      });
    pending().set(name, loading);
  }
  return pending().get(name);
}

/** Whether data set `name` is ready in `engine` (nothing to fetch). */
export function datasetReady(engine, name) {
  return !(typeof engine?.datasetFile === 'function' && engine.datasetFile(String(name)));
}

// ---------------------------------------------------------------- training

function paramsOf(settings) {
  return { temperature: Number(settings.temperature), alpha: Number(settings.alpha) };
}

/** Changes when the teacher's weights do: while it trains (or when training diverged). */
function teacherVersion(status) {
  if (status.phase === 'teacher') return `teacher:${status.steps}`;
  return status.phase === 'diverged' ? `diverged:${status.steps}` : 'trained';
}

/** Puts what a training call returned into the store. */
function applyProgress(progress) {
  const history = store.get('history');
  let next = history;
  if (progress.teacherEpochs.length || progress.studentEpochs.length) {
    if (progress.teacherFrom === history.teacher.length && progress.studentFrom === history.students.length) {
      next = { teacher: history.teacher.concat(progress.teacherEpochs), students: history.students.concat(progress.studentEpochs) };
    } else {
      // the copy is out of step with the engine: take the whole history once
      const whole = attempt('do.read', () => store.get('pg').history());
      if (whole !== FAILED) next = { teacher: [...whole.teacher], students: [...whole.students] };
    }
  }
  const status = progress.status;
  const changes = { status, history: next, lastBatch: progress.lastBatch ?? null, teacherVersion: teacherVersion(status) };
  if (progress.trained > 0) {
    changes.trainedAt = performance.now();
    const params = paramsOf(store.get('applied'));
    const last = store.get('batchParams');
    if (!last || last.temperature !== params.temperature || last.alpha !== params.alpha) changes.batchParams = params;
  }
  store.set(changes);
  if (status.phase === 'diverged') {
    pause();
    showError(status.stopped ? renderMessage(status.stopped) : t('error.diverged'), 'diverged');
  }
}

/** After a call that trained: what it returned into the store, and a pause when training is over. */
function afterTraining(r) {
  if (r !== FAILED) applyProgress(r);
  if (!running()) pause();
  else if (store.get('playing')) announceProgress(false);
}

/**
 * Trains for up to `budgetMs`, in one engine call (once per frame while playing); with a worker, lets it train this
 * frame's mini-batches and asks for a snapshot (which the store's run follows when it comes: followWorker()).
 */
export function trainFrame(budgetMs) {
  const batches = Math.min(store.get('batchesPerFrame'), MAX_BATCHES_PER_FRAME);
  const remote = store.get('remote');
  if (remote) {
    remote.train(batches);
    return;
  }
  const pg = store.get('pg');
  afterTraining(attempt('do.train', () => pg.train(budgetMs, batches)));
}

/** The store's run follows the worker's snapshot, `count` mini-batches later. */
function followWorker(snapshot, count) {
  const pg = store.get('pg');
  if (pg) afterTraining(attempt('do.train', () => pg.follow(snapshot, count)));
}

/** The worker's engine failed at `what` (a catalogue key) with `error` (the engine's message, as plain data). */
function workerFailed(what, error) {
  const e = new Error(error?.crashed ? t('error.engineCrashed', { message: error.message }) : error?.message ?? '');
  if (error?.kd) e.kd = error.kd;
  fail(t(what), e);
}

/** Makes `remote` (./remote.js) train the runs from the next one built on (the page calls it before its first run). */
export function useWorker(remote) {
  remote.onSnapshot = followWorker;
  remote.onFailure = workerFailed;
  for (const [name, text] of provided) remote.dataset(name, text);
  store.set({ remote });
}

/**
 * Trains one mini-batch ('batch') or to the end of the epoch ('epoch'), while paused; resolves once the store shows
 * the result.
 */
export function step(kind) {
  const pg = store.get('pg');
  if (!pg || store.get('playing') || !running()) return Promise.resolve();
  const done = () => {
    announceProgress(true);
    keepRunSoon(KEEP_DELAY_MS);
  };
  const remote = store.get('remote');
  if (remote) return remote.step(kind).then(done);
  const r = attempt(kind === 'epoch' ? 'do.trainEpoch' : 'do.trainBatch', () => (kind === 'epoch' ? pg.stepEpoch() : pg.stepBatch()));
  if (r === FAILED) return Promise.resolve();
  applyProgress(r);
  done();
  return Promise.resolve();
}

/** Plays: the loop trains in every frame. */
export function play() {
  if (!store.get('pg') || !running()) return;
  store.set({ playing: true });
  announce(t('announce.playing'));
  store.get('loop').lastAnnounce = performance.now();
}

/** Pauses (and keeps the run for the next visit); with a worker, the store's run then follows it to where it stopped. */
export function pause() {
  if (!store.get('playing')) return;
  store.set({ playing: false });
  const remote = store.get('remote');
  const stopped = remote ? remote.stop() : Promise.resolve();
  stopped.then(() => {
    announceProgress(true);
    keepRunSoon(0);
  });
}

/** Space and the Play button. */
export function togglePlay() {
  if (store.get('playing')) pause(); else play();
}

// ---------------------------------------------------------------- the selected sample

/** Selects sample `index` of `split` (false when there is none). */
export function select(split, index) {
  if (!store.get('dataInfo')) return false;
  if (!Number.isInteger(index) || index < 0 || index >= sampleCount(split)) return false;
  store.set({ selection: { split, index }, indexError: null });
  return true;
}

/** The number of samples of `split`. */
export function sampleCount(split) {
  const d = store.get('dataInfo');
  if (!d) return 0;
  return split === 'train' ? d.nTrain : d.nTest;
}

/**
 * The selected sample: `{report, insight}` (insight only when asked), each read from the engine once per change
 * of the weights, T, α or the selection, however many views show it. Throws the engine's error.
 */
export function selectedSample(withInsight = false) {
  const pg = store.get('pg');
  const { split, index } = store.get('selection');
  const applied = store.get('applied');
  const cache = store.get('sampleCache');
  // the phase too: a divergence puts the last good weights back without a step
  const key = `${store.get('run')}|${store.get('status')?.steps}|${store.get('status')?.phase}|${applied.temperature}|${applied.alpha}|${split}|${index}`;
  if (cache.key !== key) {
    cache.key = null;
    cache.report = pg.inspect(split, index);
    cache.insight = null;
    cache.key = key;
  }
  if (withInsight && !cache.insight) cache.insight = pg.explain(split, index);
  return { report: cache.report, insight: withInsight ? cache.insight : null };
}

// ---------------------------------------------------------------- the live region

/** Epoch and losses in words, for the live region. */
function progressText() {
  const st = store.get('status');
  if (!st || !store.get('pg')) return '';
  const history = store.get('history');
  const bpe = Math.max(1, st.batchesPerEpoch || 1);
  switch (st.phase) {
    case 'teacher': {
      const last = history.teacher.at(-1);
      return t('announce.teacher', {
        epoch: st.epoch, of: st.teacherEpochs, batch: st.batch, batches: bpe,
        loss: last && last.epoch > 0 ? fixed(last.trainLoss) : '—',
        acc: last && last.epoch > 0 ? pct(last.testAccuracy) : '—',
      });
    }
    case 'distil': {
      const lb = store.get('lastBatch');
      return t('announce.distil', {
        epoch: st.epoch, of: st.studentEpochs, batch: st.batch, batches: bpe,
        soft: fixed(lb?.softLoss), hard: fixed(lb?.hardLoss), total: fixed(lb?.totalLoss),
      });
    }
    case 'done': {
      const s = history.students.at(-1);
      return t('announce.done', { kd: pct(s?.kdTestAccuracy), control: pct(s?.controlTestAccuracy) });
    }
    case 'diverged':
      return t('status.diverged');
    default:
      return '';
  }
}

/** Announces the progress now (`force`) or, while playing, at most every ANNOUNCE_EVERY_MS. */
export function announceProgress(force = false) {
  const loop = store.get('loop');
  const now = performance.now();
  if (!force && now - loop.lastAnnounce < ANNOUNCE_EVERY_MS) return;
  loop.lastAnnounce = now;
  const text = progressText();
  if (text) announce(text);
}

// ---------------------------------------------------------------- the last run, kept for the next visit

/** Keeps the trained run for the next visit after `delay` ms (./panels/restore.js, loaded when first needed). */
export function keepRunSoon(delay) {
  if (!trained() || store.get('csv')) return; // nothing trained yet; a CSV run cannot be saved
  const kept = store.get('kept');
  kept.loading ??= import('./panels/restore.js');
  kept.loading.then((mod) => mod.keepRunSoon(delay));
}
