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

/** Converts a loss in nats to the chosen unit ('nats', 'bits' or 'ppl'); null when missing. */
export function convert(nats, units) {
  if (nats === null || nats === undefined || !Number.isFinite(nats)) return null;
  if (units === 'bits') return nats / Math.LN2;
  if (units === 'ppl') return Math.exp(nats);
  return nats;
}

/** The label of a unit. */
export const UNIT_LABEL = { nats: 'nats/char', bits: 'bits/char', ppl: 'perplexity' };

/** A loss in nats shown in `units`, '–' when missing. */
export function fmtLoss(nats, units) {
  const v = convert(nats, units);
  return v === null ? '–' : units === 'ppl' ? v.toFixed(v < 10 ? 2 : 1) : v.toFixed(3);
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
