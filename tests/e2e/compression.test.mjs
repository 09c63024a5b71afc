// End-to-end test of the compression bench panel ("what sets distillation apart", measured): a short digits run is
// trained to the end, the bench runs on it in the page's animation frames, and then every number of its table is the
// engine's report formatted, each sentence takes the variant its numbers call for and quotes them, the Pareto view is
// drawn, and the exam answer's link keeps the run for answer.html; in English and in Korean, at 1366 and 390 CSS px
// (the tables scroll in their own box, never the page). The refusals: a run not trained to the end is asked to be,
// a default spiral run shows why the bench leaves rows out and offers the digits comparison, a run without a teacher
// shows the engine's reason.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { injectAxe, launch, newRecordedPage, settled } from './browser.mjs';
import { int, kb, pct, points, prec, times } from '../../www/lib/format.js';
import { fill } from '../../www/template.js';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
/** Runs short enough for a test: two epochs of the teacher and of the students (and so of the pruned networks). */
const SHORT = 'teacherEpochs=2&studentEpochs=2';
const WIDE = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };
const HANGUL = /[\uac00-\ud7a3]/;
const UNFILLED = /\{\w+(:[^}]*)?\}/;
const KEY_LIKE = /\b(bench|engine|chart)\.[a-z][\w-]*\.[\w.-]+/;
/** The rows of the bench on a finished digits run, in the engine's order (compression::Entry::ALL). */
const ENTRIES = ['teacher', 'kd', 'control', 'prune-weights', 'prune-neurons', 'int8', 'kd-int8', 'transfer', 'transfer-scratch'];

/** Opens the page at `hash` (in a window of `viewport`) and waits until it is ready. */
async function openPage(browser, hash = '', viewport = WIDE) {
  const { page, problems } = await newRecordedPage(browser, PAGE_URL, { timeout: 60_000 });
  await page.setViewportSize(viewport);
  await page.goto(`${PAGE_URL}${hash}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, check: (where) => assert.deepEqual(problems, [], `errors ${where}`) };
}

/** Both catalogues as the page loads them (each language's two parts). */
function catalogues(page) {
  return page.evaluate(async () => {
    const json = async (file) => (await fetch(new URL(file, document.baseURI))).json();
    return {
      en: { ...(await json('locales/en.json')), ...(await json('locales/en.panels.json')) },
      ko: { ...(await json('locales/ko.json')), ...(await json('locales/ko.panels.json')) },
    };
  });
}

/** Scrolls to the bench's panel and waits until it is built and the page has settled. */
async function openBench(page) {
  await page.locator('#compress').scrollIntoViewIfNeeded();
  await page.waitForSelector('#bench-run');
  await page.locator('#compress').scrollIntoViewIfNeeded();
  await settled(page);
}

/** Plays the run to the end. */
async function trainToEnd(page) {
  await page.click('#btn-play');
  await page.waitForSelector('#phase[data-phase="done"]', { timeout: 120_000 });
  await settled(page);
}

/** Switches the page's language and waits until it is redrawn. */
async function switchLanguage(page, lang) {
  await page.selectOption('#lang', lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  await settled(page);
}

/** How many pixels of a canvas are not (nearly) white or transparent, of how many. */
function inkOf(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
    }
    return { ink, total: width * height };
  });
}

/** A screenshot of the bench's panel, cut from the whole page (so that the sticky header does not cover it). */
async function shot(t, page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator('#compress').boundingBox();
  const width = page.viewportSize().width;
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: Math.floor(box.y) - 8, width, height: Math.ceil(box.height) + 16 } });
  t.diagnostic(`screenshot: ${file}`);
}

/**
 * Asserts that nothing of the panel reaches past the window's right edge except inside the tables' own scrolling
 * boxes, and returns those boxes' widths (scroll / client).
 */
async function assertNoPageOverflow(page, where) {
  const sizes = await page.evaluate(() => {
    const edge = document.documentElement.clientWidth;
    const past = [...document.querySelectorAll('#compress, #compress *')]
      .filter((node) => !node.parentElement.closest('.bench-table-wrap') && node.getBoundingClientRect().right > edge + 0.5)
      .map((node) => `${node.tagName.toLowerCase()}#${node.id}.${node.className}`);
    const boxes = [...document.querySelectorAll('#compress .bench-table-wrap')].map((b) => ({ scroll: b.scrollWidth, client: b.clientWidth }));
    return { past, boxes };
  });
  assert.deepEqual(sizes.past, [], `${where}: nothing of the panel reaches past the window`);
  return sizes.boxes;
}

/**
 * Starts the bench and, in the first animation frame that shows it running, reads what the panel shows and clicks
 * `selector` (Stop, or Reset: a new run). Returns what it read, or `{ missed: phase }` if the bench ended first.
 */
function interruptRun(page, selector) {
  return page.evaluate((sel) => new Promise((resolve) => {
    document.querySelector('#bench-run').click();
    const look = () => {
      const phase = document.querySelector('#compress').dataset.phase;
      if (phase !== 'running' && phase !== 'idle') resolve({ missed: phase });
      else if (phase === 'idle') requestAnimationFrame(look);
      else {
        const seen = {
          progressShown: !document.querySelector('#bench-running').hidden,
          value: document.querySelector('#bench-progress').value,
          text: document.querySelector('#bench-progress-text').textContent,
          runDisabled: document.querySelector('#bench-run').disabled,
          settled: document.body.dataset.settled,
        };
        document.querySelector(sel).click();
        resolve(seen);
      }
    };
    requestAnimationFrame(look);
  }), selector);
}

/** Runs axe-core on the panel; fails on a serious or critical violation (each violation is a diagnostic). */
async function audit(t, page, label) {
  const result = await page.evaluate(async () => {
    const r = await window.axe.run('#compress', { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  for (const v of result) t.diagnostic(`${label}: ${v.impact} ${v.id} — ${v.help} — ${v.nodes.join(' | ')}`);
  assert.deepEqual(result.filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], `${label}: serious or critical violations`);
}

/** The literal parts (between placeholders) of the panel's English texts that have more than three words. */
function englishFragments(en, ko) {
  const words = (s) => s.split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w)).length;
  return Object.keys(en).filter((k) => k.startsWith('bench.') && en[k] !== ko[k])
    .flatMap((k) => en[k].split(/\{\w+(?::[^}]*)?\}/).map((f) => f.trim()))
    .filter((f) => words(f) > 3);
}

/** The bench's table as shown: per row, its name cell and each column's text and data-value. */
function shownTable(page) {
  return page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => ({
    method: tr.dataset.method,
    name: tr.querySelector('th').textContent,
    tagged: Boolean(tr.querySelector('.bench-task-tag')),
    cells: Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.col, { text: td.textContent, value: td.dataset.value }])),
  })));
}

/** The sentences as shown: { say → { variant, text } }. */
async function shownSentences(page) {
  const list = await page.$$eval('#bench-say .bench-sentence', (ps) => ps.map((p) => [p.dataset.say, { variant: p.dataset.variant, text: p.textContent }]));
  return Object.fromEntries(list);
}

/** Which way a time went against the teacher's: the panel's rule (within 10%: the same speed). */
function speedVariant(base, us, within = 1.1) {
  const ratio = base / us;
  return ratio >= within ? 'faster' : ratio <= 1 / within ? 'slower' : 'same';
}

/** The panel's variants, from the report's numbers (each written out here from what the sentence claims). */
function expectedVariants(report) {
  const by = Object.fromEntries(report.rows.map((r) => [r.method, r]));
  const compare = (a, b) => (a > b ? 'better' : a < b ? 'worse' : 'same');
  const teacherUs = by.teacher.inference_us_per_sample;
  return {
    kd: compare(by.kd.test_accuracy, by.control.test_accuracy),
    'prune-weights': teacherUs / by['prune-weights'].inference_us_per_sample >= 1.5 ? 'faster' : 'dense',
    int8: speedVariant(teacherUs, by.int8.inference_us_per_sample),
    transfer: compare(by.transfer.test_accuracy, by['transfer-scratch'].test_accuracy),
  };
}

/** Checks the table, the sentences and the differentiator against the report, in catalogue `cat`. */
async function checkResult(page, report, cat, lang) {
  const by = Object.fromEntries(report.rows.map((r) => [r.method, r]));
  // the table: one row per network of the report, each number the report's, formatted as the page formats
  const rows = await shownTable(page);
  assert.deepEqual(rows.map((r) => r.method), report.rows.map((r) => r.method), `${lang}: a row per network, in the report's order`);
  for (const row of report.rows) {
    const shown = rows.find((r) => r.method === row.method);
    const expect = {
      parameters: int(row.parameters),
      nonzero_parameters: int(row.nonzero_parameters),
      bytes: kb(row.bytes),
      inference_us_per_sample: prec(row.inference_us_per_sample, 3),
      test_accuracy: pct(row.test_accuracy),
    };
    for (const [col, text] of Object.entries(expect)) {
      assert.equal(shown.cells[col].text, text, `${lang} ${row.method}: ${col}`);
      assert.equal(Number(shown.cells[col].value), Number(row[col]), `${lang} ${row.method}: ${col}'s value is the report's`);
    }
    assert.ok(shown.name.includes(row.sizes.join('→')), `${lang} ${row.method}: its layer sizes («${shown.name}»)`);
    const name = fill(cat[`bench.entry.${row.method}`], { method: cat['method.name.kd'] });
    assert.ok(shown.name.includes(name), `${lang} ${row.method}: its name «${name}» in «${shown.name}»`);
    assert.equal(shown.tagged, row.new_task, `${lang} ${row.method}: marked as another task exactly when it is one`);
  }
  // the transfer rows' note names the other task's classes and labels
  const note = await page.textContent('#bench-newtask');
  assert.ok(note.includes('5–9') && note.includes('0–4'), `${lang}: the new task's classes («${note}»)`);
  assert.ok(note.includes(String(report.transfer.labels)), `${lang}: its labels («${note}»)`);

  // the sentences: the variant the numbers call for, quoting the numbers
  const said = await shownSentences(page);
  const variants = expectedVariants(report);
  for (const [name, variant] of Object.entries(variants)) {
    assert.equal(said[name]?.variant, variant, `${lang}: the ${name} sentence's variant («${said[name]?.text}»)`);
  }
  const quotes = {
    kd: [pct(by.kd.test_accuracy), pct(by.control.test_accuracy), points(by.kd.test_accuracy - by.control.test_accuracy), pct(by.kd.bytes / by.teacher.bytes)],
    'prune-weights': [kb(by['prune-weights'].bytes), int(by['prune-weights'].nonzero_parameters), prec(by['prune-weights'].inference_us_per_sample, 3), prec(by.teacher.inference_us_per_sample, 3)],
    'prune-neurons': [by['prune-neurons'].sizes.join('→'), prec(by['prune-neurons'].inference_us_per_sample, 3), pct(by['prune-neurons'].test_accuracy)],
    int8: [kb(by.int8.bytes), times(by.teacher.bytes / by.int8.bytes), prec(by.int8.inference_us_per_sample, 3), cat[`bench.kernel.${report.int8_kernel}`]],
    transfer: [pct(by.transfer.test_accuracy), String(report.transfer.labels)],
  };
  if (variants.kd === 'same') quotes.kd.splice(1, 2);
  if (variants.transfer !== 'same') quotes.transfer.push(pct(by['transfer-scratch'].test_accuracy));
  for (const [name, numbers] of Object.entries(quotes)) {
    for (const n of numbers) assert.ok(said[name]?.text.includes(n), `${lang}: the ${name} sentence quotes ${n} («${said[name]?.text}»)`);
  }
  if (variants.int8 !== 'same') {
    const ratio = variants.int8 === 'faster' ? by.teacher.inference_us_per_sample / by.int8.inference_us_per_sample : by.int8.inference_us_per_sample / by.teacher.inference_us_per_sample;
    assert.ok(said.int8.text.includes(times(ratio)), `${lang}: int8's measured ratio ${times(ratio)} («${said.int8.text}»)`);
  }
  const expectedKd = fill(cat[`bench.say.kd.${variants.kd}`], {
    kd: pct(by.kd.test_accuracy), control: pct(by.control.test_accuracy), diff: points(by.kd.test_accuracy - by.control.test_accuracy),
    sample: String(Number((100 / by.kd.test_samples).toPrecision(2))), bytes: pct(by.kd.bytes / by.teacher.bytes),
  });
  assert.equal(said.kd.text, expectedKd, `${lang}: the KD-vs-control sentence is the catalogue's, filled with the report's numbers`);

  // the differentiator: six methods, each with its needs and this run's numbers
  const diff = await page.$$eval('#bench-diff tbody tr', (trs) => trs.map((tr) => ({ method: tr.dataset.method, numbers: tr.querySelector('[data-col="numbers"]').textContent, cells: tr.querySelectorAll('td').length })));
  assert.deepEqual(diff.map((d) => d.method), ['kd', 'prune-weights', 'prune-neurons', 'int8', 'kd-int8', 'transfer']);
  for (const d of diff) {
    assert.equal(d.cells, 4, `${lang} ${d.method}: what changes, what it needs, where the gain comes from, the numbers`);
    if (d.method === 'transfer') {
      assert.ok(d.numbers.includes(pct(by.transfer.test_accuracy)) && d.numbers.includes(pct(by['transfer-scratch'].test_accuracy)), `${lang}: transfer's numbers («${d.numbers}»)`);
    } else {
      const row = by[d.method];
      for (const n of [pct(row.bytes / by.teacher.bytes), pct(row.test_accuracy), pct(by.teacher.test_accuracy)]) {
        assert.ok(d.numbers.includes(n), `${lang} ${d.method}: ${n} in «${d.numbers}»`);
      }
    }
  }
  const all = await page.innerText('#compress');
  assert.doesNotMatch(all, UNFILLED, `${lang}: every placeholder is filled`);
  assert.doesNotMatch(all, KEY_LIKE, `${lang}: no catalogue key is shown instead of its text`);
  if (lang === 'ko') {
    for (const s of Object.values(said)) assert.match(s.text, HANGUL, 'every sentence is in Korean');
    assert.equal(await page.$eval('#bench-say', (n) => getComputedStyle(n).wordBreak), 'keep-all', 'Korean breaks between words');
  }
}

test('a digits run: the bench measures every network, and the panel says what the numbers say, in both languages', { timeout: 300_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser, `#dataset=digits&${SHORT}`);
    const { en, ko } = await catalogues(page);
    await openBench(page);
    // before the run is done: the line that asks for it, and no bench
    assert.equal(await page.textContent('#compress-title'), en['bench.title']);
    assert.equal(await page.textContent('#bench-status'), en['bench.notDone']);
    assert.ok(await page.isDisabled('#bench-run'), 'no bench before the run is done');

    await trainToEnd(page);
    await page.waitForFunction(() => !document.querySelector('#bench-run').disabled);
    assert.equal(await page.textContent('#bench-status'), fill(en['bench.ready'], { epochs: 2 }));
    assert.ok(await page.isHidden('#bench-skipped'), 'digits skips no row');
    assert.ok(await page.isHidden('#bench-digits'), 'and needs no digits comparison');

    // while it runs: the progress bar and what is being trained, the page not settled; Stop ends it
    const seen = await interruptRun(page, '#bench-stop');
    assert.equal(seen.missed, undefined, 'the bench was seen running');
    assert.ok(seen.progressShown && seen.runDisabled, 'a progress bar, and no second bench meanwhile');
    assert.equal(seen.settled, 'false', 'the page is busy while the bench runs');
    assert.ok(seen.text.length > 0 && !UNFILLED.test(seen.text), `what is being done: «${seen.text}»`);
    await page.waitForSelector('#compress[data-phase="stopped"]');
    await settled(page);
    assert.equal(await page.textContent('#bench-status'), en['bench.stopped']);
    assert.ok(await page.isHidden('#bench-running') && await page.isHidden('#bench-result'), 'stopped: no progress, no result');
    assert.equal(await page.evaluate(() => window.kdCompression.report()), null);

    await page.click('#bench-run');
    await page.waitForSelector('#compress[data-phase="done"]', { timeout: 180_000 });
    await settled(page);
    const report = await page.evaluate(() => window.kdCompression.report());
    assert.deepEqual(report.rows.map((r) => r.method), ENTRIES, 'every row of the bench');
    assert.deepEqual(report.skipped, []);
    for (const row of report.rows) assert.ok(row.inference_us_per_sample > 0, `${row.method}: timed in the browser`);
    assert.ok(await page.isHidden('#bench-running'), 'the progress is gone once done');
    await checkResult(page, report, en, 'en');
    await injectAxe(page, PAGE_URL);
    await audit(t, page, 'the finished bench, English');

    // the Pareto view, drawn by the engine when it can
    const drawsPareto = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      return typeof engine.CompressionBench.prototype.drawPareto === 'function';
    });
    assert.equal(await page.isVisible('#bench-pareto'), drawsPareto, 'the canvas is shown exactly when the engine draws it');
    if (drawsPareto) {
      const { ink, total } = await inkOf(page, '#bench-pareto');
      assert.ok(total > 0 && ink > 500 && ink > total * 0.005, `the Pareto view is not blank (${ink} of ${total} pixels inked)`);
    }

    // the exam answer: the link keeps this run's data for answer.html and opens it in the page's language
    assert.match(await page.getAttribute('#bench-answer', 'href'), /answer\.html#lang=en$/);
    assert.equal(await page.getAttribute('#bench-answer', 'target'), '_blank');
    const [answer] = await Promise.all([page.context().waitForEvent('page'), page.click('#bench-answer')]);
    assert.match(answer.url(), /answer\.html#lang=en$/);
    await answer.close();
    const kept = await page.evaluate(() => JSON.parse(window.localStorage.getItem('kd-playground:answer') ?? 'null'));
    assert.equal(kept?.kind, 'kd-playground-answer', 'the answer data is kept in local storage');
    assert.equal(kept.dataset, 'digits');
    assert.deepEqual(kept.bench.rows.map((r) => [r.method, r.test_accuracy]), report.rows.map((r) => [r.method, r.test_accuracy]), 'with the bench the panel shows');
    assert.ok(await page.isHidden('#bench-answer-note'), 'kept: no note');

    await shot(t, page, 'compress-01-en-1366.png');
    await page.setViewportSize(NARROW);
    await settled(page);
    const boxes = await assertNoPageOverflow(page, 'en at 390 px');
    assert.ok(boxes.some((b) => b.scroll > b.client), 'a table wider than the screen scrolls in its own box');
    await checkResult(page, report, en, 'en at 390 px');
    if (drawsPareto) assert.ok((await inkOf(page, '#bench-pareto')).ink > 500, 'the Pareto view is redrawn at 390 px');
    await shot(t, page, 'compress-02-en-390.png');

    // Korean: the same numbers, in the catalogue's Korean, the sentences' variants unchanged
    await switchLanguage(page, 'ko');
    assert.equal(await page.textContent('#compress-title'), ko['bench.title']);
    await checkResult(page, report, ko, 'ko at 390 px');
    assert.match(await page.getAttribute('#bench-answer', 'href'), /answer\.html#lang=ko$/);
    await assertNoPageOverflow(page, 'ko at 390 px');
    await shot(t, page, 'compress-03-ko-390.png');
    await page.setViewportSize(WIDE);
    await settled(page);
    await checkResult(page, report, ko, 'ko');
    await audit(t, page, 'the finished bench, Korean');
    // Korean through and through, with the glossary's terms
    const korean = await page.innerText('#compress');
    for (const fragment of englishFragments(en, ko)) assert.ok(!korean.includes(fragment), `English left in Korean: «${fragment}»`);
    for (const term of ['가지치기(pruning)', '양자화', '전이 학습', '매개변수', '추론', '대조군 학생', '증류된 학생 모델', '교사 모델', '보정 데이터']) {
      assert.ok(korean.includes(term), `the glossary's «${term}»`);
    }
    for (const avoided of ['파라미터', '라벨', '쌍둥이', '소프트 타깃']) assert.ok(!korean.includes(avoided), `not «${avoided}»`);
    if (drawsPareto) assert.ok((await inkOf(page, '#bench-pareto')).ink > 500, 'the Pareto view is redrawn in Korean');
    await shot(t, page, 'compress-04-ko-1366.png');

    // like every chart of the page, the Pareto view has its PNG button (once the teaching panels, which add them, are built)
    await page.locator('#teach-root').scrollIntoViewIfNeeded();
    await page.waitForSelector('body[data-teach="ready"]');
    await settled(page);
    assert.equal(await page.locator('#bench-pareto + button.teach-png').count(), 1, 'the Pareto view\'s PNG button');
    await page.locator('#compress').scrollIntoViewIfNeeded();

    // a new run while the bench runs discards it: no bench is left running for an old run
    const reset = await interruptRun(page, '#btn-reset');
    assert.equal(reset.missed, undefined, 'the bench was seen running');
    await page.waitForSelector('#compress[data-phase="idle"]');
    await settled(page); // no bench in flight: the page settles
    assert.equal(await page.getAttribute('#phase-detail', 'data-steps'), '0', 'a new run, not trained');
    assert.ok(await page.isHidden('#bench-result') && await page.isHidden('#bench-running'), 'the old run\'s bench is gone');
    assert.equal(await page.textContent('#bench-status'), ko['bench.notDone']);
    assert.equal(await page.evaluate(() => window.kdCompression.report()), null);
    check('while running the bench');
  } finally {
    await browser.close();
  }
});

test('the refusals: a spiral run says why rows are left out and offers digits; a run without a teacher says why', { timeout: 240_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser, `#${SHORT}`);
    const { en, ko } = await catalogues(page);
    await openBench(page);
    assert.equal(await page.textContent('#bench-status'), en['bench.notDone']);
    assert.ok(await page.isDisabled('#bench-run'));
    assert.ok(await page.isHidden('#bench-skipped'), 'nothing known about the rows before the run is done');

    await trainToEnd(page);
    await page.waitForFunction(() => !document.querySelector('#bench-run').disabled);
    // spiral: the teacher's biases alone exceed the student's size, and it has only 3 classes (`kd compare --dataset spiral`)
    const skipped = await page.$$eval('#bench-skipped-list li', (lis) => lis.map((li) => ({ methods: li.dataset.methods, text: li.textContent })));
    assert.deepEqual(skipped.map((s) => s.methods), ['prune-weights', 'transfer transfer-scratch'], 'one item per reason');
    const fragment = (key) => en[key].split(/\{\w+(?::[^}]*)?\}/)[0];
    assert.ok(skipped[0].text.startsWith(`${en['bench.entry.prune-weights']}: `) && skipped[0].text.includes(fragment('engine.bench.tooSmallToPrune')), `the reason: «${skipped[0].text}»`);
    assert.ok(skipped[1].text.startsWith(`${en['bench.entry.transfer']}, ${en['bench.entry.transfer-scratch']}: `)
      && skipped[1].text.includes(fragment('engine.bench.transferClasses')), `the reason: «${skipped[1].text}»`);
    assert.equal(await page.textContent('#bench-skipped-lead'), fill(en['bench.skipped.lead'], { count: 3, total: 9 }));
    assert.ok(await page.isVisible('#bench-digits-run'), 'the digits comparison is offered');

    // the rows it can make, it makes; the others are said to be missing
    await page.click('#bench-run');
    await page.waitForSelector('#compress[data-phase="done"]', { timeout: 120_000 });
    await settled(page);
    const report = await page.evaluate(() => window.kdCompression.report());
    assert.deepEqual(report.rows.map((r) => r.method), ['teacher', 'kd', 'control', 'prune-neurons', 'int8', 'kd-int8']);
    assert.deepEqual((await shownTable(page)).map((r) => r.method), report.rows.map((r) => r.method));
    const numbers = await page.$$eval('#bench-diff tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.method, tr.querySelector('[data-col="numbers"]').textContent])));
    assert.equal(numbers['prune-weights'], en['bench.diff.missing']);
    assert.equal(numbers.transfer, en['bench.diff.missing']);
    assert.notEqual(numbers.kd, en['bench.diff.missing']);
    assert.equal((await shownSentences(page)).transfer, undefined, 'no sentence on a transfer that was not made');
    assert.ok(await page.isVisible('#bench-skipped'), 'the reasons stay beside the result');
    await assertNoPageOverflow(page, 'spiral at 1366 px');
    await shot(t, page, 'compress-05-spiral-en-1366.png');

    await switchLanguage(page, 'ko');
    const korean = await page.$$eval('#bench-skipped-list li', (lis) => lis.map((li) => li.textContent));
    for (const text of korean) assert.match(text, HANGUL, `the reason in Korean: «${text}»`);
    assert.equal(await page.textContent('#bench-digits-run'), ko['bench.digits']);
    await page.setViewportSize(NARROW);
    await settled(page);
    await assertNoPageOverflow(page, 'spiral, ko at 390 px');
    await shot(t, page, 'compress-06-spiral-ko-390.png');
    await page.setViewportSize(WIDE);
    await switchLanguage(page, 'en');

    // the digits comparison: digits and its defaults in the controls and the link, a new run that waits for Play
    await page.click('#bench-digits-run');
    await page.waitForFunction(() => /(^|&)dataset=digits(&|$)/.test(window.location.hash.slice(1)));
    await page.waitForSelector('#phase[data-phase="teacher"]');
    await settled(page);
    assert.equal(await page.inputValue('#set-dataset'), 'digits');
    const defaults = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      return Object.fromEntries(Object.entries(engine.datasetDefaults('digits')).map(([k, v]) => [k, String(v)]));
    });
    assert.equal(await page.inputValue('#set-teacherEpochs-num').catch(() => page.inputValue('#set-teacherEpochs')), defaults.teacherEpochs, 'digits\' own epochs, not the short link\'s');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'btn-play', 'the learner presses Play next');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'false', 'it does not train by itself');
    assert.equal(await page.textContent('#bench-status'), en['bench.notDone']);
    assert.ok(await page.isHidden('#bench-result'));
    check('on the refusals');

    // a method without a teacher: the engine's reason, at once
    const dml = await openPage(browser, `#method=dml&${SHORT}`);
    await openBench(dml.page);
    const reason = fill(en['engine.bench.needsTeacher'], { method: en['method.name.dml'] });
    assert.equal(await dml.page.textContent('#bench-status'), fill(en['bench.refused'], { message: reason }));
    assert.ok(await dml.page.isDisabled('#bench-run'));
    assert.ok(await dml.page.isVisible('#bench-digits-run'), 'the digits comparison is offered');
    dml.check('on a run without a teacher');
  } finally {
    await browser.close();
  }
});
