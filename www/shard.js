// One worker of the training worker's pool (pool.js): a copy of the model that computes one
// shard's gradient per message, with the engine's own shard code (WasmShard). It keeps nothing
// of the run but the model's shape: the coordinator sends the weights, the chunk and the carried
// state of each step, and keeps every result. Pure (no `self`): shard-worker.js wires it to its
// messages, and the Node tests to in-process ones.
//
// Pool → worker:  model {generation, bytes}      the model (a .safetensors file: shape, weights)
//                 grad {id, weights, inputs, targets, h, c, scale}   one shard of one step
// Worker → pool:  ready {engine} | fatal {message}                  the engine loaded, or not
//                 loaded {generation}                               the model is in place
//                 grad {id, lossSum, grad, h, c, dh, ms: {weights, compute}}   (buffers transferred)
//                 error {id, message}                               a message it could not handle

/** The handlers of a pool worker: `WasmShard` the engine's class, `post(msg, transfer)`. */
export function shardHandlers(WasmShard, post) {
  let shard = null;
  return {
    model(msg) {
      if (shard) shard.free();
      shard = null;
      shard = new WasmShard(new Uint8Array(msg.bytes));
      post({ type: 'loaded', generation: msg.generation });
    },

    grad(msg) {
      if (!shard) throw new Error('no model yet');
      const t0 = performance.now();
      shard.setWeights(msg.weights);
      const t1 = performance.now();
      const r = shard.gradient(msg.inputs, msg.targets, msg.h, msg.c, msg.scale);
      const ms = { weights: t1 - t0, compute: performance.now() - t1 };
      const { grad, h, c, dh } = r;
      post({ type: 'grad', id: msg.id, lossSum: r.lossSum, grad, h, c, dh, ms }, [grad.buffer, h.buffer, c.buffer, dh.buffer]);
    },
  };
}

/** Runs `msg` through `handlers`; what throws is posted as `error` (with the message's id). */
export function dispatch(handlers, msg, post) {
  try {
    if (!Object.hasOwn(handlers, msg.type)) throw new Error(`unknown message type ${msg.type}`);
    handlers[msg.type](msg);
  } catch (e) {
    post({ type: 'error', id: msg.id ?? null, message: e && e.message ? e.message : String(e) });
  }
}
