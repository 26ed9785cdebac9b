// The training worker's pool: k − 1 more Web Workers (shard-worker.js), each with its own wasm
// instance, so that a step's k shards of the B streams (the engine's src/shard.rs) run on k cores.
// The training worker (worker.js) is the coordinator: it reads every shard's chunk, sends each
// worker its shard's chunk and carried state with the weights, computes shard 0 itself, puts
// the workers' gradients back into their shards in shard order, and takes the step (the sum,
// clipping and the optimizer run once, in the engine). The workers keep nothing of the run, so
// the pool is only ever an accelerator: a shard whose worker is not ready, or has failed, is
// computed by the coordinator, with the same numbers. No SharedArrayBuffer: buffers are
// transferred (the weights go to each worker as a copy, the last one as the original).
//
// The messages (shard.js lists them) are handled one small function each, in REPLIES.

/** What the pool does with each message of a worker (`i` its index). */
const REPLIES = {
  ready(pool, i, m) {
    if (m.engine !== pool.engine) return pool.fail(`a pool worker loaded the ${m.engine} engine, not the ${pool.engine} one`);
    pool.slots[i].engine = m.engine;
    pool.sendModel(i);
  },
  fatal(pool, i, m) {
    pool.fail(m.message);
  },
  loaded(pool, i, m) {
    pool.slots[i].loaded = m.generation;
    pool.report();
  },
  grad(pool, i, m) {
    const job = pool.job;
    if (!job || m.id !== job.id) return; // a step given up on (the pool failed meanwhile)
    job.results[i] = m;
    if (--job.left === 0) {
      pool.job = null;
      job.resolve(job.results);
    }
  },
  error(pool, i, m) {
    pool.fail(`a pool worker could not compute its shard (${m.message})`);
  },
};

export class Pool {
  /**
   * `url`: shard-worker.js; `engine`: the build the coordinator runs (its workers load exactly
   * that one); `spawn(url)`: a module worker (engine.js's moduleWorker); `onState({size, ready,
   * failed})` hears when the pool becomes ready or fails.
   */
  constructor({ url, engine, spawn, onState = () => {} }) {
    Object.assign(this, { url, engine, spawn, onState });
    this.slots = []; // {worker, engine, loaded}
    this.generation = 0; // of the model the workers should hold
    this.model = null; // Uint8Array: the model file
    this.job = null; // the step in flight: {id, left, results, resolve, reject}
    this.seq = 0;
    this.failed = null; // why the pool stopped, once it has
    this.wasReady = false;
  }

  get size() {
    return this.slots.length;
  }

  /** Every worker has loaded the engine and the current model. */
  get ready() {
    return !this.failed && this.slots.length > 0 && this.slots.every((s) => s.loaded === this.generation);
  }

  /** Grows or shrinks the pool to `size` workers. */
  resize(size) {
    if (this.failed) return;
    while (this.slots.length > size) this.slots.pop().worker.terminate();
    while (this.slots.length < size) this.start(this.slots.length);
    this.report();
  }

  start(i) {
    const url = new URL(this.url);
    url.searchParams.set('engine', this.engine);
    let worker;
    try {
      worker = this.spawn(url);
    } catch (e) {
      return this.fail(`a pool worker could not start (${e && e.message ? e.message : e})`);
    }
    const slot = { worker, engine: null, loaded: -1 };
    this.slots[i] = slot;
    worker.onmessage = (ev) => {
      const i = this.slots.indexOf(slot);
      const reply = ev.data && Object.hasOwn(REPLIES, ev.data.type) ? REPLIES[ev.data.type] : null;
      if (i >= 0 && reply) reply(this, i, ev.data);
    };
    worker.onerror = (ev) => {
      if (ev && ev.preventDefault) ev.preventDefault();
      this.fail(`a pool worker stopped (${(ev && ev.message) || 'its script failed to load'})`);
    };
    worker.onmessageerror = () => this.fail('a pool worker sent a message that could not be read');
  }

  /** A new model (a .safetensors file's bytes) for every worker. */
  load(bytes) {
    this.generation += 1;
    this.model = bytes;
    this.slots.forEach((s, i) => s.engine && this.sendModel(i));
    this.report();
  }

  sendModel(i) {
    if (!this.model) return;
    const bytes = this.model.slice().buffer;
    this.slots[i].worker.postMessage({ type: 'model', generation: this.generation, bytes }, [bytes]);
  }

  /**
   * Sends job i (beginStep's i-th: shard i + 1) to worker i with the weights; resolves to the
   * workers' `grad` replies in shard order, or rejects when the pool fails first.
   */
  run(jobs, weights) {
    if (!this.ready) return Promise.reject(new Error('the pool is not ready'));
    if (jobs.length !== this.slots.length) return Promise.reject(new Error(`${jobs.length} shards for ${this.slots.length} workers`));
    return new Promise((resolve, reject) => {
      this.job = { id: ++this.seq, left: jobs.length, results: [], resolve, reject };
      jobs.forEach((j, i) => {
        const w = i === jobs.length - 1 ? weights : weights.slice();
        const msg = { type: 'grad', id: this.job.id, weights: w, inputs: j.inputs, targets: j.targets, h: j.h, c: j.c, scale: j.scale };
        this.slots[i].worker.postMessage(msg, [w.buffer, j.inputs.buffer, j.targets.buffer, j.h.buffer, j.c.buffer]);
      });
    });
  }

  /** Stops every worker for good, saying why; a step in flight is given up (its caller computes it). */
  fail(reason) {
    if (this.failed) return;
    this.failed = reason;
    for (const s of this.slots) s.worker.terminate();
    const job = this.job;
    this.job = null;
    if (job) job.reject(new Error(reason));
    this.report();
  }

  terminate() {
    for (const s of this.slots) s.worker.terminate();
    this.slots = [];
    const job = this.job;
    this.job = null;
    if (job) job.reject(new Error('the pool was stopped'));
  }

  report() {
    const ready = this.ready;
    if (ready === this.wasReady && !this.failed) return;
    this.wasReady = ready;
    this.onState({ size: this.slots.length, ready, failed: this.failed });
  }
}

/**
 * One training step of `trainer` (a WasmTrainer of k shards) on `pool` (null, not ready or
 * failed: every shard here, one after another; the numbers are the same either way). Returns
 * `{stats, ms, pooled}`: the step's measurements (as WasmTrainer.step's) and where its time went,
 * in ms: `out` (reading the chunks, copying the weights out, posting), `compute` (shard 0 here),
 * `wait` (for the slowest worker after that), `reduce` (the workers' gradients in, their sum,
 * clipping, the optimizer, repacking), and the slowest worker's `weights` (taking them in) and
 * `remote` (its shard).
 */
export async function pooledStep(trainer, pool) {
  const t0 = performance.now();
  const jobs = trainer.beginStep();
  const replies = pool && pool.ready && jobs.length ? pool.run(jobs, trainer.weights()) : null;
  const t1 = performance.now();
  trainer.backpropShard(0);
  const t2 = performance.now();
  let results = null;
  if (replies) {
    try {
      results = await replies;
    } catch {
      results = null; // the pool failed: this worker computes the shards (below)
    }
  }
  const t3 = performance.now();
  for (let i = 1; i <= jobs.length; i++) {
    const r = results && results[i - 1];
    if (r) trainer.putShard(i, r.grad, r.lossSum, r.h, r.c, r.dh);
    else trainer.backpropShard(i);
  }
  const stats = trainer.finishStep();
  const t4 = performance.now();
  const slowest = (key) => (results ? Math.max(0, ...results.map((r) => r.ms[key])) : 0);
  return {
    stats,
    pooled: !!results,
    ms: { out: t1 - t0, compute: t2 - t1, wait: t3 - t2, reduce: t4 - t3, weights: slowest('weights'), remote: slowest('compute') },
  };
}
