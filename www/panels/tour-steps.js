// The guided tour's steps and dialog (loaded when the tour is first opened; ./tour.js is its button): nine short steps that follow the checklist of the Korean-language notes —
// ① the definition and the architecture of KD, ② the teacher–student idea, ③ soft labels vs hard labels.
// Each step sets the page up as a learner would (data set, training, the selected sample, T and α), highlights the
// panel to look at, and explains in two or three sentences (from the catalogues). The step is in the store (the
// URL shows it, `tour=3`, while the tour is open) and in sessionStorage, so that a skipped tour can be resumed
// with the Tour button.

import { store } from '../store.js';
import { t, appendRich } from '../i18n.js';
import { TOUR_STEP_COUNT, TOUR_STORAGE_KEY } from './tour.js';
import { byId } from '../lib/dom.js';
import { fixed, int, pct, points, samplePoints, sig, temperatureText, times } from '../lib/format.js';
import { placeTour } from './tour-place.js';
import { applyLive, clearExperiment, ensureDataset, pause, running, selectedSample, setSetting, specOf, step, validate } from '../run.js';
import { selectSoon } from './data.js';
import { useDataset } from './settings.js';
import { ensureTeachingPanels } from './teaching.js';

const HIGHLIGHT = 'tour-highlight';
/** The class of the element a step's text talks about (the popover keeps clear of it). */
const FOCUS = 'tour-focus';

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

/**
 * The tour teaches Hinton's KD: its steps explain the teacher's soft labels, T² and α, so a run of another method
 * (relations, mutual learning, self-distillation, a control, the reverse KL) is replaced by a KD run.
 */
const TOUR_METHOD = { method: 'kd', klDirection: 'forward' };

/** Whether the current run is one the tour's sentences describe: data set `name`, by Hinton's KD. */
function tourRun(name) {
  const applied = store.get('applied');
  return Boolean(store.get('pg')) && applied.dataset === name
    && Object.entries(TOUR_METHOD).every(([k, v]) => !specOf(k) || (applied[k] ?? v) === v);
}

/** What the steps do to the page: the same as the learner's clicks would. */
const api = {
  /** Picks data set `name` with its defaults (and KD) and builds a new run, unless it is already the one running. */
  async useDataset(name) {
    if (tourRun(name)) return true;
    await ensureDataset(store.get('engine'), name).catch(() => { /* reset() says what failed */ });
    clearExperiment();
    for (const [k, v] of Object.entries(TOUR_METHOD)) {
      if (!specOf(k)) continue;
      store.get('controls').set(k, v);
      setSetting(k, v);
    }
    setSetting('dataset', name);
    useDataset(name);
    return tourRun(name);
  },
  /** Trains one epoch of the current phase; resolves once the page shows it (false when training is over). */
  async stepEpoch() {
    if (!store.get('pg') || !running()) return false;
    pause();
    await step('epoch');
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
    if (!(await api.stepEpoch())) break;
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
    if (!(await api.stepEpoch())) break;
    await nextFrame();
  }
}

/**
 * Selects a test sample that the teacher classifies correctly but with the most probability on the wrong classes
 * at the current T (where its dark knowledge shows most), among the first test samples. Keeps the current
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

/** Parameters every step's text may quote (model sizes, the selected sample); '…' until they exist. */
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
    sizes: !m ? '…' : m.teacher.parameters >= 1.05 * m.student.parameters
      ? t('tour.s2.larger', { ratio: Math.round(m.teacher.parameters / m.student.parameters) })
      : t('tour.s2.notLarger'),
    index: sel.index,
    cls,
    dataset: info?.dataset ?? '',
  };
}

/** The last epoch of each model in the history (null before it trained). */
function finished() {
  const history = store.get('history');
  const teacher = history?.teacher?.at(-1);
  const students = history?.students?.at(-1);
  return { teacher: teacher?.epoch > 0 ? teacher : null, students: students?.epoch > 0 ? students : null };
}

/** One test sample's worth of accuracy, in points (100 / test samples). */
const onePoint = () => 100 / Math.max(1, store.get('dataInfo')?.nTest ?? 1);

/**
 * How the distilled student ended against `other` (in points): 'ahead' or 'behind' by more than one test sample,
 * 'same' within one — the page's sentences about a run are chosen by its numbers, never written in advance.
 */
function compare(kd, other) {
  const diff = (kd - other) * 100;
  if (Math.abs(diff) <= onePoint() + 1e-9) return 'same';
  return diff > 0 ? 'ahead' : 'behind';
}

/** A difference in points with its sign ("+1.4", "−0.6"). */
const diffText = (a, b) => (Math.abs(a - b) < 0.0005 ? '±0.0' : points(a - b));

/** Step 3: the teacher's finished training, from the history. */
function teacherParams() {
  const { teacher } = finished();
  if (!teacher) return { epochs: '…', acc: '…', first: '…' };
  const first = store.get('history').teacher.find((r) => r.epoch > 0);
  return { epochs: teacher.epoch, acc: pct(teacher.testAccuracy), first: pct(first?.testAccuracy) };
}

/** Step 6: the selected sample's two terms, weighted as the loss weighs them. */
function lossParams() {
  let r = null;
  try { r = store.get('pg') ? selectedSample().report : null; } catch { /* no sample */ }
  if (!r || !Number.isFinite(r.softLoss) || !Number.isFinite(r.hardLoss)) {
    return { alpha: '…', rest: '…', softPart: '…', hardPart: '…', share: '' };
  }
  const soft = r.alpha * r.softLoss;
  const hard = (1 - r.alpha) * r.hardLoss;
  let share = '';
  if (soft > 0 && hard > 0) {
    share = soft >= hard
      ? t('tour.s6.softLarger', { x: sig(soft / hard, 2) })
      : t('tour.s6.hardLarger', { x: sig(hard / soft, 2) });
  }
  return { alpha: fixed(r.alpha, 2), rest: fixed(1 - r.alpha, 2), softPart: fixed(soft, 3), hardPart: fixed(hard, 3), share };
}

/** Step 7: the finished students against each other. */
function studentsParams() {
  const { students } = finished();
  if (!students) return { epochs: '…', kd: '…', control: '…', diff: '…', one: '…', verdict: '' };
  const way = compare(students.kdTestAccuracy, students.controlTestAccuracy);
  const p = {
    epochs: students.epoch, kd: pct(students.kdTestAccuracy), control: pct(students.controlTestAccuracy),
    diff: diffText(students.kdTestAccuracy, students.controlTestAccuracy), one: samplePoints(store.get('dataInfo')?.nTest ?? 1),
  };
  return { ...p, verdict: t(`tour.s7.verdict.${way}`, p) };
}

/** Step 8: the strongest off-diagonal cell of the dark-knowledge matrix (the engine's numbers). */
function darkParams() {
  const pg = store.get('pg');
  let sim = null;
  try { sim = pg ? pg.darkKnowledge() : null; } catch { /* shown by the panel */ }
  const matrix = sim?.matrix ?? [];
  let best = null;
  matrix.forEach((row, c) => row.forEach((v, k) => {
    if (k !== c && sim.counts?.[c] && (!best || v > best.p)) best = { a: c, b: k, p: v };
  }));
  const names = store.get('dataInfo')?.classNames ?? [];
  if (!best) return { T: '…', a: '…', b: '…', p: '…' };
  return { T: temperatureText(sim.temperature), a: names[best.a] ?? String(best.a), b: names[best.b] ?? String(best.b), p: fixed(best.p, 3) };
}

/** Step 9: the finished student beside its teacher and its control, with the measured inference times. */
function payoffParams() {
  const m = store.get('modelInfo');
  const { teacher, students } = finished();
  const timing = store.get('timing');
  if (!m || !teacher || !students) {
    return { teacherAcc: '…', kd: '…', control: '…', gap: '…', teacherUs: '…', studentUs: '…', speed: '', keeps: '', vsControl: '' };
  }
  const p = {
    teacherAcc: pct(teacher.testAccuracy), kd: pct(students.kdTestAccuracy), control: pct(students.controlTestAccuracy),
    gap: diffText(students.kdTestAccuracy, teacher.testAccuracy).replace(/^[+−]/, ''),
    diff: diffText(students.kdTestAccuracy, students.controlTestAccuracy),
    gain: diffText(students.kdTestAccuracy, students.controlTestAccuracy).replace(/^[+−]/, ''),
  };
  const us = (model) => (timing?.[model] ? timing[model].msPerSample * 1000 : null);
  const speedup = us('teacher') && us('kd') ? us('teacher') / us('kd') : null;
  p.teacherUs = us('teacher') === null ? '…' : sig(us('teacher'), 3);
  p.studentUs = us('kd') === null ? '…' : sig(us('kd'), 3);
  p.speed = speedup === null ? t('tour.s9.speed.unknown')
    : t(speedup >= 1.05 ? 'tour.s9.speed.faster' : 'tour.s9.speed.notFaster', { x: times(speedup) });
  p.keeps = t(`tour.s9.keeps.${compare(students.kdTestAccuracy, teacher.testAccuracy)}`, p);
  p.vsControl = t(`tour.s9.control.${compare(students.kdTestAccuracy, students.controlTestAccuracy)}`, p);
  return p;
}

// Each step: the checklist item it serves, the panels to highlight (the first one present), its focus (the
// element its text talks about, which the popover must leave visible), what it does to the page, and the numbers
// its text quotes (read when the text is drawn, so that they are the page's numbers at that moment).
const STEPS = [
  {
    key: 's1', checklist: 1, targets: ['.intro'], focus: ['.intro .formula'],
    async setup() { pause(); await api.useDataset('digits'); },
  },
  {
    key: 's2', checklist: 1, targets: ['#teach-architecture', '.group-models'], focus: ['#teach-wins', '.group-models'],
    async setup() { pause(); await api.useDataset('digits'); },
  },
  {
    key: 's3', checklist: 2, targets: ['#curves-panel'], focus: ['#accuracy-curves'],
    async setup(alive, busy) { await digitsTeacher(alive, busy); },
    params: teacherParams,
  },
  {
    key: 's4', checklist: 3, targets: ['#sample-panel'], focus: ['#sample-panel .table-wrap'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      api.setLive('temperature', 4);
      pickTellingSample();
    },
  },
  {
    key: 's5', checklist: 3, targets: ['#teach-temperature', '#sample-panel'], focus: ['#teach-temperature-stats', '#sample-panel .table-wrap'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      api.setLive('temperature', 4);
      pickTellingSample();
    },
  },
  {
    key: 's6', checklist: 3, targets: ['#teach-formula', '.intro .formula'], focus: ['#teach-formula .teach-eq[data-scope="sample"]', '.intro .formula'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      api.setLive('temperature', 4);
      api.setLive('alpha', 0.9);
      pickTellingSample();
    },
    params: lossParams,
  },
  {
    key: 's7', checklist: 2, targets: ['#curves-panel'], focus: ['#verdict'],
    async setup(alive, busy) {
      if (await digitsTeacher(alive, busy)) await distil(alive, busy, status()?.studentEpochs ?? 0);
    },
    params: studentsParams,
  },
  {
    key: 's8', checklist: 3, targets: ['#teach-dark-knowledge', '.group-distillation'], focus: ['#teach-dark-chart', '.group-distillation'],
    async setup() { pause(); },
    params: darkParams,
  },
  {
    key: 's9', checklist: 1, targets: ['#teach-architecture', '#curves-panel'], focus: ['#teach-payoff', '#verdict'],
    async setup(alive, busy) {
      if (!(await digitsTeacher(alive, busy))) return;
      await distil(alive, busy, status()?.studentEpochs ?? 0);
      if (!alive()) return;
      await ensureTeachingPanels();
      const { timingNow } = await import('./teach/architecture.js');
      await timingNow();
    },
    params: payoffParams,
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
  for (const para of t(`tour.${s.key}.text`, { ...textParams(), ...(s.params?.() ?? {}) }).split('\n')) {
    const p = document.createElement('p');
    appendRich(p, para);
    text.append(p);
  }
  byId('tour-back').disabled = step === 1;
  byId('tour-next').textContent = t(step === STEPS.length ? 'tour.finish' : 'tour.next');
}

/** The first of `selectors` that is on the page and shown. */
const firstShown = (selectors) => selectors.map((selector) => document.querySelector(selector))
  .find((node) => node && !node.hidden && node.getClientRects().length) ?? null;

/** Marks the step's panel (the first of its targets that is shown) and places the popover clear of its focus. */
function highlight(s) {
  mark(s);
  place(!reducedMotion.matches);
}

/** Marks step `s`'s panel and its focus (again, when the page rebuilt them, e.g. in another language). */
function mark(s) {
  const memory = store.get('tour');
  memory.marked = s;
  memory.highlighted?.classList.remove(HIGHLIGHT);
  memory.highlighted = firstShown(s.targets);
  memory.highlighted?.classList.add(HIGHLIGHT);
  memory.focus?.classList.remove(FOCUS);
  memory.focus = firstShown(s.focus ?? []) ?? memory.highlighted;
  memory.focus?.classList.add(FOCUS);
}

/**
 * Puts the popover where it leaves the step's focus visible (and scrolls to it); `data-placed` says which step it
 * was placed for and where, for the learner's assistive tools nothing (it is a layout matter), for the tests the state.
 */
function place(smooth = false) {
  const memory = store.get('tour');
  const root = byId('tour');
  const step = store.get('tourStep');
  if (!step || root.hidden) return;
  if (memory.marked && (!memory.focus?.isConnected || !memory.highlighted?.isConnected)) mark(memory.marked);
  const corner = placeTour(root, memory.focus, { smooth });
  root.dataset.placed = `${step}:${corner ?? 'none'}`;
}

/** Places the popover again after the page has laid itself out (a new language, a new window size, new text). */
function placeSoon() {
  const memory = store.get('tour');
  if (memory.placing || !store.get('tourStep') || byId('tour').getAttribute('aria-busy')) return;
  store.begin('tour-place');
  memory.placing = true;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    memory.placing = false;
    place(false);
    store.end('tour-place');
  }));
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
      highlight(s);
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
  memory.focus?.classList.remove(FOCUS);
  memory.focus = null;
  memory.marked = null;
  placeTour(root, null);
  delete root.dataset.placed;
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
  store.view('tour-place', { group: 'sync', deps: ['language', 'layout'], draw: placeSoon });
  new ResizeObserver(() => placeSoon()).observe(byId('tour'));
}
