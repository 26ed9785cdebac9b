// The page in Chromium and Firefox: it trains (loss falls, a sample, the heatmap), Pause stops
// training, a file that is not UTF-8 is refused, a hostile corpus stays text, the phone width
// has no sideways scrolling, and each browser gets the engine build it can run.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CORPUS, assertClean, openReady, canvasDrawn, chooseFile, click, fill, lossFalls, screenshot, sideways, sleep, steps, text, until, value, wasmPaths, inBrowsers,
} from './helpers.mjs';

const sampleShown = (page) => until(async () => ((await text(page, '#samples .sample pre')) || '').trim().length > 0, { what: 'a sample' });

inBrowsers('page', (name, env) => {
  it('trains: the loss falls, a sample appears, the heatmap is drawn, Pause stops training', async () => {
    const page = await env.browser.newPage({ width: 1280, height: 900 });
    try {
      const mark = env.server.requests.length;
      await openReady(page, env.server.url);
      await fill(page, '#corpus', CORPUS);
      await click(page, '#btn-start');
      await lossFalls(page);
      await sampleShown(page);
      await until(() => canvasDrawn(page, '#heatmap'), { what: 'the heatmap to be drawn' });
      const before = await steps(page);
      assert.ok(before > 0, `step counter shows ${before}`);
      // Chromium runs relaxed SIMD, so the worker loads that build, and only that one.
      const wasm = wasmPaths(env.server.since(mark));
      if (name === 'chromium') {
        assert.match(await text(page, '#model-info'), /engine: wasm SIMD \+ relaxed SIMD/);
        assert.deepEqual(wasm, ['/www/pkg-relaxed/rnn_playground_bg.wasm']);
      } else {
        assert.equal(wasm.length, 1, `one engine build loaded: ${wasm}`);
        assert.match(await text(page, '#model-info'), /engine: wasm SIMD/);
      }
      await screenshot(page, 'page-desktop.png');
      await click(page, '#btn-pause');
      await sleep(1000); // a slice already running in the worker may still report
      const s1 = await steps(page);
      await sleep(1200);
      assert.equal(await steps(page), s1, 'after Pause the step counter moved');
      assert.equal(await text(page, '#btn-pause'), 'Resume');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a file that is not UTF-8 is refused with an alert and leaves the corpus unchanged', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, env.server.url);
      const kept = 'Some text that must survive a bad upload.\n'.repeat(5);
      await fill(page, '#corpus', kept);
      await chooseFile(page, '#corpus-file', { name: 'not-utf8.txt', bytes: [0xff, 0xfe, 0x41, 0x80] });
      // Other notes may be up too (a run the test before saved can be resumed): find this one.
      const alerts = () => page.eval(() => [...document.querySelectorAll('[role="alert"]')].map((e) => e.textContent.trim()).join(' | '));
      const message = await until(async () => ((await alerts()).includes('UTF-8') ? alerts() : null), { timeout: 30_000, what: 'the UTF-8 alert' });
      assert.match(message, /not valid UTF-8/);
      assert.equal(await value(page, '#corpus'), kept);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a hostile corpus is shown as text: no dialog, nothing injected', async () => {
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const page = await env.browser.newPage();
    try {
      await openReady(page, env.server.url);
      const scripts = await page.eval(() => document.scripts.length);
      const corpus = `${hostile}\n`.repeat(40);
      await fill(page, '#corpus', corpus);
      await click(page, '#btn-start');
      await sampleShown(page);
      await until(() => canvasDrawn(page, '#heatmap'), { what: 'the heatmap to be drawn' });
      await click(page, '#btn-pause');
      const dom = await page.eval(() => ({
        imgs: document.querySelectorAll('img').length,
        scripts: document.scripts.length,
        onerror: document.querySelectorAll('[onerror]').length,
        probe: document.getElementById('probe-text').textContent,
      }));
      assert.deepEqual([dom.imgs, dom.onerror, dom.scripts], [0, 0, scripts], 'markup from the corpus became elements');
      assert.equal(await value(page, '#corpus'), corpus);
      assert.ok(dom.probe.includes('onerror=alert(1)') || dom.probe.includes('<img src=x'), `the probe text shows the markup: ${dom.probe.slice(0, 120)}`);
      // The corpus travels in the link as compressed text, never as markup.
      assert.ok(!(await page.eval(() => location.hash)).includes('<'));
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('at 375 px wide nothing scrolls sideways, before and while training', async () => {
    const page = await env.browser.newPage({ width: 375, height: 812 });
    try {
      await openReady(page, env.server.url);
      let o = await sideways(page);
      assert.ok(o.overflow <= 0, `scrolls ${o.overflow} px sideways: ${o.wide.join(', ')}`);
      await fill(page, '#corpus', CORPUS);
      await click(page, '#btn-start');
      await lossFalls(page);
      await sampleShown(page);
      o = await sideways(page);
      assert.ok(o.overflow <= 0, `scrolls ${o.overflow} px sideways while training: ${o.wide.join(', ')}`);
      await screenshot(page, 'page-phone.png');
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('on a phone the controls and the loss stay on screen, Tab reaches Start first, targets are 24 px', async () => {
    const page = await env.browser.newPage({ width: 375, height: 812 });
    try {
      await openReady(page, env.server.url);
      await click(page, '#btn-start');
      await lossFalls(page);
      const onScreen = (sel) => page.eval((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
      }, sel);
      for (const y of [1500, 4000, 100000]) {
        await page.eval((to) => window.scrollTo(0, to), y);
        await sleep(200);
        assert.ok(await onScreen('#btn-pause'), `Pause is on screen at scroll ${y}`);
        assert.ok(await onScreen('#loss'), `the loss is on screen at scroll ${y}`);
      }
      // Sequential focus order is document order here (no positive tabindex anywhere).
      const order = await page.eval(() => {
        const all = [...document.querySelectorAll('button, input, select, textarea, summary, a[href], [tabindex]')];
        if (all.some((e) => e.tabIndex > 0)) return 'positive tabindex';
        const ids = all.filter((e) => e.tabIndex >= 0).map((e) => e.id);
        return { start: ids.indexOf('btn-start'), hidden: ids.indexOf('cfg-hidden'), corpus: ids.indexOf('corpus') };
      });
      assert.ok(order.start >= 0 && order.start < order.hidden && order.start < order.corpus, `Tab order: ${JSON.stringify(order)}`);
      // Every control a finger presses is at least 24 × 24 px (a checkbox counts with its label;
      // links inside sentences are exempt).
      const small = await page.eval(() => [...document.querySelectorAll('button, input, select, textarea, summary, a[href]')]
        .filter((e) => {
          const r = e.getBoundingClientRect();
          if (r.width === 0 || (e.tagName === 'A' && e.closest('p'))) return false;
          const target = e.closest('label') ? e.closest('label').getBoundingClientRect() : r;
          return target.width < 24 || target.height < 24;
        })
        .map((e) => `${e.tagName.toLowerCase()}#${e.id} ${Math.round(e.getBoundingClientRect().width)}×${Math.round(e.getBoundingClientRect().height)}`));
      assert.deepEqual(small, [], 'targets under 24 px');
      assert.equal(await page.eval(() => document.getElementById('heat-readout').getAttribute('aria-live')), 'polite');
      await screenshot(page, 'page-phone-scrolled.png');
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('?engine=simd128 runs the baseline SIMD engine, which trains too', async () => {
    const page = await env.browser.newPage();
    try {
      const mark = env.server.requests.length;
      await openReady(page, `${env.server.url}?engine=simd128`);
      await fill(page, '#corpus', CORPUS);
      await click(page, '#btn-start');
      await lossFalls(page);
      assert.match(await text(page, '#model-info'), /engine: wasm SIMD(?! \+)/);
      assert.deepEqual(wasmPaths(env.server.since(mark)), ['/www/pkg/rnn_playground_bg.wasm']);
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });
});
