// The run's state as the views read it: a store they subscribe to, as they subscribe to the
// settings (state.js). The playground (playground.js) owns the run and publishes what it shows
// here after every change; views read `get(key)` and `last(type)` and never the playground's own
// fields.
//
// Keys: info (the engine's `info()` of the model: config, tokens, report, vocab, dims, …, or
// null), model, step, running, building (a model is being built or loaded), engine ('relaxed' | 'simd128'), engineFailed, pool (the worker
// pool's {size, ready, failed}), best ({loss, bpc, step} of the best validation), smooth (the smoothed training loss, nats per token), series
// (the loss chart's: steps, train, val, trainBpc, valBpc, marks), runs (earlier runs' curves,
// [{label, tokens, steps, …}]), runNumber, status (the buttons' and badge's: see
// Playground.status()), alerts ([{key, message, kind, actions}]), autosave (the page's Autosave
// (autosave.js), published by saving.js whenever it changes; null where nothing is saved).
// Views and hosts react to a key by subscribing, not by polling it.

export class RunStore {
  constructor() {
    this.values = {
      info: null, model: false, step: 0, running: false, building: false, engine: null, engineFailed: false, pool: null, best: null, smooth: null,
      series: null, runs: [], runNumber: 0, status: null, alerts: [], autosave: null,
    };
    this.messages = {}; // the newest worker message of each kind
    this.listeners = new Set();
  }

  get(key) {
    return this.values[key];
  }

  /** The newest message of a kind the worker streams (progress, val, sample, probe, trace, …). */
  last(type) {
    return this.messages[type] ?? null;
  }

  /** Calls `fn({keys: Set})` after every change; returns an unsubscribe. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Takes `patch` (key → value) and notifies once with the keys that changed. A value that is the
   * same object as before counts as changed only when it is named in `touched` (the loss chart's
   * series grow in place).
   */
  publish(patch, touched = []) {
    const keys = new Set();
    for (const [k, v] of Object.entries(patch)) {
      const before = this.values[k];
      if (before === v ? !touched.includes(k) : same(before, v)) continue;
      this.values[k] = v;
      keys.add(k);
    }
    if (keys.size) for (const fn of [...this.listeners]) fn({ keys });
  }

  /** Records the newest message of a kind. */
  message(type, data) {
    this.messages[type] = data;
  }

  /** Forgets the messages (a new model: they described the old one). */
  forget() {
    this.messages = {};
  }
}

/** Plain values and flat objects (the status) compare by value. */
function same(a, b) {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
