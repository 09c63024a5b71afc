// The last run, kept in this browser's local storage so that a reload or a closed tab does not lose it: the
// page offers it back on the next visit. Pure functions over a Storage-like object (getItem, setItem,
// removeItem), so that they are easy to test; main.js decides when to keep a run and shows the offer.
//
// What is kept is the engine's exportRun() object in an envelope with the time it was kept. Its size is
// bounded (a browser gives a site about 5 MB); a larger run is not kept, and the older one is removed so that
// it is never offered as the last. Storage that cannot be read back as an envelope is removed and reported.

export const STORAGE_KEY = 'kd-playground:last-run';
const KIND = 'kd-playground-last-run';
const VERSION = 1;
/** Longest envelope kept, in characters (about 2 MB of JSON: a digits run with a 256-256 teacher is ~1 MB). */
export const MAX_KEPT_CHARS = 2_000_000;

/**
 * Keeps `run` (an exportRun() object) as the last run.
 * @returns {{ kept: true, chars: number } | { kept: false, reason: 'too-large'|'unavailable', chars?: number, message?: string }}
 */
export function keepRun(storage, run, now = Date.now()) {
  let text;
  try {
    text = JSON.stringify({ kind: KIND, v: VERSION, savedAt: now, run });
  } catch (e) {
    return { kept: false, reason: 'unavailable', message: String(e?.message ?? e) };
  }
  if (text.length > MAX_KEPT_CHARS) {
    forget(storage);
    return { kept: false, reason: 'too-large', chars: text.length };
  }
  try {
    storage.setItem(STORAGE_KEY, text);
    return { kept: true, chars: text.length };
  } catch (e) {
    // full (QuotaExceededError) or switched off by the user: the page works on without it
    forget(storage);
    return { kept: false, reason: 'unavailable', message: String(e?.name ?? e) };
  }
}

/**
 * The kept run, if any.
 * @returns {null | { run: object, savedAt: number, summary: { dataset: string, seed: number, phase: string, epoch: number, steps: number } }
 *   | { corrupt: string }}  `corrupt` says why the stored text is not a kept run (it should then be forgotten).
 */
export function readKeptRun(storage) {
  let text;
  try {
    text = storage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage switched off: nothing kept
  }
  if (text === null || text === undefined) return null;
  let envelope;
  try {
    envelope = JSON.parse(text);
  } catch (e) {
    return { corrupt: `not JSON: ${String(e?.message ?? e).slice(0, 80)}` };
  }
  if (!envelope || typeof envelope !== 'object' || envelope.kind !== KIND) return { corrupt: 'not a kept run' };
  if (envelope.v !== VERSION) return { corrupt: `kept by another version of the page (${String(envelope.v).slice(0, 10)})` };
  const run = envelope.run;
  if (!run || typeof run !== 'object' || !run.settings || typeof run.settings !== 'object') return { corrupt: 'the run has no settings' };
  const savedAt = Number(envelope.savedAt);
  const settings = run.settings;
  return {
    run,
    savedAt: Number.isFinite(savedAt) ? savedAt : 0,
    summary: {
      dataset: String(settings.dataset ?? '?').slice(0, 20),
      seed: Number(settings.seed),
      phase: String(run.phase ?? '').slice(0, 20),
      epoch: Number(run.epoch),
      steps: Number(run.steps),
    },
  };
}

/** Removes the kept run (storage that cannot be used is left alone). */
export function forget(storage) {
  try { storage.removeItem(STORAGE_KEY); } catch { /* switched off */ }
}
