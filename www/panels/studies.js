// The Studies panel: several runs compared in a table (Hinton's temperature × width, ensemble teacher,
// high-temperature limit, born-again; one study per method of the map: FitNets, RKD, mutual learning,
// self-distillation, the dark-knowledge controls, the KL direction, the capacity gap). "Run this study" trains them in the engine's StudyRunner, in the worker
// (../remote.js) or, without one, a few milliseconds in each frame of the page's animation loop (the page stays
// responsive), shows the progress, and lays out the outcome
// (StudyRunner.outcome()) with the verdict from its numbers. It does not touch the controls or the main view.
// Loaded when the panel (below the playground) nears the window.

import { store } from '../store.js';
import { t, render as renderMessage } from '../i18n.js';
import { h, byId } from '../lib/dom.js';
import { fixed, pct, points, sig } from '../lib/format.js';
import { drawNow } from '../loop.js';
import { fail, pause, withDataset } from '../run.js';
import { describeSettings, loadHeldOutNear, presetCard, presets, setVerdict, titleOf } from './experiments.js';
import { table } from './outcome.js';

/** At most this much of each animation frame goes to a study's training. */
const STUDY_BUDGET_MS = 8;

/** An arm's label from its settings, in the page's language (the engine's English label otherwise). */
function armLabel(arm) {
  const s = Object.fromEntries(arm.settings);
  if (arm.taughtBy != null) return t('experiments.arm.ofAssistant', { hidden: s.teacherHidden });
  if (s.teacherHidden !== undefined && s.studentHidden !== undefined) {
    return t('experiments.arm.assistant', { hidden: s.studentHidden, teacher: s.teacherHidden });
  }
  if (s.teacherHidden !== undefined) return t('experiments.arm.teacher', { hidden: s.teacherHidden });
  if (s.studentHidden !== undefined && s.temperature !== undefined) return t('experiments.arm.widthT', { width: s.studentHidden, t: s.temperature });
  if (s.teachers !== undefined) return Number(s.teachers) > 1 ? t('experiments.arm.ensemble', { count: s.teachers }) : t('experiments.arm.oneTeacher');
  if (s.klDirection !== undefined) return t(`experiments.arm.kl.${s.klDirection}`);
  if (s.method === 'logits') return t('experiments.arm.logits');
  if (s.method === 'kd' && s.temperature !== undefined) return t('experiments.arm.kd', { t: s.temperature });
  if (s.method !== undefined) return t(`experiments.arm.method.${s.method}`);
  if (!arm.settings.length) return t('experiments.arm.bornAgain');
  return arm.label;
}

/** A study's runs in a few words: their labels, or for a grid the values each setting takes. */
function armsText(p) {
  const count = p.arms.length;
  if (count === 1) return t('experiments.study.runsOne', { label: armLabel(p.arms[0]) });
  if (count <= 4) return t('experiments.study.runs', { count, list: p.arms.map((a) => armLabel(a)).join('; ') });
  const values = new Map();
  for (const arm of p.arms) {
    for (const [name, value] of arm.settings) {
      if (!values.has(name)) values.set(name, []);
      if (!values.get(name).includes(value)) values.get(name).push(value);
    }
  }
  const axes = [...values].map(([name, list]) => describeSettings([[name, list[0]]])[0].replace(/:.*$/, `: ${list.join(', ')}`));
  return t('experiments.study.runs', { count, list: axes.join(' × ') });
}

/** Starts study `p` (its data set is fetched on first use). */
function startStudy(p) {
  return withDataset(p.dataset ?? 'digits', () => startStudyNow(p));
}

function startStudyNow(p) {
  stopStudy(false);
  pause();
  const seed = Number(store.get('applied').seed ?? store.get('settings').seed ?? 1);
  let runner;
  try {
    const remote = store.get('remote');
    runner = remote ? remote.startStudy(p.name, { seed }) : new (store.get('engine').StudyRunner)(p.name, { seed });
  } catch (e) {
    fail(t('do.experiment', { name: p.name }), e);
    return;
  }
  store.set({ study: { runner, preset: p, seed, outcome: null, progress: null } });
  store.begin('study');
  drawNow('study');
  byId('study-result')?.scrollIntoView?.({ block: 'nearest' });
}

/** Stops the study in progress (if any); `byUser` keeps its box to say it was stopped. */
function stopStudy(byUser) {
  const s = store.get('study');
  if (!s) return;
  if (s.runner) {
    s.runner.free();
    store.end('study');
  }
  store.set({ study: byUser ? { ...s, runner: null } : null });
  if (byUser) drawNow('study'); // at once: the learner reads it right after the click
}

/**
 * Trains the study in progress for a share of the animation frame that began at `frameStart` (the loop calls it
 * in every frame); returns whether it goes on.
 */
function studyFrame(frameStart) {
  const s = store.get('study');
  if (!s?.runner) return false;
  const remote = store.get('remote');
  if (remote) {
    remote.askStudy(); // the worker trains it: its answer comes to studyAnswered()
    return true;
  }
  let done = false;
  const next = { ...s };
  try {
    while (!done && performance.now() - frameStart < STUDY_BUDGET_MS) done = s.runner.step(1);
    next.progress = s.runner.progress();
    if (done) {
      if (!next.progress.stopped) next.outcome = s.runner.outcome();
      s.runner.free();
      next.runner = null;
    }
  } catch (e) {
    fail(t('do.experiment', { name: s.preset.name }), e);
    s.runner?.free();
    next.runner = null;
  }
  store.set({ study: next });
  if (next.runner) return true;
  store.end('study');
  return false;
}

/** The worker's answer about study `answer.study`: its progress, and once done its outcome (or what failed). */
function studyAnswered(answer) {
  const s = store.get('study');
  if (!s?.runner || answer.study !== s.runner.id) return;
  const next = { ...s, progress: answer.progress ?? s.progress };
  if (answer.error) {
    const e = new Error(answer.error.message);
    if (answer.error.kd) e.kd = answer.error.kd;
    fail(t('do.experiment', { name: s.preset.name }), e);
  }
  if (answer.done) {
    if (answer.outcome) next.outcome = answer.outcome;
    next.runner = null;
  }
  store.set({ study: next });
  if (!next.runner) store.end('study');
}

/** One sentence with the finding's numbers. */
function findingText(f) {
  switch (f.kind) {
    case 'temperatureByWidth':
      return t('experiments.study.tw.details', {
        list: f.widths.map((w, i) => t('experiments.study.tw.best', { width: w, t: f.temperatures.length ? f.bestTemperature[i] : '—' })).join(', '),
      });
    case 'ensembleTeacher':
      return t('experiments.study.ens.details', {
        ensemble: pct(f.ensemble), mean: pct(f.memberMean), kdEnsemble: pct(f.kdFromEnsemble), control: pct(f.control), kdSingle: pct(f.kdFromSingle),
      });
    case 'highTemperature':
      return t('experiments.study.high.details', {
        high: f.highTemperature, low: f.lowTemperature, kdHigh: pct(f.kdHigh), kdLow: pct(f.kdLow), logits: pct(f.logitMatching),
        agreeHigh: pct(f.agreementHigh), agreeLow: pct(f.agreementLow), agreeControl: pct(f.agreementControl),
      });
    case 'bornAgain':
      // fidelity, not accuracy: the control comes about as close to the teacher's accuracy
      return t('experiments.study.born.details', {
        teacher: pct(f.teacher), kd: pct(f.kd), control: pct(f.control), kdKl: sig(f.kdKl, 3), controlKl: sig(f.controlKl, 3),
        closer: f.controlKl > 0 ? pct(1 - f.kdKl / f.controlKl, 0) : '—', kdAgree: pct(f.kdAgreement), controlAgree: pct(f.controlAgreement),
      });
    case 'fitnetsHint':
      return t('experiments.study.fitnets.details', {
        fitnetsCka: fixed(f.fitnetsCka), kdCka: fixed(f.kdCka), controlCka: fixed(f.controlCka),
        fitnets: pct(f.fitnets), kd: pct(f.kd), control: pct(f.control),
      });
    case 'rkdRelations':
      return t('experiments.study.rkd.details', {
        rkd: sig(f.rkdDistance, 3), kd: sig(f.kdDistance, 3), control: sig(f.controlDistance, 3),
        smaller: f.controlDistance > 0 ? pct(1 - f.rkdDistance / f.controlDistance, 0) : '—',
        rkdAcc: pct(f.rkd), kdAcc: pct(f.kd), controlAcc: pct(f.control),
      });
    case 'mutualLearning':
      return t('experiments.study.dml.details', {
        first: pct(f.firstPeer), firstControl: pct(f.firstTwin), second: pct(f.secondPeer), secondControl: pct(f.secondTwin),
        mean: points(((f.firstPeer - f.firstTwin) + (f.secondPeer - f.secondTwin)) / 2),
      });
    case 'selfDistillation':
      return t('experiments.study.byot.details', {
        exit: pct(f.exit), controlExit: pct(f.controlExit), final: pct(f.finalHead), controlFinal: pct(f.controlFinalHead),
      });
    case 'darkKnowledgeControls':
      return t('experiments.study.dk.details', {
        kd: pct(f.kd), smoothing: pct(f.labelSmoothing), dkpp: pct(f.dkpp), control: pct(f.control),
      });
    case 'klDirection':
      return t('experiments.study.kl.details', {
        reverse: sig(f.reverseEntropy, 3), forward: sig(f.forwardEntropy, 3), control: sig(f.controlEntropy, 3),
        reverseAcc: pct(f.reverse), forwardAcc: pct(f.forward), controlAcc: pct(f.control),
      });
    case 'capacityGap':
      return t('experiments.study.gap.details', {
        best: f.teacherHidden[f.bestTeacher] ?? '—', ta: pct(f.assistantStudent), direct: pct(f.directStudent),
        teacher: f.teacherHidden[ASSISTANT_TEACHER_INDEX] ?? '—', assistant: pct(f.assistant), control: pct(f.control),
      });
    default:
      return '';
  }
}

/** The capacity-gap study's teacher that the assistant learns from (the engine's ASSISTANT_TEACHER). */
const ASSISTANT_TEACHER_INDEX = 2;

/** For the methods' studies, the table of what the verdict reads: one row per student, one column per measure. */
function methodTable(f) {
  const row = (label, ...cells) => ({ cells: [label, ...cells] });
  switch (f.kind) {
    case 'fitnetsHint':
      return table('study-method-table', t('experiments.study.fitnets.caption'),
        [t('experiments.study.student'), t('experiments.study.fitnets.cka'), t('experiments.study.testAccuracy')],
        [row(t('experiments.arm.method.fitnets'), fixed(f.fitnetsCka), pct(f.fitnets)),
          row(t('experiments.arm.method.kd'), fixed(f.kdCka), pct(f.kd)),
          row(t('model.control'), fixed(f.controlCka), pct(f.control))]);
    case 'rkdRelations':
      return table('study-method-table', t('experiments.study.rkd.caption'),
        [t('experiments.study.student'), t('experiments.study.rkd.distance'), t('experiments.study.rkd.angle'), t('experiments.study.testAccuracy')],
        [row(t('experiments.arm.method.rkd'), sig(f.rkdDistance, 3), sig(f.rkdAngle, 3), pct(f.rkd)),
          row(t('experiments.arm.method.kd'), sig(f.kdDistance, 3), sig(f.kdAngle, 3), pct(f.kd)),
          row(t('model.control'), sig(f.controlDistance, 3), sig(f.controlAngle, 3), pct(f.control))]);
    case 'mutualLearning':
      return table('study-method-table', t('experiments.study.dml.caption'),
        [t('experiments.study.dml.peer'), t('experiments.study.dml.taught'), t('model.control'), t('experiments.study.delta')],
        [row(t('experiments.study.dml.first'), pct(f.firstPeer), pct(f.firstTwin), points(f.firstPeer - f.firstTwin)),
          row(t('experiments.study.dml.second'), pct(f.secondPeer), pct(f.secondTwin), points(f.secondPeer - f.secondTwin))]);
    case 'selfDistillation':
      return table('study-method-table', t('experiments.study.byot.caption'),
        [t('experiments.study.byot.head'), t('experiments.study.byot.taught'), t('model.control'), t('experiments.study.delta')],
        [row(t('experiments.study.byot.exit'), pct(f.exit), pct(f.controlExit), points(f.exit - f.controlExit)),
          row(t('experiments.study.byot.final'), pct(f.finalHead), pct(f.controlFinalHead), points(f.finalHead - f.controlFinalHead))]);
    case 'klDirection':
      return table('study-method-table', t('experiments.study.kl.caption'),
        [t('experiments.study.student'), t('experiments.study.kl.entropy'), t('experiments.study.kl.ece'), t('experiments.study.testAccuracy')],
        [row(t('experiments.arm.kl.forward'), sig(f.forwardEntropy, 3), fixed(f.forwardEce), pct(f.forward)),
          row(t('experiments.arm.kl.reverse'), sig(f.reverseEntropy, 3), fixed(f.reverseEce), pct(f.reverse)),
          row(t('model.control'), sig(f.controlEntropy, 3), fixed(f.controlEce), pct(f.control))]);
    default:
      return null;
  }
}

/** The study's numbers: for the sweep a width × temperature grid, otherwise one row per run. */
function studyTables(o, preset) {
  const out = [];
  const f = o.finding;
  const wrap = (node) => h('div', { className: 'exp-table-wrap' }, node);
  if (f.kind === 'temperatureByWidth') {
    const head = [t('experiments.study.tw.width'), ...f.temperatures.map((x) => `T = ${x}`), t('experiments.study.tw.control')];
    const rows = f.widths.map((w, i) => {
      const best = f.kd[i].indexOf(Math.max(...f.kd[i]));
      return { cells: [String(w), ...f.kd[i].map((a, j) => (j === best
        ? h('strong', { className: 'exp-best', attrs: { title: t('experiments.study.tw.bestMark') } }, `${pct(a)} ★`)
        : pct(a))), pct(f.control[i])] };
    });
    out.push(wrap(table('study-grid', t('experiments.study.tw.caption'), head, rows)));
    // each width's best distilled student against its control, from the grid above
    const versus = f.widths.map((w, i) => {
      const best = f.kd[i].indexOf(Math.max(...f.kd[i]));
      return t('experiments.study.tw.vsItem', { width: w, t: f.temperatures[best] ?? '—', delta: points(f.kd[i][best] - f.control[i]) });
    });
    out.push(h('p', { className: 'exp-note', id: 'study-tw-note', text: `${t('experiments.study.tw.note')} ${t('experiments.study.tw.vsControl', { list: versus.join(', ') })}` }));
  }
  const measured = methodTable(f);
  if (measured) out.push(wrap(measured));
  const ensemble = o.arms.some((a) => a.members.length > 1);
  const head = [t('experiments.study.runColumn'), t('model.teacher')];
  if (ensemble) head.push(t('experiments.study.members'));
  head.push(t('model.kd'), t('model.control'), t('experiments.study.delta'));
  const rows = o.arms.map((a, i) => {
    const cells = [armLabel(preset.arms[i] ?? a), a.teacher == null ? t('experiments.study.noTeacher') : pct(a.teacher)];
    if (ensemble) cells.push(a.members.map((m) => pct(m)).join(' · '));
    cells.push(pct(a.kd), pct(a.control), points(a.kd - a.control));
    return { cells };
  });
  out.push(wrap(table('study-numbers-table', t('experiments.study.caption'), head, rows)));
  return out;
}

/** The study's box: its progress while it trains, then its verdict and tables (or why there is none). */
function drawStudy() {
  const s = store.get('study');
  const box = byId('study-result');
  if (!box) return;
  box.hidden = !s;
  if (!s) return;
  const verdict = byId('study-verdict');
  const numbers = byId('study-numbers');
  byId('study-title').textContent = t('experiments.study.title', { title: titleOf(s.preset), seed: s.seed });
  byId('study-stop').textContent = t('experiments.study.stop');
  const running = Boolean(s.runner);
  byId('study-running').hidden = !running;
  if (running) {
    const p = s.progress;
    const arms = s.preset.arms.length;
    const finished = p?.finished ?? 0;
    const within = p && p.epochs ? Math.min(1, p.epoch / p.epochs) * (p.phase === 'teacher' ? 0.5 : 1) : 0;
    byId('study-progress').value = (finished + within) / arms;
    const arm = s.preset.arms[Math.min(finished, arms - 1)];
    byId('study-progress-text').textContent = t(p?.phase === 'teacher' ? 'experiments.study.teacher' : 'experiments.study.students', {
      run: Math.min(finished + 1, arms), runs: arms, label: armLabel(arm), epoch: p?.epoch ?? 0, epochs: p?.epochs ?? 0,
    });
    setVerdict(verdict, t('experiments.study.running'), 'none');
    numbers.replaceChildren();
  } else if (s.progress?.stopped) {
    const { arm, reason } = s.progress.stopped;
    const label = s.preset.arms?.[arm] ? armLabel(s.preset.arms[arm]) : String(arm + 1);
    setVerdict(verdict, t('experiments.study.diverged', { message: `${label}: ${renderMessage(reason)}` }), 'none');
    numbers.replaceChildren();
  } else if (!s.outcome) {
    setVerdict(verdict, t('experiments.study.stopped'), 'none');
    numbers.replaceChildren();
  } else {
    const o = s.outcome;
    setVerdict(verdict, t(o.shown ? 'experiments.shown' : 'experiments.notShown', { details: findingText(o.finding) }), o.shown ? 'yes' : 'no');
    numbers.replaceChildren(...studyTables(o, s.preset));
  }
}

/** Builds the panel: the studies' cards and the box of the study in progress or finished. */
export function installStudies(root) {
  if (!root || typeof store.get('engine').experiments !== 'function') return;
  const list = h('ul', { className: 'exp-list', id: 'study-list' });
  loadHeldOutNear(root);
  const title = h('h3', { className: 'exp-result-title', id: 'study-title' });
  const box = h('div', { className: 'exp-result exp-study', id: 'study-result', hidden: true, attrs: { role: 'region', 'aria-labelledby': title.id } },
    title,
    h('p', { className: 'exp-verdict', id: 'study-verdict', attrs: { role: 'status' } }),
    h('div', { className: 'exp-progress', id: 'study-running' },
      h('progress', { id: 'study-progress', max: 1, value: 0, attrs: { 'aria-labelledby': 'study-progress-text' } }),
      h('p', { className: 'exp-progress-text', id: 'study-progress-text' }),
      h('button', { type: 'button', className: 'exp-stop', id: 'study-stop', on: { click: () => stopStudy(true) } })),
    h('div', { className: 'exp-numbers', id: 'study-numbers' }));
  root.append(list, box);
  store.view('studies-list', {
    group: 'sync',
    deps: ['language', 'heldOut'],
    draw() {
      const focused = document.activeElement?.id;
      list.replaceChildren(...presets().filter((p) => p.study)
        .map((p) => presetCard(p, { setupExtra: ` · ${armsText(p)}`, onRun: () => startStudy(p) })));
      if (focused) document.getElementById(focused)?.focus();
    },
  });
  store.view('study', { group: 'frame', deps: ['study', 'language'], draw: drawStudy });
  store.get('loop').background = studyFrame;
  const remote = store.get('remote');
  if (remote) remote.onStudy = studyAnswered;
  root.hidden = false;
}
