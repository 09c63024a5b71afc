// Offline and installable (with manifest.webmanifest): once the page is ready, registers the service worker
// (../sw.js), which keeps every file of the site, so that after one visit the page loads with no network. A new
// version of the site is fetched in the background and waits: this page keeps the version it was loaded with (a run
// is never reloaded or interrupted), and says quietly that the next load will use the new one. Without service
// workers (an old browser, a page not served over https or from localhost, a browser set to refuse them) the page
// works as before, from the network. Imported once, by main.js (and by answer.js: the exam answer opened on its own).
//
// What it publishes for the tests: body[data-offline="ready"] once a version is active (every file cached), and
// body[data-update="ready"] once a new version waits.

import { store } from '../store.js';
import { t } from '../i18n.js';
import { byId, h } from './dom.js';

/** Registers the service worker and follows it; any failure leaves the page as it is, online. */
function register() {
  const container = navigator.serviceWorker;
  container.register(new URL('../sw.js', import.meta.url), { updateViaCache: 'none' })
    .then((registration) => {
      watchUpdates(registration);
      return container.ready;
    })
    .then((registration) => activated(registration.active))
    .then(() => { document.body.dataset.offline = 'ready'; })
    .catch((e) => console.info('KD Playground will not work offline:', e?.message ?? e));
}

/** Resolves once `worker` is activated (it is still activating when navigator.serviceWorker.ready resolves). */
function activated(worker) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (worker.state === 'activated') resolve();
      else if (worker.state === 'redundant') reject(new Error('the service worker was replaced while activating'));
      else return false;
      worker.removeEventListener('statechange', check);
      return true;
    };
    if (!check()) worker.addEventListener('statechange', check);
  });
}

/**
 * A worker installed while another is active is a new version: it waits (sw.js) until this page is left, and the
 * page says so once. One waiting when the page loads (another page of the site kept the old one) is said too.
 */
function watchUpdates(registration) {
  const follow = (worker) => {
    if (!worker || !registration.active) return; // the first version: nothing is replaced
    const installed = () => {
      if (worker.state !== 'installed') return;
      worker.removeEventListener('statechange', installed);
      newVersionReady();
    };
    worker.addEventListener('statechange', installed);
    installed();
  };
  if (registration.waiting && registration.active) newVersionReady();
  follow(registration.installing);
  registration.addEventListener('updatefound', () => follow(registration.installing));
}

let said = false;

/** Says that a new version is ready for the next load; tells the service worker when this page is being left. */
function newVersionReady() {
  if (said) return;
  said = true;
  document.body.dataset.update = 'ready';
  // a reload or a link followed may then hand this page's place to the new version at once (sw.js handOver)
  window.addEventListener('beforeunload', () => navigator.serviceWorker.controller?.postMessage({ type: 'leaving' }));
  const text = h('p', { id: 'update-text' });
  const close = h('button', { type: 'button', className: 'alert-close', text: '×' });
  const notice = h('div', { id: 'update-notice', className: 'alert notice', attrs: { role: 'status' } }, text, close);
  close.addEventListener('click', () => { notice.hidden = true; });
  const say = () => {
    text.textContent = t('offline.updateReady');
    close.setAttribute('aria-label', t('alert.dismiss'));
  };
  say();
  store.onChange((keys) => { if (keys.includes('language')) say(); });
  byId('alerts')?.append(notice);
}

/** Calls `fn` once the page is ready (body[data-ready], set by main.js): the first visit's downloads come first. */
function whenPageReady(fn) {
  if (document.body.dataset.ready) return void fn();
  const observer = new MutationObserver(() => {
    if (!document.body.dataset.ready) return;
    observer.disconnect();
    fn();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
}

/** Whether this page may register a service worker (reading navigator.serviceWorker throws in opaque origins). */
function supported() {
  try {
    return window.isSecureContext && typeof navigator.serviceWorker?.register === 'function';
  } catch {
    return false;
  }
}

if (supported()) whenPageReady(register);
