// The page's own training worker (www/worker.js) and its pool, driven as the page drives it:
// build a model with `workers` = k, then its `bench` message (training alone, for a given time).
// window.runPool(job) is what bench/bench.mjs calls through playwright (bench/lib/chromium.mjs).

window.runPool = (job) => new Promise((resolve) => {
  const worker = new Worker(new URL('../../www/worker.js', import.meta.url), { type: 'module' });
  const done = (r) => {
    worker.terminate();
    resolve(r);
  };
  let pool = null;
  let engine = null;
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.type === 'ready') {
      engine = m.engine;
      fetch('/corpus.txt').then((r) => r.text()).then((corpus) => worker.postMessage({ type: 'build', config: job.config, corpus }));
    } else if (m.type === 'built') worker.postMessage({ type: 'bench', seconds: job.seconds, warmup: job.warmup });
    else if (m.type === 'pool') pool = m;
    else if (m.type === 'bench') done({ ...m, pool, engine });
    else if (m.type === 'error' || m.type === 'fatal') done({ error: `${m.where || m.type}: ${m.message}` });
  };
  worker.onerror = (e) => done({ error: `worker error: ${e.message || 'unknown'}` });
});
