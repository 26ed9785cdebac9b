// Share view (the page only): a "Share" button opening a dialog with the link to this exact
// setup and the embed builder (embed-builder.js): the author picks the views, controls,
// autostart, theme and height behaviour, and gets the iframe and element code with a live preview.

import { el } from './dom.js';
import { MAX_LINK_TEXT_BYTES } from '../state.js';
import { setting, defaults, same } from '../settings.js';
import { codeRow, mountBuilder } from './embed-builder.js';

/** `makeLink()` resolves to {fragment, text, textBytes} (state.js writeLink). */
export function mount(parent, ctx, makeLink) {
  const button = el('button', { type: 'button', id: 'btn-share', class: 'share' }, 'Share');
  const link = codeRow('share-link', 'Link', false);
  const textNote = el('p', { id: 'share-text-note', class: 'explain' });
  const close = el('button', { type: 'button', class: 'small' }, 'Close');
  const docs = new URL('../../embedding.html', import.meta.url).href;
  const builderBox = el('div', { class: 'share-embed' });
  const dialog = el('dialog', { id: 'share-dialog', class: 'share-dialog', 'aria-labelledby': 'share-h' },
    el('div', { class: 'row spread' }, el('h2', { id: 'share-h' }, 'Share this playground'), close),
    el('p', { class: 'explain' }, 'The link holds every setting (and a small text of your own); it does not hold the trained weights: whoever opens it trains from scratch.'),
    link.node, textNote,
    el('h3', {}, 'Embed it in your page'),
    builderBox,
    el('p', { class: 'explain' }, el('a', { href: docs }, 'How embedding works, every option, events and messages'), ' (embedding.html).'));
  parent.append(button, dialog);

  let last = null; // the link of the moment the dialog opened
  const base = new URL('../../', import.meta.url).href;
  const pageViews = ctx.store.get('views');
  // An embed usually shows less than the page: the loss and the samples, unless the page's views
  // were chosen.
  const chosenViews = same(setting('views'), pageViews, defaults().views) ? ['loss', 'samples'] : pageViews;
  const builder = mountBuilder(builderBox, {
    base,
    source: async () => ({ fragment: last.fragment, text: ctx.store.get('preset') === 'custom' ? ctx.store.text : '' }),
    initial: { views: chosenViews, theme: ctx.store.get('theme') },
  });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => builder.stop());
  button.addEventListener('click', async () => {
    last = await makeLink();
    link.input.value = new URL(`#${last.fragment}`, location.href).href;
    const custom = ctx.store.get('preset') === 'custom';
    textNote.textContent = !custom
      ? `The text is the “${ctx.store.get('preset')}” preset: the link names it.`
      : last.text === 'included'
        ? `Your text (${last.textBytes.toLocaleString('en-US')} bytes compressed) travels in the link and the iframe code.`
        : `Your text is ${last.textBytes.toLocaleString('en-US')} bytes compressed, more than the ${MAX_LINK_TEXT_BYTES.toLocaleString('en-US')} bytes a link can carry: the link and the iframe hold the settings only, so whoever opens them must paste the text themselves (the element code carries it whole).`;
    textNote.classList.toggle('warn', custom && last.text !== 'included');
    dialog.showModal();
    await builder.refresh();
  });
  return {
    destroy() {
      builder.destroy();
      button.remove();
      dialog.remove();
    },
  };
}
