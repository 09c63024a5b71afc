// The guided tour: eight short steps that follow the checklist of the Korean-language notes —
// ① the definition and the architecture of KD, ② the teacher–student idea, ③ soft labels vs hard labels.
// Each step sets the page up through the small API main.js hands over (data set, training, the selected sample,
// T and α), highlights the panel to look at, and explains in two or three sentences (from the catalogues).
// The step is kept in the URL (`tour=3`, while the tour is open) and in sessionStorage, so that a skipped tour
// can be resumed with the Tour button.

import { t, appendRich } from './i18n.js';

const STORAGE_KEY = 'kd-playground.tour-step';
const HIGHLIGHT = 'tour-highlight';

/** sessionStorage, or nothing where the browser refuses it (the tour then simply does not resume). */
const store = {
  get() { try { return window.sessionStorage.getItem(STORAGE_KEY); } catch { return null; } },
  set(v) { try { window.sessionStorage.setItem(STORAGE_KEY, v); } catch { /* not kept */ } },
  remove() { try { window.sessionStorage.removeItem(STORAGE_KEY); } catch { /* not kept */ } },
};

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** Trains the teacher to the end of its epochs, one epoch per frame so that the charts grow as it learns. */
async function trainTeacher(api, alive, busy) {
  while (alive() && api.status()?.phase === 'teacher') {
    const st = api.status();
    busy(t('tour.busyTeacher', { epoch: st.epoch + 1, of: st.teacherEpochs }));
    if (!api.stepEpoch()) break;
    await nextFrame();
  }
}

/** Trains the students until `epochs` distillation epochs are done. */
async function distil(api, alive, busy, epochs) {
  while (alive() && api.status()?.phase === 'distil' && api.status().epoch < epochs) {
    busy(t('tour.busyDistil', { epoch: api.status().epoch + 1, of: epochs }));
    if (!api.stepEpoch()) break;
    await nextFrame();
  }
}

/**
 * Selects a test sample that the teacher classifies correctly but with the most "dark knowledge" at the
 * current T (the most probability on the wrong classes), among the first test samples. Keeps the current
 * selection if it already is one the tour picked.
 */
function pickTellingSample(api, memory) {
  const pg = api.playground();
  const info = api.dataInfo();
  if (!pg || !info) return;
  if (memory.picked && memory.dataset === info.dataset) {
    api.select(memory.picked.split, memory.picked.index);
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
    api.select('test', best.index);
  }
}

/** Parameters the steps' texts quote (model sizes, the selected sample). */
function textParams(api) {
  const m = api.modelInfo();
  const sel = api.selection();
  const info = api.dataInfo();
  let cls = '';
  try {
    const s = api.playground()?.inspect(sel.split, sel.index);
    cls = s?.className ?? '';
  } catch { /* no sample */ }
  return {
    teacher: m ? m.teacher.layers.join('→') : '…',
    student: m ? m.student.layers.join('→') : '…',
    teacherParams: m ? m.teacher.parameters.toLocaleString('en-US') : '…',
    studentParams: m ? m.student.parameters.toLocaleString('en-US') : '…',
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
    async setup(api) { api.pause(); await api.useDataset('digits'); },
  },
  {
    key: 's2', checklist: 1, targets: ['#teach-architecture', '.group-models'],
    async setup(api) { api.pause(); await api.useDataset('digits'); },
  },
  {
    key: 's3', checklist: 2, targets: ['#curves-panel'],
    async setup(api, alive, busy) {
      api.pause();
      await api.useDataset('digits');
      await trainTeacher(api, alive, busy);
    },
  },
  {
    key: 's4', checklist: 3, targets: ['#sample-panel'],
    async setup(api, alive, busy, memory) {
      api.pause();
      await api.useDataset('digits');
      await trainTeacher(api, alive, busy);
      if (!alive()) return;
      api.setLive('temperature', 4);
      pickTellingSample(api, memory);
      api.setLive('temperature', 1);
    },
  },
  {
    key: 's5', checklist: 3, targets: ['#teach-temperature', '#sample-panel'],
    async setup(api, alive, busy, memory) {
      api.pause();
      await api.useDataset('digits');
      await trainTeacher(api, alive, busy);
      if (!alive()) return;
      api.setLive('temperature', 4);
      pickTellingSample(api, memory);
    },
  },
  {
    key: 's6', checklist: 3, targets: ['#teach-formula', '.intro .formula'],
    async setup(api, alive, busy, memory) {
      api.pause();
      await api.useDataset('digits');
      await trainTeacher(api, alive, busy);
      if (!alive()) return;
      api.setLive('temperature', 4);
      api.setLive('alpha', 0.9);
      pickTellingSample(api, memory);
    },
  },
  {
    key: 's7', checklist: 2, targets: ['#curves-panel'],
    async setup(api, alive, busy) {
      api.pause();
      await api.useDataset('digits');
      await trainTeacher(api, alive, busy);
      await distil(api, alive, busy, 3);
    },
  },
  {
    key: 's8', checklist: 3, targets: ['#teach-dark-knowledge', '.group-distillation'],
    async setup(api) { api.pause(); },
  },
];

export const TOUR_STEP_COUNT = STEPS.length;

const CHECKLIST_MARKS = ['①', '②', '③'];

/**
 * Builds the tour on the dialog `root` (see index.html) and its header `button`.
 * @returns {{ open(step?: number): void, close(): void, currentStep(): number|null, translate(): void }}
 */
export function createTour(api, { button, root }) {
  const $ = (id) => root.querySelector(`#${id}`);
  const el = {
    checklist: $('tour-checklist'),
    count: $('tour-count'),
    title: $('tour-title'),
    text: $('tour-text'),
    busy: $('tour-busy'),
    back: $('tour-back'),
    next: $('tour-next'),
    skip: $('tour-skip'),
  };
  let step = null;        // 1-based, while open
  let run = 0;            // the current setup; a newer one cancels it
  let highlighted = null;
  const memory = {};      // what the steps remember (the sample picked)

  const saved = () => {
    const n = Number(store.get());
    return Number.isInteger(n) && n >= 1 && n <= STEPS.length ? n : null;
  };

  function renderButton() {
    const resume = !step && saved() && saved() > 1;
    button.querySelector('span').textContent = resume ? t('tour.resume', { step: saved(), of: STEPS.length }) : t('tour.button');
    button.title = t(resume ? 'tour.resumeTitle' : 'tour.buttonTitle');
    button.setAttribute('aria-expanded', String(!!step));
  }

  function renderText() {
    if (!step) return;
    const s = STEPS[step - 1];
    el.checklist.textContent = `${CHECKLIST_MARKS[s.checklist - 1]} ${t(`tour.checklist${s.checklist}`)}`;
    el.count.textContent = t('tour.count', { step, of: STEPS.length });
    el.title.textContent = t(`tour.${s.key}.title`);
    el.text.replaceChildren();
    const params = textParams(api);
    for (const para of t(`tour.${s.key}.text`, params).split('\n')) {
      const p = document.createElement('p');
      appendRich(p, para);
      el.text.append(p);
    }
    el.back.disabled = step === 1;
    el.next.textContent = t(step === STEPS.length ? 'tour.finish' : 'tour.next');
  }

  function highlight(targets) {
    highlighted?.classList.remove(HIGHLIGHT);
    highlighted = null;
    for (const selector of targets) {
      const node = document.querySelector(selector);
      if (node && !node.hidden && node.getClientRects().length) {
        highlighted = node;
        break;
      }
    }
    if (!highlighted) return;
    highlighted.classList.add(HIGHLIGHT);
    // a panel taller than most of the window is shown from its top (below the sticky header), others centred
    const tall = highlighted.getBoundingClientRect().height > window.innerHeight * 0.55;
    highlighted.scrollIntoView({ block: tall ? 'start' : 'center', behavior: api.reducedMotion() ? 'auto' : 'smooth' });
  }

  async function go(n, { focus = true } = {}) {
    step = Math.min(STEPS.length, Math.max(1, n));
    store.set(String(step));
    root.hidden = false;
    renderButton();
    renderText();
    api.onStepChange();
    if (focus) el.title.focus({ preventScroll: true });
    const mine = ++run;
    const alive = () => mine === run && step !== null;
    const busy = (text) => { if (alive()) el.busy.textContent = text; };
    const s = STEPS[step - 1];
    root.setAttribute('aria-busy', 'true');
    try {
      await s.setup(api, alive, busy, memory);
      if (s.targets.some((target) => target.startsWith('#teach-'))) await api.ensureTeach?.();
    } finally {
      if (alive()) {
        el.busy.textContent = '';
        root.removeAttribute('aria-busy');
        renderText(); // the numbers the text quotes may have changed
        highlight(s.targets);
      }
    }
  }

  function close({ finished = false } = {}) {
    if (!step) return;
    run++;
    step = null;
    root.hidden = true;
    root.removeAttribute('aria-busy');
    el.busy.textContent = '';
    highlighted?.classList.remove(HIGHLIGHT);
    highlighted = null;
    if (finished) store.remove();
    renderButton();
    api.onStepChange();
    button.focus();
  }

  button.addEventListener('click', () => {
    if (step) close();
    else go(saved() ?? 1);
  });
  el.back.addEventListener('click', () => { if (step > 1) go(step - 1); });
  el.next.addEventListener('click', () => {
    if (step === STEPS.length) close({ finished: true });
    else go(step + 1);
  });
  el.skip.addEventListener('click', () => close());
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
  renderButton();

  return {
    open: (n) => go(n ?? saved() ?? 1),
    close: () => close(),
    currentStep: () => step,
    translate() { renderButton(); renderText(); },
  };
}
