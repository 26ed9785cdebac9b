// The code an author pastes: the iframe (with the one-line sizing helper, embed-host.js) and the
// <rnn-playground> element, written from a link's settings and the author's choices (views,
// controls, autostart, theme, height behaviour). The Share dialog and embedding.html both use it.
// The iframe's starting height comes from heights measured per view (embed-heights.js), so a
// frame is about right before its content reports its real height.
//
// Pure module: no DOM, so Node tests import it too.

import { setting } from './settings.js';
import { WIDTHS, GAP, BASE, VIEW_HEIGHTS } from './embed-heights.js';

/** Attribute names that differ from the link's: `hidden` is a global HTML attribute. */
export const ATTRIBUTE_ALIASES = { hidden: 'hidden-size' };

/** The element attribute of setting `name`. */
export const attributeName = (name) => ATTRIBUTE_ALIASES[name] ?? name;

/** The column width the iframe's starting height is computed for (a blog's text column). */
export const TYPICAL_WIDTH = 700;
/** The narrowest column a fixed-height iframe is made tall enough for (a phone's, with margins). */
export const NARROW_WIDTH = 320;
/** Room kept in a fixed-height frame for a message (a note, a problem) above the playground. */
export const FIXED_SLACK = 48;

const escapeAttr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// A URL in an attribute: its `&`s stay as they are (valid HTML, and what an author reads).
const escapeUrl = (s) => String(s).replace(/"/g, '%22').replace(/</g, '%3C').replace(/>/g, '%3E');
const escapeText = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Linear interpolation of `values` (one per WIDTHS entry) at `width`, clamped to the ends. */
function at(values, width) {
  if (width <= WIDTHS[0]) return values[0];
  for (let i = 1; i < WIDTHS.length; i++) {
    if (width <= WIDTHS[i]) {
      const f = (width - WIDTHS[i - 1]) / (WIDTHS[i] - WIDTHS[i - 1]);
      return values[i - 1] + f * (values[i] - values[i - 1]);
    }
  }
  return values[values.length - 1];
}

/**
 * The height (CSS px) of embed.html showing `views` with `controls` in a frame `width` px wide,
 * from the measured table: the frame's chrome (training card, link, padding) plus each view.
 */
export function embedHeight(views, controls, width) {
  const c = BASE[controls] ? controls : 'basic';
  let h = at(BASE[c], width);
  views.forEach((v, i) => {
    const row = VIEW_HEIGHTS[v]?.[c];
    if (row) h += at(row, width) + (i > 0 ? GAP : 0);
  });
  return Math.ceil(h);
}

/**
 * The embed's fragment: the page link's `fragment` (its settings, text included) with the
 * author's choices. `choices`: {views: [names], controls, autostart, theme}.
 */
export function embedFragment(fragment, { views, controls, autostart, theme }) {
  const p = new URLSearchParams(String(fragment).replace(/^#/, ''));
  for (const k of ['views', 'controls', 'autostart', 'theme']) p.delete(k);
  const text = p.get('text');
  p.delete('text');
  p.set('views', views.join(','));
  if (controls !== setting('controls').default) p.set('controls', controls);
  if (autostart) p.set('autostart', '1');
  if (theme !== setting('theme').default) p.set('theme', theme);
  if (text !== null) p.set('text', text); // last: the long one
  return p.toString().replace(/%2C/gi, ',');
}

/**
 * The iframe snippet. `base`: the playground's folder URL (ending in '/'); `fragment`: from
 * embedFragment; `sizing`: 'auto' (the frame follows its content through embed-host.js; starts
 * at the height for a typical column) or 'fixed' (no script; tall enough for a phone column).
 * No style attribute (a host's CSP may refuse inline styles): frameborder="0" removes the border.
 */
export function iframeCode({ base, fragment, views, controls, sizing = 'auto', title = 'RNN playground' }) {
  const height = sizing === 'fixed'
    ? embedHeight(views, controls, NARROW_WIDTH) + FIXED_SLACK
    : embedHeight(views, controls, TYPICAL_WIDTH);
  const frame = `<iframe src="${escapeUrl(`${base}embed.html#${fragment}`)}" title="${escapeAttr(title)}" width="100%" height="${height}" frameborder="0" loading="lazy"></iframe>`;
  return sizing === 'fixed' ? frame : `${frame}\n<script src="${escapeUrl(`${base}embed-host.js`)}" async></script>`;
}

/**
 * The element snippet: the module script, then <rnn-playground> with the fragment's settings as
 * attributes (plain text in `text`, unlike the link) and a line inside that shows only while the
 * element is not defined: if the module cannot be loaded, the reader sees which URL failed
 * instead of an empty box.
 */
export function elementCode({ base, fragment, text = '', label = 'RNN playground' }) {
  const params = new URLSearchParams(String(fragment).replace(/^#/, ''));
  const attrs = [];
  for (const [k, v] of params) {
    const s = setting(k);
    if (k === 'v' || k === 'text' || !s) continue;
    const name = attributeName(k);
    if (s.kind === 'flag') {
      if (v === '1') attrs.push(name);
    } else attrs.push(`${name}="${escapeAttr(v)}"`);
  }
  if (text) attrs.push(`text="${escapeAttr(text)}"`);
  attrs.push(`label="${escapeAttr(label)}"`);
  const script = `${base}rnn-playground.js`;
  return `<script type="module" src="${escapeUrl(script)}"></script>\n<rnn-playground ${attrs.join(' ')}>\n  <p>Loading the RNN playground from ${escapeText(script)} … If this line stays, that script could not be loaded.</p>\n</rnn-playground>`;
}

/** What a host page's CSP needs for each way of embedding a playground served from `origin`. */
export function cspLines(origin) {
  return [
    { how: 'iframe', csp: `frame-src ${origin}; script-src ${origin}`, note: 'script-src for embed-host.js (a fixed-height frame needs only frame-src)' },
    { how: 'element, folder on the same site', csp: "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; font-src 'self'", note: 'the engine is WebAssembly in a worker; the equations view’s KaTeX fonts' },
    { how: 'element from another origin (CORS)', csp: `script-src ${origin} 'wasm-unsafe-eval'; worker-src blob: ${origin}; style-src ${origin}; connect-src ${origin}; font-src ${origin}`, note: 'the worker starts from a one-line blob: module, whose imports count as worker-src; font-src for the equations view' },
  ];
}

/** The iframe's messages (embed.js), for embedding.html. */
export const MESSAGES = [
  { dir: 'embed → host', message: "{type: 'rnn-playground:resize', height}", when: 'whenever its content’s height changes (embed-host.js sizes the frame with it)' },
  { dir: 'embed → host', message: "{type: 'rnn-playground:progress', step, loss, valLoss, charsPerSec, running}", when: 'while training, a few times a second' },
  { dir: 'embed → host', message: "{type: 'rnn-playground:state', state}", when: 'the badge changes: not started, loading engine…, building…, training, paused, paused (out of view), ready, stopped: diverged' },
  { dir: 'host → embed', message: "{type: 'rnn-playground:command', command: 'start' | 'pause' | 'reset' | 'step'}", when: 'the buttons, from your page' },
  { dir: 'host → embed', message: "{type: 'rnn-playground:host', sizing: true, scheme: 'light' | 'dark', vars: {'--rnn-bg': …}}", when: 'embed-host.js: the frame is sized to its content (so it hides its own scrollbar) and the page’s theme' },
];

/** The element's attributes beyond the settings, methods and events (rnn-playground.js). */
export const ELEMENT_API = {
  attributes: [
    { name: 'label', what: 'names the element’s region for screen readers; give each of several a distinct one' },
    { name: 'text', what: 'your own text to train on, as plain text (the link’s text= is compressed; an attribute need not be)' },
    { name: 'hidden-size', what: 'the hidden size (the setting hidden: an element’s hidden attribute would hide it)' },
  ],
  methods: [
    { name: 'start()', what: 'builds the model if needed and trains' },
    { name: 'pause()', what: 'stops training' },
    { name: 'reset()', what: 'a fresh model from the current settings' },
    { name: 'step()', what: 'one optimizer step (when paused)' },
    { name: 'state', what: 'read-only: the badge’s words (training, paused, …)' },
  ],
  events: [
    { name: 'progress', what: 'detail: {step, loss, valLoss, charsPerSec}' },
    { name: 'sample', what: 'detail: {text, step, prime, temperature}' },
    { name: 'statechange', what: 'detail: {state}' },
  ],
};
