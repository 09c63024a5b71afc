// End-to-end test of the page on a phone (390 × 844, touch, 2× pixels) and of the first screen at 1366 × 768, in
// English and in Korean:
// - the first screen: the play button, the data view and the selected sample's soft-label bars wholly in the window
//   without scrolling (a fresh visitor's first visit: nothing kept in this browser);
// - play and pause by touch, a sample tapped on the data view (touchscreen.tap), T moved by a tap on its slider: the
//   soft labels (the table's row at T and the bars) follow;
// - every panel, the lazily loaded ones too (the teaching panels, the map, the compression bench, the studies), every
//   <details> opened: the page does not scroll sideways and no visible element extends past the window's left or
//   right edge, except inside a box that scrolls sideways on purpose (a wide table in its own scroll box); every
//   shown canvas has something drawn on it; no control a finger taps is smaller than 44 × 44 CSS px;
// - the tour's popover and a link's notice (an alert) fit the phone's screen.
// Touch targets counted: button, a[href], input, select, textarea, summary, [role=button] and a label that wraps an
// input (a checkbox counts by its label's box, the box a finger taps). Left out, and said in the test's diagnostics:
// the skip link while it is off screen (it appears, 44 px tall, only when focused from a keyboard), and links inside
// running text (WCAG 2.5.8's inline exception: the line's height bounds them).
// Screenshots of the first screen and of the whole page, at 390 and at 1366 px in both languages, go to
// KD_SCREENSHOT_DIR (mobile-390-en-first.png, mobile-390-en-full.png, desktop-1366-en-first.png, …).
// Needs KD_URL (the served www/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, recordProblems, scrollSettled, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1366, height: 768 } };
/** The smallest touch target (WCAG 2.5.5, and Apple's and Google's guidelines), in CSS px. */
const TARGET = 44;
/** A generous default: the machine that runs the tests may be slow and busy. */
const WAIT = 90_000;

/** A fresh context (nothing kept: a first visit) on the page in `lang`, ready and settled. */
async function open(browser, options, lang, hash = '') {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const problems = recordProblems(page, PAGE_URL);
  const fields = [hash, lang === 'ko' ? 'lang=ko' : ''].filter(Boolean).join('&');
  await page.goto(`${PAGE_URL}${fields ? `#${fields}` : ''}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT });
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  await settled(page, { timeout: WAIT });
  return { page, context, problems };
}

async function shot(t, page, name, { fullPage = false } = {}) {
  const file = path.join(SHOTS, name);
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage });
  t.diagnostic(`screenshot: ${file}`);
}

/** The play button, the data view and the soft-label bars against the window, at the top of the page. */
async function firstScreen(page) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await scrollSettled(page);
  return page.evaluate(() => {
    const box = (node) => {
      const r = node.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
    };
    const samples = !document.getElementById('samples-row').hidden;
    return {
      width: document.documentElement.clientWidth,
      height: window.innerHeight,
      scrollY: window.scrollY,
      play: box(document.getElementById('btn-play')),
      data: box(document.getElementById(samples ? 'samples' : 'regions-row')),
      bars: box(document.getElementById('sample-bars')),
    };
  });
}

/** Asserts that the play button, the data view and the bars are wholly in the window, without scrolling. */
function assertFirstScreen(first, where) {
  assert.equal(first.scrollY, 0);
  for (const name of ['play', 'data', 'bars']) {
    const r = first[name];
    assert.ok(r.width > 0 && r.height > 0, `${where}: ${name} is shown`);
    assert.ok(r.top >= 0 && r.left >= 0 && r.bottom <= first.height + 0.5 && r.right <= first.width + 0.5,
      `${where}: ${name} is wholly on the first screen (${JSON.stringify(r)}, window ${first.width} × ${first.height})`);
  }
}

/** A short digest of a canvas's pixels: it changes when the canvas is drawn differently. */
const canvasDigest = (page, id) => page.$eval(`#${id}`, (canvas) => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let hash = 0;
  for (let i = 0; i < data.length; i += 7) hash = (hash * 31 + data[i]) | 0;
  return hash;
});

/**
 * Scrolls down the whole page a screen at a time, so that every lazily loaded panel loads and every view near the
 * window is drawn; waits until the teaching panels, the map, the compression bench and the studies are built.
 */
async function visitEveryPanel(page) {
  const step = await page.evaluate(() => Math.round(window.innerHeight * 0.8));
  for (let y = 0; ; y += step) {
    const height = await page.evaluate((to) => { window.scrollTo(0, to); return document.documentElement.scrollHeight; }, y);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    if (y > height) break;
  }
  await page.waitForSelector('body[data-teach="ready"]', { timeout: WAIT });
  await page.waitForFunction(() => document.querySelectorAll('#map .map-method').length > 0, null, { timeout: WAIT });
  await page.waitForSelector('#bench-run', { state: 'attached', timeout: WAIT });
  await page.waitForFunction(() => document.querySelectorAll('#studies .exp-card').length > 0, null, { timeout: WAIT });
  // every text alternative and folded part open: what they hold must fit too
  await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
  await settled(page, { timeout: WAIT });
  // the views of the teaching panels are drawn once near the window: one more pass, now that all is built
  for (const id of await page.$$eval('canvas', (all) => all.map((c) => c.id).filter(Boolean))) {
    await page.evaluate((i) => document.getElementById(i).scrollIntoView({ block: 'center' }), id);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  await settled(page, { timeout: WAIT });
}

/**
 * The visible elements that extend past the window's left or right edge, not counting those inside a box that
 * scrolls sideways on purpose (overflow-x auto or scroll: a wide table in its own box) or inside a visually hidden
 * one (a 1 × 1 px clipped box: text for screen readers only); and the document's own width.
 */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const exempt = (el) => {
      for (let a = el; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (a !== el && (style.overflowX === 'auto' || style.overflowX === 'scroll')) return true;
        const r = a.getBoundingClientRect();
        if ((style.overflowX === 'hidden' || style.overflowX === 'clip' || style.clipPath !== 'none') && r.width <= 1 && r.height <= 1) return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || el.id === 'skip-link') continue;
      if ((r.right > width + 0.5 || r.left < -0.5) && !exempt(el)) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).split(' ')[0]} ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 20) };
  });
}

/**
 * The visible controls smaller than `min` × `min` CSS px (see the file's head for what counts and what is left
 * out), and how many were left out.
 */
function smallTargets(page, min) {
  return page.evaluate((least) => {
    const small = [];
    const excluded = { skipLink: 0, inlineLinks: 0 };
    const shown = (el) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('[hidden], .visually-hidden');
    };
    const controls = new Set(document.querySelectorAll('button, a[href], input:not([type="hidden"]), select, textarea, summary, [role="button"]'));
    for (const label of document.querySelectorAll('label')) if (label.querySelector('input, select, textarea')) controls.add(label);
    for (const el of controls) {
      if (!shown(el)) continue;
      if (el.id === 'skip-link' && document.activeElement !== el) { excluded.skipLink += 1; continue; }
      const style = getComputedStyle(el);
      if (el.tagName === 'A' && style.display === 'inline' && el.closest('p, li, dd, td')) { excluded.inlineLinks += 1; continue; }
      let box = el.getBoundingClientRect();
      if (el.type === 'checkbox' || el.type === 'radio') {
        const label = el.closest('label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`) : null);
        if (label) box = label.getBoundingClientRect();
      }
      if (box.width < least - 0.5 || box.height < least - 0.5) {
        small.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).split(' ')[0]} ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return { small, excluded };
  }, min);
}

/** The shown canvases with nothing drawn on them (every pixel the same). */
function blankCanvases(page) {
  return page.evaluate(() => [...document.querySelectorAll('canvas')].filter((canvas) => {
    const r = canvas.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || canvas.closest('[hidden]')) return false;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 4; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) return false;
    }
    return true;
  }).map((canvas) => canvas.id || canvas.className));
}

for (const lang of ['en', 'ko']) {
  const name = lang === 'ko' ? 'Korean' : 'English';
  test(`a phone (390 × 844, touch), ${name}: the first screen, play, tap a sample, move T, every panel fits, touch targets`, { timeout: 900_000 }, async (t) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const browser = await launch();
    try {
      const { page, problems } = await open(browser, PHONE, lang);
      assert.ok(await page.evaluate(() => window.matchMedia('(pointer: coarse)').matches), 'a touch screen');

      // ---- the first screen: the play button, the data view and the soft-label bars, without scrolling
      assertFirstScreen(await firstScreen(page), `390 px, ${lang}`);
      assert.ok(await page.locator('#sample-table tr[data-row="teacherAtT"]').count(), 'a sample is selected: its soft labels are shown');
      await shot(t, page, `mobile-390-${lang}-first.png`);

      // ---- play and pause by touch
      await page.tap('#btn-play');
      await page.waitForFunction(() => document.querySelector('#btn-play').getAttribute('aria-pressed') === 'true');
      await page.waitForFunction(() => Number(document.querySelector('#phase-detail').dataset.steps) > 0);
      await page.tap('#btn-play');
      await page.waitForFunction(() => document.querySelector('#btn-play').getAttribute('aria-pressed') === 'false');
      await settled(page, { timeout: WAIT });

      // ---- a tap on a digit of the data view selects it
      const before = await page.textContent('#sample-desc');
      const canvas = await page.locator('#samples').boundingBox();
      await page.touchscreen.tap(canvas.x + canvas.width * 0.3, canvas.y + canvas.height * 0.6);
      await page.waitForFunction((x) => document.querySelector('#sample-desc').textContent !== x, before);
      await settled(page, { timeout: WAIT });
      assert.notEqual(await page.textContent('#sample-desc'), before, 'the tapped sample is selected');

      // ---- T moved by a tap on its slider (the settings follow the selected sample on a phone): the teacher's
      // soft label at T changes, in the table and in the bars
      const row = '#sample-table tr[data-row="teacherAtT"]';
      const soft = await page.textContent(row);
      const bars = await canvasDigest(page, 'sample-bars');
      const tBefore = await page.inputValue('#set-temperature-num');
      const slider = page.locator('#set-temperature');
      await slider.scrollIntoViewIfNeeded();
      const track = await slider.boundingBox();
      assert.ok(track.width > 100 && track.height >= TARGET - 0.5, `the T slider is large enough to tap: ${JSON.stringify(track)}`);
      await page.touchscreen.tap(track.x + track.width * 0.25, track.y + track.height / 2);
      await page.waitForFunction((x) => document.querySelector('#set-temperature-num').value !== x, tBefore);
      await page.waitForFunction(([sel, x]) => document.querySelector(sel).textContent !== x, [row, soft]);
      await settled(page, { timeout: WAIT });
      assert.notEqual(await canvasDigest(page, 'sample-bars'), bars, 'the bars follow T');
      t.diagnostic(`T: ${tBefore} → ${await page.inputValue('#set-temperature-num')}`);
      // the settings sit after the selected sample and before the curves, not after every chart
      const order = await page.evaluate(() => {
        const y = (sel) => document.querySelector(sel).getBoundingClientRect().top;
        return { sample: y('#sample-panel'), settings: y('#settings'), curves: y('#curves-panel') };
      });
      assert.ok(order.sample < order.settings && order.settings < order.curves, `settings between the sample and the curves: ${JSON.stringify(order)}`);

      // ---- the presets are one tap away
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.tap('#btn-presets');
      await settled(page, { timeout: WAIT });
      await scrollSettled(page);
      const presets = await page.evaluate(() => ({
        top: document.querySelector('#experiments-title').getBoundingClientRect().top,
        height: window.innerHeight,
        focused: document.activeElement?.id,
      }));
      assert.ok(presets.top >= 0 && presets.top < presets.height / 2 && presets.focused === 'experiments-title',
        `the Presets button goes to the presets: ${JSON.stringify(presets)}`);

      // ---- every panel: nothing past the edges, something drawn on every canvas, every control large enough
      await visitEveryPanel(page);
      const o = await overflow(page);
      assert.ok(o.scrollWidth <= o.width, `the page does not scroll sideways (${o.scrollWidth} > ${o.width})`);
      assert.deepEqual(o.out, [], 'no element extends past the window\'s edges');
      assert.deepEqual(await blankCanvases(page), [], 'every shown canvas has a drawing');
      const { small, excluded } = await smallTargets(page, TARGET);
      t.diagnostic(`left out of the touch-target count: ${excluded.skipLink} skip link off screen, ${excluded.inlineLinks} links in running text`);
      assert.deepEqual(small, [], `no control smaller than ${TARGET} × ${TARGET} px`);
      t.diagnostic(`page height at 390 px: ${await page.evaluate(() => document.documentElement.scrollHeight)} px (every <details> open)`);
      await shot(t, page, `mobile-390-${lang}-full.png`, { fullPage: true });

      // ---- the tour fits the phone: its popover in the window, its buttons large enough
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.tap('#btn-tour');
      await page.waitForFunction(() => {
        const root = document.querySelector('#tour');
        return !root.hidden && !root.hasAttribute('aria-busy') && (root.dataset.placed ?? '').startsWith('1:');
      }, null, { timeout: WAIT });
      await settled(page, { timeout: WAIT });
      await scrollSettled(page);
      const tour = await page.evaluate(() => {
        const r = document.querySelector('#tour').getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, vw: document.documentElement.clientWidth, vh: window.innerHeight };
      });
      assert.ok(tour.left >= 0 && tour.right <= tour.vw + 0.5 && tour.top >= 0 && tour.bottom <= tour.vh + 0.5, `the tour's popover is in the window: ${JSON.stringify(tour)}`);
      assert.deepEqual((await smallTargets(page, TARGET)).small, [], 'the tour\'s buttons are large enough');
      await shot(t, page, `mobile-390-${lang}-tour.png`);
      await page.tap('#tour-skip');
      await page.waitForSelector('#tour', { state: 'hidden' });
      assert.deepEqual(problems, [], 'no console error, failed request or page error');
    } finally {
      await browser.close();
    }
  });
}

test('a phone: a link\'s notice (an alert) fits the screen and its close button is large enough', { timeout: 300_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    const { page, problems } = await open(browser, PHONE, 'en', 'seed=not-a-number&colour=<b>blue</b>');
    await page.waitForSelector('#notice:not([hidden])');
    const o = await overflow(page);
    assert.ok(o.scrollWidth <= o.width, `no sideways scroll with the notice (${o.scrollWidth})`);
    assert.deepEqual(o.out, []);
    assert.deepEqual((await smallTargets(page, TARGET)).small, []);
    await shot(t, page, 'mobile-390-en-notice.png');
    await page.tap('#notice-close');
    await page.waitForSelector('#notice', { state: 'hidden' });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('the first screen at 1366 × 768: the play button, the data view and the soft-label bars, in English and Korean', { timeout: 600_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await launch();
  try {
    for (const lang of ['en', 'ko']) {
      const { page, problems, context } = await open(browser, DESKTOP, lang);
      assertFirstScreen(await firstScreen(page), `1366 px, ${lang}`);
      await shot(t, page, `desktop-1366-${lang}-first.png`);
      const o = await overflow(page);
      assert.ok(o.scrollWidth <= o.width, `no sideways scroll at 1366 px (${lang})`);
      assert.deepEqual(o.out, []);
      await shot(t, page, `desktop-1366-${lang}-full.png`, { fullPage: true });
      assert.deepEqual(problems, []);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
