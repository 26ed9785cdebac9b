// Surprisal view: the probe text (its first 128 tokens) coloured by how surprised the model was by
// each token, −log₂ p in bits, and that over the token's characters (so a word model's colours mean
// what a character model's do); hovering or focusing a token shows the five likeliest predictions at
// that point with their probabilities.

import { el, clear, showToken } from './dom.js';
import { colours, mix, onThemeChange } from '../theme.js';

const MAX_BITS = 8; // full colour at 8 bits per character (a 1-in-256 surprise)

/**
 * A character's background, from the theme: tinted towards the "ok" colour when expected (few
 * bits) and towards the "danger" colour when surprising, at most 45 % of the way from the card so
 * that the text on it stays readable.
 */
function colour(bits, p) {
  const a = Math.min(1, bits / MAX_BITS);
  const hue = mix(p.ok, p.danger, a);
  return `rgb(${mix(p.card, hue, 0.12 + 0.33 * a).join(', ')})`;
}

export function mount(parent, ctx) {
  const text = el('div', { id: 'surprisal-text', class: 'surprisal-text', role: 'group', 'aria-label': 'Probe text coloured by surprisal; each token can be focused' });
  const readout = el('p', { id: 'surprisal-readout', class: 'meta surprisal-readout', 'aria-live': 'polite' }, 'Hover or focus a token to see what the model expected there.');
  const summary = el('p', { class: 'meta' });
  const section = el('section', { class: 'card view-surprisal', 'aria-labelledby': 'sur-h', role: 'region', 'aria-label': 'Surprisal' },
    el('h2', { id: 'sur-h' }, 'Surprisal ', el('span', { class: 'sub' }, '−log₂ p of each token of the probe text, and per character')),
    text, readout, summary,
    el('p', { class: 'explain' }, 'Each token (a character, or a word or mark) is coloured by its surprise per character: its bits over its characters. Green: the model expected it (few bits); red: it did not (8 bits per character or more is a 1-in-256 surprise for each). The loss is the average per token, in nats (bits × ln 2); bits per character weigh every token by its length, so words and characters compare. A token the vocabulary lacks is underlined: the model read and predicted the unknown token there.'));
  const palette = () => {
    const c = colours(section, ['--card', '--ok-line', '--danger-line']);
    return { card: c['--card'].rgb, ok: c['--ok-line'].rgb, danger: c['--danger-line'].rgb };
  };
  parent.append(section);

  let trace = null;
  let vocab = [];
  let unknownId = null;
  const spans = [];
  // A vocabulary entry in a readout: quoted, or the unknown token, which is no text.
  const entry = (id) => (id === unknownId ? '(the unknown token)' : `“${showToken(vocab[id] ?? '?')}”`);
  const explain = (t) => {
    // Token t + 1 was predicted at position t.
    const V = trace.probs.length / trace.targets.length;
    const p = trace.probs.subarray(t * V, (t + 1) * V);
    const top = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a]).slice(0, 5);
    const target = trace.targets[t];
    const bits = trace.loss[t] / Math.LN2;
    const n = trace.chars[t + 1];
    const unknown = target === unknownId ? ' (read as the unknown token)' : '';
    readout.textContent = `“${showToken(trace.tokens[t + 1])}”${unknown} after “${trace.tokens.slice(Math.max(0, t - 11), t + 1).map(showToken).join('')}”: ${bits.toFixed(2)} bits${n > 1 ? `, ${(bits / n).toFixed(2)} per character over its ${n}` : ''}. Expected: ${top.map((id) => `${entry(id)} ${(p[id] * 100).toFixed(1)} %${id === target ? ' ✓' : ''}`).join(', ')}`;
  };
  const render = () => {
    if (!trace) return;
    const tokens = trace.tokens;
    if (spans.length !== tokens.length || spans.some((s, i) => s.dataset.ch !== tokens[i])) {
      clear(text);
      spans.length = 0;
      text.classList.toggle('words', ctx.pg.run.get('info')?.tokens === 'words');
      tokens.forEach((ch, i) => {
        const nl = ch.includes('\n');
        const unknown = trace.ids[i] === unknownId;
        const s = el('span', { class: ['tok', nl ? 'nl' : '', unknown ? 'unk-text' : ''].filter(Boolean).join(' ') }, nl ? ch.replace(/\r?\n/g, '↵') : ch);
        s.dataset.ch = ch;
        if (i > 0) {
          s.tabIndex = 0;
          s.addEventListener('mouseenter', () => explain(i - 1));
          s.addEventListener('focus', () => explain(i - 1));
        }
        spans.push(s);
        text.append(s);
        if (nl) text.append('\n');
      });
    }
    let total = 0;
    let chars = 0;
    const T = trace.targets.length;
    const p = palette();
    for (let t = 0; t < T; t++) {
      const bits = trace.loss[t] / Math.LN2;
      const n = trace.chars[t + 1];
      total += bits;
      chars += n;
      spans[t + 1].style.backgroundColor = colour(bits / n, p);
      spans[t + 1].setAttribute('aria-label', `${showToken(tokens[t + 1])}: ${bits.toFixed(1)} bits, ${(bits / n).toFixed(1)} per character`);
    }
    summary.textContent = chars === T
      ? `Average over these ${T} characters: ${(total / T).toFixed(3)} bits per character.`
      : `Over these ${T} tokens (${chars} characters): ${(total / T).toFixed(3)} bits per token, ${(total / chars).toFixed(3)} bits per character.`;
  };
  const offs = [
    onThemeChange(section, render),
    ctx.follow('trace', (m) => {
      trace = m.trace;
      vocab = m.vocab ?? vocab;
      unknownId = m.unknownId ?? null;
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
