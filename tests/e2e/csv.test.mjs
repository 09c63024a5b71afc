// The user's own data: a CSV file uploaded in the page trains like a built-in data set; a
// malformed file gets the engine's message naming the line; class names are shown as text only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, recordProblems, settled } from './browser.mjs';

const URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots';


async function upload(page, name, text) {
  await page.setInputFiles('#csv-file', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

test('a learner trains on their own CSV; bad files are explained; names stay text', async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = recordProblems(page, URL);
    await page.goto(URL);
    await page.waitForSelector('#btn-play:not([disabled])');

    // three classes on a ring, with a hostile class name, a header, CRLF line ends and a BOM
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const rows = ['\ufeffx,y,kind'];
    for (let i = 0; i < 90; i += 1) {
      const angle = (i % 3) * 2.1 + (i / 90);
      const name = ['circle', 'square', hostile][i % 3];
      rows.push(`${(Math.cos(angle) * 2).toFixed(3)},${(Math.sin(angle) * 2).toFixed(3)},"${name.replaceAll('"', '""')}"`);
    }
    // the file's name is hostile too
    const fileName = 'ring<img src=x onerror="window.__pwned=2">.csv';
    await upload(page, fileName, rows.join('\r\n'));
    await page.waitForFunction(() => /ring<img.*\.csv/.test(document.querySelector('#csv-status')?.textContent ?? ''));
    const info = await page.textContent('#settings');
    assert.match(info, /68 train \/ 22 test|train/, 'the split is shown');
    assert.ok(info.includes(hostile), 'the class name is shown as text');
    await page.click('#btn-step-epoch');
    await page.click('#btn-step-epoch');
    await settled(page); // the status line is redrawn in the next animation frame, not in the click
    assert.match(await page.textContent('#phase'), /epoch 2\//);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing the file contains ran');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was created from the file');
    await page.screenshot({ path: path.join(SHOTS, 'csv-01-own-data.png'), fullPage: true });

    // a ragged file: the engine's message, with the line, in the page; the previous run stays
    await upload(page, 'ragged.csv', 'a,b,label\n1,2,0\n3,1\n');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error-text'), /line 3: 2 fields, expected 3/);
    assert.ok((await page.textContent('#csv-status')).includes(fileName), 'the last good file is still in use (its name shown as text)');

    // a file over the limit: refused on its size, before it is read; the last good file stays
    await page.click('#error-close');
    await upload(page, 'huge.csv', '1,2,0\n'.repeat(1_100_000)); // 6.6 MB
    await page.waitForSelector('#error:not([hidden])');
    assert.equal(await page.textContent('#error-text'), 'huge.csv is 6.3 MB; the limit is 5 MB.');
    assert.ok((await page.textContent('#csv-status')).includes(fileName), 'the last good file is still in use');

    // back to a built-in data set
    await page.selectOption('#set-dataset', 'moons');
    await page.waitForFunction(() => !(document.querySelector('#csv-status')?.textContent));
    assert.deepEqual(problems.filter((p) => !p.startsWith('console error:') || !/ragged\.csv|line 3/.test(p)), []);
  } finally {
    await browser.close();
  }
});
