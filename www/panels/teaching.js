// The teaching panels' loader: their code (./teach/, with their styles and texts) is loaded when their panel
// comes within a screen of the window (main.js), or when the tour needs them: most of a first visit is above them.

import { store } from '../store.js';
import { t, messageOf, loadPanelTexts } from '../i18n.js';
import { byId } from '../lib/dom.js';
import { showError } from './alerts.js';

/** Loads the teaching panels once; resolves when they are built (or failed to load: the panel is then hidden). */
export function ensureTeachingPanels() {
  if (!store.get('teachLoading')) {
    const root = byId('teach-root');
    store.begin('teach-loading');
    store.set({
      teachLoading: Promise.all([import('./teach/index.js'), loadPanelTexts()])
        .then(([mod]) => {
          mod.installTeachingPanels(root);
          store.set({ teachStatus: 'ready' });
        })
        .catch((e) => {
          root.hidden = true;
          store.set({ teachStatus: 'failed' });
          showError(t('error.engine', { what: t('do.teach'), message: messageOf(e) }));
          console.warn('teaching panels:', e);
        })
        .finally(() => {
          root.removeAttribute('aria-busy');
          root.querySelector('.teach-placeholder')?.remove();
          document.body.dataset.teach = store.get('teachStatus');
          store.end('teach-loading');
        }),
    });
  }
  return store.get('teachLoading');
}
