// Surprisal view: the probe text (its first 128 characters) coloured by how surprised the model
// was by each character, −log₂ p in bits; hovering or focusing a character shows the five
// likeliest predictions at that point with their probabilities.

import { el, clear } from './dom.js';

const shown = (ch) => (ch === '\n' ? '↵' : ch === ' ' ? '␣' : ch === '\t' ? '⇥' : ch);
const MAX_BITS = 8; // full colour at 8 bits (a 1-in-256 surprise)

function colour(bits) {
  const a = Math.min(1, bits / MAX_BITS);
  // Green (expected) → yellow → red (surprising).
  const r = Math.round(60 + 195 * Math.min(1, a * 2));
  const g = Math.round(180 - 150 * Math.max(0, a * 2 - 1));
  return `rgba(${r}, ${g}, 60, ${(0.15 + 0.6 * a).toFixed(3)})`;
}

export function mount(parent, ctx) {
  const text = el('div', { id: 'surprisal-text', class: 'surprisal-text', role: 'group', 'aria-label': 'Probe text coloured by surprisal; each character can be focused' });
  const readout = el('p', { id: 'surprisal-readout', class: 'meta surprisal-readout', 'aria-live': 'polite' }, 'Hover or focus a character to see what the model expected there.');
  const summary = el('p', { class: 'meta' });
  const section = el('section', { class: 'card view-surprisal', 'aria-labelledby': 'sur-h', role: 'region', 'aria-label': 'Surprisal' },
    el('h2', { id: 'sur-h' }, 'Surprisal ', el('span', { class: 'sub' }, '−log₂ p of each character of the probe text')),
    text, readout, summary,
    el('p', { class: 'explain' }, 'Green: the model expected this character (few bits); red: it did not (8 bits or more is a 1-in-256 surprise). The loss is the average of these, in nats (bits × ln 2).'));
  parent.append(section);

  let trace = null;
  let vocab = [];
  const spans = [];
  const explain = (t) => {
    // Character t + 1 was predicted at position t.
    const V = trace.probs.length / trace.targets.length;
    const p = trace.probs.subarray(t * V, (t + 1) * V);
    const top = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a]).slice(0, 5);
    const target = trace.targets[t];
    const bits = trace.loss[t] / Math.LN2;
    readout.textContent = `“${shown(trace.tokens[t + 1])}” after “${trace.tokens.slice(Math.max(0, t - 11), t + 1).map(shown).join('')}”: ${bits.toFixed(2)} bits. Expected: ${top.map((id) => `“${shown(vocab[id] ?? '?')}” ${(p[id] * 100).toFixed(1)} %${id === target ? ' ✓' : ''}`).join(', ')}`;
  };
  const render = () => {
    if (!trace) return;
    const chars = trace.tokens;
    if (spans.length !== chars.length || spans.some((s, i) => s.dataset.ch !== chars[i])) {
      clear(text);
      spans.length = 0;
      chars.forEach((ch, i) => {
        const s = el('span', { class: ch === '\n' ? 'nl' : '' }, ch === '\n' ? '↵' : ch);
        s.dataset.ch = ch;
        if (i > 0) {
          s.tabIndex = 0;
          s.addEventListener('mouseenter', () => explain(i - 1));
          s.addEventListener('focus', () => explain(i - 1));
        }
        spans.push(s);
        text.append(s);
        if (ch === '\n') text.append('\n');
      });
    }
    let total = 0;
    for (let t = 0; t < trace.targets.length; t++) {
      const bits = trace.loss[t] / Math.LN2;
      total += bits;
      spans[t + 1].style.backgroundColor = colour(bits);
      spans[t + 1].setAttribute('aria-label', `${shown(chars[t + 1])}: ${bits.toFixed(1)} bits`);
    }
    summary.textContent = `Average over these ${trace.targets.length} characters: ${(total / trace.targets.length).toFixed(3)} bits per character.`;
  };
  const offs = [
    ctx.follow('trace', (m) => {
      trace = m.trace;
      vocab = m.vocab ?? vocab;
      render();
    }),
    ctx.on('built', () => {
      trace = null;
      clear(text);
      spans.length = 0;
    }),
  ];
  return {
    destroy() {
      for (const off of offs) off();
      section.remove();
    },
  };
}
