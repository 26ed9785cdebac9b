// Runs one benchmark job in a fresh module Web Worker and resolves with its result.
// window.runJob(job) is what bench/lib/chromium.mjs calls through playwright.

const log = document.getElementById('log');

window.runJob = (job) => new Promise((resolve) => {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const done = (r) => {
    worker.terminate();
    log.textContent += `${job.kind} ${job.model ? job.model.name : ''}: ${JSON.stringify(r)}\n`;
    resolve(r);
  };
  worker.onmessage = (e) => done(e.data);
  worker.onerror = (e) => done({ error: `worker error: ${e.message || 'unknown'}` });
  worker.postMessage(job);
});

window.benchReady = true;
