// The page's one state store. Every mutable value of the page lives here, and nowhere else: the settings, the
// run and what the engine last said about it, the selection, the language, the teaching panels' switches, and the
// bookkeeping of the animation loop (timers, draw times, counters).
//
// Views (a status line, a chart, a teaching panel) declare the keys they read; when a key changes through set()
// or touch(), the store marks every view that reads it dirty, and tells its listeners (the animation loop asks
// for a frame, which draws the dirty views within its budget). So no code lists the views a change concerns:
// a view says what it depends on, once.
//
//   store.view('curves', { group: 'main', deps: ['history', 'status', 'language'], draw });
//   store.set({ selection: { split: 'test', index: 3 } });   // marks 'sample' and 'data' dirty
//
// Keys that views depend on are replaced, never changed in place (set() compares with Object.is); a value
// changed in place is announced with touch(). Bookkeeping records (loop, timers, perf…) are changed in place:
// no view depends on them.

/** What the page starts with: every key the store knows. */
function initialState() {
  return {
    // the engine and its settings table
    engine: null,            // the wasm module's exports
    schema: [],              // settingsSchema()
    defaults: {},            // every setting's default (the default data set's defaults applied)
    engineFailed: false,     // the engine could not be loaded
    palette: null,           // palette(): the colours that mean something
    presets: null,           // experiments(): Hinton's experiments and studies as the engine declares them
    // the settings
    settings: {},            // the values in the controls
    applied: {},             // the values the current run was built with (+ live changes); the URL holds these
    localErrors: new Set(),  // the settings whose input the page cannot even hand to the engine (not a number)
    errors: [],              // every setting's problem: [{name, message}] (see run.js validate)
    invalid: false,          // a setting has an error (Reset is refused)
    csv: null,               // the user's own data: { bytes, name } (replaces the data set on reset)
    // the run
    pg: null,                // the Playground
    run: 0,                  // counts the runs adopted: a cache keyed on it belongs to one run
    status: null,            // where training stands
    teacherVersion: '',      // changes when the teacher's weights do (what the teacher's views depend on)
    fetching: null,          // the data set being fetched for the next run
    dataInfo: null,
    modelInfo: null,
    history: { teacher: [], students: [] }, // per-epoch metrics, appended from what each training call returns
    lastBatch: null,         // the last distillation mini-batch's losses
    batchParams: null,       // {temperature, alpha} in force for the last mini-batch trained
    selection: { split: 'test', index: 0 },
    indexError: null,        // the Index box's refused value: { value, max }
    playing: false,
    batchesPerFrame: 4,      // the Speed select: mini-batches per frame while playing
    trainedAt: -Infinity,    // when training last advanced (performance.now()): the teaching panels catch up after
    experiment: null,        // the preset being run: { name, liveChanged }
    notice: [],              // the fields of the last link that were ignored
    language: 'en',          // the language shown (./i18n.js)
    catalogues: {},          // the catalogues loaded so far, by language
    tourStep: null,          // the guided tour's step while it is open
    layout: 0,               // counts window resizes: the main charts are redrawn at the new size
    teachLayout: 0,          // … and the teaching panels' charts
    teachStatus: 'idle',     // the teaching panels: 'idle' | 'loading' | 'ready' | 'failed'
    withoutT2: false,        // the gradient view's "drop T²" switch
    highlight: null,         // the formula's highlighted term: { scope, term, pinned }
    timing: null,            // the architecture panel's inference timing: { teacher, kd }
    timingPending: false,    // … to be measured once the page is idle
    measuring: false,        // … being measured now
    runfileMessage: null,    // the Save & load panel's last message: { key, params, kind }
    study: null,             // the study in progress or finished (./panels/studies.js)
    experimentOutcome: null, // { run, name, value }: the finished preset's outcome, computed once
    biasShift: null,         // the omitted-class experiment's bias slider

    // handles built once
    controls: null,          // the settings form (./panels/settings.js): set(name, value), focus(name)…

    // bookkeeping, changed in place (no view depends on these)
    sampleCache: { key: null, report: null, insight: null }, // the selected sample as the engine last reported it
    tour: { run: 0, highlighted: null, picked: null, dataset: null }, // the tour's current setup and its picks
    loop: { frameRequested: false, urgent: false, lastAnnounce: 0, lastTeach: 0 },
    timers: {},              // name → timeout id of the page's pending timers
    pending: new Set(),      // work in flight that the page is not settled without (a fetch, a study, a timer…)
    kept: { key: '', tooLargeSaid: false }, // the last run kept in local storage
    datasets: new Map(),     // data set name → Promise of its file handed to the engine
    canvasBoxes: new WeakMap(), // canvas → its CSS box, from a ResizeObserver
    ids: { next: 0 },        // for ids the page makes up
    teachVisible: new Set(), // the teaching panels within reach of the window
    teachLoading: null,      // Promise of the teaching panels' module
    perf: {
      frames: 0,             // animation frames run
      trainingFrames: 0,     // frames that trained while playing
      updates: 0,            // frames that updated the status line and progress bar
      draws: { data: counter(), sample: counter(), curves: counter() },
      teach: counter(),      // updates of the teaching panels
      frame: counter(),      // the work of a frame: training, the teaching panels, drawing
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

/** Marks the views that read any of `keys` dirty, then tells the listeners which keys changed. */
function changed(keys) {
  if (!keys.length) return;
  for (const view of views.values()) {
    if (!view.dirty && keys.some((key) => view.deps.has(key))) view.dirty = true;
  }
  for (const fn of [...listeners]) fn(keys);
}

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
    changed(keys);
  },

  /**
   * Declares a view: `draw()` is called (by the animation loop) when it is dirty; `deps` are the keys it reads.
   * `group`: 'text' (drawn first in every frame), 'main' (the charts, within the frame's budget) or 'teach'.
   * A new view starts dirty. Declaring a name again replaces the view.
   */
  view(name, { deps, draw, group = 'text', ...options }) {
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

  /** A new id for an element: `${prefix}-N`. */
  uid(prefix) {
    state.ids.next += 1;
    return `${prefix}-${state.ids.next}`;
  },
};
