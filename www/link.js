// The page's state in the URL hash: the applied settings, the language and the tour's step (./urlstate.js reads
// and writes the text). The hash follows the store: a new run, a language or a tour step is written at once; a
// slider moving a live setting, once it rests (no flood of replaceState).

import { store } from './store.js';
import { LANGUAGES, language, setLanguage } from './i18n.js';
import { parseHash, serialiseHash } from './urlstate.js';
import { same } from './lib/settings.js';
import { applyLive, clearExperiment, datasetDefaults, engineProblems, reset, validate } from './run.js';
import { TOUR_STEP_COUNT } from './panels/tour.js';

const HASH_DELAY_MS = 150; // the URL follows a slider after it rests this long

/** Whether a hash holds page state (name=value pairs) rather than an in-page anchor such as #main. */
export function isStateHash(hash) {
  return String(hash ?? '').includes('=');
}

/** Writes the applied settings, the language and the tour's step into the hash (replaceState: no history). */
function writeHash() {
  store.clearTimer('hash');
  const schema = store.get('schema');
  if (!schema.length || !store.get('pg')) return; // nothing to describe yet
  const hash = serialiseHash({ schema, values: store.get('applied'), lang: language(), tour: store.get('tourStep') });
  if (hash !== window.location.hash) {
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`);
  }
}

/** Reads a hash against the schema and the engine's checks. */
export function readHash(hash) {
  const parsed = parseHash(hash, {
    schema: store.get('schema'),
    defaults: store.get('defaults'),
    languages: LANGUAGES.map((l) => l.code),
    validate: engineProblems,
    datasetDefaults,
    tourSteps: TOUR_STEP_COUNT,
  });
  return { ...parsed, ignored: parsed.ignored.map((item) => ({ ...item, steps: TOUR_STEP_COUNT })) };
}

/**
 * Applies a hash read by readHash(): language, settings (a new run when a non-live one changes), tour step.
 * `initial`: before the controls exist, only the values.
 */
export function applyHashState(parsed, { initial = false, openTour } = {}) {
  if (parsed.lang && parsed.lang !== language()) setLanguage(parsed.lang);
  store.set({ notice: parsed.ignored });
  const schema = store.get('schema');
  if (initial) {
    store.set({ settings: { ...store.get('settings'), ...parsed.settings } });
    return;
  }
  const settings = { ...store.get('settings') };
  for (const spec of schema) {
    const v = parsed.settings[spec.name];
    if (!same(v, settings[spec.name])) {
      settings[spec.name] = v;
      store.get('controls').set(spec.name, v);
    }
  }
  store.set({ settings, localErrors: new Set() });
  const applied = store.get('applied');
  if (schema.some((s) => !s.live && !same(settings[s.name], applied[s.name]))) {
    clearExperiment();
    reset();
  } else {
    validate();
    for (const spec of schema.filter((s) => s.live)) {
      if (!same(settings[spec.name], store.get('applied')[spec.name])) applyLive(spec.name, settings[spec.name]);
    }
  }
  if (parsed.tour && parsed.tour !== store.get('tourStep')) openTour?.(parsed.tour);
  writeHash();
}

/**
 * Keeps the hash in step with the store, and reads a hash typed later (hashchange). `openTour(step)` opens the
 * tour at a step a link names.
 */
export function installLink({ openTour }) {
  store.onChange((keys) => {
    if (keys.includes('pg') || keys.includes('language') || keys.includes('tourStep')) writeHash();
    else if (keys.includes('applied')) store.timer('hash', HASH_DELAY_MS, writeHash);
  });
  window.addEventListener('hashchange', () => {
    if (!store.get('engine') || !store.get('controls') || !isStateHash(window.location.hash)) return;
    applyHashState(readHash(window.location.hash), { openTour });
  });
}
