// embed.html: the playground inside someone else's page, in an iframe. It takes the page's link
// fragment plus `views=`, `controls=none|basic|full` and `autostart=1`, and talks to its host:
//   to the host:   {type: 'rnn-playground:resize', height}     whenever its content height changes
//                  {type: 'rnn-playground:progress', step, loss, valLoss, charsPerSec, running}
//                  {type: 'rnn-playground:state', state}       training / paused / … (the badge)
//   from the host: {type: 'rnn-playground:command', command: 'start'|'pause'|'reset'|'step'}
// Messages go to the parent window only, and commands are taken from it only. A host with
// several embeds tells them apart by `event.source` (each iframe's contentWindow).

import { Store, readLink } from './state.js';
import { mountCompact } from './compact.js';

const host = window.parent !== window ? window.parent : null;
const post = (msg) => host && host.postMessage(msg, '*');

async function init() {
  const root = document.getElementById('root');
  const link = await readLink(location.hash);
  const store = new Store(link.values);
  if (link.text !== null) store.setText(link.text, 'link');
  const engine = new URLSearchParams(location.search).get('engine');
  const app = mountCompact(root, {
    store, controls: store.get('controls'), autostart: store.get('autostart'), engine,
    target: document.documentElement,
  });
  const { pg } = app;
  if (link.problems.length) pg.alert(`some settings of this embed could not be used — ${link.problems.join('; ')}.`, 'info');
  if (link.values.preset === 'custom' && link.text === null) pg.alert('this embed names its own text but does not carry it; the playground has nothing to train on.', 'info');

  let valLoss = null;
  const progress = (p) => post({ type: 'rnn-playground:progress', step: p.step, loss: p.smooth, valLoss, charsPerSec: p.charsPerSec, running: pg.s.running });
  pg.on('progress', progress);
  pg.on('val', (v) => {
    valLoss = v.loss;
    if (pg.last.progress) progress(pg.last.progress);
  });
  pg.on('built', () => {
    valLoss = null;
  });
  let lastState = '';
  pg.on('status', () => {
    const state = pg.status().label;
    if (state !== lastState) post({ type: 'rnn-playground:state', state: (lastState = state) });
  });
  const commands = { start: () => pg.start(), pause: () => pg.pause(), reset: () => pg.reset(), step: () => pg.step() };
  addEventListener('message', (e) => {
    if (!host || e.source !== host || !e.data || e.data.type !== 'rnn-playground:command') return;
    const run = commands[e.data.command];
    if (run) run();
  });
  let lastHeight = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) post({ type: 'rnn-playground:resize', height: (lastHeight = height) });
  }).observe(document.documentElement);
  await app.ready;
  document.documentElement.dataset.ready = '1';
}

init().catch((e) => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = `The playground failed to start: ${e.message || e}`;
  document.body.append(p);
  throw e;
});
