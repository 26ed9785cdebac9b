// embed-host.js: the one line an author adds next to RNN playground iframes,
//
//   <script src="https://example.org/rnn-playground/embed-host.js" async></script>
//
// It sizes every playground iframe on the page to its content (the embed reports its height with
// {type: 'rnn-playground:resize', height}), so the frame never scrolls inside, and tells each
// embed the page's theme: its colour scheme (the scheme the iframe element is given by the page's
// CSS, else the system's) and any --rnn-* custom properties the page sets on the iframe (or above
// it), again whenever the page switches its dark mode. A message counts only when it comes from
// an iframe of this page and from that iframe's own origin; replies go to that origin only.
// Including the script twice does no harm. No cookies, no storage, no requests.
(() => {
  'use strict';
  if (window.__rnnPlaygroundHost) return;
  window.__rnnPlaygroundHost = true;

  // The theming properties (www/theme.js lists them; e2e/theme.test.mjs checks this copy).
  const NAMES = ['--rnn-bg', '--rnn-card', '--rnn-fg', '--rnn-muted', '--rnn-border', '--rnn-accent', '--rnn-accent-fg',
    '--rnn-input-bg', '--rnn-code-bg', '--rnn-train', '--rnn-val', '--rnn-ok', '--rnn-warn', '--rnn-danger',
    '--rnn-font', '--rnn-mono'];
  const dark = window.matchMedia ? matchMedia('(prefers-color-scheme: dark)') : null;
  const sized = new Set(); // iframes this script sizes

  const originOf = (frame) => {
    try {
      return new URL(frame.src, location.href).origin;
    } catch {
      return null;
    }
  };
  const frameOf = (source) => {
    for (const f of document.querySelectorAll('iframe')) if (f.contentWindow === source) return f;
    return null;
  };
  // Frames that look like a playground embed, greeted before they say anything.
  const looksLikeEmbed = (f) => /\/embed\.html(?:[?#]|$)/.test(f.getAttribute('src') || '');

  function themeOf(frame) {
    const cs = getComputedStyle(frame);
    const vars = {};
    for (const n of NAMES) {
      const v = cs.getPropertyValue(n).trim();
      if (v) vars[n] = v;
    }
    const words = String(cs.colorScheme || '').split(/\s+/).filter((w) => w === 'light' || w === 'dark');
    const scheme = words.length === 1 ? words[0] : dark && dark.matches ? 'dark' : 'light';
    return { scheme, vars };
  }

  // A frame still showing its first about:blank (same origin as this page) would refuse a message
  // for the playground's origin (Firefox logs it as an error): greet it once it has loaded.
  const loaded = (frame) => {
    try {
      return frame.contentWindow.location.href !== 'about:blank';
    } catch {
      return true; // another origin's document: the embed
    }
  };

  function greet(frame) {
    const origin = originOf(frame);
    if (!origin || origin === 'null' || !frame.contentWindow || !loaded(frame)) return;
    const t = themeOf(frame);
    frame.contentWindow.postMessage({ type: 'rnn-playground:host', sizing: true, scheme: t.scheme, vars: t.vars }, origin);
  }

  addEventListener('message', (e) => {
    const d = e.data;
    if (!d || typeof d !== 'object' || typeof d.type !== 'string' || d.type.indexOf('rnn-playground:') !== 0) return;
    const frame = frameOf(e.source);
    if (!frame || originOf(frame) !== e.origin) return;
    if (!sized.has(frame)) {
      sized.add(frame);
      // Border-box, so that a border never pushes a 100 %-wide frame past its column.
      frame.style.boxSizing = 'border-box';
      frame.style.maxWidth = '100%';
      greet(frame);
    }
    if (d.type === 'rnn-playground:resize') {
      const h = Number(d.height);
      if (!(h > 0 && h < 100000)) return;
      const cs = getComputedStyle(frame);
      const extra = parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth) + parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
      frame.style.height = `${Math.ceil(h + (extra || 0))}px`;
    }
  });

  // Frames that loaded before this script: greet them now, and greet every frame again when it
  // (re)loads. An embed answers a greeting with its height.
  const greetEmbeds = () => {
    for (const f of document.querySelectorAll('iframe')) if (sized.has(f) || looksLikeEmbed(f)) greet(f);
  };
  document.addEventListener('load', (e) => {
    if (e.target instanceof HTMLIFrameElement && looksLikeEmbed(e.target)) greet(e.target);
  }, true);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', greetEmbeds);
  else greetEmbeds();

  // The page switches its theme: a class or attribute on <html> or <body>, or the system's scheme.
  let timer = 0;
  const rethemed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const f of [...sized]) {
        if (f.isConnected) greet(f);
        else sized.delete(f);
      }
    }, 50);
  };
  if (dark && dark.addEventListener) dark.addEventListener('change', rethemed);
  const watch = new MutationObserver(rethemed);
  const observe = () => {
    for (const n of [document.documentElement, document.body]) {
      if (n) watch.observe(n, { attributes: true, attributeFilter: ['class', 'style', 'data-theme', 'data-color-scheme'] });
    }
  };
  if (document.body) observe();
  else document.addEventListener('DOMContentLoaded', observe);
})();
