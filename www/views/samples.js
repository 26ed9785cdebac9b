// Samples view: a fixed-height scroll box (no layout jump) with the newest sample on top and a
// short history below. Text goes in with textContent only.

import { el, clear } from './dom.js';

const KEEP = 25; // history length

export class SamplesView {
  constructor(node) {
    this.node = node;
    this.empty();
  }

  /** Shows the placeholder (no model yet, or after a reset). */
  empty(message = 'Samples appear here once training starts.') {
    clear(this.node);
    this.node.append(el('p', { class: 'empty' }, message));
  }

  /** Adds a sample {step, text, prime, temperature, unknown} at the top. */
  add({ step, text, prime, temperature, topK, topP, unknown }) {
    const placeholder = this.node.querySelector('.empty');
    if (placeholder) placeholder.remove();
    const t = Number(temperature);
    let head = `step ${step} · temperature ${t.toFixed(2)}${t === 0 ? ' (greedy)' : ''}`;
    if (topK) head += ` · top-k ${topK}`;
    if (topP !== undefined && topP < 1) head += ` · top-p ${topP}`;
    if (unknown && unknown.length) head += ` · not in vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`;
    const pre = el('pre');
    if (prime) pre.append(el('span', { class: 'prime', title: 'prime text' }, prime));
    pre.append(text);
    const item = el('article', { class: 'sample' }, el('header', {}, head), pre);
    // Keep the reader's position: if they scrolled down into the history, don't yank it.
    const atTop = this.node.scrollTop < 4;
    const before = this.node.scrollHeight;
    this.node.prepend(item);
    while (this.node.children.length > KEEP) this.node.lastElementChild.remove();
    if (!atTop) this.node.scrollTop += this.node.scrollHeight - before;
  }
}
