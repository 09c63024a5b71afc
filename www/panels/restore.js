// The last run, kept in local storage (run.js keeps it): on load, the page offers it back, or says that what was
// kept could not be read.

import { store } from '../store.js';
import { t, language, messageOf } from '../i18n.js';
import { byId } from '../lib/dom.js';
import * as lastRun from '../lastrun.js';
import { showError, announce } from './alerts.js';
import { importPlayground, keepRunNow, withDataset } from '../run.js';

const PHASES = ['teacher', 'distil', 'done', 'diverged'];

/** Offers the run kept at the last visit (if any); keeps the current run when the page is hidden or left. */
export function installRestore() {
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') keepRunNow(); });
  window.addEventListener('pagehide', keepRunNow);
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
  byId('restore-text').textContent = t('lastRun.offer', { dataset: s.dataset, seed: s.seed, phase, steps: s.steps, when });
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
    importPlayground(pg);
    announce(t('lastRun.restored'));
  }));
  byId('restore-no').addEventListener('click', () => { box.hidden = true; });
}
