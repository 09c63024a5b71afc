// End-to-end test of the page's first run: opened without a link, the page is set up as the small-transfer-set
// preset (digits, the students on 10% of the training data, T = 8, α = 0.9) and says so; after Play it says how the
// two students ended, with the run's own numbers and the held-out seeds' (firstrun.json, written by kd); one click
// trains fresh students on all the data with the same teacher (not trained again), and the page then compares the
// two transfer sets, again with the numbers shown beside the sentence. Picking another data set from there gives
// that data set's defaults in full. In English and in Korean.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, recordProblems, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const MINUS = '\u2212';

/** "+5.0" / "−1.2" / "0.0" as a number of points. */
const pointsOf = (text) => Number(String(text).replace(MINUS, '-'));
/** A fraction as the page writes a difference in points: "+5.0", "−1.2", "0.0". */
const asPoints = (x) => { const s = Math.abs(x * 100).toFixed(1); return x > 0 ? `+${s}` : x < 0 ? `${MINUS}${s}` : s; };
/** "93.5%" → 93.5 */
const percentOf = (text) => Number(String(text).replace('%', ''));

/** The page's numbers for the finished students: the last epoch's test accuracies, as the engine recorded them. */
const lastStudents = (page) => page.evaluate(async () => {
  const { store } = await import('./store.js');
  const s = store.get('history').students;
  return s[s.length - 1];
});

/** Plays at full speed and waits until the run is done. */
async function playToDone(page) {
  await page.selectOption('#speed', 'max');
  await page.click('#btn-play');
  await page.waitForFunction(() => document.querySelector('#phase')?.textContent.startsWith('Done')
    || document.querySelector('#phase')?.textContent.startsWith('완료'), null, { timeout: 240_000 });
  await settled(page, { timeout: 60_000 });
}

test('the first run: a small transfer set, then the same teacher with all the data', { timeout: 600_000 }, async (t) => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const problems = recordProblems(page, PAGE_URL);
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await settled(page, { timeout: 60_000 });

    // ---- the first run is the preset, and the page says what it is
    assert.equal(await page.inputValue('#set-dataset'), 'digits');
    assert.equal(Number(await page.inputValue('#set-trainFraction-num').catch(() => page.inputValue('#set-trainFraction'))), 0.1);
    const guide = page.locator('#first-run');
    await guide.waitFor({ state: 'visible' });
    const info = await page.evaluate(async () => (await import('./store.js')).store.get('dataInfo'));
    const setup = await guide.textContent();
    assert.match(setup, new RegExp(`all ${info.nTrain.toLocaleString('en-US')} training images`));
    assert.match(setup, new RegExp(`only 10% of them \\(${info.nTransfer} images\\)`));
    assert.ok(info.nTransfer > 0 && info.nTransfer < info.nTrain / 5, `a small transfer set (${info.nTransfer} of ${info.nTrain})`);
    const held = await (await fetch(new URL('firstrun.json', PAGE_URL))).json();
    assert.equal(held.arms.length, 2, 'firstrun.json holds both arms');

    // ---- after the run: the sentence's numbers are the run's own and the held-out seeds'
    await playToDone(page);
    const small = await lastStudents(page);
    const done = await guide.textContent();
    const m = /distilled student ([\d.]+%) vs control student ([\d.]+%) test accuracy \(([+−]?[\d.]+) points\)/.exec(done);
    assert.ok(m, `the outcome sentence: ${done}`);
    assert.equal(percentOf(m[1]), Number((small.kdTestAccuracy * 100).toFixed(1)));
    assert.equal(percentOf(m[2]), Number((small.controlTestAccuracy * 100).toFixed(1)));
    assert.equal(pointsOf(m[3]), Number(((small.kdTestAccuracy - small.controlTestAccuracy) * 100).toFixed(1)));
    const smallArm = held.arms.find((a) => Number(a.trainFraction) !== 1);
    assert.ok(done.includes(`${asPoints(smallArm.delta.mean)} ± ${(smallArm.delta.std * 100).toFixed(1)} points`), `held-out figures: ${done}`);
    assert.ok(done.includes(`ahead on ${smallArm.delta.ahead} of them and behind on ${smallArm.delta.behind}`), done);
    fs.mkdirSync(SHOTS, { recursive: true });
    await guide.scrollIntoViewIfNeeded();
    await guide.screenshot({ path: path.join(SHOTS, 'first-run-small.png') });

    // ---- the contrast: fresh students on all the data, the same teacher (its history is not trained again)
    const teacherBefore = await page.evaluate(async () => (await import('./store.js')).store.get('history').teacher.length);
    await page.click('#first-run-all');
    await page.waitForFunction(() => document.querySelector('#first-run h3')?.textContent.includes('all the data'));
    assert.equal(Number(await page.inputValue('#set-trainFraction-num').catch(() => page.inputValue('#set-trainFraction'))), 1);
    await page.waitForFunction(() => /^Done/.test(document.querySelector('#phase')?.textContent ?? ''), null, { timeout: 300_000 });
    await settled(page, { timeout: 60_000 });
    const teacherAfter = await page.evaluate(async () => (await import('./store.js')).store.get('history').teacher.length);
    assert.equal(teacherAfter, teacherBefore, 'the teacher was kept, not trained again');
    const all = await lastStudents(page);
    const contrast = await guide.textContent();
    const c = /With all [\d,]+ images: distilled student ([\d.]+%) vs control student ([\d.]+%) test accuracy \(([+−]?[\d.]+) points\)\. With 10% of them it was ([+−]?[\d.]+) points\./.exec(contrast);
    assert.ok(c, `the contrast sentence: ${contrast}`);
    assert.equal(percentOf(c[1]), Number((all.kdTestAccuracy * 100).toFixed(1)));
    assert.equal(percentOf(c[2]), Number((all.controlTestAccuracy * 100).toFixed(1)));
    assert.equal(pointsOf(c[4]), pointsOf(m[3]), 'the first run\'s gap, as said before');
    const allArm = held.arms.find((a) => Number(a.trainFraction) === 1);
    assert.ok(contrast.includes(`${asPoints(allArm.delta.mean)} ± ${(allArm.delta.std * 100).toFixed(1)} points with all of it (ahead on ${allArm.delta.ahead}, behind on ${allArm.delta.behind})`), `the held-out contrast: ${contrast}`);
    assert.ok(contrast.includes(`${asPoints(smallArm.delta.mean)} ± ${(smallArm.delta.std * 100).toFixed(1)} points with 10% of the data (ahead on ${smallArm.delta.ahead} of ${held.count})`), contrast);
    // the closing sentence is said only because the held-out numbers bear it out: a gain of a point or more with 10%, none with all
    assert.equal(contrast.includes('learns as much on its own'), smallArm.delta.mean * 100 >= 1 && Math.abs(allArm.delta.mean * 100) < 1);
    await guide.screenshot({ path: path.join(SHOTS, 'first-run-all.png') });

    // ---- in Korean, the same guide in Korean words
    await page.selectOption('#lang', 'ko');
    await page.waitForFunction(() => document.querySelector('#first-run h3')?.textContent.includes('모든 데이터'));
    assert.match(await guide.textContent(), /증류된 학생 모델 [\d.]+%, 대조군 학생 [\d.]+% 테스트 정확도/);
    await guide.screenshot({ path: path.join(SHOTS, 'first-run-all-ko.png') });
    await page.selectOption('#lang', 'en');

    // ---- back to 10% works the same way, and leaving for another data set gives its defaults in full
    await page.click('#first-run-small');
    await page.waitForFunction(() => document.querySelector('#first-run h3')?.textContent.includes('first run'));
    await page.selectOption('#set-dataset', 'moons');
    await page.waitForFunction(() => document.querySelector('#data-note')?.textContent.startsWith('moons'));
    await settled(page, { timeout: 60_000 });
    const defaults = await page.evaluate(async () => (await import('./store.js')).store.get('applied'));
    assert.equal(Number(defaults.trainFraction), 1, 'the first run\'s small transfer set is not carried to moons');
    assert.ok(await guide.isHidden(), 'the guide leaves with the first run');
    assert.deepEqual(problems, [], 'no console error, failed request or page error');
  } finally {
    await browser.close();
  }
});
