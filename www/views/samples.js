// Samples view: a fixed-height scroll box (no layout jump) with the newest sample on top and a
// short history below, and the sampling settings (all of them with full controls, temperature
// with basic ones). Text goes in with textContent only; a word model's unknown token (the engine
// marks it by its id) is a labelled box, never text.

import { el, clear, tokenNode } from './dom.js';
import { field } from './fields.js';

const KEEP = 25; // history length
/** What a sample's prime was (the worker's `primed`). */
const PRIMED = { yours: 'after your prime', validation: 'primed with validation text', training: 'primed with training text' };

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const fields = [];
  const add = (name, opts) => {
    const f = field(ctx, name, opts);
    fields.push(f);
    return f;
  };
  const controls = el('div', { class: 'sample-controls' });
  if (ctx.controls !== 'none') controls.append(add('temperature', { slider: { min: 0, max: 2, step: 0.05 }, wide: true }));
  if (ctx.controls === 'full') controls.append(add('prime', { wide: true }), add('length'), add('top_k'), add('top_p'));
  const list = el('div', { id: 'samples', class: 'samples', role: 'region', 'aria-label': 'Sample', tabindex: '0' });
  const now = el('button', { id: 'btn-sample', type: 'button', class: 'small', disabled: true }, 'Sample now');
  now.addEventListener('click', () => pg.sampleNow());
  const section = el('section', { class: 'card view-samples', 'aria-labelledby': 'samples-h' },
    el('h2', { id: 'samples-h' }, 'Samples ', el('span', { class: 'sub' }, 'generated every few seconds while training')),
    controls.childElementCount ? controls : '',
    list,
    el('div', { class: 'row spread' }, el('p', { class: 'explain' }, 'Each sample reads its prime (faded: a stretch of validation text the model has not trained on, or your own prime text) from a fresh state, then draws one token at a time (a character, or a word or mark) from the model’s prediction. A word model also draws its unknown token, which stands for all the rare words: it shows as a box, “unk”.'), now));
  parent.append(section);

  const empty = (message = 'Samples appear here once training starts.') => {
    clear(list);
    list.append(el('p', { class: 'empty' }, message));
  };
  const add1 = ({ step, text, tokens, ids, unknownId, prime, primed, temperature, topK, topP, unknown }) => {
    const placeholder = list.querySelector('.empty');
    if (placeholder) placeholder.remove();
    const t = Number(temperature);
    let head = `step ${step} · temperature ${t.toFixed(2)}${t === 0 ? ' (greedy)' : ''}`;
    if (topK) head += ` · top-k ${topK}`;
    if (topP !== undefined && topP < 1) head += ` · top-p ${topP}`;
    if (prime) head += ` · ${PRIMED[primed] ?? PRIMED.yours} (faded)`;
    if (unknown && unknown.length) head += ` · not in vocabulary: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`;
    const pre = el('pre');
    if (prime) pre.append(el('span', { class: 'prime', title: `prime: ${PRIMED[primed] ?? PRIMED.yours}` }, prime));
    if (tokens && ids && ids.includes(unknownId)) {
      // Runs of known tokens as text, each unknown token as a marker.
      let run = '';
      tokens.forEach((t, i) => {
        if (ids[i] !== unknownId) run += t;
        else {
          pre.append(run, tokenNode(t, true));
          run = '';
        }
      });
      pre.append(run);
    } else pre.append(text);
    const item = el('article', { class: 'sample' }, el('header', {}, head), pre);
    // Keep the reader's position: if they scrolled down into the history, don't yank it.
    const atTop = list.scrollTop < 4;
    const before = list.scrollHeight;
    list.prepend(item);
    while (list.children.length > KEEP) list.lastElementChild.remove();
    if (!atTop) list.scrollTop += list.scrollHeight - before;
  };
  const offs = [
    ctx.on('sample', add1),
    ctx.on('built', (m) => empty(m.loaded ? 'Sampling from the loaded model…' : undefined)),
    run.subscribe(({ keys }) => {
      now.disabled = !run.get('status').canSample;
    }),
  ];
  empty();
  if (run.last('sample')) add1(run.last('sample'));
  now.disabled = !run.get('status').canSample;
  return {
    destroy() {
      for (const off of offs) off();
      for (const f of fields) f.destroy();
      section.remove();
    },
  };
}
