// The page's one template filler: the catalogues' texts are templates where `{name}` is a value. The engine's
// filler (src/text.rs) follows the same rules, and both pass the cases of tests/fixtures/templates.json:
//
// - `{name}` is the value; a name without a value stays as it is.
// - `{name:은}` is the value followed by the Korean particle of the pair 은/는 that fits its last sound (and
//   likewise 이/가, 을/를, 과/와, 으로/로; either form may be written). Numbers are read in Sino-Korean, so the
//   last digit decides: 3으로, 16은, 97.8%로.
// - Numbers are written as the engine writes an f64: the shortest decimal that reads back the same when
//   1e-6 ≤ |x| < 1e12, otherwise as 1.5e300; NaN, inf and -inf as such.
// - A value that is a message of the engine ({key, params}) is rendered first, by `render` (i18n.js).

/** A number as every text writes it (see above). */
export function formatNumber(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const size = Math.abs(x);
  if (size >= 1e-6 && size < 1e12) return String(x);
  return x.toExponential().replace('e+', 'e');
}

const PARTICLES = [['은', '는'], ['이', '가'], ['을', '를'], ['과', '와'], ['으로', '로']];
const CLOSERS = ')]}"\'’”»';

/** How `text` ends when read aloud in Korean: 'vowel', 'consonant', 'rieul' (a final ㄹ) or 'unknown'. */
function ending(text) {
  const chars = [...String(text)];
  let last = null;
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    if (!/\s/.test(chars[i]) && !CLOSERS.includes(chars[i])) { last = chars[i]; break; }
  }
  if (last === null) return 'unknown';
  const code = last.codePointAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) {
    const final = (code - 0xac00) % 28;
    return final === 0 ? 'vowel' : final === 8 ? 'rieul' : 'consonant';
  }
  if ('036'.includes(last)) return 'consonant'; // 영 삼 육 (십 백 천 만)
  if ('178'.includes(last)) return 'rieul'; // 일 칠 팔
  if ('2459%'.includes(last)) return 'vowel';
  if ('lLrR'.includes(last)) return 'rieul'; // 엘 알
  if ('mMnN'.includes(last)) return 'consonant'; // 엠 엔
  if (/[A-Za-z]/.test(last)) return 'vowel';
  return 'unknown';
}

/** The particle of the pair that contains `asked` that fits after `value`, or null for an unknown particle. */
function particle(value, asked) {
  const pair = PARTICLES.find(([c, v]) => c === asked || v === asked);
  if (!pair) return null;
  const [consonant, vowel] = pair;
  switch (ending(value)) {
    case 'vowel': return vowel;
    case 'rieul': return consonant === '으로' ? vowel : consonant;
    case 'consonant': return consonant;
    default: return consonant === '으로' ? '(으)로' : `${consonant}(${vowel})`;
  }
}

/** The text of a value: numbers by formatNumber, anything else as text. */
function valueText(value) {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/**
 * Fills `template` with `params` (name → value). `{name}` and `{name:은}` as described above; a placeholder
 * whose value is missing (or not a plain name) stays as it is.
 */
export function fill(template, params = {}) {
  return String(template).replace(/\{([^{}]*)\}/g, (whole, inside) => {
    const colon = inside.indexOf(':');
    const name = colon < 0 ? inside : inside.slice(0, colon);
    if (!/^[A-Za-z0-9_]+$/.test(name) || !Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const raw = params[name];
    if (raw === undefined || raw === null) return whole;
    const text = valueText(raw);
    if (colon < 0) return text;
    const p = particle(text, inside.slice(colon + 1));
    return p === null ? whole : text + p;
  });
}

/** The placeholders' names of a template (`{t}` and `{t:은}` both name `t`). */
export function placeholders(template) {
  return [...String(template).matchAll(/\{([A-Za-z0-9_]+)(?::[^{}]*)?\}/g)].map((m) => m[1]);
}
