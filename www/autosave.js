// Autosave for the page (never for embeds: a guest does not write to its host's storage). The run
// — settings, the text when it is the person's own, a checkpoint, the loss curves — is saved to
// IndexedDB every few seconds while training and whenever training pauses. Each tab saves under
// its own id and holds a Web Lock on it while open, so two tabs never overwrite each other's run
// and a reload offers the run the closed tab left behind. Without IndexedDB (some private modes)
// or past the quota the page works and says saving is off.

import { SETTINGS, check } from './settings.js';

const DB_NAME = 'rnn-playground';
const STORE = 'runs';
const TEXTS = 'texts'; // a run's text, written only when it changed (it can be megabytes)
const KEEP = 3; // saved runs kept (the oldest are dropped)
export const SAVE_EVERY_MS = 5000;
/** The layout of a saved run written today (records without `format` are of this layout too). */
export const SAVE_FORMAT = 1;

const isObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
const isNumbers = (a, nulls = false) => Array.isArray(a) && a.every((v) => (nulls && v === null) || Number.isFinite(v));

/**
 * Why `bytes` cannot be a whole safetensors file, or null: the 8-byte header length, the JSON
 * header, and every tensor's data inside the file (a truncated checkpoint fails here, before the
 * engine sees it).
 */
export function safetensorsProblem(bytes) {
  if (!(bytes instanceof Uint8Array)) return 'its checkpoint is not binary data';
  if (bytes.length < 8) return `its checkpoint is ${bytes.length} bytes long`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n < 2 || 8 + n > bytes.length) return `its checkpoint is cut short (${bytes.length.toLocaleString('en-US')} bytes, its header alone says ${(8 + n).toLocaleString('en-US')})`;
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return 'its checkpoint’s header is damaged';
  }
  if (!isObject(header)) return 'its checkpoint’s header is damaged';
  const data = bytes.length - 8 - n;
  let tensors = 0;
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    tensors += 1;
    const o = t && t.data_offsets;
    if (!Array.isArray(o) || o.length !== 2 || !Number.isInteger(o[0]) || !Number.isInteger(o[1]) || o[0] > o[1]) return 'its checkpoint’s header is damaged';
    if (o[1] > data) return `its checkpoint is cut short (tensor ${name.slice(0, 40)} ends at byte ${(8 + n + o[1]).toLocaleString('en-US')} of ${bytes.length.toLocaleString('en-US')})`;
  }
  return tensors ? null : 'its checkpoint holds no tensors';
}

/**
 * Checks a saved run read back from IndexedDB (`record`, and `text` from the texts store): a
 * record can be damaged, or written by another version of the page. Returns {run} — the record
 * with checked settings (an invalid value is left out: the default is used) and curves (dropped
 * when damaged, `curvesLost`) — or {problem}, a phrase saying why it cannot be resumed.
 */
export function validateRun(record, text) {
  if (!isObject(record)) return { problem: 'it is not a saved run' };
  if (record.format !== undefined && record.format !== SAVE_FORMAT) {
    return { problem: Number(record.format) > SAVE_FORMAT ? 'it was saved by a newer version of the page' : 'it was saved by an older version of the page, in a form this one does not read' };
  }
  if (!('checkpoint' in record) || !('settings' in record)) return { problem: 'it was saved by an older version of the page, in a form this one does not read' };
  if (typeof record.id !== 'string' || !record.id || !Number.isFinite(record.savedAt)) return { problem: 'its record is damaged' };
  if (!Number.isInteger(record.step) || record.step < 0) return { problem: 'its step is not a number' };
  if (!isObject(record.settings)) return { problem: 'its settings are damaged' };
  const s = record.summary;
  if (!isObject(s) || typeof s.model !== 'string' || typeof s.text !== 'string' || !(s.loss === null || s.loss === undefined || Number.isFinite(s.loss))) return { problem: 'its description is damaged' };
  const checkpoint = record.checkpoint instanceof ArrayBuffer ? new Uint8Array(record.checkpoint) : record.checkpoint;
  const bad = safetensorsProblem(checkpoint);
  if (bad) return { problem: bad };
  const settings = {};
  for (const def of SETTINGS) {
    if (!(def.name in record.settings)) continue;
    const r = check(def, record.settings[def.name]);
    if ('value' in r) settings[def.name] = r.value;
  }
  if (settings.preset === 'custom') {
    if (typeof text !== 'string' || text === '') return { problem: 'its text is missing or is not text' };
  } else if (text !== null && text !== undefined) return { problem: 'its text is not what its settings name' };
  const c = record.curves;
  const series = isObject(c) && c.series;
  const seriesOk = isObject(series) && isNumbers(series.steps) && isNumbers(series.train, true) && isNumbers(series.val, true)
    && series.train.length === series.steps.length && series.val.length === series.steps.length;
  const runsOk = isObject(c) && Array.isArray(c.runs) && c.runs.every((r) => isObject(r) && typeof r.label === 'string' && isNumbers(r.steps) && isNumbers(r.train, true) && isNumbers(r.val, true));
  const bestOk = isObject(c) && (c.best === null || c.best === undefined || (isObject(c.best) && Number.isFinite(c.best.loss) && Number.isInteger(c.best.step)));
  const curvesOk = seriesOk && runsOk && bestOk;
  const curves = curvesOk
    ? { series: { steps: series.steps, train: series.train, val: series.val, ...(Array.isArray(series.marks) ? { marks: series.marks.filter((m) => isObject(m) && Number.isFinite(m.step) && typeof m.label === 'string') } : {}) }, runs: c.runs, best: c.best ?? null, runNumber: Number.isInteger(c.runNumber) ? c.runNumber : 0 }
    : { series: { steps: [], train: [], val: [] }, runs: [], best: null, runNumber: 0 };
  return {
    run: { id: record.id, savedAt: record.savedAt, step: record.step, settings, checkpoint, curves, summary: { model: s.model, text: s.text, loss: Number.isFinite(s.loss) ? s.loss : null }, text: settings.preset === 'custom' ? text : null, curvesLost: !curvesOk },
  };
}

function request(r) {
  return new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
}

function openDb() {
  return new Promise((ok, fail) => {
    let r;
    try {
      r = indexedDB.open(DB_NAME, 2);
    } catch (e) {
      fail(e);
      return;
    }
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(TEXTS)) db.createObjectStore(TEXTS);
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
    r.onblocked = () => fail(new Error('the database is blocked by another tab'));
  });
}

const lockName = (id) => `rnn-playground-run-${id}`;
const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export class Autosave {
  constructor() {
    this.db = null;
    this.id = newId();
    this.off = null; // why saving is off, or null
    this.savedAt = 0;
    this.listeners = new Set();
    this.releaseLock = null;
    this.textVersion = -1; // the store's text version at the last save (its text is saved)
    this.textId = null;
  }

  onChange(fn) {
    this.listeners.add(fn);
  }

  changed() {
    for (const fn of this.listeners) fn();
  }

  /**
   * Opens the database and claims this tab's id. Returns the saved runs no other tab has open, as
   * read (unchecked: see validateRun), newest first.
   */
  async init() {
    if (typeof indexedDB === 'undefined' || !indexedDB) {
      this.off = 'this browser gives the page no storage here (a private window?)';
      this.changed();
      return [];
    }
    try {
      this.db = await openDb();
    } catch (e) {
      this.off = `the browser refused its storage (${e && e.message ? e.message : e})`;
      this.changed();
      return [];
    }
    await this.claim(this.id);
    let all;
    try {
      all = await this.list();
    } catch (e) {
      this.off = `the saved runs could not be read (${e && e.message ? e.message : e})`;
      this.changed();
      return [];
    }
    const free = [];
    for (const r of all) {
      const id = r && typeof r === 'object' ? r.id : r;
      if (id !== this.id && (await this.isFree(String(id)))) free.push(r);
    }
    this.changed();
    const when = (r) => (r && Number.isFinite(r.savedAt) ? r.savedAt : 0);
    return free.sort((a, b) => when(b) - when(a));
  }

  /** Holds the lock of `id` while this tab is open (Web Locks; without them, ids are never shared). */
  async claim(id) {
    if (this.releaseLock) this.releaseLock();
    this.id = id;
    if (!navigator.locks) return;
    await new Promise((held) => {
      navigator.locks.request(lockName(id), () => {
        held();
        return new Promise((release) => {
          this.releaseLock = release;
        });
      });
    });
  }

  async isFree(id) {
    if (!navigator.locks) return true;
    return navigator.locks.request(lockName(id), { ifAvailable: true }, (lock) => lock !== null);
  }

  async list() {
    const tx = this.db.transaction(STORE, 'readonly');
    const all = await request(tx.objectStore(STORE).getAll());
    return all;
  }

  /**
   * Saves `record` (without id) as this tab's run. Its `text` (null for a preset) is written only
   * when `textVersion` differs from the last save's.
   */
  async save(record) {
    if (!this.db || this.off) return false;
    try {
      const { text, textVersion, ...run } = record;
      const tx = this.db.transaction([STORE, TEXTS], 'readwrite');
      if (textVersion !== this.textVersion || this.textId !== this.id) tx.objectStore(TEXTS).put(text, this.id);
      tx.objectStore(STORE).put({ ...run, format: SAVE_FORMAT, id: this.id, savedAt: Date.now() });
      await new Promise((ok, fail) => {
        tx.oncomplete = ok;
        tx.onerror = () => fail(tx.error);
        tx.onabort = () => fail(tx.error || new Error('aborted'));
      });
      this.savedAt = Date.now();
      this.textVersion = textVersion;
      this.textId = this.id;
      await this.prune();
    } catch (e) {
      this.off = e && e.name === 'QuotaExceededError'
        ? 'the browser’s storage for this page is full'
        : `saving failed (${e && e.message ? e.message : e})`;
    }
    this.changed();
    return !this.off;
  }

  /** Drops the oldest runs beyond KEEP (never one another tab has open). */
  async prune() {
    const when = (r) => (r && Number.isFinite(r.savedAt) ? r.savedAt : 0);
    const all = (await this.list()).sort((a, b) => when(b) - when(a));
    for (const r of all.slice(KEEP)) if (r.id !== this.id && (await this.isFree(String(r.id)))) await this.remove(r.id);
  }

  /** The text saved with run `id` (null for a preset's; anything, if the record is damaged). */
  async text(id) {
    const tx = this.db.transaction(TEXTS, 'readonly');
    return (await request(tx.objectStore(TEXTS).get(id))) ?? null;
  }

  async remove(id) {
    const tx = this.db.transaction([STORE, TEXTS], 'readwrite');
    tx.objectStore(STORE).delete(id);
    tx.objectStore(TEXTS).delete(id);
    await new Promise((ok) => {
      tx.oncomplete = ok;
      tx.onerror = ok;
    });
  }

  /** Forgets this tab's saved run (and stops offering it). */
  async forget() {
    if (!this.db) return;
    await this.remove(this.id);
    this.savedAt = 0;
    this.changed();
  }

  /** Takes over a saved run: this tab saves under its id from now on. */
  async adopt(id) {
    await this.claim(id);
    this.changed();
  }

  /** Lets go of an adopted run (it could not be resumed): this tab saves under a new id. */
  async release() {
    await this.claim(newId());
    this.textVersion = -1;
    this.changed();
  }
}
