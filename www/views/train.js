// Training view: Start, Pause/Resume, Step, Reset, the run's numbers (steps, loss, validation
// loss, time, speed, epoch) and a line about the model. With `controls=none` only the numbers.

import { el, clear, int, duration, fmtLoss, unitLabel } from './dom.js';

const ENGINE_LABEL = { relaxed: 'engine: wasm SIMD + relaxed SIMD (FMA)', simd128: 'engine: wasm SIMD' };

export function mount(parent, ctx) {
  const { pg, store } = ctx;
  const { run } = pg;
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
  let smoothBpc = null;
  let lastVal = null;
  let lastValBpc = null;
  const kind = () => (run.get('info') ? run.get('info').tokens : store.get('tokens'));
  const showUnits = () => {
    unit.textContent = `(${unitLabel(store.get('units'), kind())})`;
    loss.textContent = fmtLoss(smooth, store.get('units'), smoothBpc);
    if (lastVal !== null) val.textContent = fmtLoss(lastVal, store.get('units'), lastValBpc);
    showInfo();
  };
  const setStats = (p) => {
    steps.textContent = int(p.step);
    elapsed.textContent = duration(p.elapsed ?? 0);
    speed.textContent = p.charsPerSec ? int(p.charsPerSec) : '–';
    speed.title = p.tokensPerSec && kind() === 'words' ? `${int(p.tokensPerSec)} tokens/s` : '';
    epoch.textContent = p.epoch === null || p.epoch === undefined ? '–' : (p.epoch + (p.epochProgress ?? 0)).toFixed(2);
  };
  const showInfo = () => {
    clear(info);
    const i = run.get('info');
    if (!i) return;
    const r = i.report;
    const d = i.dims;
    const words = i.tokens === 'words';
    const units = store.get('units');
    // The uniform guess is log V per token; per character, over the training text's characters.
    const perChar = r.train_tokens ? r.train_chars / r.train_tokens : 1;
    const uniform = Math.log(i.vocab_size);
    const parts = [
      `${d.cell.toUpperCase()} · ${d.layers} × ${d.hidden}, E ${d.embed}`,
      `${int(i.params)} parameters`,
      `${words ? 'words' : 'characters'}: vocabulary ${int(i.vocab_size)}`,
      r.chars
        ? words
          ? `${int(r.train_tokens)} training + ${int(r.val_tokens)} validation tokens (${int(r.train_chars)} + ${int(r.val_chars)} chars)`
          : `${int(r.train_chars)} training + ${int(r.val_chars)} validation chars`
        : null,
      r.streams ? `${r.streams} streams${i.shards > 1 ? ` on ${i.shards} workers` : ''}` : null,
      `uniform guess ${fmtLoss(uniform, units, uniform / Math.LN2 / perChar)} ${unitLabel(units, i.tokens)}`,
      run.get('engine') ? ENGINE_LABEL[run.get('engine')] : null,
    ].filter(Boolean);
    info.append(parts.join(' · '));
    // What the unknown token hides: it flatters bits per character, so it stands beside them.
    if (r.unknown_tokens) {
      const share = (100 * r.unknown_chars) / Math.max(1, r.chars);
      info.append(el('span', { class: 'badge', id: 'unknown-share', title: `${int(r.unknown_distinct)} distinct ${words ? 'tokens' : 'characters'} read as the unknown token` },
        `unknown: ${int(r.unknown_tokens)} ${words ? 'tokens' : 'characters'}, ${share < 0.1 && share > 0 ? share.toFixed(2) : share.toFixed(1)} % of the characters`));
    }
  };
  const render = () => {
    const st = run.get('status');
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
    run.subscribe(({ keys }) => keys.has('status') && render()),
    ctx.on('built', (m) => {
      smooth = null;
      smoothBpc = null;
      lastVal = null;
      lastValBpc = null;
      showUnits();
      setStats({ step: m.info.step, elapsed: 0, charsPerSec: null, epoch: m.info.step ? null : 0 });
      loss.textContent = '–';
      val.textContent = '–';
      showInfo();
    }),
    ctx.on('progress', (p) => {
      smooth = p.smooth;
      smoothBpc = p.smoothBpc ?? null;
      setStats(p);
      // The live loss is announced politely; updating it 10×/s would flood screen readers.
      const now = performance.now();
      if (!run.get('running') || now - lastLive > 1000) {
        lastLive = now;
        loss.textContent = fmtLoss(p.smooth, store.get('units'), smoothBpc);
      }
    }),
    ctx.on('val', (v) => {
      if (v.loss === null) {
        val.textContent = 'no held-out text';
        return;
      }
      lastVal = v.loss;
      lastValBpc = v.bpc ?? null;
      val.textContent = fmtLoss(v.loss, store.get('units'), lastValBpc);
    }),
    ctx.on('restored', (m) => {
      steps.textContent = int(m.step);
      epoch.textContent = '–';
    }),
    run.subscribe(({ keys }) => (keys.has('info') || keys.has('engine')) && showInfo()),
    store.subscribe(({ keys }) => keys.has('units') && showUnits()),
  ];
  showUnits();
  if (run.last('progress')) setStats(run.last('progress'));
  render();
  return {
    destroy() {
      for (const off of offs) off();
      section.remove();
    },
  };
}
