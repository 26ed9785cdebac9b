// One form field per setting, built from its declaration (settings.js: kind, bounds, one-line
// help) and bound to the store: edits are checked against the bounds and written through the
// store; store changes (a link, a loaded file) show up in the field. Only the words a person
// reads — the label and a longer explanation in the article's terms — are added here.

import { el } from './dom.js';
import { setting, check, describe, format } from '../settings.js';

/** Label and tooltip of each setting. */
export const WORDS = {
  cell: {
    label: 'Cell',
    title: 'Vanilla RNN: h_t = tanh(W_ih x_t + W_hh h_{t−1} + b). Its gradient through time is a product of W_hh-Jacobians, so it tends to vanish or explode. LSTM adds a cell state c with input/forget/output gates so information (and gradient) can pass through many steps; GRU does the same with reset/update gates and no separate cell.',
    options: { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN (vanilla, tanh)' },
  },
  layers: { label: 'Layers', title: 'Number of stacked recurrent layers L: layer k reads the hidden states of layer k−1. Deeper stacks learn more abstract features but train more slowly.' },
  hidden: { label: 'Hidden size', title: 'Hidden size H: how many numbers the network carries from one token to the next. Cost grows with H²; 128 trains quickly, 256–512 writes better text but slowly.' },
  embed: { label: 'Embedding', title: 'Embedding size E: each token (a character or a word) is looked up as a learned vector of E numbers before entering the first layer (a one-hot input times a matrix).' },
  init: {
    label: 'Init',
    title: 'Initialisation. PyTorch: uniform ±1/√H. Xavier: uniform scaled by fan-in and fan-out. Orthogonal W_hh keeps the recurrent Jacobian’s singular values at 1, so gradients neither vanish nor explode at the start; identity W_hh (IRNN, Le et al. 2015) copies h forward.',
    options: { pytorch: 'PyTorch default', xavier: 'Xavier', orthogonal: 'Orthogonal W_hh', identity: 'Identity W_hh (IRNN)' },
  },
  seed: { label: 'Seed', title: 'Random seed for the initial weights (and sampling). With the same seed, settings and text, training is reproducible.' },
  seq_len: { label: 'Sequence length T', title: 'Truncated backpropagation through time: the text is cut into chunks of T tokens. The hidden state carries over between chunks, but the gradient is cut every T steps (h.detach()), so the network cannot be taught dependencies longer than T — though it may still learn them by luck.' },
  batch: { label: 'Batch B', title: 'Batch size B: the text is split into B streams read in parallel; one step trains on T × B tokens. Larger B gives smoother gradients, fewer steps per second.' },
  optimizer: {
    label: 'Optimizer',
    title: 'Adam adapts a step size per weight and is the forgiving default. RMSProp (what char-rnn used) divides by a running RMS of the gradient. Adagrad by the total so far. SGD with momentum needs a larger learning rate (try 0.1–1).',
    options: { adam: 'Adam', rmsprop: 'RMSProp', adagrad: 'Adagrad', sgd: 'SGD + momentum' },
  },
  lr: { label: 'Learning rate', title: 'Learning rate: how far each step moves the weights along the (clipped) gradient. Too high and the loss jumps or diverges; too low and nothing happens.' },
  clip_mode: {
    label: 'Clipping',
    title: 'Gradient clipping. Norm: if the global gradient norm ‖g‖ exceeds the threshold, rescale g to that length (clip_grad_norm_) — the usual fix for exploding gradients in RNNs. Value: clamp each element. None: no protection.',
    options: { norm: 'Gradient norm', value: 'Per value', none: 'None' },
  },
  clip: { label: 'Clip threshold', title: 'Clipping threshold: the largest allowed global gradient norm (or element, for per-value clipping). The gradient view shows when a step was clipped.' },
  lr_decay: { label: 'LR decay', title: 'Learning-rate decay factor: every “decay every” steps the learning rate is multiplied by this (1 = no decay). Decay lets the loss settle lower late in training.' },
  lr_decay_every: { label: 'Decay every', title: 'Steps between learning-rate decays.' },
  momentum: { label: 'Momentum', title: 'Heavy-ball momentum for SGD: the update keeps this fraction of the previous update.' },
  beta1: { label: 'β1', title: 'Adam β1: decay of the running average of the gradient.' },
  beta2: { label: 'β2', title: 'Adam β2 (RMSProp α): decay of the running average of the squared gradient.' },
  eps: { label: 'ε', title: 'Small constant added to the denominator of Adam, Adagrad and RMSProp.' },
  val_fraction: { label: 'Validation share', title: 'Fraction of the text (taken from its end) never trained on and used for the validation loss. If validation loss rises while training loss falls, the model is memorising (overfitting).' },
  tokens: {
    label: 'Tokens',
    title: 'What one step of the network reads and predicts. Characters: any text, a small vocabulary, every spelling learned, but many steps per sentence. Words (Unicode word boundaries; each punctuation mark, space run, Han character and emoji its own token): the article’s model. Words beat characters on a large text whose words repeat — samples read as sentences sooner and each step sees further back — and lose on a small or varied text (names, code, typos): most words are seen a few times, the rare ones share the unknown token, and the softmax over V words costs most of the time. Compare the two in bits per character on the loss chart. The synthetic tasks count characters and always train on characters.',
    options: { characters: 'characters', words: 'words' },
  },
  workers: { label: 'Workers', title: 'Web Workers sharing the batch, each on its own core: the B streams are split between them, each computes the gradient of its share, and the sums are added in a fixed order before one optimizer step (the loss is still the mean over all T × B tokens). 0 is automatic: the cores this computer can spare on the page, one in an embed. The same seed and number of workers give the same run; another number gives the same run up to float rounding.' },
  max_vocab: { label: 'Max vocabulary', title: 'Most distinct tokens kept (characters, or words); rarer ones share one unknown token. Matters for large Chinese or mixed-script texts, and for words: each kept word is a row of the embedding and of the output layer.' },
  temperature: { label: 'Temperature', title: 'Sampling temperature: the logits are divided by it before the softmax. Low is cautious and repetitive, high is adventurous and misspelled; 0 always takes the most likely token.' },
  top_k: { label: 'Top-k', title: 'Sample only among the k most likely next tokens; 0 keeps them all.' },
  top_p: { label: 'Top-p', title: 'Nucleus sampling: keep the smallest set of likely tokens whose probabilities add up to p; 1 keeps them all.' },
  length: { label: 'Length', title: 'How many tokens (characters, or words and marks) each sample generates.' },
  prime: { label: 'Prime text', title: 'Text fed to the network before sampling, to set its hidden state. Empty: each sample continues a stretch of the validation text (shown faded), so it starts mid-text rather than from a blank state.' },
  preset: { label: 'Preset', title: 'A built-in text, or your own.' },
  units: { label: 'Units', title: 'The loss in nats per token, in bits per character, or as perplexity per token. Bits per character are the total bits over the characters predicted: a character model and a word model of the same text compare in them.', options: { nats: 'nats per token', bits: 'bits per char', ppl: 'perplexity' } },
  views: { label: 'Views', title: 'Which views are shown.' },
  steps: { label: 'Steps', title: 'Train this many steps, then pause (0: no limit). The loss chart spans them, so that two playgrounds side by side share the x axis.' },
  loss_min: { label: 'Loss chart bottom', title: 'The bottom of the loss chart, in nats (used with the top).' },
  loss_max: { label: 'Loss chart top', title: 'The top of the loss chart, in nats; 0 fits the curves. A narrow range shows small differences (0.28 against 0.20 nats).' },
  theme: { label: 'Theme', title: 'Colours: auto follows your system’s light or dark setting.', options: { auto: 'Auto', light: 'Light', dark: 'Dark' } },
};

export const label = (name) => WORDS[name]?.label ?? name;

/**
 * A labelled control for setting `name`, bound to `ctx.store`. `opts.slider`: a range input
 * with a readout (temperature); `opts.compact`: no visible hint. Returns the field element.
 */
export function field(ctx, name, opts = {}) {
  const s = setting(name);
  const words = WORDS[name] ?? {};
  const id = `cfg-${name}`;
  const hintId = `${id}-hint`;
  let input;
  let out = null;
  if (s.kind === 'choice') {
    input = el('select', { id });
    for (const c of s.choices) input.append(el('option', { value: c }, words.options?.[c] ?? c));
  } else if (opts.slider) {
    input = el('input', { id, type: 'range', min: opts.slider.min, max: opts.slider.max, step: opts.slider.step });
    out = el('output', { for: id });
  } else if (s.kind === 'text') {
    input = el('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: s.max_len });
  } else {
    input = el('input', { id, type: 'number', inputmode: s.kind === 'int' ? 'numeric' : 'decimal', step: s.kind === 'int' ? '1' : 'any' });
    input.min = String(s.min);
    input.max = String(s.max);
  }
  if (words.title) input.title = words.title;
  input.setAttribute('aria-describedby', hintId);
  const hint = el('span', { class: opts.compact ? 'hint visually-hidden' : 'hint', id: hintId }, s.help);
  const show = () => {
    const v = ctx.store.get(name);
    const text = format(s, v);
    // Don't rewrite what the person is typing when it already means this value ("0.50" vs "0.5").
    const typing = input.getRootNode().activeElement === input && check(s, input.value).value === v;
    if (input.value !== text && !typing) input.value = text;
    if (out) out.textContent = Number(v).toFixed(2);
    setProblem(null);
  };
  const setProblem = (problem) => {
    if (problem) {
      input.setAttribute('aria-invalid', 'true');
      hint.textContent = `${label(name)} must be ${describe(s)}.`;
      hint.classList.add('problem');
    } else {
      input.removeAttribute('aria-invalid');
      hint.textContent = s.help;
      hint.classList.remove('problem');
    }
    ctx.setInvalid(name, problem ? `${label(name)} must be ${describe(s)}` : null);
  };
  const onEdit = () => {
    const r = check(s, input.value);
    if ('value' in r) {
      setProblem(null);
      ctx.store.set({ [name]: r.value }, 'form');
      if (out) out.textContent = Number(r.value).toFixed(2);
    } else {
      setProblem(r.problem);
    }
  };
  input.addEventListener('input', onEdit);
  input.addEventListener('change', onEdit);
  const off = ctx.store.subscribe(({ keys }) => {
    if (keys.has(name)) show();
  });
  const offInvalid = ctx.on('invalid', (m) => {
    if (m.name === name) {
      input.setAttribute('aria-invalid', 'true');
      hint.textContent = m.problem;
      hint.classList.add('problem');
    }
  });
  show();
  const lab = el('label', { for: id, title: words.title ?? '' }, label(name));
  const node = opts.slider
    ? el('div', { class: `field ${opts.wide ? 'wide' : ''}` }, el('div', { class: 'slider-field' }, lab, input, out), hint)
    : el('div', { class: `field ${opts.wide ? 'wide' : ''}` }, lab, input, hint);
  node.destroy = () => {
    off();
    offInvalid();
    ctx.setInvalid(name, null);
  };
  return node;
}
