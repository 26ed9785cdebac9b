// The page (index.html): reads the settings from the link, mounts every view, and keeps the
// address bar's fragment equal to the current settings (replaceState: no history entries).
// Nothing here trains: the worker (worker.js) owns the model.

import { Store, readLink, writeLink } from './state.js';
import { mountPlayground } from './shell.js';
import * as share from './views/share.js';
import { field } from './views/fields.js';
import { el } from './views/dom.js';
import { startSaving } from './saving.js';

const PAGE_KEYS = null; // the page writes every setting that differs from its default

/** The link for the store's current state (the text only when it is the person's own). */
export function linkFor(store) {
  return writeLink(store.values, store.get('preset') === 'custom' ? store.text : null, { only: PAGE_KEYS });
}

async function init() {
  const boot = document.getElementById('boot');
  const first = await readLink(location.hash);
  const store = new Store(first.values);
  if (first.text !== null) store.setText(first.text, 'link');
  const engine = new URLSearchParams(location.search).get('engine');
  const app = mountPlayground(document.getElementById('root'), { store, mode: 'page', controls: 'full', engine, themeRoot: document.documentElement });
  share.mount(document.getElementById('share-slot'), app.ctx, () => linkFor(store));
  document.getElementById('theme-slot').append(field(app.ctx, 'theme', { compact: true }));
  // On a phone the text comes after the loss and the samples: one press brings it up.
  const jump = el('button', { type: 'button', id: 'btn-jump-text', class: 'small' }, 'Your text ↓');
  jump.addEventListener('click', () => {
    const box = document.getElementById('corpus');
    if (!box) return;
    box.scrollIntoView({ block: 'center' });
    box.focus({ preventScroll: true });
  });
  document.getElementById('jump-slot').append(jump);
  boot.hidden = true;
  if (first.problems.length) app.pg.alert(`this link had settings that could not be used — ${first.problems.join('; ')}.`, 'info');
  else if (first.values.preset === 'custom' && first.text === null && location.hash.length > 1) {
    app.pg.alert('this link was made with its author’s own text, which was too large to travel in a link: paste or upload the text, or pick a preset.', 'info');
  }

  // The address bar follows every change, at most a few times a second.
  let written = location.hash.replace(/^#/, '');
  let timer = 0;
  let seq = 0;
  const write = async () => {
    const mine = ++seq;
    const link = await linkFor(store);
    if (mine !== seq) return;
    app.pg.emit('link', link);
    if (link.fragment !== written) {
      written = link.fragment;
      history.replaceState(history.state, '', `${location.pathname}${location.search}#${link.fragment}`);
    }
  };
  store.subscribe(({ text }) => {
    clearTimeout(timer);
    timer = setTimeout(write, text ? 400 : 150);
  });
  write();
  // Someone edits the fragment by hand (or follows an in-page link): apply it.
  addEventListener('hashchange', async () => {
    const frag = location.hash.replace(/^#/, '');
    if (frag === written) return;
    written = frag;
    const r = await readLink(frag);
    store.set(r.values, 'link');
    if (r.text !== null) store.setText(r.text, 'link');
    if (r.problems.length) app.pg.alert(`this link had settings that could not be used — ${r.problems.join('; ')}.`, 'info');
  });
  app.pg.boot(); // the page is the playground: start the engine now, not on first use
  await app.ready;
  await startSaving(app.pg, store); // never throws: a damaged saved run is reported, not fatal
  document.documentElement.dataset.ready = '1';
}

init().catch((e) => {
  const boot = document.getElementById('boot');
  boot.hidden = false;
  boot.className = 'fatal';
  boot.setAttribute('role', 'alert');
  boot.textContent = `The page failed to start: ${e.message || e}`;
  throw e;
});
