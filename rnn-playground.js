// <rnn-playground>: the playground as one custom element, for pages that host this folder
// themselves (same origin) or serve it with CORS. One module script defines it:
//
//   <script type="module" src="/rnn-playground/rnn-playground.js"></script>
//   <rnn-playground preset="brackets" cell="rnn" layers="1" views="loss,samples" autostart
//                   label="A tanh RNN on brackets"></rnn-playground>
//
// Attributes have the names of the link's parameters (the engine's config keys, the sampling
// settings, preset, views, units, theme, controls, autostart), except `hidden-size` for `hidden`
// (a global HTML attribute that would hide the element). `text` is the corpus as plain text,
// `label` names the element's region. Methods: start(), pause(), reset(), step(). Events:
// progress (detail: step, loss, valLoss, charsPerSec), sample (detail: text, step, …),
// statechange (detail: state). Each element has its own worker; nothing is loaded until the
// element is within about a screen of the viewport, or is used.
//
// If this module itself cannot be loaded the element stays undefined and shows its children: the
// code the Share dialog writes puts a line there naming this script's URL. Whatever fails after
// that (a stylesheet, a view, the worker, the wasm) is said in the element, with the URL tried.

import { SETTINGS, setting, check, defaults } from './www/settings.js';
import { Store } from './www/state.js';
import { mountCompact } from './www/compact.js';
import { singleScheme } from './www/theme.js';

/** Attribute name of a setting, where it differs from the setting's own name. */
const ALIASES = { hidden: 'hidden-size' };
const attributeOf = (name) => ALIASES[name] ?? name;
const SETTING_OF = new Map(SETTINGS.map((s) => [attributeOf(s.name), s.name]));
const STYLES = ['www/vendor/uPlot.min.css', 'www/playground.css'].map((p) => new URL(p, import.meta.url).href);

/** A visible message that needs no stylesheet (CSSOM styles pass a strict CSP). */
function failureNote(text) {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.className = 'rnn-failure';
  Object.assign(p.style, {
    margin: '0 0 8px', padding: '10px 12px', border: '1px solid currentColor', borderRadius: '8px',
    font: '14px/1.4 system-ui, sans-serif', overflowWrap: 'anywhere',
  });
  p.textContent = text;
  return p;
}

class RnnPlayground extends HTMLElement {
  static get observedAttributes() {
    return [...SETTING_OF.keys(), 'text', 'label'];
  }

  constructor() {
    super();
    this.app = null;
  }

  connectedCallback() {
    if (this.app) return;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const region = document.createElement('div');
    // In the page's flow, the element grows with its content (no box scrolls inside it).
    region.className = 'rnn-root grows';
    region.setAttribute('role', 'region');
    region.setAttribute('aria-label', this.getAttribute('label') || 'RNN playground');
    // Hidden until its styles arrive, so the host never sees it unstyled; a stylesheet that cannot
    // be fetched is named (styled from here: without the sheet there is no other style).
    region.style.visibility = 'hidden';
    let waiting = STYLES.length;
    const missing = [];
    for (const href of STYLES) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      const done = (ok) => {
        if (!ok) missing.push(href);
        waiting -= 1;
        if (waiting > 0) return;
        region.style.visibility = '';
        if (missing.length) shadow.prepend(failureNote(`The playground’s styles could not be loaded from ${missing.join(' and ')}: it works, but looks bare. Check that the folder is served in full.`));
      };
      link.addEventListener('load', () => done(true));
      link.addEventListener('error', () => done(false));
      shadow.append(link);
    }
    shadow.append(region);
    this.region = region;

    const { values, problems } = this.readAttributes();
    this.store = new Store(values);
    const text = this.getAttribute('text');
    if (text) {
      this.store.set({ preset: 'custom' });
      this.store.setText(text, 'attribute');
    }
    // theme=auto follows the host page's `color-scheme` where it declares one, else the system's.
    const hostScheme = () => singleScheme(getComputedStyle(this.parentElement ?? document.documentElement).colorScheme);
    this.app = mountCompact(region, {
      store: this.store, controls: values.controls, autostart: values.autostart, target: this, nearMargin: '100% 0px',
      themeRoot: region, hostScheme,
    });
    const { pg } = this.app;
    if (problems.length) pg.alert(`some attributes could not be used — ${problems.join('; ')}.`, 'info');
    // A host that switches its own dark mode (a class or attribute on <html> or <body>, or on this
    // element) changes the --rnn-* properties: the canvases are redrawn with the new colours.
    let themeTimer = 0;
    this.themeWatch = new MutationObserver(() => {
      clearTimeout(themeTimer);
      themeTimer = setTimeout(() => this.app?.retheme(), 50);
    });
    for (const node of [document.documentElement, document.body, this]) {
      if (node) this.themeWatch.observe(node, { attributes: true, attributeFilter: ['class', 'style', 'data-theme', 'data-color-scheme'] });
    }
    // The newest validation loss is the run's newest `val` message (run.js; forgotten with a new model).
    const { run } = pg;
    const fire = (type, detail) => this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
    pg.on('progress', (p) => fire('progress', { step: p.step, loss: p.smooth, valLoss: run.last('val')?.loss ?? null, charsPerSec: p.charsPerSec }));
    pg.on('sample', (s) => fire('sample', { text: s.text, step: s.step, prime: s.prime, primed: s.primed, temperature: s.temperature }));
    let last = '';
    pg.on('status', () => {
      const state = run.get('status').label;
      if (state !== last) fire('statechange', { state: (last = state) });
    });
  }

  disconnectedCallback() {
    // Moved within the page: connectedCallback runs again right away; removed: free the worker.
    queueMicrotask(() => {
      if (this.isConnected || !this.app) return;
      this.themeWatch?.disconnect();
      this.app.destroy();
      this.app = null;
      this.shadowRoot.replaceChildren();
    });
  }

  /** Every setting from the attributes (defaults elsewhere), and one sentence per bad value. */
  readAttributes() {
    const values = defaults();
    const problems = [];
    for (const attr of this.getAttributeNames()) {
      const name = SETTING_OF.get(attr);
      if (!name) continue;
      const r = check(setting(name), this.getAttribute(attr));
      if ('value' in r) {
        values[name] = r.value;
        if (r.problem) problems.push(r.problem);
      } else problems.push(`${attr}="${this.getAttribute(attr).slice(0, 40)}" is not valid (${r.problem}); using the default`);
    }
    return { values, problems };
  }

  attributeChangedCallback(attr, _old, value) {
    if (!this.app) return;
    if (attr === 'controls' || attr === 'autostart') {
      // The layout depends on them: mount afresh (the run starts over).
      this.app.destroy();
      this.app = null;
      this.shadowRoot.replaceChildren();
      this.connectedCallback();
      return;
    }
    if (attr === 'label') {
      this.region.setAttribute('aria-label', value || 'RNN playground');
      return;
    }
    if (attr === 'text') {
      if (value) {
        this.store.set({ preset: 'custom' });
        this.store.setText(value, 'attribute');
      }
      return;
    }
    const name = SETTING_OF.get(attr);
    const s = setting(name);
    const r = value === null ? { value: defaults()[name] } : check(s, value);
    if ('value' in r) this.store.set({ [name]: r.value }, 'attribute');
    if (r.problem) this.app.pg.alert('value' in r ? `${r.problem}.` : `${attr}="${value.slice(0, 40)}" is not valid (${r.problem}).`, 'info');
  }

  start() {
    this.app?.pg.start();
  }

  pause() {
    this.app?.pg.pause();
  }

  reset() {
    this.app?.pg.reset();
  }

  step() {
    this.app?.pg.step();
  }

  /** The run's state as the badge shows it ('not started', 'training', 'paused', …). */
  get state() {
    return this.app ? this.app.pg.run.get('status').label : 'not started';
  }
}

if (!customElements.get('rnn-playground')) customElements.define('rnn-playground', RnnPlayground);

export { RnnPlayground };
