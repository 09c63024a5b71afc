// The page's core flow in browser engines other than Chromium: Firefox (Gecko) through puppeteer-core over WebDriver
// BiDi, and WebKitGTK (Safari's engine) through selenium-webdriver and WebKitWebDriver under Xvfb. Each engine is
// wrapped in the same small driver (goto, run, waitFor, click, select, press, screenshot, problems, close), and
// coreFlow() runs one learner's flow on it. firefox.test.mjs and webkit.test.mjs are the tests.
// Nothing here downloads a browser: both engines are Debian's (cargo xtask test installs them with apt-get).
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
/** Where the screenshots go (none when KD_SCREENSHOT_DIR is not set). */
export const SHOTS = process.env.KD_SCREENSHOT_DIR ? path.resolve(process.env.KD_SCREENSHOT_DIR) : null;
/** Every wait is for a state of the page; this is only how long before it counts as never. */
export const WAIT_MS = 60_000;
/** The width of the screenshots and of the window, in CSS pixels. */
const WIDTH = 1366;
const HEIGHT = 900;

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const catalogue = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, 'www', 'locales', `${lang}.json`), 'utf8'));

// ---------------------------------------------------------------------------------------------------------------
// Page-side functions (serialised into the page: each must be self-contained)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Records the page's problems in window.__kdProblems: console.error, uncaught errors, failed resources, unhandled
 * rejections and Content-Security-Policy violations. For a driver that cannot listen to the console (WebKit's).
 * Returns when it was installed (once per document): the document's readyState, and before or after the page's script.
 */
function installRecorder() {
  if (window.__kdProblems) return null;
  const problems = [];
  window.__kdProblems = problems;
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    problems.push(`console error: ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ')}`);
    consoleError(...args);
  };
  window.addEventListener('error', (e) => {
    if (e instanceof ErrorEvent) problems.push(`page error: ${e.message} (${e.filename}:${e.lineno})`);
    else problems.push(`resource failed: <${e.target?.tagName?.toLowerCase()}> ${e.target?.src || e.target?.href || ''}`);
  }, true);
  window.addEventListener('unhandledrejection', (e) => problems.push(`unhandled rejection: ${e.reason?.message ?? e.reason}`));
  document.addEventListener('securitypolicyviolation', (e) => problems.push(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  // main.js sets window.kdPerformance as it starts: whether the page's own script ran before the recorder
  return `${document.readyState}, ${window.kdPerformance ? 'after' : 'before'} the page's script started`;
}

/** The page's state in one read: phase, steps done, whether playing, the selected sample, T, the language. */
function pageState() {
  const text = (id) => document.getElementById(id)?.textContent ?? '';
  const phase = text('phase');
  const epoch = /(\d+)\s*\/\s*\d+/.exec(phase);
  return {
    ready: document.body.dataset.ready === 'true',
    settled: document.body.dataset.settled === 'true',
    phase,
    phaseKey: document.getElementById('phase')?.dataset.phase ?? null,
    epoch: epoch ? Number(epoch[1]) : null,
    steps: Number(document.getElementById('phase-detail')?.dataset.steps ?? 'NaN'),
    playing: document.getElementById('btn-play')?.getAttribute('aria-pressed') === 'true',
    playDisabled: document.getElementById('btn-play')?.disabled ?? true,
    sample: text('sample-desc'),
    temperature: document.getElementById('set-temperature-num')?.value ?? null,
    temperatureMax: document.getElementById('set-temperature')?.max ?? null,
    lang: document.documentElement.lang,
    error: document.getElementById('error')?.hidden === false ? text('error-text') : '',
  };
}

/**
 * The ink of every canvas that is laid out (not display:none, nonzero size): distinct colours, and pixels that are
 * not the canvas's most common colour (its background, light or dark). Reads the pixels with getImageData.
 */
function canvasInk() {
  return [...document.querySelectorAll('canvas')]
    .filter((c) => c.getClientRects().length > 0 && c.width > 0 && c.height > 0)
    .map((c) => {
      const { width, height } = c;
      const data = new Uint32Array(c.getContext('2d').getImageData(0, 0, width, height).data.buffer);
      const counts = new Map();
      for (const px of data) counts.set(px, (counts.get(px) ?? 0) + 1);
      const background = Math.max(...counts.values());
      return { id: c.id || c.className, width, height, colours: counts.size, ink: data.length - background };
    });
}

/** A fingerprint of a canvas's pixels (FNV-1a of its RGBA words), to tell whether it was redrawn differently. */
function canvasHash(selector) {
  const c = document.querySelector(selector);
  const data = new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
  let h = 2166136261;
  for (const px of data) h = Math.imul(h ^ px, 16777619) >>> 0;
  return `${c.width}x${c.height}:${h.toString(16)}`;
}

/** The numbers of one row of the selected sample's table (−0.25 is written with a minus sign), and its label. */
function tableRow(key) {
  const tr = document.querySelector(`#sample-table tr[data-row="${key}"]`);
  if (!tr) return null;
  return {
    label: tr.querySelector('th')?.textContent ?? '',
    values: [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.replace('\u2212', '-'))),
  };
}

/** Resolves after `n` animation frames: for checking that something did *not* happen (no training while paused). */
function animationFrames(n) {
  return new Promise((resolve) => {
    const tick = (left) => (left ? requestAnimationFrame(() => tick(left - 1)) : resolve(true));
    tick(n);
  });
}

/** Whether `selector` is laid out (shown). */
function isShown(selector) {
  const el = document.querySelector(selector);
  return Boolean(el && el.getClientRects().length > 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Drivers
// ---------------------------------------------------------------------------------------------------------------

/** A free TCP port on 127.0.0.1. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `promise`, or a rejection after `ms` (for the shutdown steps, which must never hang the test run). */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Firefox ESR through puppeteer-core over WebDriver BiDi (puppeteer-core never downloads a browser). Records console
 * errors, page errors, failed requests and HTTP errors from the first request on.
 */
export async function firefoxDriver() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const problems = [];
    const origin = new URL(PAGE_URL).origin;
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== origin) problems.push(`request to another origin: ${r.url()}`);
    });
    await page.setViewport({ width: WIDTH, height: HEIGHT });
    return {
      name: 'firefox',
      version: await browser.version(),
      async goto(url) { await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS }); },
      run: (fn, ...args) => page.evaluate(fn, ...args),
      async waitFor(fn, arg, what, timeout = WAIT_MS) {
        try {
          await page.waitForFunction(fn, { timeout }, arg);
        } catch (e) {
          throw new Error(`waiting for ${what}: ${e.message}`);
        }
      },
      async click(selector, fx = 0.5, fy = 0.5) {
        const el = await page.$(selector);
        assert.ok(el, `${selector} exists`);
        await el.scrollIntoView();
        const box = await el.boundingBox();
        await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      },
      async select(selector, value) { await page.select(selector, value); },
      async press(selector, key) {
        await page.focus(selector);
        await page.keyboard.press(key);
      },
      async screenshot(file) { await page.screenshot({ path: file, fullPage: true }); },
      problems: async () => problems,
      async close() { await within(browser.close(), 30_000, 'closing Firefox'); },
    };
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
}

/**
 * WebKitGTK through selenium-webdriver: starts `xvfb-run -a WebKitWebDriver --port=N` (MiniBrowser needs a display)
 * in a process group of its own, which close() ends whatever happened (driver, Xvfb, MiniBrowser, web processes).
 * WebKitWebDriver gives neither console logs nor a BiDi socket (and MiniBrowser's console-to-stdout setting is not
 * applied to automation windows), so a recorder (installRecorder) is injected into the page as soon as WebDriver can
 * run a script in its document (page load strategy "none"): often before the page's own script starts, sometimes
 * only after the load event. Whatever is thrown before it still shows in the page's own alert (#error), which the
 * flow asserts hidden; a console.error call before it is missed. The test says when it was installed.
 */
export async function webkitDriver() {
  const { Builder, By, Key } = await import('selenium-webdriver');
  const port = await freePort();
  // xvfb-run starts the command once Xvfb is ready; the command says so on stdout (DISPLAY_READY), then becomes the
  // driver, which listens on its port a moment later (it prints nothing when it does)
  const DISPLAY_READY = 'kd-e2e: the display is ready, starting WebKitWebDriver';
  const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 1920x1200x24 -nolisten tcp',
    'sh', '-c', `echo '${DISPLAY_READY}'; exec "$0" "$@"`, WEBKIT_DRIVER, `--port=${port}`], {
    detached: true, // its own process group: close() signals the whole group
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let displayReady;
  const started = new Promise((resolve) => { displayReady = resolve; });
  const keep = (d) => {
    log = (log + d).slice(-4000);
    if (log.includes(DISPLAY_READY)) displayReady(true);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; displayReady(false); });
  // the group dies with node whatever happens (a test cut short by its timeout)
  const killNow = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
  // while the display and the driver start, and while the group ends, the child keeps node's event loop alive (the
  // only thing awaited then is its output or its exit); otherwise it is unreferenced
  child.stdout.unref();
  child.stderr.unref();
  process.once('exit', killNow);
  const killGroup = async () => {
    if (!gone) {
      // the whole group: Xvfb and the driver end on SIGTERM (Xvfb removes its display's lock), and xvfb-run, a shell
      // script with no handler for it, ends at once
      child.ref();
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      await exited;
    }
    // a browser or web process that outlived the group's leader: end the rest of the group too
    killNow();
    process.removeListener('exit', killNow);
  };

  let driver = null;
  try {
    // the driver is up when its /status says so: asked again as soon as a request is refused, from the moment the
    // display is ready (the driver binds its port a few milliseconds after it starts)
    if (!await started) throw new Error(`xvfb-run exited before the display was ready:\n${log}`);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (gone) throw new Error(`WebKitWebDriver exited before it was ready:\n${log}`);
      const ready = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.json()).then((s) => s.value?.ready).catch(() => false);
      if (ready) {
        child.unref();
        break;
      }
      if (Date.now() > deadline) throw new Error(`WebKitWebDriver not ready on port ${port} after ${WAIT_MS} ms:\n${log}`);
    }
    driver = await within(new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({
        browserName: 'MiniBrowser',
        pageLoadStrategy: 'none',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      })
      .build(), WAIT_MS, 'starting a WebKit session');
    await driver.manage().setTimeouts({ script: WAIT_MS });
    // the window's outer size, corrected so that the page's viewport is WIDTH wide
    await driver.manage().window().setRect({ width: WIDTH, height: HEIGHT });
    const inner = await driver.executeScript('return window.innerWidth');
    if (inner !== WIDTH) await driver.manage().window().setRect({ width: 2 * WIDTH - inner, height: HEIGHT });
    const caps = await driver.getCapabilities();
    const run = (fn, ...args) => driver.executeScript(`return (${fn}).apply(null, arguments);`, ...args);
    const element = async (selector) => {
      const el = await driver.findElement(By.css(selector));
      await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
      return el;
    };
    const keys = { End: Key.END, Home: Key.HOME, Enter: Key.ENTER, Tab: Key.TAB };
    let recorder = null;
    return {
      name: 'webkit',
      version: `${caps.get('browserName')} ${caps.get('browserVersion')}`,
      /** Navigates, installs the recorder in the new document as soon as it exists, and waits for the load event. */
      async goto(url) {
        await driver.get(url);
        const deadline = Date.now() + WAIT_MS;
        for (;;) {
          const here = await driver.executeScript('return [location.href, document.readyState]').catch(() => null);
          if (here && here[0].split('#')[0] === url.split('#')[0]) {
            recorder = await run(installRecorder).catch(() => null);
            if (recorder) break;
          }
          if (Date.now() > deadline) throw new Error(`the page ${url} did not open in ${WAIT_MS} ms`);
        }
        await driver.wait(async () => (await driver.executeScript('return document.readyState')) === 'complete', WAIT_MS, 'the load event');
      },
      /** When the recorder was installed: the document's readyState, and before or after the page's script started. */
      recorderInstalledAt: () => recorder,
      run,
      async waitFor(fn, arg, what, timeout = WAIT_MS) {
        await driver.wait(async () => Boolean(await run(fn, arg)), timeout, `waiting for ${what}`);
      },
      async click(selector, fx = 0.5, fy = 0.5) {
        const el = await element(selector);
        const { width, height } = await el.getRect();
        // WebDriver's pointer offsets are from the element's centre
        const x = Math.round(width * (fx - 0.5));
        const y = Math.round(height * (fy - 0.5));
        await driver.actions().move({ origin: el, x, y }).click().perform();
      },
      async select(selector, value) {
        await (await element(`${selector} option[value="${value}"]`)).click();
      },
      async press(selector, key) {
        await (await element(selector)).sendKeys(keys[key] ?? key);
      },
      /**
       * The whole page: WebDriver's screenshots stop at the window, so the window is made as tall as the page (the
       * panels that load near the window then load: the page settles first), shot, and given its height back.
       */
      async screenshot(file) {
        const rect = await driver.manage().window().getRect();
        const settledNow = async () => {
          await run(animationFrames, 2); // the resize and its observers have run
          await driver.wait(async () => (await driver.executeScript('return document.body.dataset.settled')) === 'true', WAIT_MS, 'the page to settle');
        };
        const chrome = rect.height - await driver.executeScript('return window.innerHeight'); // the window's own bars
        for (let i = 0; i < 4; i++) {
          const [full, inner] = await driver.executeScript('return [document.documentElement.scrollHeight, window.innerHeight]');
          if (full <= inner) break;
          await driver.manage().window().setRect({ width: rect.width, height: full + chrome });
          await driver.wait(async () => (await driver.executeScript('return window.innerHeight')) >= full, WAIT_MS, 'the window to grow');
          await settledNow();
        }
        const png = await driver.takeScreenshot();
        fs.writeFileSync(file, Buffer.from(png, 'base64'));
        await driver.manage().window().setRect({ width: rect.width, height: rect.height });
        await driver.wait(async () => (await driver.executeScript('return window.outerHeight')) === rect.height, WAIT_MS, 'the window to shrink back');
        await settledNow();
      },
      /** The recorder's list, and every resource the page loaded from another origin (the Resource Timing list). */
      async problems() {
        return run(() => [
          ...(window.__kdProblems ?? ['the problem recorder is missing']),
          ...performance.getEntriesByType('resource')
            .filter((e) => /^https?:/.test(e.name) && new URL(e.name).origin !== window.location.origin)
            .map((e) => `request to another origin: ${e.name}`),
        ]).catch((e) => [`cannot read the recorder: ${e.message}`]);
      },
      async close() {
        try {
          await within(driver.quit(), 30_000, 'closing the WebKit session');
        } finally {
          await killGroup();
        }
      },
    };
  } catch (e) {
    if (driver) await within(driver.quit(), 30_000, 'closing the WebKit session').catch(() => {});
    await killGroup();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The flow
// ---------------------------------------------------------------------------------------------------------------

/**
 * One learner's flow on driver `b`: load; the engine ready; Step epoch, Step batch, Play, Pause; a sample picked on the
 * data view; T moved (the views follow); Korean. Asserts no console or page error and real drawings on every shown
 * canvas; screenshots in English and Korean at WIDTH px.
 */
export async function coreFlow(t, b) {
  const timings = [];
  let lap = Date.now();
  const mark = (what) => { const now = Date.now(); timings.push(`${what} ${now - lap} ms`); lap = now; };
  const state = () => b.run(pageState);
  // a wait that fails says where the page was
  const waitFor = b.waitFor;
  b.waitFor = async (...args) => {
    try {
      await waitFor(...args);
    } catch (e) {
      const now = await b.run(pageState).catch((err) => `unreadable: ${err.message}`);
      throw new Error(`${e.message}\nthe page: ${JSON.stringify(now)}`);
    }
  };
  const settled = (what) => b.waitFor(() => document.body.dataset.settled === 'true', null, `the page to settle ${what}`);
  const noProblems = async (where) => {
    assert.deepEqual(await b.problems(), [], `no console or page error ${where}`);
    assert.equal((await state()).error, '', `no error is shown ${where}`);
  };
  const inked = async (where) => {
    const canvases = await b.run(canvasInk);
    t.diagnostic(`${b.name} canvases ${where}: ${canvases.map((c) => `${c.id} ${c.width}×${c.height} ${c.colours} colours ${c.ink} ink`).join('; ')}`);
    assert.ok(canvases.length >= 3, `several canvases are shown ${where} (${canvases.length})`);
    for (const c of canvases) {
      const total = c.width * c.height;
      assert.ok(c.colours >= 4 && c.ink >= Math.min(200, total * 0.01),
        `canvas ${c.id} has a real drawing ${where}: ${c.colours} colours, ${c.ink} of ${total} pixels off the background`);
    }
  };
  const shot = async (name) => {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    const file = path.join(SHOTS, name);
    await b.run(() => window.scrollTo(0, 0)); // the header is sticky: shoot from the top
    await b.screenshot(file);
    t.diagnostic(`screenshot: ${file}`);
  };

  t.diagnostic(`${b.name}: ${b.version}`);

  // ---- load; the engine is ready
  await b.goto(PAGE_URL);
  await b.waitFor(() => document.body.dataset.ready === 'true', null, 'the engine to be ready (body[data-ready])', 2 * WAIT_MS);
  await settled('after loading');
  if (b.recorderInstalledAt) t.diagnostic(`${b.name}: the problem recorder was installed at: ${b.recorderInstalledAt()}`);
  let s = await state();
  assert.equal(s.lang, 'en');
  assert.equal(s.playDisabled, false, 'Play is enabled once the engine is ready');
  assert.equal(s.steps, 0, 'nothing trained yet');
  assert.equal(await b.run(() => window.kdPerformance.worker()), true, `${b.name} trains in a Web Worker (www/remote.js)`);
  await noProblems('while loading');
  mark('load');

  // ---- Step epoch: one epoch more
  await b.click('#btn-step-epoch');
  await b.waitFor(() => /\d+\s*\/\s*\d+/.test(document.getElementById('phase').textContent)
    && Number(document.getElementById('phase-detail').dataset.steps) > 0, null, 'Step epoch to train an epoch');
  await settled('after Step epoch');
  s = await state();
  assert.equal(s.epoch, 1, `one epoch after Step epoch (${s.phase})`);
  const afterEpoch = s.steps;
  assert.ok(afterEpoch > 1, `an epoch is several mini-batches (${afterEpoch})`);
  mark('step epoch');

  // ---- Step batch: exactly one step more
  await b.click('#btn-step-batch');
  await b.waitFor((n) => Number(document.getElementById('phase-detail').dataset.steps) > n, afterEpoch, 'Step batch to train a mini-batch');
  await settled('after Step batch');
  s = await state();
  assert.equal(s.steps, afterEpoch + 1, 'Step batch trains one mini-batch');
  mark('step batch');

  // ---- Play until the teacher is one more epoch on, then Pause: training stops
  await b.click('#btn-play');
  await b.waitFor(() => document.getElementById('btn-play').getAttribute('aria-pressed') === 'true', null, 'Play to be pressed');
  await b.waitFor((e) => {
    const m = /(\d+)\s*\/\s*\d+/.exec(document.getElementById('phase').textContent);
    return (m && Number(m[1]) > e) || document.getElementById('phase').dataset.phase !== 'teacher';
  }, s.epoch, 'Play to train another epoch', 2 * WAIT_MS);
  await b.click('#btn-play');
  await b.waitFor(() => document.getElementById('btn-play').getAttribute('aria-pressed') === 'false', null, 'Pause');
  await settled('after Pause');
  const paused = (await state()).steps;
  assert.ok(paused > afterEpoch + 1, `Play trained (${afterEpoch + 1} → ${paused} steps)`);
  await b.run(animationFrames, 5); // frames in which a running loop would have trained
  assert.equal((await state()).steps, paused, 'training stops when paused');
  await noProblems('while training');
  mark('play and pause');

  // ---- pick a sample on the data view: the digits gallery, or a 2-D set's decision regions
  const view = (await b.run(isShown, '#samples')) ? '#samples' : '#regions-teacher';
  assert.ok(await b.run(isShown, view), `the data view ${view} is shown`);
  const before = (await state()).sample;
  let picked = null;
  for (const [fx, fy] of [[0.3, 0.3], [0.6, 0.5], [0.15, 0.6], [0.45, 0.2], [0.8, 0.4], [0.2, 0.8]]) {
    await b.click(view, fx, fy);
    await settled('after a click on the data view');
    const now = (await state()).sample;
    if (now !== before) { picked = now; break; }
  }
  assert.ok(picked, `clicking ${view} selects another sample (was: ${before})`);
  assert.match(picked, /(Training|Test) sample #\d+/);
  mark('pick a sample');

  // ---- move T: the temperature's row and the sample's bars follow
  const rowBefore = await b.run(tableRow, 'teacherAtT');
  const barsBefore = await b.run(canvasHash, '#sample-bars');
  const tBefore = (await state()).temperature;
  const atMax = Number(tBefore) >= Number((await state()).temperatureMax);
  await b.press('#set-temperature', atMax ? 'Home' : 'End');
  await b.waitFor((v) => document.getElementById('set-temperature-num').value !== v, tBefore, 'T to move');
  const tAfter = (await state()).temperature;
  await b.waitFor((v) => document.querySelector('#sample-table tr[data-row="teacherAtT"] th').textContent.includes(`T = ${v}`), tAfter, `the table to show T = ${tAfter}`);
  await settled('after moving T');
  const rowAfter = await b.run(tableRow, 'teacherAtT');
  const barsAfter = await b.run(canvasHash, '#sample-bars');
  t.diagnostic(`${b.name}: T ${tBefore} → ${tAfter}: teacher at T ${rowBefore.values} → ${rowAfter.values}`);
  assert.ok(rowAfter.values.some((v, i) => Math.abs(v - rowBefore.values[i]) > 0.0015), `the teacher at T changed with T (${rowBefore.values} → ${rowAfter.values})`);
  assert.notEqual(barsAfter, barsBefore, 'the sample\'s bars are redrawn for the new T');
  mark('move T');

  // ---- the teaching panels load when the learner scrolls near them
  await b.run(() => document.getElementById('teach-root').scrollIntoView({ block: 'center' }));
  await b.waitFor(() => document.body.dataset.teach === 'ready', null, 'the teaching panels to load (body[data-teach="ready"])');
  await b.run(() => window.scrollTo(0, 0));
  await settled('after the teaching panels loaded');
  mark('teaching panels');

  // ---- real drawings in English
  await inked('in English');
  await noProblems('in English');
  await shot(`engines-${b.name}-en.png`);
  mark('canvases and screenshot (en)');

  // ---- Korean
  const ko = catalogue('ko');
  await b.select('#lang', 'ko');
  await b.waitFor(() => document.documentElement.lang === 'ko', null, 'the page to switch to Korean');
  await settled('after switching to Korean');
  const texts = await b.run(() => ({
    sample: document.getElementById('sample-title').textContent,
    curves: document.getElementById('curves-title').textContent,
    tagline: document.querySelector('.tagline').textContent,
    phase: document.getElementById('phase').textContent,
  }));
  assert.equal(texts.sample, ko['sample.title']);
  assert.equal(texts.curves, ko['curves.title']);
  assert.equal(texts.tagline, ko['page.tagline']);
  assert.match(texts.phase, /[\uac00-\ud7a3]/, `the status line is in Hangul (${texts.phase})`);
  await inked('in Korean');
  await noProblems('in Korean');
  await shot(`engines-${b.name}-ko.png`);
  mark('Korean');
  t.diagnostic(`${b.name} timings: ${timings.join(', ')}`);
}

/**
 * The language model page (www/language.html) in this engine: it loads in Korean, trains a short run in the worker to
 * the end, shows the test table, the bars, what each model writes and a drawn chart, with no problem.
 */
export async function languageFlow(t, b) {
  const settled = (what) => b.waitFor(() => document.body.dataset.settled === 'true', null, `the language page to settle ${what}`);
  await b.goto(new URL('language.html#lang=ko&teacherEpochs=2&studentEpochs=2', PAGE_URL).href);
  await b.waitFor(() => document.body.dataset.ready === 'true', null, 'the language page to be ready', 2 * WAIT_MS);
  await settled('after loading');
  assert.equal(await b.run(() => window.__lm.worker), true, `${b.name}: the language model trains in the worker`);
  await b.click('#play');
  await b.waitFor(() => document.body.dataset.scores === 'ready', null, 'the language run to finish', 4 * WAIT_MS);
  await settled('after training');
  const seen = await b.run(() => ({
    title: document.querySelector('h1').textContent,
    cells: [...document.querySelectorAll('#test-table tbody tr:first-child td')].map((td) => td.textContent),
    cards: document.querySelectorAll('#bars .model-card').length,
    lines: document.querySelectorAll('#written li').length,
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    teacher: window.__lm.scores.teacher.bitsPerChar,
    untrained: window.__lm.info.untrainedBits,
  }));
  assert.equal(seen.title, catalogue('ko.panels')['lm.title']);
  assert.equal(seen.cells.length, 3, `three models' bits per character (${seen.cells})`);
  assert.ok(seen.cells.every((c) => /^\d\.\d{3}$/.test(c)), String(seen.cells));
  assert.equal(seen.cards, 3);
  assert.equal(seen.lines, 15, 'five lines from each model');
  assert.equal(seen.error, '');
  assert.ok(seen.teacher < seen.untrained - 1, `the teacher learned (${seen.teacher} bits against ${seen.untrained})`);
  const ink = await b.run(() => {
    const c = document.getElementById('bits-chart');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 100 && data[i + 1] < 100 && data[i + 2] < 100) dark += 1;
    return dark;
  });
  assert.ok(ink > 500, `the bits chart is drawn in ${b.name} (${ink} dark pixels)`);
  assert.deepEqual(await b.problems(), [], `no console or page error on the language page in ${b.name}`);
  if (SHOTS) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await b.run(() => window.scrollTo(0, 0));
    await b.screenshot(path.join(SHOTS, `engines-${b.name}-language-ko.png`));
  }
  t.diagnostic(`${b.name}: the language page trained (teacher ${seen.teacher.toFixed(3)} bits per character)`);
}
