// Every string the page shows comes from one catalogue per language (./locales/en.js, ./locales/ko.js):
// key → text with {param} placeholders. The settings' English labels and help are declared once, in the
// engine's settingsSchema(); the Korean catalogue has `setting.<name>.label` / `.help` and
// `choice.<setting>.<value>` for each of them, and English falls back to the schema's own words.
//
// Catalogue texts are plain text. A few carry light markup that translatePage() turns into elements
// (never through innerHTML): **strong**, *em*, _{sub}, and [[tag]] for a "live" badge.

import en from './locales/en.js';

/** The catalogues loaded so far: English always; another language when it is first chosen. */
const CATALOGUES = { en };
/** The texts drawn inside the engine's charts, per loaded language (English is the engine's own: {}). */
const CHART_CATALOGUES = { en: {} };
/** How each other language is fetched (only when chosen, so that an English visit never loads it). */
const LOADERS = {
  ko: () => Promise.all([import('./locales/ko.js'), import('./locales/charts.ko.js')]),
};

/** The languages the page speaks, each named in its own language. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ko', name: '한국어' },
];

export const DEFAULT_LANGUAGE = 'en';

let current = DEFAULT_LANGUAGE;
const listeners = new Set();

/** Whether `code` is one of LANGUAGES. */
export function isLanguage(code) {
  return typeof code === 'string' && LANGUAGES.some((l) => l.code === code);
}

/** Loads the catalogues of `lang` if they are not yet; resolves to whether the language can be used. */
export async function loadLanguage(lang) {
  if (!isLanguage(lang)) return false;
  if (CATALOGUES[lang]) return true;
  const [main, charts] = await LOADERS[lang]();
  CATALOGUES[lang] = main.default;
  CHART_CATALOGUES[lang] = charts.default;
  return true;
}

/** The catalogue of `lang` once loaded, else null (for tests and for checks of completeness). */
export function catalogue(lang) {
  return CATALOGUES[lang] ?? null;
}

/** The chart texts of the current language (for the engine's setChartText). */
export function chartTexts() {
  return CHART_CATALOGUES[current] ?? {};
}

function fill(text, params) {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
}

function lookup(lang, key) {
  const cat = CATALOGUES[lang];
  return cat && Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : undefined;
}

/** The text of `key` in the current language (else English, else the key itself), placeholders filled. */
export function t(key, params) {
  const text = lookup(current, key) ?? lookup(DEFAULT_LANGUAGE, key) ?? key;
  return fill(text, params);
}

/**
 * The text of `key` in the current language, or `english` (the engine's own words, e.g. a schema label)
 * when the catalogue has no entry. Used for everything the engine declares in English.
 */
export function tOr(key, english, params) {
  const text = lookup(current, key) ?? english ?? lookup(DEFAULT_LANGUAGE, key) ?? key;
  return fill(String(text), params);
}

/** A setting's label, help, or a choice's label, in the current language. */
export function settingLabel(spec) { return tOr(`setting.${spec.name}.label`, spec.label || spec.name); }
export function settingHelp(spec) { return tOr(`setting.${spec.name}.help`, spec.help || ''); }
export function choiceLabel(spec, value) { return tOr(`choice.${spec.name}.${value}`, String(value)); }

export function language() {
  return current;
}

/**
 * Switches the language (unknown codes are refused: returns false). Sets <html lang> and tells the listeners.
 * A language not loaded yet is loaded first: the switch then happens when its catalogues arrive.
 */
export function setLanguage(lang) {
  if (!isLanguage(lang)) return false;
  if (!CATALOGUES[lang]) {
    loadLanguage(lang).then(() => setLanguage(lang), (e) => console.warn(`language ${lang}:`, e));
    return true;
  }
  const changed = lang !== current;
  current = lang;
  document.documentElement.lang = lang;
  if (changed) {
    for (const fn of [...listeners]) fn(lang);
  }
  return true;
}

/** Calls `fn(lang)` after every change of language; returns a function that stops it. */
export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// ---------------------------------------------------------------- static page text

const MARKUP = /\*\*(.+?)\*\*|\*(.+?)\*|_\{(.+?)\}|\[\[(\w+)\]\]/g;

/** Appends `text` to `node`, turning the light markup into elements (text only, never HTML). */
export function appendRich(node, text) {
  let last = 0;
  for (const m of text.matchAll(MARKUP)) {
    if (m.index > last) node.append(text.slice(last, m.index));
    let child;
    if (m[1] !== undefined) { child = document.createElement('strong'); child.textContent = m[1]; }
    else if (m[2] !== undefined) { child = document.createElement('em'); child.textContent = m[2]; }
    else if (m[3] !== undefined) { child = document.createElement('sub'); child.textContent = m[3]; }
    else {
      child = document.createElement('span');
      child.className = `tag tag-${m[4]}`;
      child.textContent = t(`tag.${m[4]}`);
    }
    node.append(child);
    last = m.index + m[0].length;
  }
  if (last < text.length) node.append(text.slice(last));
}

/**
 * Fills the static text of the page: `data-i18n="key"` sets the text, `data-i18n-rich="key"` the text with
 * light markup, and `data-i18n-attr="title:key; aria-label:key2"` attributes.
 */
export function translatePage(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-rich]')) {
    node.replaceChildren();
    appendRich(node, t(node.dataset.i18nRich));
  }
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
  if (root === document) document.title = t('page.title');
}
