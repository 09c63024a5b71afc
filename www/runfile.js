// Saving and loading runs, and downloading what the page shows: a run as JSON (settings, history and the
// three networks' weights, as the engine's exportRun() gives them), the curves as CSV, any chart as PNG.
// The engine builds every document; this module only moves bytes between it, files and the browser.

import { ensureDataset } from './run.js';
import { messageOf } from './i18n.js';

// The engine is imported when a run is loaded (not at start), so that a page whose engine failed to load
// still loads this module and can say so.
const ENGINE_URL = './pkg/kd_playground.js';

/** Largest run file the page reads (the digits teacher's weights are well under 10 MB as JSON). */
export const MAX_RUN_FILE_BYTES = 50 * 1024 * 1024;

/**
 * A file name made safe: only ASCII letters, digits, '.', '_' and '-' survive (anything else becomes '-'),
 * runs of '-' collapse, no leading dot, at most 80 characters. Never empty.
 */
export function safeFileName(text, fallback = 'kd-playground') {
  const cleaned = String(text ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '')
    .slice(0, 80);
  return cleaned || fallback;
}

/** `kd-run-<dataset>-seed<seed>.json` from a run's settings (the values the engine reports). */
export function runFileName(settings) {
  const dataset = safeFileName(settings?.dataset, 'data');
  const seed = Number.isFinite(Number(settings?.seed)) ? String(Math.trunc(Number(settings.seed))) : '0';
  return `${safeFileName(`kd-run-${dataset}-seed${seed}`)}.json`;
}

/** `kd-curves-<dataset>-seed<seed>.csv`. */
export function curvesFileName(settings) {
  const dataset = safeFileName(settings?.dataset, 'data');
  const seed = Number.isFinite(Number(settings?.seed)) ? String(Math.trunc(Number(settings.seed))) : '0';
  return `${safeFileName(`kd-curves-${dataset}-seed${seed}`)}.csv`;
}

/** `kd-<canvas id>.png` (`kd-chart.png` for a canvas without an id). */
export function pngFileName(canvas) {
  return `${safeFileName(`kd-${canvas?.id || 'chart'}`)}.png`;
}

/**
 * Offers `blob` as a download named `filename`, through a temporary link inside `container` (so that it
 * works in every browser); the object URL is revoked once the browser has taken it.
 */
export function downloadBlob(blob, filename, container = document.body) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  container.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The run as a JSON blob (the engine's exportRun(), unchanged). */
export function runBlob(pg) {
  return new Blob([JSON.stringify(pg.exportRun())], { type: 'application/json' });
}

/** The curves as a CSV blob (the engine's curvesCsv(), unchanged). */
export function curvesBlob(pg) {
  return new Blob([pg.curvesCsv()], { type: 'text/csv' });
}

/** The canvas as a PNG blob; rejects when the canvas is empty (not displayed yet). */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) => {
    if (!canvas.width || !canvas.height) {
      reject(new RunFileError('empty-canvas'));
      return;
    }
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new RunFileError('empty-canvas'))), 'image/png');
  });
}

/**
 * An error this module reports: `code` names the message in the catalogue (teach.runfile.error.<code>),
 * `detail` is the engine's or the parser's own text, shown as text.
 */
export class RunFileError extends Error {
  constructor(code, detail = '') {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'RunFileError';
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Reads a run file chosen by the user and rebuilds its Playground with the engine's importRun (which checks the
 * format, the version, the settings and every weight's shape, with a message for each): `{pg, document}` (the parsed
 * file, from which the worker builds the same run). Throws RunFileError, never anything else.
 * @param {File} file
 * @returns {Promise<{pg: import('./pkg/kd_playground.js').Playground, document: object}>}
 */
export async function loadRunFile(file) {
  if (!file) throw new RunFileError('no-file');
  if (file.size > MAX_RUN_FILE_BYTES) throw new RunFileError('too-large', `${file.size} bytes`);
  let text;
  try {
    text = await file.text();
  } catch (e) {
    throw new RunFileError('unreadable', messageOf(e));
  }
  let document;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new RunFileError('not-json', messageOf(e));
  }
  let engine;
  try {
    engine = await import(ENGINE_URL);
  } catch (e) {
    throw new RunFileError('no-engine', messageOf(e));
  }
  // the run's data set may still have to be fetched (digits); the engine checks everything else
  const dataset = document?.settings?.dataset;
  if (typeof dataset === 'string') {
    try {
      await ensureDataset(engine, dataset);
    } catch (e) {
      throw new RunFileError('rejected', messageOf(e));
    }
  }
  try {
    return { pg: engine.Playground.importRun(document), document };
  } catch (e) {
    throw new RunFileError('rejected', messageOf(e));
  }
}
