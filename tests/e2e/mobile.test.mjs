// End-to-end test of the page on a phone (390 × 844, touch) and of the first screen at 1366 × 768: the play
// button, the data view and the selected sample's soft-label bars are visible without scrolling; on the phone no
// element of any panel (the lazily loaded ones included) extends past the right edge of the screen, every control
// is at least 44 × 44 CSS px, and a learner plays, pauses, taps a sample and moves T. In English and in Korean.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, recordProblems, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1366, height: 768 } };
/** The smallest touch target (WCAG 2.5.5, and Apple's and Google's guidelines). */
const TARGET = 44;

async function open(browser, options, lang) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const problems = recordProblems(page, PAGE_URL);
  await page.goto(`${PAGE_URL}${lang === 'ko' ? '#lang=ko' : ''}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
  await settled(page, { timeout: 60_000 });
  return { page, context, problems };
}

/** Where the play button, the data view and the soft-label bars are, against the viewport (without scrolling). */
function firstScreen(page) {
  return page.evaluate(() => {
    window.scrollTo(0, 0);
    const box = (id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
    };
    const data = document.getElementById('samples-row').hidden ? 'regions-row' : 'samples';
    return { height: innerHeight, width: innerWidth, play: box('btn-play'), data: box(data), bars: box('sample-bars') };
  });
}

/** Scrolls down the whole page, step by step, so that every lazily loaded panel loads; waits until they are built. */
async function visitEveryPanel(page) {
  for (let y = 0; ; y += 600) {
    const bottom = await page.evaluate((to) => { window.scrollTo(0, to); return document.documentElement.scrollHeight; }, y);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    if (y > bottom) break;
  }
  await page.waitForSelector('body[data-teach="ready"]', { timeout: 60_000 });
  await page.waitForSelector('#map .map-node, #map [data-method]', { state: 'attached', timeout: 60_000 });
  await page.waitForSelector('#compress:not([aria-busy="true"])', { state: 'attached', timeout: 60_000 });
  await settled(page, { timeout: 60_000 });
}

/**
 * The visible elements whose right edge is past the viewport's (not counting those inside a box that scrolls or
 * clips on purpose, such as a wide table in its own scroll box), and the document's own overflow.
 */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const clipped = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.position === 'fixed') continue;
      if (r.right > width + 0.5 && !clipped(el)) out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} right ${Math.round(r.right)}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 20) };
  });
}

/**
 * The visible controls smaller than TARGET × TARGET. A checkbox or radio counts by its label's box when the label
 * wraps it (the label is what a finger taps). Links inside running text are exempt (WCAG 2.5.5's inline exception),
 * as is the skip link, which is off screen until focused.
 */
function smallTargets(page, target) {
  return page.evaluate((min) => {
    const small = [];
    const controls = document.querySelectorAll('button, a[href], input:not([type="hidden"]), select, summary, [role="button"], textarea');
    for (const el of controls) {
      if (el.id === 'skip-link') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || el.closest('[hidden], .visually-hidden')) continue;
      if (el.tagName === 'A' && el.closest('p, li, td, figcaption') && style.display === 'inline') continue;
      let box = r;
      if (el.type === 'checkbox' || el.type === 'radio') {
        const label = el.closest('label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`) : null);
        if (label) box = label.getBoundingClientRect();
      }
      if (box.width < min - 0.5 || box.height < min - 0.5) {
        small.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  }, target);
}

for (const lang of ['en', 'ko']) {
  test(`a phone (390 × 844, touch), ${lang === 'ko' ? 'Korean' : 'English'}: the first screen, no overflow, touch targets, play, tap, T`, { timeout: 600_000 }, async (t) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const browser = await launch();
    try {
      const { page, problems } = await open(browser, PHONE, lang);

      // ---- the first screen: the play button, the data view, and the selected sample's soft-label bars
      const first = await firstScreen(page);
      assert.ok(first.play.bottom <= first.height && first.play.top >= 0, `the play button is on the first screen: ${JSON.stringify(first.play)}`);
      assert.ok(first.data.top < first.height - 100, `the data view starts on the first screen: ${JSON.stringify(first.data)}`);
      // the bars' first row (the hard label and the teacher's soft labels) is on it
      assert.ok(first.bars.top + first.bars.height / 2 <= first.height, `the soft-label bars are on the first screen: ${JSON.stringify(first.bars)}`);
      await page.screenshot({ path: path.join(SHOTS, `mobile-390-${lang}-first.png`) });

      // ---- play and pause, by touch
      await page.tap('#btn-play');
      await page.waitForFunction(() => document.querySelector('#btn-play').getAttribute('aria-pressed') === 'true');
      await page.waitForFunction(() => /epoch [1-9]/.test(document.querySelector('#phase').textContent) || /에포크 [1-9]/.test(document.querySelector('#phase').textContent));
      await page.tap('#btn-play');
      await page.waitForFunction(() => document.querySelector('#btn-play').getAttribute('aria-pressed') === 'false');
      await settled(page, { timeout: 60_000 });

      // ---- tap a sample in the data view: the selected sample changes
      const before = await page.textContent('#sample-desc');
      const canvas = await page.locator('#samples').boundingBox();
      await page.touchscreen.tap(canvas.x + canvas.width * 0.3, canvas.y + canvas.height * 0.55);
      await page.waitForFunction((x) => document.querySelector('#sample-desc').textContent !== x, before);
      await settled(page, { timeout: 60_000 });

      // ---- move T: the teacher's soft label at T changes
      const row = () => page.textContent('#sample-table tr[data-row="teacherAtT"]');
      const soft = await row();
      await page.fill('#set-temperature-num', '2');
      await page.press('#set-temperature-num', 'Tab');
      await page.waitForFunction((x) => document.querySelector('#sample-table tr[data-row="teacherAtT"]').textContent !== x, soft);
      await settled(page, { timeout: 60_000 });

      // ---- every panel, the lazily loaded ones too: nothing past the right edge, every control large enough
      await visitEveryPanel(page);
      const o = await overflow(page);
      assert.ok(o.scrollWidth <= o.width, `the page does not scroll sideways (${o.scrollWidth} > ${o.width})`);
      assert.deepEqual(o.out, [], 'no element extends past the right edge');
      assert.deepEqual(await smallTargets(page, TARGET), [], `no control smaller than ${TARGET} × ${TARGET} px`);
      await page.screenshot({ path: path.join(SHOTS, `mobile-390-${lang}-full.png`), fullPage: true });
      t.diagnostic(`screenshots: ${path.join(SHOTS, `mobile-390-${lang}-*.png`)}`);
      assert.deepEqual(problems, [], 'no console error, failed request or page error');
    } finally {
      await browser.close();
    }
  });
}

test('the first screen at 1366 × 768: the play button, the data view and the soft-label bars', { timeout: 300_000 }, async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    for (const lang of ['en', 'ko']) {
      const { page, problems, context } = await open(browser, DESKTOP, lang);
      const first = await firstScreen(page);
      for (const name of ['play', 'data', 'bars']) {
        const r = first[name];
        assert.ok(r.top >= 0 && r.bottom <= first.height && r.right <= first.width, `${name} is wholly on the first screen (${lang}): ${JSON.stringify(r)}`);
      }
      await page.screenshot({ path: path.join(SHOTS, `desktop-1366-${lang}-first.png`) });
      const o = await overflow(page);
      assert.ok(o.scrollWidth <= o.width, `no sideways scroll at 1366 px (${lang})`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
