// The animation loop: while playing, each frame trains once (within a share of the frame) and draws the dirty
// views within the frame's budget, so the page never freezes. It decides when each group of views is drawn:
// 'sync' (buttons, labels) at once, in the same task; 'frame' (the status line) in the next frame; 'main' (the
// charts) too, but while playing in a task of their own right after the frame, the stalest first as fit in
// FRAME_BUDGET_MS (each at most every DRAW_SHARE times its cost, every FASTEST_DRAW_MS at the fastest speed, once a
// second with reduced motion);
// 'teach' when the frame has room (while playing, in that same task), while training only those near the window, at
// most every TEACH_EVERY_MS.

import { store, FASTEST } from './store.js';

export const FRAME_BUDGET_MS = 10;    // training and drawing per animation frame while playing (the page never freezes)
export const TRAIN_SHARE_MS = 5;      // training's share of a frame when a view waits to be drawn
export const URGENT_TRAIN_MS = 1;     // … and in the frame that answers a click
export const TEACH_EVERY_MS = 250;    // the teaching panels follow training at most 4 times a second
export const CATCH_UP_MS = 700;       // the teaching panels skipped while training are drawn once it rests this long
const REDUCED_MOTION_DRAW_MS = 1000;  // with prefers-reduced-motion, charts are redrawn at most once a second while playing
// at the fastest speed, each chart is redrawn at most this often while playing: the worker trains on the other core,
// and the page's drawing (with the browser's style, layout and paint of it) takes CPU time from it. The default digits
// run took 1.81 s from Play to Done with every chart redrawn each frame, 1.66 s at most every 100 ms and 1.51 s every
// 250 ms (medians of 7, alternated; docs/performance.md)
export const FASTEST_DRAW_MS = 250;
// while playing, a chart waits at least this many times its last draw's cost before it is redrawn, so that no chart
// takes more than about a tenth of the main thread: on a slow CPU, where each draw costs more, the charts are redrawn
// less often and the status line and clicks keep their frames. CPU throttled 4×, 10-s runs alternated with 6 (a
// sixth): UI updates per second 33.5–38 against 31.4–31.9, the slowest answer to a click 110–137 ms against 119–189
// (4 pairs); at full speed the sample view follows 30–32 times a second instead of 50, the status line still every
// frame (docs/performance.md). Against no such wait, a sixth had raised the throttled updates in 7 of 8 pairs.
export const DRAW_SHARE = 10;

const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

/** Counts a timed piece of work in one of the benchmark's counters. */
function count(slot, ms) {
  slot.count += 1;
  slot.totalMs += ms;
  slot.maxMs = Math.max(slot.maxMs, ms);
}

/**
 * Draws `view` now and notes when and how long (a view that throws is reported and does not stop the loop); returns
 * whether it drew (false when it found that nothing it shows changed).
 */
function drawView(view) {
  view.dirty = false;
  view.skipped = false;
  const start = performance.now();
  try {
    view.draw(view);
  } catch (e) {
    view.inputs = null; // drawn again next time
    queueMicrotask(() => { throw e; }); // to the page's error handler, which shows it
  }
  view.touched = false;
  view.lastDraw = performance.now();
  // a draw that found nothing changed (unchanged()) keeps the cost of the last real one: the budget plans with it
  if (!view.skipped) view.cost = view.lastDraw - start;
  return !view.skipped;
}

/**
 * Whether `view` already shows what drawing it with `inputs` (the values its drawing reads, compared one by one with
 * Object.is) would show: they are those of its last draw, and no store.touch() of its keys came since (a touch asks
 * for a redraw as things are). Otherwise notes them for the next call. A view that could not draw (a canvas not laid
 * out) sets `view.inputs = null`, so that it is drawn again. A draw found unchanged keeps the view's cost and is not
 * counted among the benchmark's draws (`perf.draws`), which are the real ones.
 */
export function unchanged(view, inputs) {
  const last = view.inputs;
  const same = !view.touched && Array.isArray(last) && last.length === inputs.length && inputs.every((x, i) => Object.is(x, last[i]));
  if (!same) view.inputs = inputs;
  view.skipped = same;
  return same;
}

/** Draws every dirty view of `group` now. */
function drawAll(group) {
  for (const view of store.dirtyViews(group)) if (view.dirty) drawView(view);
}

/** Draws view `name` now, in this task (an answer the learner reads at once, e.g. "measuring…"). */
export function drawNow(name) {
  const view = store.viewOf(name);
  if (view) drawView(view);
}

/**
 * The next frame answers the learner (a click on a sample): it draws views `names` first and trains only briefly
 * before them.
 */
export function answerSoon(...names) {
  store.get('loop').urgent = true;
  for (const name of names) {
    const view = store.viewOf(name);
    if (view) view.lastDraw = 0;
  }
}

/**
 * Says on <body data-settled> whether the page has nothing left to do: not training, no frame to come, every view
 * drawn, no work in flight. Set false in the same task as whatever starts work: a test that acts and then waits
 * for "true" never reads a stale page.
 */
export function publishSettled() {
  const loop = store.get('loop');
  const busy = store.get('playing') || loop.frameRequested || loop.drawPosted || store.anyDirty() || store.get('pending').size > 0;
  const value = busy ? 'false' : 'true';
  if (document.body.dataset.settled !== value) document.body.dataset.settled = value;
}

/**
 * Starts the loop: `train(budgetMs)` is called once per frame while playing; `loop.background(frameStart)` (a
 * study) in every frame, returning whether it goes on.
 */
export function installLoop({ train }) {
  const loop = store.get('loop');
  const perf = store.get('perf');

  function requestFrame() {
    if (loop.frameRequested) return;
    loop.frameRequested = true;
    requestAnimationFrame(frame);
  }

  /** The teaching panels, when the frame has room for them. */
  function drawTeach(frameStart) {
    const views = store.dirtyViews('teach');
    if (!views.length) return;
    const playing = store.get('playing');
    const start = performance.now();
    if (playing && (start - loop.lastTeach < TEACH_EVERY_MS || start - frameStart >= TRAIN_SHARE_MS)) return;
    const since = start - store.get('trainedAt');
    const training = since < CATCH_UP_MS;
    const visible = store.get('teachVisible');
    let drawn = 0;
    let skipped = 0;
    for (const view of views) {
      const offScreen = view.panel && !visible.has(view.panel);
      if (training && (offScreen || (view.minInterval && start - view.lastDraw < view.minInterval(view)))) {
        skipped += 1;
        continue;
      }
      drawView(view);
      drawn += 1;
    }
    // the views left out are drawn once training has rested for CATCH_UP_MS (the timer's end asks for a frame)
    if (skipped && !store.hasTimer('teach-catch-up')) store.timer('teach-catch-up', CATCH_UP_MS - since + 1, () => {});
    if (drawn) {
      loop.lastTeach = performance.now();
      count(perf.teach, loop.lastTeach - start);
    }
  }

  /** The charts: while playing (`frameStart` set), the stalest first, as many as fit in the frame's budget. */
  function drawMain(frameStart) {
    let drawn = 0;
    const gap = reducedMotion.matches ? REDUCED_MOTION_DRAW_MS : store.get('batchesPerFrame') === FASTEST ? FASTEST_DRAW_MS : 0;
    for (const view of store.dirtyViews('main')) {
      const now = performance.now();
      if (frameStart !== null) {
        const late = now - frameStart + (drawn ? view.cost : 0) > FRAME_BUDGET_MS;
        if (late || now - view.lastDraw < Math.max(gap, view.cost * DRAW_SHARE)) {
          requestFrame(); // still dirty: a later frame draws it
          continue;
        }
      }
      drawn += 1;
      if (drawView(view)) count(perf.draws[view.name], view.cost);
    }
    if (!perf.firstRender && store.get('pg') && !store.dirtyViews('main').length) {
      perf.firstRender = true;
      performance.mark('kd-first-render'); // every view drawn once: the page is usable
    }
  }

  // While playing, the charts and the teaching panels are drawn in a task of their own, posted by the frame: the
  // browser renders the frame (style, layout, paint: at 4× CPU throttling as long as the frame's scripts) before it,
  // so that no single task holds both a chart's draw and the rendering of the frame (docs/performance.md). The status
  // line stays in the frame.
  const drawTask = new MessageChannel();
  drawTask.port1.onmessage = () => {
    loop.drawPosted = false;
    const playing = store.get('playing');
    // the budget counts the frame's own work (its training, on the main thread without a worker) as before
    const frameStart = performance.now() - loop.frameWork;
    drawTeach(frameStart);
    drawMain(playing ? frameStart : null);
    if (playing || store.anyDirty()) requestFrame();
    publishSettled();
  };

  function frame() {
    loop.frameRequested = false;
    perf.frames += 1;
    const t0 = performance.now();
    const playing = store.get('playing');
    if (playing && store.get('pg')) {
      perf.trainingFrames += 1;
      // training leaves room for the views that wait to be drawn (each frame draws the stalest ones that fit)
      const trainFor = loop.urgent ? URGENT_TRAIN_MS : store.dirtyViews('main').length ? TRAIN_SHARE_MS : FRAME_BUDGET_MS;
      train(Math.max(0, trainFor - (performance.now() - t0)));
    }
    const more = loop.background?.(t0) ?? false;
    if (playing) {
      loop.frameWork = performance.now() - t0;
      if (!loop.drawPosted && (store.dirtyViews('main').length || store.dirtyViews('teach').length)) {
        loop.drawPosted = true;
        drawTask.port2.postMessage(null);
      }
    } else {
      drawTeach(t0);
      // the charts before the status line: a chart sets its canvas's font, which brings the page's styles up to date
      // first, at little cost while this frame has changed few words yet
      drawMain(null);
    }
    drawAll('frame');
    loop.urgent = false;
    count(perf.frame, performance.now() - t0);
    if (store.get('playing') || more) requestFrame();
    publishSettled();
  }

  store.onChange(() => {
    drawAll('sync');
    if (store.get('playing') || store.anyDirty()) requestFrame();
    publishSettled();
  });
  drawAll('sync');
  requestFrame();
  publishSettled();
}

/** Draws the dirty views of the main layout now, outside the loop (the benchmark's redrawAll); returns the ms. */
export function drawMainNow() {
  const start = performance.now();
  drawAll('frame');
  for (const view of store.dirtyViews('main')) {
    if (drawView(view)) count(store.get('perf').draws[view.name], view.cost);
  }
  return performance.now() - start;
}
