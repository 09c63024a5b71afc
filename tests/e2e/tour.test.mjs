// End-to-end test of the guided tour, step by step, in English and Korean, on a laptop (1366 × 768) and a phone
// (390 × 844): the popover never covers what its step points at (the step's focus, which stays whole in the window
// below the sticky header), its text has no unfilled placeholder, no particle left as "(으)로" and no missing number,
// and the sentences about the run quote the run's numbers and say what those numbers say (the loss terms of the
// selected sample, the students against each other, the finished student against its teacher and control).
// Screenshots of every step in both languages at both widths go to KD_SCREENSHOT_DIR.
// Needs KD_URL (the served www/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, recordProblems, scrollSettled, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const STEPS = 9;
const MINUS = '\u2212';
// the order keeps the number of language switches small: en wide, en narrow, ko narrow, ko wide
const VIEWS = [
  { lang: 'en', width: 1366, height: 768 },
  { lang: 'en', width: 390, height: 844 },
  { lang: 'ko', width: 390, height: 844 },
  { lang: 'ko', width: 1366, height: 768 },
];

/** A number as the page prints it ("1,234", "−0.5", "97.2%"). */
const num = (text) => Number(String(text).replaceAll(MINUS, '-').replaceAll(',', '').replace(/[%×]$/, ''));

/** The popover, the step's focus and the header, as the window shows them now (runs in the page). */
const GEOMETRY = () => {
  const box = (node) => {
    if (!node) return null;
    const r = node.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  };
  const focus = document.querySelectorAll('.tour-focus');
  return {
    tour: box(document.querySelector('#tour')),
    focus: box(focus[0]),
    focusCount: focus.length,
    focusName: focus[0] ? `${focus[0].tagName.toLowerCase()}#${focus[0].id}.${[...focus[0].classList].join('.')}` : '',
    header: box(document.querySelector('.topbar')),
    vw: document.documentElement.clientWidth,
    vh: window.innerHeight,
    placed: document.querySelector('#tour').dataset.placed ?? '',
    text: document.querySelector('#tour').innerText,
  };
};

/** Waits until step `step` has set the page up and its popover is placed, and the window has stopped scrolling. */
async function idle(page, step) {
  await page.waitForFunction((n) => {
    const root = document.querySelector('#tour');
    return !root.hasAttribute('aria-busy') && (root.dataset.placed ?? '').startsWith(`${n}:`);
  }, step, { timeout: 120_000 });
  await settled(page, { timeout: 60_000 });
  await scrollSettled(page);
}

/** The checks of one step in one view; returns the popover's text. */
async function checkView(page, step, view) {
  const g = await page.evaluate(GEOMETRY);
  const where = `step ${step}, ${view.lang} ${view.width}px`;
  assert.equal(g.focusCount, 1, `${where}: one focus`);
  const { tour, focus, header } = g;
  const clear = tour.right <= focus.left || focus.right <= tour.left || tour.bottom <= focus.top || focus.bottom <= tour.top;
  assert.ok(clear, `${where}: the popover ${JSON.stringify(tour)} covers the focus ${g.focusName} ${JSON.stringify(focus)}`);
  assert.ok(focus.top >= header.bottom - 1 && focus.bottom <= g.vh + 1, `${where}: the focus ${g.focusName} is whole in the window below the header (${JSON.stringify(focus)}, header to ${header.bottom}, window ${g.vh})`);
  assert.ok(tour.left >= 0 && tour.right <= g.vw + 1 && tour.top >= header.bottom - 1 && tour.bottom <= g.vh + 1, `${where}: the popover is in the window (${JSON.stringify(tour)})`);
  assert.doesNotMatch(g.text, /\{\w+(:[^}]*)?\}/, `${where}: an unfilled placeholder`);
  assert.doesNotMatch(g.text, /\((으|이|은|는|을|를|과|와)\)/, `${where}: a particle left to the reader`);
  assert.doesNotMatch(g.text, /…|undefined|NaN|null|—%/, `${where}: a number is missing`);
  return g.text;
}

/** Switches the page to `view` (language and window size) and waits for the popover to be placed again. */
async function show(page, step, view) {
  await page.setViewportSize({ width: view.width, height: view.height });
  if ((await page.getAttribute('html', 'lang')) !== view.lang) {
    await page.selectOption('#lang', view.lang);
    await page.waitForFunction((lang) => document.documentElement.lang === lang, view.lang);
  }
  await settled(page, { timeout: 60_000 });
  await idle(page, step);
}

test('the tour: every step clear of its focus, in both languages at both widths, its sentences following the run', { timeout: 900_000 }, async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const problems = recordProblems(page, PAGE_URL);
    await page.goto(`${PAGE_URL}#lang=en`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await page.click('#btn-tour');
    const texts = {};
    for (let step = 1; step <= STEPS; step++) {
      if (step > 1) await page.click('#tour-next');
      await idle(page, step);
      // each view in turn; the step's setup ran once, in the view the previous step ended in
      const order = step % 2 === 1 ? VIEWS : [...VIEWS].reverse();
      for (const view of order) {
        await show(page, step, view);
        texts[`${step}-${view.lang}-${view.width}`] = await checkView(page, step, view);
        await page.screenshot({ path: path.join(SHOTS, `tour-${step}-${view.lang}-${view.width}.png`) });
      }
      // the numbers are checked on the English text at the laptop's width (the Korean one quotes the same)
      await show(page, step, VIEWS[0]);
      const text = texts[`${step}-en-1366`];
      assert.equal(await page.$eval('#tour-count', (n) => n.textContent), `Step ${step} of ${STEPS}`);
      if (step === 6) await checkLossTerms(page, text);
      if (step === 7) await checkStudents(page, text);
      if (step === 9) await checkPayoff(page, text);
    }
    await page.click('#tour-next'); // Finish
    await page.waitForSelector('#tour', { state: 'hidden' });
    assert.deepEqual(problems, [], 'no error while touring');
  } finally {
    await browser.close();
  }
});

/** Step 6: the two contributions are α·T²·KL and (1 − α)·CE of the selected sample, as the formula panel has them. */
async function checkLossTerms(page, text) {
  const d = await page.$eval('#teach-formula .teach-eq[data-scope="sample"]', (eq) => ({ ...eq.dataset }));
  const alpha = Number(d.alpha);
  const soft = alpha * Number(d.softLoss);
  const hard = (1 - alpha) * Number(d.hardLoss);
  assert.ok(Math.abs(alpha - 0.9) < 1e-6, `the step sets α = 0.9 (${alpha})`);
  const m = /α·T²·KL = ([\d.]*\d) and \(1 − α\)·CE = ([\d.]*\d)/.exec(text);
  assert.ok(m, text);
  assert.ok(Math.abs(num(m[1]) - soft) <= 6e-4 && Math.abs(num(m[2]) - hard) <= 6e-4, `${m[1]}, ${m[2]} vs ${soft}, ${hard}`);
  const larger = /So here the (soft|hard) term contributes ([\d.]+)× as much/.exec(text);
  assert.ok(larger, text);
  assert.equal(larger[1], soft >= hard ? 'soft' : 'hard');
  const ratio = soft >= hard ? soft / hard : hard / soft;
  assert.ok(Math.abs(num(larger[2]) - ratio) <= 0.051 * ratio, `${larger[2]} vs ${ratio}`);
  assert.doesNotMatch(text, /nine times as important/);
}

/** The verdict line above the curves: the students' test accuracies and one test sample's worth, as printed. */
async function verdictNumbers(page) {
  const v = await page.textContent('#verdict');
  const m = /Distilled student ([\d.]+)% vs control ([\d.]+)% test accuracy .* after (\d+) epochs\. One test sample is worth ([\d.]+) points\./.exec(v);
  assert.ok(m, v);
  return { kd: num(m[1]), control: num(m[2]), epochs: Number(m[3]), one: num(m[4]) };
}

/** The way the page must word a comparison of a to b (in %): within one test sample is "the same". */
const way = (a, b, one) => (Math.abs(a - b) <= one + 0.05 ? 'same' : a > b ? 'ahead' : 'behind');

/** Step 7: the finished run, the students' numbers, and the sentence the numbers call for. */
async function checkStudents(page, text) {
  assert.equal(await page.$eval('#phase', (n) => n.dataset.phase), 'done', 'the students are trained to the end');
  const v = await verdictNumbers(page);
  assert.ok(text.includes(`distilled ${v.kd.toFixed(1)}%, control ${v.control.toFixed(1)}%`), text);
  assert.ok(text.includes(`trained for ${v.epochs} epochs`), text);
  const expected = {
    ahead: 'On this run distillation helped', behind: 'On this run distillation did not help', same: 'within one test sample of each other',
  }[way(v.kd, v.control, v.one)];
  assert.ok(text.includes(expected), `${JSON.stringify(v)}: expected "${expected}" in ${text}`);
}

/** Step 9: the payoff quotes the architecture panel's sizes and measured times and the run's accuracies. */
async function checkPayoff(page, text) {
  const cell = (id) => page.$eval(id, (n) => Number(n.dataset.value));
  const [teacherParams, studentParams, teacherUs, studentUs] = await Promise.all(
    ['#teach-teacher-params', '#teach-student-params', '#teach-teacher-time', '#teach-student-time'].map(cell));
  assert.ok(teacherUs > 0 && studentUs > 0, 'both models were timed');
  const m = /The student has ([\d,]+) parameters, the teacher ([\d,]+) .* the student answers in ([\d.]+) µs per sample and the teacher in ([\d.]+) µs: (.*?) On the test set the teacher reached ([\d.]+)%, the distilled student ([\d.]+)%: (.*?\.) The control student, the same size without the teacher, reached ([\d.]+)%/s.exec(text);
  assert.ok(m, text);
  assert.equal(num(m[1]), studentParams);
  assert.equal(num(m[2]), teacherParams);
  assert.ok(Math.abs(num(m[3]) - studentUs) <= 0.006 * studentUs && Math.abs(num(m[4]) - teacherUs) <= 0.006 * teacherUs, `${m[3]}, ${m[4]} vs ${studentUs}, ${teacherUs}`);
  // "faster" from 5% on (a ratio printed as 1.0× is not called faster)
  const faster = teacherUs >= 1.05 * studentUs;
  assert.ok(m[5].startsWith(faster ? 'the student is' : 'the student is not faster'), m[5]);
  if (faster) assert.doesNotMatch(m[5], /not faster/);
  const v = await verdictNumbers(page);
  assert.equal(num(m[7]), v.kd);
  assert.equal(num(m[9]), v.control);
  const teacherAcc = num(m[6]);
  const latest = await page.textContent('#latest');
  assert.ok(latest.includes(`${teacherAcc.toFixed(1)}%`), `the teacher's accuracy ${teacherAcc} is the one in the latest numbers: ${latest}`);
  const keeps = { same: 'keeps the teacher’s accuracy', ahead: 'points above its teacher', behind: 'gives up' }[way(v.kd, teacherAcc, v.one)];
  assert.ok(m[8].includes(keeps), `${v.kd} vs ${teacherAcc}: expected "${keeps}" in "${m[8]}"`);
  const control = { ahead: 'distillation added', behind: 'the teacher did not help', same: 'added nothing measurable' }[way(v.kd, v.control, v.one)];
  assert.ok(text.includes(control), `${v.kd} vs ${v.control}: expected "${control}"`);
}
