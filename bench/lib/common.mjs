// Shared by every part of the benchmark (Node and the Chromium worker): the models, the FLOP
// formula and the batches. No imports, so it loads unchanged in Node and in a module worker.

/** The benchmarked models (issue "Speed"). Adam lr 2e-3, global-norm clip 5 for all. */
export const MODELS = [
  { name: 'small-lstm', cell: 'lstm', layers: 1, hidden: 128, embed: 32, seq_len: 64, batch: 32 },
  { name: 'small-rnn', cell: 'rnn', layers: 1, hidden: 128, embed: 32, seq_len: 64, batch: 32 },
  { name: 'small-gru', cell: 'gru', layers: 1, hidden: 128, embed: 32, seq_len: 64, batch: 32 },
  { name: 'medium-lstm', cell: 'lstm', layers: 2, hidden: 256, embed: 64, seq_len: 64, batch: 32 },
  // The article's word-level model: the small LSTM over words (up to 8,000 of them, the engine's
  // default cap), where the output layer H·V dominates. Its rows count tokens (words and marks)
  // per second, and the characters they stand for. The engine only: TF.js and PyTorch here read
  // characters.
  { name: 'words-lstm', cell: 'lstm', layers: 1, hidden: 128, embed: 32, seq_len: 64, batch: 32, tokens: 'words' },
];

export const LR = 2e-3;
export const CLIP = 5;

/** Gate blocks G per cell: rows of W_ih are G·H. */
export const GATES = { rnn: 1, lstm: 4, gru: 3 };

/**
 * Forward multiply-adds per token (a character, or for a word model a word):
 *   Σ_layers G·H·(in + H)  +  H·V        (in = E for layer 0, H above; V = vocabulary size)
 * i.e. the input and recurrent matrix products of every layer plus the output projection. The
 * embedding lookup, biases, gate nonlinearities, softmax and optimizer are not counted.
 */
export function macsPerChar(m, vocab) {
  let macs = 0;
  for (let l = 0; l < m.layers; l++) {
    const inp = l === 0 ? m.embed : m.hidden;
    macs += GATES[m.cell] * m.hidden * (inp + m.hidden);
  }
  return macs + m.hidden * vocab;
}

/**
 * Effective training GFLOP/s = chars/s × 6 × forward MACs/char / 1e9: a MAC is 2 flops, and a
 * training step costs ~3× the forward pass (forward, gradient w.r.t. inputs, gradient w.r.t.
 * weights).
 */
export function effectiveGflops(charsPerSec, macs) {
  return (charsPerSec * 6 * macs) / 1e9;
}

/** Vocabulary: the corpus' distinct characters (code points), sorted. */
export function buildVocab(text) {
  const chars = [...new Set(Array.from(text))].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const ids = new Int32Array(Array.from(text, (c) => index.get(c)));
  return { chars, ids, vocab: chars.length };
}

/**
 * Truncated-BPTT batches over the first 90% of the corpus (the rest is validation, as in the
 * engine): B streams, each a contiguous stretch; chunk k of stream b covers characters
 * b·stride + k·T … + T (inputs) and one further (targets). Returns next() → {x, y} as Int32Array
 * (B·T, row-major [b][t]).
 */
export function makeBatcher(ids, B, T) {
  const n = Math.floor(ids.length * 0.9);
  const stride = Math.floor((n - 1) / B);
  const chunks = Math.floor(stride / T);
  if (chunks < 1) throw new Error('corpus too short for the batch shape');
  let k = 0;
  return {
    chunks,
    next() {
      if (k >= chunks) k = 0;
      const x = new Int32Array(B * T);
      const y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const base = b * stride + k * T;
        for (let t = 0; t < T; t++) {
          x[b * T + t] = ids[base + t];
          y[b * T + t] = ids[base + t + 1];
        }
      }
      k++;
      return { x, y };
    },
  };
}

/**
 * Runs `step()` (one training step, synchronous or async) for a warm-up and then for `seconds`,
 * at least `minSteps` measured steps. `now` is a millisecond clock. Returns steps and seconds.
 */
export async function timeSteps(step, { seconds, warmup, minSteps = 3, minWarmSteps = 2, now }) {
  const warmEnd = now() + warmup * 1000;
  let warmSteps = 0;
  while (warmSteps < minWarmSteps || now() < warmEnd) {
    await step();
    warmSteps++;
  }
  let steps = 0;
  const t0 = now();
  let el;
  for (;;) {
    await step();
    steps++;
    el = (now() - t0) / 1000;
    if (el >= seconds && steps >= minSteps) break;
  }
  return { steps, seconds: el, warmup_steps: warmSteps };
}

/** Default warm-up for a measurement budget of `seconds`. */
export function warmupFor(seconds) {
  return Math.min(3, seconds / 3);
}
