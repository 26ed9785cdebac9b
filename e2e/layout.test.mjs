// The page's first screen, in Chromium and Firefox: at 1280×800 a newcomer sees Start, the loss
// (its number and its chart) and the newest sample without scrolling; at 375×812 Start and the
// loss are on the first screen, the text input is within one more screen, and the header's
// "Your text" button brings it up and focuses it. Screenshots of both go to e2e/screenshots/.
// Also: a views= typo in the page's link keeps the valid views and names the unknown one; the page
// and embedding.html read at 4.5:1 with theme=light and theme=dark.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, click, inBrowsers, lossFalls, openReady, screenshot, text, until } from './helpers.mjs';
import { contrastProblems } from './contrast.mjs';

/** In the page: the viewport rectangle of each selector (null when absent), and the scroll. */
const rects = (sels) => ({
  scrollY: window.scrollY,
  ...Object.fromEntries(sels.map((s) => {
    const e = document.querySelector(s);
    if (!e) return [s, null];
    const r = e.getBoundingClientRect();
    return [s, { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height }];
  })),
});

inBrowsers('the first screen', (name, env) => {
  it('at 1280×800: Start, the loss and the newest sample, without scrolling', async () => {
    const page = await env.browser.newPage({ width: 1280, height: 800 });
    try {
      await openReady(page, `${env.server.url}#v=2&hidden=48`);
      await click(page, '#btn-start');
      await lossFalls(page);
      await until(async () => ((await text(page, '#samples .sample pre')) || '').trim().length > 0, { what: 'a sample' });
      const r = await page.eval(rects, ['#btn-start', '#loss', '#loss-chart', '#loss-chart canvas', '#samples .sample:first-child header', '#samples .sample:first-child pre', '.view-corpus']);
      assert.equal(r.scrollY, 0);
      const inView = (k, box = r[k]) => assert.ok(box && box.top >= 0 && box.bottom <= 800 && box.left >= 0 && box.right <= 1280, `${k} is on the first screen: ${JSON.stringify(box)}`);
      inView('#btn-start');
      inView('#loss');
      inView('#loss-chart canvas');
      inView('#samples .sample:first-child header');
      // The newest sample: at least its first lines.
      const s = r['#samples .sample:first-child pre'];
      assert.ok(s.top >= 0 && s.top + 60 <= 800, `the newest sample starts at ${s.top}`);
      // The text is beside them: its card starts on the first screen too.
      assert.ok(r['.view-corpus'].top < 800, `the text's card starts at ${r['.view-corpus'].top}`);
      await screenshot(page, 'first-screen-1280x800.png');
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('at 375×812: Start and the loss first, the text one screen down or one press away', async () => {
    const page = await env.browser.newPage({ width: 375, height: 812 });
    try {
      await openReady(page, `${env.server.url}#v=2&hidden=48`);
      const r = await page.eval(rects, ['#btn-start', '#loss', '#loss-chart', '#btn-jump-text', '#corpus']);
      for (const k of ['#btn-start', '#loss', '#btn-jump-text']) {
        assert.ok(r[k] && r[k].height > 0 && r[k].top >= 0 && r[k].bottom <= 812, `${k} is on the first screen: ${JSON.stringify(r[k])}`);
      }
      assert.ok(r['#loss-chart'].top < 812, `the loss chart starts on the first screen (${r['#loss-chart'].top})`);
      assert.ok(r['#corpus'].top < 2 * 812 && r['#corpus'].bottom <= 2 * 812 + 100, `the text input is within one scroll: ${JSON.stringify(r['#corpus'])}`);
      await screenshot(page, 'first-screen-375x812.png');
      await click(page, '#btn-jump-text');
      await until(async () => {
        const x = await page.eval(rects, ['#corpus']);
        const focused = await page.eval(() => document.activeElement?.id);
        return x['#corpus'].top >= 0 && x['#corpus'].bottom <= 812 && focused === 'corpus';
      }, { what: 'the text input on screen and focused after “Your text”' });
      await screenshot(page, 'jump-to-text-375x812.png');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a views= typo in the page’s link keeps the valid views and names the unknown one', async () => {
    const page = await env.browser.newPage({ width: 1280, height: 800 });
    try {
      await openReady(page, `${env.server.url}#v=2&views=samples,loos,loss&hidden=16`);
      const views = await page.eval(() => [...document.querySelectorAll('.views > section')].map((s) => [...s.classList].find((c) => c.startsWith('view-'))));
      assert.deepEqual(views, ['view-samples', 'view-loss']);
      assert.match(await text(page, '#alert'), /views: unknown “loos” left out/);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('the page and the authors’ page read at 4.5:1, light and dark', async () => {
    for (const theme of ['light', 'dark']) {
      const page = await env.browser.newPage({ width: 1280, height: 800 });
      try {
        await openReady(page, `${env.server.url}#v=2&hidden=16&preset=anbn&views=loss,samples,heatmap,surprisal,lss&theme=${theme}`);
        await click(page, '#btn-step');
        await until(async () => ((await text(page, '#samples .sample pre')) || '').length > 0 && (await page.eval(() => !!document.querySelector('#probe-text span'))), { what: 'a sample and the probe text' });
        const r = await page.eval(contrastProblems, {});
        const report = r.problems.map((p) => `${p.ratio}:1 “${p.text}” ${JSON.stringify(p.fg)} on ${JSON.stringify(p.bg)} at ${p.where}`).join('\n  ');
        assert.ok(r.checked > 100, `${r.checked} texts`);
        assert.deepEqual(r.problems, [], `index.html, theme=${theme}:\n  ${report}`);
        await page.goto(`${env.server.url}embedding.html`);
        await page.eval((t) => {
          document.documentElement.style.colorScheme = t;
        }, theme);
        await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: 'embedding.html' });
        const d = await page.eval(contrastProblems, {});
        assert.deepEqual(d.problems, [], `embedding.html, ${theme}:\n  ${d.problems.map((p) => `${p.ratio}:1 “${p.text}” at ${p.where}`).join('\n  ')}`);
        await assertClean(page);
      } finally {
        await page.close();
      }
    }
  });
});
