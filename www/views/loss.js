// Loss view: the loss curve (smoothed training loss, validation loss, the uniform-guess line)
// in the unit the `units` setting names.

import { el } from './dom.js';
import { LossChart } from './chart.js';
import { field } from './fields.js';

export function mount(parent, ctx) {
  const { pg, store } = ctx;
  const units = field(ctx, 'units', { compact: true });
  units.classList.add('tools');
  units.querySelector('select').classList.add('compact');
  const box = el('div', { id: 'loss-chart', class: 'chart', role: 'img', 'aria-label': 'Training and validation loss over steps' });
  const forget = el('button', { id: 'btn-forget-runs', type: 'button', class: 'small link', hidden: true }, 'Clear earlier runs');
  forget.addEventListener('click', () => pg.clearRuns());
  const section = el('section', { class: 'card view-loss', 'aria-labelledby': 'loss-h' },
    el('div', { class: 'card-head' }, el('h2', { id: 'loss-h' }, 'Loss curve'), el('div', { class: 'row tools' }, forget, units)),
    box,
    // Long: folded, so that the first screen holds the chart and the samples beside it.
    el('details', { class: 'explain' }, el('summary', {}, 'What the lines mean'), 'Smoothed training loss and validation loss (held-out text); the ring marks the best validation loss so far. Reset keeps the last five runs’ curves (dotted, labelled by what changed) for comparison; click a legend entry to hide a curve. The learning rate and clipping change without a reset, from the next step: a dashed line marks where. The dashed line is a uniform guess over the V characters of the vocabulary (log V nats, log₂ V bits, perplexity V): a model that has learned nothing. The dotted lines are what frequency tables of the training text score: the unigram entropy (each character’s own frequency) and the bigram conditional entropy (given the character before); below them the network uses more than the last character. Validation rising while training falls means memorising (overfitting).'));
  parent.append(section);
  const chart = new LossChart(box);
  let queued = false;
  // Coalesces redraws into one per animation frame.
  const draw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const logV = pg.s.info ? Math.log(pg.s.info.vocab_size) : null;
      forget.hidden = pg.runs.length === 0;
      const r = pg.s.info ? pg.s.info.report : null;
      // Entropies come in bits per character; the chart converts from nats.
      const nats = (bits) => (Number.isFinite(bits) ? bits * Math.LN2 : null);
      chart.update({ ...pg.series, logV, units: store.get('units'), best: pg.s.best, past: pg.runs, marks: pg.series.marks ?? [], unigram: r ? nats(r.unigram_bits) : null, bigram: r ? nats(r.bigram_bits) : null });
    });
  };
  const offs = [ctx.on('chart', draw), store.subscribe(({ keys }) => keys.has('units') && draw())];
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
