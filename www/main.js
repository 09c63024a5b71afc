// KD Playground: the page. The engine (./pkg) trains the models, computes every number and draws every chart. The
// page's state is in one store (./store.js); each panel (./panels/) declares its views, which the animation loop
// (./loop.js) draws. This module starts it all: the language, the engine and its palette, the panels, the run.

import { store } from './store.js';
import { datasetLabel, t, messageOf, setLanguage, language, translatePage, isLanguage, loadLanguage, loadPanelTexts, catalogue, LANGUAGES, DEFAULT_LANGUAGE } from './i18n.js';
import { languageOf } from './urlstate.js';
import { coerce } from './lib/settings.js';
import { applyPalette, byId, whenNear } from './lib/dom.js';
import { missingFeature, missingFeatureKey } from './lib/support.js';
import { installLoop, drawMainNow } from './loop.js';
import { attempt, datasetDefaults, ensureDataset, FAILED, reset, settingsValues, showSettings, specOf, trainFrame, useWorker } from './run.js';
import { startRemote } from './remote.js';
import { compileEngine } from './lib/pkg.js';
import { FIRST_RUN, firstRunSettings, installFirstRun } from './panels/firstrun.js';
import { applyHashState, installLink, isStateHash, readHash } from './link.js';
import { installAlerts, showError } from './panels/alerts.js';
import { installTransport } from './panels/transport.js';
import { installSettings } from './panels/settings.js';
import { installData } from './panels/data.js';
import { installSample } from './panels/sample.js';
import { installCurves } from './panels/curves.js';
import { installExperiments } from './panels/experiments.js';
import { installMethodPanels } from './panels/method.js';
import { installTour, openTour } from './panels/tour.js';
import { installLayout } from './panels/layout.js';
import './lib/offline.js'; // the service worker: the page offline after one visit, and installable

const RESIZE_DELAY_MS = 100; // the charts are redrawn once the window has stopped changing size this long

// The speed benchmark's view of the page (xtask/bench/bench.mjs): the store's counters, and a full redraw.
window.kdPerformance = Object.freeze({
  stats: () => structuredClone(store.get('perf')),
  /** Whether the runs train in a worker (./remote.js), not on the page's thread. */
  worker: () => Boolean(store.get('remote')),
  /** Redraws every view of the main layout at once, as after a reset; returns the milliseconds it took. */
  redrawAll() {
    if (!store.get('pg') || store.get('playing')) return null;
    store.touch('layout');
    return drawMainNow();
  },
});

window.addEventListener('error', (e) => showError(t('error.unexpected', { message: e.message })));
window.addEventListener('unhandledrejection', (e) => showError(t('error.unexpected', { message: messageOf(e.reason) })));

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
      byId('lm-link').href = `language.html#lang=${encodeURIComponent(language())}`;
      // the engine draws the charts' words from the catalogue it holds: it gets the current one
      if (store.get('engine')) attempt('do.chartText', () => store.get('engine').setCatalogue(catalogue() ?? {}));
      // …and names the generated data sets' classes (a spiral's arms) in it: the data's description follows
      const pg = store.get('pg');
      const d = pg ? attempt('do.read', () => pg.dataInfo()) : null;
      if (d && d !== FAILED && String(d.classNames) !== String(store.get('dataInfo')?.classNames)) store.set({ dataInfo: d });
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

/** Where the page remembers whether the learner keeps the full introduction open (it starts folded). */
const INTRO_KEY = 'kd-playground:intro';

/**
 * The introduction is one line, the rest folded, so that the playground is the first screen; a learner who opens it
 * finds it open on the next visit. The top bar's Presets button goes to the presets, below the playground.
 */
function installIntro() {
  const more = byId('intro-more');
  try { more.open = window.localStorage.getItem(INTRO_KEY) === 'open'; } catch { /* storage switched off: folded */ }
  more.addEventListener('toggle', () => {
    try { window.localStorage.setItem(INTRO_KEY, more.open ? 'open' : 'closed'); } catch { /* not remembered */ }
  });
  byId('btn-presets').addEventListener('click', () => {
    // the teaching panels above the presets load when the window nears them, and grow the page by thousands of pixels
    // (on a phone): they are built first, so that the presets are where the window goes and stay there
    const teaching = byId('teach-root').hidden ? Promise.resolve()
      : import('./panels/teaching.js').then((mod) => mod.ensureTeachingPanels()).catch(() => {});
    store.begin('presets-scroll');
    teaching.then(() => {
      keepInView(byId('experiments'));
      const title = byId('experiments-title');
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }).finally(() => store.end('presets-scroll'));
  });
}

/**
 * Scrolls `section` to the top of the window, at once, and keeps it there while the page settles: the views above it
 * (the teaching panels' tables and lists) are filled when they near the window and grow the page above it, which the
 * browser's scroll anchoring does not always make up for. The learner's own scrolling, a tap or a key ends it.
 */
function keepInView(section) {
  const place = () => section.scrollIntoView({ block: 'start', behavior: 'auto' });
  place();
  if (typeof ResizeObserver !== 'function') return;
  // placed in the next frame: scrolling inside the observer's callback can leave it notifications undelivered
  const grows = new ResizeObserver(() => requestAnimationFrame(place));
  const settles = new MutationObserver(() => { if (document.body.dataset.settled === 'true') { place(); end(); } });
  const LEARNER = ['wheel', 'touchstart', 'pointerdown', 'keydown'];
  let safety = 0;
  function end() {
    grows.disconnect();
    settles.disconnect();
    clearTimeout(safety);
    for (const type of LEARNER) window.removeEventListener(type, end, true);
  }
  grows.observe(document.body);
  settles.observe(document.body, { attributes: true, attributeFilter: ['data-settled'] });
  for (const type of LEARNER) window.addEventListener(type, end, { capture: true, passive: true });
  safety = setTimeout(end, 10_000);
}

/**
 * Offers the last visit's run if this site kept anything; keeps the run when the page is hidden or left. Resolves
 * once the offer (or the notice that what was kept is unreadable) is shown: the page is not ready before.
 */
function offerLastRun() {
  const keepNow = () => store.get('kept').loading?.then((mod) => mod.keepRunNow());
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') keepNow(); });
  window.addEventListener('pagehide', keepNow);
  let kept = 0;
  try { kept = window.localStorage.length; } catch { /* storage switched off: nothing kept */ }
  if (!kept) return Promise.resolve();
  const state = store.get('kept');
  state.loading ??= import('./panels/restore.js');
  return state.loading.then((mod) => mod.offerLastRun()).catch((e) => console.warn('last run:', e));
}

/** Loads and builds the map of distillation (its code and texts), once. */
function loadMap() {
  store.begin('map-loading');
  Promise.all([import('./panels/map.js'), loadPanelTexts()])
    .then(([mod]) => mod.installMap(byId('map')))
    .catch((e) => console.warn('map:', e))
    .finally(() => store.end('map-loading'));
}

/** Loads and builds the compression bench's panel (its code and texts), once. */
function loadCompression() {
  store.begin('compress-loading');
  Promise.all([import('./panels/compression.js'), loadPanelTexts()])
    .then(([mod]) => mod.installCompression(byId('compress')))
    .catch((e) => console.warn('compression bench:', e))
    .finally(() => store.end('compress-loading'));
}

/** Loads and builds the studies panel, once. */
function loadStudies() {
  if (!store.get('studiesLoading')) {
    store.begin('studies-loading');
    store.set({
      studiesLoading: import('./panels/studies.js')
        .then((mod) => mod.installStudies(byId('studies')))
        .catch((e) => console.warn('studies:', e))
        .finally(() => store.end('studies-loading')),
    });
  }
  return store.get('studiesLoading');
}

/** The engine's module, compiled once: the page instantiates it, and its worker too (./remote.js). */
let compiledEngine = null;


async function start() {
  // the language first (it needs no engine), so that even "loading" reads in it
  const codes = LANGUAGES.map((l) => l.code);
  const lang = languageOf(window.location.hash, codes);
  const first = lang && isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
  // the engine is fetched while the catalogue is (a language is fetched only when chosen)
  // …unless this browser cannot run it: then the page says what is missing instead of failing to compile it
  const missing = missingFeature();
  const loading = missing
    ? Promise.reject(new Error(missing))
    : Promise.all([import('./pkg/kd_playground.js'), compileEngine()]).then(async ([module, compiled]) => {
      await module.default({ module_or_path: compiled });
      compiledEngine = compiled;
      return module;
    });
  loading.catch(() => {}); // its failure is reported below, once the page can say it in words
  const loaded = await loadLanguage(first).catch(() => false);
  if (!loaded && first !== DEFAULT_LANGUAGE) await loadLanguage(DEFAULT_LANGUAGE).catch(() => false);
  installLoop({ train: trainFrame });
  installPageViews();
  installIntro();
  installLayout(); // on a narrow screen, the settings after the playground
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
    showError(missing ? t(missingFeatureKey(missing)) : t('error.engineLoad', { message: messageOf(e) }));
    return;
  }
  store.set({ engine, palette: engine.palette() });
  // the engine also loads in a worker, which trains the runs off this thread (./remote.js); without one, training
  // shares this thread's frames
  const remoteStarting = startRemote(compiledEngine).catch(() => null);
  applyPalette(store.get('palette'));
  store.touch('language'); // the engine gets the catalogue for its charts' words
  if (!readSchema(engine)) return;

  const parsed = isStateHash(window.location.hash) ? readHash(window.location.hash) : null;
  // without a link, the page opens on its first run (panels/firstrun.js): digits, the students on a small transfer set
  const firstRaw = firstRunSettings(engine);
  const firstValues = firstRaw ? settingsValues(firstRaw) : null;
  // a link that names only the language or a tour step is not a link to settings: it opens on the first run too
  const linked = Boolean(parsed) && (parsed.given.length > 0 || parsed.ignored.some((i) => i.reason !== 'language' && i.reason !== 'tour'));
  if (parsed) applyHashState(parsed, { initial: true });
  if (!linked && firstRaw) showSettings(firstRaw);
  installSettings(byId('settings'));
  installData();
  installSample();
  installCurves();
  installMethodPanels();
  installExperiments(byId('experiments'));
  // the map of distillation sits below the playground: its code and texts load when the learner gets near it
  if (typeof engine.methodDemoSettings === 'function') whenNear(byId('map'), loadMap);
  else byId('map').hidden = true;
  // the compression bench sits below the map: its code and texts load when the learner gets near it
  if (typeof engine.CompressionBench === 'function') whenNear(byId('compress'), loadCompression);
  else byId('compress').hidden = true;
  // the studies run apart, below the playground: their code loads when the learner gets near them
  if (typeof engine.experiments === 'function') {
    byId('studies').hidden = false;
    whenNear(byId('studies'), () => loadStudies());
  }
  installLink({ openTour });
  // a link to digits: fetch it before the first run is built (the page is ready when that run is)
  const remote = await remoteStarting;
  if (remote) useWorker(remote);
  const dataset = store.get('settings').dataset;
  await ensureDataset(engine, dataset).catch((e) => showError(t('error.fetchData', { dataset: datasetLabel(dataset), message: messageOf(e) })));
  reset();
  if (firstValues) installFirstRun(firstValues);
  // the first run is the preset's run: its outcome is judged as the experiment's (the experiments panel)
  if (!linked && firstValues) store.set({ experiment: { name: FIRST_RUN, liveChanged: false } });
  whenNear(byId('teach-root'), () => import('./panels/teaching.js').then((mod) => mod.ensureTeachingPanels()));
  await offerLastRun();
  document.body.dataset.ready = 'true';
  if (parsed?.tour) openTour(parsed.tour);
}

start();
