// The page's core flow in WebKitGTK (Safari's engine), driven by selenium-webdriver through WebKitWebDriver and
// MiniBrowser under Xvfb: load, Step epoch, Step batch, Play, Pause, a sample picked on the data view, T moved,
// Korean; no console or page error, a real drawing on every shown canvas, screenshots in English and Korean
// (engines.mjs has the flow; it ends the driver, the browser and Xvfb whatever happens). Needs KD_URL and Debian's
// webkit2gtk-driver and xvfb (cargo xtask test installs them).
import { test } from 'node:test';
import { coreFlow, languageFlow, webkitDriver } from './engines.mjs';

test('WebKit: a learner steps, plays, picks a sample, moves T and reads the page in Korean; the language model page trains', { timeout: 400_000 }, async (t) => {
  const b = await webkitDriver();
  try {
    await coreFlow(t, b);
    await languageFlow(t, b);
  } finally {
    await b.close();
  }
});
