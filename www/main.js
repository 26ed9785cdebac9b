// The page's single owner of UI state. It wires the controls and views, talks to the training
// worker (which owns the model) and renders what the worker streams back. Nothing here trains:
// every engine call happens in www/worker.js.

import * as controls from './views/controls.js';
import { CorpusView } from './views/corpus.js';
import { LossChart, GradChart, convert, UNIT_LABEL } from './views/chart.js';
import { SamplesView } from './views/samples.js';
import { HeatmapView } from './views/heatmap.js';
import { el, clear, fmt, int, duration, bytes } from './views/dom.js';

const $ = (id) => document.getElementById(id);

/** Largest model file the page will read. */
const MAX_MODEL_BYTES = 512 * 1024 * 1024;
/** Chart points kept before thinning (old points are halved, validation points kept). */
const MAX_POINTS = 6000;

// ---------------------------------------------------------------------------------------------
// State: everything the page knows, in one place.

const state = {
  workerReady: false,
  model: false, // a trainer exists in the worker
  running: false,
  building: false,
  afterBuild: null, // 'start' | 'step': what to do once the pending build succeeds
  pendingKey: null, // key of the build in flight
  builtKey: null, // settings + text version the current model was built from
  corpusVersion: 0,
  info: null,
  step: 0,
  smooth: null,
  lastVal: null,
  units: 'nats',
  series: { steps: [], train: [], val: [] },
  heat: { layer: 0, act: 'h', unit: null },
  probeEdited: false,
  lastLiveLoss: 0,
  engineFailed: false,
  engine: null, // 'relaxed' | 'simd128': which engine build the worker loaded
};

let worker = null;
let lossChart;
let gradChart;
let samples;
let heatmap;
let corpus;

// ---------------------------------------------------------------------------------------------
// Capability checks: WebAssembly SIMD is required by the engine.

/** True when the browser validates a tiny module using v128 (i8x16.splat + i8x16.popcnt). */
function hasSimd() {
  try {
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

function fatal(text) {
  const boot = $('boot');
  boot.hidden = false;
  boot.className = 'fatal';
  boot.setAttribute('role', 'alert');
  boot.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Alerts

/** Shows a message in the alert region (role="alert"). `kind`: 'error' | 'info'. */
function showAlert(message, kind = 'error') {
  const region = $('alert');
  const dismiss = el('button', { type: 'button', class: 'small link' }, 'Dismiss');
  dismiss.addEventListener('click', () => clear(region));
  const box = el('div', { class: `alert-box ${kind === 'info' ? 'info' : ''}` },
    el('p', {}, el('strong', {}, kind === 'info' ? 'Note: ' : 'Problem: '), capitalise(message)),
    dismiss);
  clear(region);
  region.append(box);
}

function clearAlert() {
  clear($('alert'));
}

const capitalise = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

// ---------------------------------------------------------------------------------------------
// Worker

function createWorker() {
  state.engineFailed = false;
  state.workerReady = false;
  state.model = false;
  state.running = false;
  state.building = false;
  try {
    const url = new URL('./worker.js', import.meta.url);
    // ?engine=simd128 on the page forces the baseline engine (for comparison and testing).
    const engine = new URLSearchParams(location.search).get('engine');
    if (engine) url.searchParams.set('engine', engine);
    worker = new Worker(url, { type: 'module' });
  } catch (e) {
    fatal(`The training worker could not start (${e.message || e}). This page needs a browser with module Web Workers.`);
    return;
  }
  worker.onmessage = (ev) => onWorker(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    const detail = ev.message || 'the worker script failed to load';
    showAlert(`the training engine stopped: ${detail}. Reload the page to try again.`);
    state.engineFailed = true;
    state.running = false;
    state.workerReady = false;
    render();
  };
  worker.onmessageerror = () => showAlert('a message from the training engine could not be read.');
  render();
}

function send(msg, transfer) {
  worker.postMessage(msg, transfer || []);
}

function onWorker(m) {
  switch (m.type) {
    case 'ready':
      state.workerReady = true;
      state.engine = m.engine;
      sendView();
      render();
      return;
    case 'fatal':
      state.engineFailed = true;
      fatal(m.message);
      render();
      return;
    case 'built':
      return onBuilt(m);
    case 'state':
      state.running = m.running;
      render();
      return;
    case 'progress':
      return onProgress(m);
    case 'val':
      return onVal(m);
    case 'sample':
      samples.add(m);
      return;
    case 'probe':
      heatmap.render({ chars: m.chars, hidden: m.hidden, layers: m.layers }, state.heat);
      return;
    case 'dh':
      if (m.norms.length && m.norms[0].length) gradChart.update(m.norms);
      return;
    case 'file':
      return download(m);
    case 'error':
      return onError(m);
    default:
  }
}

function onError(m) {
  if (m.where === 'build' || m.where === 'load') {
    state.building = false;
    state.afterBuild = null;
    const prefix = m.where === 'load' ? 'the file could not be loaded — ' : 'the model could not be built — ';
    showAlert(prefix + m.message);
    // Point at the offending setting when the engine names one ("config: hidden = 0 is …").
    const key = /^config: ([a-z_0-9]+) = /.exec(m.message);
    if (key && controls.KEYS.includes(key[1])) controls.markInvalid(key[1]);
  } else if (m.where === 'trap') {
    showAlert(m.message);
    worker.terminate();
    createWorker(); // a fresh wasm instance; the user presses Reset or Start
    return;
  } else {
    showAlert(m.message);
  }
  render();
}

// ---------------------------------------------------------------------------------------------
// Building and training

/** The identity of the current settings and text, to tell when the model is out of date. */
function currentKey(config) {
  return `${JSON.stringify(config)}#${state.corpusVersion}`;
}

function build(then = null) {
  const r = controls.read();
  if (r.error) {
    showAlert(`check the settings: ${r.error}`);
    return;
  }
  state.building = true;
  state.afterBuild = then;
  state.pendingKey = currentKey(r.config);
  send({ type: 'build', config: r.config, corpus: corpus.text() });
  render();
}

function onBuilt(m) {
  state.building = false;
  state.model = true;
  state.info = m.info;
  state.step = m.info.step;
  state.smooth = null;
  state.lastVal = null;
  state.series = { steps: [], train: [], val: [] };
  state.heat.unit = null;
  state.heat.layer = Math.min(state.heat.layer, m.info.dims.layers - 1);
  if (m.loaded) {
    // The file brings its own settings: show them, so what you see is what trains.
    controls.write(m.info.config);
    showAlert(`loaded “${m.name}”: ${m.info.report.resumed ? 'checkpoint resumed exactly at step ' + int(m.info.step) : 'weights loaded; training continues with a fresh optimizer'}${m.info.report.unknown_chars ? ` — ${int(m.info.report.unknown_chars)} characters of the text are not in its vocabulary` : ''}.`, 'info');
    state.builtKey = currentKey(controls.read().config ?? {});
  } else {
    clearAlert();
    state.builtKey = state.pendingKey;
  }
  if (!state.probeEdited) $('probe-input').value = m.probeText;
  heatmap.reset();
  samples.empty(m.loaded ? 'Sampling from the loaded model…' : 'Samples appear here once training starts.');
  setStats({ step: state.step, elapsed: 0, charsPerSec: null, epoch: m.info.step ? null : 0 });
  $('loss').textContent = '–';
  $('val-loss').textContent = '–';
  renderInfo();
  scheduleChart();
  const then = state.afterBuild;
  state.afterBuild = null;
  if (then === 'start') send({ type: 'start' });
  if (then === 'step') send({ type: 'step' });
  render();
}

/** Index of the loss chart's point for `step`; a new point carries the last training loss. */
function chartRow(step) {
  const s = state.series;
  const last = s.steps.length - 1;
  if (last >= 0 && s.steps[last] === step) return last;
  s.steps.push(step);
  s.train.push(last >= 0 ? s.train[last] : null);
  s.val.push(null);
  return last + 1;
}

function onProgress(p) {
  // Button states depend on whether the model has trained; re-render on that change (and after
  // single steps), not on every progress message.
  const rerender = state.step === 0 || !state.running;
  state.step = p.step;
  state.smooth = p.smooth;
  state.series.train[chartRow(p.step)] = p.smooth;
  thin();
  setStats(p);
  // The live loss is announced politely; updating it 10×/s would flood screen readers.
  const now = performance.now();
  if (!state.running || now - state.lastLiveLoss > 1000) {
    state.lastLiveLoss = now;
    $('loss').textContent = fmtLoss(p.smooth);
  }
  const badge = $('clip-badge');
  badge.textContent = p.clipped ? 'clipped' : 'not clipped';
  badge.className = `badge ${p.clipped ? 'clipped' : ''}`;
  const cfg = state.info.config;
  $('grad-note').textContent = `Last step: ‖g‖ = ${fmt(p.gradNorm, 3)}${cfg.clip_mode === 'none' ? ' (no clipping)' : ` against ${cfg.clip_mode === 'norm' ? 'max norm' : 'max value'} ${cfg.clip}`} · clipped in ${Math.round(p.clippedFraction * 100)}% of recent steps · lr ${p.lr.toPrecision(3)}`;
  scheduleChart();
  if (rerender) render();
}

function onVal(v) {
  if (v.loss === null) {
    $('val-loss').textContent = 'no held-out text';
    return;
  }
  state.lastVal = v.loss;
  state.series.val[chartRow(v.step)] = v.loss;
  $('val-loss').textContent = fmtLoss(v.loss);
  scheduleChart();
}

/** Halves old training points when the series grows large; validation points are kept. */
function thin() {
  const s = state.series;
  if (s.steps.length <= MAX_POINTS) return;
  const keep = (i) => i % 2 === 0 || s.val[i] !== null || i === s.steps.length - 1;
  const idx = s.steps.map((_, i) => i).filter(keep);
  s.steps = idx.map((i) => s.steps[i]);
  s.train = idx.map((i) => s.train[i]);
  s.val = idx.map((i) => s.val[i]);
}

function fmtLoss(nats) {
  const v = convert(nats, state.units);
  return v === null ? '–' : state.units === 'ppl' ? v.toFixed(v < 10 ? 2 : 1) : v.toFixed(3);
}

function setStats(p) {
  $('steps').textContent = int(p.step);
  $('elapsed').textContent = duration(p.elapsed ?? 0);
  $('speed').textContent = p.charsPerSec ? int(p.charsPerSec) : '–';
  $('epoch').textContent = p.epoch === null || p.epoch === undefined ? '–' : (p.epoch + (p.epochProgress ?? 0)).toFixed(2);
}

let chartQueued = false;
/** Coalesces chart redraws into one per animation frame. */
function scheduleChart() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    const logV = state.info ? Math.log(state.info.vocab_size) : null;
    lossChart.update({ ...state.series, logV, units: state.units });
  });
}

const ENGINE_LABEL = { relaxed: 'engine: wasm SIMD + relaxed SIMD (FMA)', simd128: 'engine: wasm SIMD' };

function renderInfo() {
  const i = state.info;
  const box = $('model-info');
  clear(box);
  if (!i) return;
  const r = i.report;
  const d = i.dims;
  const parts = [
    `${d.cell.toUpperCase()} · ${d.layers} × ${d.hidden}, E ${d.embed}`,
    `${int(i.params)} parameters`,
    `vocabulary ${int(i.vocab_size)}`,
    r.chars ? `${int(r.train_chars)} training + ${int(r.val_chars)} validation chars` : null,
    r.streams ? `${r.streams} streams` : null,
    `uniform guess ${fmtLoss(Math.log(i.vocab_size))} ${UNIT_LABEL[state.units]}`,
    state.engine ? ENGINE_LABEL[state.engine] : null,
  ].filter(Boolean);
  box.append(parts.join(' · '));
  if (r.dropped_chars) box.append(el('span', { class: 'badge' }, `${int(r.dropped_chars)} rare characters → unknown`));
}

// ---------------------------------------------------------------------------------------------
// Rendering of the controls that depend on state

function render() {
  const ready = state.workerReady && !state.building;
  const startBtn = $('btn-start');
  const pauseBtn = $('btn-pause');
  // Start begins a run; once the model has trained, Resume (or Reset for a new model) takes over.
  startBtn.disabled = !ready || state.running || (state.model && state.step > 0);
  // Pause toggles to Resume; its accessible name follows the visible label.
  const paused = state.model && !state.running && state.step > 0;
  pauseBtn.textContent = paused ? 'Resume' : 'Pause';
  pauseBtn.setAttribute('aria-label', paused ? 'Resume' : 'Pause');
  pauseBtn.disabled = !ready || !(state.running || paused);
  $('btn-step').disabled = !ready || state.running;
  $('btn-reset').disabled = !ready;
  $('btn-sample').disabled = !ready || !state.model;
  $('btn-save-model').disabled = !ready || !state.model;
  $('btn-save-checkpoint').disabled = !ready || !state.model;
  $('model-file').disabled = !state.workerReady;
  const badge = $('run-state');
  const label = state.engineFailed ? 'engine unavailable' : !state.workerReady ? 'loading engine…' : state.building ? 'building…' : state.running ? 'training' : paused ? 'paused' : state.model ? 'ready' : 'not started';
  badge.textContent = label;
  badge.className = `badge ${state.running ? 'running' : ''}`;
  const pending = $('pending');
  const dirty = state.model && isDirty();
  pending.hidden = !dirty;
  pending.textContent = dirty
    ? state.step > 0
      ? 'You changed the settings or the text. Press Reset to build a new model with them; until then training continues with the current model.'
      : 'You changed the settings or the text; Start, Step or Reset will build the model with them.'
    : '';
}

function isDirty() {
  const r = controls.read();
  return r.error ? true : currentKey(r.config) !== state.builtKey;
}

/** A fresh model is needed before training when none exists or an untrained one is stale. */
function needsBuild() {
  return !state.model || (state.step === 0 && isDirty());
}

// ---------------------------------------------------------------------------------------------
// View settings (temperature, prime, probe text) go to the worker live.

function sendView() {
  if (!state.workerReady) return;
  const t = Number($('temperature').value);
  let length = Math.round(Number($('sample-length').value));
  if (!Number.isFinite(length) || length < 1) length = 300;
  length = Math.min(length, 5000);
  // Out-of-range top-k/top-p fall back to "keep everything" rather than failing every sample.
  let topK = Math.round(Number($('top-k').value));
  if (!Number.isFinite(topK) || topK < 0) topK = 0;
  let topP = Number($('top-p').value);
  if (!Number.isFinite(topP) || topP <= 0 || topP > 1) topP = 1;
  send({
    type: 'view',
    sample: { prime: $('prime').value, temperature: t, length, topK, topP },
    probeText: state.probeEdited ? $('probe-input').value : '',
  });
}

let viewTimer = 0;
function sendViewSoon(then) {
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    sendView();
    if (then && state.model) then();
  }, 250);
}

// ---------------------------------------------------------------------------------------------
// Files

function download({ kind, bytes: data }) {
  const i = state.info;
  const d = i.dims;
  const name = `rnn-playground-${d.cell}-${d.layers}x${d.hidden}-step${state.step}${kind === 'checkpoint' ? '-checkpoint' : ''}.safetensors`;
  const url = URL.createObjectURL(new Blob([data], { type: 'application/octet-stream' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  showAlert(`saved ${name} (${bytes(data.byteLength)}).`, 'info');
}

async function loadModelFile(f) {
  if (f.size > MAX_MODEL_BYTES) {
    showAlert(`“${f.name}” is ${bytes(f.size)}; the limit is ${bytes(MAX_MODEL_BYTES)}.`);
    return;
  }
  if (!corpus.text()) {
    showAlert('put some text in the Corpus first: a loaded model continues training on it.');
    return;
  }
  let buf;
  try {
    buf = await f.arrayBuffer();
  } catch (e) {
    showAlert(`could not read “${f.name}”: ${e.message || e}`);
    return;
  }
  state.building = true;
  state.afterBuild = null;
  send({ type: 'load', bytes: buf, corpus: corpus.text(), name: f.name }, [buf]);
  render();
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wire() {
  $('btn-start').addEventListener('click', () => {
    if (needsBuild()) build('start');
    else send({ type: 'start' });
  });
  $('btn-pause').addEventListener('click', () => {
    if (state.running) send({ type: 'pause' });
    else if (state.model) send({ type: 'start' });
  });
  $('btn-step').addEventListener('click', () => {
    if (needsBuild()) build('step');
    else send({ type: 'step' });
  });
  $('btn-reset').addEventListener('click', () => build(null));
  $('btn-sample').addEventListener('click', () => {
    sendView();
    send({ type: 'sample' });
  });
  $('btn-save-model').addEventListener('click', () => send({ type: 'save', kind: 'model' }));
  $('btn-save-checkpoint').addEventListener('click', () => send({ type: 'save', kind: 'checkpoint' }));
  $('model-file').addEventListener('change', (e) => {
    const f = e.target.files && e.target.files[0];
    e.target.value = '';
    if (f) loadModelFile(f);
  });

  $('units').addEventListener('change', (e) => {
    state.units = e.target.value;
    $('loss-unit').textContent = `(${UNIT_LABEL[state.units]})`;
    if (state.smooth !== null) $('loss').textContent = fmtLoss(state.smooth);
    if (state.lastVal !== null) $('val-loss').textContent = fmtLoss(state.lastVal);
    renderInfo();
    scheduleChart();
  });

  const temp = $('temperature');
  temp.addEventListener('input', () => {
    $('temperature-out').textContent = Number(temp.value).toFixed(2);
    sendViewSoon();
  });
  $('prime').addEventListener('input', () => sendViewSoon());
  for (const id of ['sample-length', 'top-k', 'top-p']) $(id).addEventListener('input', () => sendViewSoon());
  $('probe-input').addEventListener('input', () => {
    state.probeEdited = $('probe-input').value.trim() !== '';
    sendViewSoon(() => send({ type: 'probe' }));
  });
}

function init() {
  if (typeof Worker !== 'function' || !hasSimd()) {
    fatal('This browser lacks WebAssembly SIMD (or Web Workers), which the training engine needs. Please open the page in a current Chrome, Edge or Firefox, or Safari 16.4 or later.');
    return;
  }
  $('boot').hidden = true;
  $('app').hidden = false;
  $('footer').hidden = false;

  controls.render($('settings'), () => render());
  controls.write({});
  corpus = new CorpusView(
    { textarea: $('corpus'), file: $('corpus-file'), stats: $('corpus-stats'), preset: $('preset'), presetNote: $('preset-note') },
    {
      onText: () => {
        state.corpusVersion += 1;
        render();
      },
      onError: (msg) => showAlert(msg),
      onInfo: (msg) => showAlert(msg, 'info'),
    },
  );
  lossChart = new LossChart($('loss-chart'));
  gradChart = new GradChart($('grad-chart'));
  samples = new SamplesView($('samples'));
  heatmap = new HeatmapView(
    {
      canvas: $('heatmap'), tip: $('heat-tip'), marker: $('heat-marker'), readout: $('heat-readout'), text: $('probe-text'),
      layer: $('heat-layer'), act: $('heat-act'), actHint: $('heat-act-hint'), interesting: $('btn-interesting'),
      legend: $('heat-legend'), unitLabel: $('heat-unit-label'), units: $('heat-units'),
    },
    (sel) => {
      Object.assign(state.heat, sel);
      heatmap.render(null, state.heat);
    },
  );
  wire();
  corpus.usePreset('english');
  state.corpusVersion = 0;
  createWorker();
}

try {
  init();
} catch (e) {
  fatal(`The page failed to start: ${e.message || e}`);
  throw e;
}
