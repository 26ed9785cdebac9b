// One measurement in Node, in its own process (so runs never share a heap or a JIT):
//   node bench/lib/node_job.mjs '<job json>'
// job = {kind: "peak"|"tfjs"|"engine", model?, seconds, warmup, corpus?, pkg?, peakWasm?, sample?}
// Prints one JSON line: the result, or {"error": "..."}.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { timePeak } from './peak.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const now = () => performance.now();

async function main() {
  const job = JSON.parse(process.argv[2]);
  const opts = { seconds: job.seconds, warmup: job.warmup, now };
  if (job.kind === 'peak') {
    const out = {};
    for (const kind of ['muladd', 'madd']) {
      try {
        const bytes = fs.readFileSync(path.join(job.peakDir, `peak-${kind}.wasm`));
        const { instance } = await WebAssembly.instantiate(bytes);
        out[kind] = timePeak(instance, job.seconds, now);
      } catch (e) {
        out[kind] = { error: String(e.message || e).split('\n')[0] };
      }
    }
    return out;
  }
  const text = fs.readFileSync(job.corpus, 'utf8');
  if (job.kind === 'tfjs') {
    // Silence tfjs' "install tfjs-node" banner (it goes to console.log and would corrupt stdout).
    const log = console.log;
    console.log = (...a) => process.stderr.write(a.join(' ') + '\n');
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    wasm.setThreadsCount(1);
    wasm.setWasmPaths(path.join(benchDir, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
    const { runTfjs } = await import('./tfjs_bench.mjs');
    const r = await runTfjs(tf, job.model, text, opts);
    r.threads = wasm.getThreadsCount();
    console.log = log;
    return r;
  }
  if (job.kind === 'engine') {
    const mod = await import(pathToFileURL(path.join(job.pkg, 'rnn_playground.js')).href);
    mod.initSync({ module: fs.readFileSync(path.join(job.pkg, 'rnn_playground_bg.wasm')) });
    const { runEngine } = await import('./engine_bench.mjs');
    return runEngine(mod.WasmTrainer, job.model, text, { ...opts, sample: !!job.sample });
  }
  throw new Error(`unknown job kind ${job.kind}`);
}

main().then(
  (r) => { process.stdout.write(JSON.stringify(r) + '\n'); },
  (e) => { process.stdout.write(JSON.stringify({ error: String((e && e.message) || e).split('\n')[0] }) + '\n'); process.exitCode = 1; },
);
