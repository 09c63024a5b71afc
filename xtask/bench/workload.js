// The reference workload of `cargo xtask bench`, in the browser: the crate's own WebAssembly build
// (ReferenceBench: the playground's training step) and TensorFlow.js 4.22 on the same data, network,
// optimiser and batch size. bench.mjs calls window.kdBench.kd(...) and window.kdBench.tfjs(...).
import init, { ReferenceBench, datasetFile, provideDataset } from '../pkg/kd_playground.js';

// digits is fetched, as the page fetches it when a learner chooses it
const ready = init().then(async () => {
  const file = datasetFile('digits');
  if (file) provideDataset('digits', await (await fetch(new URL(`../pkg/${file}`, import.meta.url))).text());
});

/** `repeats` runs of `epochs` epochs of the crate's workload, each from seed 0: time and losses. */
async function kd(epochs, repeats) {
  await ready;
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const bench = new ReferenceBench(0);
    const losses = [];
    const start = performance.now();
    for (let e = 0; e < epochs; e++) losses.push(bench.epoch());
    const ms = performance.now() - start;
    runs.push({ ms, losses, flops: bench.flopsPerEpoch() * epochs });
    bench.free();
  }
  return runs;
}

/** The same workload in TensorFlow.js with `backend` ('wasm' or 'cpu'), with a warm-up epoch first. */
async function tfjs(backend, epochs, repeats) {
  await ready;
  const tf = window.tf;
  tf.wasm.setWasmPaths(new URL('tfjs/', document.baseURI).href);
  await tf.setBackend(backend);
  await tf.ready();
  const source = new ReferenceBench(0);
  const d = source.data();
  const flopsPerEpoch = source.flopsPerEpoch();
  source.free();
  const x = tf.tensor2d(Float32Array.from(d.features), [d.samples, d.featuresPerSample]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(d.labels), 'int32'), d.classes).toFloat();
  const model = () => {
    const m = tf.sequential();
    const hidden = d.sizes.slice(1, -1);
    hidden.forEach((units, i) => m.add(tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [d.featuresPerSample] } : {}) })));
    m.add(tf.layers.dense({ units: d.classes, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(d.learningRate), loss: 'categoricalCrossentropy' });
    return m;
  };
  const fit = (m, n) => m.fit(x, y, { batchSize: d.batchSize, epochs: n, shuffle: true, verbose: 0, yieldEvery: 'never' });
  const warm = model();
  await fit(warm, 1); // compiles the kernels
  warm.dispose();
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const m = model();
    const start = performance.now();
    const history = await fit(m, epochs);
    const ms = performance.now() - start;
    const parameters = m.countParams();
    runs.push({ ms, losses: history.history.loss.map(Number), flops: flopsPerEpoch * epochs, parameters, backend: tf.getBackend(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT').catch(() => null) });
    m.dispose();
  }
  x.dispose();
  y.dispose();
  return runs;
}

window.kdBench = { kd, tfjs };
document.body.dataset.ready = 'true';
