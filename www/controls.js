// Settings controls, built from the engine's settingsSchema(): every setting (its name, kind, range,
// scale, default, label, help and group) is declared once, in Rust. Nothing here knows the list.
//
// buildControls() returns an object that shows values, validation errors and "applies on Reset" marks;
// it reports user input through two callbacks:
//   onInput(name, value)   on every keystroke / slider move (value already parsed; NaN if unparsable)
//   onCommit(name, value)  when the user is done (slider released, field left or Enter, select changed)

// Every text comes from the catalogue (./i18n.js); the settings' labels and help from the schema in English.
import { t, settingLabel, settingHelp, choiceLabel } from './i18n.js';

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

let uid = 0;

/** Round to a few significant digits, so that a log slider yields 0.003 rather than 0.0030172. */
function roundSignificant(x, digits = 3) {
  if (!Number.isFinite(x) || x === 0) return x;
  const p = Math.pow(10, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * p) / p;
}

function stepDecimals(step) {
  if (!step || !Number.isFinite(step)) return null;
  const s = String(step);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** A value for a setting as the engine declares its kind (defaults may arrive as text, e.g. "0.01"). */
export function coerce(spec, value) {
  if ((spec.kind === 'number' || spec.kind === 'integer') && typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if ((spec.kind === 'choice' || spec.kind === 'layers') && typeof value === 'number') return String(value);
  return value;
}

/** The value of a number setting as the user sees it (no float noise). */
export function formatSettingValue(spec, value) {
  if (typeof value !== 'number') return String(value ?? '');
  if (!Number.isFinite(value)) return '';
  if (spec.kind === 'integer') return String(Math.round(value));
  const d = stepDecimals(spec.step);
  if (d !== null && spec.scale !== 'log') return String(Number(value.toFixed(Math.min(d, 10))));
  return String(roundSignificant(value, 4));
}

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

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'className') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Build the settings form.
 * @param {HTMLFormElement} form
 * @param {Array} schema  settingsSchema()
 * @param {object} values  initial values by name
 * @param {{onInput: Function, onCommit: Function}} callbacks
 */
export function buildControls(form, schema, values, { onInput, onCommit }) {
  form.replaceChildren();
  const fields = new Map(); // name -> { spec, root, set(value), inputs: [], error, badge }
  const groups = new Map(); // group -> { fieldset, info }
  const relabels = []; // functions that put the current language's texts back

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
      relabels.push(() => { live.textContent = t('tag.live'); live.title = t('tag.liveTitle'); });
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
      for (const [name, f] of fields) f.badge.hidden = !names.has(name);
    },

    setDisabled(name, disabled, why) {
      const f = fields.get(name);
      if (!f) return;
      for (const input of f.inputs) input.disabled = disabled;
      f.root.classList.toggle('disabled', disabled);
      f.root.title = disabled && why ? why : '';
    },

    /** The info area at the bottom of a group (data set sizes, model sizes). */
    info(group) { return groups.get(group)?.info ?? null; },

    focus(name) { fields.get(name)?.inputs[0]?.focus(); },

    has(name) { return fields.has(name); },
  };
}
