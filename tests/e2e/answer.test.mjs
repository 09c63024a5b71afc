// End-to-end test of the printable exam answer (www/answer.html): opened on its own, in English and in Korean, it
// trains the default digits comparison and its compression bench in the browser, then shows the seven parts of an
// exam answer (정의, 구성도, 구성요소, the sample's labels, the loss, 비교표, 장점/활용) in that language, every
// measured number equal to the engine's report and every verdict agreeing with its numbers; printed to an A4 PDF,
// the text (pdftotext) has the titles and the numbers, and the pages (pdftoppm) are saved beside the screenshots.
// Opened after the playground kept an answer's data in local storage, it shows those data and trains nothing. A
// data file that cannot be fetched is said in the learner's language.
// Needs KD_URL (the served www/), pdftotext and pdftoppm (poppler-utils); writes images to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launch, recordProblems } from './browser.mjs';
import { fill } from '../../www/template.js';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const ANSWER_URL = new URL('answer.html', PAGE_URL).href;
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
/** Training the default comparison and its bench takes some seconds (about 15 in headless Chromium). */
const TRAIN_TIMEOUT_MS = 180_000;

const SECTIONS = ['definition', 'diagram', 'components', 'sample', 'loss', 'comparison', 'advantages'];
const SECTION_TITLES = ['answer.s1.title', 'answer.s2.title', 'answer.s3.title', 'answer.s4.title', 'answer.s5.title', 'answer.s6.title', 'answer.s7.title'];
const HANGUL = /[\uac00-\ud7a3]/;
const UNFILLED = /\{\w+(:[^}]*)?\}/;
const KEY_LIKE = /\b(answer|engine|bench|method)\.[a-z][\w-]*\.[\w.-]+/;

/** A catalogue as the page loads it (its two parts). */
function catalogue(lang) {
  const read = (file) => JSON.parse(fs.readFileSync(new URL(`../../www/locales/${file}`, import.meta.url), 'utf8'));
  return { ...read(`${lang}.json`), ...read(`${lang}.panels.json`) };
}
const CATALOGUES = { en: catalogue('en'), ko: catalogue('ko') };

/** Whitespace (no-break spaces too) as single spaces: how the page's and the PDF's texts are compared. */
const squash = (text) => String(text).replace(/[\s\u00a0]+/g, ' ').trim();
/** A template's text before its first placeholder: what a sentence chosen from it starts with. */
const opening = (template) => squash(template.split('{')[0]);

function saveShot(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}

/** A fresh context's page (a `width`-px window), recording its problems and the URLs it requested. */
async function newPage(browser, { width = 1366 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = recordProblems(page, PAGE_URL);
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  return { context, page, problems, requested };
}

/** Opens the answer in `lang` and waits until it is written (or has failed); returns data-ready. */
async function openAnswer(page, lang) {
  await page.goto(`${ANSWER_URL}#lang=${lang}`);
  await page.waitForSelector('body[data-ready]', { state: 'attached', timeout: TRAIN_TIMEOUT_MS });
  return page.getAttribute('body', 'data-ready');
}

/**
 * What the page shows, read from its DOM: the sections and their titles, the measured table's cells (text and
 * data-value), the sample's and the loss's cells, the advantages' sentences, the diagram's texts.
 */
function shown(page) {
  return page.evaluate(() => {
    const cells = (row) => Object.fromEntries([...row.querySelectorAll('td[data-field]')].map((td) => [td.dataset.field, { text: td.textContent, value: td.dataset.value }]));
    return {
      lang: document.documentElement.lang,
      source: document.body.dataset.source,
      sections: [...document.querySelectorAll('#answer > section')].map((s) => ({ name: s.dataset.section, title: s.querySelector('h2').textContent })),
      text: document.querySelector('#answer').innerText,
      measured: [...document.querySelectorAll('.ans-measured tbody tr')].map((tr) => ({
        method: tr.dataset.method, skipped: tr.dataset.skipped === 'true', name: tr.querySelector('th').textContent, text: tr.textContent, cells: cells(tr),
      })),
      sample: [...document.querySelectorAll('.ans-sample tbody tr')].map((tr) => ({ class: Number(tr.dataset.class), cells: cells(tr) })),
      loss: Object.fromEntries([...document.querySelectorAll('.ans-loss tbody tr')].map((tr) => [tr.dataset.term, cells(tr)[tr.dataset.term]])),
      advantages: [...document.querySelectorAll('.ans-measured-list li')].map((li) => li.textContent),
      diagram: [...document.querySelectorAll('.ans-diagram-wide text')].map((n) => n.textContent),
      keepAll: getComputedStyle(document.querySelector('[data-section="definition"] p')).wordBreak,
      printDisabled: document.querySelector('#print').disabled,
      working: !document.querySelector('#working').hidden,
    };
  });
}

/** The texts the page should show for the report's numbers, written by the page's own formatting module. */
function expected(page) {
  return page.evaluate(async () => {
    const f = await import(new URL('lib/format.js', document.baseURI).href);
    const { data } = window.__answer;
    return {
      data,
      rows: Object.fromEntries(data.bench.rows.map((r) => [r.method, {
        parameters: f.int(r.parameters), nonzero_parameters: f.int(r.nonzero_parameters), bytes: f.int(r.bytes),
        inference_us_per_sample: f.sig(r.inference_us_per_sample, 3), test_accuracy: f.pct(r.test_accuracy, 1),
      }])),
      sample: data.sample && Object.fromEntries(['hardLabel', 'teacherT1', 'teacherAtT', 'kdStudentT1', 'controlStudentT1']
        .map((field) => [field, data.sample[field].map((p) => f.fixed(p, 3))])),
      loss: data.sample && { softLoss: f.prec(data.sample.softLoss, 3), hardLoss: f.prec(data.sample.hardLoss, 3), totalLoss: f.prec(data.sample.totalLoss, 3) },
      T: f.temperatureText(data.settings.temperature),
      alpha: f.sig(data.settings.alpha, 3),
      teacherParams: f.int(data.teacher.parameters),
      studentParams: f.int(data.student.parameters),
    };
  });
}

/** Checks the sections, the language and every measured number against the report. */
function checkAnswer(lang, view, want, source) {
  const cat = CATALOGUES[lang];
  assert.equal(view.lang, lang);
  assert.equal(view.source, source);
  assert.equal(view.working, false, 'the progress is gone once the answer is written');
  assert.equal(view.printDisabled, false, 'the print button is enabled');
  assert.deepEqual(view.sections.map((s) => s.name), SECTIONS, `${lang}: the seven parts, in the answer's order`);
  assert.deepEqual(view.sections.map((s) => s.title), SECTION_TITLES.map((k) => cat[k]), `${lang}: the titles from the catalogue`);
  assert.doesNotMatch(view.text, UNFILLED, `${lang}: no placeholder left unfilled`);
  assert.doesNotMatch(view.text, KEY_LIKE, `${lang}: no catalogue key shown`);
  if (lang === 'ko') {
    assert.match(view.text, HANGUL);
    assert.equal(view.keepAll, 'keep-all', 'Korean breaks between words');
    for (const key of ['answer.s1.text', 'answer.s3.teacher.role', 'answer.use.edge']) assert.ok(!view.text.includes(CATALOGUES.en[key]), `${key} is translated`);
  }

  // the measured table: a row per row of the report (or per skipped row, with its reason), each number the report's
  const { data } = want;
  const methods = view.measured.map((r) => r.method);
  for (const row of data.bench.rows) {
    const seen = view.measured.find((r) => r.method === row.method);
    assert.ok(seen, `${lang}: a row for ${row.method}`);
    assert.equal(seen.name, cat[`answer.entry.${row.method}`]);
    for (const [field, text] of Object.entries(want.rows[row.method])) {
      assert.equal(seen.cells[field].text, text, `${lang} ${row.method}.${field}: the text`);
      assert.equal(Number(seen.cells[field].value), row[field], `${lang} ${row.method}.${field}: the engine's value`);
    }
  }
  for (const skipped of data.bench.skipped) {
    const seen = view.measured.find((r) => r.method === skipped.method);
    assert.ok(seen?.skipped, `${lang}: ${skipped.method} says why it was not measured`);
    assert.ok(seen.text.includes(opening(cat['answer.s6.notMeasured'])));
  }
  assert.equal(methods.length, data.bench.rows.length + data.bench.skipped.length);

  // the sample's probabilities and its loss
  if (data.sample) {
    assert.ok(view.sample.length >= 2, `${lang}: the sample's top classes`);
    assert.ok(view.sample.some((r) => r.class === data.sample.label), 'the true class is among them');
    for (const row of view.sample) {
      for (const [field, texts] of Object.entries(want.sample)) {
        assert.equal(squash(row.cells[field].text), texts[row.class], `${lang} class ${row.class} ${field}`);
        assert.equal(Number(row.cells[field].value), data.sample[field][row.class]);
      }
    }
    assert.equal(view.loss.softLoss.text, want.loss.softLoss);
    assert.equal(view.loss.hardLoss.text, want.loss.hardLoss);
    assert.ok(squash(view.loss.totalLoss.text).endsWith(`= ${want.loss.totalLoss}`), `${lang}: the total loss`);
    assert.equal(Number(view.loss.softLoss.value), data.sample.softLoss);
    assert.equal(Number(view.loss.totalLoss.value), data.sample.totalLoss);
  }

  // the diagram carries the run's T, α and both models' sizes
  const diagram = view.diagram.join(' | ');
  assert.ok(diagram.includes(`T = ${want.T}`) && diagram.includes(`α = ${want.alpha}`), `${lang}: T and α in the diagram: ${diagram}`);
  assert.ok(diagram.includes(want.teacherParams) && diagram.includes(want.studentParams), `${lang}: the parameter counts in the diagram`);
  assert.ok(diagram.includes(data.teacher.layers.join('→')) && diagram.includes(data.student.layers.join('→')));

  // every verdict agrees with its numbers
  const row = (m) => data.bench.rows.find((r) => r.method === m);
  const kd = row('kd');
  const control = row('control');
  const teacher = row('teacher');
  const count = (r) => Math.round(r.test_accuracy * r.test_samples);
  const sentence = (key) => {
    assert.ok(opening(cat[key]).length >= 8, `${key}: a sentence recognisable by its opening`);
    return view.advantages.find((s) => squash(s).startsWith(opening(cat[key])));
  };
  const verdict = count(kd) > count(control) ? 'answer.adv.kdBetter' : count(kd) < count(control) ? 'answer.adv.kdWorse' : 'answer.adv.kdTie';
  const kdSentence = sentence(verdict);
  assert.ok(kdSentence, `${lang}: the distilled student against the control says ${verdict}: ${view.advantages.join(' / ')}`);
  assert.ok(kdSentence.includes(want.rows.kd.test_accuracy) && (verdict === 'answer.adv.kdTie' || kdSentence.includes(want.rows.control.test_accuracy)));
  for (const other of ['answer.adv.kdBetter', 'answer.adv.kdWorse', 'answer.adv.kdTie'].filter((k) => k !== verdict)) {
    assert.equal(sentence(other), undefined, `${lang}: not ${other}`);
  }
  const int8 = row('int8');
  if (int8) {
    const slower = int8.inference_us_per_sample >= teacher.inference_us_per_sample;
    const said = sentence(slower ? 'answer.adv.int8Slower' : 'answer.adv.int8Faster');
    assert.ok(said, `${lang}: int8 is said to be ${slower ? 'slower' : 'faster'} than f32`);
    assert.ok(said.includes(want.rows.int8.inference_us_per_sample) && said.includes(want.rows.teacher.inference_us_per_sample));
  }
  const faster = kd.inference_us_per_sample < teacher.inference_us_per_sample;
  assert.ok(sentence(faster ? 'answer.adv.faster' : 'answer.adv.notFaster'), `${lang}: the student's speed, as measured`);
  assert.ok(sentence('answer.adv.size').includes(want.rows.teacher.bytes) && sentence('answer.adv.size').includes(want.rows.kd.bytes));
}

/** Prints the page to an A4 PDF; returns its text (pdftotext) and saves its pages as PNG (pdftoppm -r 60). */
async function printed(page, name) {
  const pdf = saveShot(`${name}.pdf`);
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
  for (const old of fs.readdirSync(SHOTS).filter((f) => f.startsWith(`${name}-page-`))) fs.rmSync(path.join(SHOTS, old));
  execFileSync('pdftoppm', ['-png', '-r', '60', pdf, saveShot(`${name}-page`)]);
  const pages = fs.readdirSync(SHOTS).filter((f) => f.startsWith(`${name}-page-`) && f.endsWith('.png'));
  return { text: squash(text), pages };
}

test('opened on its own, the answer trains the default comparison and writes it in English and in Korean, on screen and on A4', { timeout: 2 * TRAIN_TIMEOUT_MS + 120_000 }, async () => {
  const browser = await launch();
  try {
    for (const lang of ['en', 'ko']) {
      const cat = CATALOGUES[lang];
      const { context, page, problems, requested } = await newPage(browser);
      const ready = await openAnswer(page, lang);
      assert.equal(ready, 'true', `${lang}: the answer is written (${await page.textContent('#working-error')})`);
      assert.ok(requested.some((u) => u.endsWith('/pkg/digits.csv')), `${lang}: the digits data were fetched to train`);
      const want = await expected(page);
      assert.equal(want.data.dataset, 'digits');
      assert.equal(want.data.settings.seed, 1, 'the default seed, as kd compare --dataset digits');
      checkAnswer(lang, await shown(page), want, 'trained');
      assert.equal(await page.title(), cat['answer.pageTitle']);
      // opened on its own, the answer too registers the service worker: the site then works offline
      await page.waitForSelector('body[data-offline="ready"]', { state: 'attached' });
      await page.screenshot({ path: saveShot(`answer-${lang}-1366.png`), fullPage: true });

      // the phone: the tall diagram, cards instead of wide tables, nothing wider than the window
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForFunction(() => getComputedStyle(document.querySelector('.ans-diagram-tall')).display !== 'none');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${lang}: nothing wider than a 390 px window`);
      assert.ok(await page.isHidden('.ans-diagram-wide'));
      await page.screenshot({ path: saveShot(`answer-${lang}-390.png`), fullPage: true });
      for (const section of ['diagram', 'comparison']) {
        await page.locator(`[data-section="${section}"]`).screenshot({ path: saveShot(`answer-${lang}-390-${section}.png`) });
      }
      await page.setViewportSize({ width: 1366, height: 900 });

      // on paper: the titles of this language and the measured numbers, without the toolbar
      const pdf = await printed(page, `answer-${lang}`);
      for (const key of ['answer.title', ...SECTION_TITLES, 'answer.s6.col.accuracy']) {
        assert.ok(pdf.text.includes(squash(cat[key])), `${lang} PDF: «${cat[key]}»`);
      }
      for (const m of ['teacher', 'kd', 'control']) {
        for (const field of ['bytes', 'test_accuracy', 'inference_us_per_sample']) {
          assert.ok(pdf.text.includes(want.rows[m][field]), `${lang} PDF: ${m}.${field} = ${want.rows[m][field]}`);
        }
      }
      assert.ok(pdf.text.includes(`T = ${want.T}`) && pdf.text.includes(want.loss.totalLoss), `${lang} PDF: T and the sample's loss`);
      assert.ok(!pdf.text.includes(squash(cat['answer.toolbar.print'])), `${lang} PDF: no toolbar on paper`);
      assert.ok(pdf.pages.length >= 2 && pdf.pages.length <= 6, `${lang} PDF: ${pdf.pages.length} A4 pages`);

      // the language switch rewrites the same answer in the other language, without training again
      const other = lang === 'en' ? 'ko' : 'en';
      const before = await page.evaluate(() => JSON.stringify(window.__answer.data));
      const fetched = requested.filter((u) => u.endsWith('/pkg/digits.csv')).length;
      await page.selectOption('#lang', other);
      await page.waitForFunction((title) => document.querySelector('[data-section="definition"] h2')?.textContent === title, CATALOGUES[other]['answer.s1.title']);
      assert.equal(await page.evaluate(() => document.documentElement.lang), other);
      assert.ok(page.url().endsWith(`#lang=${other}`), 'the hash follows the language');
      assert.equal(await page.evaluate(() => JSON.stringify(window.__answer.data)), before, 'the same answer');
      assert.equal(requested.filter((u) => u.endsWith('/pkg/digits.csv')).length, fetched, 'nothing fetched again');
      checkAnswer(other, await shown(page), await expected(page), 'trained');

      assert.deepEqual(problems, [], `${lang}: no errors`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test('opened from the playground, the answer shows the kept data and trains nothing', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { context, page, problems, requested } = await newPage(browser, { width: 390 });
    // the playground's part, done here as it does it: a short iris run, its bench, answerData and keepAnswer (in a
    // page of the site's origin that is not the answer; Chromium asks a JSON document for a favicon the site has not)
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    await page.goto(new URL('heldout.json', PAGE_URL).href);
    const kept = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      await engine.default();
      const answer = await import(new URL('lib/answer.js', document.baseURI).href);
      const pg = new engine.Playground({ ...engine.datasetDefaults('iris'), seed: 3, teacherEpochs: 3, studentEpochs: 4 });
      while (['teacher', 'distil'].includes(pg.status().phase)) pg.train(50, 1e6);
      const bench = new engine.CompressionBench(pg, {});
      while (!bench.step(50).done) { /* trains, then times a row per call */ }
      const data = answer.answerData(pg, bench.report());
      if (!answer.keepAnswer(localStorage, data)) throw new Error('not kept');
      return data;
    });
    assert.ok(kept.bench.skipped.length > 0, 'iris leaves rows of the bench out (a case the answer must say)');
    requested.length = 0;

    assert.equal(await openAnswer(page, 'ko'), 'true');
    assert.ok(!requested.some((u) => u.endsWith('/pkg/digits.csv')), 'no data fetched to train');
    assert.equal(await page.isHidden('#working'), true);
    const data = await page.evaluate(() => window.__answer.data);
    assert.deepEqual(data, kept, 'the kept data, as kept');
    const want = await expected(page);
    const view = await shown(page);
    checkAnswer('ko', view, want, 'stored');
    assert.ok(view.text.includes(CATALOGUES.ko['choice.dataset.iris']), 'the kept run’s data set is named');
    assert.ok(view.text.includes(opening(CATALOGUES.ko['answer.source.stored'])), 'the source line says the numbers are the playground’s');
    assert.ok(view.text.includes(squash(CATALOGUES.ko['answer.s3.teacher.name'])));
    for (const { method } of kept.bench.skipped) {
      const row = view.measured.find((r) => r.method === method);
      assert.ok(row && !KEY_LIKE.test(row.text) && HANGUL.test(row.text), `${method}: its reason, rendered in Korean: ${row?.text}`);
    }
    await page.screenshot({ path: saveShot('answer-stored-ko-390.png'), fullPage: true });
    const pdf = await printed(page, 'answer-stored-ko');
    assert.ok(pdf.text.includes(squash(CATALOGUES.ko['answer.s6.title'])));
    assert.deepEqual(problems, [], 'no errors');
    await context.close();
  } finally {
    await browser.close();
  }
});

test('a data file that cannot be fetched is said in the learner’s language', { timeout: 60_000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.route('**/pkg/digits.csv', (route) => route.fulfill({ status: 404, body: 'gone' }));
    assert.equal(await openAnswer(page, 'ko'), 'failed');
    const message = await page.textContent('#working-error');
    assert.ok(await page.isVisible('#working-error'));
    const [said] = CATALOGUES.ko['answer.error.data'].split('{message}');
    assert.ok(squash(message).startsWith(squash(fill(said, { dataset: CATALOGUES.ko['choice.dataset.digits'] }))), message);
    assert.ok(message.includes('404') && message.includes(squash(CATALOGUES.ko['answer.error.hint'])), message);
    assert.equal(await page.isHidden('#answer'), true);
    assert.equal(await page.isDisabled('#print'), true);
    await context.close();
  } finally {
    await browser.close();
  }
});
