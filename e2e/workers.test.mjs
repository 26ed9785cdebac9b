// Workers (the setting `workers`) in Chromium and Firefox: a run on 2 workers (a pool: the
// training worker and one more) gives the same losses from run to run, and those of 1 worker up to
// float rounding; the main thread stays free; a checkpoint moves between worker counts and
// resumes exactly; a tutorial page of several embeds starts one worker each unless one says
// otherwise; an element served from another origin (CORS) runs its pool under the host's CSP.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { CORPUS, assertClean, chooseFile, click, fill, openReady, serve, sleep, steps, tempSite, text, until, value, inBrowsers } from './helpers.mjs';

/**
 * Before the page's scripts: every Worker the document starts is counted and its messages kept
 * (window.__msgs: {w, data}); the last file the page offers for download is kept (__lastBlob);
 * Chromium's long tasks are recorded (__long).
 */
function hook() {
  window.__msgs = [];
  window.__workers = 0;
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(...args) {
      super(...args);
      const w = ++window.__workers;
      this.addEventListener('message', (e) => window.__msgs.push({ w, data: e.data }));
    }
  };
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (b) => {
    if (b instanceof Blob && b.type === 'application/octet-stream') window.__lastBlob = b;
    return create(b);
  };
  window.__long = [];
  try {
    new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
  } catch {
    // Firefox has no long-task entries.
  }
}

/** The worker messages of `type` the page has heard. */
const heard = (page, type) => page.eval((t) => window.__msgs.filter((m) => m.data.type === t).map((m) => ({ w: m.w, ...m.data })), type);

const SETTINGS = 'v=2&hidden=48&embed=16&seq_len=32&batch=8&val_fraction=0.2';

/** A page on `workers` workers with the test corpus, its model built by a first Step. */
async function open(env, workers) {
  const page = await env.browser.newPage({ width: 1280, height: 900, init: hook });
  await openReady(page, `${env.server.url}#${SETTINGS}${workers ? `&workers=${workers}` : ''}`);
  await fill(page, '#corpus', CORPUS);
  return page;
}

/** Steps one by one up to `n` steps; the exact loss of each (the worker's progress message). */
async function stepTo(page, n) {
  const losses = [];
  for (let s = (await steps(page)) || 0; s < n; s++) {
    await click(page, '#btn-step');
    const p = await until(async () => (await heard(page, 'progress')).find((m) => m.step === s + 1), { what: `step ${s + 1}` });
    losses.push(p.loss);
    await until(async () => (await steps(page)) === s + 1 && !(await page.eval(() => document.getElementById('btn-step').disabled)), { what: 'the Step button back' });
  }
  return losses;
}

/** Waits until the page's training worker reports its pool of `size` workers ready. */
const poolReady = (page, size) => until(async () => (await heard(page, 'pool')).some((m) => m.size === size && m.ready), { what: `a pool of ${size} ready` });

/** Trains for `ms` with Resume, then pauses; the main thread's long tasks meanwhile (Chromium). */
async function trainFor(page, ms) {
  await page.eval(() => (window.__long = []));
  await click(page, '#btn-pause'); // Resume
  await sleep(ms);
  await click(page, '#btn-pause');
  return page.eval(() => window.__long.filter((d) => d > 50));
}

/** The bytes of the checkpoint the page offers (Download checkpoint). */
async function downloadCheckpoint(page) {
  await page.eval(() => (window.__lastBlob = null));
  await click(page, '#btn-save-checkpoint');
  await until(() => page.eval(() => !!window.__lastBlob), { what: 'the checkpoint download' });
  return page.eval(async () => Array.from(new Uint8Array(await window.__lastBlob.arrayBuffer())));
}

inBrowsers('workers', (name, env) => {
  it('2 workers: the same losses from run to run, 1 worker’s up to rounding, the main thread free', async () => {
    const runs = [];
    for (const workers of [2, 2, 1]) {
      const page = await open(env, workers);
      try {
        const losses = await stepTo(page, 1);
        if (workers > 1) await poolReady(page, workers - 1);
        losses.push(...(await stepTo(page, 6)));
        const progress = await heard(page, 'progress');
        assert.ok(progress.filter((p) => p.step >= 2 && p.step <= 6).every((p) => p.workers === workers && p.pooled === workers > 1), `steps 2–6 on ${workers} worker(s)`);
        const info = await text(page, '#model-info');
        if (workers > 1) assert.match(info, /8 streams on 2 workers/);
        else assert.doesNotMatch(info, /workers/);
        assert.equal(await value(page, '#cfg-workers'), String(workers));
        // Training on: the speed each number of workers gives is shown beside the setting.
        const long = await trainFor(page, 4000);
        assert.deepEqual(long, [], `main-thread tasks over 50 ms while training on ${workers} worker(s)`);
        await until(async () => new RegExp(`^${workers} workers?, [\\d,]+ chars/s`).test(await text(page, '#workers-speed')), { what: 'the speed beside Workers' });
        await assertClean(page);
        runs.push(losses);
      } finally {
        await page.close();
      }
    }
    assert.deepEqual(runs[1], runs[0], 'two runs on 2 workers, bit for bit');
    runs[2].forEach((l, i) => assert.ok(Math.abs(l - runs[0][i]) <= 1e-5 * l, `step ${i + 1}: 1 worker ${l} vs 2 workers ${runs[0][i]}`));
  });

  it('a checkpoint saved on 2 workers resumes exactly on 1 and on 3, and goes on as on 2', async () => {
    const page = await open(env, 2);
    let bytes;
    let next;
    try {
      await stepTo(page, 1);
      await poolReady(page, 1);
      await stepTo(page, 4);
      bytes = await downloadCheckpoint(page);
      [next] = await stepTo(page, 5);
    } finally {
      await page.close();
    }
    for (const workers of [1, 3]) {
      const other = await open(env, workers);
      try {
        await chooseFile(other, '#model-file', { name: 'two.ckpt.safetensors', bytes, type: 'application/octet-stream' });
        await until(async () => /checkpoint resumed exactly at step 4/.test(await text(other, '#alert [data-key="main"]')), { what: 'the exact resume' });
        // The page's number of workers stands; the run goes on with it.
        assert.equal(await value(other, '#cfg-workers'), String(workers));
        if (workers > 1) await poolReady(other, workers - 1);
        const [loss] = await stepTo(other, 5);
        assert.equal((await heard(other, 'progress')).find((m) => m.step === 5).workers, workers, 'step 5 on the page’s workers');
        assert.deepEqual([...new Set((await heard(other, 'pool')).map((m) => m.size))], [workers - 1], 'no pool the size of the file’s was ever started');
        assert.ok(Math.abs(loss - next) <= 1e-5 * next, `${workers} worker(s): step 5 ${loss} vs ${next} on 2`);
        if (workers > 1) assert.match(await text(other, '#model-info'), new RegExp(`on ${workers} workers`));
        await assertClean(other);
      } finally {
        await other.close();
      }
    }
  });

  it('a tutorial page of several embeds starts one worker each, two where asked', { timeout: 300_000 }, async () => {
    const page = await env.browser.newPage({ width: 1500, height: 1300, init: hook });
    try {
      await page.goto(`${env.server.url}e2e/hosts/tutorial.html`);
      const state = (id) => page.eval((i) => document.getElementById(i).state, id);
      for (const id of ['p1', 'p2', 'p3', 'p6']) await until(async () => (await state(id)) === 'training', { what: `${id} training` });
      for (const part of ['parity', 'remember']) {
        await until(() => page.frameEval(part, () => document.getElementById('run-state')?.textContent === 'training'), { what: `the ${part} embed training` });
      }
      await sleep(2000);
      // One training worker per element in the document, each with no pool but the sixth's.
      assert.equal(await page.eval(() => window.__workers), 4, 'training workers started by the document');
      const pools = await heard(page, 'pool');
      const sizes = [1, 2, 3, 4].map((w) => Math.max(...pools.filter((m) => m.w === w).map((m) => m.size)));
      assert.deepEqual(sizes.sort(), [0, 0, 0, 1], 'pool workers besides each training worker');
      for (const part of ['parity', 'remember']) {
        assert.equal(await page.frameEval(part, () => window.__workers), 1, `the ${part} embed's workers`);
        assert.deepEqual(await page.frameEval(part, () => window.__msgs.filter((m) => m.data.type === 'pool').map((m) => m.data.size)), [0]);
      }
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('an element from another origin (CORS) runs its pool under the host’s CSP', async () => {
    const cors = await serve({ cors: true });
    const dir = tempSite({
      'post.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' ${cors.origin} 'wasm-unsafe-eval'; worker-src blob: ${cors.origin}; style-src 'self' ${cors.origin}; connect-src ${cors.origin}; img-src 'self' data:">
<title>elsewhere</title><script type="module" src="${cors.origin}/rnn-playground.js"></script></head>
<body><rnn-playground id="x" preset="anbn" hidden-size="24" views="loss" workers="2" autostart label="Two workers from another origin"></rnn-playground></body></html>`,
    });
    const host = await serve({ root: dir, host: 'localhost' });
    const page = await env.browser.newPage({ width: 800, height: 900, init: hook });
    try {
      await page.goto(`${host.url}post.html`);
      await until(async () => (await page.eval(() => document.getElementById('x').state)) === 'training', { what: 'the element to train' });
      await poolReady(page, 1);
      await until(async () => (await heard(page, 'progress')).some((m) => m.pooled && m.step > 5), { what: 'steps on the pool' });
      assert.match(await text(page, '#model-info', '#x'), /on 2 workers/);
      assert.deepEqual(page.foreign([cors.origin, host.origin]), []);
      await assertClean(page);
    } finally {
      await page.close();
      await host.close();
      await cors.close();
    }
  });
});
