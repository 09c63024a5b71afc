// The guided tour's button. The tour itself (./tour-steps.js: its steps, its dialog, the step kept in
// sessionStorage so that a skipped tour can be resumed) is loaded when it is first opened, or at once when a tour
// was left unfinished in this tab (the button then offers to resume it).

import { store } from '../store.js';
import { byId } from '../lib/dom.js';
import { loadPanelTexts } from '../i18n.js';

/** The tour's steps (tour-steps.js checks that it has this many). */
export const TOUR_STEP_COUNT = 9;
/** Where the step of an unfinished tour is kept (sessionStorage). */
export const TOUR_STORAGE_KEY = 'kd-playground.tour-step';

/** The tour's module, loaded once (its dialog wired when it arrives). */
function steps() {
  if (!store.get('tour').loading) {
    store.get('tour').loading = Promise.all([import('./tour-steps.js'), loadPanelTexts()]).then(([mod]) => {
      mod.installTourDialog();
      return mod;
    });
  }
  return store.get('tour').loading;
}

/** Opens the tour at step `n` (or the saved one); the page is not settled until the step has set it up. */
export function openTour(n) {
  store.begin('tour-loading');
  return steps().then((mod) => mod.openTour(n)).finally(() => store.end('tour-loading'));
}

/** Wires the Tour button. */
export function installTour() {
  byId('btn-tour').addEventListener('click', () => {
    if (store.get('tourStep')) steps().then((mod) => mod.closeTour());
    else openTour();
  });
  let left = null;
  try { left = window.sessionStorage.getItem(TOUR_STORAGE_KEY); } catch { /* not kept */ }
  if (left) steps();
}
