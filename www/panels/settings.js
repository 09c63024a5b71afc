// The settings controls in the sidebar, built from the engine's settingsSchema(): every setting is declared once,
// in Rust; nothing here knows the list. Under the data and model groups, their sizes and the user's CSV file. Input
// goes to the store (values, problems, settings waiting for Reset); a live setting (T, α) applies at once.

import { store } from '../store.js';
import { t, settingLabel, settingHelp, choiceLabel } from '../i18n.js';
import { h, setAttributes, setHidden, setText } from '../lib/dom.js';
import { int, mb } from '../lib/format.js';
import { formatSettingValue, roundSignificant, stepDecimals } from '../lib/settings.js';
import { showError } from './alerts.js';
import { isFirstRunSetup } from './firstrun.js';
import {
  applyLive, clearExperiment, currentMethod, datasetDefaults, hasTeacher, pendingNames, problemText, reset, setSetting, specOf,
  trained, validate,
} from '../run.js';

/** A group's title: from the catalogue, else the group's name capitalised. */
function groupTitle(name) {
  const key = `group.${name}`;
  const text = t(key);
  return text === key ? name.charAt(0).toUpperCase() + name.slice(1) : text;
}

// The order of the groups in the sidebar: the live distillation knobs right under the data set, where they are
// seen without scrolling. Groups not named here follow in the schema's order.
const GROUP_ORDER = ['data', 'distillation', 'models', 'training'];

const LOG_STEPS = 1000; // resolution of a logarithmic slider
const MAX_SLIDER_STEPS = 100000; // beyond this many steps (e.g. a 32-bit seed) a slider is useless: number field only

/** Map between a slider position and a setting value. */
function sliderMapping(spec) {
  const min = Number(spec.min);
  const max = Number(spec.max);
  if (spec.scale === 'log' && min > 0 && max > min) {
    const lr = Math.log(max / min);
    return {
      attrs: { min: 0, max: LOG_STEPS, step: 1 },
      toPos: (v) => Math.round((LOG_STEPS * Math.log(Math.min(max, Math.max(min, v)) / min)) / lr),
      fromPos: (p) => {
        let v = min * Math.exp((lr * Number(p)) / LOG_STEPS);
        v = spec.kind === 'integer' ? Math.round(v) : roundSignificant(v, 3);
        if (spec.step && spec.kind !== 'integer') v = Math.round(v / spec.step) * spec.step;
        return Math.min(max, Math.max(min, v));
      },
    };
  }
  const step = spec.step || (spec.kind === 'integer' ? 1 : (max - min) / 100);
  const d = stepDecimals(step);
  return {
    attrs: { min, max, step },
    toPos: (v) => v,
    fromPos: (p) => {
      const v = Number(p);
      if (spec.kind === 'integer') return Math.round(v);
      return d !== null ? Number(v.toFixed(Math.min(d, 10))) : v;
    },
  };
}

/** An element with attributes (not properties) and a text. */
function el(tag, attrs = {}, text) {
  const node = h(tag, { text });
  const { className, ...rest } = attrs;
  if (className) node.className = className;
  setAttributes(node, rest);
  return node;
}

/**
 * Build the settings form.
 * @param {HTMLFormElement} form
 * @param {Array} schema  settingsSchema()
 * @param {object} values  initial values by name
 * @param {{onInput: Function, onCommit: Function}} callbacks
 */
function buildControls(form, schema, values, { onInput, onCommit }) {
  form.replaceChildren();
  const fields = new Map(); // name -> { spec, root, set(value), inputs: [], error, badge }
  const groups = new Map(); // group -> { fieldset, info }
  const relabels = []; // functions that put the current language's texts back
  const liveTags = []; // the tags of the live settings (T, α), which say what they act on now

  function groupFor(name) {
    if (!groups.has(name)) {
      const fieldset = el('fieldset', { className: `group group-${name}`, 'data-group': name });
      const legend = el('legend', {}, groupTitle(name));
      fieldset.append(legend);
      relabels.push(() => { legend.textContent = groupTitle(name); });
      const info = el('div', { className: 'group-info', 'aria-live': 'polite' });
      fieldset.append(info);
      form.append(fieldset);
      groups.set(name, { fieldset, legend, info });
    }
    return groups.get(name);
  }

  for (const spec of schema) {
    const group = groupFor(spec.group ?? 'other');
    const id = `set-${spec.name}`;
    const root = el('div', { className: `field field-${spec.kind}`, 'data-setting': spec.name });
    const head = el('div', { className: 'field-head' });
    const label = el('label', { for: id }, settingLabel(spec));
    head.append(label);
    relabels.push(() => { label.textContent = settingLabel(spec); });
    if (spec.live) {
      const live = el('span', { className: 'tag tag-live', title: t('tag.liveTitle') }, t('tag.live'));
      head.append(live);
      liveTags.push(live);
    }
    const badge = el('span', { className: 'tag tag-pending', title: t('tag.pendingTitle'), hidden: true }, t('tag.pending'));
    relabels.push(() => { badge.textContent = t('tag.pending'); badge.title = t('tag.pendingTitle'); });
    head.append(badge);
    root.append(head);

    const describedBy = [];
    const help = spec.help ? el('p', { className: 'field-help', id: `${id}-help` }, settingHelp(spec)) : null;
    if (help) {
      relabels.push(() => { help.textContent = settingHelp(spec); });
      describedBy.push(help.id);
      // the explanations of the live knobs are shown; the others open with the ⓘ button
      const open = !!spec.live;
      help.hidden = !open;
      const toggle = el('button', {
        type: 'button', className: 'help-toggle',
        'aria-expanded': String(open), 'aria-controls': help.id,
        'aria-label': t('controls.whatIs', { label: settingLabel(spec) }), title: t('controls.helpToggle'),
      }, 'i');
      relabels.push(() => {
        toggle.setAttribute('aria-label', t('controls.whatIs', { label: settingLabel(spec) }));
        toggle.title = t('controls.helpToggle');
      });
      toggle.addEventListener('click', () => {
        help.hidden = !help.hidden;
        toggle.setAttribute('aria-expanded', String(!help.hidden));
      });
      head.insertBefore(toggle, label.nextSibling);
    }
    const error = el('p', { className: 'field-error', id: `${id}-error`, hidden: true });
    describedBy.push(error.id);
    const described = describedBy.join(' ');

    const row = el('div', { className: 'field-row' });
    const inputs = [];
    let set;

    if (spec.kind === 'choice') {
      const select = el('select', { id, name: spec.name, 'aria-describedby': described });
      for (const choice of spec.choices ?? []) select.append(el('option', { value: choice }, choiceLabel(spec, choice)));
      relabels.push(() => {
        for (const option of select.options) option.textContent = choiceLabel(spec, option.value);
      });
      select.addEventListener('change', () => {
        onInput(spec.name, select.value);
        onCommit(spec.name, select.value);
      });
      set = (v) => { select.value = String(v); };
      row.append(select);
      inputs.push(select);
    } else if (spec.kind === 'number' || spec.kind === 'integer') {
      const map = sliderMapping(spec);
      const sliderSteps = (map.attrs.max - map.attrs.min) / (map.attrs.step || 1);
      const withSlider = Number.isFinite(sliderSteps) && sliderSteps <= MAX_SLIDER_STEPS;
      const range = el('input', { type: 'range', id: withSlider ? id : `${id}-range`, name: spec.name, ...map.attrs, 'aria-describedby': described });
      const num = el('input', {
        type: 'number', id: withSlider ? `${id}-num` : id, className: withSlider ? 'num' : 'num num-only',
        min: spec.min, max: spec.max,
        step: spec.kind === 'integer' ? 1 : 'any',
        inputmode: spec.kind === 'integer' ? 'numeric' : 'decimal',
        'aria-describedby': described,
      });
      const parse = (s) => (s.trim() === '' ? NaN : Number(s));
      const showValueText = (v) => {
        const text = formatSettingValue(spec, v) + (spec.unit ? ` ${spec.unit}` : '');
        range.setAttribute('aria-valuetext', text);
      };
      range.addEventListener('input', () => {
        const v = map.fromPos(range.value);
        num.value = formatSettingValue(spec, v);
        showValueText(v);
        onInput(spec.name, v);
      });
      range.addEventListener('change', () => onCommit(spec.name, map.fromPos(range.value)));
      num.addEventListener('input', () => {
        const v = parse(num.value);
        if (Number.isFinite(v)) { range.value = String(map.toPos(v)); showValueText(v); }
        onInput(spec.name, v);
      });
      num.addEventListener('change', () => onCommit(spec.name, parse(num.value)));
      set = (v) => {
        const n = Number(v);
        if (Number.isFinite(n)) range.value = String(map.toPos(n));
        num.value = formatSettingValue(spec, n);
        showValueText(n);
      };
      if (withSlider) {
        const numLabel = el('label', { for: num.id, className: 'visually-hidden' }, t('controls.exactValue', { label: settingLabel(spec) }));
        relabels.push(() => { numLabel.textContent = t('controls.exactValue', { label: settingLabel(spec) }); });
        row.append(range, numLabel, num);
        inputs.push(range, num);
      } else {
        row.append(num);
        inputs.push(num);
      }
      if (spec.unit) row.append(el('span', { className: 'unit' }, spec.unit));
    } else {
      // 'layers' (and, defensively, any kind this page does not know yet): a text field
      const text = el('input', {
        type: 'text', id, name: spec.name, className: 'text',
        spellcheck: 'false', autocomplete: 'off',
        placeholder: spec.kind === 'layers' ? t('controls.layersPlaceholder') : undefined,
        'aria-describedby': described,
      });
      if (spec.kind === 'layers') relabels.push(() => { text.placeholder = t('controls.layersPlaceholder'); });
      text.addEventListener('input', () => onInput(spec.name, text.value));
      text.addEventListener('change', () => onCommit(spec.name, text.value));
      set = (v) => { text.value = String(v ?? ''); };
      row.append(text);
      inputs.push(text);
    }

    root.append(row, error);
    if (help) root.append(help);
    group.fieldset.insertBefore(root, group.info);
    fields.set(spec.name, { spec, root, set, inputs, error, badge });
    set(values[spec.name]);
  }

  // sidebar order
  const rank = (g) => { const i = GROUP_ORDER.indexOf(g); return i < 0 ? GROUP_ORDER.length : i; };
  [...groups.entries()]
    .map(([name, g], i) => ({ g, key: rank(name) * 1000 + i }))
    .sort((a, b) => a.key - b.key)
    .forEach(({ g }) => form.append(g.fieldset));

  return {
    /** Put the current language's texts on every control. */
    translate() { for (const fn of relabels) fn(); },
    /**
     * The live tags: "live" while the students can still learn; "view only" once training is over (done or
     * diverged), when T and α change what is shown (soft labels at T, the loss terms) but train nothing.
     */
    setLivePhase(over) {
      // drawn at every status while training: only what changed is written
      const text = t(over ? 'tag.viewOnly' : 'tag.live');
      const title = t(over ? 'tag.viewOnlyTitle' : 'tag.liveTitle');
      for (const tag of liveTags) {
        setText(tag, text);
        if (tag.title !== title) tag.title = title;
        tag.classList.toggle('tag-view', over);
      }
    },

    /** Show a value (e.g. after datasetDefaults()). */
    set(name, value) { fields.get(name)?.set(value); },

    /** Show validation errors, each beside its control; clears the others. */
    setErrors(list) {
      const byName = new Map();
      for (const { name, message } of list) {
        if (!byName.has(name)) byName.set(name, []);
        byName.get(name).push(message);
      }
      for (const [name, f] of fields) {
        const msgs = byName.get(name);
        f.error.hidden = !msgs;
        f.error.textContent = msgs ? msgs.join(' ') : '';
        f.root.classList.toggle('invalid', !!msgs);
        for (const input of f.inputs) {
          if (msgs) input.setAttribute('aria-invalid', 'true');
          else input.removeAttribute('aria-invalid');
        }
      }
      // errors about names this page has no control for
      return [...byName.keys()].filter((n) => !fields.has(n)).map((n) => `${n}: ${byName.get(n).join(' ')}`);
    },

    /** Mark the controls whose change waits for a Reset. */
    setPending(names) {
      for (const [name, f] of fields) setHidden(f.badge, !names.has(name));
    },

    setDisabled(name, disabled, why) {
      const f = fields.get(name);
      if (!f) return;
      for (const input of f.inputs) input.disabled = disabled;
      f.root.classList.toggle('disabled', disabled);
      f.root.title = disabled && why ? why : '';
    },

    /** Hides a control (a setting the chosen method does not use). */
    setHidden(name, hidden) {
      const f = fields.get(name);
      if (f && f.root.hidden !== hidden) f.root.hidden = hidden;
    },

    /** The info area at the bottom of a group (data set sizes, model sizes). */
    info(group) { return groups.get(group)?.info ?? null; },

    focus(name) { fields.get(name)?.inputs[0]?.focus(); },

    has(name) { return fields.has(name); },
  };
}

// ---------------------------------------------------------------- input

/** Every keystroke or slider move: the value goes to the store and is checked; a live setting applies at once. */
function onSettingInput(name, value) {
  const spec = specOf(name);
  if (!spec) return;
  const localErrors = new Set(store.get('localErrors'));
  if ((spec.kind === 'number' || spec.kind === 'integer') && !Number.isFinite(value)) {
    localErrors.add(name);
    store.set({ localErrors });
    validate();
    return;
  }
  localErrors.delete(name);
  store.set({ localErrors });
  setSetting(name, value);
  validate();
  if (spec.live) applyLive(name, value);
}

/** The learner is done with a control: before any training a change applies at once, afterwards on Reset. */
function onSettingCommit(name, value) {
  const spec = specOf(name);
  if (!spec || spec.live) return;
  if (String(value) !== String(store.get('applied')[name])) clearExperiment();
  if (spec.name === 'dataset') {
    useDataset(value);
    return;
  }
  if (!trained() && validate()) reset();
}

/** Puts data set `name` and its defaults into the controls and builds its run (or says what stops it). */
export function useDataset(name) {
  store.set({ csv: null }); // a built-in data set replaces the user's file
  // leaving the first run (a preset), every setting takes its default, not only those the data set changes
  const base = isFirstRunSetup(store.get('settings')) ? store.get('defaults') : {};
  const defaults = { ...base, ...(datasetDefaults(name) ?? {}) };
  delete defaults.dataset;
  const localErrors = new Set(store.get('localErrors'));
  const controls = store.get('controls');
  controls.set('dataset', name);
  for (const [k, v] of Object.entries(defaults)) {
    localErrors.delete(k);
    controls.set(k, v);
  }
  store.set({ settings: { ...store.get('settings'), dataset: name, ...defaults }, localErrors });
  if (validate()) {
    reset();
  } else {
    // the data set's defaults are in the controls, but another field still has an error: say so, plainly
    const names = [...new Set(store.get('errors').map((e) => e.name))];
    const fields = names.map((n) => (specOf(n) ? settingLabel(specOf(n)) : n)).join(', ');
    showError(t('error.datasetPending', { dataset: choiceLabel(specOf('dataset'), name), fields }), 'warning');
  }
}

// ---------------------------------------------------------------- the groups' information

/** "Teacher 2→64→64→3 · 4,547 parameters" */
function renderModelInfo(container, info) {
  const line = (who, m, key) => h('p', { className: 'model-line' }, h('strong', { text: who }), ` ${t(key, { layers: m.layers.join('→'), n: int(m.parameters) })}`);
  const ratio = info.student.parameters > 0 ? info.teacher.parameters / info.student.parameters : null;
  const choice = (name, value) => (value && specOf(name) ? choiceLabel(specOf(name), value) : value);
  const extra = [choice('activation', info.activation), choice('optimizer', info.optimizer)].filter(Boolean).join(' · ');
  // "the teacher has 70× as many parameters" only when it has clearly more; otherwise say the student is not smaller
  const larger = !ratio ? '' : ratio >= 1.05 ? t('model.larger', { ratio: ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1) }) : t('model.notLarger');
  // mutual learning and self-distillation train no teacher: no teacher's size to compare with
  const teacher = hasTeacher();
  container.replaceChildren(
    teacher ? line(t('model.teacher'), info.teacher, 'model.parameters')
      : h('p', { className: 'model-line', text: t('model.noTeacher', { method: t(`method.name.${currentMethod()}`) }) }),
    line(t('model.students'), info.student, 'model.parametersEach'),
    h('p', { className: 'model-note', text: `${t('model.shared')}${(teacher && larger) || '.'}${extra ? ` (${extra})` : ''}` }));
}

/**
 * The settings that apply to some methods only (the schema's `methods`: FitNets' hint, the KL's direction, the
 * teacher's, which mutual learning and self-distillation do not train) are shown for the method chosen in the
 * controls; one with a problem stays shown, so that its message can be read.
 */
function drawMethodFields() {
  const controls = store.get('controls');
  const method = store.get('settings').method;
  const problems = new Set(store.get('errors').map((e) => e.name));
  for (const spec of store.get('schema')) {
    if (!spec.methods?.length) continue;
    controls.setHidden(spec.name, !spec.methods.includes(method) && !problems.has(spec.name));
  }
}

/** "1,078 train / 360 test · 2 features, 2 classes" and the class names. */
function renderDataInfo(container, info) {
  container.replaceChildren(h('p', { className: 'data-line' },
    h('strong', { text: t('data.train', { n: int(info.nTrain) }) }), ' / ', h('strong', { text: t('data.test', { n: int(info.nTest) }) }),
    ` ${t('data.shape', { features: info.nFeatures, classes: info.nClasses })}`));
  if (info.classNames?.length && info.classNames.length <= 10) {
    container.append(h('p', { className: 'data-classes', text: t('data.classes', { list: info.classNames.join(', ') }) }));
  }
}

/** The data set's and the models' sizes; the settings that mean something for the generated 2-D sets only. */
function drawInfo() {
  const controls = store.get('controls');
  const d = store.get('dataInfo');
  if (!d) return;
  const dataBox = controls.info('data');
  if (dataBox) renderDataInfo(dataBox, d);
  const modelBox = controls.info('models');
  const modelInfo = store.get('modelInfo');
  if (modelBox && modelInfo) renderModelInfo(modelBox, modelInfo);
  const generated = d.view === 'points';
  for (const spec of store.get('schema').filter((s) => s.generatedOnly)) {
    controls.setDisabled(spec.name, !generated, t('data.generatedOnly'));
  }
}

/** The settings that wait for a Reset: their badges, the note under the phase, Reset's attention. */
function drawPending() {
  const names = pendingNames();
  store.get('controls').setPending(names);
  setHidden(document.getElementById('pending'), names.size === 0);
  document.getElementById('btn-reset').classList.toggle('attention', names.size > 0);
}

// ---------------------------------------------------------------- the user's own data

/**
 * A file input under the data group for a CSV with numeric features and the label last: its bytes go to the
 * engine, which reads and checks them; its name and contents are shown as text only.
 */
function installCsv() {
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

/** Builds the controls from the schema (and the CSV box), with the values in the store, and declares their views. */
export function installSettings(form) {
  const controls = buildControls(form, store.get('schema'), store.get('settings'), { onInput: onSettingInput, onCommit: onSettingCommit });
  form.addEventListener('submit', (e) => e.preventDefault());
  store.set({ controls });
  store.view('settings-text', { group: 'sync', deps: ['language'], draw: () => controls.translate() });
  store.view('settings-errors', {
    group: 'sync',
    deps: ['errors', 'language'],
    draw: () => controls.setErrors(store.get('errors').filter((e) => specOf(e.name)).map((e) => ({ name: e.name, message: problemText(e) }))),
  });
  store.view('settings-live', {
    group: 'sync',
    deps: ['status', 'language'],
    draw: () => controls.setLivePhase(['done', 'diverged'].includes(store.get('status')?.phase)),
  });
  store.view('settings-pending', { group: 'sync', deps: ['settings', 'applied', 'status', 'pg'], draw: drawPending });
  store.view('settings-info', { group: 'sync', deps: ['pg', 'dataInfo', 'modelInfo', 'language'], draw: drawInfo });
  store.view('settings-methods', { group: 'sync', deps: ['settings', 'errors'], draw: drawMethodFields });
  installCsv();
}
