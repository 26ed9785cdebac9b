// The state store and the link codec (the shape of tensorflow/playground's state.ts).
//
// A Store owns every setting's value and the corpus text; views read it and write through it,
// and are told what changed. Links: the fragment `#v=1&cell=gru&hidden=64&text=…` holds the
// link version, then every setting whose value differs from that version's default (keys as in
// the engine's JSON config), then the corpus when it compresses to at most 4 KB (deflate-raw,
// base64url). A link made today means the same thing after a default changes: the defaults of
// every past version are kept in LINK_DEFAULTS (a test checks the current entry against the
// settings table, so changing a default without a new version fails).
//
// Pure module (no DOM): Node tests import it.

import { SETTINGS, setting, check, format, same, defaults, describe } from './settings.js';

/** The link format written today. */
export const LINK_VERSION = 2;

/**
 * The defaults each link version was written against: a record of the past, not a declaration
 * (the declaration is settings.js + the engine's table). When a default changes, add a version.
 */
export const LINK_DEFAULTS = {
  1: {
    cell: 'lstm', layers: 1, hidden: 128, embed: 32, init: 'pytorch', seed: 1,
    seq_len: 64, batch: 32, optimizer: 'adam', lr: 0.002, clip_mode: 'norm', clip: 5,
    lr_decay: 1, lr_decay_every: 1000, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8,
    val_fraction: 0.1, tokens: 'characters', max_vocab: 8000,
    temperature: 0.8, top_k: 0, top_p: 1, length: 300, prime: '',
    preset: 'english', views: 'loss,gradients,samples,heatmap', units: 'nats', steps: 0, loss_min: 0, loss_max: 0, controls: 'basic', autostart: false,
    theme: 'auto',
  },
  // 2: the mathematics views joined the default views. (workers came later with the default 0,
  // "auto", which a link without it has always meant: how many workers share the batch is the
  // browser's to choose, as which engine build runs is; and tokens with the default characters,
  // which links of either version always meant.)
  2: {
    cell: 'lstm', layers: 1, hidden: 128, embed: 32, init: 'pytorch', seed: 1,
    seq_len: 64, batch: 32, optimizer: 'adam', lr: 0.002, clip_mode: 'norm', clip: 5,
    lr_decay: 1, lr_decay_every: 1000, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8,
    val_fraction: 0.1, tokens: 'characters', max_vocab: 8000, workers: 0,
    temperature: 0.8, top_k: 0, top_p: 1, length: 300, prime: '',
    preset: 'english', views: 'loss,gradients,samples,heatmap,equations,flow,microscope,surprisal,gates', units: 'nats', steps: 0, loss_min: 0, loss_max: 0, controls: 'basic', autostart: false,
    theme: 'auto',
  },
};

/** Largest compressed corpus a link carries. */
export const MAX_LINK_TEXT_BYTES = 4096;
/** Largest corpus a link's text may expand to (a hostile link must not fill memory). */
export const MAX_TEXT_CHARS = 10 * 1024 * 1024;

/** The defaults of link version `v` as values, filling settings the version did not know. */
export function versionDefaults(v) {
  const now = defaults();
  const then = LINK_DEFAULTS[v];
  if (!then) return now;
  const out = { ...now };
  for (const [k, raw] of Object.entries(then)) {
    const s = setting(k);
    if (!s) continue;
    const r = check(s, raw);
    if ('value' in r) out[k] = r.value;
  }
  return out;
}

export class Store {
  /** `values`: a full set of setting values (e.g. `defaults()`), `text`: the corpus. */
  constructor(values = defaults(), text = '') {
    this.values = { ...values };
    this.text = text;
    this.textVersion = 0;
    this.listeners = new Set();
  }

  get(name) {
    return this.values[name];
  }

  /** Calls `fn({keys: Set, text: bool, source})` after every change; returns an unsubscribe. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Sets checked values (`patch`: name → value); ignores unknown names; notifies once. */
  set(patch, source = '') {
    const keys = new Set();
    for (const [k, v] of Object.entries(patch)) {
      const s = setting(k);
      if (!s || same(s, this.values[k], v)) continue;
      this.values[k] = Array.isArray(v) ? v.slice() : v;
      keys.add(k);
    }
    if (keys.size) this.notify({ keys, text: false, source });
    return keys;
  }

  /** Replaces the corpus text. */
  setText(text, source = '') {
    if (text === this.text) return;
    this.text = text;
    this.textVersion += 1;
    this.notify({ keys: new Set(), text: true, source });
  }

  notify(change) {
    for (const fn of [...this.listeners]) fn(change);
  }

  /** The engine config object the worker builds from. */
  config(keys) {
    const c = {};
    for (const k of keys) c[k] = this.values[k];
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// Links

/** Bytes → base64url without padding. */
export function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (padding optional) → bytes, or null when it is not base64url. */
export function fromBase64Url(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

async function pump(stream, bytes, limit) {
  const writer = stream.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      reader.cancel().catch(() => {});
      throw new Error('too large');
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The corpus compressed for a link (deflate-raw, base64url) and its compressed size. */
export async function compressText(text) {
  const bytes = await pump(new CompressionStream('deflate-raw'), new TextEncoder().encode(text), Infinity);
  return { param: toBase64Url(bytes), bytes: bytes.length };
}

/** The corpus from a link's `text=`; throws with a reason when it is damaged or too large. */
export async function decompressText(param) {
  const bytes = fromBase64Url(param);
  if (!bytes) throw new Error('it is not base64url');
  if (bytes.length > MAX_LINK_TEXT_BYTES * 2) throw new Error(`it is ${bytes.length} bytes compressed (links carry at most ${MAX_LINK_TEXT_BYTES})`);
  let out;
  try {
    out = await pump(new DecompressionStream('deflate-raw'), bytes, MAX_TEXT_CHARS * 4);
  } catch (e) {
    throw new Error(e.message === 'too large' ? 'it expands to more than 10 MB' : 'it is not deflate-raw data');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(out);
  } catch {
    throw new Error('it is not UTF-8 text');
  }
}

/** Keys a link may carry besides the settings. */
const LINK_EXTRA = new Set(['v', 'text']);

/**
 * Reads a fragment (with or without '#'). Returns `{values, text, problems}`: `values` holds
 * every setting (link values where valid, that version's defaults elsewhere), `text` the
 * corpus carried by the link (or null), and `problems` one sentence per ignored key or value.
 * `only`: the setting names this reader accepts (others are named as unknown).
 */
export async function readLink(fragment, { only = null } = {}) {
  const params = new URLSearchParams(String(fragment).replace(/^#/, ''));
  const problems = [];
  let version = LINK_VERSION;
  if (params.has('v')) {
    const v = Number(params.get('v'));
    if (Number.isInteger(v) && LINK_DEFAULTS[v]) version = v;
    else problems.push(`link version “${params.get('v')}” is unknown; read as version ${LINK_VERSION}`);
  }
  const values = versionDefaults(version);
  const seen = new Set();
  for (const [key, raw] of params) {
    if (LINK_EXTRA.has(key)) continue;
    const s = setting(key);
    if (!s || (only && !only.includes(key))) {
      problems.push(`unknown setting “${clip(key)}” ignored`);
      continue;
    }
    if (seen.has(key)) {
      problems.push(`${key} is given twice; the first value is used`);
      continue;
    }
    seen.add(key);
    const r = check(s, raw);
    if ('value' in r) {
      values[key] = r.value;
      if (r.problem) problems.push(r.problem);
    } else problems.push(`${key}=${clip(raw)} is not valid (${describe(s)}); using the default, ${format(s, values[key])}`);
  }
  let text = null;
  if (params.has('text')) {
    try {
      text = await decompressText(params.get('text'));
      values.preset = 'custom';
    } catch (e) {
      problems.push(`the text in this link is damaged (${e.message}); the ${values.preset === 'custom' ? 'default' : values.preset} text is used instead`);
      if (values.preset === 'custom') values.preset = versionDefaults(version).preset;
    }
  }
  return { values, text, problems };
}

/** Shortens a hostile or long value for a message. */
function clip(s) {
  const t = String(s);
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

/**
 * The fragment for `values` (without '#'): the version, then every setting that differs from
 * its default in table order (`only`: restrict to these names), then `text` when given and it
 * compresses to at most 4 KB. Returns `{fragment, text: 'none' | 'included' | 'too-large',
 * textBytes}`.
 */
export async function writeLink(values, text = null, { only = null } = {}) {
  const base = versionDefaults(LINK_VERSION);
  const params = new URLSearchParams();
  params.set('v', String(LINK_VERSION));
  for (const s of SETTINGS) {
    if (only && !only.includes(s.name)) continue;
    const v = values[s.name];
    if (v === undefined || same(s, v, base[s.name])) continue;
    params.set(s.name, format(s, v));
  }
  let status = 'none';
  let textBytes = 0;
  if (text !== null && text !== '') {
    const c = await compressText(text);
    textBytes = c.bytes;
    if (c.bytes <= MAX_LINK_TEXT_BYTES) {
      params.set('text', c.param);
      status = 'included';
    } else {
      status = 'too-large';
    }
  }
  // Commas need no escaping in a fragment; `views=loss,samples` reads better than %2C.
  return { fragment: params.toString().replace(/%2C/gi, ','), text: status, textBytes };
}
