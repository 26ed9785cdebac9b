// Corpus view: the preset menu, the textarea, the file picker and drag-and-drop. The text lives in
// the store; this view shows it and writes edits through it. Files are checked before they can
// touch the text: too large → refused unread; not UTF-8 or binary (NUL bytes) → a message, and
// the current text stays as it was.

import { el, bytes, int } from './dom.js';
import { PRESETS } from '../presets.js';
import { field } from './fields.js';

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

/** Decodes a file's bytes as strict UTF-8. Returns {text} or {error}; never throws. */
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

const OWN_TEXT_NOTE = 'Your own text. Anything works: prose, code, song lyrics, tables. A few hundred KB trains well; more than a few MB mostly makes epochs longer.';

export function mount(parent, ctx) {
  const { store } = ctx;
  const preset = field(ctx, 'preset', { compact: true });
  const presetSelect = preset.querySelector('select');
  // The menu shows the presets' titles rather than their ids.
  for (const o of presetSelect.options) o.textContent = PRESETS.find((p) => p.id === o.value)?.label ?? 'Your own text';
  const note = el('p', { class: 'explain', id: 'preset-note' });
  presetSelect.setAttribute('aria-describedby', 'preset-note');
  const stats = el('span', { id: 'corpus-stats', class: 'meta' });
  const textarea = el('textarea', {
    id: 'corpus', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'corpus-hint',
    title: 'The text the network learns to continue, one token (a character, or a word) at a time',
  });
  const hint = el('p', { id: 'corpus-hint', class: 'explain' },
    'Paste text, pick a preset, drop a text file here, or upload one (UTF-8, up to 10 MB). The end of the text is held out for validation.');
  const file = el('input', { id: 'corpus-file', type: 'file', accept: '.txt,.md,.csv,.tsv,.json,.xml,.html,.py,.js,.rs,.c,.h,.tex,text/*' });
  const section = el('section', { class: 'card view-corpus', 'aria-labelledby': 'corpus-h' },
    el('h2', { id: 'corpus-h' }, 'Text'),
    el('div', { class: 'stack' }, preset, note),
    el('div', { class: 'stack' }, el('div', { class: 'row spread' }, el('label', { for: 'corpus' }, 'Corpus'), stats), textarea, hint),
    el('div', { class: 'stack file-pick' }, el('label', { for: 'corpus-file' }, 'Upload a text file'), file));
  parent.append(section);

  let fileNote = null;
  const showNote = () => {
    const p = PRESETS.find((x) => x.id === store.get('preset'));
    note.textContent = p ? p.note : fileNote ?? OWN_TEXT_NOTE;
  };
  // After a build the engine's count of the text: its tokens and how much of it is unknown.
  let built = null; // {version, report, tokens}
  const showStats = () => {
    const s = store.text;
    let line = `${int(codePoints(s))} characters · ${bytes(utf8Bytes(s))}`;
    if (built && built.version === store.textVersion && built.tokens === 'words') {
      const r = built.report;
      line += ` · ${int(r.tokens)} tokens (words and marks), vocabulary ${int(r.vocab)}`;
      if (r.unknown_tokens) line += `, ${int(r.unknown_tokens)} unknown (${((100 * r.unknown_chars) / Math.max(1, r.chars)).toFixed(1)} % of the characters)`;
    } else if (built && built.version === store.textVersion && built.report.unknown_tokens) {
      line += ` · ${int(built.report.unknown_tokens)} characters unknown to the model`;
    }
    stats.textContent = line;
  };
  const offBuilt = ctx.on('built', (m) => {
    if (ctx.pg.task()) return;
    built = { version: store.textVersion, report: m.info.report, tokens: m.info.tokens };
    showStats();
  });
  let statsTimer = 0;
  let taskSeq = 0;
  const showText = () => {
    const task = ctx.pg.task();
    textarea.readOnly = !!task;
    if (task) {
      // The engine makes a task's text (about 2 MB); the page shows its start, read-only.
      const mine = ++taskSeq;
      stats.textContent = 'made by the engine · about 2 MB';
      ctx.pg.taskText().then((t) => {
        if (mine !== taskSeq || t === null) return;
        textarea.value = `${t}…`;
        stats.textContent = `made by the engine from (${task.name}, seed ${task.seed}) · about 2 MB; shown: the first ${int(codePoints(t))} characters`;
      });
      return;
    }
    taskSeq += 1;
    if (textarea.value !== store.text) textarea.value = store.text;
    clearTimeout(statsTimer);
    statsTimer = setTimeout(showStats, 150);
  };

  textarea.addEventListener('input', () => {
    fileNote = null;
    store.set({ preset: 'custom' }, 'typing');
    store.setText(textarea.value, 'typing');
  });
  const loadFile = async (f) => {
    if (f.size > MAX_FILE_BYTES) {
      ctx.alert(`“${f.name}” is ${int(f.size)} bytes (${bytes(f.size)}); the limit is ${int(MAX_FILE_BYTES)} bytes (10 MB). It was not read, and your current text was kept.`);
      return;
    }
    let buf;
    try {
      buf = await f.arrayBuffer();
    } catch (e) {
      ctx.alert(`Could not read “${f.name}”: ${e.message || e}. Your current text was kept.`);
      return;
    }
    const r = decodeText(buf, f.name);
    if (r.error) {
      ctx.alert(r.error);
      return;
    }
    fileNote = `Loaded “${f.name}”.`;
    store.set({ preset: 'custom' }, 'file');
    store.setText(r.text, 'file');
    showNote();
  };
  file.addEventListener('change', () => {
    const f = file.files && file.files[0];
    if (f) loadFile(f);
    file.value = ''; // allow choosing the same file again
  });
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
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
    if (files.length > 1) ctx.alert(`${files.length} files were dropped; using the first, “${files[0].name}”.`, 'info');
    loadFile(files[0]);
  });

  // The page says when the text is too large to travel in a link (main.js reports each link).
  const linkNote = el('p', { id: 'corpus-link-note', class: 'explain warn', hidden: true });
  hint.after(linkNote);
  const offLink = ctx.on('link', (l) => {
    const tooLarge = store.get('preset') === 'custom' && l.text === 'too-large';
    linkNote.hidden = !tooLarge;
    linkNote.textContent = tooLarge
      ? `This text is ${bytes(l.textBytes)} compressed, more than the 4 KB a link can carry: a shared link holds your settings but not the text.`
      : '';
  });
  const off = store.subscribe(({ keys, text }) => {
    if (keys.has('preset')) {
      if (store.get('preset') !== 'custom') fileNote = null;
      showNote();
    }
    if (text || (ctx.pg.task() && (keys.has('preset') || keys.has('seed')))) showText();
  });
  showNote();
  showText();
  if (!ctx.pg.task()) showStats();
  return {
    destroy() {
      off();
      offLink();
      offBuilt();
      preset.destroy();
      clearTimeout(statsTimer);
      section.remove();
    },
  };
}
