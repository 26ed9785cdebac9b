// The training worker: it owns the model (a wasm WasmTrainer) and streams small messages to the
// page. Training runs in ~90 ms slices so that control messages (pause, step, settings) are
// handled between slices; the main thread never trains. With k workers (the setting `workers`,
// which the page resolves) it coordinates a pool of k − 1 more (pool.js): each step's k shards
// of the B streams run on k cores, with the numbers of one worker running the k shards itself.
//
// Protocol (page → worker), every message has a `type`:
//   build   {config, corpus}      fresh model; replies `built` or `error` (where: 'build')
//   build   {config, task: {name, seed}}   fresh model on the engine's synthetic task `name` (a
//                                 name from the settings table's `tasks`; `seed` defaults to
//                                 config.seed): its generated ~2 MB training text, validated on
//                                 its own validation text
//   load    {bytes, corpus, workers} | {bytes, task: {name, seed}, workers}   model/checkpoint
//                                 file, continuing on that text or task with `workers` (the page's
//                                 resolved number); replies `built` or `error` (where: 'load')
//   taskText {task: {name, seed}, split?: 'train'|'val', maxChars?}   the start of a task's text
//                                 (20,000 characters unless maxChars): replies `taskText`
//                                 {task, split, maxChars, text} or `error` (where: 'taskText')
//   start {until} / pause         run (until step `until`, when it is ahead) or stop the training
//                                 loop; replies `state` {running, finished: the run reached `until`}
//   step                          one optimizer step; replies `progress` (+ dh, sample, probe, val)
//   view    {sample:{prime, temperature, length, topK, topP}, probeText}   live view settings
//   sample / probe                produce one now
//   save    {kind: 'model'|'checkpoint'}   replies `file` {kind, bytes (transferred), name}
//   snapshot                      replies `snapshot` {step, bytes} (a checkpoint, for autosave)
//   want    {wants: {sigma, flow, trace}}   which of the mathematics' numbers to post periodically
//   gradcheck {perTensor, seed}   replies `gradcheckProgress` {done, of} after each tensor, then
//                                 `gradcheck` {step, result} (finite differences vs backprop);
//                                 training and Step wait meanwhile; a new model or a rollback
//                                 ends it (`gradcheckProgress` {cancelled: true})
//   update  {config}              learning rate, clipping and the other `live` settings, from the
//                                 next step; replies `updated` {step, config} or error (update)
//   rollback {to: 'good'|'best'}   back to the last healthy step or the best validation point;
//                                  replies `restored` {to, step, info}
//   bench   {seconds, warmup}     trains that long (after a warm-up) with nothing else: replies
//                                 `bench` {steps, tokens, chars, seconds, tokensPerSec, charsPerSec, shards, pooled, ms}
// Worker → page: ready {engine} | fatal {message} | built {info, probeText, loaded, task} | state {running}
//   | progress {...} | val {step, loss, bpc} | sample {step, text, tokens, ids, unknownId, prime,
//     primed: 'yours'|'validation'|'training', temperature, unknown} (without a prime of the
//     page's, the engine's samplePrime: real text)
//   | probe {step, tokens, ids, hidden, layers:[{name: Float32Array}]} (buffers transferred)
//   | dh {step, norms: [Float32Array]} | file {...} | error {where, message}
//   | diverged {reason: 'nan'|'jump'|'uniform'|'far', step, loss, reference, goodStep} (training stopped)
//   | memorising {best, bestStep, loss, trainBest, train, rise, riseSe, widening, wideningSe}
//     (the engine's evidence, src/monitor.rs; val carries `best: {loss, bpc, step}` and `plateau`:
//     {best, bestStep, since, loss, train, new, remedies} while the model has stopped improving)
//   | sigma {step, values: [Float32Array(G)]} | flow {step, tokens, layers: [Float32Array(T·T)]}
//   | trace {step, trace, vocab, unknownId}   (the three only while wanted)  | gradcheck {step, result}
//   progress carries `norms`: the pre-clip gradient norm of every step since the last one
//   | pool {size, ready, failed}   the pool's workers (size 0: this worker alone) are ready, or
//                                 have failed (training goes on here, with the same numbers)
// While a step runs on the pool, the page's messages wait until it is done.
// Text crosses as tokens: the engine cuts it (characters or words) and every result carries its
// tokens as strings, so nothing here splits text into positions.

import { loadEngine, wasmUrl } from './load-engine.js';
import { moduleWorker } from './engine.js';
import { Pool, pooledStep } from './pool.js';

let WasmTrainer = null;
let engineBuild = null; // 'relaxed' | 'simd128': the build this worker runs (its pool runs the same)
let taskText = null; // the engine's taskText(name, seed, split, maxChars)

const SLICE_MS = 90; // one trainFor call; the loop yields to the message queue after each
const VAL_TOKENS = 20000; // validation cost stays bounded on large corpora
const PROBE_TOKENS = 240; // the heatmap's default probe: the start of the held-out text
const TASK_TEXT_CHARS = 20000; // of a task's text for the page to show: the model trains on all of it

let trainer = null;
let source = null; // {corpus} or {task: {name, seed}}: what the trainer was built on, to restore snapshots
let snaps = { good: null, best: null }; // {step, bytes}: checkpoints to roll back to
let live = null; // the last config sent with `update`: applied again after a rollback
const wants = { sigma: false, flow: false, trace: false }; // what the page's views show now
let running = false;
let until = 0; // the step to stop at (0: none)
let checking = null; // the gradient check in progress: {perTensor, seed, step, next, result}
let loopGen = 0; // invalidates a pending tick after pause/start
let pool = null; // the other workers of a run on k > 1 shards (pool.js), or null
let busy = false; // a step is running on the pool: the page's messages wait in `waiting`
const waiting = [];

const view = { prime: '', temperature: 0.8, length: 300, topK: 0, topP: 1, probeText: '' };
let run = freshRun();

function freshRun() {
  return {
    trainMs: 0, // wall time spent inside trainFor/step
    smooth: null, // the engine's smoothed loss (src/monitor.rs)
    best: null, // {loss, step}: the best validation point, as the engine's monitor judged it
    lastStats: null,
    posted: {}, // series name → performance.now() of its last post
    postedStep: {}, // series name → the step of its last post
    speedMark: { ms: 0, tokens: 0, chars: 0 },
    speed: null, // {tokens, chars} per second
    recentClipped: [], // last ~50 steps' clipped flags, summarised as a fraction
    norms: [], // pre-clip gradient norms not yet posted
    samples: 0,
    seed: 1,
    valMs: 0, // the last validation check's wall time
    shards: 1, // k: the trainer's shards of the B streams
    ms: null, // where a pooled step's time went, summed since the last progress message
  };
}

const post = (msg, transfer = []) => self.postMessage(msg, transfer);
const message = (e) => (e && e.message ? e.message : String(e));
const stepNow = () => (run.lastStats ? run.lastStats.step : 0);

// Periodic jobs (sample, probe) would repeat the same error every few seconds; report it once
// until the view settings change.
const reported = new Set();
function reportOnce(where, e) {
  const key = `${where}:${message(e)}`;
  if (reported.has(key)) return;
  reported.add(key);
  post({ type: 'error', where, message: message(e) });
}

/** Folds one slice (or step) into the running statistics. */
function account(steps, last, ms, clippedSteps, norms = null) {
  run.trainMs += ms;
  // Every step's pre-clip gradient norm, until the next progress message carries them.
  if (norms) for (const n of norms) run.norms.push(n);
  else if (last) run.norms.push(last.grad_norm);
  if (run.norms.length > 4000) run.norms.splice(0, run.norms.length - 4000);
  if (last) run.smooth = last.smooth;
  run.lastStats = last;
  for (let i = 0; i < steps; i++) run.recentClipped.push(i < clippedSteps ? 1 : 0);
  if (run.recentClipped.length > 50) run.recentClipped.splice(0, run.recentClipped.length - 50);
}

function progressMsg() {
  const s = run.lastStats;
  const dms = run.trainMs - run.speedMark.ms;
  if (dms >= 500 || run.speed === null) {
    const m = run.speedMark;
    if (dms > 0) run.speed = { tokens: ((s.tokens - m.tokens) / dms) * 1000, chars: ((s.chars - m.chars) / dms) * 1000 };
    run.speedMark = { ms: run.trainMs, tokens: s.tokens, chars: s.chars };
  }
  const rc = run.recentClipped;
  return {
    type: 'progress',
    step: s.step,
    loss: s.loss,
    smooth: run.smooth,
    bpc: s.bits_per_char, // the step's loss in bits per character
    smoothBpc: s.smooth_bpc,
    gradNorm: s.grad_norm,
    clipped: s.clipped,
    clippedFraction: rc.length ? rc.reduce((a, b) => a + b, 0) / rc.length : 0,
    lr: s.lr,
    tokens: s.tokens,
    chars: s.chars, // characters of the tokens trained on since this model was built or loaded
    tokensPerSec: run.speed && run.speed.tokens,
    charsPerSec: run.speed && run.speed.chars,
    elapsed: run.trainMs,
    epoch: s.epoch,
    epochProgress: s.epoch_progress,
    norms: run.norms.splice(0), // the pre-clip norms of the steps since the last message
    workers: run.shards,
    pooled: !!(pool && pool.ready),
    ms: takeMs(),
  };
}

/** A pooled step's time, `ms` of pooledStep, added to the sums of the next progress message. */
function addMs(ms) {
  const sum = run.ms ?? (run.ms = { steps: 0 });
  sum.steps += 1;
  for (const [k, v] of Object.entries(ms)) sum[k] = (sum[k] ?? 0) + v;
}

/** The mean time of each part of the pooled steps since the last message, or null. */
function takeMs() {
  const sum = run.ms;
  run.ms = null;
  if (!sum) return null;
  const out = {};
  for (const [k, v] of Object.entries(sum)) if (k !== 'steps') out[k] = v / sum.steps;
  return out;
}

/** The probe text of the mathematics views (the engine reads its first 128 tokens). */
function mathText() {
  return view.probeText || trainer.defaultProbeText(PROBE_TOKENS);
}

/**
 * What the worker streams to the page, one entry per message type: how often (ms, and `steps`
 * for a series due after that many steps too) while training, whether it is posted at all now (`when`; the mathematics' numbers only while a view
 * shows them), and `post()`, which computes and posts one. A failing periodic job is reported
 * once (reportOnce) rather than every few seconds.
 */
const SERIES = {
  progress: { ms: 100, when: () => run.lastStats !== null, post: () => post(progressMsg()) },
  dh: {
    ms: 400,
    when: () => run.lastStats !== null,
    post() {
      const norms = trainer.dhNorms();
      post({ type: 'dh', step: stepNow(), norms }, norms.map((a) => a.buffer));
    },
  },
  val: {
    // Every 3 s, or rarer when a check is slow (a big model): at most a tenth of the time. And at
    // least every 500 steps (the command line's --val-every), so that a small fast model, which
    // takes thousands of steps in 3 s, is judged as often in steps as a slow one (the monitor's
    // rules count checks: a plateau needs three in each half of the run).
    get ms() {
      return Math.max(3000, 10 * run.valMs);
    },
    steps: 500,
    post() {
      // The engine judges the check (src/monitor.rs): a new best, memorising, a plateau, a healthy
      // run. It reads VAL_TOKENS of validation text and as much training text.
      const t0 = performance.now();
      const v = trainer.validate(VAL_TOKENS);
      run.valMs = performance.now() - t0;
      const step = stepNow();
      // A healthy point to come back to, and the best weights so far.
      if (v.improved || (v.healthy && (!snaps.good || step > snaps.good.step))) {
        const snap = snapshot(step);
        if (snap) snaps.good = snap;
        if (v.improved && snap) snaps.best = snap;
      }
      if (v.improved) run.best = { loss: v.loss, bpc: v.bpc, step };
      post({ type: 'val', step, loss: v.loss, bpc: v.bpc, best: run.best, plateau: v.plateau });
      if (v.memorising) post({ type: 'memorising', ...v.memorising });
    },
  },
  sample: {
    ms: 3000,
    post() {
      run.samples += 1;
      const seed = run.seed * 1000003 + run.samples;
      // Without a prime of the user's the sample continues a stretch of real text that the engine
      // picks, so it starts mid-text from a warmed state rather than with junk from zeros.
      const prime = view.prime || trainer.samplePrime(seed);
      const s = trainer.sample(prime, view.length, view.temperature, view.topK, view.topP, seed);
      post({
        type: 'sample', step: stepNow(), text: s.text, tokens: s.tokens, ids: s.ids, unknownId: run.unknownId,
        prime, primed: view.prime ? 'yours' : run.primeSource,
        temperature: view.temperature, topK: view.topK, topP: view.topP, unknown: s.unknown,
      }, [s.ids.buffer]);
    },
  },
  probe: {
    ms: 2000,
    post() {
      const p = trainer.probe(view.probeText || trainer.defaultProbeText(PROBE_TOKENS));
      const layers = p.layers.map((l) => Object.keys(l).map((name) => ({ name, values: l[name] })));
      const transfer = layers.flatMap((l) => l.map((a) => a.values.buffer));
      post({ type: 'probe', step: stepNow(), tokens: p.tokens, ids: p.ids, unknownId: run.unknownId, hidden: p.hidden, layers }, [...transfer, p.ids.buffer]);
    },
  },
  // σ_max of each gate block of each layer's W_hh.
  sigma: {
    ms: 2000,
    when: () => wants.sigma,
    post() {
      const values = trainer.sigmaMax();
      post({ type: 'sigma', step: stepNow(), values }, values.map((a) => a.buffer));
    },
  },
  // ‖∂ℓ_t/∂h_k‖ for the math probe text, one T×T matrix per layer.
  flow: {
    ms: 4000,
    when: () => wants.flow,
    post() {
      const { tokens, layers } = trainer.gradFlow(mathText());
      post({ type: 'flow', step: stepNow(), tokens, layers }, layers.map((a) => a.buffer));
    },
  },
  // Every number of the forward and backward pass over the math probe text (microscope, surprisal).
  trace: {
    ms: 3000,
    when: () => wants.trace,
    post() {
      const t = trainer.trace(mathText());
      const transfer = [t.ids.buffer, t.chars.buffer, t.targets.buffer, t.loss.buffer, t.probs.buffer];
      for (const l of t.layers) for (const v of Object.values(l)) if (v && v.buffer) transfer.push(v.buffer);
      post({ type: 'trace', step: stepNow(), trace: t, vocab: run.vocab, unknownId: run.unknownId }, transfer);
    },
  },
};

/** Posts one of the SERIES now (if it is wanted) and restarts its clock. */
function postSeries(name) {
  const s = SERIES[name];
  run.posted[name] = performance.now();
  run.postedStep[name] = trainer ? stepNow() : 0;
  if (!trainer || (s.when && !s.when())) return;
  try {
    s.post();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      setRunning(false);
      trapped(e);
    } else reportOnce(name, e);
  }
}

/** Everything the page refreshes periodically, each on its own clock. `force` posts all now. */
function periodic(force) {
  const now = performance.now();
  for (const [name, s] of Object.entries(SERIES)) {
    const due = now - (run.posted[name] ?? 0) >= s.ms || (s.steps && stepNow() - (run.postedStep[name] ?? 0) >= s.steps);
    if (force || due) postSeries(name);
  }
}

/** What a fresh or restored model shows at once: its validation loss, probe and the mathematics. */
function postFresh(names = ['val', 'probe']) {
  for (const name of [...names, 'sigma', 'flow', 'trace']) postSeries(name);
}

// A zero-delay yield: setTimeout(0) is clamped to 4 ms when nested; a MessageChannel is not.
const channel = new MessageChannel();
let pendingGen = 0;
channel.port1.onmessage = () => tick(pendingGen);
function schedule() {
  pendingGen = loopGen;
  channel.port2.postMessage(null);
}

function tick(gen) {
  if (!running || !trainer || gen !== loopGen || checking || busy) return;
  if (run.shards > 1) return tickPooled(gen);
  try {
    const s = trainer.trainFor(SLICE_MS, until ? until - stepNow() : 1 << 30);
    if (s.steps > 0) {
      account(s.steps, s.last, s.elapsed_ms, s.clipped_steps, s.norms);
      if (s.last.diverged) return diverge(stopOf(s.last.diverged));
    }
    if (until && stepNow() >= until) return finish();
  } catch (e) {
    // Divergence (or any engine error): stop and tell the page; the model keeps its last weights.
    setRunning(false);
    if (e instanceof WebAssembly.RuntimeError) return trapped(e);
    if (/^training diverged/.test(message(e))) return diverge(nanStop(e));
    post({ type: 'error', where: 'train', message: message(e) });
    if (run.lastStats) periodic(true);
    return;
  }
  periodic(false);
  schedule();
}

/**
 * A slice of training on k shards: pooled steps (pool.js) for ~SLICE_MS, the page's messages
 * waiting meanwhile (a step's shards are in flight), then the periodic series.
 */
async function tickPooled(gen) {
  const start = performance.now();
  busy = true;
  let stop = null;
  try {
    while (running && trainer && gen === loopGen && performance.now() - start < SLICE_MS) {
      const t0 = performance.now();
      const r = await pooledStep(trainer, pool);
      account(1, r.stats, performance.now() - t0, r.stats.clipped ? 1 : 0);
      if (r.pooled) addMs(r.ms);
      if (r.stats.diverged) {
        stop = () => diverge(stopOf(r.stats.diverged));
        break;
      }
      if (until && stepNow() >= until) {
        stop = finish;
        break;
      }
    }
  } catch (e) {
    stop = () => failedStep(e);
  }
  if (stop) stop();
  else if (gen === loopGen && trainer) periodic(false);
  const again = !stop && running && gen === loopGen;
  release();
  if (again && running && gen === loopGen) schedule();
}

/** One step on the pool (the page's Step button), then everything the page refreshes. */
async function stepPooled() {
  busy = true;
  try {
    const t0 = performance.now();
    const r = await pooledStep(trainer, pool);
    account(1, r.stats, performance.now() - t0, r.stats.clipped ? 1 : 0);
    if (r.pooled) addMs(r.ms);
    periodic(true);
    if (r.stats.diverged) diverge(stopOf(r.stats.diverged));
  } catch (e) {
    failedStep(e);
  }
  release();
}

/** One step for `bench`: on the pool with k shards, else as the training loop takes it. */
async function benchStep() {
  const t0 = performance.now();
  const r = run.shards > 1 ? await pooledStep(trainer, pool) : { stats: trainer.step(), pooled: false };
  account(1, r.stats, performance.now() - t0, r.stats.clipped ? 1 : 0);
  if (r.pooled) addMs(r.ms);
  return r;
}

/** A step threw: the wasm module trapped, the loss diverged, or another engine error. */
function failedStep(e) {
  setRunning(false);
  if (e instanceof WebAssembly.RuntimeError) return trapped(e);
  if (/^training diverged/.test(message(e))) return diverge(nanStop(e));
  post({ type: 'error', where: 'train', message: message(e) });
  if (run.lastStats) periodic(true);
}

/** The pooled step is done: the messages that came meanwhile, in order. */
function release() {
  busy = false;
  while (waiting.length && !busy) safeHandle(waiting.shift());
}

/**
 * Starts, resizes or stops the pool for the trainer's k shards (k − 1 more workers), and gives
 * them the model; tells the page.
 */
function syncPool() {
  const k = trainer ? trainer.info().shards : 1;
  run.shards = k;
  if (k <= 1) {
    if (pool) pool.terminate();
    pool = null;
    post({ type: 'pool', size: 0, ready: true, failed: null });
    return;
  }
  if (!pool || pool.failed) {
    if (pool) pool.terminate();
    const url = new URL('./shard-worker.js', import.meta.url);
    pool = new Pool({ url, engine: engineBuild, spawn: moduleWorker, onState: (st) => post({ type: 'pool', ...st }) });
  }
  pool.resize(k - 1);
  pool.load(trainer.saveModel());
}

/** A divergence rule of the engine's monitor fired (reference: the recent average or log V). */
function stopOf(d) {
  return { reason: d.reason, step: d.step, loss: d.loss, reference: Number.isFinite(d.reference) ? d.reference : null };
}

/** The engine refused a step whose loss or gradient was not finite. */
function nanStop(e) {
  return { reason: 'nan', step: stepNow() + 1, loss: NaN, reference: null, detail: message(e) };
}

/** A new model or a rollback ends a gradient check in progress: its chunk and weights are gone. */
function cancelCheck() {
  if (checking) post({ type: 'gradcheckProgress', cancelled: true });
  checking = null;
}

/**
 * One tensor of the gradient check in progress, then the next in a later task, so that the page
 * hears progress and other messages (pause, a new model) get through between tensors. Training
 * and Step wait until the check is done: every tensor is checked on the same chunk and weights.
 */
function checkNext(job) {
  if (job !== checking || !trainer) return;
  try {
    const r = trainer.gradCheck(job.perTensor, job.seed + job.next, job.next);
    if (job.result) job.result.tensors.push(...r.tensors);
    else job.result = r;
    job.next += 1;
    if (job.next < r.total) {
      post({ type: 'gradcheckProgress', done: job.next, of: r.total });
      setTimeout(() => checkNext(job), 0);
      return;
    }
    post({ type: 'gradcheck', step: job.step, result: job.result });
  } catch (e) {
    post({ type: 'error', where: 'gradcheck', message: message(e) });
  }
  checking = null;
  if (running) schedule();
}

function setRunning(on, finished = false) {
  running = on;
  loopGen += 1;
  post({ type: 'state', running, finished });
  if (on) schedule();
}

/** The run reached the step it was started for: everything at that step, then a stop. */
function finish() {
  until = 0;
  periodic(true);
  setRunning(false, true);
}

function replace(t, from) {
  reported.clear();
  cancelCheck();
  setRunning(false);
  if (trainer) trainer.free();
  trainer = t;
  source = from;
  live = null;
  run = freshRun();
  const info = trainer.info();
  run.seed = Number(info.config.seed) || 1;
  run.vocab = info.vocab;
  run.primeSource = info.report.val_tokens >= 2 ? 'validation' : 'training';
  run.unknownId = info.unknown_id;
  snaps = { good: snapshot(info.step), best: null };
  syncPool();
  return info;
}

/** The trainer as a checkpoint at `step` (it resumes exactly on the same text). */
function snapshot(step) {
  try {
    return { step, bytes: trainer.saveCheckpoint() };
  } catch {
    return null;
  }
}

/** Stops training and says why; the weights of the last healthy step are kept for a rollback. */
function diverge(d) {
  setRunning(false);
  if (run.lastStats) post(progressMsg());
  post({ type: 'diverged', ...d, goodStep: snaps.good ? snaps.good.step : null });
}

/** What a build or load message trains on: {task: {name, seed}} (seed: the message's, else the config's, else 1) or {corpus}. */
function sourceOf(msg) {
  if (!msg.task) return { corpus: msg.corpus };
  const seed = [msg.task.seed, msg.config?.seed, 1].map(Number).find((x) => Number.isFinite(x) && x >= 0);
  return { task: { name: String(msg.task.name), seed } };
}

/** A trainer from a model or checkpoint file, on `src` (sourceOf). */
function fromFile(bytes, src) {
  return src.task ? WasmTrainer.fromFileForTask(bytes, src.task.name, src.task.seed) : WasmTrainer.fromFile(bytes, src.corpus);
}

/** Runs `make()` for a new trainer; an engine error becomes an `error` message (where) and null. */
function attempt(where, make) {
  try {
    return make();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    post({ type: 'error', where, message: message(e) });
    return null;
  }
}

/** The page's messages, one handler each (the protocol is listed at the top of this file). */
const HANDLERS = {
  build(msg) {
    const src = sourceOf(msg);
    const config = JSON.stringify(msg.config);
    const t = attempt('build', () => (src.task ? WasmTrainer.forTask(config, src.task.name, src.task.seed) : new WasmTrainer(config, msg.corpus)));
    if (!t) return;
    const info = replace(t, src);
    post({ type: 'built', info, probeText: trainer.defaultProbeText(PROBE_TOKENS), loaded: false, task: src.task ?? null });
    postFresh(); // step 0: validation loss of the untrained model, close to log V
  },

  load(msg) {
    const src = sourceOf(msg);
    const t = attempt('load', () => fromFile(new Uint8Array(msg.bytes), src));
    if (!t) return;
    // The page's number of workers, not the file's (a checkpoint from a 64-core machine).
    if (msg.workers > 0) t.setWorkers(msg.workers);
    // The text the file was trained on, when it carries it and it is not the current one.
    let carried = null;
    if (src.corpus !== undefined) {
      const c = WasmTrainer.fileCorpus(new Uint8Array(msg.bytes));
      if (typeof c === 'string' && c !== src.corpus) carried = c;
    }
    const info = replace(t, src);
    post({ type: 'built', info, probeText: trainer.defaultProbeText(PROBE_TOKENS), loaded: true, name: msg.name, task: src.task ?? null, carried });
    postFresh(['val', 'sample', 'probe']);
  },

  // `until`: stop at that step (the page's `steps` setting), unless the run is already there.
  start(msg) {
    if (!trainer || running) return;
    until = msg.until > stepNow() ? msg.until : 0;
    setRunning(true);
  },

  pause() {
    if (!running) return;
    setRunning(false);
    // The last progress message may be up to 100 ms old: show where training really stopped.
    if (run.lastStats) post(progressMsg());
  },

  step() {
    if (!trainer || running || checking) return;
    if (run.shards > 1) return stepPooled();
    try {
      const t0 = performance.now();
      const s = trainer.step();
      account(1, s, performance.now() - t0, s.clipped ? 1 : 0);
      if (s.diverged) {
        periodic(true);
        return diverge(stopOf(s.diverged));
      }
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      if (/^training diverged/.test(message(e))) return diverge(nanStop(e));
      post({ type: 'error', where: 'train', message: message(e) });
      return;
    }
    periodic(true);
  },

  // Training speed alone, for bench/: no periodic series, the loop's own clock.
  async bench(msg) {
    if (!trainer || running) return;
    busy = true;
    const out = { type: 'bench', steps: 0, chars: 0, seconds: 0, shards: run.shards, pooled: false, ms: null };
    try {
      // The pool's workers load the engine and the model first (else their shards run here).
      for (let waited = 0; pool && !pool.ready && !pool.failed && waited < 30000; waited += 50) {
        await new Promise((ok) => setTimeout(ok, 50));
      }
      const warmupEnd = performance.now() + 1000 * (msg.warmup ?? 1);
      const first = await benchStep();
      while (performance.now() < warmupEnd) await benchStep();
      run.ms = null;
      const t0 = performance.now();
      const [k0, c0] = [run.lastStats.tokens, run.lastStats.chars];
      while (out.steps < 3 || performance.now() - t0 < 1000 * msg.seconds) {
        const r = await benchStep();
        out.steps += 1;
        out.pooled = r.pooled;
      }
      out.seconds = (performance.now() - t0) / 1000;
      out.tokens = run.lastStats.tokens - k0;
      out.chars = run.lastStats.chars - c0;
      out.tokensPerSec = out.tokens / out.seconds;
      out.charsPerSec = out.chars / out.seconds;
      out.loss = run.lastStats.loss;
      out.first = first.stats.loss;
      out.ms = takeMs();
      post(out);
    } catch (e) {
      post({ type: 'error', where: 'bench', message: message(e) });
    }
    release();
  },

  // Which of the mathematics' numbers the page's views show; the new ones come at once.
  want(msg) {
    const fresh = Object.keys(wants).filter((k) => msg.wants[k] && !wants[k]);
    for (const k of Object.keys(wants)) wants[k] = !!msg.wants[k];
    if (trainer) for (const k of fresh) postSeries(k);
  },

  gradcheck(msg) {
    if (!trainer) return;
    checking = { perTensor: msg.perTensor ?? 20, seed: msg.seed ?? 1, step: stepNow(), next: 0, result: null };
    checkNext(checking);
  },

  // Settings that may change during a run (learning rate, clipping, …), from the next step.
  update(msg) {
    if (!trainer) return;
    try {
      trainer.updateLive(JSON.stringify(msg.config));
      live = msg.config;
      if (trainer.info().shards !== run.shards) syncPool();
      post({ type: 'updated', step: stepNow(), config: msg.config });
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      post({ type: 'error', where: 'update', message: message(e) });
    }
  },

  // A checkpoint for the page's autosave (not a download).
  snapshot() {
    if (!trainer) return;
    try {
      const bytes = trainer.saveCheckpoint();
      post({ type: 'snapshot', step: stepNow(), bytes }, [bytes.buffer]);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      post({ type: 'snapshot', step: 0, bytes: null, error: message(e) });
    }
  },

  rollback(msg) {
    const snap = snaps[msg.to];
    if (!snap || !source) {
      post({ type: 'error', where: 'rollback', message: 'there is no saved point to go back to' });
      return;
    }
    cancelCheck();
    const t = attempt('rollback', () => fromFile(snap.bytes, source));
    if (!t) return;
    setRunning(false);
    t.adoptMonitor(trainer);
    trainer.free();
    trainer = t;
    // The snapshot holds the settings of its time; the ones changed since (a lower learning
    // rate after a divergence, clipping turned on) apply from here on.
    if (live) {
      try {
        trainer.updateLive(JSON.stringify(live));
      } catch {
        // A config the model no longer matches: keep the snapshot's.
      }
    }
    syncPool();
    // The run goes on from the snapshot: its clock stays, its step is the snapshot's, and the
    // smoothed loss starts again (the losses after the snapshot are gone).
    run.smooth = null;
    const info = trainer.info();
    // The restored trainer counts its characters from 0: the speed restarts from here.
    const tokens = snap.step * info.config.seq_len * info.report.streams;
    if (run.lastStats) run.lastStats = { ...run.lastStats, step: snap.step, tokens, chars: 0 };
    run.speedMark = { ms: run.trainMs, tokens, chars: 0 };
    post({ type: 'restored', to: msg.to, step: snap.step, info });
    postFresh();
  },

  // The start of a task's text, for the page to show (it must not put megabytes in the DOM).
  taskText(msg) {
    const split = msg.split === 'val' ? 'val' : 'train';
    const maxChars = Number.isFinite(msg.maxChars) ? msg.maxChars : TASK_TEXT_CHARS;
    try {
      const { task } = sourceOf({ task: {}, ...msg });
      post({ type: 'taskText', task, split, maxChars, text: taskText(task.name, task.seed, split, maxChars) });
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      post({ type: 'error', where: 'taskText', message: message(e) });
    }
  },

  view(msg) {
    reported.clear();
    Object.assign(view, msg.sample ?? {});
    if (typeof msg.probeText === 'string') view.probeText = msg.probeText;
  },

  sample() {
    if (trainer) postSeries('sample');
  },

  probe() {
    if (trainer) postSeries('probe');
  },

  save(msg) {
    if (!trainer) return;
    try {
      const bytes = msg.kind === 'checkpoint' ? trainer.saveCheckpoint(!!msg.withCorpus) : trainer.saveModel();
      post({ type: 'file', kind: msg.kind, bytes }, [bytes.buffer]);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw e;
      post({ type: 'error', where: 'save', message: message(e) });
    }
  },
};

function handle(msg) {
  const h = Object.hasOwn(HANDLERS, msg.type) ? HANDLERS[msg.type] : null;
  if (h) return h(msg);
  post({ type: 'error', where: 'worker', message: `unknown message type ${msg.type}` });
  return null;
}

// Messages that arrive while the wasm module is still loading wait here.
const queue = [];
let ready = false;
self.onmessage = (ev) => {
  if (!ready) queue.push(ev.data);
  else if (busy) waiting.push(ev.data);
  else safeHandle(ev.data);
};

function safeHandle(msg) {
  try {
    const r = handle(msg);
    // An async handler (a pooled step, bench) reports its own errors; a trap still restarts.
    if (r && r.catch) r.catch((e) => failedStep(e));
  } catch (e) {
    // A bug or a wasm trap: report it rather than leaving the page waiting.
    setRunning(false);
    if (e instanceof WebAssembly.RuntimeError) trapped(e);
    else post({ type: 'error', where: 'worker', message: `internal error: ${message(e)}` });
  }
}

/** A wasm trap (an engine panic) may leave the module inconsistent: drop the model. */
function trapped(e) {
  trainer = null; // not freed: its memory may be in an inconsistent state
  post({ type: 'error', where: 'trap', message: `the engine crashed (${message(e)}); press Reset to start again` });
}

// import.meta.url, not self.location: a worker started from a blob: URL (playground served from
// another origin) imports this module with the query intact. `?engine=simd128` forces the baseline.
loadEngine(new URL(import.meta.url).searchParams.get('engine'))
  .then(({ mod, engine }) => {
    WasmTrainer = mod.WasmTrainer;
    engineBuild = engine;
    taskText = mod.taskText;
    ready = true;
    post({ type: 'ready', engine });
    for (const m of queue.splice(0)) safeHandle(m);
  })
  .catch((e) => {
    // Name what was tried, so a folder hosted without its engine can be mended.
    post({ type: 'fatal', message: `The WebAssembly engine failed to load from ${wasmUrl()} (${message(e)})` });
  });
