// The guided tour's steps and dialog (loaded when the tour is first opened; ./tour.js is its button): eight short steps that follow the checklist of the Korean-language notes —
// ① the definition and the architecture of KD, ② the teacher–student idea, ③ soft labels vs hard labels.
// Each step sets the page up as a learner would (data set, training, the selected sample, T and α), highlights the
// panel to look at, and explains in two or three sentences (from the catalogues). The step is in the store (the
// URL shows it, `tour=3`, while the tour is open) and in sessionStorage, so that a skipped tour can be resumed
// with the Tour button.

import { store } from '../store.js';
import { t, appendRich } from '../i18n.js';
import { TOUR_STEP_COUNT, TOUR_STORAGE_KEY } from './tour.js';
import { byId } from '../lib/dom.js';
import { int } from '../lib/format.js';
import { applyLive, clearExperiment, ensureDataset, pause, running, selectedSample, setSetting, step, validate } from '../run.js';
import { selectSoon } from './data.js';
import { useDataset } from './settings.js';
import { ensureTeachingPanels } from './teaching.js';

const HIGHLIGHT = 'tour-highlight';

/** sessionStorage, or nothing where the browser refuses it (the tour then simply does not resume). */
const session = {
  get() { try { return window.sessionStorage.getItem(TOUR_STORAGE_KEY); } catch { return null; } },
  set(v) { try { window.sessionStorage.setItem(TOUR_STORAGE_KEY, v); } catch { /* not kept */ } },
  remove() { try { window.sessionStorage.removeItem(TOUR_STORAGE_KEY); } catch { /* not kept */ } },
};

/** The saved step (sessionStorage), if it is a step of the tour. */
function saved() {
  const n = Number(session.get());
  return Number.isInteger(n) && n >= 1 && n <= TOUR_STEP_COUNT ? n : null;
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

const status = () => store.get('status');

/** What the steps do to the page: the same as the learner's clicks would. */
const api = {
  /** Picks data set `name` with its defaults and builds a new run, unless it is already the one running. */
  async useDataset(name) {
    if (store.get('applied').dataset === name && store.get('pg')) return true;
    await ensureDataset(store.get('engine'), name).catch(() => { /* reset() says what failed */ });
    if (store.get('applied').dataset !== name) clearExperiment();
    setSetting('dataset', name);
    useDataset(name);
    return store.get('applied').dataset === name;
  },
  /** Trains one epoch of the current phase (false when training is over or failed). */
  stepEpoch() {
    if (!store.get('pg') || !running()) return false;
    pause();
    step('epoch');
    return true;
  },
  /** Sets a live setting (T, α) as the slider would. */
  setLive(name, value) {
    store.get('controls').set(name, value);
    const localErrors = new Set(store.get('localErrors'));
    localErrors.delete(name);
    store.set({ localErrors });
    setSetting(name, value);
    validate();
    applyLive(name, value);
  },
};

/** Trains the teacher to the end of its epochs, one epoch per frame so that the charts grow as it learns. */
async function trainTeacher(alive, busy) {
  while (alive() && status()?.phase === 'teacher') {
    const st = status();
    busy(t('tour.busyTeacher', { epoch: st.epoch + 1, of: st.teacherEpochs }));
    if (!api.stepEpoch()) break;
    await nextFrame();
  }
}

/** Pauses, switches to digits and trains its teacher; false when the learner has left the step meanwhile. */
async function digitsTeacher(alive, busy) {
  pause();
  await api.useDataset('digits');
  await trainTeacher(alive, busy);
  return alive();
}

/** Trains the students until `epochs` distillation epochs are done. */
async function distil(alive, busy, epochs) {
  while (alive() && status()?.phase === 'distil' && status().epoch < epochs) {
    busy(t('tour.busyDistil', { epoch: status().epoch + 1, of: epochs }));
    if (!api.stepEpoch()) break;
    await nextFrame();
  }
}

/**
 * Selects a test sample that the teacher classifies correctly but with the most "dark knowledge" at the
 * current T (the most probability on the wrong classes), among the first test samples. Keeps the current
 * selection if it already is one the tour picked.
 */
function pickTellingSample() {
  const pg = store.get('pg');
  const info = store.get('dataInfo');
  const memory = store.get('tour');
  if (!pg || !info) return;
  if (memory.picked && memory.dataset === info.dataset) {
    selectSoon(memory.picked.split, memory.picked.index);
    return;
  }
  let best = null;
  const n = Math.min(info.nTest, 120);
  for (let i = 0; i < n; i++) {
    let s;
    try { s = pg.inspect('test', i); } catch { return; }
    const argmax = (p) => p.reduce((b, v, j) => (v > p[b] ? j : b), 0);
    if (argmax(s.teacherT1) !== s.label || argmax(s.teacherAtT) !== s.label) continue;
    const dark = 1 - s.teacherAtT[s.label];
    if (!best || dark > best.dark) best = { index: i, dark };
  }
  if (best) {
    memory.picked = { split: 'test', index: best.index };
    memory.dataset = info.dataset;
    selectSoon('test', best.index);
  }
}

/** Parameters the steps' texts quote (model sizes, the selected sample). */
function textParams() {
  const m = store.get('modelInfo');
  const sel = store.get('selection');
  const info = store.get('dataInfo');
  let cls = '';
  try {
    if (store.get('pg')) cls = selectedSample().report?.className ?? '';
  } catch { /* no sample */ }
  return {
    teacher: m ? m.teacher.layers.join('→') : '…',
    student: m ? m.student.layers.join('→') : '…',
    teacherParams: m ? int(m.teacher.parameters) : '…',
    studentParams: m ? int(m.student.parameters) : '…',
    ratio: m && m.student.parameters ? Math.round(m.teacher.parameters / m.student.parameters) : '…',
    index: sel.index,
    cls,
    dataset: info?.dataset ?? '',
  };
}

// Each step: the checklist item it serves, the panels to highlight (the first one present), and what it does
// to the page. The teaching panels' ids come first where they exist; the panels of the page are fallbacks.
const STEPS = [
  {
    key: 's1', checklist: 1, targets: ['.intro'],
    async setup() { pause(); await api.useDataset('digits'); },
  },
  {
    key: 's2', checklist: 1, targets: ['#teach-architecture', '.group-models'],
    async setup() { pause(); await api.useDataset('digits'); },
  },
  {
    key: 's3', checklist: 2, targets: ['#curves-panel'],
    async setup(alive, busy) { await digitsTeacher(alive, busy); },
  },
  {
    key: 's4', checklist: 3, targets: ['#sample-panel'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      api.setLive('temperature', 4);
      pickTellingSample();
      api.setLive('temperature', 1);
    },
  },
  {
    key: 's5', checklist: 3, targets: ['#teach-temperature', '#sample-panel'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      api.setLive('temperature', 4);
      pickTellingSample();
    },
  },
  {
    key: 's6', checklist: 3, targets: ['#teach-formula', '.intro .formula'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      api.setLive('temperature', 4);
      api.setLive('alpha', 0.9);
      pickTellingSample();
    },
  },
  {
    key: 's7', checklist: 2, targets: ['#curves-panel'],
    async setup(alive, busy) {
      if (await digitsTeacher(alive, busy)) await distil(alive, busy, 3);
    },
  },
  {
    key: 's8', checklist: 3, targets: ['#teach-dark-knowledge', '.group-distillation'],
    async setup() { pause(); },
  },
];

if (STEPS.length !== TOUR_STEP_COUNT) throw new Error(`the tour has ${STEPS.length} steps, not ${TOUR_STEP_COUNT}`);

const CHECKLIST_MARKS = ['①', '②', '③'];

const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

/** The Tour button: "Tour", or "Resume tour (4/8)" after a skipped tour. */
function drawButton() {
  const button = byId('btn-tour');
  const step = store.get('tourStep');
  const resume = !step && saved() && saved() > 1;
  button.querySelector('span').textContent = resume ? t('tour.resume', { step: saved(), of: TOUR_STEP_COUNT }) : t('tour.button');
  button.title = t(resume ? 'tour.resumeTitle' : 'tour.buttonTitle');
  button.setAttribute('aria-expanded', String(Boolean(step)));
}

/** The dialog's texts for the current step (with the numbers it quotes, as they are now). */
function drawText() {
  const step = store.get('tourStep');
  if (!step) return;
  const s = STEPS[step - 1];
  byId('tour-checklist').textContent = `${CHECKLIST_MARKS[s.checklist - 1]} ${t(`tour.checklist${s.checklist}`)}`;
  byId('tour-count').textContent = t('tour.count', { step, of: STEPS.length });
  byId('tour-title').textContent = t(`tour.${s.key}.title`);
  const text = byId('tour-text');
  text.replaceChildren();
  for (const para of t(`tour.${s.key}.text`, textParams()).split('\n')) {
    const p = document.createElement('p');
    appendRich(p, para);
    text.append(p);
  }
  byId('tour-back').disabled = step === 1;
  byId('tour-next').textContent = t(step === STEPS.length ? 'tour.finish' : 'tour.next');
}

/** Marks the first of `targets` that is shown and scrolls it into view. */
function highlight(targets) {
  const memory = store.get('tour');
  memory.highlighted?.classList.remove(HIGHLIGHT);
  memory.highlighted = targets.map((selector) => document.querySelector(selector))
    .find((node) => node && !node.hidden && node.getClientRects().length) ?? null;
  const node = memory.highlighted;
  if (!node) return;
  node.classList.add(HIGHLIGHT);
  // a panel taller than most of the window is shown from its top (below the sticky header), others centred
  const tall = node.getBoundingClientRect().height > window.innerHeight * 0.55;
  node.scrollIntoView({ block: tall ? 'start' : 'center', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
}

/** Opens the tour at step `n` (or the saved one) and sets the page up for it. */
export async function openTour(n = saved() ?? 1, { focus = true } = {}) {
  const step = Math.min(STEPS.length, Math.max(1, n));
  const memory = store.get('tour');
  const root = byId('tour');
  session.set(String(step));
  root.hidden = false;
  store.set({ tourStep: step });
  store.begin('tour'); // the page is not settled while a step sets it up
  drawText();
  if (focus) byId('tour-title').focus({ preventScroll: true });
  memory.run += 1;
  const mine = memory.run;
  const alive = () => mine === memory.run && store.get('tourStep') !== null;
  const busy = (text) => { if (alive()) byId('tour-busy').textContent = text; };
  const s = STEPS[step - 1];
  root.setAttribute('aria-busy', 'true');
  try {
    await s.setup(alive, busy);
    if (s.targets.some((target) => target.startsWith('#teach-'))) await ensureTeachingPanels();
  } finally {
    if (alive()) {
      byId('tour-busy').textContent = '';
      root.removeAttribute('aria-busy');
      drawText(); // the numbers the text quotes may have changed
      highlight(s.targets);
      store.end('tour');
    }
  }
}

/** Closes the tour (`finished`: at its end, so that the button no longer offers to resume it). */
export function closeTour({ finished = false } = {}) {
  if (!store.get('tourStep')) return;
  const memory = store.get('tour');
  const root = byId('tour');
  memory.run += 1;
  root.hidden = true;
  root.removeAttribute('aria-busy');
  byId('tour-busy').textContent = '';
  memory.highlighted?.classList.remove(HIGHLIGHT);
  memory.highlighted = null;
  if (finished) session.remove();
  store.set({ tourStep: null });
  store.end('tour');
  byId('btn-tour').focus();
}

/** Wires the tour's dialog (see index.html) and declares its views (once, when the tour's module loads). */
export function installTourDialog() {
  byId('tour-back').addEventListener('click', () => { if (store.get('tourStep') > 1) openTour(store.get('tourStep') - 1); });
  byId('tour-next').addEventListener('click', () => {
    const step = store.get('tourStep');
    if (step === STEPS.length) closeTour({ finished: true });
    else openTour(step + 1);
  });
  byId('tour-skip').addEventListener('click', () => closeTour());
  byId('tour').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeTour();
    }
  });
  store.view('tour-text', { group: 'sync', deps: ['language'], draw: drawText });
  store.view('tour-button', { group: 'sync', deps: ['tourStep', 'language'], draw: drawButton });
}
