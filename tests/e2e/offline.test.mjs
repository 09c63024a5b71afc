// Offline and installable: after one visit the page, its engine, the digits, both languages' catalogues, every
// lazily loaded module and answer.html load with no network (www/sw.js, registered by www/lib/offline.js, caches
// the files of pkg/precache.js); the manifest is valid and its icons load; without service workers the page works
// as before; and a new version arriving while the page trains neither reloads the page nor touches its run, and is
// the one the next load gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openTeachingPanels, pythonServer, recordProblems, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
/** A first visit caches about 2.5 MB: generous on a slow machine. */
const CACHED_TIMEOUT_MS = 120_000;

/** The service worker's list (pkg/precache.js) as served at `base`: { version, files: { path: sha256 } }. */
async function precacheList(base) {
  const response = await fetch(new URL('pkg/precache.js', base));
  assert.equal(response.status, 200, 'pkg/precache.js is served');
  const text = await response.text();
  const json = /self\.PRECACHE = (\{[\s\S]*\});\s*$/.exec(text);
  assert.ok(json, `pkg/precache.js sets self.PRECACHE: ${text.slice(0, 200)}`);
  return JSON.parse(json[1]);
}

/** Every file under www/ the site serves (as dist.rs's is_site_file says), relative to www/. */
function servedFiles(dir = WWW, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...servedFiles(path.join(dir, entry.name), `${rel}/`));
    else if (rel !== 'pkg/precache.js' && !/\.(d\.ts|py|md|gz|br)$/.test(rel)) out.push(rel);
  }
  return out.sort();
}

/** Where the run stands as the status line shows it: its phase ('teacher', 'distil', 'done'…) and epoch ("… epoch 3/60"), or 0. */
const shown = (page) => page.$eval('#phase', (p) => ({ phase: p.dataset.phase, epoch: Number(/epoch (\d+)\//.exec(p.textContent)?.[1] ?? 0) }));

/** Whether `b` is later in the run than `a`: a later phase, or a later epoch of the same phase (epochs count anew in each). */
const PHASES = ['teacher', 'distil', 'done'];
const later = (b, a) => PHASES.indexOf(b.phase) > PHASES.indexOf(a.phase) || (b.phase === a.phase && b.epoch > a.epoch);

/** Plays until the status line shows a later point of the run than `after` (shown()), then pauses and waits for the page to settle. */
async function playPastEpoch(page, after) {
  await page.click('#btn-play');
  await page.waitForFunction(({ a, phases }) => {
    const p = document.querySelector('#phase');
    const b = { phase: p.dataset.phase, epoch: Number(/epoch (\d+)\//.exec(p.textContent)?.[1] ?? 0) };
    return phases.indexOf(b.phase) > phases.indexOf(a.phase) || (b.phase === a.phase && b.epoch > a.epoch);
  }, { a: after, phases: PHASES }, { timeout: 120_000 });
  await page.click('#btn-play');
  await settled(page, { timeout: 60_000 });
  return shown(page);
}

/** Asks the service worker controlling `page` its version: { version, files }, or null if none controls it. */
function controllerVersion(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const worker = navigator.serviceWorker.controller;
    if (!worker) return resolve(null);
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => resolve(e.data);
    worker.postMessage({ type: 'version' }, [channel.port2]);
  }));
}

/** The names of this origin's caches and how many entries each holds. */
function cacheContents(page) {
  return page.evaluate(async () => Object.fromEntries(await Promise.all((await caches.keys())
    .map(async (name) => [name, (await (await caches.open(name)).keys()).map((r) => r.url)]))));
}

test('the list of files to cache is every file the site serves, lazily loaded ones included', async () => {
  const list = await precacheList(PAGE_URL);
  assert.match(list.version, /^[0-9a-f]{16}$/);
  assert.deepEqual(Object.keys(list.files).sort(), servedFiles(), 'pkg/precache.js lists exactly the files of www/');
  for (const [file, hash] of Object.entries(list.files)) assert.match(hash, /^[0-9a-f]{64}$/, file);
  for (const needed of ['index.html', 'answer.html', 'sw.js', 'manifest.webmanifest', 'pkg/kd_playground.js',
    'pkg/kd_playground_bg.wasm', 'pkg/digits.csv', 'locales/en.json', 'locales/ko.json', 'locales/en.panels.json',
    'locales/ko.panels.json', 'panels/map.js', 'panels/teaching.js', 'panels/teach/formula.js', 'icons/icon-192.png']) {
    assert.ok(needed in list.files, `${needed} is cached`);
  }
  // every module a script imports when it needs it is one of them
  for (const file of Object.keys(list.files).filter((f) => f.endsWith('.js'))) {
    const source = fs.readFileSync(path.join(WWW, file), 'utf8');
    for (const [, specifier] of source.matchAll(/import\(\s*'([^']+)'\s*\)/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      assert.ok(target in list.files, `${file} imports ${specifier}: ${target} is cached`);
    }
  }
});

test('after one visit the page loads, switches language, fetches the digits and trains with no network', { timeout: 400_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const list = await precacheList(PAGE_URL);
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = recordProblems(page, PAGE_URL);

    // ---- one visit, online: the page is ready, then the service worker caches every file
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('body[data-offline="ready"]', { state: 'attached', timeout: CACHED_TIMEOUT_MS });
    const cached = await cacheContents(page);
    assert.deepEqual(Object.keys(cached), [`kd-playground-${list.version}`], 'one cache, named after the list\'s version');
    const urls = Object.values(cached)[0].map((u) => u.slice(PAGE_URL.length)).sort();
    assert.deepEqual(urls, Object.keys(list.files).sort(), 'every listed file is cached');
    assert.deepEqual(problems, [], 'nothing failed online');

    // ---- no network: the reload is answered by the service worker
    await context.setOffline(true);
    assert.equal(await page.evaluate(() => navigator.onLine), false, 'the browser is offline');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker controls the reloaded page');

    // both languages' catalogues
    await page.selectOption('#lang', 'ko');
    await page.waitForSelector('html[lang="ko"]');
    assert.match(await page.textContent('#btn-step-epoch'), /[가-힣]/, 'Korean from the cached catalogue');
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('html[lang="en"]');

    // the digits, fetched from the cache when chosen (a first choice on this page, whatever the default)
    if ((await page.inputValue('#set-dataset')) === 'digits') {
      await page.selectOption('#set-dataset', 'moons');
      await page.waitForFunction(() => document.querySelector('#data-note')?.textContent.startsWith('moons'));
    }
    await page.selectOption('#set-dataset', 'digits');
    await page.waitForFunction(() => document.querySelectorAll('#sample-table thead th').length === 11, null, { timeout: 120_000 });
    await settled(page, { timeout: 60_000 });
    const where = await playPastEpoch(page, await shown(page));
    assert.ok(where.epoch >= 1, `trained offline (${where.phase} epoch ${where.epoch})`);
    assert.equal(await page.isHidden('#error'), true, 'no error shown');

    // the panels loaded when they near the window, and every other listed file, from the cache
    await openTeachingPanels(page);
    const missing = await page.evaluate(async (files) => {
      const failed = [];
      for (const file of files) {
        const ok = await fetch(file).then((r) => r.ok, () => false);
        if (!ok) failed.push(file);
      }
      return failed;
    }, Object.keys(list.files));
    assert.deepEqual(missing, [], 'every listed file loads offline');
    await page.screenshot({ path: path.join(SHOTS, 'offline-digits.png') });
    t.diagnostic(`screenshot: ${path.join(SHOTS, 'offline-digits.png')}`);

    // answer.html, offline too: its engine starts and its digits arrive (its progress bar moves past the data)
    const answer = await context.newPage();
    const answerProblems = recordProblems(answer, PAGE_URL);
    answer.setDefaultTimeout(120_000);
    await answer.goto(new URL('answer.html', PAGE_URL).href);
    await answer.waitForFunction(() => Number(document.querySelector('#working-bar')?.value) > 0
      || document.body.dataset.ready !== undefined);
    assert.notEqual(await answer.getAttribute('body', 'data-ready'), 'failed', await answer.textContent('#working'));
    assert.match(await answer.textContent('.toolbar-back'), /\S/, 'the answer page is translated');
    await answer.close();

    assert.deepEqual(problems, [], 'nothing failed offline');
    assert.deepEqual(answerProblems, [], 'nothing failed in answer.html offline');
  } finally {
    await browser.close();
  }
});

test('the manifest is valid, its icons load, and Chromium finds no error in it', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = recordProblems(page, PAGE_URL);
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]');

    const href = await page.getAttribute('link[rel="manifest"]', 'href');
    assert.equal(href, 'manifest.webmanifest', 'linked relatively');
    const manifestUrl = new URL(href, PAGE_URL);
    const response = await fetch(manifestUrl);
    assert.equal(response.status, 200);
    const manifest = await response.json();
    assert.equal(manifest.name, 'KD Playground');
    assert.ok(manifest.short_name && manifest.short_name.length <= manifest.name.length);
    assert.equal(manifest.start_url, './', 'start_url relative: it works from a sub-path');
    assert.equal(manifest.scope, './');
    assert.equal(manifest.display, 'standalone');
    assert.match(manifest.background_color, /^#[0-9a-f]{6}$/);
    assert.equal(manifest.theme_color, await page.getAttribute('meta[name="theme-color"]', 'content'), 'the page\'s theme colour');
    const style = await page.evaluate(() => ({
      accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
      background: getComputedStyle(document.documentElement).getPropertyValue('--bg').trim(),
    }));
    assert.equal(manifest.theme_color, style.accent, 'the theme colour is the page\'s accent');
    assert.equal(manifest.background_color, style.background, 'the background colour is the page\'s');

    // each icon: served, of its type, of its stated size (a PNG's IHDR), and drawn by the browser
    const sizes = new Set();
    for (const icon of manifest.icons) {
      assert.ok(!icon.src.startsWith('/') && !/^[a-z]+:/.test(icon.src), `${icon.src} is relative`);
      const url = new URL(icon.src, manifestUrl);
      const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
      if (icon.type === 'image/png') {
        assert.equal(bytes.subarray(1, 4).toString(), 'PNG', icon.src);
        const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
        assert.equal(`${w}x${h}`, icon.sizes, `${icon.src} is ${icon.sizes}`);
        sizes.add(icon.sizes);
        assert.ok(bytes.length < 40_000, `${icon.src} is small (${bytes.length} bytes)`);
      } else {
        assert.equal(icon.type, 'image/svg+xml');
        assert.match(bytes.toString(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      }
      const drawn = await page.evaluate((src) => new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth > 0);
        img.onerror = () => resolve(false);
        img.src = src;
      }), url.href);
      assert.ok(drawn, `${icon.src} is drawn by the browser`);
    }
    assert.ok(sizes.has('192x192') && sizes.has('512x512'), 'PNG icons of 192 and 512 pixels');
    assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'), 'a maskable icon');

    // Chromium's own reading of it
    const cdp = await context.newCDPSession(page);
    const read = await cdp.send('Page.getAppManifest');
    assert.equal(read.url, manifestUrl.href);
    assert.deepEqual(read.errors, [], 'Chromium parses the manifest without error');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('without service workers the page works as before, with no error', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // a browser that has none (or refuses them): navigator.serviceWorker is undefined
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = recordProblems(page, PAGE_URL);
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]');
    await settled(page, { timeout: 60_000 });
    const where = await playPastEpoch(page, await shown(page));
    assert.ok(where.epoch >= 1, `trained an epoch: ${JSON.stringify(where)}`);
    assert.equal(await page.getAttribute('body', 'data-offline'), null, 'no service worker, and nothing said about it');
    assert.equal(await page.isHidden('#error'), true);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

// ---------------------------------------------------------------- a new version while the page trains

/** Copies www/ (the built site) into a fresh folder, symbolic links followed. */
function copySite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-offline-'));
  fs.cpSync(WWW, path.join(dir, 'site'), { recursive: true, dereference: true });
  return { dir, site: path.join(dir, 'site') };
}

/**
 * Writes the copy's own list, pkg/precache.js, as `cargo xtask build` would (www/pkg/precache.js is as fresh as the
 * last build, and www/ may have been edited since: the copy's files are what its service worker checks), naming
 * it `version`. Returns the list.
 */
function writeList(site, version) {
  const files = Object.fromEntries(servedFiles(site).map((file) => [file,
    crypto.createHash('sha256').update(fs.readFileSync(path.join(site, file))).digest('hex')]));
  fs.writeFileSync(path.join(site, 'pkg', 'precache.js'), `self.PRECACHE = ${JSON.stringify({ version, files }, null, 1)};\n`);
  return { version, files };
}

test('a new version arriving while the page trains does not reload it or touch its run; the next load is the new one', { timeout: 400_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const { dir, site } = copySite();
  let server = null;
  let browser = null;
  try {
    server = await pythonServer(site);
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = recordProblems(page, server.url);
    const before = writeList(site, 'copy-first');

    // the first visit installs the service worker; the reload is the first load it controls. A long run (the spiral,
    // 1999 student epochs), so that it is still training when the new version arrives
    await page.goto(`${server.url}#dataset=spiral&studentEpochs=1999`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('body[data-offline="ready"]', { state: 'attached', timeout: CACHED_TIMEOUT_MS });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.deepEqual(await controllerVersion(page), { version: before.version, files: Object.keys(before.files).length });
    await settled(page, { timeout: 60_000 });

    // a run in progress, and a mark that only this document carries
    await page.evaluate(() => { window.__sameDocument = true; });
    const start = await playPastEpoch(page, await shown(page));
    const steps = () => page.$eval('#phase-detail', (p) => Number(/([\d,]+) steps/.exec(p.textContent)?.[1].replace(/,/g, '') ?? 0));
    const stepsBefore = await steps();
    await page.click('#btn-play');
    await page.waitForFunction((s) => {
      const m = /([\d,]+) steps/.exec(document.querySelector('#phase-detail').textContent);
      return m && Number(m[1].replace(/,/g, '')) > s;
    }, stepsBefore);

    // ---- the site is updated while it trains: a new list (a new version), found by the update check of another
    // page of the site opened meanwhile (asked from the training page itself, Chromium put the check off by about a
    // minute), which is closed again: a learner's second tab
    const { version: next } = writeList(site, 'copy-next');
    const other = await context.newPage();
    await other.goto(`${server.url}answer.html`);
    await other.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    await other.close();
    await page.waitForSelector('body[data-update="ready"]', { state: 'attached', timeout: CACHED_TIMEOUT_MS });

    // the quiet notice; the same document, still training, still controlled by the old version
    await page.waitForSelector('#update-notice:not([hidden])');
    assert.match(await page.textContent('#update-notice'), /new version .* next time the page is loaded/);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'true', 'still playing');
    const stepsThen = await steps();
    await page.waitForFunction((s) => {
      const m = /([\d,]+) steps/.exec(document.querySelector('#phase-detail').textContent);
      return m && Number(m[1].replace(/,/g, '')) > s;
    }, stepsThen);
    assert.equal((await controllerVersion(page)).version, before.version, 'the page keeps the version it was loaded with');
    assert.ok(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)), 'the new version waits');
    const cached = await cacheContents(page);
    assert.deepEqual(Object.keys(cached).sort(), [`kd-playground-${before.version}`, `kd-playground-${next}`].sort(), 'both versions\' files are kept meanwhile');

    // the run goes on to its next epoch, and its history is whole
    await page.click('#btn-play');
    await settled(page, { timeout: 60_000 });
    // (a long wait may have taken the teacher to its last epoch: the students' epochs count from 1 again)
    const end = await playPastEpoch(page, await shown(page));
    assert.ok(later(end, start), `the run kept training (${start.phase} epoch ${start.epoch} → ${end.phase} epoch ${end.epoch})`);
    await page.screenshot({ path: path.join(SHOTS, 'offline-update-notice.png') });
    t.diagnostic(`screenshot: ${path.join(SHOTS, 'offline-update-notice.png')}`);

    // Korean says it too
    await page.selectOption('#lang', 'ko');
    await page.waitForSelector('html[lang="ko"]');
    assert.match(await page.textContent('#update-text'), /새 버전/);

    // ---- the next load is the new version, and the old version's cache is gone
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.evaluate(() => window.__sameDocument), undefined, 'a new document');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    assert.equal((await controllerVersion(page)).version, next, 'the reload is served by the new version');
    await page.waitForFunction((name) => caches.keys().then((k) => k.length === 1 && k[0] === name), `kd-playground-${next}`);
    assert.equal(await page.isHidden('#update-notice').catch(() => true), true, 'nothing more to say');
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
