// One playground: a settings store, the training worker, and the run the worker streams back.
// The page, embed.html and <rnn-playground> each make one (or several) and mount views on it;
// views read the settings store and the run's store (`run`, run.js: published here after every
// change) and listen to the events here; they never read this object's fields or each other's DOM.
//
// Events (`on(type, fn)`): status (buttons and badges should re-render), built {info, probeText,
// loaded, name}, progress, val, sample, probe, dh (the worker's messages, see worker.js), file
// {kind, bytes}, alert {message, kind, actions} | null, chart (the loss series changed),
// restored {to, step} (a rollback).

import { startWorker, hasSimd } from './engine.js';
import { ENGINE_KEYS, SAMPLE_KEYS, LIVE_KEYS } from './settings.js';
import { presetById } from './presets.js';
import { RunStore } from './run.js';

/**
 * The loss chart's series: steps, and at each the smoothed training loss and the validation loss
 * (nats per token, null where there is none) with their bits per character.
 */
const SERIES = ['steps', 'train', 'val', 'trainBpc', 'valBpc'];
const emptySeries = () => Object.fromEntries(SERIES.map((k) => [k, []]));

/**
 * The page's "auto" number of workers: the cores the browser reports, less one for the page
 * itself (its main thread draws the charts while training runs), at least 1 and at most 8 (past
 * that the shards of a 32-stream batch get too small to pay for their messages).
 */
export function pageWorkers(cores = globalThis.navigator?.hardwareConcurrency) {
  return Math.max(1, Math.min(8, (Number(cores) || 2) - 1));
}

/** Chart points kept before thinning (old points are halved, validation points kept). */
const MAX_POINTS = 6000;
/** Earlier runs kept on the loss chart for comparison. */
const MAX_RUNS = 5;
/** What may take a model that has stopped improving further (the engine's `remedies`), in words. */
const REMEDY = {
  gated: () => 'an LSTM or a GRU, whose gates carry information (and gradient) across many steps',
  longer_t: (c) => `a longer sequence length T (now ${c.seq_len}), so that the gradient reaches further back`,
  bigger: (c) => `a bigger hidden size (now ${c.hidden}) or more layers`,
  lower_lr: (c) => `a lower or decaying learning rate (now ${c.lr}, constant), so that the weights settle lower`,
};
const int = (x) => Number(x).toLocaleString('en-US');

export class Playground {
  /**
   * `store`: the settings (state.js). `engine`: null or 'simd128' (forces the baseline build).
   * `mode`: 'page' | 'embed' | 'element': what workers = 0 (auto) means: pageWorkers() on the
   * page, one in an embed (a tutorial with seven playgrounds must not start seven pools).
   */
  constructor({ store, engine = null, mode = 'embed' }) {
    this.store = store;
    this.engineChoice = engine;
    this.autoWorkers = mode === 'page' ? pageWorkers() : 1;
    this.listeners = new Map();
    this.alerts = new Map(); // key → {key, message, kind, actions}
    this.run = new RunStore(); // what the views read (published by publish())
    this.wants = {}; // 'sigma' | 'flow' | 'trace' → number of views showing it
    this.worker = null;
    this.s = {
      booted: false,
      workerReady: false,
      engineFailed: false,
      engine: null, // 'relaxed' | 'simd128'
      model: false,
      running: false,
      building: false,
      afterBuild: null, // 'start' | 'step'
      pendingKey: null,
      builtKey: null,
      info: null,
      step: 0,
      smooth: null,
      lastVal: null,
      autoPaused: false, // paused because the embed left the screen or the tab was hidden
      diverged: null, // the worker's `diverged` report while training is stopped for it
      best: null, // {loss, step}: the best validation loss so far
      held: new Set(), // reasons training is held back (out of view, tab hidden)
      pool: null, // the worker's `pool` report: {size, ready, failed}
    };
    this.series = emptySeries();
    this.runs = []; // earlier runs' curves: [{label, tokens, steps, train, val, trainBpc, valBpc}]
    this.runConfig = null; // the settings of the current run
    this.pendingCurves = null; // curves of a saved run being resumed
    this.last = {}; // the newest message of each kind, for views mounted mid-run
    this.invalid = new Map(); // setting name → problem, from the form
    this.probeText = '';
    this.viewTimer = 0;
    this.unsubscribe = store.subscribe((c) => this.onStore(c));
    if (store.get('preset') !== 'custom' && !store.text) this.usePreset(store.get('preset'));
    this.publish();
  }

  // ---- events ----

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type).delete(fn);
  }

  emit(type, data) {
    if (type !== 'status' && type !== 'alert' && type !== 'chart') {
      this.last[type] = data;
      this.run.message(type, data);
    }
    this.publish(type);
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(data);
  }

  /** Publishes the run's state to the views' store (run.js); `type`: the event about to go out. */
  publish(type) {
    const s = this.s;
    const touched = type === 'chart' ? ['series', 'runs'] : type === 'alert' ? ['alerts'] : [];
    this.run.publish({
      info: s.info, model: s.model, step: s.step, running: s.running, building: s.building, engine: s.engine, engineFailed: s.engineFailed,
      best: s.best, smooth: s.smooth, pool: s.pool ?? null, series: this.series, runs: this.runs, runNumber: this.runNumber ?? 0,
      status: this.status(), alerts: this.alertList ?? [],
    }, touched);
  }

  /**
   * Shows a message; `actions`: [{label, run}] buttons offered with it. Messages with different
   * `key`s stand together (a link's note and the offer of a saved run); a new message replaces
   * the one with its key, and a null message removes it.
   */
  alert(message, kind = 'error', actions = [], key = 'main') {
    if (message) this.alerts.set(key, { key, message, kind, actions });
    else this.alerts.delete(key);
    this.alertList = [...this.alerts.values()];
    this.emit('alert', this.alertList);
  }

  // ---- the worker ----

  /** Starts the engine (once). Returns false when this browser cannot run it. */
  boot() {
    if (this.s.booted) return !this.s.engineFailed;
    this.s.booted = true;
    if (typeof Worker !== 'function' || !hasSimd()) {
      this.fail('This browser lacks WebAssembly SIMD (or Web Workers), which the training engine needs. Please use a current Chrome, Edge or Firefox, or Safari 16.4 or later.');
      return false;
    }
    this.createWorker();
    return true;
  }

  fail(message) {
    this.s.engineFailed = true;
    this.s.running = false;
    this.s.workerReady = false;
    this.alert(message);
    this.emit('status');
  }

  createWorker() {
    Object.assign(this.s, { workerReady: false, engineFailed: false, model: false, running: false, building: false });
    try {
      this.worker = startWorker({
        engine: this.engineChoice,
        onMessage: (m) => this.onWorker(m),
        onFailure: (detail) => this.fail(`the training engine stopped: ${detail}. Reload the page to try again.`),
      });
    } catch (e) {
      this.fail(`the training worker could not start (${e.message || e}); this page needs a browser with module Web Workers.`);
      return;
    }
    this.emit('status');
  }

  send(msg, transfer) {
    if (!this.worker) this.boot();
    if (this.worker) this.worker.send(msg, transfer);
  }

  destroy() {
    this.unsubscribe();
    clearTimeout(this.viewTimer);
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.listeners.clear();
  }

  onWorker(m) {
    switch (m.type) {
      case 'ready':
        this.s.workerReady = true;
        this.s.engine = m.engine;
        this.sendView();
        this.sendWants();
        this.emit('status');
        return;
      case 'fatal':
        return this.fail(m.message);
      case 'built':
        return this.onBuilt(m);
      case 'state':
        this.s.running = m.running;
        this.s.finished = !!m.finished;
        this.emit('status');
        return;
      case 'progress':
        return this.onProgress(m);
      case 'val':
        return this.onVal(m);
      case 'sample':
      case 'probe':
      case 'dh':
        return this.emit(m.type, m);
      case 'file':
        return this.emit('file', m);
      case 'error':
        return this.onError(m);
      case 'snapshot':
      case 'taskText':
      case 'sigma':
      case 'flow':
      case 'trace':
      case 'gradcheck':
      case 'gradcheckProgress':
        return this.emit(m.type, m);
      case 'updated':
        return this.onUpdated(m);
      case 'pool':
        return this.onPool(m);
      case 'diverged':
        this.onDiverged(m);
        return this.emit('diverged', m);
      case 'memorising':
        return this.onMemorising(m);
      case 'restored':
        return this.onRestored(m);
      default:
    }
  }

  onError(m) {
    this.emit('error', m);
    if (m.where === 'build' || m.where === 'load') {
      this.s.building = false;
      this.s.afterBuild = null;
      // A saved run's curves wait for its model; without the model they must not join the next one.
      this.pendingCurves = null;
      // A saved run being resumed is reported by saving.js, which offers to forget it.
      if (!(m.where === 'load' && this.loadingSaved)) this.alert((m.where === 'load' ? 'the file could not be loaded — ' : 'the model could not be built — ') + m.message);
      this.loadingSaved = false;
      // Point at the offending setting when the engine names one ("config: hidden = 0 is …").
      const key = /^config: ([a-z_0-9]+) = /.exec(m.message);
      if (key && ENGINE_KEYS.includes(key[1])) this.emit('invalid', { name: key[1], problem: m.message });
    } else if (m.where === 'trap') {
      this.alert(m.message);
      this.worker.terminate();
      this.createWorker(); // a fresh wasm instance; the user presses Reset or Start
      return;
    } else {
      this.alert(m.message);
    }
    this.emit('status');
  }

  // ---- settings and text ----

  onStore({ keys, text, source }) {
    if (keys.has('preset') && this.store.get('preset') !== 'custom') this.usePreset(this.store.get('preset'));
    // Choosing a preset in the menu also takes its settings (the words preset: tokens = words).
    const preset = presetById(this.store.get('preset'));
    if (keys.has('preset') && source === 'form' && preset?.settings) this.store.set(preset.settings, 'preset');
    if (SAMPLE_KEYS.some((k) => keys.has(k))) this.sendViewSoon();
    if (this.s.model && LIVE_KEYS.some((k) => keys.has(k))) this.sendLiveSoon();
    if (text || ENGINE_KEYS.some((k) => keys.has(k))) this.emit('status');
  }

  /** The number of workers `value` (the setting) means here: itself, or for 0 (auto) this context's. */
  workersFor(value) {
    return value > 0 ? value : this.autoWorkers;
  }

  /**
   * The engine config the worker builds from: the settings, with the number of workers resolved,
   * except that a synthetic task trains on characters whatever `tokens` says (its rules count
   * characters; the engine refuses words).
   */
  engineConfig() {
    const c = this.store.config(ENGINE_KEYS);
    c.workers = this.workersFor(c.workers);
    if (this.task()) c.tokens = 'characters';
    return c;
  }

  /** The learning rate, clipping and the other `live` settings go to the running model. */
  sendLiveSoon() {
    clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(() => {
      if (this.s.model && this.invalid.size === 0 && this.isDirty() === false) {
        this.send({ type: 'update', config: this.engineConfig() });
      }
    }, 300);
  }

  /** Sends the form's `live` settings when they differ from the model's (after a build or a load). */
  syncLive() {
    const c = this.engineConfig();
    if (LIVE_KEYS.some((k) => c[k] !== this.liveConfig[k])) this.sendLiveSoon();
  }

  /**
   * The pool of workers is ready, or has stopped: a run goes on in one worker then, with the same
   * numbers (its shards are computed there), and the page says so.
   */
  onPool(m) {
    this.s.pool = m;
    // The model line names the workers a run uses; a changed `workers` re-cut its shards.
    if (this.s.info && !m.failed) this.s.info = { ...this.s.info, shards: m.size + 1 };
    if (m.failed) this.alert(`the extra workers stopped (${m.failed}); training goes on in one worker, with the same numbers, more slowly.`, 'info', [], 'pool');
    else this.alert(null, 'info', [], 'pool');
    this.emit('pool', m);
    this.emit('status');
  }

  /** The `live` settings changed at `step`: a mark on the loss chart says what changed. */
  onUpdated(m) {
    const before = this.liveConfig ?? {};
    const changes = LIVE_KEYS.filter((k) => before[k] !== undefined && before[k] !== m.config[k]).map((k) => `${k} ${before[k]} → ${m.config[k]}`);
    this.liveConfig = Object.fromEntries(LIVE_KEYS.map((k) => [k, m.config[k]]));
    if (!changes.length) return;
    this.series.marks = [...(this.series.marks ?? []), { step: m.step, label: changes.join(', ') }];
    this.s.info = { ...this.s.info, config: { ...this.s.info.config, ...this.liveConfig } };
    this.emit('updated', m);
    this.emit('chart');
    this.emit('status');
  }

  /** A preset's text into the store; the engine's tasks have none here (the worker makes them). */
  usePreset(id) {
    const p = presetById(id);
    if (p) this.store.setText(p.task ? '' : p.text(), 'preset');
  }

  /** The engine's synthetic task the current preset names ({name, seed}), or null. */
  task() {
    const p = presetById(this.store.get('preset'));
    return p && p.task ? { name: p.id, seed: this.store.get('seed') } : null;
  }

  /** The start of the current task's training text, to show (the model trains on all of it). */
  taskText(maxChars = 20000) {
    const task = this.task();
    if (!task) return Promise.resolve(null);
    return this.request({ type: 'taskText', task, maxChars }, (m) => m.task.name === task.name && m.task.seed === task.seed).then((m) => m.text);
  }

  /** Sends `msg` and resolves to the first reply of the same type that `mine(reply)` accepts. */
  request(msg, mine = () => true) {
    return new Promise((ok) => {
      const off = this.on(msg.type, (m) => {
        if (!mine(m)) return;
        off();
        ok(m);
      });
      this.send(msg);
    });
  }

  /**
   * The identity of the current settings and text, to tell when the model is out of date. The
   * `live` settings are not part of it: they change the running model (sendLiveSoon).
   */
  currentKey() {
    const fixed = ENGINE_KEYS.filter((k) => !LIVE_KEYS.includes(k));
    return `${JSON.stringify(this.store.config(fixed))}#${this.store.get('preset')}#${this.store.textVersion}`;
  }

  isDirty() {
    return this.invalid.size > 0 || this.currentKey() !== this.s.builtKey;
  }

  /** A fresh model is needed before training when none exists or an untrained one is stale. */
  needsBuild() {
    return !this.s.model || (this.s.step === 0 && this.isDirty());
  }

  setInvalid(name, problem) {
    if (problem) this.invalid.set(name, problem);
    else this.invalid.delete(name);
    this.emit('status');
  }

  // ---- commands ----

  build(then = null) {
    if (this.invalid.size) {
      this.alert(`check the settings: ${[...this.invalid.values()][0]}.`);
      return;
    }
    const task = this.task();
    if (!task && !this.store.text) {
      this.alert('there is no text to train on: paste some, upload a file or pick a preset.');
      return;
    }
    if (!this.boot()) return;
    this.s.building = true;
    this.s.afterBuild = then;
    this.s.pendingKey = this.currentKey();
    const config = this.engineConfig();
    if (task && this.store.get('tokens') !== 'characters') {
      this.alert(`the synthetic task “${task.name}” trains on characters: its rules count characters. The Tokens setting applies to texts.`, 'info', [], 'tokens');
    } else this.alert(null, 'info', [], 'tokens');
    this.send(task ? { type: 'build', config, task } : { type: 'build', config, corpus: this.store.text });
    this.emit('status');
  }

  start() {
    this.s.held.clear();
    this.s.autoPaused = false;
    this.s.diverged = null;
    if (this.needsBuild()) this.build('start');
    else this.send(this.startMessage());
  }

  /** Start training; with the `steps` setting, until that step (a run already past it goes on). */
  startMessage() {
    return { type: 'start', until: this.store.get('steps') };
  }

  pause() {
    this.s.autoPaused = false;
    if (this.s.running) this.send({ type: 'pause' });
    if (this.s.afterBuild === 'start') this.s.afterBuild = null;
  }

  /** Pause, or Resume a paused model. */
  toggle() {
    if (this.s.running) this.pause();
    else if (this.s.model) this.start();
  }

  step() {
    if (this.s.running) return;
    if (this.needsBuild()) this.build('step');
    else this.send({ type: 'step' });
  }

  reset() {
    this.build(null);
  }

  sampleNow() {
    this.sendView();
    this.send({ type: 'sample' });
  }

  /** Asks for a file: `kind` 'model' or 'checkpoint' (`withCorpus`: the checkpoint carries the text). */
  save(kind, withCorpus = false) {
    this.send({ type: 'save', kind, withCorpus });
  }

  /** Loads a model or checkpoint file (an ArrayBuffer, transferred). */
  loadFile(buf, name, { saved = false } = {}) {
    this.loadingSaved = saved;
    const task = this.task();
    if (!task && !this.store.text) {
      this.alert('put some text in the Corpus first: a loaded model continues training on it.');
      return;
    }
    if (!this.boot()) return;
    this.s.building = true;
    this.s.afterBuild = null;
    // Kept, to load it again on the text it carries if the person switches to that text.
    this.lastFile = { bytes: buf.slice(0), name };
    const workers = this.workersFor(this.store.get('workers'));
    this.send(task ? { type: 'load', bytes: buf, task, name, workers } : { type: 'load', bytes: buf, corpus: this.store.text, name, workers }, [buf]);
    this.emit('status');
  }

  /** Takes the text a loaded file carries as the corpus, and loads the file again on it (exactly). */
  switchToCarried(text) {
    this.store.set({ preset: 'custom' }, 'file');
    this.store.setText(text, 'file');
    if (this.lastFile) this.loadFile(this.lastFile.bytes, this.lastFile.name);
  }

  /**
   * A view shows (`on`) or stops showing one of the mathematics' numbers ('sigma', 'flow',
   * 'trace'); the worker computes each only while some view wants it.
   */
  want(what, on) {
    this.wants[what] = Math.max(0, (this.wants[what] ?? 0) + (on ? 1 : -1));
    this.sendWants();
  }

  /**
   * `fn` hears every `what` message (sigma, flow, trace: numbers the worker computes only while a
   * view wants them) and, at once, the last one; returns the function that stops both.
   */
  follow(what, fn) {
    const off = this.on(what, fn);
    this.want(what, true);
    if (this.last[what]) fn(this.last[what]);
    return () => {
      off();
      this.want(what, false);
    };
  }

  sendWants() {
    if (!this.worker || !this.s.workerReady) return;
    const wants = {};
    for (const [k, n] of Object.entries(this.wants)) wants[k] = n > 0;
    this.worker.send({ type: 'want', wants });
  }

  /** Finite differences against backpropagation, in the worker. */
  gradCheck(perTensor = 20, seed = 1) {
    this.send({ type: 'gradcheck', perTensor, seed });
  }

  /** A checkpoint of the current model: resolves to {step, bytes} (bytes null on failure). */
  snapshot() {
    return this.request({ type: 'snapshot' });
  }

  /**
   * Resumes a run saved by autosave.js: its settings and text, its checkpoint (exactly where it
   * stopped) and its curves.
   */
  resume(record) {
    this.store.set(record.settings, 'saved');
    if (record.text !== null) this.store.setText(record.text, 'saved');
    this.pendingCurves = record.curves;
    const bytes = record.checkpoint.slice().buffer;
    this.loadFile(bytes, 'your saved run', { saved: true });
  }

  setProbeText(text) {
    this.probeText = text;
    this.sendViewSoon(() => this.send({ type: 'probe' }));
  }

  /**
   * Holds training while `reason` lasts (the embed is out of view, the tab is hidden) and
   * resumes when the last reason is gone, if it was training before.
   */
  hold(reason, on) {
    const held = this.s.held;
    if (on) {
      if (held.has(reason)) return;
      held.add(reason);
      if (this.s.running || this.s.afterBuild === 'start') {
        this.s.autoPaused = true;
        this.pause();
        this.s.autoPaused = true;
        this.emit('status');
      }
    } else {
      if (!held.delete(reason)) return;
      if (held.size === 0 && this.s.autoPaused) {
        this.s.autoPaused = false;
        this.send(this.startMessage());
        this.emit('status');
      }
    }
  }

  // ---- the worker's reports ----

  /** Training stopped because the loss diverged: say why, in the article's terms, and offer a way back. */
  onDiverged(d) {
    this.s.running = false;
    this.s.autoPaused = false;
    this.s.diverged = d;
    const cfg = this.store.values;
    const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
    const what = d.reason === 'nan'
      ? `the loss or gradient became ${f(d.loss)} (not a number) at step ${d.step}`
      : d.reason === 'jump'
        ? `the loss jumped to ${f(d.loss)} nats at step ${d.step}, more than 10 times its recent average of ${f(d.reference)}`
        : d.reason === 'far'
          ? `the loss has stayed above ${f(2 * d.reference)} nats for 20 steps, more than twice the uniform guess of ${f(d.reference)} (a model that knows nothing): it is now at ${f(d.loss)}`
          : `the loss has stayed above the uniform guess (${f(d.reference)} nats, a model that knows nothing) for 50 steps after having fallen below it`;
    const why = cfg.clip_mode === 'none'
      ? `Gradient clipping is off, so one huge gradient can throw the weights far away: turn clipping on (norm, e.g. 1–5) or lower the learning rate (now ${cfg.lr}).`
      : `The learning rate (now ${cfg.lr}) is probably too high for these settings: lower it${cfg.clip_mode === 'norm' ? `, or clip harder (now ${cfg.clip})` : ''}.`;
    const actions = d.goodStep !== null ? [{ label: `Roll back to step ${d.goodStep}`, run: () => this.rollback('good') }] : [];
    this.alert(`training stopped: ${what}. ${why} Then roll back to the last good weights and resume.`, 'error', actions, 'signal');
    this.emit('status');
  }

  /**
   * The engine's evidence of memorising (src/monitor.rs): the validation loss rose from its best
   * while the loss on training text fell, beyond their noise. Training goes on; offer the best weights.
   */
  onMemorising(m) {
    const f = (x) => x.toFixed(3);
    this.alert(null, 'info', [], 'plateau');
    this.alert(`the model is memorising its training text: the validation loss rose from its best, ${f(m.best)} nats at step ${int(m.bestStep)}, to ${f(m.loss)} (+${f(m.rise)} ± ${f(m.riseSe)}), while its loss on training text fell from ${f(m.trainBest)} to ${f(m.train)}: the gap between them grew by ${f(m.widening)} ± ${f(m.wideningSe)}. More training will not make it better on new text; a larger text, a smaller model or a lower learning rate would.`, 'info', [
      { label: `Go back to the best weights (step ${int(m.bestStep)})`, run: () => this.rollback('best') },
    ], 'signal');
  }

  /**
   * The engine's plateau (src/monitor.rs): the model has stopped improving while training and
   * validation agree: said when it starts, with what may take this model further, and withdrawn
   * when it ends (a dismissed notice comes back only with a new plateau).
   */
  onPlateau(p) {
    const shown = this.alerts.has('plateau');
    if (!p || this.alerts.get('signal')?.kind === 'error') {
      if (shown) this.alert(null, 'info', [], 'plateau');
      return;
    }
    // Said once when it starts (a notice rewritten at every check would be announced every time).
    if (!p.new) return;
    const c = this.s.info.config;
    const f = (x) => x.toFixed(3);
    const remedies = p.remedies.map((r) => REMEDY[r]?.(c)).filter(Boolean);
    const next = remedies.length ? ` If its samples still go wrong, try ${remedies.join('; or ')}.` : '';
    this.alert(`the model has stopped improving: since step ${int(p.since)} its validation loss has improved by less than 1 % (best so far ${f(p.best)} nats, at step ${int(p.bestStep)}). Training and validation agree (${f(p.train)} and ${f(p.loss)} nats, read the same way with the same weights), so it is not memorising: it has learned what it can with these settings.${next}`, 'info', [], 'plateau');
  }

  rollback(to) {
    this.send({ type: 'rollback', to });
  }

  onRestored(m) {
    this.s.diverged = null;
    this.s.step = m.step;
    this.s.info = m.info;
    // The curve goes on from the restored step; what came after it is gone.
    const sr = this.series;
    const keep = sr.steps.findIndex((x) => x > m.step);
    if (keep >= 0) for (const k of SERIES) if (sr[k]) sr[k].length = keep;
    if (sr.marks) sr.marks = sr.marks.filter((x) => x.step <= m.step);
    this.alert(`rolled back to step ${m.step.toLocaleString('en-US')}${m.to === 'best' ? ', the best validation point' : ''}; press Resume to train on from there.`, 'info', [], 'signal');
    this.emit('restored', m);
    this.emit('chart');
    this.emit('status');
  }

  onBuilt(m) {
    const s = this.s;
    s.building = false;
    s.model = true;
    s.info = m.info;
    s.step = m.info.step;
    s.smooth = null;
    s.lastVal = null;
    s.diverged = null;
    s.best = null;
    this.alert(null, 'info', [], 'signal');
    this.alert(null, 'info', [], 'plateau');
    if (this.pendingCurves) {
      // A saved run resumed: its curves come back with it.
      const c = this.pendingCurves;
      this.pendingCurves = null;
      // (A run saved before words existed has no bits-per-character series: nats / ln 2 stand in.)
      this.series = { ...emptySeries(), ...c.series };
      this.runs = c.runs;
      this.runNumber = c.runNumber;
      s.best = c.best;
    } else {
      this.keepRun();
      this.series = emptySeries();
    }
    this.runConfig = { ...(m.loaded ? m.info.config : this.engineConfig()), preset: this.store.get('preset'), text: this.store.textVersion };
    this.liveConfig = Object.fromEntries(LIVE_KEYS.map((k) => [k, m.info.config[k]]));
    // A build takes the settings of the moment, `live` ones included; a loaded file brings its own,
    // and the form follows it (below), but for the number of workers: that is this page's to
    // choose, and a checkpoint goes on with it (the same run, up to float rounding).
    if (!m.loaded) this.syncLive();
    this.last = {};
    this.run.forget();
    if (m.loaded) {
      // The file brings its own settings: show them, so what you see is what trains.
      const patch = {};
      for (const k of ENGINE_KEYS) if (k in m.info.config && k !== 'workers') patch[k] = m.info.config[k];
      this.store.set(patch, 'file');
      const r = m.info.report;
      if (this.loadingSaved) this.alert(`resumed your saved run exactly where it stopped, at step ${m.info.step.toLocaleString('en-US')}; press Resume to train on.`, 'info');
      else {
        const n = (x) => x.toLocaleString('en-US');
        const words = m.info.tokens === 'words';
        const share = `${((100 * r.unknown_chars) / Math.max(1, r.chars)).toFixed(1)} %${words ? ' of its characters' : ''}`;
        const unknown = r.unknown_tokens
          ? ` ${n(r.unknown_tokens)} of the ${n(r.tokens)} ${words ? 'tokens' : 'characters'} of the current text (${share}) are not in its vocabulary: the model reads them all as one unknown ${words ? 'token' : 'character'}.`
          : '';
        const actions = m.carried
          ? [{ label: `Switch to the text it was trained on (${n([...m.carried].length)} characters)`, run: () => this.switchToCarried(m.carried) }]
          : [];
        this.alert(`loaded “${m.name}”: ${r.resumed ? `checkpoint resumed exactly at step ${n(m.info.step)}` : `weights loaded; ${m.carried ? 'it was trained on another text, which it carries; ' : ''}training continues on the current text with a fresh optimizer`}.${unknown}`, 'info', actions);
      }
      s.builtKey = this.currentKey();
      this.syncLive();
    } else {
      if (this.alerts.get('main')?.kind === 'error') this.alert(null);
      s.builtKey = s.pendingKey;
    }
    this.emit('built', m);
    this.emit('chart');
    const then = s.afterBuild;
    s.afterBuild = null;
    if (then === 'start') {
      if (s.held.size) s.autoPaused = true;
      else this.send(this.startMessage());
    }
    if (then === 'step') this.send({ type: 'step' });
    this.emit('status');
  }

  /**
   * Keeps the finished run's curve (up to MAX_RUNS) for comparison on the loss chart, labelled by
   * what differs between it and the run about to start ("cell=lstm, lr=0.002").
   */
  keepRun() {
    const sr = this.series;
    if (!this.runConfig || !sr.steps.length || (sr.steps.length < 2 && sr.val.every((v) => v === null))) return;
    this.runs = [...this.runs]; // a new list: the store tells the views
    const next = { ...this.engineConfig(), preset: this.store.get('preset'), text: this.store.textVersion };
    const diff = Object.keys(next)
      .filter((k) => k !== 'text' && this.runConfig[k] !== next[k])
      .map((k) => `${k}=${this.runConfig[k]}`);
    if (this.runConfig.text !== next.text && this.runConfig.preset === next.preset) diff.push('other text');
    this.runNumber = (this.runNumber ?? 0) + 1;
    const label = `run ${this.runNumber}${diff.length ? `: ${diff.join(', ')}` : ' (same settings)'}`;
    this.runs.push({ label, tokens: this.runConfig.tokens, steps: sr.steps, train: sr.train, val: sr.val, trainBpc: sr.trainBpc, valBpc: sr.valBpc });
    if (this.runs.length > MAX_RUNS) this.runs.shift();
  }

  /** Forgets the kept runs. */
  clearRuns() {
    this.runs = [];
    this.runNumber = this.runNumber ?? 0;
    this.emit('chart');
  }

  /** Index of the loss chart's point for `step`; a new point carries the last training loss. */
  chartRow(step) {
    const sr = this.series;
    const last = sr.steps.length - 1;
    if (last >= 0 && sr.steps[last] === step) return last;
    sr.steps.push(step);
    sr.train.push(last >= 0 ? sr.train[last] : null);
    sr.trainBpc.push(last >= 0 ? sr.trainBpc[last] : null);
    sr.val.push(null);
    sr.valBpc.push(null);
    return last + 1;
  }

  onProgress(p) {
    const first = this.s.step === 0 || !this.s.running;
    this.s.step = p.step;
    this.s.smooth = p.smooth;
    const row = this.chartRow(p.step);
    this.series.train[row] = p.smooth;
    this.series.trainBpc[row] = p.smoothBpc;
    this.thin();
    this.emit('progress', p);
    this.emit('chart');
    // Buttons depend on whether the model has trained: re-render on that change (and after
    // single steps), not on every progress message.
    if (first) this.emit('status');
  }

  onVal(v) {
    if (v.best) this.s.best = v.best;
    this.onPlateau(v.plateau ?? null);
    if (v.loss !== null) {
      this.s.lastVal = v.loss;
      const row = this.chartRow(v.step);
      this.series.val[row] = v.loss;
      this.series.valBpc[row] = v.bpc;
      this.emit('chart');
    }
    this.emit('val', v);
  }

  /** Halves old training points when the series grows large; validation points are kept. */
  thin() {
    const sr = this.series;
    if (sr.steps.length <= MAX_POINTS) return;
    const keep = (i) => i % 2 === 0 || sr.val[i] !== null || i === sr.steps.length - 1;
    const idx = sr.steps.map((_, i) => i).filter(keep);
    for (const k of SERIES) sr[k] = idx.map((i) => sr[k][i] ?? null);
  }

  // ---- live sampling settings and probe text ----

  sendView() {
    if (!this.s.workerReady) return;
    const g = (k) => this.store.get(k);
    this.send({
      type: 'view',
      sample: { prime: g('prime'), temperature: g('temperature'), length: g('length'), topK: g('top_k'), topP: g('top_p') },
      probeText: this.probeText,
    });
  }

  sendViewSoon(then) {
    clearTimeout(this.viewTimer);
    this.viewTimer = setTimeout(() => {
      this.sendView();
      if (then && this.s.model) then();
    }, 250);
  }

  // ---- what the controls show ----

  /** The run's state for buttons and badges. */
  status() {
    const s = this.s;
    // Buttons work while the engine loads: the worker keeps messages until it is ready.
    const ready = !s.building && !s.engineFailed;
    const paused = s.model && !s.running && s.step > 0;
    const dirty = s.model && this.isDirty();
    let label;
    if (s.engineFailed) label = 'engine unavailable';
    else if (s.booted && !s.workerReady) label = 'loading engine…';
    else if (s.building) label = 'building…';
    else if (s.running) label = 'training';
    else if (s.diverged) label = 'stopped: diverged';
    else if (paused && s.finished) label = `done: ${s.step.toLocaleString('en-US')} steps`;
    else if (paused && s.autoPaused) label = 'paused (out of view)';
    else if (paused) label = 'paused';
    else if (s.model) label = 'ready';
    else label = 'not started';
    return {
      label,
      running: s.running,
      paused,
      ready,
      model: s.model,
      step: s.step,
      canStart: ready && !s.running && !(s.model && s.step > 0),
      canToggle: ready && (s.running || paused),
      canStep: ready && !s.running,
      canReset: ready,
      canSample: ready && s.model,
      diverged: !!s.diverged,
      dirty,
      pending: dirty
        ? s.step > 0
          ? 'You changed the settings or the text. Press Reset to build a new model with them; until then training continues with the current model.'
          : 'You changed the settings or the text; Start, Step or Reset will build the model with them.'
        : '',
    };
  }
}
