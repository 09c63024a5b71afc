// Save & load: the run as a JSON file (settings, curves and every weight), loaded back into the page; the curves
// as CSV; and a PNG button after every chart of the page. ../../runfile.js moves the bytes; the engine builds and
// checks every document.

import { store } from '../../store.js';
import { datasetLabel, t, messageOf } from '../../i18n.js';
import { h } from '../../lib/dom.js';
import * as runfile from '../../runfile.js';
import { announce } from '../alerts.js';
import { importPlayground } from '../../run.js';
import { panelShell } from './shared.js';

/** Sets the panel's message (a catalogue key and its parameters: it survives a change of language); returns its text. */
function say(key, params = {}, kind = 'ok') {
  const message = key ? { key, params, kind } : null;
  store.set({ runfileMessage: message });
  return message ? messageText(message) : '';
}

/** A stored message in the current language (a `phaseKey` parameter is translated too). */
function messageText({ key, params }) {
  return t(key, params.phaseKey ? { ...params, phase: t(params.phaseKey) } : params);
}

/** The run's settings as the engine reports them (the applied ones if it cannot). */
function runSettings(pg) {
  try { return pg.settings(); } catch { return store.get('applied'); }
}

/** Offers a document of the run as a download: `blob(pg)` and `name(settings)`. */
function download(container, blob, name) {
  const pg = store.get('pg');
  if (!pg) return;
  try {
    const file = name(runSettings(pg));
    runfile.downloadBlob(blob(pg), file, container);
    say('teach.runfile.downloaded', { name: file });
  } catch (e) {
    say('teach.runfile.error.export', { detail: messageOf(e) }, 'error');
  }
}

/** Reads a run file and makes it the current run (or says why it was refused; the run in use stays). */
async function loadRun(file) {
  say('teach.runfile.loading', { name: file.name });
  let pg;
  let runDocument;
  try {
    ({ pg, document: runDocument } = await runfile.loadRunFile(file));
  } catch (e) {
    const code = e instanceof runfile.RunFileError ? e.code : 'rejected';
    const detail = e instanceof runfile.RunFileError ? e.detail : messageOf(e);
    announce(say(`teach.runfile.error.${code}`, { detail, name: file.name }, 'error'));
    return;
  }
  importPlayground(pg, runDocument);
  if (store.get('pg') !== pg) {
    try { pg.free(); } catch { /* already gone */ }
    say('teach.runfile.error.rejected', { detail: '' }, 'error');
    return;
  }
  const s = store.get('applied');
  const st = store.get('status');
  announce(say('teach.runfile.loaded', { name: file.name, dataset: datasetLabel(s.dataset), seed: String(s.seed), phaseKey: `teach.phase.${st.phase}`, epoch: st.epoch }));
}

/** A canvas's name for its PNG button: its figure's caption, else its label's first words, else its id. */
function chartName(canvas) {
  const caption = canvas.closest('figure')?.querySelector('figcaption')?.textContent?.trim();
  if (caption) return caption;
  const short = (canvas.getAttribute('aria-label') ?? '').split(/[;:.]/)[0].trim();
  return short || canvas.id || t('teach.png.chart');
}

async function downloadPng(canvas, container) {
  try {
    const blob = await runfile.canvasPng(canvas);
    const name = runfile.pngFileName(canvas);
    runfile.downloadBlob(blob, name, container);
    announce(say('teach.runfile.downloaded', { name }));
  } catch (e) {
    const key = e instanceof runfile.RunFileError ? `teach.runfile.error.${e.code}` : 'teach.runfile.error.export';
    announce(say(key, { detail: messageOf(e) }, 'error'));
  }
}

/** A PNG button after every canvas of the page (added once per canvas; labelled in the current language). */
export function addPngButtons(container) {
  for (const canvas of document.querySelectorAll('canvas')) {
    let button = canvas.nextElementSibling;
    if (!button?.classList.contains('teach-png')) {
      button = h('button', { type: 'button', className: 'teach-png', dataset: { canvas: canvas.id || '' } },
        h('span', { attrs: { 'aria-hidden': 'true' } }, '⤓ '), 'PNG');
      button.addEventListener('click', () => downloadPng(canvas, container));
      canvas.after(button);
    }
    const label = t('teach.png.aria', { chart: chartName(canvas) });
    button.setAttribute('aria-label', label);
    button.title = label;
  }
}

/** Builds the panel; returns its section and its view. */
export function createSaveLoadPanel(layout, container) {
  const p = panelShell('teach-runfile', 'teach.runfile.title', ['teach.runfile.lead'], layout);
  const button = (id, key, onClick) => h('button', { type: 'button', className: 'teach-button', id, text: t(key), on: { click: onClick } });
  const input = h('input', { type: 'file', id: 'teach-load-input', accept: '.json,application/json', hidden: true, attrs: { 'aria-label': t('teach.runfile.load') } });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) loadRun(file);
  });
  const status = h('p', { className: 'teach-small teach-runfile-status', id: 'teach-runfile-status', attrs: { role: 'status' } });
  p.section.append(
    h('div', { className: 'teach-buttons' },
      button('teach-download-run', 'teach.runfile.download', () => download(container, runfile.runBlob, runfile.runFileName)),
      button('teach-load-run', 'teach.runfile.load', () => input.click()),
      input,
      button('teach-download-csv', 'teach.runfile.csv', () => download(container, runfile.curvesBlob, runfile.curvesFileName))),
    status, h('p', { className: 'teach-small', text: t('teach.runfile.pngNote') }), p.error);
  return {
    section: p.section,
    view: {
      deps: ['runfileMessage', 'language'],
      draw() {
        const m = store.get('runfileMessage');
        status.textContent = m ? messageText(m) : '';
        status.dataset.kind = m?.kind ?? '';
      },
    },
  };
}
