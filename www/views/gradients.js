// Gradient view: ‖∂L/∂h_t‖ over the positions of the last trained chunk (log scale), and whether
// the last step was clipped.

import { el, fmt } from './dom.js';
import { GradChart } from './chart.js';

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const badge = el('span', { id: 'clip-badge', class: 'badge' }, '–');
  const box = el('div', { id: 'grad-chart', class: 'chart small', role: 'img', 'aria-label': 'Gradient norm of the loss with respect to each hidden state over the last chunk' });
  const note = el('p', { id: 'grad-note', class: 'meta' });
  const section = el('section', { class: 'card view-gradients', 'aria-labelledby': 'grad-h' },
    el('h2', { id: 'grad-h' }, 'Gradient through time ', badge),
    box, note,
    el('p', { class: 'explain' }, '‖∂L/∂h', el('sub', {}, 't'), '‖ for each position t of the last chunk (log scale). The last position (right) gets gradient only from its own prediction; earlier positions also get what flows back from later steps through W', el('sub', {}, 'hh'), '. A curve that barely rises to the left means that signal vanishes on the way; one that shoots up means it explodes, and clipping steps in. At t = 0 the gradient is cut: that is truncated BPTT.'));
  // The gradient check: finite differences against backpropagation, in the worker.
  const check = el('button', { id: 'btn-gradcheck', type: 'button', class: 'small' }, 'Check gradients');
  const checkOut = el('div', { id: 'gradcheck', class: 'gradcheck', 'aria-live': 'polite' });
  const progress = el('span', { id: 'gradcheck-progress', class: 'meta' });
  const showProgress = (m) => {
    if (m.cancelled) {
      check.disabled = false;
      checkOut.replaceChildren(el('p', { class: 'meta' }, 'The check stopped: the model changed. Check again to check this one.'));
    } else {
      progress.textContent = ` ${m.done} of ${m.of} tensors checked.`;
      if (checkOut.firstChild) checkOut.firstChild.append(progress);
    }
  };
  check.addEventListener('click', () => {
    check.disabled = true;
    checkOut.replaceChildren(el('p', { class: 'meta' }, 'Checking… six forward passes of a chunk for each of ≥ 20 parameters per tensor: several seconds on the default model, and training waits meanwhile.'));
    progress.textContent = '';
    pg.gradCheck(20, 1 + Math.floor(Math.random() * 1e6));
  });
  const showCheck = (m) => {
    check.disabled = false;
    const r = m.result;
    const worst = Math.max(...r.tensors.map((x) => x.max_rel_err));
    const table = el('table', { class: 'gradcheck-table' },
      el('caption', { class: 'meta' }, `Step ${m.step.toLocaleString('en-US')}: ${r.tensors.reduce((a, x) => a + x.checked, 0).toLocaleString('en-US')} parameters, central differences in ${r.precision} at three steps h = ${[...r.steps].map((x) => Number(x).toExponential(0)).join(', ')} (times the weight above 1), on one chunk of the training text.`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'tensor'), el('th', { scope: 'col' }, 'checked'), el('th', { scope: 'col' }, 'relative error (largest)'), el('th', { scope: 'col' }, 'mean'))),
      el('tbody', {}, ...r.tensors.map((x) => el('tr', { class: x.max_rel_err > 0.3 ? 'bad' : '' },
        el('th', { scope: 'row' }, x.name), el('td', {}, String(x.checked)), el('td', {}, x.max_rel_err.toExponential(1)), el('td', {}, x.mean_rel_err.toExponential(1))))));
    checkOut.replaceChildren(table, el('p', { class: 'explain' }, `Relative error |fd − bp| / max(|fd|, |bp|) compares each derivative from backpropagation with fd, the median of (L(w + h) − L(w − h)) / 2h at the three steps: the largest step is off where the loss curves sharply, the smallest is noisy, the median is neither. In ${r.precision} the loss carries rounding of about 1e-7 of its size, so errors up to about 0.1 (a few tenths, rarely, on a model trained for thousands of steps) are that rounding (gradients below ${Number(r.floor).toExponential(0)} are compared absolutely) and mean backpropagation is right; a wrong derivative gives errors near 1 or above. Largest here: ${worst.toExponential(1)}.`));
  };
  section.append(el('div', { class: 'row gradcheck-row' }, check, el('span', { class: 'meta' }, 'finite differences against backpropagation, ≥ 20 parameters of every tensor')), checkOut);
  parent.append(section);
  const chart = new GradChart(box);
  const showClip = (p) => {
    const cfg = run.get('info') ? run.get('info').config : null;
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
  const offs = [ctx.on('progress', showClip), ctx.on('dh', showDh), ctx.on('gradcheck', showCheck), ctx.on('gradcheckProgress', showProgress), ctx.on('error', () => {
    check.disabled = false;
  }), ctx.on('built', () => {
    checkOut.replaceChildren();
    badge.textContent = '–';
    badge.className = 'badge';
    note.textContent = '';
  })];
  if (run.last('progress')) showClip(run.last('progress'));
  if (run.last('dh')) showDh(run.last('dh'));
  const enable = () => {
    check.disabled = !run.get('status').canSample;
  };
  offs.push(run.subscribe(({ keys }) => keys.has('status') && enable()));
  enable();
  return {
    destroy() {
      for (const off of offs) off();
      chart.destroy();
      section.remove();
    },
  };
}
