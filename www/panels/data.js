// The data panel: for the generated 2-D sets, each model's decision regions with the data over them; for the
// others, the gallery of samples (digits as images, a table's samples as a scatter of two features). A click (or
// the arrow keys on a focused chart) selects a sample.

import { store } from '../store.js';
import { datasetLabel, t } from '../i18n.js';
import { byId, sizeCanvas } from '../lib/dom.js';
import { answerSoon, unchanged } from '../loop.js';
import { attempt, FAILED, hasTeacher, sampleCount, select } from '../run.js';

const REGIONS = ['teacher', 'kd', 'control'];

/**
 * The region maps or the gallery, with the selected sample marked. The maps follow every model's weights (each
 * status); the gallery shows the teacher's predictions, which change only while the teacher trains: while the
 * students train it is not drawn again.
 */
function drawData(view) {
  const pg = store.get('pg');
  const d = store.get('dataInfo');
  if (!pg || !d) return;
  const selection = store.get('selection');
  const { split, index } = selection;
  const weights = d.view === 'points' ? store.get('status') : store.get('teacherVersion');
  if (unchanged(view, [pg, d, selection, weights, store.get('language'), store.get('layout')])) return;
  if (d.view === 'points') {
    for (const model of REGIONS) {
      const canvas = byId(`regions-${model}`);
      if (!sizeCanvas(canvas)) {
        view.inputs = null; // a map not laid out (or hidden): drawn again next time, as before
        continue;
      }
      if (attempt('do.draw', () => pg.drawRegions(canvas, model, split, index)) === FAILED) {
        view.inputs = null;
        return;
      }
    }
  } else if (!sizeCanvas(byId('samples')) || attempt('do.draw', () => pg.drawSamples(byId('samples'), split, index)) === FAILED) {
    view.inputs = null; // not laid out yet (or failed): drawn again next time
  }
}

/** Which view the data set has, and the words around it. */
function drawMode() {
  const d = store.get('dataInfo');
  if (!d) return;
  const points = d.view === 'points';
  byId('regions-row').hidden = !points;
  // a method that trains no teacher (mutual learning, self-distillation): no map of a random teacher
  const teacher = hasTeacher();
  byId('regions-teacher').closest('figure').hidden = !teacher;
  byId('regions-row').dataset.maps = teacher ? '3' : '2';
  byId('samples-row').hidden = points;
  byId('samples-row').dataset.view = d.view;
  byId('data-title').textContent = t(points ? 'data.titlePoints' : 'data.title');
  const mode = points ? 'Points' : d.view === 'digits' ? 'Digits' : 'Table';
  byId('data-note').textContent = t(`data.note${mode}`, { dataset: datasetLabel(d.dataset), features: d.nFeatures, classes: d.nClasses });
  byId('pick-hint').textContent = t(`data.hint${mode}`);
}

/** Selects the sample nearest to a click on `canvas` (`viewName`: 'regions' or 'samples'). */
function pickAt(canvas, viewName, event) {
  const pg = store.get('pg');
  if (!pg) return;
  const rect = canvas.getBoundingClientRect();
  const fx = (event.clientX - rect.left) / rect.width;
  const fy = (event.clientY - rect.top) / rect.height;
  const r = attempt('do.select', () => pg.pick(viewName, fx, fy));
  if (r !== FAILED && r) selectSoon(r.split, r.index);
}

/**
 * Selects a sample the learner is waiting for: the next frame draws its views first and trains only briefly
 * before them.
 */
export function selectSoon(split, index) {
  if (!select(split, index)) return false;
  answerSoon('sample', 'data');
  return true;
}

/** The arrow keys on a focused chart step through the samples. */
function onCanvasKey(event) {
  const delta = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
  if (!delta || !store.get('dataInfo')) return;
  event.preventDefault();
  const { split, index } = store.get('selection');
  const n = sampleCount(split);
  if (n > 0) selectSoon(split, (index + delta + n) % n);
}

/** Wires the charts and declares the panel's views. */
export function installData() {
  for (const model of REGIONS) {
    const canvas = byId(`regions-${model}`);
    canvas.addEventListener('click', (e) => pickAt(canvas, 'regions', e));
    canvas.addEventListener('keydown', onCanvasKey);
    canvas.tabIndex = 0;
  }
  const samples = byId('samples');
  samples.addEventListener('click', (e) => pickAt(samples, 'samples', e));
  samples.addEventListener('keydown', onCanvasKey);
  samples.tabIndex = 0;
  store.view('data-mode', { group: 'sync', deps: ['pg', 'dataInfo', 'language'], draw: drawMode });
  // the region maps and the gallery show the models at T = 1: T and α do not change them
  store.view('data', { group: 'main', deps: ['pg', 'status', 'teacherVersion', 'dataInfo', 'selection', 'language', 'layout'], draw: drawData });
}
