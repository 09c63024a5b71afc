// KD Playground: the page. The engine (Rust → WebAssembly, ./pkg/kd_playground.js) trains the models, computes
// every model number and draws every chart. The page keeps its state in one store (./store.js); each panel
// (./panels/) declares its views and what they read, and the animation loop (./loop.js) trains and draws them.
// This module starts it all: the language, the engine, its palette and settings table, the panels, the first run.

import { store } from './store.js';
import { t, messageOf, setLanguage, language, translatePage, isLanguage, loadLanguage, catalogue, LANGUAGES, DEFAULT_LANGUAGE } from './i18n.js';
import { ensureDataset } from './datasets.js';
import { languageOf } from './urlstate.js';
import { coerce } from './lib/settings.js';
import { byId } from './lib/dom.js';
import { installLoop, drawMainNow } from './loop.js';
import { attempt, datasetDefaults, FAILED, reset, specOf, trainFrame } from './run.js';
import { applyHashState, installLink, isStateHash, readHash } from './link.js';
import { installAlerts, showError } from './panels/alerts.js';
import { installTransport } from './panels/transport.js';
import { installSettings } from './panels/settings.js';
import { installCsv } from './panels/csv.js';
import { installData } from './panels/data.js';
import { installSample } from './panels/sample.js';
import { installCurves } from './panels/curves.js';
import { installExperiments } from './panels/experiments.js';
import { installStudies, studyFrame } from './panels/studies.js';
import { installTour, openTour } from './panels/tour.js';
import { installRestore } from './panels/restore.js';
import { watchTeachingPanels } from './panels/teaching.js';

const RESIZE_DELAY_MS = 100; // the charts are redrawn once the window has stopped changing size this long

// Counters for the speed benchmark (`cargo xtask bench`, xtask/bench/bench.mjs reads them through
// window.kdPerformance); the page itself never reads them. Counting costs a few additions per frame.
window.kdPerformance = Object.freeze({
  stats: () => structuredClone(store.get('perf')),
  /** Redraws every view of the main layout at once, as after a reset; returns the milliseconds it took. */
  redrawAll() {
    if (!store.get('pg') || store.get('playing')) return null;
    store.touch('layout');
    return drawMainNow();
  },
});

window.addEventListener('error', (e) => showError(t('error.unexpected', { message: e.message })));
window.addEventListener('unhandledrejection', (e) => showError(t('error.unexpected', { message: messageOf(e.reason) })));

/**
 * The engine's palette as CSS custom properties on :root (--kd-teacher, --kd-soft-ink, --kd-class-3, …), so that
 * the styles and the diagrams give each concept the colour the charts give it.
 */
function applyPalette(palette) {
  const root = document.documentElement.style;
  for (const [name, value] of Object.entries(palette)) {
    if (Array.isArray(value)) value.forEach((c, i) => root.setProperty(`--kd-${name.replace(/es$/, '')}-${i}`, c));
    else root.setProperty(`--kd-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
  }
}

/** The settings table and every setting's default (the default data set's defaults applied). */
function readSchema(engine) {
  const schema = attempt('do.read', () => engine.settingsSchema());
  if (schema === FAILED) return false;
  store.set({ schema });
  const defaults = {};
  for (const spec of schema) defaults[spec.name] = coerce(spec, spec.default);
  if (specOf('dataset')) Object.assign(defaults, datasetDefaults(defaults.dataset) ?? {});
  store.set({ defaults, settings: { ...defaults } });
  return true;
}

/** The views that follow the language and the window's size, beyond the panels' own. */
function installPageViews() {
  store.view('page-text', {
    group: 'sync',
    deps: ['language'],
    draw() {
      translatePage();
      byId('lang').value = language();
      // the engine draws the charts' words from the catalogue it holds: it gets the current one
      if (store.get('engine')) attempt('do.chartText', () => store.get('engine').setCatalogue(catalogue() ?? {}));
    },
  });
  byId('lang').addEventListener('change', () => setLanguage(byId('lang').value));
  window.addEventListener('resize', () => {
    store.timer('resize', RESIZE_DELAY_MS, () => store.set({ layout: store.get('layout') + 1 }), { quiet: true });
  });
  // the skip link moves the focus without replacing the state in the hash
  byId('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    byId('main').focus();
    byId('main').scrollIntoView({ block: 'start', behavior: 'auto' });
  });
}

async function start() {
  // the language first (it needs no engine), so that even "loading" reads in it
  const codes = LANGUAGES.map((l) => l.code);
  const lang = languageOf(window.location.hash, codes);
  const first = lang && isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
  // the engine is fetched while the catalogue is (a language is fetched only when chosen)
  const loading = import('./pkg/kd_playground.js').then(async (module) => { await module.default(); return module; });
  loading.catch(() => {}); // its failure is reported below, once the page can say it in words
  const loaded = await loadLanguage(first).catch(() => false);
  if (!loaded && first !== DEFAULT_LANGUAGE) await loadLanguage(DEFAULT_LANGUAGE).catch(() => false);
  installLoop({ train: trainFrame, background: studyFrame });
  installPageViews();
  installAlerts();
  installTransport();
  installTour();
  setLanguage(loaded ? first : DEFAULT_LANGUAGE);

  let engine;
  try {
    engine = await loading;
  } catch (e) {
    store.set({ engineFailed: true });
    byId('settings').querySelector('.settings-loading')?.replaceChildren(t('sidebar.engineFailed'));
    showError(t('error.engineLoad', { message: messageOf(e) }));
    return;
  }
  store.set({ engine, palette: engine.palette() });
  applyPalette(store.get('palette'));
  store.touch('language'); // the engine gets the catalogue for its charts' words
  if (!readSchema(engine)) return;

  const parsed = isStateHash(window.location.hash) ? readHash(window.location.hash) : null;
  if (parsed) applyHashState(parsed, { initial: true });
  installSettings(byId('settings'));
  installCsv();
  installData();
  installSample();
  installCurves();
  installExperiments(byId('experiments'));
  installStudies(byId('studies'));
  installLink({ openTour });
  // a link to digits: fetch it before the first run is built (the page is ready when that run is)
  const dataset = store.get('settings').dataset;
  await ensureDataset(engine, dataset).catch((e) => showError(t('error.fetchData', { dataset, message: messageOf(e) })));
  reset();
  watchTeachingPanels();
  installRestore();
  document.body.dataset.ready = 'true';
  if (parsed?.tour) openTour(parsed.tour);
}

start();
