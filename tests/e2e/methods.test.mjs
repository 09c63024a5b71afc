// End-to-end test of the map of distillation and of each method's views: the map places every method of the engine
// in its cell, in English and in Korean, with the catalogues' texts; each method's demo button applies the engine's
// demo settings and trains (shortened here through the link), and once the run is done its own view is drawn, its
// fidelity table has a row of numbers for every network it trains, and a method without a teacher says so instead
// of quoting an untrained one.
// Needs KD_URL (the served www/) and writes screenshots to KD_SCREENSHOT_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, newRecordedPage, settled } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';
const SHOTS = path.resolve(process.env.KD_SCREENSHOT_DIR ?? 'target/e2e-screenshots');
/** The epochs of a demo in this test: enough for every view to have points, short enough for eight runs. */
const SHORT = { teacherEpochs: 3, studentEpochs: 4, hintEpochs: 2 };

/** The networks each method trains, as the issue lists them (the teacher only where the method trains one). */
const NETWORKS = {
  dml: ['kd', 'control', 'peer', 'peerTwin'],
  byot: ['kd', 'control', 'kdExit', 'controlExit'],
};
const WITH_VIEW = new Set(['fitnets', 'rkd', 'dml', 'byot']);
const WITHOUT_TEACHER = new Set(['dml', 'byot']);

/** Opens the page (English unless `hash` says otherwise) and waits until it is ready. */
async function openPage(browser, hash = '') {
  const { page, problems } = await newRecordedPage(browser, PAGE_URL, { timeout: 60_000 });
  await page.goto(`${PAGE_URL}${hash}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, check: (where) => assert.deepEqual(problems, [], `errors ${where}`) };
}

/** Both catalogues as the page loads them (each language's two parts), and the engine's methods. */
function catalogues(page) {
  return page.evaluate(async () => {
    const json = async (file) => (await fetch(new URL(file, document.baseURI))).json();
    const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
    return {
      en: { ...(await json('locales/en.json')), ...(await json('locales/en.panels.json')) },
      ko: { ...(await json('locales/ko.json')), ...(await json('locales/ko.panels.json')) },
      methods: engine.settingsSchema().find((s) => s.name === 'method').choices,
    };
  });
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

/** Asserts that a canvas has been drawn on: at least half a percent of its pixels are not white. */
async function assertDrawn(page, selector, what) {
  const { ink, total } = await inkOf(page, selector);
  assert.ok(total > 0 && ink > 500 && ink > total * 0.005, `${what}: ${selector} is not blank (${ink} of ${total} pixels inked)`);
}

/** The map's visible text, and the cards' texts, as the learner reads them. */
function mapTexts(page) {
  return page.$eval('#map', (root) => ({
    all: root.innerText,
    cards: [...root.querySelectorAll('.map-method')].map((card) => ({
      method: card.dataset.method,
      name: card.querySelector('.map-name').firstChild.textContent.trim(),
      what: card.querySelector('.map-what').textContent,
      paper: card.querySelector('.map-paper').textContent,
      run: card.querySelector('.map-run').textContent,
      breaks: getComputedStyle(card.querySelector('.map-what')).wordBreak,
    })),
    empty: [...root.querySelectorAll('.map-cell-empty .map-empty')].map((p) => p.textContent),
  }));
}

const HANGUL = /[\uac00-\ud7a3]/;
const UNFILLED = /\{\w+(:[^}]*)?\}/;
const KEY_LIKE = /\b(map|method|fidelity|chart|teach)\.[a-z][\w-]*\.[\w.-]+/;

test('the map places every method in both languages, with the catalogues’ texts', { timeout: 90_000 }, async () => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    const { en, ko, methods } = await catalogues(page);
    assert.deepEqual(methods, ['kd', 'logits', 'fitnets', 'rkd', 'dml', 'byot', 'label-smoothing', 'dkpp']);
    await page.locator('#map').scrollIntoViewIfNeeded();
    await page.waitForFunction((n) => document.querySelectorAll('#map .map-method').length === n, methods.length);
    await settled(page);

    for (const [lang, cat] of [['en', en], ['ko', ko]]) {
      if (lang === 'ko') {
        await page.selectOption('#lang', 'ko');
        await page.waitForFunction(() => document.documentElement.lang === 'ko');
        await settled(page);
      }
      const texts = await mapTexts(page);
      assert.deepEqual(texts.cards.map((c) => c.method).sort(), [...methods].sort(), `${lang}: a card per method`);
      for (const card of texts.cards) {
        const name = cat[`method.name.${card.method}`];
        assert.equal(card.name.toLowerCase(), name.toLowerCase(), `${lang} ${card.method}: its name`);
        assert.equal(card.what, cat[`map.method.${card.method}.what`], `${lang} ${card.method}: what it does`);
        assert.equal(card.paper, cat[`map.method.${card.method}.paper`], `${lang} ${card.method}: its paper`);
        assert.equal(card.run, cat['map.run']);
        assert.ok(card.what.split(/[.。]\s/).length >= 2, `${lang} ${card.method}: two sentences or more`);
        if (lang === 'ko') {
          assert.match(card.what, HANGUL, `${card.method}: translated`);
          assert.notEqual(card.what, en[`map.method.${card.method}.what`]);
          assert.equal(card.breaks, 'keep-all', 'Korean breaks between words');
        }
      }
      // the cells of no method say so; the rows and columns name the knowledge and the scheme
      assert.equal(texts.empty.length, 4, `${lang}: four empty cells`);
      for (const text of texts.empty) assert.equal(text, cat['map.empty']);
      for (const key of ['map.knowledge.response', 'map.knowledge.feature', 'map.knowledge.relation', 'map.scheme.offline',
        'map.scheme.online', 'map.scheme.self', 'map.controls.title']) {
        assert.ok(texts.all.includes(cat[key]), `${lang}: ${key} («${cat[key]}») is shown`);
      }
      assert.doesNotMatch(texts.all, UNFILLED, `${lang}: every placeholder is filled`);
      assert.doesNotMatch(texts.all, KEY_LIKE, `${lang}: no catalogue key is shown instead of its text`);
    }
    // Korean for every text of the map and of the method's panels (names, formulas and "ECE" may stay as they are)
    const untranslated = Object.keys(en)
      .filter((k) => /^(map|method\.(lead|summary|title)|fidelity)\./.test(k) && !/^fidelity\.col\.(ece|kl)$|^map\.(coords|method\..*\.paper)$/.test(k))
      .filter((k) => !HANGUL.test(ko[k] ?? ''));
    assert.deepEqual(untranslated, [], 'every text of the map and the method panels is in Korean');
    // the glossary's terms for the map's axes
    for (const [key, term] of [['map.knowledge.response', '응답 기반'], ['map.knowledge.feature', '특징 기반'], ['map.knowledge.relation', '관계 기반'],
      ['map.scheme.offline', '오프라인'], ['map.scheme.online', '온라인'], ['map.scheme.self', '자기 증류'], ['fidelity.title', '충실도'], ['fidelity.title', '보정']]) {
      assert.ok(ko[key].includes(term), `${key}: «${term}» in «${ko[key]}»`);
    }
    check('on the map');
  } finally {
    await browser.close();
  }
});

/** The link's hash with `values` set (replaced where present, added where not). */
function withValues(hash, values) {
  const fields = new Map(hash.replace(/^#/, '').split('&').filter(Boolean).map((f) => f.split('=')));
  for (const [k, v] of Object.entries(values)) fields.set(k, String(v));
  return `#${[...fields].map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** "97.8%" → 0.978 */
const fraction = (text) => Number(String(text).replace('%', '').trim()) / 100;

test('every method’s demo trains; its view, its fidelity and calibration are drawn from its numbers', { timeout: 120_000 }, async (t) => {
  const browser = await launch();
  try {
    const { page, check } = await openPage(browser);
    const { methods } = await catalogues(page);
    await page.locator('#map').scrollIntoViewIfNeeded();
    await page.waitForSelector('#map-run-kd');
    const started = Date.now();
    for (const method of methods) {
      // the demo's button applies the engine's demo settings to the controls and the link, and trains
      await page.click(`#map-run-${method}`);
      await page.waitForFunction((m) => new RegExp(`(^|&)method=${m}(&|$)`).test(window.location.hash.slice(1))
        && document.querySelector('#btn-play').getAttribute('aria-pressed') === 'true', method);
      const demo = await page.evaluate(async (m) => {
        const engine = await import(new URL('pkg/kd_playground.js', document.baseURI).href);
        return Object.fromEntries(Object.entries(engine.methodDemoSettings(m)).map(([k, v]) => [k, String(v)]));
      }, method);
      assert.equal(await page.inputValue('#set-method'), method);
      assert.equal(await page.inputValue('#set-dataset'), demo.dataset);
      for (const name of ['temperature', 'alpha', 'studentEpochs']) {
        // the engine's settings are f32: the control shows the shortest decimal of the same f32
        assert.equal(Math.fround(Number(await page.inputValue(`#set-${name}-num`))), Math.fround(Number(demo[name])), `${method}: ${name} is the demo's`);
      }
      assert.equal(await page.inputValue('#set-studentHidden'), demo.studentHidden, `${method}: the demo's student`);
      assert.ok(await page.locator(`#map-${method}.is-active`).count(), `${method}: its card is marked as this run's`);

      // shortened through the link (a new run with the demo's settings but fewer epochs), then played to the end
      const hash = withValues(await page.evaluate(() => window.location.hash), SHORT);
      await page.evaluate((h) => { window.location.hash = h; }, hash);
      await page.waitForFunction(() => document.querySelector('#phase-detail').dataset.steps === '0'
        && document.querySelector('#btn-play').getAttribute('aria-pressed') === 'false');
      await page.click('#btn-play');
      await page.waitForSelector('#phase[data-phase="done"]', { timeout: 60_000 });
      await settled(page);

      // the method's own view, for the methods that have one
      const viewShown = await page.locator('#method-panel').isVisible();
      assert.equal(viewShown, WITH_VIEW.has(method), `${method}: the method's view is shown exactly for FitNets, RKD, DML and BYOT`);
      if (viewShown) {
        await page.locator('#method-panel').scrollIntoViewIfNeeded();
        await settled(page);
        await assertDrawn(page, '#method-view', method);
        assert.match(await page.textContent('#method-summary'), /\d/, `${method}: the view in words quotes its numbers`);
      }

      // the fidelity table: a row of numbers per network the method trains
      const networks = NETWORKS[method] ?? ['teacher', 'kd', 'control'];
      const rows = await page.$$eval('#fidelity-table tbody tr', (trs) => trs.map((tr) => ({
        network: tr.dataset.network,
        cells: Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.col, td.textContent])),
      })));
      assert.deepEqual(rows.map((r) => r.network), networks, `${method}: a row per network`);
      for (const { network, cells } of rows) {
        assert.match(cells.testAccuracy, /^\d{1,3}\.\d%$/, `${method} ${network}: accuracy`);
        assert.match(cells.ece, /^\d{1,3}\.\d%$/, `${method} ${network}: ECE`);
        assert.match(cells.entropy, /^\d+\.\d{3}$/, `${method} ${network}: entropy`);
        if (WITHOUT_TEACHER.has(method)) {
          assert.equal(cells.agreementWithTeacher, '—', `${method} ${network}: no teacher to agree with`);
          assert.equal(cells.testKlToTeacher, '—', `${method} ${network}: no teacher to compare with`);
        } else {
          assert.match(cells.agreementWithTeacher, /^\d{1,3}\.\d%$/, `${method} ${network}: agreement`);
          assert.match(cells.testKlToTeacher, /^\d+\.\d{3}$|e/, `${method} ${network}: KL`);
        }
      }
      if (!WITHOUT_TEACHER.has(method)) {
        const teacher = rows.find((r) => r.network === 'teacher').cells;
        assert.equal(teacher.agreementWithTeacher, '100.0%', 'the teacher agrees with itself');
        assert.equal(teacher.testKlToTeacher, '0.000', 'and is at KL 0 from itself');
      }
      // the distilled student's and the control's accuracies are those the verdict quotes (the same last epoch)
      const verdict = await page.textContent('#verdict');
      const [kd, control] = [...verdict.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]) / 100);
      const cell = (network) => fraction(rows.find((r) => r.network === network).cells.testAccuracy);
      assert.equal(cell('kd'), kd, `${method}: the table's distilled student is the verdict's («${verdict}»)`);
      assert.equal(cell('control'), control, `${method}: the table's control is the verdict's`);
      await assertDrawn(page, '#reliability', `${method}'s reliability diagram`);

      // a method without a teacher quotes none
      const noTeacher = WITHOUT_TEACHER.has(method);
      assert.equal(await page.locator('#fidelity-note').isVisible(), noTeacher, `${method}: the note on the missing teacher`);
      assert.equal(await page.locator('#sample-table tr[data-row="teacherT1"]').count(), noTeacher ? 0 : 1, `${method}: the teacher's rows`);
      const detail = await page.textContent('#phase-detail');
      assert.equal(/teacher \d+ epochs/.test(detail), !noTeacher, `${method}: the status line «${detail}»`);
      const latest = await page.textContent('#latest');
      assert.equal(latest.includes('Teacher (epoch'), !noTeacher, `${method}: the latest numbers name a teacher only if it trained`);
      // the sample's soft term: KD's numbers only where the run minimises KD's term
      const loss = await page.textContent('#sample-loss');
      const kdTerms = ['kd', 'logits', 'fitnets'].includes(method);
      assert.equal(/ = [\d.]+/.test(loss), kdTerms, `${method}: the sample's loss line «${loss}»`);
      t.diagnostic(`${method}: done after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('#fidelity-panel').screenshot({ path: path.join(SHOTS, 'methods-fidelity-dkpp.png') });
    check('while running the demos');
  } finally {
    await browser.close();
  }
});
