// The Experiments panel of KD Playground: Hinton's experiments in miniature, as the engine's presets
// (experiments()). "Run this experiment" applies a preset to the controls and the link and trains to the end;
// once the run is done, the panel says from this run's own numbers (experimentOutcome()) whether it showed the
// claim. For the omitted class, a slider shifts that class's output bias of both students and shows what they
// then predict (shiftedClassAccuracy()).
//
// A *study* (experiment.study) is several runs compared in a table: temperature × width, ensemble teacher,
// high-temperature limit, born-again. "Run this study" trains them in the engine's StudyRunner, a few
// milliseconds per animation frame (the page stays responsive), shows the progress, and lays out the outcome
// (StudyRunner.outcome()) with the verdict from its numbers. It does not touch the controls or the main view.
//
// The engine computes every number; this module only lays them out, with texts from the catalogue
// (`experiment.<name>.*`, `experiments.*`). Text is always set with textContent.
//
//   const panel = createExperimentsPanel(root, ctx);
//   panel.update(reason);   // 'reset' | 'status' | 'run' | 'language'
//
// ctx = { engine, t(key, params), getPlayground(), getStatus(), getDataInfo(),
//         isPlaying(), active() -> {name, liveChanged} | null, run(name) -> bool, describeSettings(pairs) -> [text],
//         seed() -> number, pause(), fail(what, error), studiesRoot: the section for the studies (below the
//         playground: they do not use its main view) }

import { pct } from './view.js';

const MINUS = '\u2212';
/** The bias slider's step, and how far past the larger adjusted shift it reaches. */
const BIAS_STEP = 0.05;
const BIAS_REACH = 1.5;
/** At most this much of each animation frame goes to a study's training. */
const STUDY_BUDGET_MS = 8;

/** A bias shift as the panel shows it. */
function shiftText(x) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(2) : '—';
}

/** A difference of two accuracies in points, signed: "+2.4", "−5.0". */
function pointsText(diff) {
  if (typeof diff !== 'number' || !Number.isFinite(diff)) return '—';
  const s = Math.abs(diff * 100).toFixed(1);
  return diff > 0 ? `+${s}` : diff < 0 ? `${MINUS}${s}` : s;
}

/** h('p', {className, id, text, attrs: {...}, on: {...}}, child, ...): strings become text nodes. */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/**
 * Builds the panel inside `root` (a section that already holds its heading) and returns `{ update(reason) }`.
 * @param {HTMLElement} root
 * @param {object} ctx
 */
export function createExperimentsPanel(root, ctx) {
  const { t } = ctx;
  let presets = [];
  try {
    presets = [...(ctx.engine.experiments() ?? [])];
  } catch (e) {
    ctx.fail(t('do.experiment', { name: '' }), e);
  }

  const title = (p) => t(`experiment.${p.name}.title`);
  const claim = (p) => t(`experiment.${p.name}.claim`);
  const presetOf = (name) => presets.find((p) => p.name === name) ?? null;

  // the list of presets (rebuilt when the language changes), then the result of the active one
  const list = h('ul', { className: 'exp-list' });
  const studyList = h('ul', { className: 'exp-list', id: 'study-list' });
  const studiesRoot = ctx.studiesRoot ?? root;
  const result = h('div', { className: 'exp-result', id: 'exp-result', hidden: true });
  const resultTitle = h('h3', { className: 'exp-result-title', id: 'exp-result-title' });
  result.setAttribute('role', 'region');
  result.setAttribute('aria-labelledby', resultTitle.id);
  // the verdict is a live region that stays in the page, so that a screen reader hears it when it arrives
  const verdict = h('p', { className: 'exp-verdict', id: 'exp-verdict', attrs: { role: 'status' } });
  const notes = h('div', { className: 'exp-notes' });
  const numbers = h('div', { className: 'exp-numbers' });
  const bias = h('div', { className: 'exp-bias', hidden: true });
  result.append(resultTitle, verdict, notes, numbers, bias);

  // the study in progress or finished
  const study = h('div', { className: 'exp-result exp-study', id: 'study-result', hidden: true });
  const studyTitle = h('h3', { className: 'exp-result-title', id: 'study-title' });
  study.setAttribute('role', 'region');
  study.setAttribute('aria-labelledby', studyTitle.id);
  const studyVerdict = h('p', { className: 'exp-verdict', id: 'study-verdict', attrs: { role: 'status' } });
  const studyBar = h('progress', { id: 'study-progress', max: 1, value: 0, attrs: { 'aria-labelledby': 'study-progress-text' } });
  const studyText = h('p', { className: 'exp-progress-text', id: 'study-progress-text' });
  const studyStop = h('button', { type: 'button', className: 'exp-stop', id: 'study-stop', on: { click: () => stopStudy(true) } });
  const studyRunning = h('div', { className: 'exp-progress' }, studyBar, studyText, studyStop);
  const studyNumbers = h('div', { className: 'exp-numbers', id: 'study-numbers' });
  study.append(studyTitle, studyVerdict, studyRunning, studyNumbers);
  root.append(list, result);
  studiesRoot.append(studyList, study);

  const state = {
    shownKey: null,       // what the result area shows now (it is rebuilt only when this changes)
    outcome: null,        // { pg, name, value }: the outcome of the finished run, computed once
    biasShift: null,      // the slider's value
    biasUi: null,         // the slider's nodes
    study: null,          // { runner, preset, seed, outcome, stopped, frame, progress }: the study in progress or finished
  };

  // ---------------------------------------------------------------- the presets

  function buildList() {
    const focused = document.activeElement?.id;
    list.replaceChildren();
    studyList.replaceChildren();
    if (!presets.length) {
      list.append(h('li', { className: 'exp-card', text: t('experiments.unavailable') }));
      return;
    }
    const active = ctx.active()?.name ?? null;
    for (const p of presets) {
      const titleId = `exp-${p.name}-title`;
      const claimId = `exp-${p.name}-claim`;
      const heading = h('h3', { className: 'exp-title', id: titleId }, title(p));
      if (p.name === active) heading.append(' ', h('span', { className: 'tag exp-active-tag', text: t('experiments.activeTag') }));
      const pairs = [['dataset', p.dataset], ...p.settings];
      let setup = `${ctx.describeSettings(pairs).join(' · ')} · ${t('experiments.setupMore')}`;
      if (p.study) setup += ` · ${armsText(p)}`;
      const button = h('button', {
        type: 'button', className: 'exp-run', id: `exp-run-${p.name}`,
        attrs: { 'aria-label': t(p.study ? 'experiments.study.runLabel' : 'experiments.runLabel', { title: title(p) }), 'aria-describedby': claimId },
        on: { click: () => (p.study ? startStudy(p) : ctx.run(p.name)) },
      }, t(p.study ? 'experiments.study.run' : 'experiments.run'));
      const card = h('li', { className: `exp-card${p.name === active ? ' is-active' : ''}`, attrs: { 'aria-labelledby': titleId } },
        heading,
        h('p', { className: 'exp-claim', id: claimId }, h('strong', { text: t('experiments.claim') }), ' ', claim(p)),
        h('p', { className: 'exp-setup', text: t('experiments.setup', { list: setup }) }),
        button);
      card.dataset.experiment = p.name;
      (p.study ? studyList : list).append(card);
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  // ---------------------------------------------------------------- the result of the active experiment

  /** The outcome of the finished run of `name`, computed once per run (null if the engine refused). */
  function outcomeOf(pg, name) {
    if (state.outcome?.pg === pg && state.outcome.name === name) return state.outcome.value;
    let value = null;
    try {
      value = pg.experimentOutcome(name);
    } catch (e) {
      ctx.fail(t('do.experiment', { name }), e);
    }
    state.outcome = { pg, name, value };
    state.biasShift = null;
    return value;
  }

  function className(cls) {
    return String(ctx.getDataInfo()?.classNames?.[cls] ?? cls);
  }

  function renderResult(force = false) {
    const active = ctx.active();
    const preset = active ? presetOf(active.name) : null;
    const pg = ctx.getPlayground();
    const status = ctx.getStatus();
    if (!preset || !pg || !status) {
      result.hidden = true;
      state.shownKey = 'none';
      verdict.textContent = '';
      return;
    }
    const phase = status.phase;
    const key = phase === 'done' || phase === 'diverged'
      ? `${phase}|${active.name}|${active.liveChanged}`
      : `${ctx.isPlaying() ? 'running' : 'paused'}|${active.name}`;
    if (!force && key === state.shownKey) return;
    state.shownKey = key;
    result.hidden = false;
    resultTitle.textContent = t('experiments.resultTitle', { title: title(preset) });
    notes.replaceChildren();
    numbers.replaceChildren();
    if (phase === 'diverged') {
      setVerdict(t('experiments.diverged'), 'none');
      hideBias();
      return;
    }
    if (phase !== 'done') {
      setVerdict(t(ctx.isPlaying() ? 'experiments.running' : 'experiments.paused'), 'none');
      hideBias();
      return;
    }
    const outcome = outcomeOf(pg, active.name);
    if (!outcome) {
      setVerdict('', 'none');
      hideBias();
      return;
    }
    renderOutcome(outcome, active);
  }

  function setVerdict(text, kind) {
    if (verdict.textContent !== text) verdict.textContent = text;
    verdict.dataset.shown = kind; // 'yes' | 'no' | 'none': a border style; the words say it too
  }

  function renderOutcome(o, active) {
    const accuracies = t('experiments.accuracies', {
      teacher: pct(o.teacherTestAccuracy), kd: pct(o.kdTestAccuracy), control: pct(o.controlTestAccuracy),
    });
    let details;
    let caveat = '';
    const extra = [];
    if (o.omitted) {
      const m = o.omitted;
      const cls = className(m.class);
      details = t('experiments.omitted.details', {
        cls, kdAfter: pct(m.kdAfter), controlAfter: pct(m.controlAfter), kdBefore: pct(m.kdBefore), controlBefore: pct(m.controlBefore),
      });
      // the engine's verdict compares the two students; the claim also says "most of them": say when that fails
      if (o.shown && !(m.kdAfter > 0.5)) caveat = ` ${t('experiments.omitted.notMost', { cls })}`;
      extra.push(t('experiments.shifts', { cls, kdShift: shiftText(m.kdBiasShift), controlShift: shiftText(m.controlBiasShift) }));
    } else {
      details = t('experiments.small.details', {
        kd: pct(o.kdTestAccuracy), control: pct(o.controlTestAccuracy),
        delta: t('experiments.points', { value: pointsText(o.kdTestAccuracy - o.controlTestAccuracy) }),
      });
      extra.push(t('experiments.small.curves'));
    }
    setVerdict(`${t(o.shown ? 'experiments.shown' : 'experiments.notShown', { details })}${caveat}`, o.shown ? 'yes' : 'no');
    notes.append(h('p', { text: accuracies }));
    for (const text of extra) notes.append(h('p', { text }));
    if (active.liveChanged) notes.append(h('p', { className: 'exp-caveat', text: t('experiments.liveChanged') }));
    numbers.append(numbersTable(o));
    if (o.omitted) showBias(o.omitted);
    else hideBias();
  }

  /** The outcome as a table: every number of the verdict, by model. */
  function numbersTable(o) {
    const m = o.omitted;
    const cls = m ? className(m.class) : '';
    const none = t('experiments.table.none');
    const head = [t('experiments.table.model'), t('experiments.table.test')];
    if (m) head.push(t('experiments.table.before', { cls }), t('experiments.table.after', { cls }), t('experiments.table.shift'));
    const rows = [
      [t('model.teacher'), pct(o.teacherTestAccuracy), ...(m ? [none, none, none] : [])],
      [t('model.kd'), pct(o.kdTestAccuracy), ...(m ? [pct(m.kdBefore), pct(m.kdAfter), `+${shiftText(m.kdBiasShift)}`] : [])],
      [t('model.control'), pct(o.controlTestAccuracy), ...(m ? [pct(m.controlBefore), pct(m.controlAfter), `+${shiftText(m.controlBiasShift)}`] : [])],
    ];
    const models = ['teacher', 'kd', 'control'];
    const table = h('table', { className: 'exp-table', id: 'exp-numbers' },
      h('caption', { text: t('experiments.table.caption') }),
      h('thead', {}, h('tr', {}, head.map((text) => h('th', { attrs: { scope: 'col' }, text })))),
      h('tbody', {}, rows.map(([name, ...cells], i) => {
        const tr = h('tr', {}, h('th', { attrs: { scope: 'row' }, text: name }), cells.map((text) => h('td', { text })));
        tr.dataset.model = models[i];
        return tr;
      })));
    return h('div', { className: 'exp-table-wrap' }, table);
  }

  // ---------------------------------------------------------------- the bias slider (omitted class)

  function hideBias() {
    bias.hidden = true;
    bias.replaceChildren();
    state.biasUi = null;
  }

  function showBias(m) {
    const focused = document.activeElement?.id === 'exp-bias';
    const cls = className(m.class);
    const largest = Math.max(m.kdBiasShift, m.controlBiasShift, BIAS_STEP);
    const max = Math.ceil((BIAS_REACH * largest) / BIAS_STEP) * BIAS_STEP;
    // start where the distilled student is adjusted (to the nearest step of the slider)
    if (state.biasShift === null) state.biasShift = Math.min(max, Math.round(m.kdBiasShift / BIAS_STEP) * BIAS_STEP);
    const trainTrue = sampleAt(m.class, 0)?.kd?.trainTrue;

    const input = h('input', {
      type: 'range', id: 'exp-bias', min: '0', max: max.toFixed(2), step: String(BIAS_STEP),
      value: state.biasShift.toFixed(2), attrs: { 'aria-describedby': 'exp-bias-marks' },
    });
    const output = h('output', { className: 'exp-bias-value', id: 'exp-bias-value', attrs: { for: 'exp-bias' } });
    const mark = (model, shift, key) => {
      const node = h('p', { className: 'exp-mark', text: t(key, { shift: shiftText(shift) }) });
      node.dataset.model = model;
      const pos = Math.min(1, Math.max(0, shift / max));
      node.style.setProperty('--pos', String(pos));
      node.dataset.side = pos > 0.5 ? 'left' : 'right'; // the text beside the tick, on the side with room
      return node;
    };
    const marks = h('div', { className: 'exp-marks', id: 'exp-bias-marks' },
      mark('kd', m.kdBiasShift, 'experiments.bias.markKd'),
      mark('control', m.controlBiasShift, 'experiments.bias.markControl'));

    const caption = h('caption');
    const cells = {};
    const row = (model, label, adjusted) => {
      cells[model] = { cls: h('td'), overall: h('td'), predicted: h('td') };
      const tr = h('tr', {}, h('th', { attrs: { scope: 'row' }, text: label }),
        cells[model].cls, cells[model].overall, cells[model].predicted, h('td', { text: `+${shiftText(adjusted)}` }));
      tr.dataset.model = model;
      return tr;
    };
    const table = h('table', { className: 'exp-table exp-bias-table', id: 'exp-bias-table' },
      caption,
      h('thead', {}, h('tr', {},
        [t('experiments.table.model'), t('experiments.bias.class', { cls }), t('experiments.bias.overall'),
          t('experiments.bias.predicted', { cls }), t('experiments.bias.adjusted')].map((text) => h('th', { attrs: { scope: 'col' }, text })))),
      h('tbody', {}, row('kd', t('model.kd'), m.kdBiasShift), row('control', t('model.control'), m.controlBiasShift)));

    const label = h('label', { attrs: { for: 'exp-bias' }, text: t('experiments.bias.label', { cls }) });
    bias.replaceChildren(
      h('h4', { className: 'exp-bias-title', text: t('experiments.bias.title', { cls }) }),
      h('p', { className: 'exp-bias-lead', text: t('experiments.bias.lead', { cls, trainTrue: trainTrue ?? '—' }) }),
      h('div', { className: 'exp-bias-control' }, label,
        h('div', { className: 'exp-bias-row' }, h('div', { className: 'exp-track' }, input, marks), output)),
      h('div', { className: 'exp-table-wrap' }, table));
    bias.hidden = false;
    state.biasUi = { input, output, caption, cells, cls, classIndex: m.class };
    input.addEventListener('input', () => {
      state.biasShift = Number(input.value);
      renderBias();
    });
    renderBias();
    if (focused) input.focus();
  }

  /** Both students at `shift` (null if the engine refused). */
  function sampleAt(cls, shift) {
    const pg = ctx.getPlayground();
    if (!pg) return null;
    try {
      return { kd: pg.shiftedClassAccuracy('kd', cls, shift), control: pg.shiftedClassAccuracy('control', cls, shift) };
    } catch (e) {
      ctx.fail(t('do.experiment', { name: ctx.active()?.name ?? '' }), e);
      return null;
    }
  }

  function renderBias() {
    const b = state.biasUi;
    if (!b) return;
    const shift = state.biasShift;
    const at = sampleAt(b.classIndex, shift);
    const shown = `+${shiftText(shift)}`;
    b.output.textContent = shown;
    b.caption.textContent = t('experiments.bias.caption', { shift: shiftText(shift), cls: b.cls });
    if (!at) return;
    for (const model of ['kd', 'control']) {
      const r = at[model];
      const c = b.cells[model];
      c.cls.textContent = r.classTestAccuracy === null || r.classTestAccuracy === undefined ? t('experiments.table.none') : pct(r.classTestAccuracy);
      c.overall.textContent = pct(r.testAccuracy);
      c.predicted.textContent = t('experiments.bias.predictedOf', { predicted: r.trainPredicted, cls: b.cls, trainTrue: r.trainTrue });
    }
    b.input.setAttribute('aria-valuetext', t('experiments.bias.valueText', {
      shift: shiftText(shift), cls: b.cls, kd: pct(at.kd.classTestAccuracy), control: pct(at.control.classTestAccuracy),
    }));
  }

  // ---------------------------------------------------------------- studies

  /** An arm's label from its settings, in the page's language (the engine's English label otherwise). */
  function armLabel(arm) {
    const s = Object.fromEntries(arm.settings);
    if (s.studentHidden !== undefined && s.temperature !== undefined) return t('experiments.arm.widthT', { width: s.studentHidden, t: s.temperature });
    if (s.teachers !== undefined) return Number(s.teachers) > 1 ? t('experiments.arm.ensemble', { count: s.teachers }) : t('experiments.arm.oneTeacher');
    if (s.softLoss === 'logits') return t('experiments.arm.logits');
    if (s.softLoss === 'kl') return t('experiments.arm.kd', { t: s.temperature });
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
    const axes = [...values].map(([name, list]) => ctx.describeSettings([[name, list[0]]])[0].replace(/:.*$/, `: ${list.join(', ')}`));
    return t('experiments.study.runs', { count, list: axes.join(' × ') });
  }

  function startStudy(p) {
    // its data set is fetched on first use
    const dataset = p.dataset ?? 'digits';
    if (ctx.withDataset) return ctx.withDataset(dataset, () => startStudyNow(p));
    return startStudyNow(p);
  }

  function startStudyNow(p) {
    stopStudy(false);
    ctx.pause();
    let runner;
    const seed = ctx.seed();
    try {
      runner = new ctx.engine.StudyRunner(p.name, { seed });
    } catch (e) {
      ctx.fail(t('do.experiment', { name: p.name }), e);
      return;
    }
    state.study = { runner, preset: p, seed, outcome: null, stopped: false, frame: 0, progress: null };
    study.hidden = false;
    renderStudy();
    state.study.frame = requestAnimationFrame(studyFrame);
    ctx.settled?.();
    study.scrollIntoView?.({ block: 'nearest' });
  }

  /** Stops the study in progress (if any); `byUser` keeps its box to say it was stopped. */
  function stopStudy(byUser) {
    const s = state.study;
    if (!s) return;
    cancelAnimationFrame(s.frame);
    if (s.runner && !s.outcome) {
      s.stopped = true;
      s.runner.free();
      s.runner = null;
    }
    if (byUser) renderStudy();
    else state.study = null;
    ctx.settled?.();
  }

  function studyFrame() {
    const s = state.study;
    if (!s || !s.runner) return;
    const start = performance.now();
    let done = false;
    try {
      while (!done && performance.now() - start < STUDY_BUDGET_MS) done = s.runner.step(1);
      s.progress = s.runner.progress();
      if (done) {
        if (!s.progress.stopped) s.outcome = s.runner.outcome();
        s.runner.free();
        s.runner = null;
      }
    } catch (e) {
      ctx.fail(t('do.experiment', { name: s.preset.name }), e);
      s.runner?.free();
      s.runner = null;
      s.stopped = true;
    }
    renderStudy();
    if (s.runner) s.frame = requestAnimationFrame(studyFrame);
    else ctx.settled?.();
  }

  function setStudyVerdict(text, kind) {
    if (studyVerdict.textContent !== text) studyVerdict.textContent = text;
    studyVerdict.dataset.shown = kind;
  }

  function renderStudy() {
    const s = state.study;
    if (!s) {
      study.hidden = true;
      return;
    }
    studyTitle.textContent = t('experiments.study.title', { title: title(s.preset), seed: s.seed });
    studyStop.textContent = t('experiments.study.stop');
    const running = Boolean(s.runner);
    studyRunning.hidden = !running;
    if (running) {
      const p = s.progress;
      const arms = s.preset.arms.length;
      const finished = p?.finished ?? 0;
      const within = p && p.epochs ? Math.min(1, p.epoch / p.epochs) * (p.phase === 'teacher' ? 0.5 : 1) : 0;
      studyBar.value = (finished + within) / arms;
      const arm = s.preset.arms[Math.min(finished, arms - 1)];
      studyText.textContent = t(p?.phase === 'teacher' ? 'experiments.study.teacher' : 'experiments.study.students', {
        run: Math.min(finished + 1, arms), runs: arms, label: armLabel(arm), epoch: p?.epoch ?? 0, epochs: p?.epochs ?? 0,
      });
      setStudyVerdict(t('experiments.study.running'), 'none');
      studyNumbers.replaceChildren();
      return;
    }
    if (s.progress?.stopped) {
      const { arm, reason } = s.progress.stopped;
      const label = s.preset.arms?.[arm] ? armLabel(s.preset.arms[arm]) : String(arm + 1);
      setStudyVerdict(t('experiments.study.diverged', { message: `${label}: ${ctx.render(reason)}` }), 'none');
      studyNumbers.replaceChildren();
      return;
    }
    if (!s.outcome) {
      setStudyVerdict(t('experiments.study.stopped'), 'none');
      studyNumbers.replaceChildren();
      return;
    }
    const o = s.outcome;
    const details = findingText(o.finding);
    setStudyVerdict(t(o.shown ? 'experiments.shown' : 'experiments.notShown', { details }), o.shown ? 'yes' : 'no');
    studyNumbers.replaceChildren(...studyTables(o, s.preset));
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
          gapHigh: Math.abs((f.kdHigh - f.logitMatching) * 100).toFixed(1), gapLow: Math.abs((f.kdLow - f.logitMatching) * 100).toFixed(1),
        });
      case 'bornAgain':
        return t('experiments.study.born.details', {
          teacher: pct(f.teacher), kd: pct(f.kd), control: pct(f.control), gap: pointsText(f.kd - f.teacher),
        });
      default:
        return '';
    }
  }

  function table(id, caption, head, rows) {
    return h('div', { className: 'exp-table-wrap' }, h('table', { className: 'exp-table', id },
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, head.map((text) => h('th', { attrs: { scope: 'col' }, text })))),
      h('tbody', {}, rows.map(([name, ...cells]) => h('tr', {}, h('th', { attrs: { scope: 'row' }, text: name }),
        cells.map((cell) => (cell instanceof Node ? h('td', {}, cell) : h('td', { text: cell }))))))));
  }

  /** The study's numbers: for the sweep a width × temperature grid, otherwise one row per run. */
  function studyTables(o, preset) {
    const out = [];
    const f = o.finding;
    if (f.kind === 'temperatureByWidth') {
      const head = [t('experiments.study.tw.width'), ...f.temperatures.map((x) => `T = ${x}`), t('experiments.study.tw.control')];
      const rows = f.widths.map((w, i) => {
        const best = f.kd[i].indexOf(Math.max(...f.kd[i]));
        return [String(w), ...f.kd[i].map((a, j) => (j === best
          ? h('strong', { className: 'exp-best', attrs: { title: t('experiments.study.tw.bestMark') } }, `${pct(a)} ★`)
          : pct(a))), pct(f.control[i])];
      });
      out.push(table('study-grid', t('experiments.study.tw.caption'), head, rows));
      out.push(h('p', { className: 'exp-note', text: t('experiments.study.tw.note') }));
    }
    const ensemble = o.arms.some((a) => a.members.length > 1);
    const head = [t('experiments.study.runColumn'), t('model.teacher')];
    if (ensemble) head.push(t('experiments.study.members'));
    head.push(t('model.kd'), t('model.control'), t('experiments.study.delta'));
    const rows = o.arms.map((a, i) => {
      const row = [armLabel(preset.arms[i] ?? a), pct(a.teacher)];
      if (ensemble) row.push(a.members.map((m) => pct(m)).join(' · '));
      row.push(pct(a.kd), pct(a.control), pointsText(a.kd - a.control));
      return row;
    });
    out.push(table('study-numbers-table', t('experiments.study.caption'), head, rows));
    return out;
  }

  // ---------------------------------------------------------------- updates

  function update(reason) {
    if (reason === 'language' || reason === 'run' || reason === 'reset' || reason === 'clear') buildList();
    if (reason === 'reset' || reason === 'run') state.outcome = null;
    renderResult(reason === 'language' || reason === 'run' || reason === 'reset' || reason === 'clear');
    if (reason === 'language') renderStudy();
  }

  buildList();
  /** Whether a study is training. */
  function busy() {
    return Boolean(state.study?.runner);
  }

  return { update, busy };
}
