// The training worker's pool (www/pool.js, www/shard.js) in Node, with in-process workers whose
// messages are structured clones with their buffers transferred, as between Web Workers: a run on
// k shards gives, step for step, one worker's numbers for the same k (WasmTrainer.step runs the k
// shards itself), bit for bit, and so does a pool that fails midway, or never gets ready; a
// worker that loads another engine build is refused. Needs scripts/build (www/pkg).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool, pooledStep } from '../www/pool.js';
import { shardHandlers, dispatch } from '../www/shard.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const engine = await import(pathToFileURL(path.join(root, 'www/pkg/rnn_playground.js')).href);
engine.initSync({ module: fs.readFileSync(path.join(root, 'www/pkg/rnn_playground_bg.wasm')) });
const { WasmTrainer, WasmShard } = engine;

const TEXT = fs.readFileSync(path.join(root, 'README.md'), 'utf8').slice(0, 40000);
const config = (workers) => JSON.stringify({ cell: 'lstm', hidden: 32, embed: 8, seq_len: 16, batch: 7, lr: 0.01, workers });

/** A message as it crosses to another worker: a structured clone, its transfer list detached. */
const cross = (msg, transfer = []) => structuredClone(msg, { transfer });

/**
 * An in-process pool worker: shard.js's handlers on this thread, messages delivered a task later.
 * `behave`: {build: the build it claims, failOn: the n-th grad message it answers with an error,
 * silent: it never answers}.
 */
function fakeWorker(behave = {}) {
  const w = { onmessage: null, onerror: null, onmessageerror: null, terminated: false, grads: 0 };
  const toPool = (msg, transfer) => {
    const data = cross(msg, transfer);
    setTimeout(() => !w.terminated && w.onmessage && w.onmessage({ data }), 0);
  };
  const handlers = shardHandlers(WasmShard, toPool);
  w.postMessage = (msg, transfer) => {
    const data = cross(msg, transfer);
    setTimeout(() => {
      if (w.terminated || behave.silent) return;
      if (data.type === 'grad' && ++w.grads === behave.failOn) return toPool({ type: 'error', id: data.id, message: 'out of memory' });
      dispatch(handlers, data, toPool);
    }, 0);
  };
  w.terminate = () => (w.terminated = true);
  if (!behave.silent) toPool({ type: 'ready', engine: behave.build ?? 'simd128' });
  return w;
}

function makePool(size, behave = () => ({})) {
  const states = [];
  let n = 0;
  const pool = new Pool({ url: 'https://example.org/www/shard-worker.js', engine: 'simd128', spawn: () => fakeWorker(behave(n++)), onState: (s) => states.push(s) });
  pool.resize(size);
  return { pool, states };
}

async function until(cond, what) {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((ok) => setTimeout(ok, 5));
  assert.ok(cond(), what);
}

/** `steps` steps of one worker running the k shards itself: the losses (as bits) and the weights. */
function alone(k, steps) {
  const t = new WasmTrainer(config(k), TEXT);
  const losses = [];
  for (let i = 0; i < steps; i++) losses.push(t.step().loss);
  const weights = t.weights();
  t.free();
  return { losses, weights };
}

async function pooled(k, steps, behave, { wait = true } = {}) {
  const t = new WasmTrainer(config(k), TEXT);
  assert.equal(t.info().shards, k);
  const { pool, states } = makePool(k - 1, behave);
  pool.load(t.saveModel());
  const losses = [];
  const used = [];
  for (let i = 0; i < steps; i++) {
    if (i === 0 && wait) await until(() => pool.ready, 'the pool gets ready');
    const r = await pooledStep(t, pool);
    losses.push(r.stats.loss);
    used.push(r.pooled);
    assert.ok(['out', 'compute', 'wait', 'reduce', 'weights', 'remote'].every((key) => Number.isFinite(r.ms[key])));
  }
  const weights = t.weights();
  t.free();
  pool.terminate();
  return { losses, weights, used, states, pool };
}

test('k shards on a pool give one worker\'s numbers for k, bit for bit', async () => {
  for (const k of [2, 3]) {
    const want = alone(k, 6);
    const got = await pooled(k, 6);
    assert.deepEqual(got.used, Array(6).fill(true), `k ${k}: every step on the pool`);
    assert.deepEqual(got.losses, want.losses, `k ${k}: losses`);
    assert.deepEqual(got.weights, want.weights, `k ${k}: weights`);
    assert.deepEqual(got.states.at(-1), { size: k - 1, ready: true, failed: null });
  }
  // …and another k differs only in the last bits.
  const one = alone(1, 6);
  const two = alone(2, 6);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(one.losses[i] - two.losses[i]) <= 1e-5 * one.losses[i], `step ${i}`);
});

test('a pool that fails midway or never gets ready leaves the numbers as they are', async () => {
  const want = alone(3, 6);
  // The second worker runs out of memory on its third shard: the rest runs in the coordinator.
  const failing = await pooled(3, 6, (i) => (i === 1 ? { failOn: 3 } : {}));
  assert.deepEqual(failing.used.slice(0, 2), [true, true]);
  assert.deepEqual(failing.used.slice(2), [false, false, false, false]);
  assert.deepEqual(failing.losses, want.losses);
  assert.deepEqual(failing.weights, want.weights);
  assert.match(failing.pool.failed, /could not compute its shard \(out of memory\)/);
  assert.equal(failing.states.at(-1).failed, failing.pool.failed);
  // Workers that never answer: every step here.
  const silent = await pooled(3, 3, () => ({ silent: true }), { wait: false });
  assert.deepEqual(silent.used, [false, false, false]);
  assert.deepEqual(silent.losses, want.losses.slice(0, 3));
});

test('a worker that loads another engine build is refused', async () => {
  const { pool, states } = makePool(2, (i) => (i === 1 ? { build: 'relaxed' } : {}));
  await until(() => pool.failed, 'the pool fails');
  assert.match(pool.failed, /loaded the relaxed engine, not the simd128 one/);
  assert.equal(pool.ready, false);
  assert.equal(states.at(-1).failed, pool.failed);
});

test('a pool worker answers what it cannot do with an error, and keeps going', async () => {
  const posted = [];
  const handlers = shardHandlers(WasmShard, (m) => posted.push(m));
  dispatch(handlers, { type: 'grad', id: 1 }, (m) => posted.push(m));
  dispatch(handlers, { type: 'nonsense', id: 2 }, (m) => posted.push(m));
  const t = new WasmTrainer(config(2), TEXT);
  dispatch(handlers, { type: 'model', generation: 1, bytes: t.saveModel().buffer }, (m) => posted.push(m));
  const [job] = t.beginStep();
  dispatch(handlers, { type: 'grad', id: 3, weights: t.weights(), ...job, inputs: job.inputs.map(() => 99999) }, (m) => posted.push(m));
  dispatch(handlers, { type: 'grad', id: 4, weights: t.weights(), ...job }, (m) => posted.push(m));
  assert.deepEqual(posted.map((m) => [m.type, m.id ?? m.generation]), [['error', 1], ['error', 2], ['loaded', 1], ['error', 3], ['grad', 4]]);
  assert.match(posted[0].message, /no model yet/);
  assert.match(posted[3].message, /the chunk does not fit this model/);
  t.free();
});
