// The user's own data: a file input under the data settings for a CSV with numeric features and the label last.
// The file's bytes go to the engine, which reads and checks them; its name and contents are shown as text only.

import { store } from '../store.js';
import { t } from '../i18n.js';
import { h } from '../lib/dom.js';
import { mb } from '../lib/format.js';
import { showError } from './alerts.js';
import { clearExperiment, reset } from '../run.js';

/** Builds the CSV box under the data group's information (when the engine reads CSV files). */
export function installCsv() {
  const anchor = store.get('controls').info('data');
  const engine = store.get('engine');
  if (!anchor || !engine.csvLimits) return;
  const limits = engine.csvLimits();
  const maxMb = Math.round(limits.maxBytes / 1048576);
  const label = h('label', { htmlFor: 'csv-file', dataset: { i18n: 'csv.label' } });
  const input = h('input', { type: 'file', id: 'csv-file', accept: '.csv,text/csv', attrs: { 'aria-describedby': 'csv-help csv-status' } });
  const help = h('p', { id: 'csv-help', className: 'field-help' });
  const status = h('p', { id: 'csv-status', className: 'csv-status', attrs: { role: 'status' } });
  const clear = h('button', { type: 'button', className: 'link-btn', hidden: true });

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > limits.maxBytes) {
      // refused before the file is read
      showError(t('csv.tooBig', { file: file.name, size: mb(file.size), maxMb }));
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const previous = store.get('csv');
    store.set({ csv: { bytes, name: file.name } });
    if (reset()) clearExperiment();
    else store.set({ csv: previous }); // refused: the last good file (or data set) stays
  });
  clear.addEventListener('click', () => {
    store.set({ csv: null });
    clearExperiment();
    reset();
  });
  anchor.after(h('div', { className: 'csv-upload' }, label, input, help, status, clear));
  store.view('csv', {
    group: 'sync',
    deps: ['csv', 'language'],
    draw() {
      const csv = store.get('csv');
      label.textContent = t('csv.label');
      help.textContent = t('csv.help', { maxMb, maxRows: limits.maxRows, maxFeatures: limits.maxFeatures, maxClasses: limits.maxClasses });
      clear.textContent = t('csv.clear');
      clear.hidden = !csv;
      status.textContent = csv ? t('csv.loaded', { file: csv.name }) : '';
    },
  });
}
