// embed.html inside a page on another origin, in Chromium and Firefox: the host page has a strict
// CSP that allows only the playground's origin for frames. The embed loads nothing heavy until it
// is on screen, reports its height and progress, obeys commands, shows the views and controls its
// fragment asks for, links to the full playground with the same settings, pauses out of view and
// with the tab hidden, keeps out of the host's storage, and fits 300 px.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launch } from './driver.mjs';
import { assertClean, screenshot, serve, sideways, sleep, tempSite, until, wasmPaths } from './helpers.mjs';

const HOST_JS = `
window.msgs = [];
addEventListener('message', (e) => {
  const frames = [...document.querySelectorAll('iframe')];
  const f = frames.find((x) => x.contentWindow === e.source);
  if (!f) return;
  window.msgs.push({ id: f.id, origin: e.origin, data: e.data });
  if (e.data && e.data.type === 'rnn-playground:resize') f.height = String(e.data.height);
});
window.command = (id, command) => document.getElementById(id).contentWindow.postMessage({ type: 'rnn-playground:command', command }, '*');
`;

function hostPage(pg, { width = '100%' } = {}) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src ${pg}">
<title>A post with playgrounds</title><link rel="icon" href="data:,"><link rel="stylesheet" href="host.css"><script src="host.js"></script></head>
<body><h1>A post</h1><p>Here is a tanh RNN… press Start.</p>
<iframe id="near" src="${pg}/embed.html#v=1&cell=gru&hidden=32&preset=anbn&views=loss,samples&controls=basic&autostart=1" title="RNN playground" width="${width}" height="400"></iframe>
<div class="spacer"></div>
<iframe id="far" src="${pg}/embed.html#v=1&views=loss,gradients,heatmap&controls=none&hidden=24" title="RNN playground, far down" width="${width}" height="400"></iframe>
<iframe id="full" src="${pg}/embed.html#v=1&views=samples&controls=full&hidden=16" title="RNN playground, every setting" width="300" height="600"></iframe>
</body></html>`;
}

const messages = (page, id, type) => page.eval(([i, t]) => window.msgs.filter((m) => m.id === i && m.data.type === `rnn-playground:${t}`).map((m) => m.data), [id, type]);
const lastState = async (page, id) => (await messages(page, id, 'state')).map((m) => m.state).pop();

for (const name of BROWSERS) {
  describe(`embed in an iframe on another origin (${name})`, () => {
    let browser;
    let pg;
    let host;
    before(async () => {
      browser = await launch(name);
      pg = await serve();
      const dir = tempSite({ 'host.js': HOST_JS, 'host.css': '.spacer { height: 2600px; } iframe { border: 0; display: block; max-width: 100%; }' });
      host = await serve({ root: dir, host: 'localhost' });
      const site = await import('node:fs');
      site.writeFileSync(`${dir}/post.html`, hostPage(pg.origin));
    });
    after(async () => {
      await browser?.close();
      await pg?.close();
      await host?.close();
    });

    it('is lazy, reports height and progress, obeys commands, and pauses out of view', async () => {
      const page = await browser.newPage({ width: 1280, height: 900 });
      try {
        const mark = pg.requests.length;
        await page.goto(`${host.url}post.html`);
        // The near one starts by itself (autostart=1): progress arrives and the loss falls.
        const first = await until(async () => (await messages(page, 'near', 'progress'))[0], { what: 'a progress message from the near embed' });
        await until(async () => (await messages(page, 'near', 'progress')).some((p) => p.loss < first.loss && p.running), { what: 'the loss in progress messages to fall' });
        const resize = await until(async () => (await messages(page, 'near', 'resize')).pop(), { what: 'a resize message' });
        assert.ok(resize.height > 200 && resize.height < 3000, `height ${resize.height}`);
        assert.equal(await page.eval(() => document.getElementById('near').height), String(resize.height));
        // Only the visible embed has loaded an engine; the far ones are documents without a worker.
        await sleep(1500);
        assert.equal(wasmPaths(pg.since(mark)).length, 1, `one engine so far: ${wasmPaths(pg.since(mark))}`);
        assert.equal(await page.frameEval('#v=1&views=loss,gradients', () => document.documentElement.dataset.ready), '1', 'the far embed mounted its views');

        // What each embed shows.
        const shape = (part) => page.frameEval(part, () => ({
          views: [...document.querySelectorAll('.views > section')].map((s) => s.className.split(' ').pop()),
          start: !!document.getElementById('btn-start'),
          temperature: !!document.getElementById('cfg-temperature'),
          prime: !!document.getElementById('cfg-prime'),
          form: !!document.getElementById('cfg-hidden'),
          corpus: !!document.getElementById('corpus'),
          open: document.querySelector('.open-link').href,
          region: document.getElementById('root').getAttribute('aria-label'),
        }));
        const near = await shape('preset=anbn');
        assert.deepEqual(near.views, ['view-loss', 'view-samples']);
        assert.deepEqual([near.start, near.temperature, near.prime, near.form, near.corpus], [true, true, false, false, false], 'basic controls');
        const open = new URL(near.open);
        assert.equal(open.pathname, '/index.html');
        assert.deepEqual([...new URLSearchParams(open.hash.slice(1))], [['v', '2'], ['cell', 'gru'], ['hidden', '32'], ['preset', 'anbn']], 'the link to the playground carries the settings, not the embed parameters');
        const far = await shape('views=loss,gradients');
        assert.deepEqual(far.views, ['view-loss', 'view-gradients', 'view-heatmap']);
        assert.deepEqual([far.start, far.temperature, far.form], [false, false, false], 'no controls');
        const full = await shape('controls=full');
        assert.deepEqual([full.start, full.temperature, full.prime, full.form, full.corpus], [true, true, true, true, true], 'every setting');

        // Commands from the host.
        await page.eval(() => window.command('near', 'pause'));
        await until(async () => (await lastState(page, 'near')) === 'paused', { what: 'the near embed to pause' });
        await sleep(600);
        const paused = (await messages(page, 'near', 'progress')).length;
        await sleep(1000);
        assert.equal((await messages(page, 'near', 'progress')).length, paused, 'no progress while paused');
        const before = (await messages(page, 'near', 'progress')).pop().step;
        await page.eval(() => window.command('near', 'step'));
        await until(async () => (await messages(page, 'near', 'progress')).pop().step === before + 1, { what: 'one step' });
        await page.eval(() => window.command('near', 'start'));
        await until(async () => (await lastState(page, 'near')) === 'training', { what: 'training again' });

        // Out of view: it pauses, and comes back when scrolled to again. The far one loads now.
        await page.eval(() => document.getElementById('far').scrollIntoView());
        await until(async () => (await lastState(page, 'near')) === 'paused (out of view)', { what: 'the near embed to pause out of view' });
        await until(() => wasmPaths(pg.since(mark)).length >= 2, { what: 'the far embed to load its engine' });
        await page.eval(() => window.command('far', 'start'));
        await until(async () => (await messages(page, 'far', 'progress')).length > 0, { what: 'the far embed to train on command' });
        await page.eval(() => document.getElementById('near').scrollIntoView());
        await until(async () => (await lastState(page, 'near')) === 'training', { what: 'the near embed to resume' });
        await page.eval(() => window.command('near', 'reset'));
        await until(async () => (await lastState(page, 'near')) === 'ready', { what: 'reset to build a fresh model' });
        assert.ok((await messages(page, 'near', 'state')).slice(-3).some((m) => m.state === 'building…'));
        await page.eval(() => window.command('near', 'start'));
        await until(async () => (await lastState(page, 'near')) === 'training', { what: 'the fresh model to train' });

        // The tab hidden: training pauses; visible again: it resumes.
        await page.frameEval('preset=anbn', () => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
          document.dispatchEvent(new Event('visibilitychange'));
        });
        await until(async () => (await lastState(page, 'near')) === 'paused (out of view)', { what: 'a pause with the tab hidden' });
        await page.frameEval('preset=anbn', () => {
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
          document.dispatchEvent(new Event('visibilitychange'));
        });
        await until(async () => (await lastState(page, 'near')) === 'training', { what: 'training again with the tab visible' });

        // Good guests: nothing in storage, no request beyond the two origins.
        for (const part of ['preset=anbn', 'views=loss,gradients']) {
          // A browser that blocks third-party storage throws on access: nothing stored there either.
          const stored = await page.frameEval(part, async () => {
            const n = async (f) => {
              try {
                return await f();
              } catch {
                return 0;
              }
            };
            return {
              local: await n(() => localStorage.length),
              session: await n(() => sessionStorage.length),
              idb: await n(async () => (indexedDB.databases ? (await indexedDB.databases()).length : 0)),
            };
          });
          assert.deepEqual(stored, { local: 0, session: 0, idb: 0 });
        }
        assert.deepEqual(page.foreign([pg.origin, host.origin]), []);
        await screenshot(page, 'embed-host-desktop.png');
        await assertClean(page);
      } finally {
        await page.close();
      }
    });

    it('fits a phone and a 300 px column', async () => {
      const page = await browser.newPage({ width: 375, height: 800 });
      try {
        await page.goto(`${host.url}post.html`);
        await until(async () => (await messages(page, 'near', 'progress')).length > 2, { what: 'the near embed to train' });
        for (const part of ['preset=anbn', 'controls=full']) {
          await until(() => page.frameEval(part, () => document.documentElement.dataset.ready === '1'), { what: `${part} to mount` });
          const o = await page.frameEval(part, () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(o <= 0, `${part} scrolls ${o} px sideways`);
        }
        const o = await sideways(page);
        assert.ok(o.overflow <= 0, `the host scrolls sideways: ${o.wide}`);
        await screenshot(page, 'embed-host-phone.png');
        await page.eval(() => window.command('near', 'pause'));
        await assertClean(page);
      } finally {
        await page.close();
      }
    });
  });
}
