// The settings form: one field per engine Config key, each with a label, a visible hint
// (aria-describedby) and a longer title tooltip in the article's terms. This view holds no state:
// main.js reads values with `read()` and writes them with `write()`.

import { el } from './dom.js';

/**
 * Engine config fields. `key` is the Config field (snake_case); `kind` is int | real | choice;
 * `hint` is shown under the control, `title` is the tooltip; `group` places it in the form.
 */
export const FIELDS = [
  {
    key: 'cell', label: 'Cell', kind: 'choice', group: 'model', def: 'lstm',
    options: [['lstm', 'LSTM'], ['gru', 'GRU'], ['rnn', 'RNN (vanilla, tanh)']],
    hint: 'The recurrent unit.',
    title: 'Vanilla RNN: h_t = tanh(W_ih x_t + W_hh h_{t−1} + b). Its gradient through time is a product of W_hh-Jacobians, so it tends to vanish or explode. LSTM adds a cell state c with input/forget/output gates so information (and gradient) can pass through many steps; GRU does the same with reset/update gates and no separate cell.',
  },
  {
    key: 'layers', label: 'Layers', kind: 'int', group: 'model', def: 1, min: 1, max: 16,
    hint: 'Stacked recurrent layers L.',
    title: 'Number of stacked recurrent layers L: layer k reads the hidden states of layer k−1. Deeper stacks learn more abstract features but train more slowly.',
  },
  {
    key: 'hidden', label: 'Hidden size', kind: 'int', group: 'model', def: 128, min: 1, max: 4096,
    hint: 'Units per layer H (the memory).',
    title: 'Hidden size H: how many numbers the network carries from one character to the next. Cost grows with H²; 128 trains quickly, 256–512 writes better text but slowly.',
  },
  {
    key: 'embed', label: 'Embedding', kind: 'int', group: 'model', def: 32, min: 1, max: 4096,
    hint: 'Size E of each character’s vector.',
    title: 'Embedding size E: each character is looked up as a learned vector of E numbers before entering the first layer (a one-hot input times a matrix).',
  },
  {
    key: 'init', label: 'Init', kind: 'choice', group: 'model', def: 'pytorch',
    options: [['pytorch', 'PyTorch default'], ['xavier', 'Xavier'], ['orthogonal', 'Orthogonal W_hh'], ['identity', 'Identity W_hh (IRNN)']],
    hint: 'How the weights start.',
    title: 'Initialisation. PyTorch: uniform ±1/√H. Xavier: uniform scaled by fan-in and fan-out. Orthogonal W_hh keeps the recurrent Jacobian’s singular values at 1, so gradients neither vanish nor explode at the start; identity W_hh (IRNN, Le et al. 2015) does the same for ReLU-free RNNs by copying h forward.',
  },
  {
    key: 'seed', label: 'Seed', kind: 'int', group: 'model', def: 1, min: 0,
    hint: 'Same seed, same run.',
    title: 'Random seed for the initial weights (and sampling). With the same seed, settings and text, training is reproducible.',
  },
  {
    key: 'seq_len', label: 'Sequence length T', kind: 'int', group: 'train', def: 64, min: 1, max: 4096,
    hint: 'Truncated BPTT length.',
    title: 'Truncated backpropagation through time: the text is cut into chunks of T characters. The hidden state carries over between chunks, but the gradient is cut every T steps (h.detach()), so the network cannot be taught dependencies longer than T — though it may still learn them by luck.',
  },
  {
    key: 'batch', label: 'Batch B', kind: 'int', group: 'train', def: 32, min: 1, max: 4096,
    hint: 'Parallel streams per step.',
    title: 'Batch size B: the text is split into B streams read in parallel; one step trains on T × B characters. Larger B gives smoother gradients, fewer steps per second.',
  },
  {
    key: 'optimizer', label: 'Optimizer', kind: 'choice', group: 'train', def: 'adam',
    options: [['adam', 'Adam'], ['rmsprop', 'RMSProp'], ['adagrad', 'Adagrad'], ['sgd', 'SGD + momentum']],
    hint: 'How gradients update weights.',
    title: 'Adam adapts a step size per weight and is the forgiving default. RMSProp (what char-rnn used) divides by a running RMS of the gradient. Adagrad by the total so far. SGD with momentum needs a larger learning rate (try 0.1–1).',
  },
  {
    key: 'lr', label: 'Learning rate', kind: 'real', group: 'train', def: 0.002, min: 0, step: 'any',
    hint: 'Step size (Adam: 1e-3 to 5e-3).',
    title: 'Learning rate: how far each step moves the weights along the (clipped) gradient. Too high and the loss jumps or diverges; too low and nothing happens.',
  },
  {
    key: 'clip_mode', label: 'Clipping', kind: 'choice', group: 'train', def: 'norm',
    options: [['norm', 'Gradient norm'], ['value', 'Per value'], ['none', 'None']],
    hint: 'Guard against exploding gradients.',
    title: 'Gradient clipping. Norm: if the global gradient norm ‖g‖ exceeds the threshold, rescale g to that length (clip_grad_norm_) — the usual fix for exploding gradients in RNNs. Value: clamp each element. None: no protection.',
  },
  {
    key: 'clip', label: 'Clip threshold', kind: 'real', group: 'train', def: 5, min: 0, step: 'any',
    hint: 'Max gradient norm (or value).',
    title: 'Clipping threshold: the largest allowed global gradient norm (or element, for per-value clipping). The Gradient panel shows when a step was clipped.',
  },
  {
    key: 'lr_decay', label: 'LR decay', kind: 'real', group: 'more', def: 1, min: 0, max: 1, step: 'any',
    hint: 'Multiply the LR by this…',
    title: 'Learning-rate decay factor: every “decay every” steps the learning rate is multiplied by this (1 = no decay). Decay lets the loss settle lower late in training.',
  },
  {
    key: 'lr_decay_every', label: 'Decay every', kind: 'int', group: 'more', def: 1000, min: 1,
    hint: '…every this many steps.',
    title: 'Steps between learning-rate decays.',
  },
  {
    key: 'momentum', label: 'Momentum', kind: 'real', group: 'more', def: 0.9, min: 0, max: 0.999999, step: 'any',
    hint: 'SGD only.',
    title: 'Heavy-ball momentum for SGD: the update keeps this fraction of the previous update.',
  },
  {
    key: 'beta1', label: 'β1', kind: 'real', group: 'more', def: 0.9, min: 0, max: 0.999999, step: 'any',
    hint: 'Adam’s gradient average.',
    title: 'Adam β1: decay of the running average of the gradient.',
  },
  {
    key: 'beta2', label: 'β2', kind: 'real', group: 'more', def: 0.999, min: 0, max: 0.9999999, step: 'any',
    hint: 'Adam/RMSProp squared average.',
    title: 'Adam β2 (RMSProp α): decay of the running average of the squared gradient.',
  },
  {
    key: 'eps', label: 'ε', kind: 'real', group: 'more', def: 1e-8, min: 0, step: 'any',
    hint: 'Avoids division by zero.',
    title: 'Small constant added to the denominator of Adam, Adagrad and RMSProp.',
  },
  {
    key: 'val_fraction', label: 'Validation share', kind: 'real', group: 'more', def: 0.1, min: 0, max: 0.5, step: 'any',
    hint: 'Held out from the end.',
    title: 'Fraction of the text (taken from its end) never trained on and used for the validation loss. If validation loss rises while training loss falls, the model is memorising (overfitting).',
  },
  {
    key: 'max_vocab', label: 'Max vocabulary', kind: 'int', group: 'more', def: 8000, min: 2, max: 65536,
    hint: 'Rarer characters become “unknown”.',
    title: 'Most distinct characters kept; rarer ones share one unknown id. Matters for large Chinese or mixed-script texts.',
  },
];

const GROUPS = [
  ['model', 'Model'],
  ['train', 'Training'],
];

const id = (key) => `cfg-${key}`;

/** Builds the form inside `root`; `onChange(key)` fires on every edit. */
export function render(root, onChange) {
  const make = (f) => {
    const hintId = `${id(f.key)}-hint`;
    let input;
    if (f.kind === 'choice') {
      input = el('select', { id: id(f.key) });
      for (const [value, text] of f.options) input.append(el('option', { value }, text));
    } else {
      // Bounds are shown as hints to the browser only; the engine validates and explains.
      input = el('input', { id: id(f.key), type: 'number', inputmode: f.kind === 'int' ? 'numeric' : 'decimal' });
      input.step = f.step ?? '1';
      if (f.min !== undefined) input.min = String(f.min);
      if (f.max !== undefined) input.max = String(f.max);
    }
    input.title = f.title;
    input.setAttribute('aria-describedby', hintId);
    input.addEventListener('input', () => onChange(f.key));
    input.addEventListener('change', () => onChange(f.key));
    const label = el('label', { for: id(f.key), title: f.title }, f.label);
    return el('div', { class: 'field' }, label, input, el('span', { class: 'hint', id: hintId }, f.hint));
  };
  for (const [g, name] of GROUPS) {
    const fs = el('fieldset', {}, el('legend', {}, name), el('div', { class: 'fields' }, ...FIELDS.filter((f) => f.group === g).map(make)));
    root.append(fs);
  }
  const more = el('details', { class: 'more' }, el('summary', {}, 'More settings'),
    el('div', { class: 'fields' }, ...FIELDS.filter((f) => f.group === 'more').map(make)));
  root.append(more);
}

/** Sets every control from a (possibly partial) config object; missing keys get defaults. */
export function write(config) {
  for (const f of FIELDS) {
    const input = document.getElementById(id(f.key));
    const v = config[f.key] ?? f.def;
    input.value = String(v);
    input.removeAttribute('aria-invalid');
  }
}

/**
 * Reads the form into a config object. Returns `{config}` or `{error, key}` for a value that
 * cannot even be sent (not a number, not a whole number, negative where the engine wants an
 * unsigned integer); ranges are left to the engine so its message is the one shown.
 */
export function read() {
  const config = {};
  for (const f of FIELDS) {
    const input = document.getElementById(id(f.key));
    input.removeAttribute('aria-invalid');
    if (f.kind === 'choice') {
      config[f.key] = input.value;
      continue;
    }
    const raw = input.value.trim();
    const v = Number(raw);
    let problem = null;
    if (raw === '' || !Number.isFinite(v)) problem = 'must be a number';
    else if (f.kind === 'int' && !Number.isInteger(v)) problem = 'must be a whole number';
    else if (f.kind === 'int' && v < 0) problem = 'must not be negative';
    if (problem) {
      input.setAttribute('aria-invalid', 'true');
      return { error: `${f.label} ${problem}.`, key: f.key };
    }
    config[f.key] = v;
  }
  return { config };
}

/** Marks the field for `key` invalid (after an engine error naming it). */
export function markInvalid(key) {
  const input = document.getElementById(id(key));
  if (input) input.setAttribute('aria-invalid', 'true');
}

/** The field keys, for matching engine messages like "hidden = 0 is out of range". */
export const KEYS = FIELDS.map((f) => f.key);
