// The engine as wasm: times WasmTrainer.trainFor (the call the page's worker makes) after a
// warm-up, and optionally sample(…) of 1,000 characters. Runs in Node and in the Chromium
// worker; the wasm-bindgen class is passed in.

import { effectiveGflops, macsPerChar, LR, CLIP } from './common.mjs';

export function engineConfig(m) {
  return {
    cell: m.cell, layers: m.layers, hidden: m.hidden, embed: m.embed,
    seq_len: m.seq_len, batch: m.batch,
    optimizer: 'adam', lr: LR, clip_mode: 'norm', clip: CLIP, tokens: m.tokens ?? 'characters',
  };
}

/** Timed sampling: `length` characters after a short prime, `reps` times after one warm-up. */
export function timeSample(trainer, now, { length = 1000, reps = 15 } = {}) {
  const run = (seed) => trainer.sample('The ', length, 1.0, 0, 1.0, seed);
  const first = run(1);
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    const r = run(2 + i);
    ms.push(now() - t0);
    if (!r || typeof r.text !== 'string') throw new Error('sample() returned no text');
  }
  ms.sort((a, b) => a - b);
  return { length, reps, min_ms: ms[0], median_ms: ms[ms.length >> 1], text_chars: Array.from(first.text).length };
}

export async function runEngine(WasmTrainer, m, text, { seconds, warmup, now, sample = false, minSteps = 3 }) {
  const trainer = new WasmTrainer(JSON.stringify(engineConfig(m)), text);
  try {
    const info = trainer.info();
    const vocab = info.vocab_size;
    // Warm-up: at least 2 steps and `warmup` seconds (JIT tiering, allocations, caches).
    const wEnd = now() + warmup * 1000;
    let warmSteps = 0;
    let chars0 = 0; // characters of the tokens trained on so far (the engine counts them)
    while (warmSteps < 2 || now() < wEnd) {
      const r = trainer.trainFor(Math.max(1, wEnd - now()), 1000000);
      warmSteps += r.steps;
      if (r.last) chars0 = r.last.chars;
    }
    // Measured: slices of ≤ 250 ms, like the page's worker, until `seconds` and ≥ minSteps steps.
    let steps = 0;
    let lastLoss = NaN;
    let chars = chars0;
    const t0 = now();
    let el = 0;
    for (;;) {
      const r = trainer.trainFor(Math.min(250, Math.max(1, seconds * 1000 - el * 1000)), 1000000);
      steps += r.steps;
      if (r.last) {
        lastLoss = r.last.loss;
        chars = r.last.chars;
      }
      el = (now() - t0) / 1000;
      if (el >= seconds && steps >= minSteps) break;
    }
    const macs = macsPerChar(m, vocab);
    const out = {
      tokens: info.tokens,
      tokens_per_sec: (steps * m.seq_len * m.batch) / el,
      chars_per_sec: (chars - chars0) / el,
      steps, seconds: el, warmup_steps: warmSteps,
      macs_per_token: macs, vocab, last_loss: lastLoss,
    };
    out.gflops = effectiveGflops(out.tokens_per_sec, macs);
    if (sample) out.sample = timeSample(trainer, now);
    return out;
  } finally {
    trainer.free();
  }
}

