// The browser half of `cargo xtask bench` (see xtask/src/bench.rs, which serves www/ and runs this with
// KD_URL set): in one headless Chromium,
//   1. throughput the learner feels, first, while the browser is fresh: the wall time from Play to Done
//      of the default digits run at full speed in the page, against the same run by the native `kd run` (KD_CLI),
//      the two alternating, as a ratio;
//   2. the reference workload (64-256-256-10, Adam, batch 32, 1437 digits samples, 5 epochs) trained by the
//      crate's WebAssembly build and by TensorFlow.js 4.22's wasm backend (SIMD) and cpu backend, checking that
//      they reach the same training loss;
//   3. the page while it trains digits for 10 s with every chart updating: long tasks (PerformanceObserver
//      'longtask'), UI updates per second, and how soon a click on a sample is answered; then the same with the
//      CPU throttled 4× (DevTools' Emulation.setCPUThrottlingRate: a phone-class CPU); and whether it trained in a
//      worker (www/remote.js);
//   4. start-up: everything the page loads, gzip-compressed, and the time to its first full render;
//   5. drawing: one redraw of the default layout; memory: the wasm memory after the default digits run.
// It prints a table and, on its last line, one JSON object with every figure (each the median of its runs).
// Environment: KD_URL (the served www/), KD_NATIVE_JSON (the native half's JSON, merged into the last line),
// KD_BENCH_REPEATS (runs per figure, default 5), KD_CLI (the native kd, release build).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launch } from '../../tests/e2e/browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const REPEATS = Math.max(1, Number(process.env.KD_BENCH_REPEATS ?? 5));
const EPOCHS = 5;
const PLAY_SECONDS = 10;
const CLICKS = 5;
const PHONE_THROTTLE = 4; // Chromium's CPU slowed this many times: a phone-class CPU
const KD = process.env.KD_CLI;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, digits = 2) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));
const log = (...args) => console.error(...args); // progress on stderr; stdout holds the results

/** Serves /bench/… from this folder and TensorFlow.js's files from node_modules, on the page's origin. */
async function routeBenchFiles(page) {
  const tfjs = {
    'tf.min.js': 'node_modules/@tensorflow/tfjs/dist/tf.min.js',
    'tf-backend-wasm.min.js': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
  };
  await page.route(new URL('bench/**', PAGE_URL).href, (route) => {
    const rel = new URL(route.request().url()).pathname.replace(/^.*?\/bench\//, '');
    let file;
    if (rel.startsWith('tfjs/')) {
      const name = rel.slice('tfjs/'.length);
      file = tfjs[name] ?? (/^[\w.-]+\.wasm$/.test(name) ? `node_modules/@tensorflow/tfjs-backend-wasm/dist/${name}` : null);
    } else if (['workload.html', 'workload.js'].includes(rel)) {
      file = rel;
    }
    if (!file) return route.fulfill({ status: 404, body: 'not found' });
    const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.html') ? 'text/html' : 'text/javascript';
    return route.fulfill({ body: fs.readFileSync(path.join(HERE, file)), contentType: type });
  });
}

/** GFLOP/s and final loss of each run; the median run's figures. */
function summarise(runs) {
  const gflops = runs.map((r) => r.flops / r.ms / 1e6);
  return { gflops: median(gflops), seconds: median(runs.map((r) => r.ms / 1000)), loss: median(runs.map((r) => r.losses.at(-1))), runs: runs.length, all: gflops };
}

async function workload(browser) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log(`workload page error: ${e.message}`));
  await routeBenchFiles(page);
  await page.goto(new URL('bench/workload.html', PAGE_URL).href);
  await page.waitForSelector('body[data-ready="true"]');
  log(`wasm: ${REPEATS} + 1 runs of ${EPOCHS} epochs…`);
  await page.evaluate((e) => window.kdBench.kd(e, 1), EPOCHS); // warm-up
  const kd = summarise(await page.evaluate(([e, r]) => window.kdBench.kd(e, r), [EPOCHS, REPEATS]));
  log(`TensorFlow.js wasm: ${REPEATS} runs…`);
  const tfjsRuns = await page.evaluate(([e, r]) => window.kdBench.tfjs('wasm', e, r), [EPOCHS, REPEATS]);
  const tfjsWasm = { ...summarise(tfjsRuns), simd: tfjsRuns[0].simd, backend: tfjsRuns[0].backend };
  log('TensorFlow.js cpu: 1 run…');
  const tfjsCpu = summarise(await page.evaluate(([e, r]) => window.kdBench.tfjs('cpu', e, r), [EPOCHS, 1]));
  await page.close();
  return { kd, tfjsWasm, tfjsCpu };
}

/**
 * Long tasks, UI updates and click latency while the page trains digits for PLAY_SECONDS, with the CPU slowed
 * `throttle` times (1: as it is).
 */
async function responsiveness(browser, throttle = 1) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  if (throttle !== 1) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  }
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  // digits' defaults, with enough student epochs that training outlasts the measurement
  await page.goto(new URL('#dataset=digits&studentEpochs=400', PAGE_URL).href);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForTimeout(500);
  await page.waitForFunction(() => !document.getElementById('btn-play').disabled, null, { timeout: 5000 }).catch(async () => {
    throw new Error(`Play stays disabled: ${await page.textContent('#phase')} ${await page.textContent('#error-text')}`);
  });
  const before = await page.evaluate(() => ({ stats: window.kdPerformance.stats(), now: performance.now() }));
  await page.click('#btn-play');
  const started = Date.now();
  const latencies = [];
  for (let i = 0; i < CLICKS; i++) {
    await page.waitForTimeout((PLAY_SECONDS * 1000) / (CLICKS + 1));
    // where the gallery is now (the page's layout changes as training goes on)
    await page.locator('#samples').scrollIntoViewIfNeeded();
    const box = await page.locator('#samples').boundingBox();
    // a click on a sample: from the browser's timestamp of the event to the first frame after the sample's
    // description changed (the listener is in place before the click: this evaluate returns once it is)
    await page.evaluate(() => {
      window.__answered = new Promise((resolve) => {
        const canvas = document.getElementById('samples');
        const desc = document.getElementById('sample-desc');
        const old = desc.textContent;
        let stamp = null;
        canvas.addEventListener('pointerdown', (e) => { stamp = e.timeStamp; }, { capture: true, once: true });
        const observer = new MutationObserver(() => {
          if (stamp === null || desc.textContent === old) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - stamp));
        });
        observer.observe(desc, { childList: true, characterData: true, subtree: true });
        setTimeout(() => { observer.disconnect(); resolve(null); }, 5000);
      });
    });
    await page.mouse.click(box.x + box.width * (0.1 + 0.15 * i), box.y + box.height * (0.2 + 0.12 * i));
    latencies.push(await page.evaluate(() => window.__answered));
  }
  await page.waitForTimeout(Math.max(0, PLAY_SECONDS * 1000 - (Date.now() - started)));
  const after = await page.evaluate(() => ({
    stats: window.kdPerformance.stats(), now: performance.now(), tasks: window.__longTasks,
    phase: document.getElementById('phase').dataset.phase, worker: window.kdPerformance.worker(),
  }));
  await page.close();
  const seconds = (after.now - before.now) / 1000;
  const during = after.tasks.filter((t) => t.start >= before.now);
  const rate = (a, b) => (b - a) / seconds;
  const draws = {};
  for (const part of Object.keys(after.stats.draws)) {
    const a = after.stats.draws[part];
    const b = before.stats.draws[part];
    draws[part] = { perSecond: rate(b.count, a.count), meanMs: (a.totalMs - b.totalMs) / Math.max(1, a.count - b.count), maxMs: a.maxMs };
  }
  return {
    seconds,
    worker: after.worker,
    phaseAtEnd: after.phase, // 'teacher' or 'distil': still training when measured
    longTasksOver50: during.filter((t) => t.duration > 50).length,
    longestTaskMs: during.reduce((m, t) => Math.max(m, t.duration), 0),
    updatesPerSecond: rate(before.stats.updates, after.stats.updates),
    framesPerSecond: rate(before.stats.frames, after.stats.frames),
    draws,
    teach: { perSecond: rate(before.stats.teach.count, after.stats.teach.count), maxMs: after.stats.teach.maxMs },
    clickMs: latencies,
  };
}

/** Bytes of everything a fresh load of the page fetches, raw and gzip -9, and its first-render time. */
async function startup(browser) {
  const loads = [];
  for (let i = 0; i < REPEATS; i++) {
    const context = await browser.newContext(); // a cold cache each time
    const page = await context.newPage();
    const bodies = [];
    page.on('response', (r) => bodies.push(r.body().then((b) => ({ url: r.url(), bytes: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length })).catch(() => null)));
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForLoadState('networkidle');
    const firstRender = await page.evaluate(() => performance.getEntriesByName('kd-first-render')[0]?.startTime ?? null);
    const files = (await Promise.all(bodies)).filter(Boolean);
    loads.push({ firstRender, files });
    await context.close();
  }
  const files = loads[0].files;
  return {
    firstRenderMs: median(loads.map((l) => l.firstRender)),
    files: files.length,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    gzipBytes: files.reduce((s, f) => s + f.gzip, 0),
    largest: [...files].sort((a, b) => b.gzip - a.gzip).slice(0, 3).map((f) => ({ file: new URL(f.url).pathname, gzip: f.gzip })),
  };
}

/** One redraw of the main layout on the default page and on digits, after a few epochs. */
async function drawing(browser) {
  const out = {};
  for (const [name, hash] of [['default', ''], ['digits', '#dataset=digits']]) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(new URL(hash, PAGE_URL).href);
    await page.waitForSelector('body[data-ready="true"]');
    for (let i = 0; i < 3; i++) await page.click('#btn-step-epoch');
    const times = await page.evaluate((n) => Array.from({ length: n }, () => window.kdPerformance.redrawAll()), Math.max(5, REPEATS * 2));
    out[name] = { medianMs: median(times), maxMs: Math.max(...times) };
    await page.close();
  }
  return out;
}

/** The wasm memory after training the default digits run to the end at full speed. */
async function memory(browser) {
  const page = await browser.newPage();
  await page.goto(new URL('#dataset=digits', PAGE_URL).href);
  await page.waitForSelector('body[data-ready="true"]');
  await page.selectOption('#speed', 'max');
  await page.click('#btn-play');
  await page.waitForFunction(() => document.getElementById('phase')?.dataset.phase === 'done', null, { timeout: 300_000 });
  const bytes = await page.evaluate(async () => {
    const glue = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
    const exports = await glue.default(); // already initialised: returns the running module's exports
    return exports.memory.buffer.byteLength;
  });
  await page.close();
  return { bytes };
}

/**
 * Seconds from Play to Done of the default digits run at full speed in the page (from the click's event to the
 * status line saying done), against the same run by the native kd (its settings from the page's run file). The page's
 * runs and kd's alternate, so that a machine that slows down or speeds up meanwhile moves both alike.
 */
async function throughput(browser) {
  const pageSeconds = [];
  const nativeSeconds = [];
  for (let i = 0; i < REPEATS; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(new URL('#dataset=digits', PAGE_URL).href);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#speed', 'max');
    await page.waitForSelector('body[data-settled="true"]', { state: 'attached' });
    const done = page.evaluate(() => new Promise((resolve) => {
      let start = null;
      document.getElementById('btn-play').addEventListener('click', (e) => { start = e.timeStamp; }, { capture: true, once: true });
      const phase = document.getElementById('phase');
      const observer = new MutationObserver(() => {
        if (start === null || phase.dataset.phase !== 'done') return;
        observer.disconnect();
        resolve((performance.now() - start) / 1000);
      });
      observer.observe(phase, { attributes: true, attributeFilter: ['data-phase'] });
    }));
    await page.click('#btn-play');
    pageSeconds.push(await done);
    await page.close();
    if (KD) {
      const start = process.hrtime.bigint();
      execFileSync(KD, ['run', '--dataset', 'digits', '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
      nativeSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return { page: median(pageSeconds), native: nativeSeconds.length ? median(nativeSeconds) : null };
}

const browser = await launch();
let results;
try {
  // Play to Done first, while the browser is fresh (a closed page was measured to leave no work behind, but nothing
  // is lost by not depending on it)
  log('Play to Done, page and native…');
  const flow = await throughput(browser);
  const work = await workload(browser);
  log('responsiveness…');
  const live = await responsiveness(browser);
  log(`responsiveness, CPU throttled ${PHONE_THROTTLE}×…`);
  const phone = await responsiveness(browser, PHONE_THROTTLE);
  log('start-up…');
  const start = await startup(browser);
  log('drawing…');
  const draw = await drawing(browser);
  log('memory…');
  const mem = await memory(browser);
  results = { work, live, phone, flow, start, draw, mem };
} finally {
  await browser.close();
}

const native = process.env.KD_NATIVE_JSON && fs.existsSync(process.env.KD_NATIVE_JSON)
  ? JSON.parse(fs.readFileSync(process.env.KD_NATIVE_JSON, 'utf8')) : {};
const { work, live, phone, flow, start, draw, mem } = results;
const sameLoss = (a, b) => Math.abs(Math.log(a / b)) < Math.log(2);
const clicks = live.clickMs.filter((x) => x !== null);
const phoneClicks = phone.clickMs.filter((x) => x !== null);
const summary = {
  native_gflops: round(native.gflops),
  native_loss: round(native.loss, 4),
  native_allocations_per_step: native.allocations_per_step ?? null,
  wasm_gflops: round(work.kd.gflops),
  wasm_loss: round(work.kd.loss, 4),
  tfjs_wasm_gflops: round(work.tfjsWasm.gflops),
  tfjs_wasm_loss: round(work.tfjsWasm.loss, 4),
  tfjs_wasm_simd: work.tfjsWasm.simd,
  tfjs_cpu_gflops: round(work.tfjsCpu.gflops, 3),
  wasm_vs_tfjs: round(work.kd.gflops / work.tfjsWasm.gflops, 1),
  same_loss: sameLoss(work.kd.loss, work.tfjsWasm.loss) && (native.loss === undefined || sameLoss(work.kd.loss, native.loss)),
  worker: live.worker,
  long_tasks_over_50ms: live.longTasksOver50,
  longest_task_ms: round(live.longestTaskMs, 0),
  ui_updates_per_s: round(live.updatesPerSecond, 1),
  chart_redraws_per_s: Object.fromEntries(Object.entries(live.draws).map(([k, v]) => [k, round(v.perSecond, 1)])),
  click_ms_max: clicks.length === live.clickMs.length ? round(Math.max(...clicks), 0) : null,
  click_ms_median: clicks.length ? round(median(clicks), 0) : null,
  throttled_cpu: PHONE_THROTTLE,
  throttled_long_tasks_over_50ms: phone.longTasksOver50,
  throttled_longest_task_ms: round(phone.longestTaskMs, 0),
  throttled_ui_updates_per_s: round(phone.updatesPerSecond, 1),
  throttled_click_ms_max: phoneClicks.length === phone.clickMs.length ? round(Math.max(...phoneClicks), 0) : null,
  page_digits_play_to_done_s: round(flow.page, 2),
  native_digits_run_s: round(flow.native, 2),
  page_vs_native_digits: flow.native ? round(flow.page / flow.native, 2) : null,
  first_render_ms: round(start.firstRenderMs, 0),
  transfer_bytes: start.bytes,
  transfer_gzip_bytes: start.gzipBytes,
  redraw_default_ms: round(draw.default.medianMs),
  redraw_digits_ms: round(draw.digits.medianMs),
  wasm_memory_bytes: mem.bytes,
};

const rows = [
  ['what', 'measured', 'target'],
  ['native Rust, release (reference workload)', `${summary.native_gflops} GFLOP/s, loss ${summary.native_loss}`, '≥ 20 GFLOP/s'],
  ['crate wasm in Chromium', `${summary.wasm_gflops} GFLOP/s, loss ${summary.wasm_loss}`, ''],
  ['TensorFlow.js 4.22 wasm (SIMD) in the same run', `${summary.tfjs_wasm_gflops} GFLOP/s, loss ${summary.tfjs_wasm_loss}`, ''],
  ['TensorFlow.js 4.22 cpu', `${summary.tfjs_cpu_gflops} GFLOP/s`, ''],
  ['wasm ÷ TensorFlow.js wasm', `${summary.wasm_vs_tfjs}×${summary.same_loss ? '' : ' (losses differ!)'}`, '≥ 10×'],
  [`long tasks > 50 ms in ${round(live.seconds, 1)} s of digits training`, `${summary.long_tasks_over_50ms} (longest ${summary.longest_task_ms} ms)`, '0'],
  ['UI updates per second while training', `${summary.ui_updates_per_s} (charts: ${Object.entries(summary.chart_redraws_per_s).map(([k, v]) => `${k} ${v}/s`).join(', ')})`, '≥ 50'],
  ['click on a sample answered', `median ${summary.click_ms_median} ms, max ${summary.click_ms_max} ms`, '≤ 100 ms'],
  ['training in a Web Worker', String(summary.worker), 'true'],
  [`CPU throttled ${PHONE_THROTTLE}×: long tasks > 50 ms while training`, `${summary.throttled_long_tasks_over_50ms} (longest ${summary.throttled_longest_task_ms} ms)`, '0'],
  [`CPU throttled ${PHONE_THROTTLE}×: UI updates per second`, String(summary.throttled_ui_updates_per_s), '≥ 30'],
  [`CPU throttled ${PHONE_THROTTLE}×: click on a sample answered`, `max ${summary.throttled_click_ms_max} ms`, '≤ 150 ms'],
  ['default digits run, Play to Done: page ÷ native kd', `${summary.page_vs_native_digits}× (${summary.page_digits_play_to_done_s} s ÷ ${summary.native_digits_run_s} s)`, '≤ 1.5×'],
  ['first full render (localhost)', `${summary.first_render_ms} ms`, '≤ 1000 ms'],
  ['all the page loads', `${(summary.transfer_gzip_bytes / 1024).toFixed(1)} KiB gzip -9 (${(summary.transfer_bytes / 1024).toFixed(1)} KiB raw, ${start.files} files)`, '≤ 400 KB'],
  ['redraw of the main layout', `default ${summary.redraw_default_ms} ms, digits ${summary.redraw_digits_ms} ms`, '≤ 8 ms'],
  ['wasm memory after the default digits run', `${(summary.wasm_memory_bytes / 2 ** 20).toFixed(1)} MiB`, '≤ 64 MB'],
  ['allocations per training step (native)', native.allocations_per_step === undefined ? '—' : JSON.stringify(native.allocations_per_step), '0 (buffers reused)'],
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
for (const r of rows) console.log(r.map((cell, c) => String(cell).padEnd(widths[c])).join('   ').trimEnd());
console.log(`largest files (gzip): ${start.largest.map((f) => `${f.file} ${(f.gzip / 1024).toFixed(1)} KiB`).join(', ')}`);
console.log(JSON.stringify(summary));
