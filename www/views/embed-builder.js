// The embed builder: an author's choices (views, controls, autostart, theme, height behaviour, a
// title) → the iframe code and the element code, each with a Copy button, and a live preview of
// the embed as it will look. The Share dialog (page) and embedding.html both mount it; the code
// itself is written by embed-code.js.

import { el } from './dom.js';
import { VIEWS } from './index.js';
import { setting } from '../settings.js';
import { elementCode, embedFragment, embedHeight, iframeCode, NARROW_WIDTH, TYPICAL_WIDTH } from '../embed-code.js';
import { singleScheme } from '../theme.js';

async function copy(text, input, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
  } catch {
    input.focus();
    input.select();
    status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

/** A read-only code box with a Copy button; returns {node, input}. */
export function codeRow(id, label, multi) {
  const input = multi
    ? el('textarea', { id, readonly: true, rows: 4, spellcheck: 'false' })
    : el('input', { id, type: 'text', readonly: true, spellcheck: 'false' });
  const status = el('span', { class: 'meta', 'aria-live': 'polite' });
  const btn = el('button', { type: 'button', class: 'small' }, 'Copy');
  btn.setAttribute('aria-label', `Copy ${label.toLowerCase()}`);
  btn.addEventListener('click', () => copy(input.value, input, status));
  return { input, node: el('div', { class: 'field share-row' }, el('label', { for: id }, label), input, el('div', { class: 'row' }, btn, status)) };
}

/**
 * Mounts the builder into `parent`. `base`: the playground folder's URL (ending in '/');
 * `source()`: resolves to {fragment, text} (the settings to embed, and the text for the element
 * when it is the author's own); `initial`: first choices {views, theme}. Returns
 * {refresh() (the source changed; shows the preview), stop() (unloads the preview), destroy()}.
 */
export function mountBuilder(parent, { base, source, initial = {} }) {
  const choice = (name) => setting(name).choices;
  const viewBoxes = VIEWS.map((v) => {
    const box = el('input', { type: 'checkbox', id: `embed-view-${v.name}`, value: v.name });
    box.checked = (initial.views ?? ['loss', 'samples']).includes(v.name);
    return { name: v.name, box, node: el('label', { class: 'check', for: `embed-view-${v.name}` }, box, v.title) };
  });
  const select = (id, values, labels, value) => {
    const s = el('select', { id });
    for (const v of values) s.append(el('option', { value: v }, labels[v] ?? v));
    s.value = value;
    return s;
  };
  const controls = select('embed-controls', choice('controls'), { none: 'None (numbers only)', basic: 'Basic (the buttons)', full: 'Full (every setting)' }, setting('controls').default);
  const theme = select('embed-theme', choice('theme'), { auto: 'Auto (your page’s)', light: 'Light', dark: 'Dark' }, initial.theme ?? setting('theme').default);
  const autostart = el('input', { type: 'checkbox', id: 'embed-autostart' });
  const sizing = select('embed-sizing', ['auto', 'fixed'], { auto: 'Fits its content', fixed: 'Fixed, no script' }, 'auto');
  const title = el('input', { type: 'text', id: 'embed-title', value: 'RNN playground', maxlength: 120, spellcheck: 'false' });
  const sizingNote = el('p', { id: 'embed-sizing-note', class: 'explain' });
  const controlsNote = el('p', { id: 'embed-controls-note', class: 'explain' });
  const showControls = () => {
    controlsNote.textContent = { none: 'No buttons: the page around it (or autostart) starts it; the reader sees the numbers and views.', basic: 'Start, Pause, Step, Reset and the sampling temperature.', full: 'Every setting and the text, as on the playground page.' }[controls.value];
  };
  controls.addEventListener('change', showControls);
  showControls();
  const iframe = codeRow('share-iframe', 'Embed with an iframe (any site)', true);
  const element = codeRow('share-element', 'Embed as an element (your site hosts the playground’s folder, or it is served with CORS)', true);
  const previewWidth = select('embed-preview-width', ['column', 'phone'], { column: 'as wide as this column', phone: `${NARROW_WIDTH} px (a phone)` }, 'column');
  const preview = el('iframe', { id: 'embed-preview', title: 'Preview of the embed', width: '100%', height: '400', frameborder: '0' });
  const previewBox = el('div', { class: 'embed-preview-box' }, preview);

  const field = (label, input, id) => el('div', { class: 'field' }, el('label', { for: id }, label), input);
  const options = el('div', { class: 'embed-options' },
    el('fieldset', { class: 'views-pick' }, el('legend', {}, 'Views, in this order'), el('div', { class: 'checks' }, ...viewBoxes.map((v) => v.node))),
    el('div', { class: 'fields' },
      field('Controls', controls, 'embed-controls'),
      field('Theme', theme, 'embed-theme'),
      field('Height', sizing, 'embed-sizing'),
      field('Title (for screen readers)', title, 'embed-title'),
      el('label', { class: 'check wide', for: 'embed-autostart' }, autostart, 'Start training as soon as it is on screen')),
    controlsNote, sizingNote);
  const code = el('div', { class: 'embed-code' }, iframe.node, element.node);
  const previewPart = el('div', { class: 'embed-preview' },
    el('div', { class: 'row spread' }, el('h3', {}, 'Preview'), el('div', { class: 'field inline' }, el('label', { for: 'embed-preview-width' }, 'Width'), previewWidth)),
    previewBox);
  const node = el('div', { class: 'embed-builder' }, el('div', { class: 'embed-left' }, options, code), previewPart);
  parent.append(node);

  const chosen = () => ({
    views: viewBoxes.filter((v) => v.box.checked).map((v) => v.name),
    controls: controls.value,
    autostart: autostart.checked,
    theme: theme.value,
    sizing: sizing.value,
    title: title.value.trim() || 'RNN playground',
  });

  // The preview is sized here as embed-host.js would size it (with `Fits its content`), or kept
  // at the code's fixed height. Each new preview document is greeted once it has loaded.
  let previewSeq = 0;
  let previewFixed = null;
  const onMessage = (e) => {
    if (e.source !== preview.contentWindow || !e.data || e.data.type !== 'rnn-playground:resize') return;
    if (previewFixed === null && e.data.height > 0) preview.style.height = `${Math.ceil(e.data.height)}px`;
  };
  addEventListener('message', onMessage);
  preview.addEventListener('load', () => {
    if (previewFixed !== null || !preview.src.includes('embed.html')) return;
    const scheme = singleScheme(getComputedStyle(preview).colorScheme) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
    preview.contentWindow.postMessage({ type: 'rnn-playground:host', sizing: true, scheme, vars: {} }, new URL(base).origin);
  });

  let seq = 0;
  let timer = 0;
  const render = async () => {
    const mine = ++seq;
    const c = chosen();
    const src = await source();
    if (mine !== seq) return;
    const fragment = embedFragment(src.fragment, c);
    iframe.input.value = iframeCode({ base, fragment, views: c.views, controls: c.controls, sizing: c.sizing, title: c.title });
    element.input.value = elementCode({ base, fragment, text: src.text, label: c.title });
    const h = embedHeight(c.views, c.controls, TYPICAL_WIDTH);
    sizingNote.textContent = c.sizing === 'auto'
      ? `The frame starts ${h} px tall (measured for a ${TYPICAL_WIDTH} px column) and then follows its content: embed-host.js, one script line from the playground’s folder, sizes every playground frame on the page and passes on its theme. The element needs no script of yours: it is part of your page.`
      : `Without the script the frame keeps its height, ${iframe.input.value.match(/height="(\d+)"/)[1]} px, made for a ${NARROW_WIDTH} px phone column; wider columns leave space below it, and a message or a longer sample can make it scroll inside. Use this where your site allows no scripts.`;
    // The preview: a fresh document (a new query), sized like the code.
    previewFixed = c.sizing === 'fixed' ? Number(iframe.input.value.match(/height="(\d+)"/)[1]) : null;
    preview.style.height = `${previewFixed ?? h}px`;
    preview.title = `Preview: ${c.title}`;
    preview.src = `${base}embed.html?preview=${++previewSeq}#${fragment}`;
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(render, 250);
  };
  for (const input of [controls, theme, autostart, sizing, ...viewBoxes.map((v) => v.box)]) input.addEventListener('change', soon);
  title.addEventListener('input', soon);
  previewWidth.addEventListener('change', () => {
    previewBox.style.maxWidth = previewWidth.value === 'phone' ? `${NARROW_WIDTH}px` : '';
  });
  return {
    refresh: render,
    stop() {
      seq += 1;
      clearTimeout(timer);
      preview.src = 'about:blank';
    },
    destroy() {
      clearTimeout(timer);
      removeEventListener('message', onMessage);
      node.remove();
    },
  };
}
