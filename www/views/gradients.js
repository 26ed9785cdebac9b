// Gradient view: ‖∂L/∂h_t‖ over the positions of the last trained chunk (log scale), and whether
// the last step was clipped.

import { el, fmt } from './dom.js';
import { GradChart } from './chart.js';

export function mount(parent, ctx) {
  const { pg } = ctx;
  const badge = el('span', { id: 'clip-badge', class: 'badge' }, '–');
  const box = el('div', { id: 'grad-chart', class: 'chart small', role: 'img', 'aria-label': 'Gradient norm of the loss with respect to each hidden state over the last chunk' });
  const note = el('p', { id: 'grad-note', class: 'meta' });
  const section = el('section', { class: 'card view-gradients', 'aria-labelledby': 'grad-h' },
    el('h2', { id: 'grad-h' }, 'Gradient through time ', badge),
    box, note,
    el('p', { class: 'explain' }, '‖∂L/∂h', el('sub', {}, 't'), '‖ for each position t of the last chunk (log scale). The last position (right) gets gradient only from its own prediction; earlier positions also get what flows back from later steps through W', el('sub', {}, 'hh'), '. A curve that barely rises to the left means that signal vanishes on the way; one that shoots up means it explodes, and clipping steps in. At t = 0 the gradient is cut: that is truncated BPTT.'));
  parent.append(section);
  const chart = new GradChart(box);
  const showClip = (p) => {
    const cfg = pg.s.info ? pg.s.info.config : null;
    if (!cfg) return;
    if (cfg.clip_mode === 'none') {
      badge.textContent = 'clipping off';
      badge.className = 'badge';
    } else {
      badge.textContent = p.clipped ? 'clipped' : 'not clipped';
      badge.className = `badge ${p.clipped ? 'clipped' : ''}`;
    }
    note.textContent = `Last step: ‖g‖ = ${fmt(p.gradNorm, 3)}${cfg.clip_mode === 'none' ? ' (no clipping)' : ` against ${cfg.clip_mode === 'norm' ? 'max norm' : 'max value'} ${cfg.clip}`} · clipped in ${Math.round(p.clippedFraction * 100)}% of recent steps · lr ${p.lr.toPrecision(3)}`;
  };
  const showDh = (m) => {
    if (m.norms.length && m.norms[0].length) chart.update(m.norms);
  };
  const offs = [ctx.on('progress', showClip), ctx.on('dh', showDh), ctx.on('built', () => {
    badge.textContent = '–';
    badge.className = 'badge';
    note.textContent = '';
  })];
  if (pg.last.progress) showClip(pg.last.progress);
  if (pg.last.dh) showDh(pg.last.dh);
  return {
    destroy() {
      for (const off of offs) off();
      chart.destroy();
      section.remove();
    },
  };
}
