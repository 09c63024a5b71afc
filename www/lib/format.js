// Numbers as the page writes them: every panel formats through these, so a number reads the same everywhere.
// A true minus sign (U+2212), '—' for a missing value, the exponent form where a fixed one would hide the value.

export const MINUS = '\u2212';

const minus = (text) => text.replaceAll('-', MINUS);

// toLocaleString('en-US') builds a formatter on every call (about 1 ms on a CPU slowed 4×, and the status line
// writes a number in every frame): one is built once and kept. Whole numbers format the same either way.
const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `digits` decimals (exponent form when tiny or huge): 0.123, 4.56e−5, ∞. */
export function fixed(x, digits = 3) {
  if (typeof x !== 'number') return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : `${MINUS}∞`;
  const a = Math.abs(x);
  return minus(a !== 0 && (a >= 1e5 || a < 10 ** -digits) ? x.toExponential(2) : x.toFixed(digits));
}

/** `n` significant digits without trailing zeros: 16, 6.25, 0.0231. */
export function sig(x, n = 3) {
  if (typeof x !== 'number') return '—';
  if (!Number.isFinite(x)) return fixed(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return minus(x.toExponential(n - 1));
  return minus(String(Number(x.toPrecision(n))));
}

/** `n` significant digits keeping trailing zeros: 1.90, 0.0324. */
export function prec(x, n = 3) {
  if (typeof x !== 'number') return '—';
  if (!Number.isFinite(x)) return fixed(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return minus(x.toExponential(n - 1));
  if (a >= 10 ** n) return minus(WHOLE.format(Math.round(x)));
  return minus(x.toPrecision(n));
}

/** Signed, 3 decimals: +0.012, −0.340. */
export function signed(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return fixed(x);
  const s = fixed(x, 3);
  return x > 0 ? `+${s}` : s;
}

/** A whole number with thousands separators: 4,547. */
export function int(x) {
  return typeof x === 'number' && Number.isFinite(x) ? WHOLE.format(Math.round(x)) : '—';
}

/** A fraction as a percentage: 97.8%. */
export function pct(x, digits = 1) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

/** A difference of two fractions in points, signed: "+2.4", "−5.0", "0.0". */
export function points(diff) {
  if (typeof diff !== 'number' || !Number.isFinite(diff)) return '—';
  const s = Math.abs(diff * 100).toFixed(1);
  return diff > 0 ? `+${s}` : diff < 0 ? `${MINUS}${s}` : s;
}

/** `digits` decimals, never an exponent: the bias shifts (0.35). */
export function decimals(x, digits = 2) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** The temperature as every panel shows it (3 significant digits): 4, 2.5, 0.333. */
export function temperatureText(temperature) {
  return String(Number(Number(temperature).toPrecision(3)));
}

/** What one of `n` test samples is worth in accuracy points, as every sentence quotes it: 0.22 for 451. */
export function samplePoints(n) {
  return sig(100 / Math.max(1, n), 2);
}

/** A ratio: "35×", "7.5×". */
export function times(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0) return '—';
  return `${ratio >= 10 ? WHOLE.format(Math.round(ratio)) : ratio.toFixed(1)}×`;
}

/** Bytes in KB (two decimals under 10 KB). */
export function kb(bytes) {
  return (bytes / 1024).toFixed(bytes < 10 * 1024 ? 2 : 1);
}

/** Megabytes with one decimal (file sizes in messages). */
export function mb(bytes, unit = 1048576) {
  return (bytes / unit).toFixed(1);
}
