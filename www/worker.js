// The engine in a Web Worker: it trains the page's run off the main thread, where the page keeps a copy of the run
// that follows this one's snapshots (src/session/snapshot.rs) and draws it (./remote.js is the page's side).
//
// The page sends, handled in order:
//   {type: 'init', module}            the engine: the page's compiled module (or null: its files), then 'ready'
//   {type: 'dataset', name, text}     a data set's file, fetched by the page (digits)
//   {type: 'build', run, recipe, id}  the run the page built, made here the same way (see build())
//   {type: 'live', name, value}       T or α changed
//   {type: 'train', credit, id}       train up to `credit` more mini-batches; a snapshot after the next stretch
//   {type: 'step', kind, id}          one mini-batch ('batch') or to the end of the epoch ('epoch'), then a snapshot
//   {type: 'stop', id}                stop training, then a snapshot
//   {type: 'study', study, name, overrides}  start a study (the engine's StudyRunner), trained beside the run
//   {type: 'study-ask', id}           the study's progress after its next stretch
//   {type: 'study-stop', study}       drop the study
// and gets back {type: 'snapshot', run, trained, snapshot, ids} (ids: the requests it answers),
// {type: 'study', study, progress, outcome, done, error, ids}, or {type: 'failed', run, what, error, ids}: `what` is
// the catalogue key of what failed, `error` the engine's message.

import init, * as engine from './pkg/kd_playground.js';

/** Training between two looks at the page's messages: a pause takes effect within this, or one mini-batch. */
const STRETCH_MS = 8;
/** The most mini-batches one stretch may train (a u32 for the engine). */
const MAX_BATCHES = 1e6;

let pg = null;       // the run
let run = 0;         // its number, as the page counts them
let credit = 0;      // mini-batches the page allows before it asks again
let trained = 0;     // mini-batches since the last snapshot
let answer = [];     // requests the next snapshot answers
let study = null;    // {id, runner}: the study in training
let studyAnswer = []; // requests the study's next progress answers
let scheduled = false;

// a zero-delay task that lets the page's messages in between stretches (setTimeout would be clamped to 4 ms)
const channel = new MessageChannel();
channel.port1.onmessage = stretch;

function schedule() {
  if (scheduled) return;
  scheduled = true;
  channel.port2.postMessage(null);
}

/** An engine error as plain data (structured cloning keeps an Error's message but not the engine's `kd` message). */
function plain(e) {
  return {
    message: e instanceof Error ? e.message : String(e),
    kd: e?.kd ?? null,
    crashed: e instanceof WebAssembly.RuntimeError,
  };
}

function failed(what, e) {
  credit = 0;
  postMessage({ type: 'failed', run, what, error: plain(e), ids: answer.splice(0) });
}

/** Sends the run's snapshot, answering every request that waits for one. */
function send() {
  if (!pg) {
    postMessage({ type: 'snapshot', run, trained: 0, snapshot: null, ids: answer.splice(0) });
    return;
  }
  let snapshot;
  try {
    snapshot = pg.snapshot();
  } catch (e) {
    failed('do.read', e);
    return;
  }
  postMessage({ type: 'snapshot', run, trained, snapshot, ids: answer.splice(0) }, [snapshot.weights.buffer]);
  trained = 0;
}

/** Sends the study's progress (and its outcome once `done`), answering what waits for it. */
function sendStudy(done, error = null) {
  const s = study;
  let progress = null;
  let outcome = null;
  if (!error) {
    try {
      progress = s.runner.progress();
      if (done && !progress.stopped) outcome = s.runner.outcome();
    } catch (e) {
      error = plain(e);
    }
  }
  postMessage({ type: 'study', study: s.id, progress, outcome, done: done || Boolean(error), error, ids: studyAnswer.splice(0) });
  if (done || error) {
    s.runner.free();
    study = null;
  }
}

/** Trains the study for one stretch. */
function studyStretch() {
  const start = performance.now();
  let done = false;
  try {
    while (!done && performance.now() - start < STRETCH_MS) done = study.runner.step(1);
  } catch (e) {
    sendStudy(true, plain(e));
    return;
  }
  if (done || studyAnswer.length) sendStudy(done);
}

/** Trains one stretch of the run and of the study, then answers what waits for them; goes on while there is work. */
function stretch() {
  scheduled = false;
  if (pg && credit > 0) {
    try {
      const n = pg.advance(STRETCH_MS, Math.min(credit, MAX_BATCHES));
      trained += n;
      credit = n === 0 ? 0 : credit - n; // 0: training is over (done, or diverged)
    } catch (e) {
      failed('do.train', e);
      return;
    }
  }
  if (answer.length) send();
  if (study) studyStretch();
  if ((pg && credit > 0) || study) schedule();
}

/** Makes the page's run: the same settings, file or trained teacher give the same run, bit for bit. */
function build(recipe) {
  switch (recipe.kind) {
    case 'new':
      return new engine.Playground(recipe.settings);
    case 'csv':
      return engine.Playground.fromCsv(recipe.settings, recipe.bytes, recipe.name);
    case 'students':
      return pg.withStudents(recipe.settings);
    case 'import':
      return engine.Playground.importRun(recipe.document);
    case 'names':
      return engine.Playground.onNames(recipe.settings);
    case 'text':
      return engine.Playground.fromText(recipe.settings, recipe.bytes, recipe.name);
    default:
      throw new Error(`unknown recipe ${recipe.kind}`);
  }
}

const WHAT = { new: 'do.create', csv: 'do.readCsv', students: 'do.create', import: 'do.import', names: 'do.create', text: 'do.create' };

async function handle(message) {
  switch (message.type) {
    case 'init':
      try {
        await init(message.module ? { module_or_path: message.module } : undefined);
        postMessage({ type: 'ready' });
      } catch (e) {
        postMessage({ type: 'failed', run, what: 'error.engineLoad', error: plain(e), ids: [] });
      }
      return;
    case 'dataset':
      try {
        engine.provideDataset(message.name, message.text);
      } catch (e) {
        failed('do.read', e);
      }
      return;
    case 'build': {
      let next;
      credit = 0;
      trained = 0;
      try {
        next = build(message.recipe);
      } catch (e) {
        run = message.run;
        answer.push(message.id);
        failed(WHAT[message.recipe.kind] ?? 'do.create', e);
        return;
      }
      if (pg && pg !== next) pg.free();
      pg = next;
      run = message.run;
      answer.push(message.id);
      send(); // the page's copy starts from everything this run holds
      return;
    }
    case 'live':
      try {
        pg?.setLive(message.name, message.value);
      } catch (e) {
        failed('do.setLive', e);
      }
      return;
    case 'train':
      credit = Math.min(credit + message.credit, 2 * message.credit);
      answer.push(message.id);
      schedule();
      return;
    case 'step':
      credit = 0;
      answer.push(message.id);
      try {
        if (message.kind === 'epoch') trained += pg.advanceEpoch();
        else trained += pg.advance(Infinity, 1);
      } catch (e) {
        failed(message.kind === 'epoch' ? 'do.trainEpoch' : 'do.trainBatch', e);
        return;
      }
      send();
      return;
    case 'stop':
      credit = 0;
      answer.push(message.id);
      send();
      return;
    case 'study':
      study?.runner.free();
      study = null;
      try {
        study = { id: message.study, runner: new engine.StudyRunner(message.name, message.overrides) };
      } catch (e) {
        postMessage({ type: 'study', study: message.study, progress: null, outcome: null, done: true, error: plain(e), ids: [] });
        return;
      }
      schedule();
      return;
    case 'study-ask':
      studyAnswer.push(message.id);
      if (!study) postMessage({ type: 'study', study: null, progress: null, outcome: null, done: true, error: null, ids: studyAnswer.splice(0) });
      else schedule();
      return;
    case 'study-stop':
      if (study?.id === message.study) {
        study.runner.free();
        study = null;
      }
      if (studyAnswer.length) {
        postMessage({ type: 'study', study: message.study, progress: null, outcome: null, done: true, error: null, ids: studyAnswer.splice(0) });
      }
      return;
    default:
      return;
  }
}

let queue = Promise.resolve();
self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};
