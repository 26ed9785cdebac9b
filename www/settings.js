// Every setting the page, the embed and the element know, declared once. The engine's own
// settings (model, training, sampling) come from the engine: scripts/build asks the engine for
// its table (`rnn-playground settings`) and writes it to pkg/settings.js, so no default or bound
// of the engine is repeated here. The page adds the few settings only it has (preset, views,
// units, theme, and the embed's controls and autostart). Everything else derives from `SETTINGS`:
// the form, the link fragment (state.js), the embed's and the element's attributes, the code the
// Share dialog writes and the authors' page (embedding.html).
//
// Pure module: no DOM, so Node tests import it too.

import engine from './pkg/settings.js';
import { PRESETS } from './presets.js';
import { VIEW_NAMES } from './views/index.js';

/** Settings of the page (not the engine). `scope`: where a setting means something. */
const PAGE_SETTINGS = [
  {
    name: 'preset', group: 'text', kind: 'choice', default: 'english',
    choices: [...PRESETS.map((p) => p.id), 'custom'],
    help: 'The text to train on: a built-in one, or custom (your own)',
  },
  {
    name: 'views', group: 'page', kind: 'list', default: VIEW_NAMES.join(','), choices: VIEW_NAMES,
    help: 'Which views are shown, in order',
  },
  {
    name: 'units', group: 'page', kind: 'choice', default: 'nats', choices: ['nats', 'bits', 'ppl'],
    help: 'Loss in nats per token, in bits per character (a character run and a word run compare in it), or as perplexity per token',
  },
  {
    name: 'theme', group: 'page', kind: 'choice', default: 'auto', choices: ['auto', 'light', 'dark'],
    help: 'Colours: auto follows the host page or the system (prefers-color-scheme), or always light or dark',
  },
  {
    name: 'steps', group: 'page', kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, default: 0,
    help: 'Train this many steps, then pause (0: no limit); the loss chart spans them',
  },
  {
    name: 'loss_min', group: 'page', kind: 'real', min: 0, max: 100, default: 0,
    help: 'The bottom of the loss chart in nats, when loss_max is set',
  },
  {
    name: 'loss_max', group: 'page', kind: 'real', min: 0, max: 100, default: 0,
    help: 'The top of the loss chart in nats (0: fit the curves)',
  },
  {
    name: 'controls', group: 'embed', kind: 'choice', default: 'basic', choices: ['none', 'basic', 'full'],
    help: 'Embeds: none, basic (Start, Pause, Reset, Step, temperature) or full (every setting)',
  },
  {
    name: 'autostart', group: 'embed', kind: 'flag', default: false,
    help: 'Embeds: start training as soon as the playground is visible',
  },
];

// JavaScript numbers hold integers exactly only up to 2^53 − 1 (the engine's seed goes higher).
const exact = (s) => (s.kind === 'int' && s.max > Number.MAX_SAFE_INTEGER ? { ...s, max: Number.MAX_SAFE_INTEGER } : s);

/** Every setting, engine first (form order), then the page's. */
export const SETTINGS = [...engine.settings.map(exact), ...PAGE_SETTINGS];

const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

/** The declaration of setting `name`, or undefined. */
export const setting = (name) => BY_NAME.get(name);

/** Names of the engine's model and training settings: the config the worker builds from. */
export const ENGINE_KEYS = engine.settings.filter((s) => s.group === 'model' || s.group === 'train').map((s) => s.name);

/** Engine settings that may change while a run trains (the table's `live`): no new model needed. */
export const LIVE_KEYS = engine.settings.filter((s) => s.live).map((s) => s.name);

/** Names of the sampling settings. */
export const SAMPLE_KEYS = engine.settings.filter((s) => s.group === 'sample').map((s) => s.name);

/** Every current default, as values (lists as arrays). */
export function defaults() {
  const out = {};
  for (const s of SETTINGS) out[s.name] = parseDefault(s);
  return out;
}

function parseDefault(s) {
  return s.kind === 'list' ? s.default.split(',').filter(Boolean) : s.default;
}

/** Number of code points of `s`. */
const codePoints = (s) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Words for a setting's allowed values, for messages ("a whole number from 1 to 4096"). */
export function describe(s) {
  switch (s.kind) {
    case 'int':
      return `a whole number from ${s.min} to ${s.max}`;
    case 'real':
      return `a number ${s.min_open ? 'above' : 'from'} ${s.min} ${s.min_open ? 'and at most' : 'to'} ${s.max}`;
    case 'choice':
      return `one of ${s.choices.join(', ')}`;
    case 'list':
      return `a comma-separated list of ${s.choices.join(', ')}`;
    case 'flag':
      return '1 or 0';
    case 'text':
      return `text of at most ${s.max_len} characters`;
    default:
      return 'a value';
  }
}

/**
 * Checks a value for setting `s`, given as a string (from a link, an attribute or a form) or as
 * a value of the right type. Returns `{value}`, `{problem}` (a sentence naming the setting), or
 * for a list with some unknown entries both: the known entries and a note naming the others.
 */
export function check(s, raw) {
  const bad = () => ({ problem: `${s.name} must be ${describe(s)}` });
  switch (s.kind) {
    case 'int':
    case 'real': {
      const text = typeof raw === 'string' ? raw.trim() : raw;
      if (text === '' || text === null || text === undefined || typeof text === 'boolean') return bad();
      const v = Number(text);
      if (!Number.isFinite(v)) return bad();
      if (s.kind === 'int' && !Number.isInteger(v)) return bad();
      if (v > s.max || v < s.min || (s.min_open && v === s.min)) return bad();
      return { value: v };
    }
    case 'choice': {
      const v = String(raw).trim().toLowerCase();
      return s.choices.includes(v) ? { value: v } : bad();
    }
    case 'list': {
      // Forgiving: unknown entries are dropped and named, the known ones kept ("loss,lss,samples"
      // shows the loss and the samples). Only a list with nothing known in it is refused.
      const items = Array.isArray(raw) ? raw : String(raw).split(',');
      const names = items.map((x) => String(x).trim().toLowerCase()).filter(Boolean);
      const unknown = names.filter((n) => !s.choices.includes(n));
      const known = [...new Set(names.filter((n) => s.choices.includes(n)))];
      if (!unknown.length) return { value: known };
      const named = unknown.map((u) => `“${u.length > 24 ? `${u.slice(0, 24)}…` : u}”`).join(', ');
      if (!known.length) return { problem: `${s.name}: unknown ${named} (${describe(s)})` };
      return { value: known, problem: `${s.name}: unknown ${named} left out (${describe(s)})` };
    }
    case 'flag': {
      if (raw === true || raw === false) return { value: raw };
      const v = String(raw).trim().toLowerCase();
      if (v === '' || v === '1' || v === 'true' || v === 'yes' || v === 'on') return { value: true };
      if (v === '0' || v === 'false' || v === 'no' || v === 'off') return { value: false };
      return bad();
    }
    case 'text': {
      const v = String(raw);
      return codePoints(v) <= s.max_len ? { value: v } : bad();
    }
    default:
      return bad();
  }
}

/** A value as link / attribute text: numbers in JavaScript's shortest form, lists joined. */
export function format(s, v) {
  if (s.kind === 'list') return v.join(',');
  if (s.kind === 'flag') return v ? '1' : '0';
  return String(v);
}

/** True when two values of setting `s` are the same. */
export function same(s, a, b) {
  if (s.kind === 'list') return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}
