// The language model in miniature (www/language.html): a character model of first names trained in the page, its
// teacher distilled into a student beside a control. The page's numbers are kd's for the same run, bit for bit, with
// the worker and without; the prompt, the bars, the sampling temperature, the KL direction and bad input behave as a
// learner expects, in English and in Korean, at a desktop's and a phone's width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, newRecordedPage, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const KD = process.env.KD_CLI ?? 'target/debug/kd';
const SHOTS = process.env.KD_SCREENSHOT_DIR;

/** The language page in `lang` (and the settings of `link`, e.g. '&seed=2'), ready; without the Worker constructor
 *  when `worker` is false. */
async function openPage(browser, { lang = 'en', worker = true, width = 1280, height = 900, link = '' } = {}) {
  const { page, problems } = await newRecordedPage(browser, PAGE_URL, { timeout: 60_000 });
  await page.setViewportSize({ width, height });
  if (!worker) await page.addInitScript(() => { delete window.Worker; });
  await page.goto(new URL(`language.html#lang=${lang}${link}`, PAGE_URL).href);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  await settled(page);
  assert.equal(await page.evaluate(() => window.__lm.worker), worker, worker ? 'the run trains in the worker' : 'without Worker, on the page');
  return { page, problems };
}

const lm = (page) => page.evaluate(() => window.__lm);

/** Fewer epochs, for the tests that need a finished run but not kd's default one. */
const SHORT = '&teacherEpochs=3&studentEpochs=4';

/** Trains the run to the end. */
async function trainToEnd(page) {
  await page.click('#play');
  await page.waitForSelector('body[data-scores="ready"]', { state: 'attached', timeout: 240_000 });
  await settled(page);
}

/** Types `text` into the prompt and waits for the page to draw it. */
async function prompt(page, text) {
  await page.fill('#prompt', text);
  await settled(page);
}

/**
 * kd's run with the page's defaults (the built-in names, seed 1) but SHORT's epochs: the page's run with the SHORT
 * link, trained natively (every other setting is each side's own default, so they are compared too).
 */
function kdRun() {
  const args = ['run', '--dataset', 'names', '--task', 'chars', '--teacher-epochs', '3', '--student-epochs', '4', '--json'];
  const out = execFileSync(KD, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out);
}

test('the page trains the language model as kd does, bit for bit, with the worker and without', { timeout: 420_000 }, async (t) => {
  const cli = kdRun();
  const browser = await launch();
  try {
    for (const worker of [true, false]) {
      const { page, problems } = await openPage(browser, { worker, link: SHORT });
      const before = await lm(page);
      assert.equal(before.status.phase, 'teacher');
      assert.equal(before.info.name, 'names');
      assert.equal(before.info.heldOut, 'validation', 'the curves are measured on the validation names');
      assert.ok(Math.abs(before.bits.teacher - before.info.untrainedBits) < 0.2, `untrained: about log2 of the symbols (${before.bits.teacher})`);

      await page.click('#step');
      await settled(page);
      const stepped = await lm(page);
      assert.equal(stepped.status.phase, 'teacher');
      assert.equal(stepped.status.epoch, 1, 'one epoch');
      assert.match(await page.textContent('#status'), /epoch 1 of 3/);
      assert.ok(stepped.bits.teacher < before.bits.teacher - 1, `one epoch lowers the teacher's bits (${stepped.bits.teacher})`);

      await trainToEnd(page);
      const done = await lm(page);
      assert.equal(done.status.phase, 'done');
      const pairs = [['teacher', 'teacher'], ['kd', 'student_kd'], ['control', 'student_hard']];
      for (const [mine, theirs] of pairs) {
        assert.equal(Math.fround(done.scores[mine].bitsPerChar), Math.fround(cli[theirs].bits_per_char), `${mine}: the same bits per character as kd`);
        assert.equal(Math.fround(done.scores[mine].perplexity), Math.fround(cli[theirs].perplexity), `${mine}: the same perplexity as kd`);
        assert.equal(Math.fround(done.scores[mine].distinctTrigrams), Math.fround(cli[theirs].distinct_trigrams), `${mine}: the same distinct 3-grams`);
        assert.equal(Math.fround(done.scores[mine].accuracy), Math.fround(cli[theirs].test_accuracy), `${mine}: next-character accuracy is kd's test accuracy`);
      }
      assert.deepEqual(done.scores.teacher.written, cli.written.teacher, 'the teacher writes the names kd writes');
      assert.ok(done.scores.teacher.bitsPerChar < done.info.untrainedBits - 1.5, 'the trained teacher predicts far better than a model that knows nothing');
      // the verdict says what the numbers beside it say
      const verdict = await page.textContent('#verdict');
      const [kd, control] = [done.scores.kd.bitsPerChar.toFixed(3), done.scores.control.bitsPerChar.toFixed(3)];
      assert.ok(verdict.includes(kd) && verdict.includes(control), verdict);
      if (kd === control) assert.match(verdict, /no difference/);
      else assert.match(verdict, Number(kd) < Number(control) ? /distillation lowered/ : /distillation did not lower/);
      assert.match(verdict, /One seed decides nothing/);
      const cells = await page.$$eval('#test-table tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
      assert.deepEqual(cells, [done.scores.teacher.bitsPerChar, done.scores.kd.bitsPerChar, done.scores.control.bitsPerChar].map((b) => b.toFixed(3)));
      assert.deepEqual(problems, [], `no problems (worker: ${worker})`);
      t.diagnostic(`worker ${worker}: distilled ${kd}, control ${control} bits per character, as kd`);
      await page.context().close();
    }
  } finally {
    await browser.close();
  }
});

test('the prompt, the bars, the sampling temperature and the KL direction behave as a learner expects', { timeout: 300_000 }, async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, { link: SHORT });
    await trainToEnd(page);
    assert.equal((await lm(page)).status.teacherEpochs, 3, 'the link\'s epochs');

    // the bars: the last characters read, each model's distribution (shown characters and other) sums to 1
    await prompt(page, 'mar');
    let view = (await lm(page)).next;
    assert.deepEqual(view.read, ['m', 'a', 'r']);
    for (const model of ['teacher', 'kd', 'control']) {
      for (const row of [view[model].atOne, view[model].atT]) {
        assert.equal(row.length, view.symbols.length + 1);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, `${model}: ${row}`);
      }
    }
    assert.equal(view.temperature, 1, 'the language task distils at T = 1 by default');
    assert.deepEqual(view.teacher.atOne, view.teacher.atT, 'at T = 1 the soft label is the prediction');
    assert.match(await page.textContent('#bars-note'), /both columns are equal/);
    assert.equal(await page.locator('#bars .model-card').count(), 3);

    // a higher distillation T flattens the soft label: more mass on "other"
    await page.fill('#temperature', '4');
    await page.dispatchEvent('#temperature', 'input');
    await settled(page);
    view = (await lm(page)).next;
    assert.equal(view.temperature, 4);
    const other = view.symbols.length;
    assert.ok(view.teacher.atT[other] > view.teacher.atOne[other], 'at T = 4 more of the mass is outside the top characters');
    assert.match(await page.textContent('#bars-note'), /flatter/);
    assert.ok((await page.textContent('#bars')).includes('T = 4.0'));

    // the sampling temperature: at 0 every line is the model's first choice, the same each time
    await page.fill('#sampling', '0');
    await page.dispatchEvent('#sampling', 'input');
    await settled(page);
    const greedy = (await lm(page)).written;
    assert.equal(new Set(greedy.teacher).size, 1, `greedy: ${greedy.teacher}`);
    assert.ok(greedy.teacher.every((line) => line.startsWith('mar')), 'each line continues the prompt');
    await page.fill('#sampling', '1');
    await page.dispatchEvent('#sampling', 'input');
    await settled(page);
    const first = (await lm(page)).written;
    await page.click('#again');
    await settled(page);
    const again = (await lm(page)).written;
    assert.notDeepEqual(again.teacher, first.teacher, 'another draw writes other names');
    const shown = await page.$$eval('#written .model-teacher li', (lis) => lis.map((li) => li.textContent));
    assert.equal(shown[0], again.teacher[0].length > 3 ? again.teacher[0] : 'mar(ends here)');

    // a character the names never use: a clear message, no bars, and the page goes on
    await prompt(page, 'Ma');
    assert.equal(await page.isVisible('#prompt-error'), true);
    assert.match(await page.textContent('#prompt-error'), /the character 'M' never occurs in names/);
    assert.equal((await lm(page)).next, null);
    await prompt(page, 'ma');
    assert.equal(await page.isVisible('#prompt-error'), false);

    // reverse KL: new students from the same teacher
    const teacherBits = (await lm(page)).scores.teacher.bitsPerChar;
    await page.selectOption('#kl', 'reverse');
    await settled(page);
    let s = await lm(page);
    assert.equal(s.status.phase, 'distil', 'the trained teacher is kept');
    assert.equal(s.status.epoch, 0);
    assert.equal(s.scores, null);
    await trainToEnd(page);
    s = await lm(page);
    assert.equal(s.scores.teacher.bitsPerChar, teacherBits, 'the same teacher');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('a text file of the learner: trained on, or refused with a clear message in Korean', { timeout: 240_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kd-language-'));
  const browser = await launch();
  try {
    // a link's bad setting: said in Korean, and the run built with the defaults
    const { page, problems } = await openPage(browser, { lang: 'ko', link: '&seed=abc' });
    assert.equal(await page.isVisible('#error'), true);
    assert.match(await page.textContent('#error'), /abc/);
    assert.equal(await page.inputValue('#seed'), '1');
    // a refused setting: a message, the run before stays and its value comes back
    await page.fill('#context', '');
    await page.dispatchEvent('#context', 'change');
    await settled(page);
    assert.equal(await page.isVisible('#error'), true, 'an empty context is refused');
    assert.equal(await page.inputValue('#context'), '3', 'the run\'s value is shown again');
    assert.equal((await lm(page)).info.context, 3);
    await page.selectOption('#text-choice', 'file');
    assert.equal(await page.isVisible('#text-file'), true);
    const binary = path.join(dir, 'image.txt');
    fs.writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x01]));
    await page.setInputFiles('#text-file', binary);
    await settled(page);
    assert.equal(await page.isVisible('#error'), true);
    const message = await page.textContent('#error');
    assert.match(message, /image\.txt/);
    assert.doesNotMatch(message, /[a-z]{6,}/, `a Korean message: ${message}`);
    assert.equal((await lm(page)).info.name, 'names', 'the names run stays');

    const words = path.join(dir, 'words.txt');
    fs.writeFileSync(words, Array.from({ length: 60 }, (_, i) => ['가나다', '나다라', '다라마바'][i % 3] + '사'.repeat(i % 4)).join('\n'));
    await page.setInputFiles('#text-file', words);
    await settled(page);
    const info = (await lm(page)).info;
    assert.equal(info.name, 'words.txt');
    assert.equal(await page.isVisible('#error'), false);
    // the prompt of the names is read against the new text at once: its characters are not in it
    assert.equal((await lm(page)).next, null, 'no bars of the names run');
    assert.match(await page.textContent('#prompt-error'), /words\.txt/);
    assert.match(await page.textContent('#test-title'), /테스트 줄/, 'the lines of a text, not names');
    await prompt(page, '가나');
    assert.deepEqual((await lm(page)).next.read, ['⏎', '가', '나']);
    await trainToEnd(page);
    assert.equal((await lm(page)).status.phase, 'done');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('the page reads in English and Korean at a desktop and a phone width, nothing untranslated or clipped', { timeout: 300_000 }, async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, { lang: 'en', width: 1366, height: 900, link: SHORT });
    await trainToEnd(page);
    for (const [width, height, lang] of [[1366, 900, 'en'], [390, 844, 'ko'], [1366, 900, 'ko'], [390, 844, 'en']]) {
      await page.setViewportSize({ width, height });
      if ((await page.getAttribute('html', 'lang')) !== lang) await page.selectOption('#lang', lang);
      // the chart is drawn again at its new size (its ResizeObserver), then the page settles
      await page.waitForFunction(() => {
        const c = document.getElementById('bits-chart');
        return c.width === Math.round(c.getBoundingClientRect().width * devicePixelRatio)
          && c.height === Math.round(c.getBoundingClientRect().height * devicePixelRatio);
      });
      await settled(page);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      const text = await page.evaluate(() => document.body.innerText);
      assert.doesNotMatch(text, /\blm\.[a-z]/, 'no catalogue key shown');
      if (lang === 'ko') {
        assert.equal(await page.textContent('h1'), '작은 언어 모델 증류');
        assert.match(text, /대조군 학생/);
        assert.doesNotMatch(text, /Distilled student|Bits per character/, 'no English left');
      } else {
        assert.equal(await page.textContent('h1'), 'A language model in miniature');
      }
      // nothing wider than the window, and the tables fit their boxes
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at ${width}px`);
      for (const id of ['test-table', 'now-table']) {
        const [table, box] = await page.$eval(`#${id}`, (e) => [e.scrollWidth, e.parentElement.clientWidth]);
        assert.ok(table <= box, `#${id} is clipped at ${width}px in ${lang} (${table} > ${box})`);
      }
      // the chart is drawn: it has ink
      const inked = await page.$eval('#bits-chart', (c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 100 && data[i + 1] < 100 && data[i + 2] < 100) dark += 1;
        return dark;
      });
      assert.ok(inked > 500, `the bits chart is drawn (${inked} dark pixels)`);
      if (SHOTS) {
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `language-${width}-${lang}.png`), fullPage: true });
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
