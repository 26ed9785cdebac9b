// TensorFlow.js reference: the same model trained on the same batches with tf.layers, on whatever
// backend the caller set up (the wasm backend with SIMD, one thread). Runs in Node and in the
// Chromium worker; `tf` is passed in.
//
// embedding(V, E) → [lstm | simpleRNN | gru](H, returnSequences) × L → dense(V) on [B, T] batches,
// softmax cross-entropy on the next character, Adam(2e-3), gradients clipped to global norm 5 by
// hand (TF.js optimizers have no clipnorm), in a tf.variableGrads loop.
// The wasm backend has no UnsortedSegmentSum kernel, which the embedding's gradient (the gradient
// of gather) needs; registerMissingWasmKernels adds a plain-JS one (a scatter-add of B·T·E floats,
// negligible next to the recurrent layers).
// The recurrent state starts at zero for every chunk (TF.js stateful RNNs do not fit a custom
// gradient loop); that costs the same arithmetic as carrying it.

import { buildVocab, makeBatcher, macsPerChar, timeSteps, LR, CLIP } from './common.mjs';

export function registerMissingWasmKernels(tf) {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs;
      const n = attrs.numSegments;
      const xv = backend.readSync(x.dataId);
      const ids = backend.readSync(segmentIds.dataId);
      const inner = xv.length / ids.length;
      const out = new Float32Array(n * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= n) continue;
        for (let j = 0, o = s * inner, k = i * inner; j < inner; j++) out[o + j] += xv[k + j];
      }
      return backend.makeOutput([n, ...x.shape.slice(segmentIds.shape.length)], x.dtype, undefined, out);
    },
  });
}

export function buildTfjsModel(tf, m, V) {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: V, outputDim: m.embed, batchInputShape: [m.batch, m.seq_len] }));
  for (let l = 0; l < m.layers; l++) {
    const cfg = { units: m.hidden, returnSequences: true };
    if (m.cell === 'lstm') model.add(tf.layers.lstm(cfg));
    else if (m.cell === 'gru') model.add(tf.layers.gru(cfg));
    else model.add(tf.layers.simpleRNN(cfg));
  }
  model.add(tf.layers.dense({ units: V }));
  return model;
}

export async function runTfjs(tf, m, text, { seconds, warmup, now, minSteps = 2 }) {
  const { ids, vocab: V } = buildVocab(text);
  const B = m.batch, T = m.seq_len;
  const batcher = makeBatcher(ids, B, T);
  if (tf.getBackend() === 'wasm') registerMissingWasmKernels(tf);
  const model = buildTfjsModel(tf, m, V);
  const vars = model.trainableWeights.map((w) => w.read ? w.read() : w.val);
  const optimizer = tf.train.adam(LR);
  let lastLoss = NaN;

  const step = () => {
    const { x, y } = batcher.next();
    const lossT = tf.tidy(() => {
      const xs = tf.tensor2d(x, [B, T], 'int32');
      const ys = tf.oneHot(tf.tensor1d(y, 'int32'), V);
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(xs, { training: true }).reshape([B * T, V]);
        return tf.losses.softmaxCrossEntropy(ys, logits);
      }, vars);
      const names = Object.keys(grads);
      const sq = tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))));
      const norm = tf.sqrt(sq);
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(CLIP), tf.add(norm, tf.scalar(1e-6))));
      const clipped = {};
      for (const n of names) clipped[n] = tf.mul(grads[n], scale);
      optimizer.applyGradients(clipped);
      return value;
    });
    lastLoss = lossT.dataSync()[0];
    lossT.dispose();
  };

  const t = await timeSteps(step, { seconds, warmup, minSteps, minWarmSteps: 1, now });
  const out = {
    chars_per_sec: (t.steps * B * T) / t.seconds,
    steps: t.steps,
    seconds: t.seconds,
    warmup_steps: t.warmup_steps,
    macs_per_char: macsPerChar(m, V),
    vocab: V,
    last_loss: lastLoss,
    tfjs: tf.version && (tf.version.tfjs || tf.version['tfjs-core']),
    backend: tf.getBackend(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    num_tensors: tf.memory().numTensors,
  };
  optimizer.dispose();
  model.dispose();
  return out;
}
