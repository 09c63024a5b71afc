// End-to-end test of the Experiments panel: a preset's button applies its settings to the controls and the link and
// trains to the end; the verdict then says, from the run's own numbers, whether it showed the claim; the bias slider
// of the omitted-class experiment moves both students' bias for the omitted class; the panel speaks Korean. A study
// (several runs compared) trains in the background of the page, can be stopped, and ends with a verdict and a table
// whose numbers are the engine's.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { injectAxe, launch, openTeachingPanels, recordProblems, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');

/** Opens the page, recording console errors, page errors, failed or off-origin requests and HTTP errors. */
async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = recordProblems(page, PAGE_URL);
  await page.goto(PAGE_URL);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await openTeachingPanels(page);
  return { page, context, check: (where) => assert.deepEqual(problems, [], `errors ${where}`) };
}

/** A screenshot of the top of the page (the header, then the page down to the bottom of `locator`). */
async function shot(t, page, locator, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await locator.boundingBox();
  const width = page.viewportSize().width;
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width, height: Math.ceil(box.y + box.height + 12) } });
  t.diagnostic(`screenshot: ${file}`);
}

/** The value a setting's control shows (its exact-value field when it has a slider). */
async function controlValue(page, name) {
  const field = (await page.locator(`#set-${name}-num`).count()) ? `#set-${name}-num` : `#set-${name}`;
  return page.inputValue(field);
}

/** "93.5%" → 0.935 */
const fraction = (text) => Number(String(text).replace('%', '').trim()) / 100;

/** The cells of a row of a table of the panel, by model ('teacher' | 'kd' | 'control'). */
const rowCells = (page, table, model) => page.locator(`${table} tbody tr[data-model="${model}"] td`).allTextContents();

test('the presets: the small transfer set applies its settings; the omitted class runs to a verdict with its slider', { timeout: 150_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    const panel = page.locator('#experiments');
    await panel.waitFor();

    // every preset of the engine is listed with its title and claim, the catalogue's words (which kd prints too)
    const presets = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      const en = await (await fetch(new URL('locales/en.json', document.baseURI))).json();
      return engine.experiments().map((e) => ({
        name: e.name, title: en[`experiment.${e.name}.title`], claim: en[`experiment.${e.name}.claim`], study: e.study,
      }));
    });
    assert.deepEqual(presets.map((p) => p.name),
      ['omitted-class', 'small-transfer-set', 'temperature-width', 'ensemble-teacher', 'high-temperature', 'born-again',
        'fitnets-hint', 'rkd-relations', 'mutual-learning', 'self-distillation', 'dark-knowledge-controls', 'kl-direction', 'capacity-gap']);
    assert.deepEqual(presets.map((p) => p.study), [false, false, ...Array(11).fill(true)]);
    for (const p of presets) {
      // presets drive the playground and sit above it; studies run apart, below it
      const card = page.locator(`${p.study ? '#studies' : '#experiments'} .exp-card[data-experiment="${p.name}"]`);
      // the page opens on its first run, the small transfer set: that card is marked active (its tag after the title)
      const active = p.name === 'small-transfer-set';
      assert.equal(await card.locator('.exp-active-tag').count(), active ? 1 : 0, `${p.name}: active only for the first run`);
      const title = await card.locator('.exp-title').evaluate((el) => el.firstChild.textContent);
      assert.equal(title.trim(), p.title);
      assert.ok((await card.locator('.exp-claim').textContent()).includes(p.claim), `${p.name}: the claim is the catalogue's`);
    }

    // each card quotes the claim over the held-out seeds as kd computed it (www/heldout.json, read here on its own;
    // the page fetches it when the panels come near the window, not on the first load)
    await page.locator('#studies').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelectorAll('.exp-heldout:not([hidden])').length === 13, null, { timeout: 30_000 });
    await settled(page);
    const heldOut = JSON.parse(fs.readFileSync(new URL('../../www/heldout.json', import.meta.url), 'utf8'));
    const signedPoints = (x) => `${x > 0 ? '+' : x < 0 ? '\u2212' : ''}${Math.abs(x * 100).toFixed(1)} points`;
    for (const p of presets) {
      const run = heldOut[p.name];
      assert.ok(run.seeds.length >= 20 && run.seeds[0] >= 10, `${p.name}: at least 20 held-out seeds, none of the tuning seeds 0–9`);
      const line = await page.locator(`#exp-${p.name}-heldout`).textContent();
      assert.ok(line.includes(`seeds ${run.seeds[0]}–${run.seeds.at(-1)}`) && line.includes(`shown in ${run.experiment.shown_in_seeds} of ${run.seeds.length}`), line);
      const o = run.experiment.over_seeds;
      if (p.name === 'temperature-width') {
        assert.equal(o, null);
        continue;
      }
      // a relative difference in percent, a similarity (linear CKA) signed with 3 decimals, otherwise points
      const relative = ['born-again', 'rkd-relations', 'kl-direction'].includes(p.name);
      const similarity = p.name === 'fitnets-hint';
      const signed3 = (x) => `${x > 0 ? '+' : x < 0 ? '\u2212' : ''}${Math.abs(x).toFixed(3)}`;
      const fmt = relative ? (x) => `${(x * 100).toFixed(0)}%` : similarity ? signed3 : signedPoints;
      for (const x of [o.mean, o.high, o.margin]) assert.ok(line.includes(fmt(x)), `${p.name}: ${fmt(x)} in «${line}»`);
      const low = relative || similarity ? fmt(o.low) : fmt(o.low).replace(' points', '');
      assert.ok(line.includes(`95% interval ${low} to ${fmt(o.high)}`), `${p.name}: the interval in «${line}»`);
      assert.ok(line.includes(o.holds ? 'the claim holds over these seeds' : 'the claim does not hold over these seeds'), line);
      assert.equal(o.holds, o.low >= o.margin, 'holds exactly when the whole interval is at or above the margin');
    }

    // the small transfer set: its button puts the preset into the controls and the link (not run to the end here:
    // 200 student epochs), and training starts
    await page.click('#exp-run-small-transfer-set');
    assert.equal(Number(await controlValue(page, 'trainFraction')), 0.1);
    assert.equal(Number(await controlValue(page, 'temperature')), 8);
    assert.equal(Number(await controlValue(page, 'studentEpochs')), 200);
    assert.equal(await page.inputValue('#set-dataset'), 'digits');
    assert.equal(await page.inputValue('#speed'), 'max');
    await page.waitForFunction(() => /(^|&)trainFraction=0\.1(&|$)/.test(window.location.hash.slice(1)));
    assert.match(await page.evaluate(() => window.location.hash), /(#|&)studentEpochs=200(&|$)/);
    await page.waitForFunction(() => document.querySelector('#btn-play').getAttribute('aria-pressed') === 'true');
    await page.waitForSelector('.exp-card.is-active[data-experiment="small-transfer-set"]');
    assert.equal(await page.textContent('#exp-verdict'), 'Training with this preset: the verdict appears here once the run is done.');
    await shot(t, page, panel, 'experiments-01-english-running.png');
    const unfilled = /\{\w+\}/;

    // the omitted class, to the end: digits, 20 teacher epochs and 40 student epochs
    const started = Date.now();
    await page.click('#exp-run-omitted-class');
    assert.equal(Number(await controlValue(page, 'omitClass')), 3);
    assert.equal(Number(await controlValue(page, 'trainFraction')), 1);
    assert.equal(Number(await controlValue(page, 'studentEpochs')), 40);
    await page.waitForFunction(() => document.querySelector('#phase')?.dataset.phase === 'done', null, { timeout: 100_000 });
    t.diagnostic(`the omitted-class run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // training is over: T and α no longer train anything, and their tags say so
    await page.waitForFunction(() => [...document.querySelectorAll('#settings .tag-live')].every((tag) => tag.classList.contains('tag-view')));
    assert.deepEqual(await page.$$eval('#settings .tag-live', (tags) => tags.map((tag) => tag.textContent)), ['view only', 'view only']);
    await page.waitForSelector('#exp-verdict[data-shown="yes"]');
    const verdict = await page.textContent('#exp-verdict');
    assert.match(verdict, /^This run showed it: after the bias adjustment, the distilled student recognises [\d.]+% of the test 3s and the control [\d.]+%/);

    // the numbers: the distilled student recognises more 3s than the control after the adjustment
    const [, kdBefore, kdAfter, kdShift] = await rowCells(page, '#exp-numbers', 'kd');
    const [, controlBefore, controlAfter, controlShift] = await rowCells(page, '#exp-numbers', 'control');
    t.diagnostic(`3s recognised: distilled ${kdBefore} → ${kdAfter} (${kdShift}), control ${controlBefore} → ${controlAfter} (${controlShift})`);
    assert.ok(fraction(kdAfter) > fraction(controlAfter), `distilled after (${kdAfter}) > control after (${controlAfter})`);
    assert.ok(verdict.includes(kdAfter) && verdict.includes(controlAfter) && verdict.includes(kdBefore), 'the verdict quotes the numbers');
    // what the shift does to the other classes, for both students: raising 3's bias never makes another class right
    for (const model of ['kd', 'control']) {
      const [othersBefore, othersAfter, allBefore] = await rowCells(page, '#exp-others', model);
      assert.ok(fraction(othersAfter) <= fraction(othersBefore), `${model}: other classes ${othersBefore} → ${othersAfter}`);
      assert.equal(allBefore, (await rowCells(page, '#exp-numbers', model))[0], `${model}: the same overall accuracy in both tables`);
    }
    assert.match(await page.textContent('#exp-why-control'), /^Why does the control find some 3s too\?/);
    assert.doesNotMatch(await panel.textContent(), /\[object /, 'every note is text');

    // the bias slider: at 0 the distilled student's share of test 3s is the "before" number; the training samples
    // predicted as 3 are counted against the true count
    const slider = page.locator('#exp-bias');
    assert.equal(await slider.getAttribute('min'), '0');
    assert.ok(Number(await slider.getAttribute('max')) >= 1.4 * Math.max(Number(kdShift), Number(controlShift)), 'the slider reaches past both adjusted shifts');
    await slider.focus();
    await page.keyboard.press('Home');
    assert.equal(await slider.inputValue(), '0');
    assert.equal((await page.textContent('#exp-bias-value')).trim(), '+0.00');
    const [kdAtZero, , kdPredicted] = await rowCells(page, '#exp-bias-table', 'kd');
    assert.equal(kdAtZero, kdBefore);
    assert.match(kdPredicted, /^\d+ \(truly 3: \d+\)$/);
    const [controlAtZero] = await rowCells(page, '#exp-bias-table', 'control');
    assert.equal(controlAtZero, controlBefore);
    assert.match(await slider.getAttribute('aria-valuetext'), /^\+0\.00: distilled student [\d.]+% of the test 3s/);
    // the keyboard moves it by its step
    await page.keyboard.press('ArrowRight');
    assert.equal((await page.textContent('#exp-bias-value')).trim(), '+0.05');
    // the marks name each student's adjusted shift in words
    assert.match(await page.textContent('#exp-bias-marks'), /distilled student’s adjusted shift: \+[\d.]+/);
    await slider.fill(String(Math.round(Number(kdShift) / 0.05) * 0.05));
    assert.doesNotMatch(await panel.textContent(), unfilled, 'every placeholder is filled');
    await shot(t, page, panel, 'experiments-02-english-done.png');

    // the panel with its verdict, tables and slider passes an accessibility audit
    await injectAxe(page, PAGE_URL);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run('#experiments', { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    for (const v of violations) t.diagnostic(`axe: ${v.impact} ${v.id} — ${v.nodes.join(' | ')}`);
    assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], 'no serious accessibility violation');

    // in Korean: the Korean claim and verdict, the same numbers
    await page.selectOption('#lang', 'ko');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await settled(page);
    const ko = await page.evaluate(async () => (await fetch(new URL('locales/ko.json', document.baseURI))).json());
    const card = panel.locator('.exp-card[data-experiment="omitted-class"]');
    assert.ok((await card.locator('.exp-claim').textContent()).includes(ko['experiment.omitted-class.claim']));
    assert.equal((await page.textContent('#exp-run-omitted-class')).trim(), ko['experiments.run']);
    assert.match(await page.textContent('#exp-verdict'), /^이번 실행은 이 효과를 보여 주었습니다/);
    assert.equal((await rowCells(page, '#exp-numbers', 'kd'))[2], kdAfter);
    assert.doesNotMatch(await panel.textContent(), unfilled, 'every placeholder is filled');
    await shot(t, page, panel, 'experiments-03-korean-done.png');

    // changing a non-live setting forgets the experiment
    await page.selectOption('#set-dataset', 'spiral');
    await page.waitForFunction(() => !document.querySelector('.exp-card.is-active'));
    assert.ok(await page.locator('#exp-result').isHidden());
    check('while running the experiments');
  } finally {
    await browser.close();
  }
});

test('a study: runs with a progress bar, can be stopped, and ends with a verdict and the table of its runs', { timeout: 150_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    const box = page.locator('#study-result');
    assert.ok(await box.isHidden());

    // the sweep starts, shows its progress, and stops on request without a verdict
    await page.click('#exp-run-temperature-width');
    await box.waitFor();
    await page.waitForFunction(() => /^Run 1 of 15 \(4 hidden units, T = 1\): training the teacher, epoch \d+ of 20$/.test(
      document.querySelector('#study-progress-text')?.textContent ?? ''));
    assert.equal(await page.textContent('#study-title'), 'Study: Temperature × student width (seed 1)');
    // the study trains a little in each animation frame, so the page keeps drawing while it runs: its progress
    // moves on from frame to frame instead of jumping once at the end (how long a frame takes is the benchmark's)
    const progress = await page.evaluate(() => new Promise((resolve) => {
      const seen = [];
      const tick = () => {
        seen.push(document.querySelector('#study-progress-text').textContent);
        if (new Set(seen).size >= 3 || seen.length >= 2000) resolve(seen);
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }));
    assert.ok(new Set(progress).size >= 3, `the study's progress moves from frame to frame (${[...new Set(progress)].join(' | ')})`);
    await page.click('#study-stop');
    assert.equal(await page.textContent('#study-verdict'), 'Stopped before every run was done, so there is no verdict. Press “Run this study” to start again.');
    assert.ok(await page.locator('#study-progress').isHidden());

    // the ensemble study to the end
    const started = Date.now();
    await page.click('#exp-run-ensemble-teacher');
    await page.waitForSelector('#study-verdict[data-shown="yes"], #study-verdict[data-shown="no"]', { timeout: 120_000 });
    t.diagnostic(`the ensemble study took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const verdict = await page.textContent('#study-verdict');
    assert.match(verdict, /^This run showed it: the ensemble reaches [\d.]+% against [\d.]+% for its average teacher/);
    const rows = await page.locator('#study-numbers-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => r[0]), ['one teacher', 'ensemble of 5 teachers']);
    assert.equal(rows[1][2].split(' · ').length, 5, 'each of the five teachers\' accuracy');

    // the numbers are the engine's: the same study run directly gives the same table
    const direct = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      const runner = new engine.StudyRunner('ensemble-teacher', { seed: 1 });
      while (!runner.step(500));
      const outcome = runner.outcome();
      runner.free();
      return outcome;
    });
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    assert.equal(rows[0][1], pct(direct.arms[0].teacher));
    assert.equal(rows[1][3], pct(direct.arms[1].kd));
    assert.equal(rows[1][4], pct(direct.arms[1].control));
    assert.ok(verdict.includes(pct(direct.finding.ensemble)) && verdict.includes(pct(direct.finding.memberMean)));
    assert.equal(direct.shown, true);
    await shot(t, page, box, 'experiments-04-study-ensemble.png');

    // in Korean, the same numbers in Korean words
    await page.selectOption('#lang', 'ko');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await settled(page);
    assert.match(await page.textContent('#study-verdict'), /^이번 실행은 이 효과를 보여 주었습니다: 앙상블은/);
    assert.equal(await page.textContent('#exp-run-born-again'), '이 연구 실행');
    assert.doesNotMatch(await page.textContent('#experiments'), /\{\w+\}/, 'every placeholder is filled');

    await injectAxe(page, PAGE_URL);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run('#studies', { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    assert.deepEqual(violations, [], 'no serious accessibility violation in the study');

    // a method's study: mutual learning trains no teacher, and its table of what the verdict reads compares each
    // peer with its own control student (here in Korean, then in English)
    await page.click('#exp-run-mutual-learning');
    await page.waitForSelector('#study-verdict[data-shown="yes"], #study-verdict[data-shown="no"]', { timeout: 60_000 });
    const peers = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      const runner = new engine.StudyRunner('mutual-learning', { seed: 1 });
      while (!runner.step(500));
      const outcome = runner.outcome();
      runner.free();
      return outcome;
    });
    assert.equal(peers.arms[0].teacher, null, 'no teacher');
    const shownKind = await page.getAttribute('#study-verdict', 'data-shown');
    assert.equal(shownKind, peers.shown ? 'yes' : 'no', 'the verdict is the engine\'s');
    const studyRows = await page.locator('#study-numbers-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(studyRows.map((r) => r.slice(0, 2)), [['DML (동료 둘)', '없음']]);
    const peerRows = await page.locator('#study-method-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(peerRows.map((r) => r.slice(0, 3)), [
      ['첫 번째 동료', pct(peers.finding.firstPeer), pct(peers.finding.firstTwin)],
      ['두 번째 동료', pct(peers.finding.secondPeer), pct(peers.finding.secondTwin)],
    ]);
    assert.ok((await page.textContent('#study-verdict')).includes(`첫 번째 동료 ${pct(peers.finding.firstPeer)}`));
    assert.doesNotMatch(await page.textContent('#study-result'), /\{\w+\}/, 'every placeholder is filled');
    await shot(t, page, box, 'experiments-05-study-mutual-learning-korean.png');
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await settled(page);
    assert.match(await page.textContent('#study-verdict'), /^This run (showed|did not show) it: first peer [\d.]+% against its control student’s [\d.]+%/);
    check('while running studies');
  } finally {
    await browser.close();
  }
});
