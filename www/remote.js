// Training off the main thread: the engine trains the run in a Web Worker (./worker.js) and the page's run (the store's
// `pg`) is a copy that follows the worker's snapshots (src/session/snapshot.rs): every chart, report and saved run is
// computed from the copy, which is the worker's run bit for bit. The main thread only draws and answers the learner.
// Where workers, module workers or the engine in one are not available, startRemote() gives null and the page trains
// on its own thread within each frame's budget (./loop.js), as before.

import { store } from './store.js';

/**
 * The worker, with the engine loaded in it from `compiled` (the page's compiled module, so that it is fetched and
 * compiled once) or, without it, from the engine's files; null when this browser cannot run it.
 */
export async function startRemote(compiled) {
  if (typeof Worker !== 'function') return null;
  let worker;
  try {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
  const ready = await new Promise((resolve) => {
    worker.onerror = (event) => { event.preventDefault?.(); resolve(false); }; // e.g. no module workers here
    worker.onmessage = (event) => resolve(event.data?.type === 'ready');
    worker.postMessage({ type: 'init', module: compiled instanceof WebAssembly.Module ? compiled : null });
  });
  if (!ready) {
    worker.terminate();
    return null;
  }
  return new Remote(worker);
}

/**
 * The page's side of the worker. `onSnapshot(snapshot, trained)` is called (as set by ./run.js) for each snapshot of the
 * current run, `onFailure(what, error)` for an engine error in the worker; requests that wait for an answer resolve
 * after it.
 */
export class Remote {
  constructor(worker) {
    this.worker = worker;
    this.run = 0;          // the current run's number
    this.nextId = 1;
    this.waiting = new Map(); // request id → resolve
    this.training = null;  // the id of the 'train' request in flight
    this.studies = 0;      // studies started
    this.asking = null;    // the id of the 'study-ask' request in flight
    this.onSnapshot = () => {};
    this.onFailure = () => {};
    this.onStudy = () => {};
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.onFailure('do.train', { message: event.message || 'worker error', kd: null, crashed: true });
      this.answer([...this.waiting.keys()]);
    };
  }

  /** Posts `message` as a request; the promise resolves once the worker has answered it (and the answer is applied). */
  request(message) {
    const id = this.nextId++;
    store.begin('worker');
    const answered = new Promise((resolve) => this.waiting.set(id, resolve));
    this.worker.postMessage({ ...message, id });
    return { id, answered };
  }

  answer(ids) {
    for (const id of ids) {
      this.waiting.get(id)?.();
      this.waiting.delete(id);
      if (id === this.training) this.training = null;
      if (id === this.asking) this.asking = null;
    }
    if (this.waiting.size === 0) store.end('worker');
  }

  receive(message) {
    if (message?.type === 'snapshot') {
      if (message.run === this.run && message.snapshot) this.onSnapshot(message.snapshot, message.trained);
    } else if (message?.type === 'study') {
      this.onStudy(message);
    } else if (message?.type === 'failed') {
      if (message.run === this.run) this.onFailure(message.what, message.error);
    }
    this.answer(message?.ids ?? []);
  }

  /** The worker makes the run the page just built the same way (`recipe`: see worker.js build()). */
  build(recipe) {
    this.run += 1;
    this.training = null;
    return this.request({ type: 'build', run: this.run, recipe }).answered;
  }

  /** The data set `name`'s file, for the runs the worker builds. */
  dataset(name, text) {
    this.worker.postMessage({ type: 'dataset', name, text });
  }

  /** Changes T or α of the worker's run (the page's copy is changed by the page). */
  live(name, value) {
    this.worker.postMessage({ type: 'live', name, value });
  }

  /** Lets the worker train `credit` more mini-batches; a snapshot comes after its next stretch (one request at a time). */
  train(credit) {
    if (this.training !== null) return;
    this.training = this.request({ type: 'train', credit }).id;
  }

  /** One mini-batch ('batch') or to the end of the epoch ('epoch'); resolves once the page's copy has followed. */
  step(kind) {
    return this.request({ type: 'step', kind }).answered;
  }

  /**
   * Starts study `name` (the engine's StudyRunner, with `overrides`) in the worker, beside the run; returns its handle,
   * whose `free()` drops it. Its progress comes to `onStudy` when asked for (askStudy()), and its outcome when done.
   */
  startStudy(name, overrides) {
    this.studies += 1;
    const study = this.studies;
    this.worker.postMessage({ type: 'study', study, name, overrides });
    return { id: study, free: () => this.worker.postMessage({ type: 'study-stop', study }) };
  }

  /** Asks for the study's progress after its next stretch (one request at a time). */
  askStudy() {
    if (this.asking !== null) return;
    this.asking = this.request({ type: 'study-ask' }).id;
  }

  /** Stops training; resolves once the page's copy stands where the worker stopped. */
  stop() {
    return this.request({ type: 'stop' }).answered;
  }
}
