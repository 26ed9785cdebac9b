// The benchmark worker: one job per worker (see main.js). Module worker, like the app's.
// Jobs: {kind: "peak"} | {kind: "tfjs", model, threads} | {kind: "engine", model, pkg, sample}
// with {seconds, warmup}. Posts back the result object or {error}.

import { timePeak } from '../lib/peak.mjs';

const now = () => performance.now();

async function corpus() {
  const r = await fetch('/corpus.txt');
  if (!r.ok) throw new Error(`GET /corpus.txt: ${r.status}`);
  return r.text();
}

async function run(job) {
  const opts = { seconds: job.seconds, warmup: job.warmup, now };
  if (job.kind === 'peak') {
    const out = {};
    for (const kind of ['muladd', 'madd']) {
      try {
        const { instance } = await WebAssembly.instantiateStreaming(fetch(`${job.peakUrl}/peak-${kind}.wasm`));
        out[kind] = timePeak(instance, job.seconds, now);
      } catch (e) {
        out[kind] = { error: String(e.message || e).split('\n')[0] };
      }
    }
    return out;
  }
  if (job.kind === 'tfjs') {
    const nm = '/bench/node_modules/@tensorflow';
    // The UMD bundles set globalThis.tf (and tf.wasm) when imported as modules.
    await import(`${nm}/tfjs/dist/tf.min.js`);
    await import(`${nm}/tfjs-backend-wasm/dist/tf-backend-wasm.min.js`);
    const tf = globalThis.tf;
    // More than one thread: the threaded SIMD binary, which needs SharedArrayBuffer (a cross-origin
    // isolated page: bench.mjs serves one for these rows).
    const threads = job.threads ?? 1;
    if (threads > 1 && !self.crossOriginIsolated) throw new Error('TF.js threads need a cross-origin isolated page');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
    tf.wasm.setThreadsCount(threads);
    // Local wasm binaries from node_modules, never a CDN.
    tf.wasm.setWasmPaths(`${nm}/tfjs-backend-wasm/dist/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
    const { runTfjs } = await import('../lib/tfjs_bench.mjs');
    const text = await corpus();
    const r = await runTfjs(tf, job.model, text, opts);
    r.threads = tf.wasm.getThreadsCount();
    r.cross_origin_isolated = self.crossOriginIsolated;
    return r;
  }
  if (job.kind === 'engine') {
    const mod = await import(`${job.pkg}/rnn_playground.js`);
    await mod.default({ module_or_path: `${job.pkg}/rnn_playground_bg.wasm` });
    const { runEngine } = await import('../lib/engine_bench.mjs');
    const text = await corpus();
    return runEngine(mod.WasmTrainer, job.model, text, { ...opts, sample: !!job.sample });
  }
  throw new Error(`unknown job kind ${job.kind}`);
}

self.onmessage = async (e) => {
  let r;
  try {
    r = await run(e.data);
  } catch (err) {
    r = { error: String((err && err.message) || err).split('\n')[0] };
  }
  self.postMessage(r);
};
