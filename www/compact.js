// The compact playground shared by embed.html and <rnn-playground>: the shell's compact layout,
// an "Open in the playground" link carrying the settings, and good manners as a guest on
// someone else's page: nothing heavy (no worker, no wasm) is loaded until the playground is
// near the screen or used; training pauses while it is out of view or the tab is hidden and
// resumes when it is back; nothing is written to the host's storage.

import { el } from './views/dom.js';
import { mountPlayground } from './shell.js';
import { writeLink } from './state.js';

/** The page, next to this module's folder. */
const PAGE_URL = new URL('../index.html', import.meta.url);

/**
 * `container`: where to mount. `opts`: {store, controls, autostart, engine, target (the element
 * whose visibility counts), nearMargin (CSS margin for "near the screen", e.g. '100% 0px'),
 * themeRoot and hostScheme (see shell.js)}. Returns the shell's {pg, ctx, ready, retheme, destroy}.
 */
export function mountCompact(container, { store, controls, autostart, engine = null, target, nearMargin = '0px', themeRoot = container, hostScheme = () => null }) {
  const app = mountPlayground(container, { store, mode: 'embed', controls, engine, themeRoot, hostScheme });
  const { pg } = app;
  const open = el('a', { class: 'open-link', href: PAGE_URL.href, target: '_blank', rel: 'noopener' }, 'Open in the playground ↗');
  container.append(el('div', { class: 'rnn-foot' }, el('span', {}, 'RNN playground · trains in your browser'), open));
  let seq = 0;
  const updateLink = async () => {
    const mine = ++seq;
    const link = await writeLink(store.values, store.get('preset') === 'custom' ? store.text : null);
    if (mine !== seq) return;
    const p = new URLSearchParams(link.fragment);
    // The page shows every view and has no embed controls (the theme goes along).
    for (const k of ['views', 'controls', 'autostart']) p.delete(k);
    open.href = `${PAGE_URL.href}#${p.toString().replace(/%2C/gi, ',')}`;
  };
  let linkTimer = 0;
  const offStore = store.subscribe(() => {
    clearTimeout(linkTimer);
    linkTimer = setTimeout(updateLink, 300);
  });
  updateLink();

  // Load when near the screen (or when someone presses a button: the commands boot the engine).
  let visible = false;
  let started = false;
  const near = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      near.disconnect();
      pg.boot();
    }
  }, { rootMargin: nearMargin });
  near.observe(target);
  const seen = new IntersectionObserver((entries) => {
    const e = entries[entries.length - 1];
    visible = e.isIntersecting;
    pg.hold('out of view', !visible);
    if (visible && autostart && !started) {
      started = true;
      pg.boot();
      pg.start();
    }
  });
  seen.observe(target);
  const onVisibility = () => pg.hold('tab hidden', document.visibilityState === 'hidden');
  document.addEventListener('visibilitychange', onVisibility);
  onVisibility();
  const destroy = app.destroy;
  app.destroy = () => {
    near.disconnect();
    seen.disconnect();
    document.removeEventListener('visibilitychange', onVisibility);
    offStore();
    clearTimeout(linkTimer);
    destroy();
  };
  return app;
}
