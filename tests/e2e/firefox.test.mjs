// The page's core flow in Firefox (Gecko), driven by puppeteer-core over WebDriver BiDi: load, Step epoch, Step
// batch, Play, Pause, a sample picked on the data view, T moved, Korean; no console or page error, a real drawing on
// every shown canvas, screenshots in English and Korean; then the language model page trains a short run to the end in the worker
// (engines.mjs has the flows). Needs KD_URL and Debian's
// firefox-esr (cargo xtask test installs it).
import { test } from 'node:test';
import { coreFlow, languageFlow, firefoxDriver } from './engines.mjs';

test('Firefox: a learner steps, plays, picks a sample, moves T and reads the page in Korean; the language model page trains', { timeout: 300_000 }, async (t) => {
  const b = await firefoxDriver();
  try {
    await coreFlow(t, b);
    await languageFlow(t, b);
  } finally {
    await b.close();
  }
});
