// Training off the main thread (www/remote.js, www/worker.js): the page trains its runs in a Web Worker and draws a
// copy of the run that follows the worker's snapshots. Stepping, playing, pausing and a run file give the same bits
// with the worker and without one (a browser without workers trains on the page's thread), and a pause stops the
// worker where the page says it stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { download, frames, launch, newRecordedPage, openTeachingPanels, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SETTINGS = 'dataset=digits&teacherEpochs=2&studentEpochs=3&seed=3&temperature=8';

/** The mini-batches trained so far, as the status line says. */
const steps = (page) => page.$eval('#phase-detail', (e) => Number(e.dataset.steps));

/** A page on SETTINGS, with the Worker constructor removed first when `worker` is false. */
async function openPage(browser, worker) {
  const { page, problems } = await newRecordedPage(browser, PAGE_URL, { timeout: 60_000 });
  if (!worker) await page.addInitScript(() => { delete window.Worker; });
  await page.goto(`${PAGE_URL}#${SETTINGS}`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  await settled(page);
  assert.equal(await page.evaluate(() => window.kdPerformance.worker()), worker, worker ? 'the page trains in a worker' : 'without Worker, the page trains on its own thread');
  return { page, problems };
}

test('a run stepped, played and saved is the same, bit for bit, with the worker and without', { timeout: 300_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-worker-'));
  const browser = await launch();
  try {
    const files = {};
    for (const worker of [true, false]) {
      const { page, problems } = await openPage(browser, worker);
      for (let i = 1; i <= 3; i += 1) {
        await page.click('#btn-step-batch');
        await settled(page);
        assert.equal(await steps(page), i, `step ${i} trained one mini-batch (worker: ${worker})`);
      }
      await page.click('#btn-step-epoch');
      await settled(page);
      const afterEpoch = await steps(page);
      assert.ok(afterEpoch > 3, 'the epoch step trained to the end of the epoch');
      const statusAfterSteps = await page.textContent('#phase');
      await page.click('#btn-play');
      await page.waitForSelector('#phase[data-phase="done"]', { state: 'attached', timeout: 240_000 });
      await settled(page);
      await openTeachingPanels(page);
      const { saved } = await download(page, () => page.click('#teach-download-run'), dir);
      files[worker] = { run: fs.readFileSync(saved, 'utf8'), afterEpoch, statusAfterSteps, verdict: await page.textContent('#verdict') };
      assert.deepEqual(problems, [], `no problems (worker: ${worker})`);
      await page.context().close();
    }
    assert.equal(files[true].afterEpoch, files[false].afterEpoch);
    assert.equal(files[true].statusAfterSteps, files[false].statusAfterSteps);
    assert.equal(files[true].verdict, files[false].verdict);
    assert.ok(JSON.parse(files[true].run).phase === 'done');
    assert.equal(files[true].run, files[false].run, 'the run files are the same, byte for byte');
    t.diagnostic(`run file of ${files[true].run.length} bytes the same with and without the worker`);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a pause stops the worker where the page says it stopped', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, true);
    await page.selectOption('#speed', '1'); // one mini-batch per frame: the pause comes mid-phase
    await page.click('#btn-play');
    await page.waitForFunction(() => Number(document.querySelector('#phase-detail')?.dataset.steps) >= 5);
    await page.click('#btn-play'); // pause
    await settled(page);
    const stopped = await steps(page);
    assert.equal(await page.getAttribute('#phase', 'data-phase'), 'teacher', 'paused mid-phase');
    await frames(page, 10);
    assert.equal(await steps(page), stopped, 'nothing trains while paused');
    await page.click('#btn-step-batch');
    await settled(page);
    assert.equal(await steps(page), stopped + 1, 'the worker stood where the page said: one step later it is one mini-batch on');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
