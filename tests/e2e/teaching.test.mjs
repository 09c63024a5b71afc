// End-to-end test of the teaching panels (www/panels/teach/), as a learner uses them on the digits: the live
// formula agrees with the page's own loss line and moves with T; its terms point at the rows they come
// from; the gradient switch scales the soft term by exactly 1/T²; the dark-knowledge matrix names a
// most-alike digit for every digit; the architecture panel shows sizes and measured inference times;
// a run exported as JSON and loaded back (after a reset with another seed) gives the same predictions
// and curves; every chart has a PNG button; and the panels speak Korean.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { download as downloadTo, frames, launch, openTeachingPanels, recordProblems, settled } from './browser.mjs';

// The panels' texts: the teach.* entries of the catalogues' panels part (loaded with the panels).
const catalogue = (lang) => Object.fromEntries(Object.entries(JSON.parse(
  fs.readFileSync(new URL(`../../www/locales/${lang}.panels.json`, import.meta.url), 'utf8'))).filter(([k]) => k.startsWith('teach.')));
const en = catalogue('en');
const ko = catalogue('ko');

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const MINUS = '\u2212';
const PANELS = ['teach-formula', 'teach-temperature', 'teach-gradients', 'teach-dark-knowledge', 'teach-architecture', 'teach-runfile'];

/** A number as the page prints it (true minus sign, exponent form). */
const num = (text) => Number(String(text).trim().replaceAll(MINUS, '-').replaceAll(',', ''));
/** |a − b| within a relative tolerance (and an absolute floor). */
const close = (a, b, rel, abs = 1e-9) => Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));

/** The formula of `scope` ('sample' or 'batch'): the engine's numbers (data-*) and the printed parts. */
function readFormula(page, scope) {
  return page.$eval(`#teach-formula .teach-eq[data-scope="${scope}"]`, (eq) => {
    const text = {};
    for (const part of eq.querySelectorAll('[data-part]')) text[part.dataset.part] = part.textContent;
    const d = eq.dataset;
    return {
      hidden: eq.hidden,
      alpha: Number(d.alpha), temperature: Number(d.temperature),
      softLoss: Number(d.softLoss), hardLoss: Number(d.hardLoss), totalLoss: Number(d.totalLoss),
      text,
    };
  });
}

/** Every cell of the selected-sample table, row by row, as printed (runs in the page). */
const TABLE_JSON = () => JSON.stringify([...document.querySelectorAll('#sample-table tbody tr')]
  .map((r) => [r.dataset.row, ...[...r.querySelectorAll('td')].map((td) => td.textContent)]));
const sampleTable = async (page) => JSON.parse(await page.evaluate(TABLE_JSON));
/**
 * Waits until the sample table is (`same` true) or is no longer (false) the JSON `want`. A function, never a string:
 * Playwright evaluates a string predicate again at every poll with eval, which the page's Content-Security-Policy
 * refuses (a page error, whenever the first look did not already match).
 */
const tableBecomes = (page, want, same, options) => page.waitForFunction(([json, equal]) => {
  const now = JSON.stringify([...document.querySelectorAll('#sample-table tbody tr')]
    .map((r) => [r.dataset.row, ...[...r.querySelectorAll('td')].map((td) => td.textContent)]));
  return (now === json) === equal;
}, [want, same], options);

/** axe-core's source (a dev dependency of these tests), or null when it is not installed. */
const AXE = (() => {
  try { return fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'); } catch { return null; }
})();

/** Serious and critical accessibility violations inside `selector`, as "rule: target" lines. */
async function axeViolations(page, selector) {
  if (!AXE) return null;
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async (sel) => {
    const result = await window.axe.run(document.querySelector(sel), { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, selector);
}

/**
 * The gradient panel's sentences agree with the numbers beside them: which term pulls harder follows ‖soft‖ ÷ ‖hard‖
 * as printed (the summary is the catalogue's text for that band, with that ratio), and the sentence under the
 * table of temperatures quotes the table's first and last rows.
 */
async function claimsAgreeWithGradients(page, texts) {
  const seen = await page.evaluate(() => ({
    ratioText: document.querySelector('#teach-grad-soft-vs-hard').textContent,
    ratio: Number(document.querySelector('#teach-grad-soft-vs-hard').dataset.value),
    summary: document.querySelector('#teach-gradient-summary').textContent,
    band: document.querySelector('#teach-gradient-summary').dataset.band,
    without: document.querySelector('#teach-drop-t2').checked,
    rows: [...document.querySelectorAll('#teach-grad-pulls tbody tr')].map((r) => [r.querySelector('th').textContent, ...[...r.querySelectorAll('td')].map((c) => c.textContent)]),
    note: document.querySelector('#teach-grad-pulls-note').textContent,
  }));
  const band = seen.ratio >= 1.25 ? 'stronger' : seen.ratio <= 0.8 ? 'weaker' : 'equal';
  assert.equal(seen.band, band, `the summary's band for ‖soft‖ ÷ ‖hard‖ = ${seen.ratioText}`);
  const sentence = texts[`teach.gradients.band.${seen.without ? 'without' : 'with'}.${band}`].split('{ratio}')[0];
  assert.ok(seen.summary.includes(sentence) && seen.summary.includes(seen.ratioText), `«${seen.summary}» says ${band} with ${seen.ratioText}`);
  assert.ok(seen.rows.length >= 2, 'the soft pull at several temperatures');
  const [first, last] = [seen.rows[0], seen.rows[seen.rows.length - 1]];
  for (const quoted of [first[1], first[2], last[1], last[2]]) assert.ok(seen.note.includes(quoted), `«${seen.note}» quotes ${quoted}`);
  // the table shows what the sentence under it says T² is for: at the higher temperatures (T = 4 to 16), the
  // pull without T² shrinks about as 1/T² (16× here; at least 8× allowed), with T² it stays within a factor of 2
  const t4 = seen.rows.find((r) => num(r[0]) === 4);
  assert.ok(t4 && num(t4[2]) / num(last[2]) > 8, `without T² the soft pull shrinks from T = 4 to ${last[0]}: ${t4?.[2]} → ${last[2]}`);
  const withRatio = num(t4[1]) / num(last[1]);
  assert.ok(withRatio > 0.5 && withRatio < 2, `with T² it keeps its size from T = 4 to ${last[0]}: ${t4[1]} → ${last[1]}`);
}

/** How many pixels of a canvas are not (nearly) white or transparent. */
function inkOf(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
    }
    return ink;
  });
}

test('the teaching panels explain distillation with the engine\'s numbers', { timeout: 170_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-teach-'));
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const problems = recordProblems(page, PAGE_URL);
    const noProblems = (where) => assert.deepEqual(problems, [], `errors ${where}`);

    /** A screenshot of one panel, taken from a full-page capture (the page header is sticky). */
    const shot = async (id, name) => {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await frames(page, 3); // panels off screen are redrawn when they scroll into view (an IntersectionObserver)
      await settled(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      const clip = await page.$eval(`#${id}`, (el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
      });
      const file = path.join(SHOTS, name);
      await page.screenshot({ path: file, fullPage: true, clip });
      t.diagnostic(`screenshot: ${file}`);
    };
    const download = (click) => downloadTo(page, click, downloads);

    // ---- the page loads with the panels mounted
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await openTeachingPanels(page);
    for (const id of PANELS) assert.equal(await page.locator(`#${id}`).count(), 1, `panel #${id} is on the page`);
    assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort(), 'the Korean catalogue has exactly the English keys');
    noProblems('while loading');

    // ---- digits: train the teacher, let the distillation begin, pause
    await page.selectOption('#set-dataset', 'digits');
    await page.waitForFunction(() => document.querySelectorAll('#sample-table thead th').length === 11, null, { timeout: 60_000 });
    await page.click('#btn-play');
    await page.waitForFunction(() => {
      const eq = document.querySelector('#teach-formula .teach-eq[data-scope="batch"]');
      return eq && !eq.hidden && Number(eq.dataset.totalLoss) > 0;
    }, null, { timeout: 100_000 });
    // a few distillation batches more
    const distilling = Number(await page.getAttribute('#phase-detail', 'data-steps'));
    await page.waitForFunction((s) => Number(document.querySelector('#phase-detail').dataset.steps) >= s + 20, distilling, { timeout: 60_000 });
    await page.click('#btn-play');
    await page.waitForFunction(() => document.querySelector('#btn-play').getAttribute('aria-pressed') === 'false');
    await settled(page); // the panels' last update after the pause

    // ---- (a) the live formula: the engine's numbers for the selected sample
    await page.waitForFunction(() => {
      const total = document.querySelector('#teach-formula .teach-eq[data-scope="sample"] [data-part="total"]')?.textContent;
      return total && document.querySelector('#sample-loss')?.textContent.replaceAll('\u2212', '-').includes(total.replaceAll('\u2212', '-'));
    }, null, { timeout: 5_000 });
    const f = await readFormula(page, 'sample');
    const lossLine = await page.textContent('#sample-loss');
    t.diagnostic(`formula: ${JSON.stringify(f.text)} · page: ${lossLine}`);
    for (const part of ['softLoss', 'ce', 'total']) {
      assert.ok(lossLine.replaceAll(MINUS, '-').includes(f.text[part].replaceAll(MINUS, '-')), `the formula's ${part} (${f.text[part]}) is the page's (${lossLine})`);
    }
    assert.ok(close(f.totalLoss, f.alpha * f.softLoss + (1 - f.alpha) * f.hardLoss, 0, 1e-3), 'L = α·(T²·KL) + (1 − α)·CE');
    assert.ok(close(num(f.text.total), f.totalLoss, 0, 5e-4), 'the printed total is the engine\'s');
    assert.ok(close(num(f.text.softWeighted) + num(f.text.hardWeighted), num(f.text.total), 0, 2.5e-3), 'the printed terms add up to the total');
    assert.ok(close(num(f.text.alpha), Number(await page.inputValue('#set-alpha-num')), 1e-6), 'α is the setting\'s');
    const temperature = Number(await page.inputValue('#set-temperature-num'));
    assert.ok(close(num(f.text.t2), temperature ** 2, 5e-3), `T² = ${temperature}²`);
    assert.ok(close(num(f.text.kl) * num(f.text.t2), f.softLoss, 5e-3, 1e-6), 'KL · T² is the soft loss');
    assert.ok(close(num(f.text.oneMinusAlpha), 1 - f.alpha, 1e-3), '1 − α');
    const batch = await readFormula(page, 'batch');
    assert.ok(!batch.hidden, 'the last mini-batch is shown');
    assert.ok(close(batch.totalLoss, batch.alpha * batch.softLoss + (1 - batch.alpha) * batch.hardLoss, 0, 1e-3), 'the batch\'s L = α·soft + (1 − α)·hard');

    // hovering a term outlines the rows it comes from
    await page.hover('#teach-formula .teach-eq[data-scope="sample"] .teach-term-soft');
    assert.equal(await page.locator('#sample-table tr[data-row="teacherAtT"].teach-source').count(), 1, 'the soft term outlines the teacher at T');
    assert.equal(await page.locator('#sample-table tr[data-row="kdStudentAtT"].teach-source').count(), 1, '… and the student at T');
    assert.equal(await page.locator('#sample-table tr[data-row="hard"].teach-source').count(), 0);
    await page.hover('#teach-formula .teach-eq[data-scope="sample"] .teach-term-hard');
    assert.equal(await page.locator('#sample-table tr[data-row="hard"].teach-source').count(), 1, 'the hard term outlines the hard label');
    assert.equal(await page.locator('#sample-table tr[data-row="teacherAtT"].teach-source').count(), 0);
    await page.focus('#teach-formula .teach-eq[data-scope="sample"] .teach-term-soft'); // keyboard users get the same
    assert.equal(await page.locator('#teach-temperature.teach-source').count(), 1, 'focusing the soft term outlines the temperature explorer');
    await page.mouse.move(5, 5);
    await page.focus('#teach-measure');
    assert.equal(await page.locator('.teach-source').count(), 0, 'nothing stays outlined');
    await shot('teach-formula', 'teach-01-formula.png');

    // ---- (c) the gradient switch: without T² the soft term's norm is 1/T² as large
    const grads = () => page.$eval('#teach-gradient-stats', (dl) => ({
      soft: Number(dl.querySelector('#teach-grad-soft-norm').dataset.value),
      softText: dl.querySelector('#teach-grad-soft-norm').textContent,
      hard: Number(dl.querySelector('#teach-grad-hard-norm').dataset.value),
      ratio: Number(dl.querySelector('#teach-grad-ratio').dataset.value),
      ratioText: dl.querySelector('#teach-grad-ratio').textContent,
      temperature: Number(dl.dataset.temperature),
    }));
    const withT2 = await grads();
    assert.ok(withT2.soft > 0 && withT2.hard > 0, `both terms pull (${JSON.stringify(withT2)})`);
    assert.ok(close(withT2.ratio, withT2.temperature ** 2, 1e-3), `‖soft‖ ÷ ‖soft without T²‖ = T² (${withT2.ratio})`);
    assert.ok(close(num(withT2.ratioText), withT2.temperature ** 2, 5e-3), `the printed ratio is T² (${withT2.ratioText})`);
    await claimsAgreeWithGradients(page, en);
    assert.ok(await inkOf(page, '#teach-gradients-chart') > 1000, 'the gradient chart is drawn');
    await page.check('#teach-drop-t2');
    await page.waitForFunction((s) => Number(document.querySelector('#teach-grad-soft-norm').dataset.value) !== s, withT2.soft);
    const withoutT2 = await grads();
    t.diagnostic(`‖soft‖ ${withT2.softText} → ${withoutT2.softText} at T = ${withT2.temperature}`);
    assert.ok(close(withT2.soft / withoutT2.soft, withT2.temperature ** 2, 1e-3), 'dropping T² divides the shown ‖soft‖ by T²');
    assert.ok(close(num(withT2.softText) / num(withoutT2.softText), withT2.temperature ** 2, 2e-2), '… also as printed');
    assert.equal(withoutT2.hard, withT2.hard, 'the hard term does not change');
    await claimsAgreeWithGradients(page, en);
    await shot('teach-gradients', 'teach-02-gradients-without-T2.png');
    await page.uncheck('#teach-drop-t2');
    await page.waitForFunction((s) => Number(document.querySelector('#teach-grad-soft-norm').dataset.value) === s, withT2.soft);

    // ---- the temperature explorer: the teacher's logits, entropy and dark knowledge at T
    assert.equal(await page.locator('#teach-logits tbody tr').count(), 10, 'a row of logits per digit');
    const stats = await page.$$eval('#teach-temperature-stats .teach-stat-value', (v) => v.map((e) => e.textContent));
    assert.equal(stats.length, 2, 'entropy and dark knowledge');
    assert.ok(num(stats[0]) >= 0 && num(stats[0]) <= Math.log2(10) + 1e-3, `entropy in bits (${stats[0]})`);
    assert.ok(num(stats[1]) >= 0 && num(stats[1]) < 1, `the mass on the wrong classes is a probability (${stats[1]})`);
    // … and it is 1 − max p of the soft label at T printed beside it (the table's p (T) column)
    const atT = await page.$$eval('#teach-logits td[data-col="atT"]', (cells) => cells.map((c) => Number(c.dataset.value)));
    assert.ok(close(num(stats[1]), 1 - Math.max(...atT), 0, 6e-4), `1 − max p: ${stats[1]} against the column ${atT}`);
    assert.ok(await inkOf(page, '#teach-sweep') > 1000, 'the temperature sweep is drawn');
    assert.equal(await page.getAttribute('#teach-sweep', 'role'), 'img');
    await shot('teach-temperature', 'teach-03-temperature.png');

    // ---- changing T moves the soft term (T is live)
    const newT = temperature === 8 ? 2 : 8;
    await page.fill('#set-temperature-num', String(newT));
    await page.press('#set-temperature-num', 'Tab');
    await page.waitForFunction((T) => Number(document.querySelector('#teach-formula .teach-eq[data-scope="sample"]').dataset.temperature) === T, newT);
    const f2 = await readFormula(page, 'sample');
    assert.equal(num(f2.text.t2), newT ** 2, `T² follows T (${f2.text.t2})`);
    assert.notEqual(f2.softLoss, f.softLoss, 'the soft term changes with T');
    assert.equal(f2.hardLoss, f.hardLoss, 'the hard term (at T = 1) does not');
    assert.ok(close(f2.totalLoss, f2.alpha * f2.softLoss + (1 - f2.alpha) * f2.hardLoss, 0, 1e-3));
    await page.waitForFunction((T) => Number((/T = ([\d.]+)/.exec(document.querySelector('#teach-dark-knowledge .teach-small')?.textContent ?? '') ?? [])[1]) === T, newT);

    // ---- (d) the dark-knowledge matrix names the most alike digit of every digit
    const alike = await page.$$eval('#teach-dark-list li', (items) => items.map((li) => ({ c: li.dataset.class, alike: li.dataset.alike, text: li.textContent })));
    t.diagnostic(`most alike: ${alike.map((a) => a.text).join(' · ')}`);
    assert.equal(alike.length, 10, 'one line per digit');
    for (const a of alike) {
      assert.match(a.alike, /^\d$/, `digit ${a.c} has a most-alike digit`);
      assert.notEqual(a.alike, a.c, 'another digit');
      assert.match(a.text, new RegExp(`^${a.c} looks most like ${a.alike} \\(0\\.\\d{3}\\)$`));
    }
    assert.ok(await inkOf(page, '#teach-dark-chart') > 2000, 'the heat map is drawn');
    assert.equal(await page.locator('#teach-dark-table tbody tr').count(), 10, 'the matrix is also a table');
    await shot('teach-dark-knowledge', 'teach-04-dark-knowledge.png');

    // ---- (e) the architecture: sizes, the ratio, and inference measured here
    const size = (id) => page.$eval(id, (e) => Number(e.dataset.value));
    const [tp, sp, tb, sb] = await Promise.all(['#teach-teacher-params', '#teach-student-params', '#teach-teacher-bytes', '#teach-student-bytes'].map(size));
    assert.ok(tp > sp && sp > 0, `the teacher is larger (${tp} vs ${sp} parameters)`);
    assert.equal(tb, 4 * tp, 'float32: 4 bytes a parameter');
    assert.equal(sb, 4 * sp);
    assert.match(await page.textContent('#teach-teacher-params'), /^\d{1,3}(,\d{3})*$/);
    assert.ok(close(await size('#teach-ratio'), tp / sp, 1e-9), 'the compression ratio');
    assert.match(await page.textContent('#teach-ratio'), /^\d+(\.\d)?×/);
    assert.ok(await page.locator('#teach-arch-diagram svg text').count() > 10, 'the diagram is drawn, with labels');
    await page.waitForFunction(() => document.querySelector('#teach-measure-status').dataset.state !== 'measuring');
    await page.click('#teach-measure');
    await page.waitForFunction(() => document.querySelector('#teach-measure-status').dataset.state === 'done', null, { timeout: 20_000 });
    const [tt, st] = await Promise.all([size('#teach-teacher-time'), size('#teach-student-time')]);
    t.diagnostic(`inference per sample: teacher ${tt} µs, student ${st} µs`);
    assert.ok(tt > 0 && st > 0, 'both models are timed');
    assert.match(await page.textContent('#teach-teacher-time'), /µs$/);
    assert.ok(close(await size('#teach-speedup'), tt / st, 1e-9), 'the speed-up is the ratio of the times');
    await shot('teach-architecture', 'teach-05-architecture.png');

    // ---- PNG: a button after every canvas, named after it
    const canvases = await page.locator('canvas').count();
    assert.equal(await page.locator('canvas + button.teach-png').count(), canvases, 'each canvas has its PNG button');
    const png = await download(() => page.click('#loss-curves + button.teach-png'));
    assert.equal(png.name, 'kd-loss-curves.png');
    assert.deepEqual([...fs.readFileSync(png.saved).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');

    // ---- (b) export, reset with another seed, import: the same predictions and curves
    const seed = await page.inputValue('#set-seed');
    const before = { table: await sampleTable(page), desc: await page.textContent('#sample-desc') };
    const latestBefore = await page.$$eval('#latest .latest-group', (g) => g.map((e) => e.textContent));
    const csvBefore = await download(() => page.click('#teach-download-csv'));
    assert.match(csvBefore.name, /^kd-curves-digits-seed\d+\.csv$/);
    const run = await download(() => page.click('#teach-download-run'));
    assert.equal(run.name, `kd-run-digits-seed${seed}.json`);
    const saved = JSON.parse(fs.readFileSync(run.saved, 'utf8'));
    assert.equal(saved.format, 'kd-playground-run');
    assert.ok(saved.weights?.teacher && saved.weights?.kdStudent && saved.history?.students?.length > 0, 'weights and history are in the file');

    await page.fill('#set-seed', String(Number(seed) + 7));
    await page.press('#set-seed', 'Tab');
    await page.click('#btn-reset');
    await tableBecomes(page, JSON.stringify(before.table), false);
    assert.notDeepEqual(await sampleTable(page), before.table, 'a new seed gives other models');

    await page.setInputFiles('#teach-load-input', run.saved);
    await page.waitForFunction(() => /digits/.test(document.querySelector('#teach-runfile-status').textContent), null, { timeout: 30_000 });
    assert.notEqual(await page.getAttribute('#teach-runfile-status', 'data-kind'), 'error', await page.textContent('#teach-runfile-status'));
    await tableBecomes(page, JSON.stringify(before.table), true, { timeout: 10_000 })
      .catch(() => { /* the assertion below says what differs */ });
    await settled(page);
    assert.deepEqual(await sampleTable(page), before.table, 'the loaded run predicts exactly what the saved one did');
    assert.equal(await page.textContent('#sample-desc'), before.desc, 'the same sample is selected');
    assert.equal(await page.inputValue('#set-seed'), seed, 'the loaded settings are shown');
    const latestAfter = await page.$$eval('#latest .latest-group', (g) => g.map((e) => e.textContent));
    assert.ok(latestAfter.length >= 3, 'teacher and both students have metrics');
    for (const group of latestAfter) assert.ok(latestBefore.includes(group), `the latest metrics are those saved: ${group}`);
    const csvAfter = await download(() => page.click('#teach-download-csv'));
    assert.equal(fs.readFileSync(csvAfter.saved, 'utf8'), fs.readFileSync(csvBefore.saved, 'utf8'), 'the same curves');

    // a file that is not a run is refused, in words, without an error on the console
    await page.setInputFiles('#teach-load-input', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"something else"}') });
    await page.waitForFunction(() => document.querySelector('#teach-runfile-status').dataset.kind === 'error');
    t.diagnostic(`refused: ${await page.textContent('#teach-runfile-status')}`);
    await page.setInputFiles('#teach-load-input', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{ not json <b>x</b>') });
    await page.waitForFunction(() => /JSON/.test(document.querySelector('#teach-runfile-status').textContent));
    assert.equal(await page.locator('#teach-runfile-status b').count(), 0, 'file contents are never rendered as HTML');
    assert.deepEqual(await sampleTable(page), before.table, 'a refused file leaves the run as it was');
    await shot('teach-runfile', 'teach-06-runfile.png');
    const axeEnglish = await axeViolations(page, '#teach-root');
    if (axeEnglish === null) t.diagnostic('axe-core is not installed: accessibility audit skipped');
    else assert.deepEqual(axeEnglish, [], 'no serious or critical accessibility violations in the panels');
    noProblems('in English');

    // ---- Korean: every panel's text comes from the Korean catalogue
    if (await page.locator('select#lang').count()) {
      await page.selectOption('select#lang', 'ko');
      await page.waitForFunction((title) => document.querySelector('#teach-formula-title')?.textContent === title, ko['teach.formula.title']);
      await settled(page);
      const english = new Set(Object.entries(en).filter(([k, v]) => ko[k] !== v && /[a-z]{4}/.test(v)).map(([, v]) => v));
      const leftovers = await page.$$eval('#teach-root *', (els) => els
        .filter((e) => e.children.length === 0 && e.closest('svg') === null)
        .map((e) => e.textContent.trim())
        .concat([...document.querySelectorAll('#teach-root [aria-label]')].map((e) => e.getAttribute('aria-label'))));
      assert.deepEqual(leftovers.filter((s) => english.has(s)), [], 'no English catalogue text is left in Korean');
      assert.match(await page.textContent('#teach-dark-list li'), /가장 비슷한 클래스/);
      for (const id of PANELS) await shot(id, `teach-ko-${id.replace('teach-', '')}.png`);
      const axeKorean = await axeViolations(page, '#teach-root');
      if (axeKorean !== null) assert.deepEqual(axeKorean, [], 'no serious or critical accessibility violations in Korean');
      await page.selectOption('select#lang', 'en');
      await page.waitForFunction((title) => document.querySelector('#teach-formula-title')?.textContent === title, en['teach.formula.title']);
    } else {
      t.diagnostic('no language select (#lang) on this page: Korean not checked');
    }
    noProblems('at the end');
  } finally {
    await browser.close();
    fs.rmSync(downloads, { recursive: true, force: true });
  }
});
