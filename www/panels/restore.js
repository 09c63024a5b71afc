// The last run, kept in local storage for the next visit (when training pauses, finishes or is stepped, and when
// the page is hidden), and offered back on load, or what was kept reported unreadable. Loaded only when there is
// a run to keep or something kept: a first visit does without it.

import { store } from '../store.js';
import { datasetLabel, t, language, messageOf } from '../i18n.js';
import { byId } from '../lib/dom.js';
import * as lastRun from '../lastrun.js';
import { showError, announce } from './alerts.js';
import { importPlayground, withDataset } from '../run.js';

const PHASES = ['teacher', 'distil', 'done', 'diverged'];

/** Keeps the current run in local storage after `delay` ms (or at once), unless it is untrained or already kept. */
export function keepRunSoon(delay) {
  if (delay > 0) store.timer('keep', delay, keepRunNow, { quiet: true });
  else keepRunNow();
}

/** Keeps the current run now (when it has trained, is not the user's CSV, and is not kept already). */
export function keepRunNow() {
  store.clearTimer('keep');
  const pg = store.get('pg');
  const st = store.get('status');
  if (!pg || !st || !(st.steps > 0) || store.get('csv')) return; // nothing trained yet; a CSV run cannot be saved
  const kept = store.get('kept');
  const key = `${st.phase}/${st.steps}/${JSON.stringify(store.get('applied'))}`;
  if (key === kept.key) return;
  let run;
  try { run = pg.exportRun(); } catch { return; }
  const result = lastRun.keepRun(window.localStorage, run);
  kept.key = key;
  document.body.dataset.lastRun = result.kept ? 'kept' : result.reason;
  if (!result.kept && result.reason === 'too-large' && !kept.tooLargeSaid) {
    kept.tooLargeSaid = true;
    showError(t('lastRun.tooLarge', { size: (result.chars / 1e6).toFixed(1) }), 'warning');
  }
}

/** Offers the run kept at the last visit (if any). */
export function offerLastRun() {
  let storage;
  try { storage = window.localStorage; } catch { return; }
  const kept = lastRun.readKeptRun(storage);
  if (!kept) return;
  if (kept.corrupt) {
    lastRun.forget(storage);
    showError(t('lastRun.corrupt', { reason: kept.corrupt }), 'warning');
    return;
  }
  const s = kept.summary;
  const phase = PHASES.includes(s.phase) ? t(`lastRun.phase.${s.phase}`, { epoch: s.epoch }) : s.phase;
  const when = kept.savedAt ? new Date(kept.savedAt).toLocaleString(language()) : '—';
  const box = byId('restore');
  byId('restore-text').textContent = t('lastRun.offer', { dataset: datasetLabel(s.dataset), seed: s.seed, phase, steps: s.steps, when });
  box.hidden = false;
  byId('restore-yes').addEventListener('click', () => withDataset(s.dataset, () => {
    box.hidden = true;
    let pg;
    try {
      pg = store.get('engine').Playground.importRun(kept.run);
    } catch (e) {
      lastRun.forget(storage);
      showError(t('lastRun.failed', { message: messageOf(e) }));
      return;
    }
    importPlayground(pg, kept.run);
    announce(t('lastRun.restored'));
  }));
  byId('restore-no').addEventListener('click', () => { box.hidden = true; });
}
