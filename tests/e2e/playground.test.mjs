// End-to-end test of the page, as a learner would use it: pick a data set, train the teacher, watch the
// distillation begin, select a sample, move the temperature, switch to the digits.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { frames, launch, recordProblems, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const MINUS = '\u2212';

/** Numbers of one row of the selected-sample table, as displayed. */
async function row(page, key) {
  const cells = await page.$$eval(`#sample-table tr[data-row="${key}"] td`, (tds) => tds.map((td) => td.textContent));
  return cells.map((s) => Number(s.replace(MINUS, '-')));
}

/** Parses "Training the teacher — epoch 12/40" / "Distilling — epoch 3/60". */
function epochOf(text) {
  const m = /epoch (\d+)\/(\d+)/.exec(text);
  return m ? { epoch: Number(m[1]), of: Number(m[2]) } : null;
}

/** Parses "batch 3/15 · 1,234 steps". */
function progressOf(text) {
  const b = /batch (\d+)\/(\d+)/.exec(text);
  const s = /([\d,]+) steps/.exec(text);
  return { batch: b ? Number(b[1]) : null, steps: s ? Number(s[1].replace(/,/g, '')) : null };
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
    return { ink, total: width * height };
  });
}

test('a learner trains, distils, inspects a sample and changes T', { timeout: 170_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const shot = async (page, name) => {
    const file = path.join(SHOTS, name);
    await page.evaluate(() => window.scrollTo(0, 0)); // the header is sticky: shoot from the top
    await page.screenshot({ path: file, fullPage: true });
    t.diagnostic(`screenshot: ${file}`);
  };

  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const problems = recordProblems(page, PAGE_URL);
    const noProblems = (where) => assert.deepEqual(problems, [], `errors ${where}`);
    const phase = () => page.textContent('#phase');
    const detail = () => page.textContent('#phase-detail');
    const alertText = async () => ((await page.isVisible('#error')) ? page.textContent('#error-text') : '');

    // ---- the page loads and builds its controls from the engine's schema
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    assert.equal(await alertText(), '', 'no error is shown after loading');
    assert.ok(await page.locator('#settings select#set-dataset').count(), 'the data-set select exists');
    assert.ok(await page.locator('#set-temperature[type="range"]').count(), 'the temperature slider exists');
    noProblems('while loading');

    // ---- a 2-D data set; many student epochs so that the distillation cannot finish while we look
    await page.selectOption('#set-dataset', 'moons');
    await page.waitForFunction(() => document.querySelector('#data-note')?.textContent.startsWith('moons'));
    assert.ok(await page.isVisible('#regions-teacher'), 'the decision-region canvases are shown for a 2-D set');
    assert.ok(!(await page.isVisible('#samples')), 'the samples canvas is hidden for a 2-D set');
    const split = await page.textContent('#settings .group-info');
    assert.match(split, /\d+ train \/ \d+ test/, 'the train/test split counts are shown');
    assert.match(await page.textContent('#settings'), /Teacher 2→[\d→]+→2 · [\d,]+ parameters/, 'the teacher architecture is shown');
    // an invalid value: its message appears beside the control, as text, and Reset is refused
    const studentHidden = await page.inputValue('#set-studentHidden');
    await page.fill('#set-studentHidden', '8,<b>x</b>');
    await page.waitForSelector('#set-studentHidden-error:visible');
    assert.match(await page.textContent('#set-studentHidden-error'), /<b>x<\/b>/, 'the message quotes the typed text');
    assert.equal(await page.locator('#set-studentHidden-error b').count(), 0, 'typed text is never rendered as HTML');
    assert.ok(await page.isDisabled('#btn-reset'), 'no reset with invalid settings');
    await page.fill('#set-studentHidden', studentHidden);
    await page.press('#set-studentHidden', 'Tab');
    assert.ok(await page.isHidden('#set-studentHidden-error'));
    assert.ok(await page.isEnabled('#btn-reset'));

    const maxStudentEpochs = await page.getAttribute('#set-studentEpochs-num', 'max');
    assert.ok(Number(maxStudentEpochs) >= 200, `the schema allows long distillations (max ${maxStudentEpochs})`);
    await page.fill('#set-studentEpochs-num', maxStudentEpochs);
    await page.press('#set-studentEpochs-num', 'Tab');
    await page.click('#btn-reset');
    await page.waitForFunction(() => /^Ready/.test(document.querySelector('#phase').textContent));
    assert.match(await phase(), /^Ready — press Play/, 'before the first step the status says so, not "epoch 0"');
    await settled(page);
    // ---- nothing trained: the table marks the three networks' rows and the note says their numbers are noise
    const untrainedRows = () => page.$$eval('#sample-table tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.row, tr.dataset.untrained === 'true'])));
    assert.deepEqual(await untrainedRows(), { hard: false, teacherT1: true, teacherAtT: true, kdStudentAtT: true, controlStudentAtT: true });
    assert.match(await page.textContent('#sample-state'), /^Nothing is trained yet/);
    assert.match(await page.textContent('#sample-table tr[data-row="teacherT1"] th'), /\(untrained\)$/);

    // ---- Step epoch advances the epoch
    let last = 0;
    for (let i = 0; i < 3; i++) {
      await page.click('#btn-step-epoch');
      await page.waitForFunction((e) => {
        const m = /epoch (\d+)\//.exec(document.querySelector('#phase').textContent);
        return m && Number(m[1]) > e;
      }, last);
      const now = epochOf(await phase()).epoch;
      assert.equal(now, last + 1, 'one epoch per click');
      last = now;
    }
    await settled(page);
    assert.deepEqual(await untrainedRows(), { hard: false, teacherT1: false, teacherAtT: false, kdStudentAtT: true, controlStudentAtT: true },
      'the teacher has learned; the students start after it');
    assert.match(await page.textContent('#sample-state'), /^The teacher is still learning \(3 of \d+ epochs done\)/);
    await shot(page, '01-moons-teacher-3-epochs.png');
    noProblems('while stepping epochs');

    // ---- Play until the teacher is trained and distillation has begun, then pause
    await page.click('#btn-play');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'true');
    await page.waitForFunction(() => /^Distilling — epoch [1-9]/.test(document.querySelector('#phase').textContent), null, { timeout: 90_000 });
    await page.click('#btn-play');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'false');
    await settled(page);
    assert.deepEqual(Object.values(await untrainedRows()), [false, false, false, false, false], 'every network has learned');
    assert.ok(await page.isHidden('#sample-state'), 'no untrained note once the students learn');
    assert.deepEqual(await page.$$eval('#settings .tag-live', (tags) => tags.map((tag) => tag.textContent)), ['live', 'live'], 'T and α act on the training');
    const paused = progressOf(await detail());
    await frames(page, 5); // frames in which a running loop would have trained
    assert.equal(progressOf(await detail()).steps, paused.steps, 'training stops when paused');
    assert.match(await page.textContent('#verdict'), /Distilled student [\d.]+% vs control [\d.]+% test accuracy \(([+−±])[\d.]+ points\)/);

    // ---- Step batch: exactly one more step
    await page.click('#btn-step-batch');
    await page.waitForFunction((s) => {
      const m = /([\d,]+) steps/.exec(document.querySelector('#phase-detail').textContent);
      return m && Number(m[1].replace(/,/g, '')) > s;
    }, paused.steps);
    assert.equal(progressOf(await detail()).steps, paused.steps + 1, 'Step batch trains one mini-batch');
    assert.match(await phase(), new RegExp(`^Distilling — epoch \\d+/${maxStudentEpochs}$`));

    // ---- select samples by clicking the decision regions
    const box = await page.locator('#regions-teacher').boundingBox();
    const descriptions = new Set();
    for (const [fx, fy] of [[0.2, 0.3], [0.8, 0.7], [0.5, 0.5]]) {
      await page.click('#regions-teacher', { position: { x: box.width * fx, y: box.height * fy } });
      await settled(page); // the sample views are redrawn in the next animation frame
      descriptions.add(await page.textContent('#sample-desc'));
    }
    assert.ok(descriptions.size >= 2, `clicking different places selects different samples: ${[...descriptions].join(' | ')}`);
    for (const d of descriptions) assert.match(d, /(Training|Test) sample #\d+/);
    assert.equal((await row(page, 'hard')).length, 2, 'moons has two classes');

    // ---- the temperature is live: teacher at T changes, teacher at T = 1 does not. First a test sample the
    // distilled student is fairly sure about, so that a change of T must move its numbers (a row of ≈ 0.5 would
    // stay ≈ 0.5 at any T and prove nothing).
    await page.selectOption('#sel-split', 'test');
    let confident = null;
    for (let i = 0; i < 60 && !confident; i++) {
      await page.fill('#sel-index', String(i));
      await page.press('#sel-index', 'Enter');
      await page.waitForFunction((n) => document.querySelector('#sample-desc').textContent.includes(`#${n} `), i);
      const p = await row(page, 'kdStudentAtT');
      if (Math.max(...p) > 0.6) confident = { i, p };
    }
    assert.ok(confident, 'some test sample has a distilled-student probability above 0.6 at T');
    const atT = await row(page, 'teacherAtT');
    const t1 = await row(page, 'teacherT1');
    const kd = await row(page, 'kdStudentAtT');
    const tBefore = await page.inputValue('#set-temperature-num');
    await page.focus('#set-temperature');
    await page.keyboard.press('End');
    await page.waitForFunction((v) => document.querySelector('#set-temperature-num').value !== v, tBefore);
    const tAfter = await page.inputValue('#set-temperature-num');
    await page.waitForFunction((v) => document.querySelector('#sample-table tr[data-row="teacherAtT"] th').textContent.includes(`T = ${v}`), tAfter);
    const atT2 = await row(page, 'teacherAtT');
    const t12 = await row(page, 'teacherT1');
    const kd2 = await row(page, 'kdStudentAtT');
    t.diagnostic(`T ${tBefore} → ${tAfter}: teacher at T ${atT} → ${atT2}`);
    assert.ok(atT2.some((v, i) => Math.abs(v - atT[i]) > 0.0015), `teacher at T changed with T (${atT} → ${atT2})`);
    assert.ok(kd2.some((v, i) => Math.abs(v - kd[i]) > 0.02), `distilled student at T changed with T (${kd} → ${kd2})`);
    for (const r of [atT, atT2, t12, kd2]) {
      const sum = r.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 0.02, `probabilities sum to 1 (${r} → ${sum})`);
    }
    assert.deepEqual(t12, t1, 'the teacher at T = 1 does not depend on T');
    assert.match(await page.textContent('#sample-loss'), /T²·KL = [\d.]+.*CE = [\d.]+.*total/);
    await shot(page, '02-moons-distilling-T-changed.png');

    // ---- the curves are drawn
    await settled(page);
    for (const sel of ['#loss-curves', '#accuracy-curves', '#regions-kd', '#sample-bars']) {
      const { ink, total } = await inkOf(page, sel);
      assert.ok(ink > 500 && ink > total * 0.005, `${sel} is not blank (${ink} of ${total} pixels inked)`);
    }
    assert.equal(await alertText(), '', 'no error is shown after training');
    noProblems('while training moons');

    // ---- the digits: samples canvas, ten classes
    await page.selectOption('#set-dataset', 'digits');
    await page.waitForFunction(() => document.querySelector('#data-note')?.textContent.startsWith('digits'), null, { timeout: 60_000 });
    assert.ok(await page.isVisible('#samples'), 'the samples canvas is shown for digits');
    assert.ok(!(await page.isVisible('#regions-teacher')), 'the decision regions are hidden for digits');
    await settled(page); // the status line follows in the next animation frame
    assert.match(await phase(), /^Ready — press Play/, 'changing the data set resets');
    await page.click('#btn-step-epoch');
    await page.waitForFunction(() => /epoch 1\//.test(document.querySelector('#phase').textContent), null, { timeout: 60_000 });
    const before = await page.textContent('#sample-desc');
    const sbox = await page.locator('#samples').boundingBox();
    let picked = null;
    for (const [fx, fy] of [[0.3, 0.3], [0.6, 0.5], [0.15, 0.6], [0.45, 0.2], [0.8, 0.4]]) {
      await page.click('#samples', { position: { x: sbox.width * fx, y: sbox.height * fy } });
      await settled(page);
      const now = await page.textContent('#sample-desc');
      if (now !== before) { picked = now; break; }
    }
    assert.ok(picked, 'clicking the digits gallery selects a digit');
    assert.match(picked, /(Training|Test) sample #\d+ · true class: \d/);
    assert.equal(await page.locator('#sample-table thead th').count(), 11, 'a header cell per digit class, plus the row labels');
    for (const key of ['hard', 'teacherT1', 'teacherAtT', 'kdStudentAtT', 'controlStudentAtT']) {
      assert.equal((await row(page, key)).length, 10, `row ${key} has ten columns`);
    }
    const hard = await row(page, 'hard');
    assert.equal(hard.filter((v) => v === 1).length, 1, 'the hard label is one-hot');
    await shot(page, '03-digits-after-one-epoch.png');

    assert.equal(await alertText(), '', 'no error is shown at the end');
    noProblems('at the end');
  } finally {
    await browser.close();
  }
});
