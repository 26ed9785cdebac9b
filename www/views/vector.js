// A vector of numbers, shown whole: up to 32 entries as numbers on coloured cells; more as a strip
// of coloured pixels with a readout under the pointer or the keyboard (arrow keys). Colour: blue
// for negative, red for positive, saturated at ±`scale`.

import { el, clear } from './dom.js';

const MAX_NUMBERS = 32;

function colour(v, scale) {
  if (!Number.isFinite(v)) return 'rgba(128,128,128,0.4)';
  const a = Math.min(1, Math.abs(v) / scale) * 0.75;
  return v >= 0 ? `rgba(214, 96, 77, ${a.toFixed(3)})` : `rgba(67, 147, 195, ${a.toFixed(3)})`;
}

const num = (v) => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 100 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : v.toFixed(3));

export class VectorView {
  /** `label`: what the vector is (announced with each readout). */
  constructor(label) {
    this.label = label;
    this.node = el('div', { class: 'vec' });
    this.values = null;
    this.cells = [];
    this.canvas = null;
    this.readout = el('span', { class: 'vec-readout meta', 'aria-live': 'polite' });
    this.cursor = 0;
  }

  /** Shows `values` (any array-like of numbers); `scale`: the magnitude of full colour. */
  set(values, scale = 1) {
    this.values = values;
    const n = values.length;
    if (n <= MAX_NUMBERS) {
      if (this.cells.length !== n || this.canvas) {
        clear(this.node);
        this.canvas = null;
        this.cells = Array.from({ length: n }, (_, i) => el('span', { class: 'vec-cell', title: `${this.label}[${i}]` }));
        this.node.append(el('div', { class: 'vec-numbers' }, ...this.cells));
      }
      for (let i = 0; i < n; i++) {
        this.cells[i].textContent = num(values[i]);
        this.cells[i].style.backgroundColor = colour(values[i], scale);
      }
      return;
    }
    if (!this.canvas) {
      clear(this.node);
      this.cells = [];
      this.canvas = el('canvas', { class: 'vec-strip', tabindex: '0', 'aria-label': `${this.label}: ${n} numbers; arrow keys read them` });
      this.canvas.addEventListener('mousemove', (e) => {
        const r = this.canvas.getBoundingClientRect();
        this.read(Math.floor(((e.clientX - r.left) / r.width) * this.values.length));
      });
      this.canvas.addEventListener('keydown', (e) => {
        const d = { ArrowLeft: -1, ArrowRight: 1, Home: -1e9, End: 1e9 }[e.key];
        if (d === undefined) return;
        e.preventDefault();
        this.read(Math.max(0, Math.min(this.values.length - 1, this.cursor + d)));
      });
      this.node.append(this.canvas, this.readout);
    }
    if (this.canvas.width !== n) {
      this.canvas.width = n;
      this.canvas.height = 1;
    }
    const ctx = this.canvas.getContext('2d');
    const img = ctx.createImageData(n, 1);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const a = Number.isFinite(v) ? Math.min(1, Math.abs(v) / scale) : 0;
      const [r, g, b] = v >= 0 ? [214, 96, 77] : [67, 147, 195];
      img.data[i * 4] = 255 - (255 - r) * a;
      img.data[i * 4 + 1] = 255 - (255 - g) * a;
      img.data[i * 4 + 2] = 255 - (255 - b) * a;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    this.read(Math.min(this.cursor, n - 1), true);
  }

  read(i, quiet = false) {
    if (!this.values || i < 0) return;
    this.cursor = i;
    const text = `${this.label}[${i}] = ${num(this.values[i])}`;
    if (!quiet || this.readout.textContent) this.readout.textContent = text;
  }
}
