// Gates and clipping over time: for an LSTM or a GRU, the share of each gate's values that are
// saturated on the probe text (a σ gate below 0.05 or above 0.95; a tanh candidate beyond ±0.95),
// per layer, over training — saturated gates pass (almost) no gradient; and a histogram of the
// recent steps' pre-clip gradient norms with the clipping threshold marked.

import { el } from './dom.js';
import uPlot from '../vendor/uPlot.esm.js';
import { axisColours, colours, onThemeChange, seriesColours } from '../theme.js';

const TANH = new Set(['g', 'n']); // candidate gates: tanh, in [−1, 1]
const KEEP_NORMS = 2000; // steps in the histogram

/** Share of saturated values of gate `name`. */
function saturation(name, values) {
  let n = 0;
  if (TANH.has(name)) {
    for (const v of values) if (v < -0.95 || v > 0.95) n++;
  } else {
    for (const v of values) if (v < 0.05 || v > 0.95) n++;
  }
  return values.length ? n / values.length : 0;
}

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const satBox = el('div', { class: 'chart small', role: 'img', 'aria-label': 'Share of saturated gate values over training, per gate and layer' });
  const satNote = el('p', { class: 'meta' });
  const hist = el('canvas', { class: 'norm-hist', width: 600, height: 150, role: 'img', 'aria-label': 'Histogram of recent pre-clip gradient norms' });
  const histNote = el('p', { id: 'norm-hist-note', class: 'meta' });
  const section = el('section', { class: 'card view-gates', 'aria-labelledby': 'gates-h', role: 'region', 'aria-label': 'Gates and clipping' },
    el('h2', { id: 'gates-h' }, 'Gates and clipping over time'),
    el('h3', {}, 'Saturated gates'), satBox, satNote,
    el('h3', {}, 'Recent gradient norms, before clipping'), hist, histNote);
  parent.append(section);

  // Saturation over training, from the probe's gate activations.
  const series = { steps: [], lines: new Map() }; // label → values
  let plot = null;
  let labels = [];
  // Widths as last laid out (the observer below): reading them mid-task would force a layout.
  let width = 0;
  let histWidth = 0;
  const build = () => {
    if (width <= 0) return;
    if (plot) plot.destroy();
    const axis = axisColours(satBox);
    const palette = seriesColours(satBox, labels.length);
    plot = new uPlot({
      width,
      height: 170,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [{ ...axis, label: 'step', labelSize: 18, size: 34 }, { ...axis, size: 50, values: (u, vals) => vals.map((x) => `${Math.round(x * 100)} %`) }],
      series: [{ label: 'step' }, ...labels.map((label, i) => ({ label, stroke: palette[i], width: 1.5, points: { show: true, size: 4 }, value: (u, x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(0)} %`) }))],
    }, [series.steps, ...labels.map((l) => series.lines.get(l))], satBox);
  };
  const ro = new ResizeObserver(() => {
    const hw = Math.floor(hist.clientWidth);
    if (hw !== histWidth) {
      histWidth = hw;
      drawHist();
    }
    const w = Math.floor(satBox.clientWidth);
    if (w === width) return;
    width = w;
    if (w > 0 && plot) plot.setSize({ width: w, height: 170 });
    else if (w > 0 && labels.length) build();
  });
  ro.observe(satBox);
  ro.observe(hist);
  const onProbe = (m) => {
    const cell = run.get('info') ? run.get('info').dims.cell : null;
    if (cell === 'rnn' || !cell) {
      satNote.textContent = 'A tanh RNN has no gates; an LSTM or a GRU shows here how many of its gate values are saturated.';
      return;
    }
    const step = m.step;
    const last = series.steps.length - 1;
    const fresh = !(last >= 0 && series.steps[last] === step);
    if (fresh) series.steps.push(step);
    const L = m.layers.length;
    const now = [];
    m.layers.forEach((acts, l) => {
      for (const a of acts) {
        if (a.name === 'h' || a.name === 'c') continue;
        const label = `${L > 1 ? `layer ${l + 1} ` : ''}${a.name}`;
        if (!series.lines.has(label)) series.lines.set(label, series.steps.slice(0, -1).map(() => null));
        const line = series.lines.get(label);
        const s = saturation(a.name, a.values);
        if (fresh) line.push(s);
        else line[line.length - 1] = s;
        now.push(`${label} ${Math.round(s * 100)} %`);
      }
    });
    satNote.textContent = `Saturated now: ${now.join(' · ')} (σ gates below 0.05 or above 0.95, candidates beyond ±0.95). A saturated gate passes almost no gradient.`;
    const names = [...series.lines.keys()];
    if (names.join('|') !== labels.join('|') || !plot) {
      labels = names;
      build();
    } else {
      plot.setData([series.steps, ...labels.map((l) => series.lines.get(l))]);
    }
  };

  // The histogram of recent pre-clip norms.
  const norms = [];
  let queued = false;
  const drawHist = () => {
    queued = false;
    const i = run.get('info');
    if (!i || norms.length === 0) return;
    const w = Math.max(200, histWidth || 600);
    if (hist.width !== w * (devicePixelRatio || 1)) {
      hist.width = w * (devicePixelRatio || 1);
      hist.height = 150 * (devicePixelRatio || 1);
    }
    const dpr = devicePixelRatio || 1;
    const c = hist.getContext('2d');
    const W = hist.width;
    const H = hist.height;
    c.clearRect(0, 0, W, H);
    const cfg = i.config;
    const positive = norms.filter((n) => n > 0 && Number.isFinite(n));
    if (!positive.length) return;
    let lo = Math.log10(Math.min(...positive));
    let hi = Math.log10(Math.max(...positive, cfg.clip_mode === 'norm' ? cfg.clip : 0));
    if (hi - lo < 1) {
      lo -= 0.5;
      hi += 0.5;
    }
    const BINS = 40;
    const counts = new Array(BINS).fill(0);
    for (const n of positive) counts[Math.min(BINS - 1, Math.floor(((Math.log10(n) - lo) / (hi - lo)) * BINS))]++;
    const top = Math.max(...counts);
    const pad = 18 * dpr;
    const col = colours(hist.parentNode, ['--train', '--muted', '--val', '--val-text']);
    c.fillStyle = col['--train'].css;
    for (let b = 0; b < BINS; b++) {
      const h = ((H - 2 * pad) * counts[b]) / top;
      c.fillRect((b / BINS) * W + 1, H - pad - h, W / BINS - 2, h);
    }
    c.fillStyle = col['--muted'].css;
    c.font = `${11 * dpr}px sans-serif`;
    for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) c.fillText(`1e${d}`, ((d - lo) / (hi - lo)) * W + 2, H - 4 * dpr);
    if (cfg.clip_mode === 'norm') {
      const x = ((Math.log10(cfg.clip) - lo) / (hi - lo)) * W;
      c.strokeStyle = col['--val'].css;
      c.lineWidth = 2 * dpr;
      c.beginPath();
      c.moveTo(x, pad / 2);
      c.lineTo(x, H - pad);
      c.stroke();
      c.fillStyle = col['--val-text'].css;
      c.fillText(`clip ${cfg.clip}`, Math.min(x + 4 * dpr, W - 60 * dpr), pad);
    }
    const clipped = cfg.clip_mode === 'norm' ? positive.filter((n) => n > cfg.clip).length : 0;
    histNote.textContent = `The last ${positive.length.toLocaleString('en-US')} steps, log scale.${cfg.clip_mode === 'norm' ? ` ${clipped.toLocaleString('en-US')} (${((100 * clipped) / positive.length).toFixed(0)} %) were above the threshold ${cfg.clip} and were clipped.` : cfg.clip_mode === 'none' ? ' Clipping is off.' : ` Clipping by value at ±${cfg.clip} (per element; not shown here).`}`;
  };
  const offs = [
    onThemeChange(section, () => {
      if (plot) build();
      drawHist();
    }),
    ctx.on('probe', onProbe),
    ctx.on('progress', (p) => {
      if (p.norms) for (const n of p.norms) norms.push(n);
      if (norms.length > KEEP_NORMS) norms.splice(0, norms.length - KEEP_NORMS);
      if (!queued) {
        queued = true;
        setTimeout(drawHist, 500);
      }
    }),
    ctx.on('built', () => {
      norms.length = 0;
      series.steps = [];
      series.lines = new Map();
      labels = [];
      if (plot) plot.destroy();
      plot = null;
      satNote.textContent = '';
      histNote.textContent = '';
      hist.getContext('2d').clearRect(0, 0, hist.width, hist.height);
    }),
  ];
  if (run.last('probe')) onProbe(run.last('probe'));
  return {
    destroy() {
      for (const off of offs) off();
      ro.disconnect();
      if (plot) plot.destroy();
      section.remove();
    },
  };
}
