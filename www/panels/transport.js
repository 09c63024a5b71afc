// The transport in the header: Reset, Play/Pause, Step epoch, Step batch and the speed; the phase line and the
// progress bar beside them; and the keyboard (Space plays and pauses, → steps a mini-batch, Shift+→ an epoch).

import { store, FASTEST } from '../store.js';
import { t, choiceLabel } from '../i18n.js';
import { byId, setData, setText } from '../lib/dom.js';
import { int } from '../lib/format.js';
import { hasTeacher, play, reset, step, togglePlay, running, specOf } from '../run.js';

/** Elements where Space means something of their own (typing, pressing a button, opening a select). */
const OWNS_SPACE = 'input, textarea, select, button, a[href], summary, [contenteditable=""], [contenteditable="true"], [role="button"], [role="checkbox"], [role="switch"], [role="slider"], [role="tab"], [role="menuitem"], [role="option"]';
/** Elements where → means something of their own (a caret, a slider, the selection on a chart). */
const OWNS_ARROWS = 'input, textarea, select, canvas, [contenteditable=""], [contenteditable="true"], [role="slider"], [role="tablist"], [role="tab"], [role="listbox"], [role="grid"], [role="radiogroup"], [role="menu"]';

/**
 * "Ready — press Play" before the first step, then "Training the teacher — epoch 12/40" (epochs done), the batch, and
 * the progress (`done` of `total` mini-batches). `teacher`: whether the run trains a teacher (mutual learning and
 * self-distillation start with the students, and their progress has no teacher's epochs); `hintEpochs`: FitNets'
 * hint stage, while it lasts (null otherwise).
 */
export function describeStatus(st, { teacher = true, hintEpochs = null } = {}) {
  const bpe = Math.max(1, st.batchesPerEpoch || 1);
  const teacherEpochs = teacher ? st.teacherEpochs : 0;
  const total = (teacherEpochs + st.studentEpochs) * bpe;
  const s = { text: String(st.phase), done: 0, total, steps: st.steps, detail: '' };
  const batch = t('status.batch', { batch: st.batch, of: bpe });
  const distilled = (teacherEpochs + st.epoch) * bpe + st.batch;
  if (st.phase === 'teacher' && st.steps === 0) Object.assign(s, { text: t('status.ready') });
  else if (st.phase === 'distil' && st.steps === 0 && !teacher) Object.assign(s, { text: t('status.readyNoTeacher') });
  else if (st.phase === 'teacher') Object.assign(s, { text: t('status.teacher', { epoch: st.epoch, of: st.teacherEpochs }), done: st.epoch * bpe + st.batch, detail: batch });
  else if (st.phase === 'distil' && hintEpochs !== null) Object.assign(s, { text: t('status.hint', { epoch: st.epoch, of: hintEpochs }), done: distilled, detail: batch });
  else if (st.phase === 'distil') Object.assign(s, { text: t('status.distil', { epoch: st.epoch, of: st.studentEpochs }), done: distilled, detail: batch });
  else if (st.phase === 'done') {
    const detail = teacher
      ? t('status.doneDetail', { teacher: st.teacherEpochs, students: st.studentEpochs })
      : t('status.doneDetailNoTeacher', { students: st.studentEpochs });
    Object.assign(s, { text: t('status.done'), done: total, detail });
  } else if (st.phase === 'diverged') Object.assign(s, { text: t('status.diverged'), done: null });
  return s;
}

/** The phase line and the progress bar. */
function drawStatus() {
  const phase = byId('phase');
  const fetching = store.get('fetching');
  const st = store.get('status');
  if (fetching) {
    phase.textContent = t('status.fetching', { dataset: choiceLabel(specOf('dataset'), fetching) });
    return;
  }
  if (!st) {
    phase.textContent = t(store.get('engineFailed') ? 'status.engineFailed' : 'status.loading');
    return;
  }
  store.get('perf').updates += 1;
  const pg = store.get('pg');
  const hint = pg && typeof pg.inHintStage === 'function' && pg.inHintStage() ? Number(store.get('applied').hintEpochs) : null;
  const s = describeStatus(st, { teacher: hasTeacher(), hintEpochs: hint });
  const detail = byId('phase-detail');
  const progress = byId('progress');
  setText(phase, s.text);
  setData(phase, 'phase', st.phase);
  setText(detail, s.detail ? t('status.steps', { detail: s.detail, steps: int(s.steps) }) : '');
  setData(detail, 'steps', String(s.steps));
  const max = Math.max(1, s.total);
  if (progress.max !== max) progress.max = max;
  if (s.done === null) progress.removeAttribute('value');
  else if (progress.value !== s.done || !progress.hasAttribute('value')) progress.value = s.done;
  const valueText = `${s.text}${s.detail ? `, ${s.detail}` : ''}`;
  if (progress.getAttribute('aria-valuetext') !== valueText) progress.setAttribute('aria-valuetext', valueText);
}

/** Sets property `name` of `node` (disabled, title…) unless it holds `value` already: a write restyles the button. */
function setProp(node, name, value) {
  if (node[name] !== value) node[name] = value;
}

/** The buttons: what can be done now (drawn at every status: only what changed is written). */
function drawButtons() {
  const playing = store.get('playing');
  const invalid = store.get('invalid');
  const canTrain = Boolean(store.get('pg')) && running();
  const play = byId('btn-play');
  setProp(play, 'disabled', !canTrain && !playing);
  if (play.getAttribute('aria-pressed') !== String(playing)) play.setAttribute('aria-pressed', String(playing));
  play.classList.toggle('playing', playing);
  setText(byId('play-label'), t(playing ? 'transport.pause' : 'transport.play'));
  setProp(play, 'title', t(playing ? 'transport.pauseTitle' : 'transport.playTitle'));
  setProp(byId('btn-step-epoch'), 'disabled', !canTrain || playing);
  setProp(byId('btn-step-batch'), 'disabled', !canTrain || playing);
  const resetButton = byId('btn-reset');
  setProp(resetButton, 'disabled', !store.get('engine') || invalid);
  setProp(resetButton, 'title', t(invalid ? 'transport.resetInvalidTitle' : 'transport.resetTitle'));
}

/** Space plays and pauses, → steps a mini-batch and Shift+→ an epoch, unless the focus owns the key. */
function onGlobalKey(e) {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
  const target = e.target instanceof Element ? e.target : document.body;
  if (e.key === ' ' || e.key === 'Spacebar') {
    if (target.closest(OWNS_SPACE)) return;
    e.preventDefault();
    togglePlay();
  } else if (e.key === 'ArrowRight') {
    if (target.closest(OWNS_ARROWS)) return;
    if (!store.get('pg') || store.get('playing') || !running()) return;
    e.preventDefault();
    step(e.shiftKey ? 'epoch' : 'batch');
  }
}

/** Sets the speed from the Speed select: mini-batches per frame while playing. */
export function readSpeed() {
  const v = byId('speed').value;
  store.set({ batchesPerFrame: v === 'max' ? FASTEST : Math.max(1, Number(v) || 1) });
}

/** Plays at the fastest speed (a preset or a demo trains to the end). */
export function playFast() {
  byId('speed').value = 'max';
  readSpeed();
  play();
}

/** Wires the transport and declares its views. */
export function installTransport() {
  byId('btn-reset').addEventListener('click', () => reset());
  byId('btn-play').addEventListener('click', togglePlay);
  byId('btn-step-epoch').addEventListener('click', () => step('epoch'));
  byId('btn-step-batch').addEventListener('click', () => step('batch'));
  byId('speed').addEventListener('change', readSpeed);
  readSpeed();
  document.addEventListener('keydown', onGlobalKey);
  store.view('buttons', { group: 'sync', deps: ['pg', 'status', 'playing', 'invalid', 'engine', 'language'], draw: drawButtons });
  store.view('status', { group: 'frame', deps: ['pg', 'status', 'fetching', 'engineFailed', 'language', 'layout'], draw: drawStatus });
}
