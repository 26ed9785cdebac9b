// Colours: the documented --rnn-* properties a host themes the playground with, the `theme`
// setting (auto, light, dark) applied as a `color-scheme`, and the colours the views draw on
// canvases, read from the same properties. playground.css derives every colour from these
// properties; the canvases (uPlot charts, heatmap, flow maps, vectors, histograms) read the
// resolved colours here, so a host's theme reaches them too.
//
// The table is the one list of the theming API: embedding.html prints it, embed.js accepts only
// these names from a host (embed-host.js forwards them), and e2e/theme.test.mjs checks that
// playground.css uses exactly these. No DOM at import time (Node imports the table).

/** The --rnn-* properties, with what each colours. `kind`: 'color' or 'font'. */
export const THEME_PROPERTIES = [
  { name: '--rnn-bg', kind: 'color', what: 'background around the cards (the embed’s page, the element’s box)' },
  { name: '--rnn-card', kind: 'color', what: 'cards, buttons, the centre of the heatmap’s colours' },
  { name: '--rnn-fg', kind: 'color', what: 'text; muted text, borders and tints are mixed from it and the card' },
  { name: '--rnn-muted', kind: 'color', what: 'secondary text and chart axes (default: 74 % --rnn-fg)' },
  { name: '--rnn-border', kind: 'color', what: 'borders (default: 17 % --rnn-fg)' },
  { name: '--rnn-accent', kind: 'color', what: 'Start, focus rings, links (mixed half-way with --rnn-fg for text)' },
  { name: '--rnn-accent-fg', kind: 'color', what: 'text on the accent (default: black or white, whichever reads)' },
  { name: '--rnn-input-bg', kind: 'color', what: 'inputs and selects (default: --rnn-card)' },
  { name: '--rnn-code-bg', kind: 'color', what: 'stat boxes, samples, code, badges (default: 4 % --rnn-fg on the card)' },
  { name: '--rnn-train', kind: 'color', what: 'the training curve; negative values in the heatmap and vectors' },
  { name: '--rnn-val', kind: 'color', what: 'the validation curve; positive values, surprising characters' },
  { name: '--rnn-ok', kind: 'color', what: 'the “training” badge (mixed half-way with --rnn-fg)' },
  { name: '--rnn-warn', kind: 'color', what: 'notes and the clipping badge (mixed half-way with --rnn-fg)' },
  { name: '--rnn-danger', kind: 'color', what: 'problems and the “diverged” badge (mixed half-way with --rnn-fg)' },
  { name: '--rnn-font', kind: 'font', what: 'the font family (declared by the host page: @font-face does not work in a shadow root)' },
  { name: '--rnn-mono', kind: 'font', what: 'the monospace font of samples and text' },
];

export const THEME_NAMES = THEME_PROPERTIES.map((p) => p.name);

/** True when `value` is a safe value for theme property `name` (from a host's message). */
export function validThemeValue(name, value) {
  const p = THEME_PROPERTIES.find((x) => x.name === name);
  if (!p || typeof value !== 'string' || value.length > 300 || /url\(|[;{}<>\\]/i.test(value)) return false;
  if (typeof CSS === 'undefined' || !CSS.supports) return false;
  return p.kind === 'color' ? CSS.supports('color', value) : CSS.supports('font-family', value);
}

/**
 * The `color-scheme` for `theme`: light or dark as asked; for auto, the host's own scheme when it
 * declares one (`hostScheme`: 'light' | 'dark' | null), else the system's ('light dark').
 */
export function schemeFor(theme, hostScheme = null) {
  if (theme === 'light' || theme === 'dark') return theme;
  return hostScheme === 'light' || hostScheme === 'dark' ? hostScheme : 'light dark';
}

/** 'light' or 'dark' when a computed `color-scheme` names exactly one of them, else null. */
export function singleScheme(colorScheme) {
  const words = String(colorScheme || '').split(/\s+/).filter((w) => w === 'light' || w === 'dark');
  return words.length === 1 ? words[0] : null;
}

// A 1×1 canvas turns any CSS colour the browser resolves (rgb(), color(srgb …), oklch(…)) into
// RGBA bytes.
let pixel = null;
function toRgba(css) {
  if (!pixel) {
    const c = document.createElement('canvas');
    c.width = 1;
    c.height = 1;
    pixel = c.getContext('2d', { willReadFrequently: true });
  }
  pixel.clearRect(0, 0, 1, 1);
  pixel.fillStyle = '#000';
  pixel.fillStyle = css;
  pixel.fillRect(0, 0, 1, 1);
  const d = pixel.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3] / 255];
}

// Resolved colours per playground root (document or shadow root), until the theme changes:
// reading them forces a style computation, too slow to do for every cell of every redraw.
const cache = new WeakMap(); // root → Map(name → colour)
let generation = 0; // the system's scheme changed: every cache is stale
const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
if (media) media.addEventListener('change', () => (generation += 1));

/**
 * The colours of CSS properties (e.g. '--fg', '--train') as `node` sees them, resolved (var(),
 * light-dark(), color-mix()) by a probe element inside `node`'s tree. Returns {name: {css, rgb}}:
 * `css` an rgb()/rgba() string any canvas or uPlot takes, `rgb` [r, g, b] (0–255) with `a`.
 * Cached per playground until themeChanged() or the system's scheme changes.
 */
export function colours(node, names) {
  const root = node.getRootNode();
  let known = cache.get(root);
  if (!known || known.generation !== generation) {
    known = new Map();
    known.generation = generation;
    cache.set(root, known);
  }
  const out = {};
  const missing = names.filter((n) => !known.has(n));
  if (missing.length) {
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;width:0;height:0;overflow:hidden;visibility:hidden;pointer-events:none';
    // A canvas's children are not rendered: probe beside it instead.
    (node instanceof HTMLCanvasElement ? node.parentNode : node).append(probe);
    for (const n of missing) {
      probe.style.color = `var(${n})`;
      const [r, g, b, a] = toRgba(getComputedStyle(probe).color);
      known.set(n, { css: a < 1 ? `rgba(${r}, ${g}, ${b}, ${a.toFixed(3)})` : `rgb(${r}, ${g}, ${b})`, rgb: [r, g, b], a });
    }
    probe.remove();
  }
  for (const n of names) out[n] = known.get(n);
  return out;
}

/** One colour (see colours()): {css, rgb, a}. */
export const colour = (node, name) => colours(node, [name])[name];

/** `a` mixed with `b` (RGB arrays), `t` of the way from a to b. */
export const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/**
 * Colours of curves told apart by a legend (layers, gates, earlier runs), all from the theme:
 * the training and validation colours, the status hues, then mixes of them with the text colour.
 */
export function seriesColours(node, n) {
  const c = colours(node, ['--train', '--val', '--ok-line', '--warn-line', '--danger-line', '--accent', '--fg']);
  const base = ['--train', '--val', '--ok-line', '--warn-line', '--danger-line', '--accent'].map((k) => c[k].rgb);
  const out = [];
  for (let i = 0; i < n; i++) {
    const rgb = i < base.length ? base[i] : mix(base[i % base.length], c['--fg'].rgb, 0.45);
    out.push(`rgb(${rgb.join(', ')})`);
  }
  return out;
}

/** What every uPlot axis here shares: muted labels, a faint grid. */
export function axisColours(node) {
  const c = colours(node, ['--muted', '--grid']);
  return { stroke: c['--muted'].css, grid: { stroke: c['--grid'].css, width: 1 }, ticks: { stroke: c['--grid'].css, width: 1 } };
}

/** The event a playground's root (document or shadow root) hears when its colours change. */
export const THEME_EVENT = 'rnn-playground:theme';

/**
 * Calls `fn` whenever the colours seen by `node` may have changed: the theme setting, the system's
 * scheme, a host's forwarded theme. Returns the function that stops listening.
 */
export function onThemeChange(node, fn) {
  const root = node.getRootNode();
  root.addEventListener(THEME_EVENT, fn);
  media.addEventListener('change', fn);
  return () => {
    root.removeEventListener(THEME_EVENT, fn);
    media.removeEventListener('change', fn);
  };
}

/** Tells the views under `root` (document or shadow root) that the colours changed. */
export function themeChanged(root) {
  cache.delete(root);
  root.dispatchEvent(new Event(THEME_EVENT));
}
