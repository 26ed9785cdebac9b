// Loss chart (uPlot): smoothed training loss, validation loss and a dashed uniform-guess baseline
// at log V, in nats, bits per character or perplexity. Also the small gradient-through-time chart.
// The data lives in main.js; this view only converts units and draws.

import uPlot from '../vendor/uPlot.esm.js';
import { cssVar, convert, unitLabel } from './dom.js';
import { axisColours, colours, onThemeChange, seriesColours } from '../theme.js';

/** Calls `fn(width)` whenever `node`'s content width changes (and once now). */
function onWidth(node, fn) {
  let last = 0;
  const ro = new ResizeObserver(() => {
    const w = Math.floor(node.clientWidth);
    if (w > 0 && w !== last) {
      last = w;
      fn(w);
    }
  });
  ro.observe(node);
  return ro;
}

/**
 * What every chart here shares: a uPlot in `node`, resized with it, rebuilt when the colours
 * change (the theme setting, the system's scheme, a host's theme: www/theme.js). Subclasses
 * define `build()`.
 */
export class PlotBox {
  constructor(node, height) {
    this.node = node;
    this.plot = null;
    this.height = height;
    // The width as last laid out: read here, after layout, a build mid-task forces none.
    this.width = 0;
    this.ro = onWidth(node, (w) => {
      this.width = w;
      if (this.plot) this.plot.setSize({ width: w, height: this.height });
      else this.build();
    });
    this.offTheme = onThemeChange(node, () => this.plot && this.build());
  }

  destroy() {
    this.ro.disconnect();
    this.offTheme();
    if (this.plot) this.plot.destroy();
    this.plot = null;
  }
}

/**
 * The loss chart. `update(data)` with {steps, train, val, trainBpc, valBpc, tokens, charsPerToken,
 * logV, units, xMax, yRange, best, past, marks}: losses in nats per token, with their bits per
 * character (drawn in the unit `bits`, where a word run and a character run compare); `xMax` > 0
 * spans the x axis from 0 to it (the run's steps), `yRange` [lo, hi] in nats per token fixes the
 * y axis (null: fit the curves); `past` are earlier runs [{label, tokens, steps, train, val,
 * trainBpc, valBpc}], each drawn as its validation curve (or its training curve when it has fewer
 * than two validation points), named with its tokens; a click on a legend entry hides a curve.
 * `marks` [{step, label}] are dashed vertical lines where the learning rate or clipping changed.
 */
export class LossChart extends PlotBox {
  constructor(node) {
    // Shorter in the compact layout of embeds (playground.css sets --chart-height there).
    super(node, parseInt(cssVar('--chart-height', node), 10) || 240);
    this.units = 'nats';
    this.tokens = 'characters';
    this.data = [[], [], [], [], [], [], []];
    this.pastLabels = [];
    this.marks = []; // [{step, label}]: live settings changed there
  }

  build() {
    const width = this.width;
    if (width <= 0) return;
    if (this.plot) this.plot.destroy();
    const units = this.units;
    const ppl = units === 'ppl';
    const fmtV = (v) => (v === null || v === undefined ? '–' : ppl ? v.toFixed(v < 10 ? 2 : 1) : v.toFixed(3));
    const c = colours(this.node, ['--muted', '--train', '--val', '--baseline']);
    const col = (n) => c[n].css;
    const past = seriesColours(this.node, 6 + this.pastLabels.length).slice(6);
    const markColor = col('--muted');
    const font = `11px ${cssVar('--sans', this.node) || 'sans-serif'}`;
    const opts = {
      width,
      height: this.height,
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
      // A dashed vertical line where the learning rate or clipping changed during the run.
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const dpr = devicePixelRatio || 1;
            ctx.save();
            ctx.strokeStyle = markColor;
            ctx.fillStyle = markColor;
            ctx.setLineDash([4 * dpr, 4 * dpr]);
            ctx.lineWidth = dpr;
            ctx.font = font.replace(/^\d+px/, `${11 * dpr}px`);
            for (const m of this.marks) {
              const x = u.valToPos(m.step, 'x', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.fillText(m.label, Math.min(x + 4 * dpr, u.bbox.left + u.bbox.width - ctx.measureText(m.label).width), u.bbox.top + 12 * dpr);
            }
            ctx.restore();
          },
        ],
      },
      scales: {
        // A run with a number of steps spans them from the start (a pair of playgrounds shares the axis).
        x: { time: false, ...(this.xMax > 0 ? { range: (u, min, max) => [0, Math.max(this.xMax, max ?? 0)] } : {}) },
        // An author's range (converted in update); else fit the curves.
        y: this.yRange
          ? { ...(ppl ? { distr: 3, log: 10 } : {}), range: () => this.yRange }
          : ppl ? { distr: 3, log: 10 } : { range: (u, min, max) => [Math.max(0, min - (max - min) * 0.05), max + (max - min) * 0.05 || 1] },
      },
      axes: [
        { ...axisColours(this.node), label: 'step', labelSize: 18, size: 34 },
        { ...axisColours(this.node), label: unitLabel(units, this.tokens), labelSize: 18, size: 46, values: (u, vals) => vals.map((v) => (v === null ? '' : ppl ? String(+v.toPrecision(3)) : +v.toFixed(2))) },
      ],
      series: [
        { label: 'step', value: (u, v) => (v === null ? '–' : String(v)) },
        { label: `train (smoothed, ${this.tokens})`, stroke: col('--train'), width: 2, value: (u, v) => fmtV(v), spanGaps: true, points: { show: false } },
        { label: `validation (${this.tokens})`, stroke: col('--val'), width: 2, value: (u, v) => fmtV(v), spanGaps: true, points: { show: true, size: 5, fill: col('--val') } },
        { label: 'uniform guess', stroke: col('--baseline'), width: 1.5, dash: [6, 5], value: (u, v) => fmtV(v), points: { show: false } },
        // What a frequency table would score on the training text: H(X) and H(X_t | X_t−1).
        { label: 'unigram entropy', stroke: col('--baseline'), width: 1, dash: [2, 4], value: (u, v) => fmtV(v), points: { show: false } },
        { label: 'bigram entropy', stroke: col('--baseline'), width: 1, dash: [10, 3, 2, 3], value: (u, v) => fmtV(v), points: { show: false } },
        // The best validation point: a ring, no line.
        { label: 'best validation', stroke: col('--val'), width: 0, value: (u, v) => fmtV(v), paths: () => null, points: { show: true, size: 12, width: 2, fill: 'transparent', stroke: col('--val') } },
        ...this.pastLabels.map((label, i) => ({ label, stroke: past[i], width: 1.5, dash: [2, 3], value: (u, v) => fmtV(v), spanGaps: true, points: { show: false } })),
      ],
    };
    this.plot = new uPlot(opts, this.data, this.node);
  }

  /**
   * Redraws with new raw data (nats per token and bits per character). Keeps the user's zoom only
   * when nothing else changed. `charsPerToken` (of the training text) turns the per-token baselines
   * into bits per character.
   */
  update({ steps, train, val, trainBpc = [], valBpc = [], tokens = 'characters', charsPerToken = 1, logV, units, xMax = 0, yRange = null, best = null, past = [], marks = [], unigram = null, bigram = null }) {
    this.marks = marks;
    const u = units;
    // A curve's values in the unit: bits per character from the engine's own series (a run saved
    // before they existed was over characters: nats / ln 2).
    const ys = (nats, bpc) => nats.map((v, i) => convert(v, u, bpc ? bpc[i] : null));
    // Per-token values (nats) in the unit; in bits per character over the text's characters.
    const baseline = (natsPerToken) => (u === 'bits' && Number.isFinite(natsPerToken) ? natsPerToken / Math.LN2 / charsPerToken : convert(natsPerToken, u));
    this.xMax = xMax;
    this.yRange = yRange && yRange[1] > yRange[0] ? yRange.map(baseline) : null;
    const ranges = `${xMax}|${this.yRange}`;
    const reranged = ranges !== this.ranges;
    this.ranges = ranges;
    const curves = past.map((r) => {
      const useVal = r.val.filter((v) => v !== null).length >= 2;
      // A run over the other kind of token says so (and, per token, what its unit counts).
      const kind = r.tokens ?? 'characters';
      const other = kind === tokens ? '' : `, ${kind}${u === 'bits' ? '' : `, per ${kind === 'words' ? 'token' : 'character'}`}`;
      return {
        label: `${r.label} (${useVal ? 'validation' : 'train'}${other})`,
        steps: r.steps,
        ys: useVal ? ys(r.val, r.valBpc) : ys(r.train, r.trainBpc),
      };
    });
    const labels = curves.map((c) => c.label);
    const rebuild = reranged || units !== this.units || tokens !== this.tokens || labels.join('\n') !== this.pastLabels.join('\n');
    this.units = units;
    this.tokens = tokens;
    this.pastLabels = labels;
    const bestY = best ? (u === 'bits' && best.bpc !== undefined ? best.bpc : convert(best.loss, u)) : null;
    this.setData(steps, ys(train, trainBpc), ys(val, valBpc), [logV, unigram, bigram].map(baseline), best ? { step: best.step, y: bestY } : null, curves);
    if (rebuild || !this.plot) this.build();
    else this.plot.setData(this.data);
  }

  /** The axes' spans now: {x: [min, max], y: [min, max]} in steps and the chart's units, or null. */
  spans() {
    const sc = this.plot?.scales;
    return sc && Number.isFinite(sc.x.min) && Number.isFinite(sc.y.min) ? { x: [sc.x.min, sc.x.max], y: [sc.y.min, sc.y.max] } : null;
  }

  setData(steps, train, val, baselines, best, curves) {
    // One x axis for all runs: the union of their steps, each curve null where it has no point.
    let xs = steps;
    if (curves.length) xs = [...new Set([...steps, ...curves.flatMap((c) => c.steps)])].sort((a, b) => a - b);
    const at = (ks, ys) => {
      const m = new Map(ks.map((k, i) => [k, ys[i]]));
      return xs.map((x) => (m.has(x) ? m.get(x) : null));
    };
    const same = xs === steps;
    this.data = [
      xs.slice(),
      same ? train : at(steps, train),
      same ? val : at(steps, val),
      ...baselines.map((b) => xs.map(() => b)),
      xs.map((x) => (best && x === best.step ? best.y : null)),
      ...curves.map((c) => at(c.steps, c.ys)),
    ];
  }
}

/** ‖∂L/∂h_t‖ over t of the last chunk, one line per layer, log y. */
export class GradChart extends PlotBox {
  constructor(node) {
    super(node, parseInt(cssVar('--chart-height-small', node), 10) || 180);
    this.layers = 0;
    this.data = [[]];
  }

  build() {
    const width = this.width;
    if (width <= 0) return;
    if (this.plot) this.plot.destroy();
    const palette = seriesColours(this.node, Math.max(1, this.layers));
    const series = [{ label: 't', value: (u, v) => (v === null ? '–' : String(v)) }];
    for (let k = 0; k < Math.max(1, this.layers); k++) {
      series.push({
        label: this.layers > 1 ? `layer ${k + 1}` : '‖∂L/∂hₜ‖',
        stroke: palette[k % palette.length],
        width: 2,
        points: { show: false },
        value: (u, v) => (v === null || v === undefined ? '–' : v.toExponential(2)),
      });
    }
    const opts = {
      width,
      height: this.height,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { distr: 3, log: 10 } },
      axes: [
        { ...axisColours(this.node), label: 'position t in chunk', labelSize: 18, size: 34 },
        { ...axisColours(this.node), size: 52, values: (u, vals) => vals.map((v) => (v === null ? '' : v.toExponential(0))) },
      ],
      series,
    };
    this.plot = new uPlot(opts, this.data, this.node);
  }

  /** `norms`: one Float32Array(T) per layer. */
  update(norms) {
    const T = norms.length ? norms[0].length : 0;
    const xs = Array.from({ length: T }, (_, t) => t);
    // A log scale cannot show zeros; they become gaps.
    const ys = norms.map((a) => Array.from(a, (v) => (v > 0 && Number.isFinite(v) ? v : null)));
    this.data = [xs, ...ys];
    if (norms.length !== this.layers || !this.plot) {
      this.layers = norms.length;
      this.build();
    } else {
      this.plot.setData(this.data);
    }
  }
}
