// Tiny DOM helpers. The page never parses HTML strings (no innerHTML): every node is created
// here with createElement, attributes with setAttribute and text with text nodes.

/** Creates `<tag>` with attributes `attrs` and children (nodes or strings, strings as text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children);
  return node;
}

/** Removes every child of `node`. */
export function clear(node) {
  node.replaceChildren();
}

/**
 * Reads a CSS custom property (e.g. '--fg') as seen by `node`: inside an <rnn-playground>
 * element the host page's theme reaches the shadow tree through inheritance, not :root.
 */
export function cssVar(name, node = document.documentElement) {
  return getComputedStyle(node).getPropertyValue(name).trim();
}

/**
 * A loss in the chosen unit, null when missing: 'nats' per token, 'bits' per character (`bpc`,
 * the engine's total bits over the characters predicted; without it, a character model's nats /
 * ln 2) or 'ppl' (perplexity per token). Bits per character compare a word model with a
 * character model; nats and perplexity are per token, a word or a character.
 */
export function convert(nats, units, bpc = null) {
  if (units === 'bits' && bpc !== null && bpc !== undefined) return Number.isFinite(bpc) ? bpc : null;
  if (nats === null || nats === undefined || !Number.isFinite(nats)) return null;
  if (units === 'bits') return nats / Math.LN2;
  if (units === 'ppl') return Math.exp(nats);
  return nats;
}

/** The label of a unit for a model over `tokens` ('characters' or 'words'). */
export function unitLabel(units, tokens = 'characters') {
  const per = tokens === 'words' ? 'token' : 'char';
  return units === 'bits' ? 'bits/char' : units === 'ppl' ? `perplexity${tokens === 'words' ? ' per token' : ''}` : `nats/${per}`;
}

/** A loss (nats per token, and its bits per character when known) shown in `units`, '–' when missing. */
export function fmtLoss(nats, units, bpc = null) {
  const v = convert(nats, units, bpc);
  return v === null ? '–' : units === 'ppl' ? v.toFixed(v < 10 ? 2 : 1) : v.toFixed(3);
}

/**
 * A token as the page shows it: its text, with white space made visible; the unknown token is
 * not text and is shown by the caller as a marker (see `tokenNode`).
 */
export function showToken(t) {
  return t.replace(/\n/g, '↵').replace(/\r/g, '␍').replace(/\t/g, '⇥').replace(/ /g, '␣');
}

/**
 * An element for one token: its text, or for the vocabulary's unknown token a marker that cannot
 * be mistaken for text (a labelled box, class `unk`).
 */
export function tokenNode(text, unknown, tag = 'span') {
  if (!unknown) return el(tag, {}, text);
  return el(tag, { class: 'unk', title: 'unknown token: a word the vocabulary does not hold', 'aria-label': 'unknown token' }, 'unk');
}

/** Formats a number with a fixed number of significant decimals, '–' when missing. */
export function fmt(v, digits = 3) {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** Human size of a byte count. */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** Thousands separators. */
export function int(n) {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds as "42 s", "3 min 05 s" or "1 h 02 min". */
export function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
