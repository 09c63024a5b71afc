// End-to-end test of a browser the engine cannot run in: without WebAssembly SIMD (or without WebAssembly at all)
// the page says which is missing and which browsers have it, in the learner's language, instead of failing to
// compile the engine with a message nobody can act on; the exam answer's page says it too. Simulated by changing
// what the page sees before its scripts run (WebAssembly.validate refusing the SIMD probe, or no WebAssembly).
// Needs KD_URL (the served www/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';

const PAGE_URL = process.env.KD_URL ?? 'http://127.0.0.1:8000/';

/** Opens `url` in a page where `scenario` ('simd' | 'wasm') is missing; returns the page and its uncaught errors. */
async function openWithout(browser, scenario, url) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await context.addInitScript((what) => {
    if (what === 'wasm') {
      delete globalThis.WebAssembly;
    } else {
      // a browser with WebAssembly 1.0 only: every module using a SIMD instruction is invalid
      const validate = WebAssembly.validate.bind(WebAssembly);
      WebAssembly.validate = (bytes) => {
        const b = new Uint8Array(bytes instanceof ArrayBuffer ? bytes : bytes.buffer ?? bytes);
        for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xfd) return false; // the SIMD prefix
        return validate(bytes);
      };
    }
  }, scenario);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors, context };
}

for (const [scenario, english, korean] of [
  ['simd', /runs WebAssembly but not its SIMD instructions.*Chrome or Edge 91\+, Firefox 89\+ or Safari 16\.4\+/, /SIMD 명령은 실행하지 못합니다/],
  ['wasm', /cannot run WebAssembly/, /WebAssembly를 실행하지 못합니다/],
]) {
  test(`without ${scenario === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly'} the page says so`, { timeout: 120_000 }, async () => {
    const browser = await launch();
    try {
      for (const [hash, expected] of [['', english], ['#lang=ko', korean]]) {
        const { page, errors, context } = await openWithout(browser, scenario, `${PAGE_URL}${hash}`);
        await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
        assert.match(await page.textContent('#error-text'), expected);
        assert.match(await page.textContent('#settings'), hash ? /엔진/ : /engine, which did not load/);
        assert.deepEqual(errors, [], 'no uncaught error');
        await context.close();
      }
      // the printable exam answer, which trains with the same engine when nothing is kept
      const { page, errors, context } = await openWithout(browser, scenario, new URL('answer.html', PAGE_URL).href);
      await page.waitForSelector('body[data-ready="failed"]', { timeout: 60_000 });
      assert.match(await page.textContent('#working-error'), english);
      assert.deepEqual(errors, [], 'no uncaught error');
      await context.close();
    } finally {
      await browser.close();
    }
  });
}
