// Share view (the page only): a "Share" button opening a dialog with the link to this exact
// setup and copy-paste code to embed it (iframe or <rnn-playground>), each with a Copy button.

import { el } from './dom.js';
import { setting } from '../settings.js';
import { MAX_LINK_TEXT_BYTES } from '../state.js';

/** Attribute names that differ from the link's: `hidden` is a global HTML attribute. */
export const ATTRIBUTE_ALIASES = { hidden: 'hidden-size' };

const escapeAttr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<rnn-playground …>` for the link's settings (plain text in `text`, unlike the link). */
export function elementCode(base, fragment, text) {
  const params = new URLSearchParams(fragment);
  const attrs = [];
  for (const [k, v] of params) {
    if (k === 'v' || k === 'text' || !setting(k)) continue;
    const s = setting(k);
    const name = ATTRIBUTE_ALIASES[k] ?? k;
    attrs.push(s.kind === 'flag' ? (v === '1' ? name : '') : `${name}="${escapeAttr(v)}"`);
  }
  if (text) attrs.push(`text="${escapeAttr(text)}"`);
  return `<script type="module" src="${base}rnn-playground.js"></script>\n<rnn-playground ${attrs.filter(Boolean).join(' ')}${attrs.length ? ' ' : ''}label="RNN playground"></rnn-playground>`;
}

/** The iframe snippet for a fragment. */
export function iframeCode(base, fragment) {
  return `<iframe src="${base}embed.html#${fragment}" title="RNN playground" loading="lazy" width="100%" height="620" style="border:0;max-width:100%"></iframe>`;
}

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

/** `makeLink()` resolves to {fragment, text, textBytes} (state.js writeLink). */
export function mount(parent, ctx, makeLink) {
  const button = el('button', { type: 'button', id: 'btn-share', class: 'share' }, 'Share');
  const row = (id, label, multi) => {
    const input = multi
      ? el('textarea', { id, readonly: true, rows: 4, spellcheck: 'false' })
      : el('input', { id, type: 'text', readonly: true, spellcheck: 'false' });
    const status = el('span', { class: 'meta', 'aria-live': 'polite' });
    const btn = el('button', { type: 'button', class: 'small' }, 'Copy');
    btn.addEventListener('click', () => copy(input.value, input, status));
    btn.setAttribute('aria-label', `Copy ${label.toLowerCase()}`);
    return { input, node: el('div', { class: 'field share-row' }, el('label', { for: id }, label), input, el('div', { class: 'row' }, btn, status)) };
  };
  const link = row('share-link', 'Link', false);
  const iframe = row('share-iframe', 'Embed with an iframe', true);
  const element = row('share-element', 'Embed as an element (your site hosts the playground’s folder)', true);
  const textNote = el('p', { id: 'share-text-note', class: 'explain' });
  const close = el('button', { type: 'button', class: 'small' }, 'Close');
  const dialog = el('dialog', { id: 'share-dialog', class: 'share-dialog', 'aria-labelledby': 'share-h' },
    el('h2', { id: 'share-h' }, 'Share this playground'),
    el('p', { class: 'explain' }, 'The link holds every setting (and a small text of your own); it does not hold the trained weights: whoever opens it trains from scratch.'),
    link.node, textNote, iframe.node, element.node,
    el('div', { class: 'row spread' }, el('a', { href: 'tutorial.html' }, 'How the embeds work: the tutorial'), close));
  close.addEventListener('click', () => dialog.close());
  parent.append(button, dialog);
  button.addEventListener('click', async () => {
    const l = await makeLink();
    const base = new URL('.', location.href).href;
    link.input.value = new URL(`#${l.fragment}`, location.href).href;
    const custom = ctx.store.get('preset') === 'custom';
    textNote.textContent = !custom
      ? `The text is the “${ctx.store.get('preset')}” preset: the link names it.`
      : l.text === 'included'
        ? `Your text (${l.textBytes.toLocaleString('en-US')} bytes compressed) travels in the link.`
        : `Your text is ${l.textBytes.toLocaleString('en-US')} bytes compressed, more than the ${MAX_LINK_TEXT_BYTES.toLocaleString('en-US')} bytes a link can carry: the link holds the settings only, so whoever opens it must paste the text themselves.`;
    textNote.classList.toggle('warn', custom && l.text !== 'included');
    // An embed usually shows less than the page: the loss and samples, unless views were chosen.
    const embedParams = new URLSearchParams(l.fragment);
    if (!embedParams.has('views')) embedParams.set('views', 'loss,samples');
    iframe.input.value = iframeCode(base, embedParams.toString().replace(/%2C/gi, ','));
    element.input.value = elementCode(base, embedParams.toString().replace(/%2C/gi, ','), custom ? ctx.store.text : '');
    dialog.showModal();
  });
  return { destroy() { button.remove(); dialog.remove(); } };
}

