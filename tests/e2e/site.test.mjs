// End-to-end tests of the page as a site: two languages from one catalogue each, the state in the URL (a round
// trip reproduces the run; a hostile hash falls back to defaults with a notice), the keyboard, the guided tour,
// reduced motion, the charts' text alternatives, and an axe-core accessibility audit in both languages.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { frames, injectAxe, launch, openTeachingPanels, recordProblems, scrollSettled, settled } from './browser.mjs';
import { parseHash, serialiseHash, splitHash, MAX_FIELD_LENGTH } from '../../www/urlstate.js';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');

/**
 * Opens a page that records every console error, page error, failed request, HTTP error and request to another
 * origin; `check(where)` fails the test if any happened.
 */
async function openPage(browser, { url = PAGE_URL, reducedMotion = 'no-preference' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = recordProblems(page, PAGE_URL);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await openTeachingPanels(page); // the tests below read every panel
  await settled(page);
  return { page, context, check: (where) => assert.deepEqual(problems, [], `errors ${where}`) };
}

async function shot(t, page, name, { fullPage = true } = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage });
  t.diagnostic(`screenshot: ${file}`);
}

const alertText = async (page) => ((await page.isVisible('#error')) ? page.textContent('#error-text') : '');
const steps = async (page) => Number(await page.getAttribute('#phase-detail', 'data-steps'));

/** Clicks Step epoch `n` times, waiting for each epoch. */
async function stepEpochs(page, n) {
  for (let i = 0; i < n; i++) {
    const before = await steps(page);
    await page.click('#btn-step-epoch');
    await page.waitForFunction((s) => Number(document.querySelector('#phase-detail').dataset.steps) > s, before);
  }
  await settled(page); // every view has followed the last epoch
}

/** Sets a number setting through its exact-value field, as a user would, and leaves the field. */
async function setNumber(page, name, value) {
  const field = (await page.locator(`#set-${name}-num`).count()) ? `#set-${name}-num` : `#set-${name}`;
  await page.fill(field, String(value));
  await page.press(field, 'Tab');
}

/**
 * The literal parts (between placeholders, without markup) of the English texts that have more than three
 * words, except texts the Korean catalogue keeps as they are on purpose.
 */
function englishFragments(pairs, schemaTexts) {
  const fragments = new Set();
  const words = (s) => s.split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w)).length;
  const literal = (s) => s.replace(/\*\*|\*|_\{|\}|\[\[\w+\]\]/g, '').split(/\{\w+\}/).map((f) => f.trim().replace(/\s+/g, ' '));
  for (const [en, ko] of pairs) {
    if (en === ko) continue;
    for (const f of literal(en)) if (words(f) > 3) fragments.add(f);
  }
  for (const s of schemaTexts) for (const f of literal(s ?? '')) if (words(f) > 3) fragments.add(f);
  return [...fragments];
}

/** Everything the page says: its visible text, its title, and the labels and titles of what is not hidden. */
function shownText(page) {
  return page.evaluate(() => {
    const parts = [document.body.innerText, document.title];
    for (const node of document.querySelectorAll('[aria-label], [title], [placeholder], [aria-valuetext]')) {
      if (!node.closest('[hidden]')) {
        for (const a of ['aria-label', 'title', 'placeholder', 'aria-valuetext']) if (node.getAttribute(a)) parts.push(node.getAttribute(a));
      }
    }
    return parts.join('\n');
  });
}

test('urlstate.js reads and writes the hash against the schema (pure functions)', () => {
  // a schema of the engine's shape, and a validator that stands in for validateSettings()
  const schema = [
    { name: 'dataset', kind: 'choice', choices: ['spiral', 'digits'] },
    { name: 'teacherHidden', kind: 'layers' },
    { name: 'seed', kind: 'integer', min: 0, max: 100 },
    { name: 'temperature', kind: 'number', min: 0.25, max: 50 },
  ];
  const defaults = { dataset: 'spiral', teacherHidden: '64,64', seed: 1, temperature: 4 };
  const validate = (v) => {
    const errors = [];
    if (!schema[0].choices.includes(v.dataset)) errors.push({ name: 'dataset', message: `'${v.dataset}' is not a data set` });
    if (!/^\d+(,\d+)*$/.test(String(v.teacherHidden))) errors.push({ name: 'teacherHidden', message: 'bad widths' });
    if (!(Number.isInteger(v.seed) && v.seed >= 0 && v.seed <= 100)) errors.push({ name: 'seed', message: 'bad seed' });
    if (!(typeof v.temperature === 'number' && v.temperature >= 0.25 && v.temperature <= 50)) errors.push({ name: 'temperature', message: 'bad T' });
    return errors;
  };
  const datasetDefaults = (ds) => (ds === 'digits' ? { dataset: 'digits', teacherHidden: '256,256' } : { dataset: ds });
  const read = (hash) => parseHash(hash, { schema, defaults, languages: ['en', 'ko'], validate, datasetDefaults, tourSteps: 8 });

  // round trip: what the page writes, it reads back unchanged
  const values = { dataset: 'digits', teacherHidden: '32,16', seed: 42, temperature: 0.1 + 0.2 };
  const hash = serialiseHash({ schema, values, lang: 'ko', tour: 3 });
  assert.equal(hash, '#dataset=digits&teacherHidden=32,16&seed=42&temperature=0.30000000000000004&lang=ko&tour=3');
  const back = read(hash);
  assert.deepEqual(back.settings, values);
  assert.equal(back.lang, 'ko');
  assert.equal(back.tour, 3);
  assert.deepEqual(back.ignored, []);

  // a short link takes the data set's defaults for what it does not say
  assert.deepEqual(read('#dataset=digits').settings, { ...defaults, dataset: 'digits', teacherHidden: '256,256' });

  // every kind of bad field falls back to its default and is listed
  const bad = read(`#seed=500&temperature=NaN&dataset=<script>x</script>&foo=1&teacherHidden=${'1'.repeat(MAX_FIELD_LENGTH + 1)}`
    + '&seed=2&lang=xx&tour=99&temperature=%E0%A4%A&=&novalue');
  assert.deepEqual(bad.settings, defaults);
  const reasons = Object.fromEntries(bad.ignored.map((i) => [i.key, i.reason]));
  assert.equal(reasons.seed, 'duplicate');
  const has = (key, reason) => bad.ignored.some((i) => i.key === key && i.reason === reason);
  assert.ok(has('temperature', 'malformed'), 'the bad %-escape');
  assert.ok(has('temperature', 'invalid'), 'NaN');
  assert.equal(reasons.dataset, 'invalid');
  assert.equal(reasons.foo, 'unknown');
  assert.equal(reasons.teacherHidden, 'tooLong');
  assert.equal(reasons.lang, 'language');
  assert.equal(reasons.tour, 'tour');
  assert.equal(reasons.novalue, 'malformed');
  assert.equal(bad.lang, null);
  assert.equal(bad.tour, null);

  // an absurd hash is bounded
  const huge = splitHash(`#${Array.from({ length: 500 }, (_, i) => `k${i}=1`).join('&')}`);
  assert.equal(huge.fields.size, 64);
  assert.ok(huge.problems.some((p) => p.reason === 'tooMany'));
  // a validator that throws does not throw out of parseHash
  const thrown = parseHash('#seed=3', { schema, defaults, languages: ['en'], validate: () => { throw new Error('boom'); } });
  assert.ok(thrown.ignored.length > 0);
});

test('Korean replaces every English string of the page, from complete catalogues', { timeout: 120_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('#btn-reset .btn-label')).trim(), 'Reset');
    await stepEpochs(page, 1);
    for (const summary of await page.$$('details summary')) await summary.click();
    await shot(t, page, 'site-01-english.png');

    // switch at any time: the header, <html lang> and the URL follow
    await page.selectOption('#lang', 'ko');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await settled(page); // the views are redrawn in Korean in the next animation frame
    assert.equal((await page.textContent('#btn-reset .btn-label')).trim(), '초기화');
    assert.match(await page.textContent('#phase'), /^교사 모델 학습 중 — 에포크 1\/\d+$/);
    assert.match(await page.textContent('label[for="set-temperature"]'), /온도 T \(temperature\)/);
    await page.waitForFunction(() => /(^|&)lang=ko(&|$)/.test(window.location.hash.slice(1)));

    // the catalogues: every English key has a Korean entry, and so has every setting and choice of the schema
    const { missing, schemaMissing, pairs, schemaTexts } = await page.evaluate(async () => {
      const json = async (file) => (await fetch(new URL(file, document.baseURI))).json();
      // each language's whole catalogue: its first part and its panels' part
      const en = { ...(await json('locales/en.json')), ...(await json('locales/en.panels.json')) };
      const ko = { ...(await json('locales/ko.json')), ...(await json('locales/ko.panels.json')) };
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      const schema = engine.settingsSchema();
      const want = [];
      for (const s of schema) {
        want.push(`setting.${s.name}.label`, `setting.${s.name}.help`);
        for (const c of s.choices ?? []) want.push(`choice.${s.name}.${c}`);
      }
      return {
        missing: Object.keys(en).filter((k) => typeof ko[k] !== 'string' || ko[k].trim() === ''),
        schemaMissing: want.filter((k) => typeof ko[k] !== 'string' || ko[k].trim() === ''),
        pairs: Object.keys(en).map((k) => [en[k], ko[k]]),
        schemaTexts: schema.flatMap((s) => [en[`setting.${s.name}.label`], en[`setting.${s.name}.help`]]),
      };
    });
    assert.deepEqual(missing, [], 'every key of the English catalogue has a Korean text');
    assert.deepEqual(schemaMissing, [], 'every setting label, help and choice of the schema has a Korean text');

    // walk the tour to step 7 (the teacher trained, the students trained to the end), keeping each step's text, so
    // that the tour and the page in every phase are checked
    const idle = async () => {
      await page.waitForFunction(() => !document.querySelector('#tour').hasAttribute('aria-busy'), null, { timeout: 90_000 });
      await settled(page);
    };
    const tourTexts = [];
    await page.click('#btn-tour');
    await idle();
    tourTexts.push(await page.textContent('#tour'));
    for (let step = 2; step <= 7; step++) {
      await page.click('#tour-next');
      await idle();
      tourTexts.push(await page.textContent('#tour'));
    }
    assert.match(await page.textContent('#phase'), /^완료/, 'step 7 trains the students to the end');
    for (const summary of await page.$$('details:not([open]) summary')) await summary.click();

    // the Korean page shows no English sentence: no literal part (between placeholders) of an English text of
    // more than three words, unless the Korean catalogue keeps that text on purpose (same text in both)
    const fragments = englishFragments(pairs, schemaTexts);
    assert.ok(fragments.length > 50, `enough English sentences to look for (${fragments.length})`);
    const shown = [await shownText(page), ...tourTexts].join(' ').replace(/\s+/g, ' ');
    const leftovers = fragments.filter((f) => shown.includes(f));
    assert.deepEqual(leftovers, [], 'no English UI sentence is left on the Korean page');
    await scrollSettled(page); // the tour scrolls its highlighted panel into view
    await shot(t, page, 'site-02-korean-tour-step7.png', { fullPage: false });
    await page.click('#tour-skip');
    await shot(t, page, 'site-03-korean.png');

    // and back; the same search finds plenty of those sentences on the English page (the check can fail)
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await settled(page);
    assert.equal((await page.textContent('#btn-reset .btn-label')).trim(), 'Reset');
    const english = (await shownText(page)).replace(/\s+/g, ' ');
    const found = fragments.filter((f) => english.includes(f));
    assert.ok(found.length > 20, `the English page shows English sentences (${found.length} found)`);
    assert.equal(await alertText(page), '');
    check('while switching languages');
  } finally {
    await browser.close();
  }
});

test('a link reproduces the run: same settings, same numbers after the same training', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const a = await openPage(browser);
    await a.page.selectOption('#set-dataset', 'moons');
    await a.page.waitForFunction(() => document.querySelector('#data-note').textContent.startsWith('moons'));
    await setNumber(a.page, 'seed', 7);
    await setNumber(a.page, 'teacherEpochs', 2);
    await a.page.fill('#set-studentHidden', '6');
    await a.page.press('#set-studentHidden', 'Tab');
    await setNumber(a.page, 'temperature', 3);
    await setNumber(a.page, 'alpha', 0.7);
    await a.page.selectOption('#lang', 'ko');
    await a.page.waitForFunction(() => {
      const h = window.location.hash;
      return ['dataset=moons', 'seed=7', 'teacherEpochs=2', 'studentHidden=6', 'temperature=3', 'alpha=0.7', 'lang=ko']
        .every((kv) => h.includes(kv));
    });
    const hash = await a.page.evaluate(() => window.location.hash);
    await stepEpochs(a.page, 4); // two of the teacher, two of distillation

    const b = await openPage(browser, { url: `${PAGE_URL}${hash}` });
    assert.equal(await b.page.getAttribute('html', 'lang'), 'ko', 'the language comes with the link');
    for (const [name, value] of [['seed', '7'], ['teacherEpochs', '2'], ['temperature', '3'], ['alpha', '0.7']]) {
      const field = (await b.page.locator(`#set-${name}-num`).count()) ? `#set-${name}-num` : `#set-${name}`;
      assert.equal(await b.page.inputValue(field), value, `${name} from the link`);
    }
    assert.equal(await b.page.inputValue('#set-studentHidden'), '6');
    assert.equal(await b.page.inputValue('#set-dataset'), 'moons');
    assert.ok(!(await b.page.isVisible('#notice')), 'a link the page wrote has nothing to ignore');
    await stepEpochs(b.page, 4);

    const numbers = (page) => page.evaluate(() => ({
      phase: document.querySelector('#phase').textContent,
      latest: document.querySelector('#latest').textContent,
      verdict: document.querySelector('#verdict').textContent,
      sample: document.querySelector('#sample-table').textContent,
    }));
    const na = await numbers(a.page);
    const nb = await numbers(b.page);
    assert.match(na.latest, /에포크 2/, 'the students have trained two epochs');
    assert.deepEqual(nb, na, 'the same numbers on both pages');
    a.check('on the first page');
    b.check('on the page opened from the link');
  } finally {
    await browser.close();
  }
});

test('a hostile hash falls back to defaults with a notice, as text, and never runs', { timeout: 120_000 }, async (t) => {
  const browser = await launch();
  try {
    const hostile = '#temperature=NaN&alpha=5&dataset=<img src=x onerror=window.__pwned=1>&foo=1'
      + `&seed=${'9'.repeat(250)}&noise=0.1&noise=0.3&lang=xx&batchSize=%E0%A4%A&points=abc`;
    const { page, check } = await openPage(browser, { url: `${PAGE_URL}${hostile}` });
    await page.waitForSelector('#notice:not([hidden])');
    const notice = await page.textContent('#notice');
    for (const field of ['temperature', 'alpha', 'dataset', 'foo', 'seed', 'noise', 'lang', 'batchSize', 'points']) {
      assert.ok(notice.includes(field), `the notice names ${field}: ${notice}`);
    }
    assert.match(notice, /given more than once/);
    assert.match(notice, /longer than 200 characters/);
    assert.equal(await page.locator('img').count(), 0, 'no <img> was created');
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing from the hash ran');
    // the defaults stand in for the bad fields; the page works
    const schemaDefaults = await page.evaluate(async () => {
      const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
      return Object.fromEntries(engine.settingsSchema().map((s) => [s.name, String(s.default)]));
    });
    assert.equal(await page.inputValue('#set-dataset'), schemaDefaults.dataset);
    assert.equal(await page.inputValue('#set-temperature-num'), schemaDefaults.temperature);
    assert.equal(await page.inputValue('#set-alpha-num'), schemaDefaults.alpha);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await alertText(page), '', 'no error, only the notice');
    assert.match(await page.textContent('#phase'), /^Ready — press Play/);
    // the URL now holds the clean state
    const hash = await page.evaluate(() => window.location.hash);
    assert.ok(!hash.includes('img') && !hash.includes('foo') && hash.includes(`dataset=${schemaDefaults.dataset}`), hash);
    await shot(t, page, 'site-04-hostile-hash-notice.png', { fullPage: false });

    // a hash typed later (hashchange) is read the same way
    await page.evaluate(() => { window.location.hash = '#dataset=iris&alpha=0.25&lang=ko&bar=<b>1</b>'; });
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await page.waitForFunction(() => document.querySelector('#set-alpha-num').value === '0.25');
    assert.equal(await page.inputValue('#set-dataset'), 'iris');
    assert.ok((await page.textContent('#notice')).includes('bar'));
    assert.equal(await page.locator('#notice b').count(), 0, 'names are shown as text');
    check('with a hostile hash');
  } finally {
    await browser.close();
  }
});

test('the keyboard: Space plays and pauses, → steps a mini-batch, Shift+→ an epoch; the live region speaks', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    await page.evaluate(() => { document.activeElement?.blur(); });
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'true', 'Space plays');
    await page.waitForFunction(() => Number(document.querySelector('#phase-detail').dataset.steps) > 0);
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'false', 'Space pauses');
    await settled(page);
    const paused = await steps(page);
    await frames(page, 5); // frames in which a running loop would have trained
    assert.equal(await steps(page), paused, 'paused: no more training');

    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((s) => Number(document.querySelector('#phase-detail').dataset.steps) === s + 1, paused);
    const epoch = Number(/epoch (\d+)\//.exec(await page.textContent('#phase'))[1]);
    await page.keyboard.press('Shift+ArrowRight');
    await page.waitForFunction((e) => new RegExp(`epoch ${e + 1}/`).test(document.querySelector('#phase').textContent), epoch);
    await page.waitForFunction(() => /Teacher, epoch \d+ of \d+/.test(document.querySelector('#announcer').textContent));

    // in a text field, Space types and → moves the caret: no training
    const before = await steps(page);
    await page.focus('#set-studentHidden');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await frames(page, 5);
    await settled(page);
    assert.equal(await steps(page), before, 'keys typed into a field do not train');
    assert.equal(await page.getAttribute('#btn-play', 'aria-pressed'), 'false');

    // every control can be reached with Tab and shows where the focus is
    await page.focus('#skip-link');
    const seen = new Set(['skip-link']);
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        const cs = getComputedStyle(el);
        return { id: el.id || el.tagName, ring: cs.boxShadow !== 'none' || cs.outlineStyle !== 'none' };
      });
      assert.ok(info.ring, `${info.id} shows a focus ring`);
      seen.add(info.id);
    }
    for (const id of ['btn-reset', 'btn-play', 'btn-step-epoch', 'btn-tour', 'lang', 'set-dataset']) {
      assert.ok(seen.has(id), `Tab reaches #${id} (reached: ${[...seen].join(', ')})`);
    }
    check('with the keyboard');
  } finally {
    await browser.close();
  }
});

test('the guided tour sets the page up, can be skipped and resumed, and keeps its step in the URL', { timeout: 120_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    const idle = async () => {
      await page.waitForFunction(() => !document.querySelector('#tour').hasAttribute('aria-busy'), null, { timeout: 90_000 });
      await settled(page);
    };
    await page.click('#btn-tour');
    await idle();
    assert.match(await page.textContent('#tour-count'), /Step 1 of \d/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tour-title', 'the focus moves into the tour');
    assert.equal(await page.inputValue('#set-dataset'), 'digits', 'the tour picks the digits');
    await page.keyboard.press('Tab'); // Back is disabled on the first step: Tab goes to Next
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tour-next');
    await page.keyboard.press('Enter');
    await idle();
    assert.match(await page.textContent('#tour-count'), /Step 2 of/);
    assert.match(await page.evaluate(() => window.location.hash), /(^#|&)tour=2(&|$)/);

    // step 3 trains the teacher; step 4 selects a telling sample at T = 4 (its table shows T = 1 and T = 4)
    await page.click('#tour-next');
    await idle();
    assert.match(await page.textContent('#phase'), /^(Distilling|Done)/, 'the teacher is trained');
    await page.click('#tour-next');
    await idle();
    assert.equal(await page.inputValue('#set-temperature-num'), '4');
    assert.deepEqual(await page.$$eval('#sample-table tbody th', (ths) => ths.slice(1, 3).map((th) => th.textContent)),
      ['Teacher, T = 1', 'Teacher, T = 4'], 'the two teacher rows differ');
    assert.ok(await page.evaluate(() => document.querySelector('#sample-panel').classList.contains('tour-highlight')));
    await scrollSettled(page);
    await shot(t, page, 'site-05-tour-step4.png', { fullPage: false });

    // Escape skips; the button offers to resume at the same step; the URL forgets the tour
    await page.keyboard.press('Escape');
    assert.ok(await page.isHidden('#tour'));
    assert.doesNotMatch(await page.evaluate(() => window.location.hash), /tour=/);
    assert.match(await page.textContent('#btn-tour'), /Resume tour \(4\/\d\)/);
    assert.equal(await page.locator('.tour-highlight').count(), 0);
    await page.click('#btn-tour');
    await idle();
    assert.match(await page.textContent('#tour-count'), /Step 4 of/);
    await page.fill('#set-temperature-num', '2');
    await page.press('#set-temperature-num', 'Tab');
    await page.click('#tour-next');
    await idle();
    assert.equal(await page.inputValue('#set-temperature-num'), '4', 'step 5 sets T = 4');
    await page.fill('#set-temperature-num', '2');
    await page.press('#set-temperature-num', 'Tab');
    await page.click('#tour-back');
    await idle();
    assert.equal(await page.inputValue('#set-temperature-num'), '4', 'Back to step 4 sets T = 4 again');
    check('during the tour');

    // a link with tour=6 opens the tour there
    const hash = await page.evaluate(() => window.location.hash.replace(/tour=\d+/, 'tour=6'));
    const second = await openPage(browser, { url: `${PAGE_URL}${hash}` });
    await second.page.waitForSelector('#tour:not([hidden])');
    assert.match(await second.page.textContent('#tour-count'), /Step 6 of/);
    await second.page.waitForFunction(() => !document.querySelector('#tour').hasAttribute('aria-busy'), null, { timeout: 90_000 });
    assert.equal(await second.page.inputValue('#set-alpha-num'), '0.9');
    second.check('opening the tour from a link');
  } finally {
    await browser.close();
  }
});

test('reduced motion, text alternatives of the charts, and the fixes of the review', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    // the spiral's region maps are checked below (the page without a link opens on digits, its first run)
    const { page, check } = await openPage(browser, { url: `${PAGE_URL}#dataset=spiral`, reducedMotion: 'reduce' });
    assert.equal(await page.$eval('#btn-play', (b) => getComputedStyle(b).transitionDuration), '0s', 'no transitions');
    assert.match(await page.textContent('#pick-hint'), /Click near a sample to select it/);
    assert.match(await page.textContent('#data-note'), /blends the class colours by each model’s probabilities \(T = 1\)/);

    await stepEpochs(page, 2);
    const summary = await page.textContent('#curves-summary');
    const latest = await page.textContent('#latest');
    const loss = /train loss ([\d.]+)/.exec(latest)[1];
    assert.ok(summary.includes(`to ${loss}`), `the curves' summary ends at the latest loss (${loss}): ${summary}`);
    assert.match(await page.textContent('#data-summary'), /Teacher: training accuracy [\d.]+%, test accuracy [\d.]+%/);
    assert.match(await page.textContent('#data-summary'), /Selected: Test sample #0/);

    // T and α redraw the sample (and the teaching panels), not the maps or the curves: a magenta mark painted
    // on those canvases survives a change of T, and is painted over by the next training step
    const mark = () => page.evaluate(() => {
      for (const id of ['regions-teacher', 'loss-curves']) {
        const ctx = document.getElementById(id).getContext('2d');
        ctx.fillStyle = '#ff00ff';
        ctx.fillRect(0, 0, 6, 6);
      }
    });
    const marked = () => page.evaluate(() => ['regions-teacher', 'loss-curves'].map((id) => {
      const [r, g, b] = document.getElementById(id).getContext('2d').getImageData(2, 2, 1, 1).data;
      return r === 255 && g === 0 && b === 255;
    }));
    await mark();
    const table = await page.textContent('#sample-table tr[data-row="teacherAtT"]');
    await page.fill('#set-temperature-num', '9');
    await page.press('#set-temperature-num', 'Tab');
    await page.waitForFunction((x) => document.querySelector('#sample-table tr[data-row="teacherAtT"]').textContent !== x, table);
    await page.fill('#set-alpha-num', '0.8');
    await page.press('#set-alpha-num', 'Tab');
    await settled(page);
    assert.deepEqual(await marked(), [true, true], 'T and α do not redraw the region map or the curves');
    await page.click('#btn-step-batch');
    await settled(page);
    assert.deepEqual(await marked(), [false, false], 'a training step does redraw them');

    // the Index box says what is valid
    const max = Number(await page.getAttribute('#sel-index', 'max'));
    assert.match(await page.textContent('#sel-range'), new RegExp(`0 to ${max}`));
    await page.fill('#sel-index', String(max + 5));
    await page.press('#sel-index', 'Enter');
    await page.waitForSelector('#sel-error:not([hidden])');
    assert.match(await page.textContent('#sel-error'), new RegExp(`from 0 to ${max}`));

    // a new data set while another field is invalid: said plainly, nothing silently kept
    await page.fill('#set-seed', '-3');
    await page.press('#set-seed', 'Tab');
    await page.selectOption('#set-dataset', 'blobs');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await alertText(page), /blobs defaults are in the settings, but these still have errors: Seed/);
    check('with reduced motion');
  } finally {
    await browser.close();
  }
});

test('axe-core finds no serious or critical accessibility violation, in English and in Korean', { timeout: 120_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    await stepEpochs(page, 1);
    for (const summary of await page.$$('details summary')) await summary.click();
    await injectAxe(page, PAGE_URL);
    const audit = async (label) => {
      const result = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
      });
      const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of result) t.diagnostic(`${label}: ${v.impact} ${v.id} — ${v.help} — ${v.nodes.join(' | ')}`);
      assert.deepEqual(bad, [], `${label}: serious or critical violations`);
    };
    await audit('English');
    await page.selectOption('#lang', 'ko');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await settled(page);
    await audit('Korean');
    // with the tour open, too
    await page.click('#btn-tour');
    await page.waitForFunction(() => !document.querySelector('#tour').hasAttribute('aria-busy'), null, { timeout: 60_000 });
    await audit('Korean, tour open');
    check('during the audit');
  } finally {
    await browser.close();
  }
});

test('a strict Content-Security-Policy: only the page\'s own scripts run; an injected inline script does not', { timeout: 60_000 }, async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const violations = [];
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/.test(m.text())) violations.push(m.text()); });
    await page.goto(PAGE_URL);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(policy, /default-src 'self'/);
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'|\*/, 'no inline script, no eval, no wildcard');
    assert.deepEqual(violations, [], 'the page itself needs nothing the policy refuses');
    // what a hostile string would try: an inline script element, and an inline event handler
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = 1';
      document.head.append(script);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__handlerRan = 1');
      // the error event's listeners run in order: the attribute handler, had it been allowed, before this one
      const failed = new Promise((resolve) => img.addEventListener('error', resolve, { once: true }));
      img.src = 'data:,not-an-image';
      document.body.append(img);
      await failed;
      img.remove();
      return { inline: window.__inlineRan ?? null, handler: window.__handlerRan ?? null };
    });
    assert.deepEqual(ran, { inline: null, handler: null }, 'the policy refused both');
    assert.ok(violations.length >= 2, 'and the browser reported the refusals');
  } finally {
    await browser.close();
  }
});
