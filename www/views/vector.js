// A vector of numbers, shown whole: up to 32 entries as numbers on coloured cells; more as a strip
// of coloured pixels with a readout under the pointer or the keyboard (arrow keys). Colour, from
// the theme: the training colour for negative, the validation colour for positive, saturated at
// ±`scale` (cells carrying numbers at most 40 % of the way from the card, so the numbers stay
// readable; the strip, which carries no text, all the way).

import { el, clear } from './dom.js';
import { colours, mix } from '../theme.js';

const MAX_NUMBERS = 32;

/** The colours a vector is drawn with, as `node` (in the playground's tree) sees them. */
function palette(node) {
  const c = colours(node, ['--card', '--train', '--val', '--muted']);
  return { card: c['--card'].rgb, neg: c['--train'].rgb, pos: c['--val'].rgb, none: c['--muted'].rgb };
}

function colour(v, scale, p, most = 0.4) {
  if (!Number.isFinite(v)) return mix(p.card, p.none, 0.3);
  return mix(p.card, v >= 0 ? p.pos : p.neg, Math.min(1, Math.abs(v) / scale) * most);
}

const num = (v) => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 100 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : v.toFixed(3));

export class VectorView {
  /** `label`: what the vector is (announced with each readout); `themed`: a node in the playground. */
  constructor(label, themed) {
    this.label = label;
    this.themed = themed;
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
    const p = palette(this.themed);
    if (n <= MAX_NUMBERS) {
      if (this.cells.length !== n || this.canvas) {
        clear(this.node);
        this.canvas = null;
        this.cells = Array.from({ length: n }, (_, i) => el('span', { class: 'vec-cell', title: `${this.label}[${i}]` }));
        this.node.append(el('div', { class: 'vec-numbers' }, ...this.cells));
      }
      for (let i = 0; i < n; i++) {
        this.cells[i].textContent = num(values[i]);
        this.cells[i].style.backgroundColor = `rgb(${colour(values[i], scale, p).join(', ')})`;
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
      const [r, g, b] = colour(values[i], scale, p, 1);
      img.data[i * 4] = r;
      img.data[i * 4 + 1] = g;
      img.data[i * 4 + 2] = b;
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
