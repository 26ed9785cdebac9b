// Loss view: the loss curve (smoothed training loss, validation loss, the uniform-guess line)
// in the unit the `units` setting names.

import { el, unitLabel } from './dom.js';
import { LossChart } from './chart.js';
import { field } from './fields.js';

export function mount(parent, ctx) {
  const { pg, store } = ctx;
  const { run } = pg;
  const units = field(ctx, 'units', { compact: true });
  units.classList.add('tools');
  units.querySelector('select').classList.add('compact');
  const box = el('div', { id: 'loss-chart', class: 'chart', role: 'img', 'aria-label': 'Training and validation loss over steps' });
  const forget = el('button', { id: 'btn-forget-runs', type: 'button', class: 'small link', hidden: true }, 'Clear earlier runs');
  // Runs over characters and over words share no unit but bits per character.
  const mixed = el('p', { id: 'loss-mixed-note', class: 'explain warn', hidden: true },
    'Runs over characters and over words are on this chart: per token they do not compare (a word is many characters). Choose bits/char to compare them.');
  forget.addEventListener('click', () => pg.clearRuns());
  const section = el('section', { class: 'card view-loss', 'aria-labelledby': 'loss-h' },
    el('div', { class: 'card-head' }, el('h2', { id: 'loss-h' }, 'Loss curve'), el('div', { class: 'row tools' }, forget, units)),
    mixed,
    box,
    // Long: folded, so that the first screen holds the chart and the samples beside it.
    el('details', { class: 'explain' }, el('summary', {}, 'What the lines mean'), 'Smoothed training loss and validation loss (held-out text); the ring marks the best validation loss so far. Reset keeps the last five runs’ curves (dotted, labelled by what changed and by their tokens) for comparison; click a legend entry to hide a curve. The learning rate and clipping change without a reset, from the next step: a dashed line marks where. Nats and perplexity are per token (a character, or a word); bits/char are the total bits over the characters predicted, so a character run and a word run of the same text compare in them (an unknown token hides its spelling, which flatters a word model: the model line says how much of the text is unknown). The dashed line is a uniform guess over the V tokens of the vocabulary (log V nats, perplexity V): a model that has learned nothing. The dotted lines are what frequency tables of the training text score: the unigram entropy (each token’s own frequency) and the bigram conditional entropy (given the token before); below them the network uses more than the last token. Validation rising while training falls means memorising (overfitting).'));
  parent.append(section);
  const chart = new LossChart(box);
  let queued = false;
  // Coalesces redraws into one per animation frame.
  const draw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const logV = run.get('info') ? Math.log(run.get('info').vocab_size) : null;
      forget.hidden = run.get('runs').length === 0;
      const r = run.get('info') ? run.get('info').report : null;
      // Entropies come in bits per token; the chart converts from nats.
      const nats = (bits) => (Number.isFinite(bits) ? bits * Math.LN2 : null);
      const tokens = run.get('info') ? run.get('info').tokens : store.get('tokens');
      const charsPerToken = r && r.train_tokens ? r.train_chars / r.train_tokens : 1;
      const units = store.get('units');
      const kinds = new Set([tokens, ...run.get('runs').map((x) => x.tokens ?? 'characters')]);
      mixed.hidden = units === 'bits' || kinds.size < 2;
      const yRange = store.get('loss_max') > 0 ? [store.get('loss_min'), store.get('loss_max')] : null;
      chart.update({ ...run.get('series'), tokens, charsPerToken, logV, units, xMax: store.get('steps'), yRange, best: run.get('best'), past: run.get('runs'), marks: run.get('series').marks ?? [], unigram: r ? nats(r.unigram_bits) : null, bigram: r ? nats(r.bigram_bits) : null });
      // The axes in words, for screen readers (and the tests).
      const span = chart.spans();
      const n = (v) => (+v.toPrecision(3)).toLocaleString('en-US');
      box.setAttribute('aria-label', span
        ? `Training and validation loss over steps ${n(span.x[0])} to ${n(span.x[1])}, ${n(span.y[0])} to ${n(span.y[1])} ${unitLabel(units, tokens)}`
        : 'Training and validation loss over steps');
    });
  };
  const CHART = ['series', 'runs', 'best', 'info'];
  const PAGE = ['units', 'tokens', 'steps', 'loss_min', 'loss_max'];
  const offs = [run.subscribe(({ keys }) => CHART.some((k) => keys.has(k)) && draw()), store.subscribe(({ keys }) => PAGE.some((k) => keys.has(k)) && draw())];
  draw();
  return {
    destroy() {
      for (const off of offs) off();
      units.destroy();
      chart.destroy();
      section.remove();
    },
  };
}
