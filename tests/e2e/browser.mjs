// Shared helper for the end-to-end tests: launches the system Chromium through playwright-core.
// (Never `npx playwright install`: it downloads a browser, which this machine cannot do.)
import { chromium } from 'playwright-core';

/** Flags that keep Chromium from sandboxing (we may run as root) and from calling home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches headless Chromium from $CHROMIUM (default /usr/bin/chromium).
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}
