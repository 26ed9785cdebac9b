// Gradient-flow view: for the probe text (its first 128 tokens, one stream, zero initial
// state), one lower-triangular T×T map per layer whose cell (t, k), k ≤ t, is ‖∂ℓ_t/∂h_k‖₂ — how
// much the loss at position t reaches back to the hidden state at step k — on a log colour scale;
// its last row (one late loss, every earlier step) as a curve on a fixed log axis; and the largest
// singular value of each gate block of W_hh over training. A tanh RNN's map fades away from the
// diagonal where an LSTM's stays bright: the vanishing gradient, plainly.

import { el, clear, showToken } from './dom.js';
import uPlot from '../vendor/uPlot.esm.js';
import { PlotBox } from './chart.js';
import { axisColours, colours, mix, onThemeChange, seriesColours } from '../theme.js';

const DECADES = 8; // the colour scale spans 10^-8 … 1 of each map's largest value
const AXIS = [1e-12, 1e2]; // the last-row curve's fixed y axis
const GATES = { rnn: ['W_hh'], lstm: ['i', 'f', 'g', 'o'], gru: ['r', 'z', 'n'] };

/**
 * The maps' ramp, 256 entries, from the theme: the card (no gradient) through the training colour
 * to the validation colour (the strongest), each step further from the card.
 */
function ramp(node) {
  const c = colours(node, ['--card', '--train', '--val', '--fg']);
  const card = c['--card'].rgb;
  const stops = [card, mix(card, c['--train'].rgb, 0.45), c['--train'].rgb, mix(c['--train'].rgb, c['--val'].rgb, 0.5), c['--val'].rgb];
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = stops[k][c] * (1 - f) + stops[k + 1][c] * f;
  }
  return lut;
}

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const maps = el('div', { class: 'flow-maps' });
  const readout = el('p', { class: 'meta flow-readout', 'aria-live': 'polite' });
  const summary = el('div', { class: 'flow-summaries' });
  const curveBox = el('div', { class: 'chart small flow-curve', role: 'img', 'aria-label': 'Gradient of the last position’s loss with respect to every earlier hidden state, log scale' });
  const sigmaBox = el('div', { class: 'chart small flow-sigma', role: 'img', 'aria-label': 'Largest singular value of each gate block of W_hh over training' });
  const section = el('section', { class: 'card view-flow', 'aria-labelledby': 'flow-h', role: 'region', 'aria-label': 'Gradient flow' },
    el('h2', { id: 'flow-h' }, 'Gradient flow ', el('span', { class: 'sub' }, '‖∂ℓₜ/∂hₖ‖ over the probe text')),
    maps, readout, summary,
    el('p', { class: 'meta' }, 'Row t, column k ≤ t: how strongly the loss at position t reaches back to the hidden state at step k (log colour scale, each map from its largest value down 8 decades; grey: no path, k > t). Along the diagonal the gradient is fresh; towards the left it has crossed t − k steps of ∂hⱼ/∂hⱼ₋₁. A tanh RNN fades quickly; gates keep it bright.'),
    el('h3', {}, 'The last position, every earlier step'), curveBox,
    el('h3', {}, 'σ_max of W_hh over training'), sigmaBox,
    el('p', { class: 'meta' }, 'The largest singular value of each gate block of W_hh. Above 1, some direction can grow step after step (exploding); well below 1, everything fades (vanishing).'));
  parent.append(section);

  let data = null; // {tokens, layers: [Float32Array(T·T)]}
  const canvases = [];
  let LUT = null;
  let none = [128, 128, 128]; // k > t: no path
  const draw = () => {
    if (!data) return;
    if (!LUT) {
      LUT = ramp(section);
      none = colours(section, ['--muted'])['--muted'].rgb;
    }
    const T = data.tokens.length - 1;
    if (T < 1) return;
    while (canvases.length < data.layers.length) {
      const c = el('canvas', { class: 'flow-map', tabindex: '0', 'aria-label': `Gradient-flow map of layer ${canvases.length + 1}: rows t, columns k` });
      const l = canvases.length;
      c.addEventListener('mousemove', (e) => hover(l, c, e));
      c.addEventListener('mouseleave', () => (readout.textContent = ''));
      canvases.push(c);
    }
    clear(maps);
    data.layers.forEach((m, l) => {
      const c = canvases[l];
      if (c.width !== T || c.height !== T) {
        c.width = T;
        c.height = T;
      }
      let max = 0;
      for (const v of m) if (v > max) max = v;
      const img = c.getContext('2d').createImageData(T, T);
      const px = img.data;
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < T; k++) {
          const o = (t * T + k) * 4;
          if (k > t) {
            px[o] = none[0];
            px[o + 1] = none[1];
            px[o + 2] = none[2];
            px[o + 3] = 60;
            continue;
          }
          const v = m[t * T + k];
          const x = v > 0 && max > 0 ? 1 + Math.log10(v / max) / DECADES : 0;
          const i = Math.max(0, Math.min(255, Math.round(x * 255))) * 3;
          px[o] = LUT[i];
          px[o + 1] = LUT[i + 1];
          px[o + 2] = LUT[i + 2];
          px[o + 3] = 255;
        }
      }
      c.getContext('2d').putImageData(img, 0, 0);
      maps.append(el('figure', { class: 'flow-fig' }, c, el('figcaption', { class: 'meta' }, data.layers.length > 1 ? `layer ${l + 1}` : `${run.get('info') ? run.get('info').dims.cell.toUpperCase() : ''}`)));
    });
    curve.update(data.layers.map((m) => Array.from({ length: T }, (_, k) => m[(T - 1) * T + k])));
    // In words: how far back the last loss still reaches, relative to its own step.
    clear(summary);
    data.layers.forEach((m, l) => {
      const last = (d) => m[(T - 1) * T + (T - 1 - d)];
      const at = [1, 10, 30, 100].filter((d) => d < T);
      const reach = Object.fromEntries([0, ...at, T - 1].map((d) => [d, last(d)]));
      const p = el('p', { class: 'meta flow-summary' }, `${data.layers.length > 1 ? `Layer ${l + 1}: t` : 'T'}he last loss reaches its own step at ${last(0).toExponential(1)}; ${at.map((d) => `${d} step${d > 1 ? 's' : ''} back ${(last(d) / last(0)).toExponential(0)} of that`).join(', ')}${T - 1 > (at[at.length - 1] ?? 0) ? `, ${T - 1} steps back ${(last(T - 1) / last(0)).toExponential(0)}` : ''}.`);
      p.dataset.reach = JSON.stringify(reach);
      summary.append(p);
    });
  };
  const hover = (l, c, e) => {
    if (!data) return;
    const T = data.tokens.length - 1;
    const r = c.getBoundingClientRect();
    const k = Math.floor(((e.clientX - r.left) / r.width) * T);
    const t = Math.floor(((e.clientY - r.top) / r.height) * T);
    if (t < 0 || k < 0 || t >= T || k >= T) return;
    const show = showToken;
    readout.textContent = k > t
      ? `k = ${k} is after t = ${t}: the loss at t cannot depend on it`
      : `layer ${l + 1}: ℓ at t = ${t} (predicting “${show(data.tokens[t + 1])}”) back to h at k = ${k} (after “${show(data.tokens[k])}”), ${t - k} steps: ${data.layers[l][t * T + k].toExponential(2)}`;
  };

  // The last row as a curve on a fixed log axis.
  const curve = new LogCurves(curveBox, 'k (step of the hidden state)', AXIS);
  // σ_max over training.
  const sigmaSeries = { steps: [], values: [] }; // values[i]: [layer][gate]
  const sigma = new LogCurves(sigmaBox, 'step', null);
  const onSigma = (m) => {
    const i = run.get('info');
    if (!i) return;
    if (sigmaSeries.steps.length && sigmaSeries.steps[sigmaSeries.steps.length - 1] === m.step) sigmaSeries.values.pop();
    else sigmaSeries.steps.push(m.step);
    sigmaSeries.values.push(m.values.map((a) => Array.from(a)));
    const names = GATES[i.dims.cell];
    const L = m.values.length;
    const lines = [];
    const labels = [];
    for (let l = 0; l < L; l++) {
      for (let g = 0; g < names.length; g++) {
        lines.push(sigmaSeries.values.map((v) => (v[l] ? v[l][g] : null)));
        labels.push(`${L > 1 ? `layer ${l + 1} ` : ''}${names[g]}`);
      }
    }
    sigma.update(lines, sigmaSeries.steps, labels);
  };

  if (!run.last('flow')) maps.append(el('p', { class: 'meta' }, 'The maps appear once a model is built (press Start or Step).'));
  const offs = [
    onThemeChange(section, () => {
      LUT = null;
      draw();
    }),
    ctx.follow('flow', (m) => {
      data = m;
      draw();
    }),
    ctx.follow('sigma', onSigma),
    ctx.on('built', () => {
      data = null;
      sigmaSeries.steps = [];
      sigmaSeries.values = [];
      clear(maps);
      maps.append(el('p', { class: 'meta' }, 'The maps appear here in a moment.'));
    }),
  ];
  return {
    destroy() {
      for (const off of offs) off();
      curve.destroy();
      sigma.destroy();
      section.remove();
    },
  };
}

/** Several curves on a log y axis (uPlot); `range`: a fixed [min, max] or null (automatic). */
class LogCurves extends PlotBox {
  constructor(node, xLabel, range) {
    super(node, 170);
    this.xLabel = xLabel;
    this.range = range;
    this.labels = [];
    this.data = [[]];
  }

  build() {
    const width = this.width;
    if (width <= 0) return;
    if (this.plot) this.plot.destroy();
    const axis = axisColours(this.node);
    const palette = seriesColours(this.node, this.labels.length);
    this.plot = new uPlot({
      width,
      height: this.height,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { distr: 3, log: 10, ...(this.range ? { range: () => this.range } : {}) } },
      axes: [{ ...axis, label: this.xLabel, labelSize: 18, size: 34 }, { ...axis, size: 52, values: (u, vals) => vals.map((x) => (x === null ? '' : x.toExponential(0))) }],
      series: [{ label: this.xLabel }, ...this.labels.map((label, i) => ({ label, stroke: palette[i], width: 1.5, spanGaps: true, points: { show: false }, value: (u, x) => (x === null || x === undefined ? '–' : x.toExponential(2)) }))],
    }, this.data, this.node);
  }

  /** `lines`: arrays of y values (zeros and non-finite become gaps); `xs` default 0, 1, … */
  update(lines, xs = null, labels = null) {
    const n = lines.length ? lines[0].length : 0;
    const x = xs ? xs.slice() : Array.from({ length: n }, (_, i) => i);
    const names = labels ?? lines.map((_, i) => (lines.length > 1 ? `layer ${i + 1}` : '‖∂ℓ/∂hₖ‖'));
    this.data = [x, ...lines.map((ys) => ys.map((y) => (y > 0 && Number.isFinite(y) ? y : null)))];
    if (names.join('|') !== this.labels.join('|') || !this.plot) {
      this.labels = names;
      this.build();
    } else {
      this.plot.setData(this.data);
    }
  }

}
