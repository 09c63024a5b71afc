// Every string the page shows comes from one catalogue per language (./locales/en.json, ./locales/ko.json, and
// the panels' part loaded with them, ./locales/en.panels.json, ./locales/ko.panels.json):
// key → template, filled by ./template.js (`{name}` a value, `{name:은}` a value and its Korean particle). The
// engine's texts are there too: the settings' labels and help, the experiments' titles and claims, the words the
// charts draw (the page hands them over with setCatalogue) and every message the engine sends ({key, params},
// rendered by `render`). `kd` reads the same English catalogue.
//
// Catalogue texts are plain text. A few carry light markup that translatePage() turns into elements
// (never through innerHTML): **strong**, *em*, _{sub}, and [[tag]] for a "live" badge.

import { fill } from './template.js';
import { store } from './store.js';

/** The languages the page speaks, each named in its own language. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ko', name: '한국어' },
];

export const DEFAULT_LANGUAGE = 'en';

/** The catalogues loaded so far (in the store), each loaded when its language is first chosen. */
const catalogues = () => store.get('catalogues');

/** Whether `code` is one of LANGUAGES. */
export function isLanguage(code) {
  return typeof code === 'string' && LANGUAGES.some((l) => l.code === code);
}

/**
 * A language's catalogue comes in two files: locales/<lang>.json, what the first screen needs, and
 * locales/<lang>.panels.json, the texts of the panels loaded when first needed (the teaching panels, the tour's
 * steps), fetched with them (`loadPanelTexts`) so that a first visit does not download them.
 */
async function fetchPart(lang, part) {
  const file = part ? `locales/${lang}.${part}.json` : `locales/${lang}.json`;
  const response = await fetch(new URL(file, import.meta.url));
  if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
  return response.json();
}

/** Loads the catalogue of `lang` if it is not yet (its panels' part too once they are asked for). */
export async function loadLanguage(lang) {
  if (!isLanguage(lang)) return false;
  if (catalogues()[lang]) return true;
  const main = await fetchPart(lang);
  // the flag is read once the main part is here: panels asked for meanwhile get their texts too
  const panels = store.get('panelTexts') ? await fetchPart(lang, 'panels') : {};
  store.set({ catalogues: { ...catalogues(), [lang]: { ...main, ...panels } } });
  return true;
}

/** Loads the panels' texts of every language loaded (and of those loaded later): before such a panel is built. */
export function loadPanelTexts() {
  if (!store.get('panelTexts')) {
    const loaded = Object.keys(catalogues());
    const loading = Promise.all(loaded.map((lang) => fetchPart(lang, 'panels'))).then((parts) => {
      const merged = { ...catalogues() };
      loaded.forEach((lang, i) => { merged[lang] = { ...merged[lang], ...parts[i] }; });
      store.set({ catalogues: merged });
    });
    store.set({ panelTexts: loading });
  }
  return store.get('panelTexts');
}

/** The catalogue of `lang` once loaded, else null. */
export function catalogue(lang = language()) {
  return catalogues()[lang] ?? null;
}

function lookup(lang, key) {
  const cat = catalogues()[lang];
  return cat && Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : undefined;
}

/** The text of `key` in the current language (else English, if loaded, else the key itself), values filled. */
export function t(key, params) {
  const text = lookup(language(), key) ?? lookup(DEFAULT_LANGUAGE, key) ?? key;
  return params ? fill(text, params) : text;
}

/** Whether `value` is a message of the engine: `{key, params}`. */
export function isMessage(value) {
  return value !== null && typeof value === 'object' && typeof value.key === 'string';
}

/**
 * A message of the engine (`{key, params}`, its values numbers, text, messages or lists of messages, the
 * latter joined with "; ") in the current language.
 */
export function render(message) {
  const params = {};
  for (const [name, value] of Object.entries(message.params ?? {})) {
    if (Array.isArray(value)) params[name] = value.map((item) => (isMessage(item) ? render(item) : String(item))).join('; ');
    else params[name] = isMessage(value) ? render(value) : value;
  }
  return t(message.key, params);
}

/**
 * What a thrown error says, in the current language: the engine's errors carry their message (`kd`, rendered
 * here); any other error says what it can.
 */
export function messageOf(e) {
  if (isMessage(e?.kd)) return render(e.kd);
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  try { return JSON.stringify(e); } catch { return String(e); }
}

/** A setting's label, help, or a choice's label, in the current language. */
export function settingLabel(spec) { return t(`setting.${spec.name}.label`); }
export function settingHelp(spec) { return t(`setting.${spec.name}.help`); }
export function choiceLabel(spec, value) { return t(`choice.${spec.name}.${value}`); }
/** A data set's name as the settings name it ("spiral" → "나선 (spiral)"); a CSV file's as it is. */
export function datasetLabel(name) {
  const key = `choice.dataset.${name}`;
  return lookup(language(), key) ?? lookup(DEFAULT_LANGUAGE, key) ?? String(name);
}

/** The language shown. */
export function language() {
  return store.get('language');
}

/**
 * Switches the language (unknown codes are refused: returns false). Sets <html lang> and the store's `language`
 * (every view that reads it is redrawn). A language not loaded yet is loaded first: the switch then happens when
 * its catalogue arrives.
 */
export function setLanguage(lang) {
  if (!isLanguage(lang)) return false;
  if (!catalogues()[lang]) {
    store.begin(`language:${lang}`);
    loadLanguage(lang)
      .then(() => setLanguage(lang), (e) => console.warn(`language ${lang}:`, e))
      .finally(() => store.end(`language:${lang}`));
    return true;
  }
  document.documentElement.lang = lang;
  store.set({ language: lang });
  return true;
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
