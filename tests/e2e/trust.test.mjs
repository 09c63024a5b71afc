// Nothing lost, nothing broken: a reload restores the settings (from the URL) and offers the last run (kept in
// local storage, bounded in size); storage that cannot be read is discarded with a notice; a learning rate of
// 100 stops training with an explanation, shows no NaN and leaves a run that can still be downloaded; the
// digits data set, fetched when first chosen, says so when it cannot be fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { download, launch, newRecordedPage, openTeachingPanels, settled } from './browser.mjs';
import { keepRun, readKeptRun, forget, STORAGE_KEY, MAX_KEPT_CHARS } from '../../www/lastrun.js';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots';

const TABLE_JSON = () => JSON.stringify([...document.querySelectorAll('#sample-table tbody tr')]
  .map((r) => [r.dataset.row, ...[...r.querySelectorAll('td')].map((td) => td.textContent)]));

/** A Storage-like object in memory; `quota` in characters. */
function memoryStorage(quota = Infinity) {
  const items = new Map();
  return {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => {
      if (String(v).length > quota) throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
      items.set(k, String(v));
    },
    removeItem: (k) => items.delete(k),
    items,
  };
}

test('lastrun.js keeps a bounded run and reads back only what it kept (pure functions)', () => {
  const run = { settings: { dataset: 'digits', seed: 3 }, phase: 'distil', epoch: 4, steps: 321, weights: {} };
  const storage = memoryStorage();
  assert.deepEqual(readKeptRun(storage), null, 'nothing kept yet');
  const kept = keepRun(storage, run, 1_700_000_000_000);
  assert.equal(kept.kept, true);
  const back = readKeptRun(storage);
  assert.deepEqual(back.run, run);
  assert.equal(back.savedAt, 1_700_000_000_000);
  assert.deepEqual(back.summary, { dataset: 'digits', seed: 3, phase: 'distil', epoch: 4, steps: 321 });

  // too large: not kept, and the older run is removed so that it is never offered as the last one
  const huge = { ...run, weights: { data: 'x'.repeat(MAX_KEPT_CHARS) } };
  assert.equal(keepRun(storage, huge).reason, 'too-large');
  assert.equal(storage.getItem(STORAGE_KEY), null);

  // a full or switched-off storage: not kept, no exception
  const full = memoryStorage(100);
  assert.equal(keepRun(full, run).reason, 'unavailable');
  const off = { getItem() { throw new Error('SecurityError'); }, setItem() { throw new Error('SecurityError'); }, removeItem() { throw new Error('SecurityError'); } };
  assert.equal(keepRun(off, run).kept, false);
  assert.equal(readKeptRun(off), null);
  forget(off);

  // whatever else is stored under the key is reported as corrupt
  for (const [text, reason] of [
    ['{"kind":"kd-playground-last-run","v":1,"run":', /not JSON/],
    ['[1,2]', /not a kept run/],
    ['{"kind":"kd-playground-last-run","v":7,"run":{}}', /another version/],
    ['{"kind":"kd-playground-last-run","v":1,"run":{"phase":"done"}}', /no settings/],
  ]) {
    storage.setItem(STORAGE_KEY, text);
    assert.match(readKeptRun(storage).corrupt, reason, text);
  }
});

test('a reload restores the settings and offers the last run; unreadable storage is discarded with a notice', { timeout: 120_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    const { page, problems } = await newRecordedPage(browser, PAGE_URL);
    const ready = () => page.waitForSelector('body[data-ready="true"]');

    // a first visit: settings from the link, nothing to offer
    await page.goto(`${PAGE_URL}#dataset=moons&seed=3&temperature=7`);
    await ready();
    assert.equal(await page.isHidden('#restore'), true, 'nothing kept, nothing offered');
    await page.click('#btn-step-epoch');
    await page.click('#btn-step-epoch');
    await page.click('#btn-step-batch');
    await page.waitForSelector('body[data-last-run="kept"]');
    await settled(page);
    const phase = await page.textContent('#phase');
    const table = await page.evaluate(TABLE_JSON);

    // reload: the settings come back from the URL, and the run is offered
    await page.reload();
    await ready();
    assert.equal(await page.inputValue('#set-seed'), '3');
    assert.equal(Number(await page.inputValue('#set-temperature-num')), 7);
    assert.equal(await page.isVisible('#restore'), true, 'the last run is offered');
    const offer = await page.textContent('#restore-text');
    assert.match(offer, /moons, seed 3, training the teacher \(epoch 2\), \d+ training steps/);
    await page.locator('#restore').screenshot({ path: path.join(SHOTS, 'restore-offer.png') });
    t.diagnostic(`screenshot: ${path.join(SHOTS, 'restore-offer.png')}`);
    await page.click('#restore-yes');
    await page.waitForFunction((before) => document.querySelector('#phase').textContent === before, phase);
    // a function, never a string: Playwright evaluates a string predicate again at every poll with eval, which the
    // page's Content-Security-Policy refuses
    await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#sample-table tbody tr')]
      .map((r) => [r.dataset.row, ...[...r.querySelectorAll('td')].map((td) => td.textContent)])) === want, table, { timeout: 10_000 }).catch(() => {});
    assert.equal(await page.evaluate(TABLE_JSON), table, 'the restored run predicts what it did before the reload');
    assert.equal(await page.isHidden('#restore'), true);

    // "Not now" leaves the kept run for later
    await page.reload();
    await ready();
    await page.click('#restore-no');
    assert.equal(await page.isHidden('#restore'), true);
    assert.notEqual(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), null);

    // storage that is not a kept run: discarded, with a notice
    await page.evaluate((k) => localStorage.setItem(k, '{"kind":"kd-playground-last-run","v":1,"run":{"settings":'), STORAGE_KEY);
    await page.reload();
    await ready();
    assert.equal(await page.isHidden('#restore'), true);
    assert.match(await page.textContent('#error-text'), /could not be read \(not JSON: .*\); it was discarded/);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), null);

    // a kept run the engine refuses (a network of the wrong shape): the offer fails with the engine's reason
    const run = JSON.parse(fs.readFileSync(new URL('../malformed/run-wrong-shape.json', import.meta.url), 'utf8'));
    await page.evaluate(([k, r]) => localStorage.setItem(k, JSON.stringify({ kind: 'kd-playground-last-run', v: 1, savedAt: Date.now(), run: r })), [STORAGE_KEY, run]);
    await page.reload();
    await ready();
    await page.click('#restore-yes');
    await page.waitForFunction(() => /could not be restored/.test(document.querySelector('#error-text').textContent));
    assert.match(await page.textContent('#error-text'), /could not be restored and was discarded: .*the teacher's layers are \[4, 5, 3\]/);
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY), null);

    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('a learning rate of 100 stops training with an explanation, shows no NaN, and the run downloads', { timeout: 120_000 }, async () => {
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-trust-'));
  const browser = await launch();
  try {
    const { page, problems } = await newRecordedPage(browser, PAGE_URL);
    await page.goto(`${PAGE_URL}#dataset=spiral&optimizer=sgd&learningRate=100&teacherEpochs=20`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#btn-play');
    await page.waitForFunction(() => /Diverged/.test(document.querySelector('#phase').textContent), null, { timeout: 60_000 })
      .catch(async (e) => {
        // say where the page stood: a timeout alone does not tell a run that never started from one that did not diverge
        const where = await page.evaluate(() => ({
          phase: document.querySelector('#phase')?.textContent, playing: document.querySelector('#btn-play')?.getAttribute('aria-pressed'),
          visibility: document.visibilityState, settled: document.body.dataset.settled,
        }));
        throw new Error(`${e.message}; the page: ${JSON.stringify(where)}`);
      });
    assert.equal(await page.getAttribute('#error', 'data-kind'), 'diverged');
    assert.match(await page.textContent('#error-text'), /became NaN or infinite .*The last good weights are kept/);
    await openTeachingPanels(page); // their numbers are checked too
    await settled(page); // the views' last redraw
    const shown = await page.evaluate(() => {
      const error = document.querySelector('#error');
      return [...document.querySelectorAll('main, #teach-root')].map((e) => e.innerText).join('\n').replace(error?.innerText ?? '', '');
    });
    assert.doesNotMatch(shown, /NaN|Infinity|∞/, 'no number shown is NaN or infinite');

    const file = await download(page, () => page.click('#teach-download-run'), downloads);
    const saved = JSON.parse(fs.readFileSync(file.saved, 'utf8'));
    assert.equal(saved.phase, 'diverged');
    const weights = JSON.stringify(saved.weights);
    assert.doesNotMatch(weights, /null/, 'the kept weights are finite (JSON has no NaN: it would be null)');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    fs.rmSync(downloads, { recursive: true, force: true });
  }
});

test('a Korean learner reads the engine\'s messages in Korean: a divergence, a refused setting, a refused file', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { page, problems } = await newRecordedPage(browser, PAGE_URL);
    const ko = JSON.parse(fs.readFileSync(new URL('../../www/locales/ko.json', import.meta.url), 'utf8'));
    await page.goto(`${PAGE_URL}#lang=ko&dataset=spiral&learningRate=100&optimizer=sgd&teacherEpochs=20`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    await page.click('#btn-play');
    await page.waitForFunction(() => document.querySelector('#phase').dataset.phase === 'diverged', null, { timeout: 60_000 });
    await settled(page);
    const diverged = await page.textContent('#error-text');
    // the engine's divergence, from the Korean catalogue, with its numbers: the teacher's loss at learning rate 100
    assert.ok(diverged.startsWith('학습 중단: 교사 모델의 손실이 NaN 또는 무한대가 되었습니다 (학습률 100)'), diverged);
    assert.ok(diverged.includes('예: 10.'), diverged);
    assert.doesNotMatch(diverged, /[A-Za-z]{4,}/, 'no English word in the message');

    // a setting the engine refuses: its problem beside the control, in Korean, with the numbers
    await page.fill('#set-temperature-num', '1000');
    await page.press('#set-temperature-num', 'Tab');
    await page.waitForSelector('#set-temperature-error:visible');
    const fieldError = await page.textContent('#set-temperature-error');
    assert.equal(fieldError, ko['engine.setting.outOfRange'].replace('{min}', '0.05').replace('{max}', '100').replace('{got}', '1000'));

    await page.fill('#set-temperature-num', '4');
    await page.press('#set-temperature-num', 'Tab');
    await page.waitForSelector('#set-temperature-error', { state: 'hidden' });

    // a CSV file the engine refuses: the line and the count, in Korean
    await page.setInputFiles('#csv-file', { name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b,label\n1,2,0\n3,1\n') });
    await page.waitForFunction(() => /줄 3/.test(document.querySelector('#error-text').textContent));
    const csvError = await page.textContent('#error-text');
    assert.ok(csvError.includes('줄 3: 값이 2개인데 3개여야 합니다'), csvError);
    assert.doesNotMatch(csvError, /fields, expected/, 'not the English sentence');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('digits is fetched only when chosen; a failed fetch is explained and can be retried', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    let failNext = true;
    await page.route('**/pkg/digits.csv', (route) => (failNext ? (failNext = false, route.abort('failed')) : route.continue()));
    // a link to the spiral (the page without a link opens on its first run, which is digits: tests/e2e/firstrun.test.mjs)
    await page.goto(`${PAGE_URL}#dataset=spiral`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.ok(!requests.some((p) => p.endsWith('/digits.csv')), 'a link to another data set does not fetch digits');

    // the first fetch fails: the page says so and keeps the current run
    await page.selectOption('#set-dataset', 'digits');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error-text'), /The digits data set could not be fetched/);
    assert.equal(await page.isEnabled('#btn-play'), true, 'the previous run stays usable');

    // choosing it again fetches it again, and the digits run is built
    await page.selectOption('#set-dataset', 'spiral');
    await page.selectOption('#set-dataset', 'digits');
    await page.waitForFunction(() => document.querySelectorAll('#sample-table thead th').length === 11, null, { timeout: 60_000 });
    assert.equal(requests.filter((p) => p.endsWith('/digits.csv')).length, 2, 'fetched once per attempt');
  } finally {
    await browser.close();
  }
});
