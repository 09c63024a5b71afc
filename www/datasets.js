// Built-in data sets that the page fetches only when a learner chooses them: digits (1797 images) is a third of
// the engine's download, so it stays out of the first load. `cargo xtask build` puts the file beside the
// engine's module (pkg/digits.csv); the engine accepts only its exact bytes (provideDataset checks them), so the
// page trains on exactly the command line's data.

import { store } from './store.js';

/** data set name → Promise of its file handed to the engine (in the store). */
const pending = () => store.get('datasets');

/**
 * Resolves once data set `name` can be used by `engine` (at once for all but a data set not yet fetched).
 * Rejects with an Error that says what failed (the fetch, or the engine refusing the file); a later call tries
 * again.
 */
export function ensureDataset(engine, name) {
  const file = typeof engine?.datasetFile === 'function' ? engine.datasetFile(String(name)) : undefined;
  if (!file) return Promise.resolve();
  if (!pending().has(name)) {
    const url = new URL(`./pkg/${file}`, import.meta.url);
    const loading = fetch(url)
      .then((response) => {
        if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
        return response.text();
      })
      .then((text) => engine.provideDataset(String(name), text))
      .catch((e) => {
        pending().delete(name);
        throw e instanceof Error ? e : new Error(String(e));
      });
    pending().set(name, loading);
  }
  return pending().get(name);
}

/** Whether data set `name` is ready in `engine` (nothing to fetch). */
export function datasetReady(engine, name) {
  return !(typeof engine?.datasetFile === 'function' && engine.datasetFile(String(name)));
}
