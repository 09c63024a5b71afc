// The page's state in the URL hash: every setting of the engine's settingsSchema() plus the language (and the
// guided tour's step while it is open), e.g. `#dataset=digits&temperature=4&alpha=0.9&lang=ko`.
// The list of settings is the schema's: nothing here names one. Pure functions (no DOM, no engine): the
// engine's checks come in as arguments, so that they are easy to test.

/** Longest key or value read from a hash; anything longer is ignored. */
export const MAX_FIELD_LENGTH = 200;
/** Most fields read from a hash (a hash is short: the schema has about fifteen settings). */
export const MAX_FIELDS = 64;
/** Keys of the hash that are not settings. */
export const LANG_KEY = 'lang';
export const TOUR_KEY = 'tour';

/** A value as it is written into the hash: numbers in JS's shortest exact form, ',' kept readable. */
function encodeValue(value) {
  return encodeURIComponent(String(value)).replace(/%2C/gi, ',');
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A hash value as the engine wants it: numbers for number kinds when the text is a plain number. */
function typed(spec, text) {
  if ((spec.kind === 'number' || spec.kind === 'integer') && NUMBER.test(text.trim())) return Number(text);
  return text;
}

/** Shortens a text for a notice: at most 40 characters, control characters dropped. */
export function shorten(text, max = 40) {
  // eslint-disable-next-line no-control-regex
  const clean = String(text).replace(/[\u0000-\u001f\u007f]/g, ' ');
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : clean;
}

/**
 * Splits a hash into fields. Returns `{ fields: Map(key → raw text), problems: [{key, reason}] }`; reasons:
 * 'malformed' (bad %-escape or no '='), 'tooLong', 'duplicate' (a key given more than once: all its values
 * are ignored), 'tooMany'.
 */
export function splitHash(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  const fields = new Map();
  const problems = [];
  const duplicates = new Set();
  if (text.trim() === '') return { fields, problems };
  const parts = text.split('&').filter((p) => p !== '');
  parts.forEach((part, i) => {
    if (i >= MAX_FIELDS) {
      if (i === MAX_FIELDS) problems.push({ key: `…${parts.length - MAX_FIELDS}`, reason: 'tooMany' });
      return;
    }
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key;
    let value;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      problems.push({ key: shorten(rawKey), reason: 'malformed' });
      return;
    }
    if (key.length > MAX_FIELD_LENGTH || value.length > MAX_FIELD_LENGTH) {
      problems.push({ key: shorten(key), reason: 'tooLong' });
      return;
    }
    if (eq < 0) {
      problems.push({ key: shorten(key), reason: 'malformed' });
      return;
    }
    if (fields.has(key) || duplicates.has(key)) {
      if (!duplicates.has(key)) problems.push({ key: shorten(key), reason: 'duplicate' });
      duplicates.add(key);
      fields.delete(key);
      return;
    }
    fields.set(key, value);
  });
  return { fields, problems };
}

/** The language named in a hash, if it is one of `languages` (read before the engine has loaded). */
export function languageOf(hash, languages) {
  const { fields } = splitHash(hash);
  const lang = fields.get(LANG_KEY);
  return languages.includes(lang) ? lang : null;
}

/**
 * Reads a hash against the schema.
 *
 * @param {string} hash  location.hash
 * @param {object} o
 * @param {Array} o.schema  settingsSchema()
 * @param {object} o.defaults  the default value of every setting (schema defaults, data-set defaults applied)
 * @param {string[]} o.languages  known language codes
 * @param {(values: object) => Array<{name: string, message: string}>} o.validate  the engine's validateSettings
 * @param {(dataset: string) => object|null} [o.datasetDefaults]  the settings a data set changes, or null
 * @param {number} [o.tourSteps]  number of tour steps (for `tour=N`, 1-based)
 * @returns {{ settings: object, given: string[], lang: string|null, tour: number|null,
 *             ignored: Array<{key: string, reason: string, message?: string}> }}
 *   `settings` has every setting: the hash's valid values over `defaults` (and over the data set's defaults
 *   when the hash picks a data set); `given` names the settings the hash set; `ignored` lists the rest.
 */
export function parseHash(hash, { schema, defaults, languages, validate, datasetDefaults, tourSteps = 0 }) {
  const { fields, problems } = splitHash(hash);
  const ignored = problems.map((p) => ({ ...p }));
  const specs = new Map(schema.map((s) => [s.name, s]));
  let lang = null;
  let tour = null;
  const given = new Map(); // name → typed value

  for (const [key, value] of fields) {
    if (key === LANG_KEY) {
      if (languages.includes(value)) lang = value;
      else ignored.push({ key, reason: 'language', value: shorten(value) });
    } else if (key === TOUR_KEY) {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 1 && n <= tourSteps) tour = n;
      else ignored.push({ key, reason: 'tour', value: shorten(value) });
    } else if (specs.has(key)) {
      given.set(key, typed(specs.get(key), value));
    } else {
      ignored.push({ key: shorten(key), reason: 'unknown' });
    }
  }

  // The base: the defaults, and those of the data set the hash picks (if it is a valid one), so that a short
  // link like #dataset=digits gets the digits defaults for everything else.
  const base = { ...defaults };
  const datasetSpec = [...specs.values()].find((s) => s.kind === 'choice' && s.name === 'dataset');
  if (datasetSpec && given.has(datasetSpec.name)) {
    const ds = String(given.get(datasetSpec.name));
    const dsDefaults = (datasetSpec.choices ?? []).includes(ds) && datasetDefaults ? datasetDefaults(ds) : null;
    if (dsDefaults) {
      for (const [k, v] of Object.entries(dsDefaults)) if (specs.has(k)) base[k] = v;
    }
  }

  // Overlay the hash, validate, and put back the defaults of each field the engine rejects; repeat (a
  // rejection may be about two fields together), at most once per field.
  const settings = { ...base };
  for (const [k, v] of given) settings[k] = v;
  const kept = new Set(given.keys());
  for (let round = 0; round <= schema.length; round++) {
    let errors;
    try {
      errors = validate(settings) ?? [];
    } catch (e) {
      errors = [{ name: '', message: e?.message ?? String(e) }];
    }
    if (errors.length === 0) break;
    const blamed = errors.filter((e) => kept.has(e.name));
    if (blamed.length === 0) {
      // the defaults alone are fine, so the hash's fields together are at fault: drop them all
      for (const name of kept) ignored.push({ key: name, reason: 'invalid', message: errors.map((e) => e.message).join(' ') });
      for (const name of kept) settings[name] = base[name];
      kept.clear();
      continue;
    }
    for (const e of blamed) {
      if (!kept.has(e.name)) continue;
      ignored.push({ key: e.name, reason: 'invalid', message: e.message, value: shorten(given.get(e.name)) });
      settings[e.name] = base[e.name];
      kept.delete(e.name);
    }
  }
  return { settings, given: [...kept], lang, tour, ignored };
}

/**
 * The hash for `values` (every setting of the schema, in its order), then the language and the tour step.
 * Values are written as they are (numbers in JS's shortest round-trip form).
 */
export function serialiseHash({ schema, values, lang, tour }) {
  const parts = [];
  for (const spec of schema) {
    const v = values[spec.name];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) continue;
    parts.push(`${encodeURIComponent(spec.name)}=${encodeValue(v)}`);
  }
  if (lang) parts.push(`${LANG_KEY}=${encodeValue(lang)}`);
  if (tour) parts.push(`${TOUR_KEY}=${encodeValue(tour)}`);
  return `#${parts.join('&')}`;
}
