// embed.html: the playground inside someone else's page, in an iframe. It takes the page's link
// fragment plus `views=`, `controls=none|basic|full`, `autostart=1` and `theme=`, and talks to
// its host:
//   to the host:   {type: 'rnn-playground:resize', height}     whenever its content height changes
//                  {type: 'rnn-playground:progress', step, loss, valLoss, charsPerSec, running}
//                  {type: 'rnn-playground:state', state}       training / paused / … (the badge)
//   from the host: {type: 'rnn-playground:command', command: 'start'|'pause'|'reset'|'step'}
//                  {type: 'rnn-playground:host', sizing, scheme, vars}   from embed-host.js: the
//                  host sizes this frame to its content (so it hides its own scrollbar), its
//                  colour scheme ('light' | 'dark', for theme=auto) and its --rnn-* values
// Messages go to the parent window only, and are taken from it only. A host with several embeds
// tells them apart by `event.source` (each iframe's contentWindow).

import { Store, readLink } from './state.js';
import { mountCompact } from './compact.js';
import { THEME_NAMES, validThemeValue } from './theme.js';

const host = window.parent !== window ? window.parent : null;
const post = (msg) => host && host.postMessage(msg, '*');
const html = document.documentElement;

// The host's theme and sizing, heard from the first moment (embed-host.js may greet this frame
// before the playground is mounted).
let hostScheme = null;
let app = null;
let lastHeight = 0;
const postHeight = (force = false) => {
  const height = Math.ceil(html.getBoundingClientRect().height);
  if (height !== lastHeight || force) post({ type: 'rnn-playground:resize', height: (lastHeight = height) });
};
function onHost(d) {
  // Sized by the host: the frame is as tall as the content, so no scrollbar of its own, and the
  // boxes that would scroll inside a fixed frame (the samples) grow instead.
  const first = html.dataset.sized !== '1';
  if (d.sizing === true) {
    html.dataset.sized = '1';
    document.getElementById('root').classList.add('grows');
  }
  hostScheme = d.scheme === 'light' || d.scheme === 'dark' ? d.scheme : null;
  const vars = d.vars && typeof d.vars === 'object' ? d.vars : {};
  for (const name of THEME_NAMES) {
    const v = vars[name];
    if (typeof v === 'string' && validThemeValue(name, v.trim())) html.style.setProperty(name, v.trim());
    else html.style.removeProperty(name);
  }
  if (app) app.retheme();
  // The first greeting may come from a helper that loaded after this frame: it needs the height.
  postHeight(first);
}
const commands = {
  start: () => app?.pg.start(),
  pause: () => app?.pg.pause(),
  reset: () => app?.pg.reset(),
  step: () => app?.pg.step(),
};
addEventListener('message', (e) => {
  if (!host || e.source !== host || !e.data || typeof e.data !== 'object') return;
  if (e.data.type === 'rnn-playground:host') onHost(e.data);
  else if (e.data.type === 'rnn-playground:command') commands[e.data.command]?.();
});

async function init() {
  const root = document.getElementById('root');
  const link = await readLink(location.hash);
  const store = new Store(link.values);
  if (link.text !== null) store.setText(link.text, 'link');
  const engine = new URLSearchParams(location.search).get('engine');
  app = mountCompact(root, {
    store, controls: store.get('controls'), autostart: store.get('autostart'), engine,
    target: html, themeRoot: html, hostScheme: () => hostScheme,
  });
  const { pg } = app;
  if (link.problems.length) pg.alert(`some settings of this embed could not be used — ${link.problems.join('; ')}.`, 'info');
  if (link.values.preset === 'custom' && link.text === null) pg.alert('this embed names its own text but does not carry it; the playground has nothing to train on.', 'info');
  if (!host && location.hash.length <= 1) {
    // Opened by itself, without settings: someone looking for how to embed it.
    const docs = new URL('../embedding.html', import.meta.url).href;
    pg.alert(`this is the page that iframes show. To put a playground in your own page, see ${docs}: it writes the code for you.`, 'info', [{ label: 'How to embed it', run: () => location.assign(docs) }], 'docs');
  }

  // What the run's store holds (run.js): the newest validation loss is its newest `val` message
  // (forgotten with a new model).
  const { run } = pg;
  const progress = (p) => post({ type: 'rnn-playground:progress', step: p.step, loss: p.smooth, valLoss: run.last('val')?.loss ?? null, charsPerSec: p.charsPerSec, running: run.get('running') });
  pg.on('progress', progress);
  pg.on('val', () => {
    if (run.last('progress')) progress(run.last('progress'));
  });
  let lastState = '';
  pg.on('status', () => {
    const state = run.get('status').label;
    if (state !== lastState) post({ type: 'rnn-playground:state', state: (lastState = state) });
  });
  new ResizeObserver(() => postHeight()).observe(html);
  await app.ready;
  html.dataset.ready = '1';
}

init().catch((e) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = `The playground failed to start: ${e.message || e}`;
  document.body.append(p);
  throw e;
});
