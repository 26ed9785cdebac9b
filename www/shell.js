// Mounts a playground into a container: the page's two-column layout, or the compact layout
// of embed.html and <rnn-playground>. The same views serve all three; they differ only in the
// layout and in which views are mounted (the `views` setting, and `controls` for embeds).

import { el } from './views/dom.js';
import { Playground } from './playground.js';
import { VIEWS } from './views/index.js';
import { schemeFor, themeChanged } from './theme.js';
import * as alertView from './views/alert.js';
import * as trainView from './views/train.js';

/**
 * `container`: an element (in the document or a shadow root). `opts`: {store, mode: 'page' |
 * 'embed' | 'element', controls: 'none' | 'basic' | 'full', engine: null | 'simd128',
 * themeRoot: the element whose `color-scheme` the theme sets (default `container`), hostScheme():
 * the host's own scheme for theme=auto ('light' | 'dark' | null: the system's)}.
 * Returns {pg, ctx, ready (a promise: every view mounted), retheme(), destroy()}.
 */
export function mountPlayground(container, { store, mode, controls = 'full', engine = null, themeRoot = container, hostScheme = () => null }) {
  const pg = new Playground({ store, engine, mode });
  const root = container.getRootNode();
  // The theme is a color-scheme on the playground's root: playground.css resolves every colour
  // from it and the --rnn-* properties; the views redraw their canvases when told.
  const retheme = () => {
    themeRoot.style.colorScheme = schemeFor(store.get('theme'), hostScheme());
    themeRoot.dataset.theme = store.get('theme');
    themeChanged(root);
  };
  retheme();
  const offTheme = store.subscribe(({ keys }) => keys.has('theme') && retheme());
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
  const mountModule = (file, parent) => {
    const url = new URL(file, import.meta.url).href;
    pending.push(import(url).then(
      (m) => fixed.push(m.mount(parent, ctx)),
      (e) => pg.alert(`a part of the playground could not be loaded from ${url} (${e.message || e}).`, 'error', [], `module ${file}`),
    ));
  };

  fixed.push(alertView.mount(container, ctx));
  if (mode === 'page') {
    // The training controls and the views come first in the document, so the Tab key reaches
    // Start before the settings. page.css places them: on a wide screen the training card above
    // the text and the settings in a narrow column, the loss and the samples side by side beside
    // it (the first screen shows Start, the loss and the newest sample); on a phone one column,
    // training (sticky), the loss, the text, the samples, the other views, the settings.
    const side = el('div', { class: 'column column-side' });
    const main = el('div', { class: 'column column-main' });
    container.append(el('main', { id: 'app', class: 'layout' }, main, side));
    const corpusBox = el('div', { class: 'slot' });
    const formBox = el('div', { class: 'slot' });
    const filesBox = el('div', { class: 'slot files-slot' });
    side.append(corpusBox, formBox, filesBox);
    mountModule('./views/corpus.js', corpusBox);
    mountModule('./views/form.js', formBox);
    mountModule('./views/files.js', filesBox);
    fixed.push(trainView.mount(main, ctx));
    area = el('div', { class: 'views' });
    main.append(area);
  } else {
    const body = el('div', { class: 'compact-body' });
    container.append(body);
    if (full) {
      const corpusBox = el('div', { class: 'slot' });
      const formBox = el('div', { class: 'slot' });
      body.append(corpusBox, formBox);
      mountModule('./views/corpus.js', corpusBox);
      mountModule('./views/form.js', formBox);
    }
    fixed.push(trainView.mount(body, ctx));
    area = el('div', { class: 'views' });
    body.append(area);
  }

  let generation = 0;
  const mountChosen = async () => {
    const gen = ++generation;
    const names = store.get('views');
    // A view whose module cannot be fetched (a folder copied without it, a network error) is
    // named with its URL; the others still mount.
    const mods = await Promise.all(names.map((n) => {
      const v = VIEWS.find((x) => x.name === n);
      return v.load().catch((e) => ({ failed: v, error: e }));
    }));
    if (gen !== generation) return;
    for (const v of chosen) v.destroy();
    const failed = mods.filter((m) => m.failed);
    chosen = mods.filter((m) => !m.failed).map((m) => m.mount(area, ctx));
    area.dataset.count = String(chosen.length);
    if (failed.length) {
      pg.alert(`${failed.length === 1 ? 'a view' : 'some views'} could not be loaded: ${failed.map((m) => `${m.failed.title} from ${m.failed.url}`).join('; ')} (${failed[0].error?.message || failed[0].error}).`, 'error', [], 'views');
    } else pg.alert(null, 'error', [], 'views');
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
    retheme,
    destroy() {
      offTheme();
      offViews();
      offHighlight();
      for (const v of [...fixed, ...chosen]) v.destroy();
      pg.destroy();
    },
  };
}
