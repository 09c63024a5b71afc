// KD Playground's service worker: after one visit the page loads with no network. It keeps every file the site
// serves (the page, its modules, the engine, the digits, both languages' catalogues, answer.html) in a cache named
// after the version of their list, pkg/precache.js, which `cargo xtask build` (and dist, serve) writes from the files
// themselves: { version, files: { path: sha256 } }.
//
// - install: fetches every listed file, checks it against its hash (a half-deployed site is not kept), caches it.
// - fetch: a listed file comes from the cache (the network only if it is missing); anything else is left alone.
// - a new version (a changed sw.js or list; the browser checks both on each page load) installs in the background
//   and waits. A page keeps the version it was loaded with: nothing reloads it or swaps its files during a run
//   (lib/offline.js only says, quietly, that the next load will use the new one). The next load does: when no other
//   page of the site stays open, the navigation itself hands over to the new version (see handOver) and its files
//   answer from then on; otherwise it takes over once every page of the old one has closed.
// - activate: deletes the caches of every other version.
//
// A classic worker (importScripts), not a module: every browser that runs the engine runs it.

/* global PRECACHE */
importScripts('pkg/precache.js');

const { version: VERSION, files: FILES } = self.PRECACHE;
const PREFIX = 'kd-playground-';
const CACHE = `${PREFIX}${VERSION}`;
const SCOPE = self.registration.scope;
/** How many files the install fetches at once. */
const PARALLEL = 4;
/** How long a navigation waits for the new version to answer the hand-over before going on with this one. */
const HAND_OVER_MS = 5000;

/** The cache this worker answers from: its own, or the next version's once it handed over to it. */
let serving = CACHE;
/** The pages that said they are being left (lib/offline.js, on beforeunload): a navigation may replace them. */
const leaving = new Set();

const has = (path) => Object.prototype.hasOwnProperty.call(FILES, path);
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

// ---------------------------------------------------------------- install: every listed file, checked

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

async function precache() {
  const cache = await caches.open(CACHE);
  const queue = Object.keys(FILES);
  const worker = async () => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) await keep(cache, path);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  // another version's activation deletes every cache but its own: this one must still be there
  if (!(await caches.has(CACHE))) throw new Error(`${CACHE} was deleted while it was filled`);
}

/** Caches file `path` (unless an earlier, interrupted install of this version did), checked against its hash. */
async function keep(cache, path) {
  const url = new URL(path, SCOPE).href;
  if (await cache.match(url)) return;
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  const hash = hex(await crypto.subtle.digest('SHA-256', body));
  if (hash !== FILES[path]) throw new Error(`${path} is not the file its list names (a site being updated?)`);
  await cache.put(url, new Response(body, { status: 200, statusText: 'OK', headers: response.headers }));
}

// ---------------------------------------------------------------- activate: only this version's cache is kept

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)),
  )));
});

// ---------------------------------------------------------------- fetch: listed files from the cache

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = new URL(request.url);
  const navigate = request.mode === 'navigate';
  if (url.search && !navigate) return;
  let path = url.pathname.slice(new URL(SCOPE).pathname.length);
  if (navigate && (path === '' || path.endsWith('/'))) path += 'index.html';
  if (!has(path)) return; // not the site's: the network, as without a service worker
  event.respondWith(answer(request, path, navigate));
});

async function answer(request, path, navigate) {
  if (navigate) await handOver();
  const hit = await caches.match(new URL(path, SCOPE).href, { cacheName: serving });
  return hit ?? fetch(request);
}

/**
 * A page is being loaded: if a new version waits and every page of the site still open is being left (a reload,
 * a link followed, or none open at all), the new version takes over now, so that this load is all of the new
 * version: its page from the new cache (this worker answers from it until the new one is active), its files from
 * the new worker. A page of the site that stays open keeps this version, and the new one waits.
 */
async function handOver() {
  const next = self.registration.waiting;
  if (!next || serving !== CACHE) return;
  const open = await self.clients.matchAll({ type: 'window' });
  const staying = open.filter((client) => !leaving.has(client.id));
  leaving.clear();
  if (staying.length) return;
  const name = await ask(next, { type: 'take-over' });
  if (typeof name === 'string' && name.startsWith(PREFIX) && (await caches.has(name))) serving = name;
}

/** Posts `message` to `worker` and resolves with its answer (null if none comes in HAND_OVER_MS). */
function ask(worker, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), HAND_OVER_MS);
    channel.port1.onmessage = (e) => { clearTimeout(timer); resolve(e.data); };
    worker.postMessage(message, [channel.port2]);
  });
}

// ---------------------------------------------------------------- messages

self.addEventListener('message', (event) => {
  const type = event.data?.type;
  if (type === 'leaving' && event.source?.id) {
    leaving.add(event.source.id);
  } else if (type === 'take-over' && event.source instanceof ServiceWorker) {
    // asked by the active worker of the old version (handOver), of its registration's waiting worker: this one
    event.waitUntil(self.skipWaiting());
    event.ports[0]?.postMessage(CACHE);
  } else if (type === 'version') {
    event.ports[0]?.postMessage({ version: VERSION, files: Object.keys(FILES).length });
  }
});
