// The alerts above the page: the error box (an engine error, a refused file, a warning), the notice that lists
// the fields of a link the page ignored, and the polite live region that speaks progress and news.

import { store } from '../store.js';
import { t, settingLabel, LANGUAGES } from '../i18n.js';
import { h, byId } from '../lib/dom.js';

/** Shows a message in the error box (as text). `kind`: 'error', 'warning' or 'diverged'. */
export function showError(text, kind = 'error') {
  byId('error-text').textContent = text;
  byId('error').dataset.kind = kind;
  byId('error').hidden = false;
}

/** Hides the error box. */
export function clearError() {
  byId('error').hidden = true;
  byId('error-text').textContent = '';
}

/** Says `text` through the polite live region (re-saying the same text works too). */
export function announce(text) {
  const region = byId('announcer');
  region.textContent = '';
  // emptied first and filled a moment later, so that a screen reader hears a repeated text again
  store.timer('announce', 50, () => { region.textContent = String(text ?? ''); }, { quiet: true });
}

/** The notice listing the fields of a link that were ignored (text only: a link's text is never markup). */
function drawNotice() {
  const list = store.get('notice');
  byId('notice').hidden = list.length === 0;
  byId('notice-list').replaceChildren(...list.map((item) => {
    const spec = store.get('schema').find((s) => s.name === item.key);
    return h('li', {}, h('code', { text: item.key }), spec ? ` (${settingLabel(spec)})` : null,
      `: ${t(`notice.${item.reason}`, {
        value: item.value ?? '', message: item.message ?? '', list: LANGUAGES.map((l) => l.code).join(', '),
        steps: item.steps ?? '',
      })}`);
  }));
  if (list.length) byId('notice-text').textContent = t('notice.ignored');
}

/** Wires the alerts' close buttons and declares the notice's view. */
export function installAlerts() {
  byId('error-close').addEventListener('click', clearError);
  byId('notice-close').addEventListener('click', () => store.set({ notice: [] }));
  store.view('notice', { group: 'sync', deps: ['notice', 'language', 'schema'], draw: drawNotice });
}
