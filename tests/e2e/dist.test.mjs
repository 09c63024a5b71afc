// End-to-end test of `cargo xtask dist`, the folder a teacher publishes: written under a sub-path of a site
// (site/courses/kd/), served by another static server (Python's http.server, from the site's root), the page loads
// from https://…/courses/kd/ with nothing outside that path, trains (step, play, pause), picks a sample, fetches the
// data sets under their hashed names and reads Korean, with no console error and no failed request.
// Needs cargo (it runs the dist command) and python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, pythonServer, recordProblems, settled } from './browser.mjs';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');

test('the published folder works from a sub-path under another static server', { timeout: 600_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-dist-'));
  const out = path.join(dir, 'site', 'courses', 'kd');
  let server = null;
  const browser = await launch();
  try {
    const made = spawnSync('cargo', ['xtask', 'dist', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(made.status, 0, `cargo xtask dist failed:\n${made.stderr}`);
    // what caching needs: the engine's module and digits under content-hashed names, and gzip copies beside them
    const pkg = fs.readdirSync(path.join(out, 'pkg'));
    assert.ok(pkg.some((f) => /^kd_playground_bg\.[0-9a-f]{8,}\.wasm$/.test(f)), `a hashed engine in ${pkg}`);
    assert.ok(pkg.some((f) => /^digits\.[0-9a-f]{8,}\.csv$/.test(f)), `a hashed digits in ${pkg}`);
    assert.ok(fs.existsSync(path.join(out, 'index.html.gz')), 'precompressed copies');
    assert.ok(!fs.readFileSync(path.join(out, 'index.html'), 'utf8').match(/(href|src)="\//), 'no URL from the site root');

    server = await pythonServer(path.join(dir, 'site'));
    const pageUrl = new URL('courses/kd/', server.url).href;
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems = recordProblems(page, pageUrl);
    const outside = [];
    page.on('request', (r) => { if (!new URL(r.url()).pathname.startsWith('/courses/kd/')) outside.push(r.url()); });
    await page.goto(pageUrl);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
    await settled(page, { timeout: 60_000 });
    assert.equal(await page.inputValue('#set-dataset'), 'digits', 'the first run, on digits fetched from the folder');

    // the core flow: step, play, pause, a sample, T
    await page.click('#btn-step-epoch');
    await page.waitForFunction(() => /epoch 1\//.test(document.querySelector('#phase').textContent));
    await page.click('#btn-play');
    await page.waitForFunction(() => /epoch [2-9]|epoch \d\d/.test(document.querySelector('#phase').textContent));
    await page.click('#btn-play');
    await settled(page, { timeout: 60_000 });
    const before = await page.textContent('#sample-desc');
    const box = await page.locator('#samples').boundingBox();
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.55);
    await page.waitForFunction((x) => document.querySelector('#sample-desc').textContent !== x, before);
    await page.selectOption('#set-dataset', 'spiral');
    await page.waitForFunction(() => document.querySelector('#data-note')?.textContent.startsWith('spiral'));
    await page.selectOption('#lang', 'ko');
    await page.waitForSelector('html[lang="ko"]');
    await settled(page, { timeout: 60_000 });
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'dist-subpath-ko.png') });
    assert.deepEqual(outside, [], 'nothing requested outside the folder\'s path');
    assert.deepEqual(problems, [], 'no console error, failed request or page error');
  } finally {
    await browser.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
