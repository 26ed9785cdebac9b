// Mounts a playground into a container: the page's two-column layout, or the compact layout
// of embed.html and <rnn-playground>. The same views serve all three; they differ only in the
// layout and in which views are mounted (the `views` setting, and `controls` for embeds).

import { el } from './views/dom.js';
import { Playground } from './playground.js';
import { VIEWS } from './views/index.js';
import * as alertView from './views/alert.js';
import * as trainView from './views/train.js';

/**
 * `container`: an element (in the document or a shadow root). `opts`: {store, mode: 'page' |
 * 'embed' | 'element', controls: 'none' | 'basic' | 'full', engine: null | 'simd128'}.
 * Returns {pg, ctx, ready (a promise: every view mounted), destroy()}.
 */
export function mountPlayground(container, { store, mode, controls = 'full', engine = null }) {
  const pg = new Playground({ store, engine, mode });
  const root = container.getRootNode();
  const ctx = {
    pg,
    store,
    mode,
    controls,
    root,
    on: (type, fn) => pg.on(type, fn),
    follow: (what, fn) => pg.follow(what, fn),
    status: () => pg.status(),
    alert: (message, kind) => pg.alert(message, kind),
    setInvalid: (name, problem) => pg.setInvalid(name, problem),
  };
  const fixed = []; // views mounted once
  let chosen = []; // views of the `views` setting, remounted when it changes
  let area;
  const full = controls === 'full';
  const pending = [];
  const mountModule = (load, parent) => pending.push(load().then((m) => fixed.push(m.mount(parent, ctx))));

  fixed.push(alertView.mount(container, ctx));
  if (mode === 'page') {
    // The training controls and the views come first in the document, so the Tab key reaches
    // Start before the settings, and a phone (one column) shows them first; on a wide screen
    // the text and the settings sit in the left column.
    const left = el('div', { class: 'column column-left' });
    const right = el('div', { class: 'column column-right' });
    container.append(el('main', { id: 'app', class: 'layout' }, right, left));
    const corpusBox = el('div', { class: 'slot' });
    const formBox = el('div', { class: 'slot' });
    const filesBox = el('div', { class: 'slot files-slot' });
    left.append(corpusBox, formBox, filesBox);
    mountModule(() => import('./views/corpus.js'), corpusBox);
    mountModule(() => import('./views/form.js'), formBox);
    mountModule(() => import('./views/files.js'), filesBox);
    fixed.push(trainView.mount(right, ctx));
    area = el('div', { class: 'views' });
    right.append(area);
  } else {
    const body = el('div', { class: 'compact-body' });
    container.append(body);
    if (full) {
      const corpusBox = el('div', { class: 'slot' });
      const formBox = el('div', { class: 'slot' });
      body.append(corpusBox, formBox);
      mountModule(() => import('./views/corpus.js'), corpusBox);
      mountModule(() => import('./views/form.js'), formBox);
    }
    fixed.push(trainView.mount(body, ctx));
    area = el('div', { class: 'views' });
    body.append(area);
  }

  let generation = 0;
  const mountChosen = async () => {
    const gen = ++generation;
    const names = store.get('views');
    const mods = await Promise.all(names.map((n) => VIEWS.find((v) => v.name === n).load()));
    if (gen !== generation) return;
    for (const v of chosen) v.destroy();
    chosen = mods.map((m) => m.mount(area, ctx));
    area.dataset.count = String(chosen.length);
  };
  const offViews = store.subscribe(({ keys }) => keys.has('views') && mountChosen());
  // A symbol hovered in the equations lights up the view that shows it.
  const offHighlight = pg.on('highlight', (name) => {
    for (const s of container.querySelectorAll('section.card')) s.classList.toggle('highlighted', !!name && s.classList.contains(`view-${name}`));
  });
  const ready = Promise.all([...pending, mountChosen()]).then(() => undefined);

  return {
    pg,
    ctx,
    ready,
    destroy() {
      offViews();
      offHighlight();
      for (const v of [...fixed, ...chosen]) v.destroy();
      pg.destroy();
    },
  };
}
