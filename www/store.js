// The page's one state store: every mutable value of the page lives here. Views declare the keys they read;
// set() or touch() of a key marks the views that read it dirty and tells the listeners (the animation loop, which
// draws dirty views). Keys that views read are replaced, never changed in place (set() compares with Object.is);
// bookkeeping records (loop, timers, perf…) are changed in place, and no view reads them.
//
//   store.view('curves', { group: 'main', deps: ['history', 'status', 'language'], draw });
//   store.set({ selection: { split: 'test', index: 3 } });   // marks 'sample' and 'data' dirty

/** What the page starts with: every key the store knows. */
function initialState() {
  return {
    // the engine
    engine: null,            // the wasm module
    schema: [],              // settingsSchema()
    defaults: {},            // with the default data set's defaults
    engineFailed: false,
    palette: null,           // palette()
    presets: null,           // experiments()
    heldOut: null,           // www/heldout.json: the experiments over the held-out seeds, as kd computed them
    heldOutLoading: false,
    // the settings
    settings: {},            // the values in the controls
    applied: {},             // those of the current run (+ live changes): the URL's
    localErrors: new Set(),  // settings whose input is not even a number
    errors: [],              // [{name, message}] (run.js validate)
    invalid: false,
    csv: null,               // the user's file: { bytes, name }
    // the run
    pg: null,                // the Playground
    run: 0,                  // counts runs: a cache keyed on it belongs to one
    status: null,
    teacherVersion: '',      // changes with the teacher's weights
    fetching: null,          // the data set being fetched
    dataInfo: null,
    modelInfo: null,
    history: { teacher: [], students: [] }, // appended from each training call
    lastBatch: null,
    batchParams: null,       // T and α of the last batch
    selection: { split: 'test', index: 0 },
    indexError: null,        // { value, max }
    playing: false,
    batchesPerFrame: 4,      // the speed: mini-batches per frame, FASTEST at the fastest
    trainedAt: -Infinity,    // performance.now() of the last training
    experiment: null,        // { name, liveChanged }
    firstRun: null,          // the page's first run: { settings, small: { run, diff }, held, heldLoading } (panels/firstrun.js)
    notice: [],              // a link's ignored fields
    language: 'en',
    catalogues: {},
    panelTexts: null,    // the panels' part of the catalogues, once asked for: its loading (i18n.js)
    tourStep: null,
    layout: 0,               // counts resizes
    teachLayout: 0,
    teachStatus: 'idle',     // | 'ready' | 'failed'
    withoutT2: false,
    highlight: null,         // { scope, term, pinned }
    timing: null,            // { teacher, kd }
    timingPending: false,
    measuring: false,
    runfileMessage: null,    // { key, params, kind }
    study: null,
    experimentOutcome: null, // { run, name, value }
    biasShift: null,

    // handles built once
    controls: null,          // the settings form (panels/settings.js)
    remote: null,            // the worker that trains the runs (remote.js), or null: they train on this thread

    // bookkeeping, changed in place (no view depends on these)
    sampleCache: { key: null, report: null, insight: null },
    tour: { run: 0, highlighted: null, picked: null, dataset: null, loading: null },
    loop: { frameRequested: false, drawPosted: false, frameWork: 0, urgent: false, lastAnnounce: 0, lastTeach: 0, background: null },
    timers: {},              // name → timeout id
    pending: new Set(),      // work in flight: the page is not settled
    kept: { key: '', tooLargeSaid: false, loading: null }, // the last run kept
    datasets: new Map(),     // name → Promise of its file
    canvasBoxes: new WeakMap(),
    teachVisible: new Set(), // teaching panels near the window
    teachLoading: null,
    studiesLoading: null,
    outcomeLoading: null,
    perf: {
      frames: 0,
      trainingFrames: 0,
      updates: 0,            // status line drawn
      draws: { data: counter(), sample: counter(), curves: counter(), 'method-view': counter(), fidelity: counter(), reliability: counter() },
      teach: counter(),
      frame: counter(),      // a frame's work
      firstRender: false,
    },
  };
}

function counter() {
  return { count: 0, totalMs: 0, maxMs: 0 };
}

const state = initialState();
/** name → { name, group, deps, draw, dirty, lastDraw, cost } */
const views = new Map();
const listeners = new Set();

/**
 * Marks the views that read any of `keys` dirty (and `touched`, when the keys were touched: see loop.js unchanged()),
 * then tells the listeners which keys changed.
 */
function changed(keys, touched = false) {
  if (!keys.length) return;
  for (const view of views.values()) {
    if ((!view.dirty || touched) && keys.some((key) => view.deps.has(key))) {
      view.dirty = true;
      if (touched) view.touched = true;
    }
  }
  for (const fn of [...listeners]) fn(keys);
}

/** The fastest speed (`batchesPerFrame`): as many mini-batches as the frame's budget allows. */
export const FASTEST = Infinity;

/** The store (see above). */
export const store = {
  /** The value of `key`. */
  get(key) {
    if (!(key in state)) throw new Error(`store: no key ${key}`);
    return state[key];
  },

  /** Sets several keys at once; the views reading those that changed become dirty. */
  set(values) {
    const keys = [];
    for (const [key, value] of Object.entries(values)) {
      if (!(key in state)) throw new Error(`store: no key ${key}`);
      if (Object.is(state[key], value)) continue;
      state[key] = value;
      keys.push(key);
    }
    changed(keys);
  },

  /** Says that `keys` changed in place (or that their views must be redrawn as they are). */
  touch(...keys) {
    changed(keys, true);
  },

  /**
   * Declares a view: `draw(view)` is called when it is dirty; `deps` are the keys it reads; `group` says when it
   * is drawn ('sync', 'frame', 'main' or 'teach': see loop.js). It starts dirty; a name declared again is replaced.
   */
  view(name, { deps, draw, group = 'frame', ...options }) {
    views.set(name, { ...options, name, group, deps: new Set(deps), draw, dirty: true, lastDraw: 0, cost: 0 });
    changed(['views']);
  },

  /** The dirty views of `group`, stalest first. */
  dirtyViews(group) {
    return [...views.values()].filter((v) => v.dirty && v.group === group).sort((a, b) => a.lastDraw - b.lastDraw);
  },

  /** Whether any view waits to be drawn. */
  anyDirty() {
    for (const view of views.values()) if (view.dirty) return true;
    return false;
  },

  /** The view called `name` (its dirty flag, last draw time and cost), or undefined. */
  viewOf(name) {
    return views.get(name);
  },

  /** Calls `fn(keys)` after every change; returns a function that stops it. */
  onChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },

  /** Notes work in flight (the page is not settled until end(name)). */
  begin(name) {
    if (state.pending.has(name)) return;
    state.pending.add(name);
    changed(['pending']);
  },

  /** Notes that work `name` is done. */
  end(name) {
    if (!state.pending.delete(name)) return;
    changed(['pending']);
  },

  /**
   * Runs `fn` after `ms` as the page's timer `name` (replacing a pending one of that name); the page is not
   * settled while it waits, unless `quiet` (housekeeping the learner does not wait for). Cancel it with
   * clearTimer(name).
   */
  timer(name, ms, fn, { quiet = false } = {}) {
    clearTimeout(state.timers[name]);
    if (!quiet) store.begin(`timer:${name}`);
    state.timers[name] = setTimeout(() => {
      delete state.timers[name];
      try {
        fn();
      } finally {
        store.end(`timer:${name}`);
      }
    }, ms);
  },

  /** Cancels timer `name`, if it is pending. */
  clearTimer(name) {
    if (!(name in state.timers)) return;
    clearTimeout(state.timers[name]);
    delete state.timers[name];
    store.end(`timer:${name}`);
  },

  /** Whether timer `name` is pending. */
  hasTimer(name) {
    return name in state.timers;
  },
};
