// The same settings and seed give the same run, bit for bit, in the command line and in the page:
// `kd run --save-run` (native) writes a run file; the page, opened with exactly those settings in
// its URL, trains to the end and its "Download run" gives a file whose every metric and every
// weight has the same f32 bits. Two runs between them use every function whose result could
// differ by platform: sin, cos and ln (the spiral, the normal draws), tanh, exp and ln (softmax at
// a temperature, an ensemble's averaged soft labels), Adam's powers, and matrix products with
// 256-wide layers and partial tiles (digits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { download, launch, newRecordedPage, openTeachingPanels, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const KD = process.env.KD_CLI ?? 'target/debug/kd';

const RUNS = [
  ['--dataset', 'spiral', '--activation', 'tanh', '--teachers', '2', '--teacher-epochs', '8', '--student-epochs', '8', '--seed', '5', '--temperature', '3'],
  ['--dataset', 'digits', '--teacher-epochs', '2', '--student-epochs', '3', '--seed', '3', '--temperature', '8'],
];

/**
 * Every difference between two parsed run files, as paths; numbers are compared as f32 (the
 * engine's type: the command line prints the shortest decimal of the f32, the page the f64 that
 * holds it), everything else exactly.
 */
function differences(a, b, where = '', out = []) {
  if (out.length >= 10) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!Object.is(Math.fround(a), Math.fround(b))) out.push(`${where}: ${a} ≠ ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${where}: ${a.length} ≠ ${b.length} entries`);
    else a.forEach((x, i) => differences(x, b[i], `${where}[${i}]`, out));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) differences(a[k], b[k], `${where}.${k}`, out);
  } else if (a !== b) {
    out.push(`${where}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  }
  return out;
}

test('a seed gives bit-identical runs in the command line and in the page', { timeout: 240_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-determinism-'));
  const browser = await launch();
  try {
    const { page, problems } = await newRecordedPage(browser, PAGE_URL, { timeout: 60_000 });

    for (const [i, args] of RUNS.entries()) {
      const cliFile = path.join(dir, `cli-${i}.json`);
      execFileSync(KD, ['run', ...args, '--save-run', cliFile], { stdio: ['ignore', 'ignore', 'inherit'] });
      const cli = JSON.parse(fs.readFileSync(cliFile, 'utf8'));
      assert.equal(cli.phase, 'done', `the command line finished run ${i}`);

      // The page with every setting of the command line's run in its URL.
      const hash = Object.entries(cli.settings).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      await page.goto('about:blank');
      await page.goto(`${PAGE_URL}#${hash}`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.click('#btn-play');
      await page.waitForFunction(() => /^Done/.test(document.querySelector('#phase').textContent), null, { timeout: 180_000 });
      await settled(page); // what the end of training starts (the worker's last snapshot, the run kept) is over
      await openTeachingPanels(page);
      await settled(page);
      const { saved } = await download(page, () => page.click('#teach-download-run'), dir);
      const exported = JSON.parse(fs.readFileSync(saved, 'utf8'));

      const found = differences(cli, exported);
      assert.deepEqual(found, [], `kd run ${args.join(' ')} and the page differ (first differences)`);
      const weights = Object.values(exported.weights).flat().flatMap((net) => net.layers).length;
      t.diagnostic(`${args[1]}: ${exported.history.teacher.length + exported.history.students.length} epochs of metrics and ${weights} layers equal to the bit`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
