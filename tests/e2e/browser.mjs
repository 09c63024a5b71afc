// Shared helper for the end-to-end tests: launches the system Chromium through playwright-core.
// (Never `npx playwright install`: it downloads a browser, which this machine cannot do.)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Flags that keep Chromium from sandboxing (we may run as root) and from calling home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches headless Chromium from $CHROMIUM (default /usr/bin/chromium).
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Records on `page` every console error, page error, failed request, HTTP error and request to an
 * origin other than `pageUrl`'s (data: and blob: URLs are the page's own). Returns the list, which
 * a test asserts is empty.
 * @returns {string[]}
 */
export function recordProblems(page, pageUrl) {
  const problems = [];
  const origin = new URL(pageUrl).origin;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.origin !== origin) problems.push(`request to another origin: ${r.url()}`);
  });
  return problems;
}

/**
 * Loads axe-core into `page` as a script of the page's own origin (served by a route from node_modules): the
 * page's Content-Security-Policy allows only its own scripts, so an inline copy would be refused, and the
 * audit runs under the same policy as the page.
 */
export async function injectAxe(page, pageUrl) {
  const { createRequire } = await import('node:module');
  const fs = await import('node:fs');
  const source = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'));
  const url = new URL('__e2e/axe.min.js', pageUrl).href;
  await page.route(url, (route) => route.fulfill({ body: source, contentType: 'text/javascript' }));
  await page.addScriptTag({ url });
  await page.waitForFunction(() => typeof window.axe?.run === 'function');
}

/**
 * Scrolls to the teaching panels (they load when their panel nears the window) and waits until they are built;
 * then scrolls back to the top, where the tests expect the page.
 */
export async function openTeachingPanels(page) {
  await page.locator('#teach-root').scrollIntoViewIfNeeded();
  await page.waitForSelector('body[data-teach="ready"]', { timeout: 30_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
}

/**
 * A page in a fresh context (1280×900, downloads allowed) with `timeout` as its default, recording its problems
 * (recordProblems) from the start.
 * @returns {Promise<{ page: import('playwright-core').Page, problems: string[] }>}
 */
export async function newRecordedPage(browser, pageUrl, { timeout = 30_000 } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  return { page, problems: recordProblems(page, pageUrl) };
}

/**
 * Runs `click`, waits for the download it starts and saves it in folder `dir`; returns { name, saved }. Without a
 * download, the error says what the page said (the save panel's status line, the error box).
 */
export async function download(page, click, dir) {
  let file;
  try {
    [file] = await Promise.all([page.waitForEvent('download'), click()]);
  } catch (e) {
    const said = await page.evaluate(() => ['teach-runfile-status', 'error-text']
      .map((id) => document.getElementById(id)?.textContent?.trim()).filter(Boolean).join(' | ')).catch(() => '');
    e.message += ` (no download; the page said: ${said || 'nothing'})`;
    throw e;
  }
  const name = file.suggestedFilename();
  const saved = path.join(dir, name);
  await file.saveAs(saved);
  return { name, saved };
}

/**
 * Waits until the page has nothing left to do until the learner acts: not training, every view drawn, the
 * teaching panels caught up, the URL written (body[data-settled="true"], kept by the page). The page sets it to
 * false in the same task as whatever starts work, so waiting for it right after an action never reads a stale
 * page.
 */
export async function settled(page, { timeout = 30_000 } = {}) {
  await page.waitForSelector('body[data-settled="true"]', { state: 'attached', timeout });
}

/** Waits for `n` animation frames of the page: for a check that something did *not* happen (e.g. no training while paused). */
export async function frames(page, n = 3) {
  await page.evaluate((count) => new Promise((resolve) => {
    const tick = (left) => (left ? requestAnimationFrame(() => tick(left - 1)) : resolve());
    tick(count);
  }), n);
}

/** Waits until the window stops scrolling: the same scroll position over three animation frames in a row. */
export async function scrollSettled(page) {
  await page.evaluate(() => new Promise((resolve) => {
    let last = null;
    let same = 0;
    const tick = () => {
      const now = `${window.scrollX},${window.scrollY}`;
      same = now === last ? same + 1 : 0;
      last = now;
      if (same >= 3) resolve(); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }));
}

/**
 * Serves folder `dir` with Python's static server (`python3 -m http.server`, another server than xtask's) on a port
 * the system picks. Resolves with { url, stop, log } when the server says it serves ("Serving HTTP on 127.0.0.1 port
 * N", printed once its socket listens; -u: unbuffered, so the line arrives as it is written); rejects if it exits
 * first. `stop()` ends it and resolves on its exit (run it in a `finally`); `log()` is its request log (stderr).
 * @returns {Promise<{ url: string, stop: () => Promise<void>, log: () => string }>}
 */
export function pythonServer(dir) {
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => { child.once('exit', (code, signal) => resolve(signal ?? code)); });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start python3 -m http.server: ${e.message}`)));
    exited.then((status) => reject(new Error(`python3 -m http.server exited (${status}) before serving:\n${out}${log}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const serving = /Serving HTTP on \S+ port (\d+)/.exec(out);
      if (serving) resolve({ url: `http://127.0.0.1:${serving[1]}/`, stop, log: () => log });
    });
  });
}
