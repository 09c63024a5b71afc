// A property test of the page's URL-hash reader (www/urlstate.js) against the real engine (the wasm module,
// loaded in Node): thousands of hostile hashes — made of the schema's names, values of every kind, bad
// %-escapes, very long and repeated fields, markup and control characters — never make it throw, and the
// settings it returns always pass the engine's validation, so a link can never build a session from settings
// the engine refuses. Seeded, so a failure names the hash that caused it and repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseHash, MAX_FIELD_LENGTH } from '../../www/urlstate.js';
import { coerce } from '../../www/lib/settings.js';

const pkg = new URL('../../www/pkg/', import.meta.url);
const CASES = 3000;

/** xorshift32: a small seeded generator, so every run tries the same hashes. */
function random(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)] };
}

test('no URL hash makes the page build settings the engine refuses', async () => {
  const engine = await import(new URL('kd_playground.js', pkg));
  engine.initSync({ module: fs.readFileSync(new URL('kd_playground_bg.wasm', pkg)) });
  const schema = engine.settingsSchema();
  const entries = (o) => (o instanceof Map ? [...o.entries()] : Object.entries(o ?? {}));
  const specOf = (name) => schema.find((s) => s.name === name);
  const defaults = Object.fromEntries(schema.map((s) => [s.name, coerce(s, s.default)]));
  const datasetDefaults = (name) => {
    const out = {};
    for (const [k, v] of entries(engine.datasetDefaults(name))) if (specOf(k)) out[k] = coerce(specOf(k), v);
    return out;
  };
  const validate = (values) => engine.validateSettings(values);
  assert.deepEqual(validate(defaults), [], 'the defaults are valid');

  const r = random(20261127);
  const names = [...schema.map((s) => s.name), 'lang', 'tour', 'bogus', '', '__proto__', 'constructor'];
  const values = () => r.pick([
    () => String(r.next() * 10 ** r.int(12) * (r.next() < 0.3 ? -1 : 1)),
    () => String(r.int(5000)),
    () => r.pick(['NaN', 'Infinity', '-0', '1e309', '0x10', '', ' ', '4,', ',,', '64,64', '1,2,3,4,5', '9999,9999']),
    () => r.pick(schema.find((s) => s.name === 'dataset').choices),
    () => r.pick(['ko', 'en', 'xx', 'tanh', 'sgd', 'logits']),
    () => r.pick(['%E0%A4%A', '%', '%zz', '%00', '%0A', '%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', '<b>x</b>', '"\'&']),
    () => 'x'.repeat(MAX_FIELD_LENGTH + r.int(3)),
    () => Array.from({ length: r.int(8) }, () => { const c = r.int(0x2ffff); return String.fromCodePoint(c >= 0xd800 && c < 0xe000 ? c - 0x800 : c); }).join(''),
  ])();
  const field = () => r.pick([
    () => `${r.pick(names)}=${values()}`,
    () => `${r.pick(names)}=${encodeURIComponent(values())}`,
    () => r.pick(names),
    () => `=${values()}`,
    () => `${r.pick(names)}==${values()}`,
  ])();

  for (let i = 0; i < CASES; i++) {
    const hash = `${r.pick(['#', '', '##'])}${Array.from({ length: r.int(12) }, field).join(r.pick(['&', '&&', '&']))}`;
    let parsed;
    try {
      parsed = parseHash(hash, { schema, defaults, languages: ['en', 'ko'], validate, datasetDefaults, tourSteps: 8 });
    } catch (e) {
      assert.fail(`parseHash threw ${e} on ${JSON.stringify(hash)}`);
    }
    assert.deepEqual(validate(parsed.settings), [], `the settings read from ${JSON.stringify(hash)}`);
    assert.deepEqual(Object.keys(parsed.settings).sort(), Object.keys(defaults).sort(), 'every setting, and nothing else');
    for (const name of parsed.given) assert.ok(specOf(name), `given names a setting: ${name}`);
    for (const ignored of parsed.ignored) {
      for (const text of [ignored.key, ignored.value].filter((v) => v !== undefined)) {
        assert.ok(String(text).length <= 41, `an ignored field is shown shortened: ${text}`);
        assert.ok(!/[\u0000-\u001f]/.test(String(text)), 'without control characters');
      }
    }
  }
});
