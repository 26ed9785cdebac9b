// Training view: Start, Pause/Resume, Step, Reset, the run's numbers (steps, loss, validation
// loss, time, speed, epoch) and a line about the model. With `controls=none` only the numbers.

import { el, clear, int, duration, fmtLoss } from './dom.js';
import { UNIT_LABEL } from './chart.js';

const ENGINE_LABEL = { relaxed: 'engine: wasm SIMD + relaxed SIMD (FMA)', simd128: 'engine: wasm SIMD' };

export function mount(parent, ctx) {
  const { pg, store } = ctx;
  const btn = (id, text, attrs = {}) => el('button', { id, type: 'button', ...attrs }, text);
  const start = btn('btn-start', 'Start', { class: 'primary', title: 'Build a model from the settings and text, and train it continuously' });
  const pause = btn('btn-pause', 'Pause', { 'aria-label': 'Pause', disabled: true });
  const step = btn('btn-step', 'Step', { title: 'One optimizer step: forward and backward over the next chunk of T × B characters' });
  const reset = btn('btn-reset', 'Reset', { title: 'Throw the model away and build a fresh one from the current settings and text' });
  start.addEventListener('click', () => pg.start());
  pause.addEventListener('click', () => pg.toggle());
  step.addEventListener('click', () => pg.step());
  reset.addEventListener('click', () => pg.reset());
  // `more`: left out of the phone's sticky bar.
  const stat = (id, name, extra = {}, more = false) => {
    const dd = el('dd', { id, ...extra }, '–');
    return [el('div', { class: more ? 'stat stat-more' : 'stat' }, el('dt', {}, name), dd), dd];
  };
  const [sSteps, steps] = stat('steps', 'Steps');
  const unit = el('span', { id: 'loss-unit' });
  const [sLoss, loss] = stat('loss', 'Loss', { 'aria-live': 'polite', 'aria-label': 'Loss' });
  sLoss.firstChild.append(' ', unit);
  const [sVal, val] = stat('val-loss', 'Validation');
  const [sTime, elapsed] = stat('elapsed', 'Elapsed', {}, true);
  const [sSpeed, speed] = stat('speed', 'Chars/s', {}, true);
  const [sEpoch, epoch] = stat('epoch', 'Epoch', {}, true);
  const badge = el('span', { id: 'run-state', class: 'badge' }, 'not started');
  const info = el('p', { id: 'model-info', class: 'status-line' });
  const withButtons = ctx.controls !== 'none';
  const section = el('section', { class: 'card train-card view-train', 'aria-labelledby': 'train-h' },
    el('h2', { id: 'train-h' }, 'Train ', badge),
    withButtons ? el('div', { class: 'buttons', role: 'group', 'aria-label': 'Training' }, start, pause, step, reset) : '',
    el('dl', { class: 'stats' }, sSteps, sLoss, sVal, sTime, sSpeed, sEpoch),
    info);
  parent.append(section);

  let lastLive = 0;
  let smooth = null;
  let lastVal = null;
  const showUnits = () => {
    unit.textContent = `(${UNIT_LABEL[store.get('units')]})`;
    loss.textContent = fmtLoss(smooth, store.get('units'));
    if (lastVal !== null) val.textContent = fmtLoss(lastVal, store.get('units'));
    showInfo();
  };
  const setStats = (p) => {
    steps.textContent = int(p.step);
    elapsed.textContent = duration(p.elapsed ?? 0);
    speed.textContent = p.charsPerSec ? int(p.charsPerSec) : '–';
    epoch.textContent = p.epoch === null || p.epoch === undefined ? '–' : (p.epoch + (p.epochProgress ?? 0)).toFixed(2);
  };
  const showInfo = () => {
    clear(info);
    const i = pg.s.info;
    if (!i) return;
    const r = i.report;
    const d = i.dims;
    const parts = [
      `${d.cell.toUpperCase()} · ${d.layers} × ${d.hidden}, E ${d.embed}`,
      `${int(i.params)} parameters`,
      `vocabulary ${int(i.vocab_size)}`,
      r.chars ? `${int(r.train_chars)} training + ${int(r.val_chars)} validation chars` : null,
      r.streams ? `${r.streams} streams` : null,
      `uniform guess ${fmtLoss(Math.log(i.vocab_size), store.get('units'))} ${UNIT_LABEL[store.get('units')]}`,
      pg.s.engine ? ENGINE_LABEL[pg.s.engine] : null,
    ].filter(Boolean);
    info.append(parts.join(' · '));
    if (r.dropped_tokens) info.append(el('span', { class: 'badge' }, `${int(r.dropped_tokens)} rare ${i.tokens === 'words' ? 'tokens' : 'characters'} → unknown`));
  };
  const render = () => {
    const st = pg.status();
    start.disabled = !st.canStart;
    const resume = st.paused;
    pause.textContent = resume ? 'Resume' : 'Pause';
    pause.setAttribute('aria-label', resume ? 'Resume' : 'Pause');
    pause.disabled = !st.canToggle;
    step.disabled = !st.canStep;
    reset.disabled = !st.canReset;
    badge.textContent = st.label;
    badge.className = `badge ${st.running ? 'running' : st.diverged ? 'diverged' : ''}`;
  };
  const offs = [
    ctx.on('status', render),
    ctx.on('built', (m) => {
      smooth = null;
      lastVal = null;
      setStats({ step: m.info.step, elapsed: 0, charsPerSec: null, epoch: m.info.step ? null : 0 });
      loss.textContent = '–';
      val.textContent = '–';
      showInfo();
    }),
    ctx.on('progress', (p) => {
      smooth = p.smooth;
      setStats(p);
      // The live loss is announced politely; updating it 10×/s would flood screen readers.
      const now = performance.now();
      if (!pg.s.running || now - lastLive > 1000) {
        lastLive = now;
        loss.textContent = fmtLoss(p.smooth, store.get('units'));
      }
    }),
    ctx.on('val', (v) => {
      if (v.loss === null) {
        val.textContent = 'no held-out text';
        return;
      }
      lastVal = v.loss;
      val.textContent = fmtLoss(v.loss, store.get('units'));
    }),
    ctx.on('restored', (m) => {
      steps.textContent = int(m.step);
      epoch.textContent = '–';
    }),
    ctx.on('status', () => showInfo()),
    store.subscribe(({ keys }) => keys.has('units') && showUnits()),
  ];
  showUnits();
  if (pg.last.progress) setStats(pg.last.progress);
  render();
  return {
    destroy() {
      for (const off of offs) off();
      section.remove();
    },
  };
}
