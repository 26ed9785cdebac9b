// Autosave for the page (never for embeds: a guest does not write to its host's storage). The run
// — settings, the text when it is the person's own, a checkpoint, the loss curves — is saved to
// IndexedDB every few seconds while training and whenever training pauses. Each tab saves under
// its own id and holds a Web Lock on it while open, so two tabs never overwrite each other's run
// and a reload offers the run the closed tab left behind. Without IndexedDB (some private modes)
// or past the quota the page works and says saving is off.

const DB_NAME = 'rnn-playground';
const STORE = 'runs';
const TEXTS = 'texts'; // a run's text, written only when it changed (it can be megabytes)
const KEEP = 3; // saved runs kept (the oldest are dropped)
export const SAVE_EVERY_MS = 5000;

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

  /** Opens the database and claims this tab's id. Returns the saved runs no other tab has open. */
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
    const all = await this.list();
    const free = [];
    for (const r of all) if (r.id !== this.id && (await this.isFree(r.id))) free.push(r);
    this.changed();
    return free.sort((a, b) => b.savedAt - a.savedAt);
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
      tx.objectStore(STORE).put({ ...run, id: this.id, savedAt: Date.now() });
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
    const all = (await this.list()).sort((a, b) => b.savedAt - a.savedAt);
    for (const r of all.slice(KEEP)) if (r.id !== this.id && (await this.isFree(r.id))) await this.remove(r.id);
  }

  /** The text saved with run `id` (null for a preset's). */
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
}
