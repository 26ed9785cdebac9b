// Neuron view: a canvas heatmap of one layer's activation (units × time) over the probe text,
// with a diverging blue–neutral–red colour map over [−1, 1], a hover/keyboard readout, and the
// probe text coloured by one selected unit (Karpathy's per-neuron view), and the probe text input.

import { el, clear, showToken } from './dom.js';
import { colours, mix, onThemeChange } from '../theme.js';

/** What each activation means, shown under the selectors. */
const MEANING = {
  h: 'h — the hidden state passed to the next token and the next layer (in [−1, 1]).',
  c: 'c — the LSTM cell state, the long-term memory; it can exceed ±1 (colours saturate).',
  i: 'i — LSTM input gate in [0, 1]: how much new content is written into c.',
  f: 'f — LSTM forget gate in [0, 1]: how much of c is kept (1 = remember).',
  g: 'g — LSTM candidate content in [−1, 1], written into c where i is open.',
  o: 'o — LSTM output gate in [0, 1]: how much of tanh(c) is exposed as h.',
  r: 'r — GRU reset gate in [0, 1]: how much of the old h feeds the candidate n.',
  z: 'z — GRU update gate in [0, 1]: 1 keeps the old h, 0 takes the candidate n.',
  n: 'n — GRU candidate state in [−1, 1].',
};

// A diverging colour map over [−1, 1] from the theme: the training colour for negative values, the
// card's tint in the middle, the validation colour for positive ones (each end deepened a little
// towards the text colour), so the map reads on any host's colours.
function makeColours(node) {
  const c = colours(node, ['--train', '--val', '--heat-mid', '--card', '--fg']);
  const fg = c['--fg'].rgb;
  const mid = c['--heat-mid'].rgb;
  const neg = c['--train'].rgb;
  const pos = c['--val'].rgb;
  const stops = [mix(neg, fg, 0.25), mix(mid, neg, 0.55), mid, mix(mid, pos, 0.55), mix(pos, fg, 0.25)];
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * 4; // 0..4 across the 5 stops
    const k = Math.min(3, Math.floor(x));
    const f = x - k;
    for (let j = 0; j < 3; j++) lut[i * 3 + j] = stops[k][j] * (1 - f) + stops[k + 1][j] * f;
  }
  return { lut, card: c['--card'].rgb, neg, pos };
}

const lutIndex = (v) => Math.max(0, Math.min(255, Math.round(((v + 1) / 2) * 255)));

/**
 * Background for a probe-text character: the card tinted towards the map's colour, at most 40 %,
 * so that the text on it keeps its contrast.
 */
function textBg(v, col) {
  if (!Number.isFinite(v)) return '';
  const a = Math.min(1, Math.abs(v)) * 0.4;
  return `rgb(${mix(col.card, v >= 0 ? col.pos : col.neg, a).join(', ')})`;
}

const shown = showToken;

class HeatmapView {
  /**
   * `nodes`: {canvas, tip, marker, readout, text, layer, act, actHint, interesting, legend, unitLabel, units};
   * `onChange(partialSelection)` is called on user selection.
   */
  constructor(nodes, onChange) {
    this.n = nodes;
    this.onChange = onChange;
    this.data = null; // last probe {tokens, hidden, layers}
    this.sel = { layer: 0, act: 'h', unit: null };
    this.cursor = null; // keyboard cursor {t, u}
    this.col = makeColours(nodes.canvas);
    this.lut = this.col.lut;
    this.spans = [];
    this.busyRank = 0;
    this.offTheme = onThemeChange(nodes.canvas, () => {
      this.col = makeColours(nodes.canvas);
      this.lut = this.col.lut;
      this.drawLegend();
      this.draw();
      this.paintText();
    });
    this.drawLegend();
    this.wire();
  }

  wire() {
    const { canvas, layer, act, interesting, text } = this.n;
    layer.addEventListener('change', () => this.onChange({ layer: Number(layer.value) }));
    act.addEventListener('change', () => this.onChange({ act: act.value }));
    canvas.addEventListener('mousemove', (e) => this.hover(this.cellAt(e)));
    canvas.addEventListener('mouseleave', () => this.hover(null));
    canvas.addEventListener('click', (e) => {
      const c = this.cellAt(e);
      if (c) this.onChange({ unit: c.u });
    });
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('blur', () => this.hover(null));
    interesting.addEventListener('click', () => {
      const u = this.busyUnit();
      if (u !== null) this.onChange({ unit: u });
    });
    // Hovering a character of the probe text reads out the selected unit's value there.
    text.addEventListener('mouseover', (e) => {
      const t = this.spans.indexOf(e.target);
      if (t >= 0 && this.sel.unit !== null) this.readout(t, this.sel.unit);
    });
  }

  /** The (t, unit) cell under a mouse event, or null. */
  cellAt(e) {
    const m = this.matrix();
    if (!m) return null;
    const r = this.n.canvas.getBoundingClientRect();
    const t = Math.floor(((e.clientX - r.left) / r.width) * m.T);
    const u = Math.floor(((e.clientY - r.top) / r.height) * m.H);
    if (t < 0 || u < 0 || t >= m.T || u >= m.H) return null;
    return { t, u, x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /** The currently selected (T × H) matrix, or null. */
  matrix() {
    const d = this.data;
    if (!d) return null;
    const layer = d.layers[Math.min(this.sel.layer, d.layers.length - 1)];
    const a = layer.find((x) => x.name === this.sel.act) ?? layer[0];
    return { T: d.tokens.length, H: d.hidden, values: a.values, name: a.name };
  }

  readout(t, u) {
    const m = this.matrix();
    if (!m) return;
    const v = m.values[t * m.H + u];
    this.n.readout.textContent = `“${shown(this.data.tokens[t])}” at t = ${t} · unit ${u} · ${m.name} = ${v.toFixed(3)}`;
  }

  hover(c) {
    const { tip } = this.n;
    if (!c) {
      tip.hidden = true;
      return;
    }
    const m = this.matrix();
    const v = m.values[c.t * m.H + c.u];
    tip.textContent = `“${shown(this.data.tokens[c.t])}” · unit ${c.u} · ${v.toFixed(3)}`;
    tip.hidden = false;
    this.readout(c.t, c.u);
    // Keep the tooltip inside the canvas box.
    const box = this.n.canvas.getBoundingClientRect();
    const w = tip.offsetWidth;
    const x = c.x ?? ((c.t + 0.5) / m.T) * box.width;
    const y = c.y ?? ((c.u + 0.5) / m.H) * box.height;
    tip.style.left = `${Math.max(0, Math.min(box.width - w, x + 12))}px`;
    tip.style.top = `${Math.max(0, y - 34)}px`;
  }

  key(e) {
    const m = this.matrix();
    if (!m) return;
    const c = this.cursor ?? { t: 0, u: this.sel.unit ?? 0 };
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], PageUp: [0, -8], PageDown: [0, 8], Home: [-1e9, 0], End: [1e9, 0] };
    if (moves[e.key]) {
      e.preventDefault();
      const [dt, du] = moves[e.key];
      this.cursor = { t: Math.max(0, Math.min(m.T - 1, c.t + dt)), u: Math.max(0, Math.min(m.H - 1, c.u + du)) };
      this.hover(this.cursor);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.cursor = c;
      this.onChange({ unit: c.u });
    }
  }

  /** The unit with the largest variance over time, cycling through the top few on repeat. */
  busyUnit() {
    const m = this.matrix();
    if (!m) return null;
    const vars = [];
    for (let u = 0; u < m.H; u++) {
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < m.T; t++) {
        const v = m.values[t * m.H + u];
        s += v;
        s2 += v * v;
      }
      const mean = s / m.T;
      vars.push([s2 / m.T - mean * mean, u]);
    }
    vars.sort((a, b) => b[0] - a[0]);
    const top = vars.slice(0, Math.min(8, vars.length));
    const pick = top[this.busyRank % top.length][1];
    this.busyRank += 1;
    return pick;
  }

  /** New probe data and/or selection; redraws everything. */
  render(data, sel) {
    if (data) this.data = data;
    if (sel) this.sel = { ...this.sel, ...sel };
    this.syncSelectors();
    this.draw();
    this.paintText();
  }

  /** Removes the data (a new model is being built). */
  reset() {
    this.data = null;
    this.spans = [];
    clear(this.n.text);
    this.n.readout.textContent = '';
    this.n.marker.hidden = true;
    const ctx = this.n.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.n.canvas.width, this.n.canvas.height);
    this.n.interesting.disabled = true;
  }

  syncSelectors() {
    const d = this.data;
    if (!d) return;
    const { layer, act, actHint, interesting } = this.n;
    const L = d.layers.length;
    if (layer.options.length !== L) {
      clear(layer);
      for (let k = 0; k < L; k++) layer.append(el('option', { value: String(k) }, `${k + 1} of ${L}${k === 0 ? ' (bottom)' : k === L - 1 ? ' (top)' : ''}`));
    }
    layer.value = String(Math.min(this.sel.layer, L - 1));
    const names = d.layers[0].map((a) => a.name);
    if ([...act.options].map((o) => o.value).join() !== names.join()) {
      clear(act);
      for (const name of names) act.append(el('option', { value: name }, name === 'h' ? 'h (hidden state)' : name === 'c' ? 'c (cell state)' : `${name} (gate)`));
    }
    act.value = names.includes(this.sel.act) ? this.sel.act : names[0];
    actHint.textContent = MEANING[act.value] ?? '';
    interesting.disabled = false;
  }

  draw() {
    const m = this.matrix();
    const { canvas, marker } = this.n;
    if (!m) return;
    if (canvas.width !== m.T || canvas.height !== m.H) {
      canvas.width = m.T;
      canvas.height = m.H;
    }
    // Taller for more units, within limits; one pixel per cell, scaled up by CSS (pixelated).
    canvas.style.height = `${Math.max(140, Math.min(360, m.H * 2))}px`;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(m.T, m.H);
    const px = img.data;
    const lut = this.lut;
    for (let t = 0; t < m.T; t++) {
      const row = t * m.H;
      for (let u = 0; u < m.H; u++) {
        const i = lutIndex(m.values[row + u]) * 3;
        const o = (u * m.T + t) * 4;
        px[o] = lut[i];
        px[o + 1] = lut[i + 1];
        px[o + 2] = lut[i + 2];
        px[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    if (this.n.units) this.n.units.textContent = `0…${m.H - 1}`;
    const u = this.sel.unit;
    if (u !== null && u < m.H) {
      marker.hidden = false;
      marker.style.top = `${(u / m.H) * 100}%`;
      marker.style.height = `${100 / m.H}%`;
    } else {
      marker.hidden = true;
    }
  }

  /** Colours the probe text by the selected unit's activation (or plain when none is selected). */
  paintText() {
    const d = this.data;
    if (!d) return;
    const { text } = this.n;
    const same = this.spans.length === d.tokens.length && this.spans.every((s, i) => s.dataset.ch === d.tokens[i]);
    if (!same) {
      clear(text);
      // One span per token (a column of the heatmap); a word model's tokens are outlined, and a
      // token the vocabulary lacks (read as the unknown token) is marked.
      text.classList.toggle('words', d.words);
      this.spans = d.tokens.map((ch, i) => {
        const nl = ch.includes('\n');
        const s = el('span', {}, nl ? ch.replace(/\r?\n/g, '↵') : ch);
        s.dataset.ch = ch;
        const unknown = d.ids && d.unknownId !== null && d.unknownId !== undefined && d.ids[i] === d.unknownId;
        s.className = [nl ? 'nl' : '', 'tok', unknown ? 'unk-text' : ''].filter(Boolean).join(' ');
        if (unknown) s.title = 'not in the vocabulary: read as the unknown token';
        text.append(s);
        if (nl) text.append('\n');
        return s;
      });
    }
    const m = this.matrix();
    const u = this.sel.unit;
    const label = this.n.unitLabel;
    if (label) label.textContent = u === null ? 'Unit (click a row)' : `Unit ${u}`;
    for (let t = 0; t < this.spans.length; t++) {
      this.spans[t].style.backgroundColor = u === null || u >= m.H ? '' : textBg(m.values[t * m.H + u], this.col);
    }
  }

  drawLegend() {
    const c = this.n.legend;
    c.width = 256;
    c.height = 1;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(256, 1);
    for (let i = 0; i < 256; i++) {
      img.data[i * 4] = this.lut[i * 3];
      img.data[i * 4 + 1] = this.lut[i * 3 + 1];
      img.data[i * 4 + 2] = this.lut[i * 3 + 2];
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
}

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const layer = el('select', { id: 'heat-layer' });
  const act = el('select', { id: 'heat-act', 'aria-describedby': 'heat-act-hint' });
  const interesting = el('button', { id: 'btn-interesting', type: 'button', class: 'small', disabled: true }, 'Pick a busy unit');
  const unitLabel = el('span', { class: 'label', id: 'heat-unit-label' }, 'Unit');
  const actHint = el('p', { id: 'heat-act-hint', class: 'hint meta wide' });
  const canvas = el('canvas', {
    id: 'heatmap', width: 1, height: 1, tabindex: '0', 'aria-describedby': 'heat-readout',
    'aria-label': 'Activation heatmap: one row per unit, one column per token (character or word) of the probe text. Hover to read values, click a row to colour the text by that unit; with the keyboard use the arrow keys and Enter.',
  });
  const marker = el('div', { id: 'heat-marker', class: 'heat-marker', hidden: true });
  const tip = el('div', { id: 'heat-tip', class: 'heat-tip', hidden: true });
  const units = el('span', { id: 'heat-units' }, '0…H−1');
  const legend = el('canvas', { id: 'heat-legend', width: 140, height: 1, 'aria-hidden': 'true' });
  // The readout is announced, so keyboard and screen-reader users hear the value under the cursor.
  const readout = el('p', { id: 'heat-readout', class: 'heat-readout', 'aria-live': 'polite' });
  const text = el('div', { id: 'probe-text', class: 'probe-text', 'aria-label': 'Probe text coloured by the selected unit' });
  const input = el('textarea', {
    id: 'probe-input', rows: 3, spellcheck: 'false', 'aria-describedby': 'probe-hint',
    title: 'Text run through the network to show its activations (at most 2048 characters)',
  });
  const section = el('section', { class: 'card view-heatmap', 'aria-labelledby': 'heat-h' },
    el('h2', { id: 'heat-h' }, 'Neurons ', el('span', { class: 'sub' }, 'activations over a probe text')),
    el('div', { class: 'heat-controls' },
      el('div', { class: 'field' }, el('label', { for: 'heat-layer' }, 'Layer'), layer),
      el('div', { class: 'field' }, el('label', { for: 'heat-act' }, 'Activation'), act),
      el('div', { class: 'field' }, unitLabel, interesting),
      actHint),
    el('div', { class: 'heat-canvas-box' }, canvas, marker, tip),
    el('p', { class: 'meta heat-caption' }, 'Rows: units (', units, ', top to bottom) · columns: the tokens of the probe text (characters, or words and marks), left to right.'),
    el('div', { class: 'row spread' }, el('div', { class: 'legend-bar' }, el('span', {}, '−1'), legend, el('span', {}, '+1')), readout),
    text,
    el('div', { class: 'field probe-field' },
      el('label', { for: 'probe-input' }, 'Probe text'), input,
      el('span', { id: 'probe-hint', class: 'hint meta' }, 'Run through the network from a zero state every couple of seconds (held-out text by default). Click a row of the heatmap to see one neuron’s activation on each token, as in Karpathy’s “The Unreasonable Effectiveness of Recurrent Neural Networks”.')));
  parent.append(section);
  const sel = { layer: 0, act: 'h', unit: null };
  const view = new HeatmapView({ canvas, tip, marker, readout, text, layer, act, actHint, interesting, legend, unitLabel, units }, (change) => {
    Object.assign(sel, change);
    view.render(null, sel);
  });
  let edited = false;
  input.addEventListener('input', () => {
    edited = input.value.trim() !== '';
    pg.setProbeText(edited ? input.value : '');
  });
  const show = (m) => view.render({ tokens: m.tokens, ids: m.ids, unknownId: m.unknownId, words: run.get('info')?.tokens === 'words', hidden: m.hidden, layers: m.layers }, sel);
  const offs = [
    ctx.on('probe', show),
    ctx.on('built', (m) => {
      sel.unit = null;
      sel.layer = Math.min(sel.layer, m.info.dims.layers - 1);
      if (!edited) input.value = m.probeText;
      view.reset();
    }),
  ];
  if (run.last('built') && !edited) input.value = run.last('built').probeText;
  if (run.last('probe')) show(run.last('probe'));
  return {
    destroy() {
      for (const off of offs) off();
      view.offTheme();
      section.remove();
    },
  };
}
