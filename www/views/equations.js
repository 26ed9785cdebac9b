// Equations view: the model the engine runs, typeset with KaTeX, for the selected cell — the
// embedding, the cell in PyTorch's gate order with both biases, the output layer, softmax and
// cross-entropy, backpropagation through time as a product of Jacobians, truncation, the
// clipping rule and the optimizer's update — with the live numbers beside the symbols: every
// shape at the model's real sizes, the learning rate now, the clip threshold and the last
// pre-clip norm, σ_max of each gate block of W_hh, the mean of each gate over the probe text.
// Hovering or focusing a linked symbol highlights the view that shows it.

import { el, clear } from './dom.js';

let katexPromise = null;
/** KaTeX and its stylesheet, loaded on first use. */
function loadKatex(root) {
  const href = new URL('../vendor/katex/katex.min.css', import.meta.url).href;
  // Inside a shadow root the stylesheet styles the formulas, but @font-face rules only take
  // effect from the document: link it in both places (once in the document).
  const link = (parent) => {
    if ([...parent.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === href)) return;
    parent.append(el('link', { rel: 'stylesheet', href }));
  };
  link(document.head);
  if (root !== document) link(root);
  if (!katexPromise) katexPromise = import('../vendor/katex/katex.mjs').then((m) => m.default);
  return katexPromise;
}

const GATES = { rnn: [''], lstm: ['i', 'f', 'g', 'o'], gru: ['r', 'z', 'n'] };

/** `\htmlData{view=NAME}{tex}`: a symbol linked to the view that shows it. */
const linked = (view, tex) => `\\htmlData{view=${view}}{${tex}}`;

/** The cell's forward equations (PyTorch's gate order, both biases) as TeX lines. */
function cellTex(cell) {
  const pre = (g) => `W_{i${g}}\\,x_t + b_{i${g}} + W_{h${g}}\\,h_{t-1} + b_{h${g}}`;
  const h = linked('heatmap', 'h_t');
  if (cell === 'rnn') return [`${h} = \\tanh\\!\\big(W_{ih}\\,x_t + b_{ih} + W_{hh}\\,h_{t-1} + b_{hh}\\big)`];
  if (cell === 'lstm') {
    return [
      `${linked('microscope', 'i_t')} = \\sigma(${pre('i')}),\\quad ${linked('microscope', 'f_t')} = \\sigma(${pre('f')})`,
      `${linked('microscope', 'g_t')} = \\tanh(${pre('g')}),\\quad ${linked('microscope', 'o_t')} = \\sigma(${pre('o')})`,
      `c_t = f_t \\odot c_{t-1} + i_t \\odot g_t,\\qquad ${h} = o_t \\odot \\tanh(c_t)`,
    ];
  }
  return [
    `${linked('microscope', 'r_t')} = \\sigma(${pre('r')}),\\quad ${linked('microscope', 'z_t')} = \\sigma(${pre('z')})`,
    `${linked('microscope', 'n_t')} = \\tanh\\!\\big(W_{in}\\,x_t + b_{in} + r_t \\odot (W_{hn}\\,h_{t-1} + b_{hn})\\big)`,
    `${h} = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}`,
  ];
}

/** The Jacobian of one step back through the cell, as TeX. */
function jacobianTex(cell) {
  if (cell === 'rnn') return `\\frac{\\partial h_j}{\\partial h_{j-1}} = \\operatorname{diag}(1 - h_j^2)\\,W_{hh}`;
  if (cell === 'lstm') return `\\frac{\\partial c_j}{\\partial c_{j-1}} = \\operatorname{diag}(f_j)\\ \\text{along the cell state; through } h \\text{ the gates' }W_{h\\cdot}\\text{ as for the RNN}`;
  return `\\frac{\\partial h_j}{\\partial h_{j-1}} = \\operatorname{diag}(z_j) + (\\ldots)\\,W_{h\\cdot}\\ \\text{: the update gate keeps a direct path}`;
}

/** The optimizer's update, as TeX lines. */
function optimizerTex(opt) {
  const g = linked('gradients', 'g');
  if (opt === 'adam') {
    return [
      `m \\leftarrow \\beta_1 m + (1-\\beta_1)\\,${g},\\quad v \\leftarrow \\beta_2 v + (1-\\beta_2)\\,${g}^2`,
      `\\theta \\leftarrow \\theta - \\eta\\,\\frac{m / (1-\\beta_1^{\\,s})}{\\sqrt{v / (1-\\beta_2^{\\,s})} + \\varepsilon}`,
    ];
  }
  if (opt === 'sgd') return [`b \\leftarrow \\mu\\, b + ${g},\\qquad \\theta \\leftarrow \\theta - \\eta\\, b`];
  if (opt === 'adagrad') return [`v \\leftarrow v + ${g}^2,\\qquad \\theta \\leftarrow \\theta - \\eta\\,\\frac{${g}}{\\sqrt{v} + \\varepsilon}`];
  return [`v \\leftarrow \\alpha v + (1-\\alpha)\\,${g}^2,\\qquad \\theta \\leftarrow \\theta - \\eta\\,\\frac{${g}}{\\sqrt{v} + \\varepsilon}`];
}

function clipTex(mode) {
  const g = linked('gradients', 'g');
  if (mode === 'norm') return `${g} \\leftarrow ${g}\\,\\min\\!\\Big(1, \\frac{c}{\\lVert ${g} \\rVert_2 + 10^{-6}}\\Big)`;
  if (mode === 'value') return `${g}_i \\leftarrow \\max(-c, \\min(c, ${g}_i))`;
  return `${g}\\ \\text{is used as it is (clipping off)}`;
}

const fmt = (x, d = 3) => (Number.isFinite(x) ? (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(d) : x.toExponential(2)) : '–');

export function mount(parent, ctx) {
  const { pg } = ctx;
  const { run } = pg;
  const body = el('div', { class: 'equations' });
  const status = el('p', { class: 'meta' }, 'Typesetting…');
  const section = el('section', { class: 'card view-equations', 'aria-labelledby': 'eq-h', role: 'region' },
    el('h2', { id: 'eq-h' }, 'Equations ', el('span', { class: 'sub' }, 'the model this page trains, with its numbers')),
    status, body);
  section.setAttribute('aria-label', 'Equations');
  parent.append(section);

  // The model built, or before one is: the settings' (the vocabulary size comes with the text).
  const model = () => {
    if (run.get('info')) return run.get('info');
    const c = ctx.store.values;
    return { config: c, vocab_size: null, dims: { cell: c.cell, layers: c.layers, hidden: c.hidden, embed: c.embed } };
  };
  const live = {}; // name → element holding a live value
  const value = (name, text) => {
    const s = el('span', { class: 'live', 'data-live': name }, text);
    live[name] = s;
    return s;
  };
  let katex = null;
  let shape = ''; // what the typeset equations depend on: cell, layers, optimizer, clip mode
  // Typesetting all the equations at once takes ~60 ms, too long a task for a page that is
  // training: they are set a few at a time, one batch per frame.
  let pending = [];
  let setting = 0;
  const typesetSome = () => {
    setting = 0;
    const start = performance.now();
    while (pending.length && performance.now() - start < 12) {
      const [span, t] = pending.shift();
      typeset(span, t);
    }
    if (pending.length) setting = requestAnimationFrame(typesetSome);
  };
  const tex = (t, cls = '') => {
    const span = el('span', { class: `tex ${cls}` });
    pending.push([span, t]);
    if (!setting) setting = requestAnimationFrame(typesetSome);
    return span;
  };
  const typeset = (span, t) => {
    katex.render(t, span, { displayMode: true, throwOnError: true, trust: (c) => c.command === '\\htmlData', strict: 'ignore', output: 'htmlAndMathml' });
    // Linked symbols: focusable, and they light up the view that shows them.
    for (const s of span.querySelectorAll('[data-view]')) {
      s.tabIndex = 0;
      s.classList.add('eq-link');
      s.setAttribute('role', 'button');
      s.setAttribute('aria-label', `${s.textContent.trim()}: show in the ${s.dataset.view} view`);
      const on = () => pg.emit('highlight', s.dataset.view);
      const off = () => pg.emit('highlight', null);
      s.addEventListener('mouseenter', on);
      s.addEventListener('focus', on);
      s.addEventListener('mouseleave', off);
      s.addEventListener('blur', off);
    }
  };
  const row = (label, t, ...notes) => el('div', { class: 'eq-row' }, el('div', { class: 'eq-label' }, label), ...(Array.isArray(t) ? t : [t]).map((x) => tex(x)), notes.length ? el('p', { class: 'eq-note' }, ...notes) : '');

  const build = () => {
    const i = model();
    if (!katex) return;
    const c = i.config;
    const key = `${i.dims.cell}/${i.dims.layers}/${c.optimizer}/${c.clip_mode}`;
    if (key === shape) return update();
    shape = key;
    pending = [];
    clear(body);
    for (const k of Object.keys(live)) delete live[k];
    const d = i.dims;
    const G = GATES[d.cell].length;
    body.append(
      el('h3', {}, 'Forward'),
      row('Embedding', `x_t = E_{\\,y_t},\\qquad E \\in \\mathbb{R}^{V \\times E}`, 'E: ', value('E', ''), ` (V ${(i.tokens ?? i.config.tokens) === 'words' ? 'tokens: words and marks' : 'characters'} × E)`),
      row(`${d.cell.toUpperCase()} cell`, cellTex(d.cell),
        'W_ih: ', value('W_ih', ''), ' · W_hh: ', value('W_hh', ''), ' · b_ih, b_hh: ', value('b', ''),
        G > 1 ? el('br') : '', G > 1 ? 'gate means over the probe text: ' : '', G > 1 ? value('gates', '–') : ''),
      row('Output', [`z_t = W_{fc}\\,${linked('heatmap', 'h_t')} + b_{fc},\\qquad ${linked('surprisal', 'p_t')} = \\operatorname{softmax}(z_t)`,
        `${linked('surprisal', '\\ell_t')} = -\\log p_t[y_{t+1}],\\qquad ${linked('loss', 'L')} = \\frac{1}{T B}\\sum_{t,b} \\ell_t`],
      'W_fc: ', value('W_fc', ''), ' · last L: ', value('L', '–'), ' nats'),
      el('h3', {}, 'Backward'),
      row('Through time', [`${linked('flow', '\\frac{\\partial \\ell_t}{\\partial h_k}')} = \\frac{\\partial \\ell_t}{\\partial h_t}\\prod_{j=k+1}^{t} \\frac{\\partial h_j}{\\partial h_{j-1}}`, jacobianTex(d.cell)],
        'largest singular value of each block of W_hh: ', value('sigma', '–'), ' (above 1 a direction can grow step after step; well below 1 it fades)'),
      row('Truncation', `\\frac{\\partial h_{mT}}{\\partial h_{mT-1}} := 0\\quad(\\text{the gradient is cut every } T \\text{ steps})`, 'T = ', value('T', '')),
      row('Clipping', clipTex(c.clip_mode), c.clip_mode === 'none' ? 'clipping off' : 'c = ', c.clip_mode === 'none' ? '' : value('clip', ''), ' · last pre-clip ‖g‖ = ', value('norm', '–')),
      row(`Update (${c.optimizer})`, optimizerTex(c.optimizer), 'η now: ', value('lr', ''), c.optimizer === 'adam' ? ' · β1, β2, ε: ' : '', c.optimizer === 'adam' ? value('betas', '') : ''),
    );
    update();
  };

  const set = (name, text) => {
    if (live[name] && live[name].textContent !== text) live[name].textContent = text;
  };
  const update = () => {
    const i = model();
    const d = i.dims;
    const c = i.config;
    const G = GATES[d.cell].length;
    const gh = G > 1 ? `${G}H` : 'H';
    set('E', `${i.vocab_size ?? 'V'} × ${d.embed}`);
    set('W_ih', `${G * d.hidden} × ${d.embed} (${gh} × E)${d.layers > 1 ? `, then ${G * d.hidden} × ${d.hidden} in layers 2–${d.layers}` : ''}`);
    set('W_hh', `${G * d.hidden} × ${d.hidden} (${gh} × H)${d.layers > 1 ? ` × ${d.layers} layers` : ''}`);
    set('b', `${G * d.hidden} each`);
    set('W_fc', `${i.vocab_size ?? 'V'} × ${d.hidden}`);
    set('T', String(c.seq_len));
    set('clip', String(c.clip));
    set('betas', `${c.beta1}, ${c.beta2}, ${c.eps}`);
    const p = run.last('progress');
    set('lr', fmt(p ? p.lr : c.lr, 5));
    set('norm', p ? `${fmt(p.gradNorm)}${c.clip_mode === 'none' ? '' : p.clipped ? ' (clipped)' : ' (not clipped)'}` : '–');
    set('L', p ? fmt(p.loss) : '–');
    const sig = run.last('sigma');
    if (sig) {
      const names = GATES[d.cell];
      set('sigma', sig.values.map((row, l) => `${d.layers > 1 ? `layer ${l + 1}: ` : ''}${Array.from(row, (v, g) => `${names[g] ? `${names[g]} ` : ''}${fmt(v)}`).join(', ')}`).join(' · '));
    }
    const probe = run.last('probe');
    if (probe && G > 1) {
      const names = GATES[d.cell];
      set('gates', probe.layers.map((acts, l) => `${d.layers > 1 ? `layer ${l + 1}: ` : ''}${names.map((n) => {
        const a = acts.find((x) => x.name === n);
        if (!a) return '';
        let s = 0;
        for (const v of a.values) s += v;
        return `${n} ${fmt(s / a.values.length, 2)}`;
      }).filter(Boolean).join(', ')}`).join(' · '));
    }
  };

  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      update();
    });
  };
  const offs = [
    ctx.on('built', build),
    ctx.on('updated', build),
    run.subscribe(({ keys }) => keys.has('info') && build()),
    ctx.on('progress', soon),
    ctx.on('probe', soon),
    ctx.on('sigma', soon),
    ctx.store.subscribe(({ keys }) => {
      if (!run.get('info') && ['cell', 'layers', 'hidden', 'embed', 'optimizer', 'clip_mode', 'clip', 'lr', 'seq_len'].some((k) => keys.has(k))) build();
    }),
  ];
  pg.want('sigma', true);
  loadKatex(ctx.root).then((k) => {
    katex = k;
    status.remove();
    // Typeset now, with the settings' sizes: the first typesetting (and its fonts) costs the most,
    // and should not fall while the page trains.
    build();
  }, (e) => {
    status.textContent = `The equations could not be typeset: ${e.message || e}`;
  });
  return {
    destroy() {
      for (const off of offs) off();
      cancelAnimationFrame(setting);
      pg.want('sigma', false);
      section.remove();
    },
  };
}
