// Corpus view: the textarea, the file picker, drag-and-drop and the preset menu. Files are
// checked before they can touch the textarea: too large → refused unread; not UTF-8 or binary
// (NUL bytes) → a message, and the current text stays as it was.

import { el, bytes, int } from './dom.js';
import { PRESETS } from '../presets.js';

/** Largest file accepted, checked before reading. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Number of Unicode code points (not UTF-16 units) in `s`. */
export function codePoints(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point stored as two units.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** UTF-8 byte length of `s` without allocating an encoded copy. */
export function utf8Bytes(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes a file's bytes as strict UTF-8. Returns {text} or {error}; never throws.
 */
export function decodeText(buf, name) {
  const u8 = new Uint8Array(buf);
  if (u8.includes(0)) {
    return { error: `“${name}” contains NUL bytes: it looks like a binary file, not text. Your current text was kept.` };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(u8);
    if (text.length === 0) return { error: `“${name}” is empty. Your current text was kept.` };
    return { text };
  } catch {
    return { error: `“${name}” is not valid UTF-8 text (is it a binary file, or saved in another encoding such as Latin-1? Re-save it as UTF-8). Your current text was kept.` };
  }
}

export class CorpusView {
  /**
   * `nodes`: {textarea, file, stats, preset, presetNote}. Callbacks: `onText(source)` after the
   * text changed (source: 'typing' | 'file' | 'preset'), `onError(message)`, `onInfo(message)`.
   */
  constructor(nodes, { onText, onError, onInfo }) {
    this.n = nodes;
    this.onText = onText;
    this.onError = onError;
    this.onInfo = onInfo;
    this.statsTimer = 0;
    for (const p of PRESETS) nodes.preset.append(el('option', { value: p.id }, p.label));
    nodes.preset.append(el('option', { value: 'custom' }, 'Your own text'));
    this.wire();
  }

  wire() {
    const { textarea, file, preset } = this.n;
    textarea.addEventListener('input', () => {
      this.n.preset.value = 'custom';
      this.showNote();
      this.updateStatsSoon();
      this.onText('typing');
    });
    file.addEventListener('change', () => {
      const f = file.files && file.files[0];
      if (f) this.loadFile(f);
      file.value = ''; // allow choosing the same file again
    });
    textarea.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      textarea.classList.add('drag-over');
    });
    textarea.addEventListener('dragleave', () => textarea.classList.remove('drag-over'));
    textarea.addEventListener('drop', (e) => {
      textarea.classList.remove('drag-over');
      if (!hasFiles(e)) return; // dropped plain text: let the browser insert it
      e.preventDefault();
      const files = e.dataTransfer.files;
      if (files.length > 1) this.onInfo(`${files.length} files were dropped; using the first, “${files[0].name}”.`);
      this.loadFile(files[0]);
    });
    preset.addEventListener('change', () => this.usePreset(preset.value));
  }

  /** Puts preset `id` in the textarea ('custom' leaves the text alone). */
  usePreset(id) {
    this.n.preset.value = id;
    this.showNote();
    const p = PRESETS.find((x) => x.id === id);
    if (!p) return;
    this.n.textarea.value = p.text();
    this.updateStats();
    this.onText('preset');
  }

  showNote() {
    const p = PRESETS.find((x) => x.id === this.n.preset.value);
    this.n.presetNote.textContent = p ? p.note : 'Your own text. Anything works: prose, code, song lyrics, tables. A few hundred KB trains well; more than a few MB mostly makes epochs longer.';
  }

  async loadFile(f) {
    if (f.size > MAX_FILE_BYTES) {
      this.onError(`“${f.name}” is ${int(f.size)} bytes (${bytes(f.size)}); the limit is ${int(MAX_FILE_BYTES)} bytes (10 MB). It was not read, and your current text was kept.`);
      return;
    }
    let buf;
    try {
      buf = await f.arrayBuffer();
    } catch (e) {
      this.onError(`Could not read “${f.name}”: ${e.message || e}. Your current text was kept.`);
      return;
    }
    const r = decodeText(buf, f.name);
    if (r.error) {
      this.onError(r.error);
      return;
    }
    this.n.textarea.value = r.text;
    this.n.preset.value = 'custom';
    this.showNote();
    this.n.presetNote.textContent = `Loaded “${f.name}”.`;
    this.updateStats();
    this.onText('file');
  }

  text() {
    return this.n.textarea.value;
  }

  updateStatsSoon() {
    clearTimeout(this.statsTimer);
    this.statsTimer = setTimeout(() => this.updateStats(), 150);
  }

  updateStats() {
    const s = this.n.textarea.value;
    const chars = codePoints(s);
    this.n.stats.textContent = `${int(chars)} characters · ${bytes(utf8Bytes(s))}`;
  }
}

function hasFiles(e) {
  return e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
}
