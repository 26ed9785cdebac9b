// <rnn-playground> in Chromium and Firefox: several elements on a page that hosts the folder, under
// a strict CSP; each is a labelled region with its own worker, loaded only near the screen; the
// attributes are the settings (hidden-size for hidden); methods and events; out of view it
// pauses. And one element loaded from another origin that serves the folder with CORS.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launch } from './driver.mjs';
import { assertClean, click, screenshot, serve, sleep, tempSite, text, until, wasmPaths } from './helpers.mjs';

const events = (page, id, type) => page.eval(([i, t]) => (window.__events || []).filter((e) => e.id === i && e.type === t).map((e) => e.detail), [id, type]);
const state = (page, id) => page.eval((i) => document.getElementById(i).state, id);

/** Records every event the elements fire. */
const listen = (page) => page.eval(() => {
  window.__events = [];
  for (const el of document.querySelectorAll('rnn-playground')) {
    for (const type of ['progress', 'sample', 'statechange']) {
      el.addEventListener(type, (e) => window.__events.push({ id: el.id, type, detail: e.detail }));
    }
  }
});

for (const name of BROWSERS) {
  describe(`<rnn-playground> (${name})`, () => {
    let browser;
    let pg;
    before(async () => {
      browser = await launch(name);
      pg = await serve();
    });
    after(async () => {
      await browser?.close();
      await pg?.close();
    });

    it('several elements on one page: labelled, lazy, scriptable, each with its own worker', async () => {
      const page = await browser.newPage({ width: 1280, height: 900 });
      try {
        const mark = pg.requests.length;
        await page.goto(`${pg.url}e2e/hosts/elements.html`);
        await listen(page);
        // Each element is a region named by its label.
        const regions = await page.eval(() => [...document.querySelectorAll('rnn-playground')].map((e) => {
          const r = e.shadowRoot.querySelector('[role="region"]');
          return r && r.getAttribute('aria-label');
        }));
        assert.deepEqual(regions, ['A tanh RNN on brackets', 'An LSTM counting', 'Every setting']);
        // a starts by itself; its events arrive.
        const p = await until(async () => (await events(page, 'a', 'progress')).find((x) => x.step > 0), { what: 'a progress event from a' });
        assert.deepEqual(Object.keys(p).sort(), ['charsPerSec', 'loss', 'step', 'valLoss']);
        assert.ok(Number.isFinite(p.loss) && p.loss > 0);
        await until(async () => (await events(page, 'a', 'progress')).some((x) => Number.isFinite(x.valLoss)), { what: 'a validation loss in progress events' });
        const sample = await until(async () => (await events(page, 'a', 'sample'))[0], { what: 'a sample event' });
        assert.equal(typeof sample.text, 'string');
        assert.ok((await events(page, 'a', 'statechange')).some((e) => e.state === 'training'));
        // Attributes are settings: hidden-size is the hidden size.
        assert.match(await text(page, '#model-info', '#a'), /^RNN · 1 × 48,/);
        // A bad attribute falls back and says so; the element still works.
        assert.match(await text(page, '[role="alert"]', '#b'), /layers="zz" is not valid/);
        // An unknown view is left out and named; the valid ones are kept.
        assert.match(await text(page, '[role="alert"]', '#b'), /views: unknown “gradiens” left out/);
        assert.deepEqual(await page.eval(() => [...document.getElementById('b').shadowRoot.querySelectorAll('.views > section')].map((s) => [...s.classList].find((c) => c.startsWith('view-')))), ['view-loss']);
        // The host page's theme reaches into the shadow tree.
        const accent = await page.eval(() => getComputedStyle(document.querySelector('#a').shadowRoot.querySelector('#btn-pause')).getPropertyValue('--accent').trim());
        assert.equal(accent, '#b5179e');
        // Only the element on screen has loaded an engine.
        await sleep(1000);
        assert.equal(wasmPaths(pg.since(mark)).length, 1, 'one engine for the one element on screen');

        // Methods.
        await page.eval(() => document.getElementById('a').pause());
        await until(async () => (await state(page, 'a')) === 'paused', { what: 'a to pause' });
        await sleep(500);
        const at = (await events(page, 'a', 'progress')).pop().step;
        await page.eval(() => document.getElementById('a').step());
        await until(async () => (await events(page, 'a', 'progress')).pop().step === at + 1, { what: 'one step' });
        await page.eval(() => document.getElementById('a').reset());
        await until(async () => (await state(page, 'a')) === 'ready', { what: 'a fresh model' });
        await page.eval(() => document.getElementById('a').start());
        await until(async () => (await state(page, 'a')) === 'training', { what: 'a to train again' });
        await screenshot(page, 'elements-desktop.png');

        // Scrolled away, a pauses; b loads when it comes near, and trains when asked.
        await page.eval(() => document.getElementById('b').scrollIntoView());
        await until(async () => (await state(page, 'a')) === 'paused (out of view)', { what: 'a to pause out of view' });
        await until(() => wasmPaths(pg.since(mark)).length >= 2, { what: 'b to load its engine' });
        await page.eval(() => document.getElementById('b').setAttribute('hidden-size', '20'));
        await page.eval(() => document.getElementById('b').start());
        await until(async () => (await events(page, 'b', 'progress')).length > 0, { what: 'b to train' });
        assert.match(await text(page, '#model-info', '#b'), /^LSTM · 1 × 20,/);
        // The full controls of c show every setting, set from its attributes.
        await page.eval(() => document.getElementById('c').scrollIntoView());
        await until(async () => (await page.eval(() => document.getElementById('c').shadowRoot.querySelector('#cfg-hidden')?.value)) === '16', { what: 'c to show hidden = 16' });
        await click(page, '#btn-step', '#c');
        await until(async () => (await events(page, 'c', 'progress')).length > 0, { what: 'c to step' });
        // Equations in a shadow root: typeset there, with KaTeX's fonts declared in the document.
        await page.eval(() => document.getElementById('c').setAttribute('views', 'heatmap,equations'));
        await until(() => page.eval(() => document.getElementById('c').shadowRoot.querySelectorAll('.katex').length >= 8), { what: 'equations inside the element' });
        assert.equal(await page.eval(() => [...document.head.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href.endsWith('/www/vendor/katex/katex.min.css'))), true);
        // Changing controls re-mounts it with the new layout.
        await page.eval(() => document.getElementById('c').setAttribute('controls', 'none'));
        await until(() => page.eval(() => {
          const r = document.getElementById('c').shadowRoot;
          return !!r.querySelector('#steps') && !r.querySelector('#btn-start') && !r.querySelector('#cfg-hidden');
        }), { what: 'c without controls' });
        // Removing an element stops it.
        await page.eval(() => document.getElementById('b').remove());
        await sleep(300);
        assert.deepEqual(page.foreign([pg.origin]), []);
        await assertClean(page);
      } finally {
        await page.close();
      }
    });

    it('an element loaded from another origin that serves the folder with CORS trains too', async () => {
      const cors = await serve({ cors: true });
      const dir = tempSite({
        'post.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' ${cors.origin} 'wasm-unsafe-eval'; worker-src blob: ${cors.origin}; style-src 'self' ${cors.origin}; connect-src ${cors.origin}; img-src 'self' data:">
<title>elsewhere</title><script type="module" src="${cors.origin}/rnn-playground.js"></script></head>
<body><rnn-playground id="x" preset="anbn" cell="gru" hidden-size="24" views="loss" autostart label="From another origin"></rnn-playground></body></html>`,
      });
      const host = await serve({ root: dir, host: 'localhost' });
      const page = await browser.newPage({ width: 800, height: 900 });
      try {
        await page.goto(`${host.url}post.html`);
        await until(async () => (await state(page, 'x')) === 'training', { what: 'the element to train' });
        await until(async () => /GRU · 1 × 24/.test(await text(page, '#model-info', '#x')), { what: 'the model line' });
        assert.deepEqual(page.foreign([cors.origin, host.origin]), []);
        await assertClean(page);
      } finally {
        await page.close();
        await host.close();
        await cors.close();
      }
    });
  });
}
