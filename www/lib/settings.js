// Setting values as the engine's settings table declares them: typed, compared and shown the same way by the
// controls, the URL and the experiments. Pure functions (no DOM, no engine), also used by the tests in Node.

/** The pairs of an engine object (a plain object, or a Map if the engine hands one). */
export const entries = (obj) => (obj instanceof Map ? [...obj.entries()] : Object.entries(obj ?? {}));

/** Whether two setting values are the same (a number and its text are). */
export const same = (a, b) => String(a) === String(b);

/** A value for a setting as the engine declares its kind (defaults may arrive as text, e.g. "0.01"). */
export function coerce(spec, value) {
  if ((spec.kind === 'number' || spec.kind === 'integer') && typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if ((spec.kind === 'choice' || spec.kind === 'layers') && typeof value === 'number') return String(value);
  return value;
}

/** Rounds to a few significant digits, so that a log slider yields 0.003 rather than 0.0030172. */
export function roundSignificant(x, digits = 3) {
  if (!Number.isFinite(x) || x === 0) return x;
  const p = Math.pow(10, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * p) / p;
}

/** The decimals of a step (0.05 → 2), or null without a step. */
export function stepDecimals(step) {
  if (!step || !Number.isFinite(step)) return null;
  const s = String(step);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
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

/**
 * A number the engine returns (its settings are f32) as the shortest decimal that is the same f32, so that
 * 0.0010000000474974513 reads 0.001 in the controls and the URL and gives the same run again.
 */
export function tidyNumber(spec, v) {
  if (spec.kind !== 'number' || typeof v !== 'number' || !Number.isFinite(v)) return v;
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === f) return d;
  }
  return v;
}
