// The page's template filler (www/template.js) against the cases every filler of the project passes
// (tests/fixtures/templates.json; the engine's filler, src/text.rs, passes them in tests/text.rs). Pure functions,
// in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fill, formatNumber, placeholders } from '../../www/template.js';

const fixture = JSON.parse(fs.readFileSync(new URL('../fixtures/templates.json', import.meta.url), 'utf8'));

test('the page fills templates as the engine does', () => {
  assert.ok(fixture.cases.length > 30);
  for (const { template, params, expected } of fixture.cases) {
    assert.equal(fill(template, params), expected, `${template} with ${JSON.stringify(params)}`);
  }
});

test('numbers are written as the engine writes them; placeholders are named', () => {
  assert.equal(formatNumber(NaN), 'NaN');
  assert.equal(formatNumber(Infinity), 'inf');
  assert.equal(formatNumber(-Infinity), '-inf');
  assert.equal(formatNumber(-0), '0');
  assert.deepEqual(placeholders('{t} {class:이} {} {x y}'), ['t', 'class']);
});
