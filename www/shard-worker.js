// A worker of the training worker's pool: loads the engine build its coordinator runs (the
// `engine` parameter of this module's URL) and answers the pool's messages (shard.js).

import { loadEngine } from './load-engine.js';
import { shardHandlers, dispatch } from './shard.js';

const post = (msg, transfer = []) => self.postMessage(msg, transfer);
const queue = [];
let handlers = null;
self.onmessage = (ev) => (handlers ? dispatch(handlers, ev.data, post) : queue.push(ev.data));

// import.meta.url: under a blob: module (a playground served from another origin) it keeps the query.
const engine = new URL(import.meta.url).searchParams.get('engine') ?? '';
loadEngine(`exactly:${engine}`)
  .then(({ mod, engine: loaded }) => {
    handlers = shardHandlers(mod.WasmShard, post);
    post({ type: 'ready', engine: loaded });
    for (const m of queue.splice(0)) dispatch(handlers, m, post);
  })
  .catch((e) => post({ type: 'fatal', message: `the engine failed to load in a pool worker: ${e && e.message ? e.message : e}` }));
