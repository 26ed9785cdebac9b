// Microscope view: one step of one layer, with every number the engine computed there. Pick a
// layer and a position of the probe text (its first 128 tokens) and step with Previous / Next:
// the input token and its embedding row (or the layer below's h), h_{t−1}, each gate's
// pre-activation and activation, c_t and h_t, the ten likeliest next tokens with the true one
// marked and its loss −log p, and from the backward pass ∂L/∂h_t and the gate deltas. These are
// the engine's own values (its trace), not a re-computation here.

import { el, clear, showToken, tokenNode } from './dom.js';
import { VectorView } from './vector.js';
import { onThemeChange } from '../theme.js';

const GATES = { rnn: ['h'], lstm: ['i', 'f', 'g', 'o'], gru: ['r', 'z', 'n'] };
const shown = showToken;

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const layerSel = el('select', { id: 'mic-layer' });
  const pos = el('input', { id: 'mic-pos', type: 'range', min: 0, max: 0, step: 1, value: 0 });
  const prev = el('button', { id: 'mic-prev', type: 'button', class: 'small' }, 'Previous');
  const next = el('button', { id: 'mic-next', type: 'button', class: 'small' }, 'Next');
  const where = el('p', { id: 'mic-where', class: 'mic-where', 'aria-live': 'polite' });
  const body = el('div', { class: 'mic-body' });
  const section = el('section', { class: 'card view-microscope', 'aria-labelledby': 'mic-h', role: 'region', 'aria-label': 'Microscope' },
    el('h2', { id: 'mic-h' }, 'Microscope ', el('span', { class: 'sub' }, 'one step of one layer, every number')),
    el('div', { class: 'mic-controls' },
      el('div', { class: 'field' }, el('label', { for: 'mic-layer' }, 'Layer'), layerSel),
      el('div', { class: 'field wide' }, el('label', { for: 'mic-pos' }, 'Position t'), pos),
      el('div', { class: 'buttons' }, prev, next)),
    where, body);
  parent.append(section);

  let trace = null;
  let vocab = [];
  let unknownId = null;
  let t = 0;
  let layer = 0;
  const views = {}; // name → VectorView, reused between steps
  const vec = (name, label) => (views[name] ??= new VectorView(label, section));

  // The body's lines are built once per shape (cell, layer, whether there is a c_t) and then only
  // their numbers, colours and texts change: rebuilding its ~600 nodes on every trace made the
  // longest style and layout of a page that trains.
  let shape = '';
  const xLabel = el('span', { class: 'mic-label' });
  const bars = el('ol', { class: 'mic-bars' });
  const truth = el('p', { class: 'meta' });
  const block = (title, ...kids) => el('div', { class: 'mic-block' }, el('h3', {}, title), ...kids);
  const line = (label, v) => el('div', { class: 'mic-line' }, typeof label === 'string' ? el('span', { class: 'mic-label' }, label) : label, v.node);
  const build = (d, G, names, hasC) => {
    const gate = (g) => (d.cell === 'rnn' ? 'h' : names[g]);
    const forward = block('Forward', line(xLabel, vec('x', layer === 0 ? 'x' : 'input')), line('h_{t−1}', vec('hp', 'h_{t−1}')));
    for (let g = 0; g < G; g++) {
      const n = gate(g);
      forward.append(line(`${n}: pre-activation`, vec(`pre${g}`, `pre ${n}`)), line(`${n}: ${n === 'g' || n === 'n' || n === 'h' ? 'tanh' : 'σ'}(·)`, vec(`act${g}`, `${n}`)));
    }
    if (hasC) forward.append(line('c_t', vec('c', 'c_t')));
    forward.append(line('h_t', vec('h', 'h_t')));
    const backward = block('Backward (L: the probe text’s total loss)', line('∂L/∂h_t', vec('dh', '∂L/∂h_t')));
    for (let g = 0; g < G; g++) backward.append(line(`∂L/∂(pre ${gate(g)})`, vec(`d${g}`, `∂L/∂pre ${gate(g)}`)));
    body.replaceChildren(forward, block('Prediction of the next token', bars, truth), backward);
  };

  const render = () => {
    if (!trace || !run.get('info')) return;
    const d = run.get('info').dims;
    const T = trace.targets.length;
    const H = d.hidden;
    const G = d.cell === 'rnn' ? 1 : GATES[d.cell].length;
    const names = GATES[d.cell];
    t = Math.max(0, Math.min(T - 1, t));
    layer = Math.min(layer, trace.layers.length - 1);
    pos.max = String(T - 1);
    pos.value = String(t);
    if (layerSel.options.length !== trace.layers.length) {
      clear(layerSel);
      trace.layers.forEach((_, l) => layerSel.append(el('option', { value: String(l) }, `${l + 1}`)));
    }
    layerSel.value = String(layer);
    prev.disabled = t === 0;
    next.disabled = t >= T - 1;
    const L = trace.layers[layer];
    const row = (a, width, r = t) => a.subarray(r * width, (r + 1) * width);
    const inW = L.x.length / T;
    const lossNats = trace.loss[t];
    where.textContent = `t = ${t}: reads “${shown(trace.tokens[t])}”, should predict “${shown(trace.tokens[t + 1])}”; loss −log p = ${lossNats.toFixed(3)} nats (${(lossNats / Math.LN2).toFixed(2)} bits)`;

    const key = `${d.cell}/${layer === 0}/${!!L.c}`;
    if (key !== shape) {
      shape = key;
      build(d, G, names, !!L.c);
    }
    xLabel.textContent = layer === 0 ? `x_t = E[“${shown(trace.tokens[t])}”]` : 'x_t = h_t of layer below';
    views.x.set(row(L.x, inW), layer === 0 ? 2 : 1);
    views.hp.set(row(L.h_prev, H), 1);
    for (let g = 0; g < G; g++) {
      views[`pre${g}`].set(L.pre.subarray(t * G * H + g * H, t * G * H + (g + 1) * H), 4);
      views[`act${g}`].set(L.act.subarray(t * G * H + g * H, t * G * H + (g + 1) * H), 1);
    }
    if (L.c) views.c.set(row(L.c, H), 2);
    views.h.set(row(L.h, H), 1);

    // The ten likeliest next tokens (a word model's unknown token as its marker).
    const V = trace.probs.length / T;
    const p = trace.probs.subarray(t * V, (t + 1) * V);
    const ids = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a]).slice(0, 10);
    const target = trace.targets[t];
    if (!ids.includes(target)) ids.push(target);
    while (bars.children.length > ids.length) bars.lastElementChild.remove();
    while (bars.children.length < ids.length) {
      bars.append(el('li', {}, el('span', { class: 'mic-char' }), el('span', { class: 'mic-bar' }, el('span', { class: 'mic-fill' })), el('span', { class: 'mic-p' })));
    }
    ids.forEach((id, i) => {
      const li = bars.children[i];
      const [char, bar, prob] = li.children;
      li.className = id === target ? 'target' : '';
      char.replaceChildren(tokenNode(shown(vocab[id] ?? '?'), id === unknownId));
      bar.firstChild.style.width = `${Math.max(0.5, p[id] * 100)}%`;
      prob.textContent = `${(p[id] * 100).toFixed(1)} %${id === target ? ' ← true' : ''}`;
    });
    truth.textContent = `−log p(${target === unknownId ? 'the unknown token' : `“${shown(vocab[target] ?? '?')}”`}) = ${lossNats.toFixed(3)} nats`;

    views.dh.set(row(L.dh, H), maxAbs(L.dh));
    const scale = maxAbs(L.dpre);
    for (let g = 0; g < G; g++) views[`d${g}`].set(L.dpre.subarray(t * G * H + g * H, t * G * H + (g + 1) * H), scale);
  };
  const maxAbs = (a) => {
    let m = 0;
    for (const v of a) if (Math.abs(v) > m) m = Math.abs(v);
    return m || 1;
  };

  prev.addEventListener('click', () => {
    t -= 1;
    render();
  });
  next.addEventListener('click', () => {
    t += 1;
    render();
  });
  pos.addEventListener('input', () => {
    t = Number(pos.value);
    render();
  });
  layerSel.addEventListener('change', () => {
    layer = Number(layerSel.value);
    render();
  });
  if (!run.last('trace')) body.append(el('p', { class: 'meta' }, 'The numbers appear once a model is built (press Start or Step).'));
  const offs = [
    onThemeChange(section, () => render()),
    ctx.follow('trace', (m) => {
      trace = m.trace;
      vocab = m.vocab ?? vocab;
      unknownId = m.unknownId ?? null;
      render();
    }),
    ctx.on('built', () => {
      trace = null;
      shape = '';
      clear(body);
    }),
  ];
  return {
    destroy() {
      for (const off of offs) off();
      section.remove();
    },
  };
}
