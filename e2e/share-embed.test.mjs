// The author's flow, in Chromium and Firefox: the Share dialog writes iframe and element code from
// the author's choices (views, controls, autostart, theme, height) with a live preview; that code,
// pasted as copied into pages on another origin (strict CSP), fits: at 375, 768 and 1280 px the
// frame is exactly as tall as its content and never scrolls inside, also while the content grows
// (samples arriving, a narrower column, a note); the fixed-height code fits a phone column; the
// helper works when included twice and after the frames loaded; a views= typo is named, the valid
// views kept.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS, launch } from './driver.mjs';
import { REPO_ROOT, assertClean, click, openReady, screenshot, serve, sideways, tempSite, text, until, value } from './helpers.mjs';
import { embedHeight, FIXED_SLACK, NARROW_WIDTH, TYPICAL_WIDTH } from '../www/embed-code.js';

/** In a frame: how its document fits its frame. */
const fit = () => {
  const d = document.documentElement;
  return {
    ready: d.dataset.ready === '1',
    sized: d.dataset.sized === '1',
    content: Math.ceil(d.getBoundingClientRect().height),
    inner: d.clientHeight,
    scrollY: d.scrollHeight - d.clientHeight,
    scrollX: d.scrollWidth - d.clientWidth,
    sample: !!document.querySelector('#samples .sample pre')?.textContent,
    note: document.querySelector('#alert')?.textContent ?? '',
    views: [...document.querySelectorAll('.views > section')].map((s) => [...s.classList].find((c) => c.startsWith('view-'))),
  };
};

/** Sets a builder control in the Share dialog as a person would (change event). */
const choose = (page, sel, v) => page.eval(([s, val]) => {
  const e = document.querySelector(s);
  if (e.type === 'checkbox') e.checked = val;
  else e.value = val;
  e.dispatchEvent(new Event('change', { bubbles: true }));
}, [sel, v]);

for (const name of BROWSERS) {
  describe(`the code Share writes, pasted into another site (${name})`, () => {
    let browser;
    let pg;
    let dir;
    let host;
    const code = {};
    before(async () => {
      browser = await launch(name);
      pg = await serve();
      dir = tempSite({ 'post.css': 'body { margin: 0 auto; max-width: 1280px; padding: 0 12px; font: 16px/1.5 serif; } article { max-width: 760px; }' });
      // The site also hosts a copy of the playground's folder, for the element.
      cpSync(join(REPO_ROOT, 'www'), join(dir, 'rnn', 'www'), { recursive: true });
      cpSync(join(REPO_ROOT, 'rnn-playground.js'), join(dir, 'rnn', 'rnn-playground.js'));
      host = await serve({ root: dir, host: 'localhost' });
    });
    after(async () => {
      await browser?.close();
      await pg?.close();
      await host?.close();
    });

    const post = (file, body, { script = true } = {}) => writeFileSync(join(dir, file), `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'${script ? ` ${pg.origin}` : ''}; style-src 'self'; img-src 'self' data:; frame-src ${pg.origin}">
<title>A post</title><link rel="stylesheet" href="post.css"></head>
<body><article><h1>A post with a playground</h1><p>Some prose before it.</p>${body}<p>Some prose after it.</p></article></body></html>`);

    it('Share offers iframe and element code with the author’s choices and a live preview', async () => {
      const page = await browser.newPage({ width: 1280, height: 900 });
      try {
        await openReady(page, `${pg.url}#v=2&preset=anbn&hidden=16`);
        await click(page, '#btn-share');
        const iframe = await until(async () => (await value(page, '#share-iframe')) || null, { what: 'the iframe code' });
        // Defaults: the loss and the samples, basic controls, sized by the helper, starting at the
        // measured height for a typical column.
        assert.match(iframe, /embed\.html#v=2&hidden=16&preset=anbn&views=loss,samples"/);
        assert.match(iframe, new RegExp(`height="${embedHeight(['loss', 'samples'], 'basic', TYPICAL_WIDTH)}"`));
        assert.match(iframe, /\n<script src="http:\/\/127\.0\.0\.1:\d+\/embed-host\.js" async><\/script>$/);
        assert.doesNotMatch(iframe, /height="620"|style=/);
        // The author's choices.
        await choose(page, '#embed-view-heatmap', true);
        await choose(page, '#embed-controls', 'basic');
        await choose(page, '#embed-autostart', true);
        await choose(page, '#embed-theme', 'dark');
        await page.eval(() => {
          const t = document.getElementById('embed-title');
          t.value = 'Counting with an LSTM';
          t.dispatchEvent(new Event('input', { bubbles: true }));
        });
        const chosen = await until(async () => {
          const v = await value(page, '#share-iframe');
          return v.includes('theme=dark') && v.includes('Counting') ? v : null;
        }, { what: 'the code to follow the choices' });
        assert.match(chosen, /#v=2&hidden=16&preset=anbn&views=loss,samples,heatmap&autostart=1&theme=dark" title="Counting with an LSTM" width="100%" height="\d+" frameborder="0" loading="lazy"><\/iframe>/);
        const element = await value(page, '#share-element');
        assert.match(element, /^<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/rnn-playground\.js"><\/script>\n<rnn-playground hidden-size="16" preset="anbn" views="loss,samples,heatmap" autostart theme="dark" label="Counting with an LSTM">\n  <p>Loading the RNN playground from http:\/\/127\.0\.0\.1:\d+\/rnn-playground\.js … If this line stays, that script could not be loaded\.<\/p>\n<\/rnn-playground>$/);
        // The preview is the embed with exactly these settings, sized to its content.
        const src = await until(async () => {
          const s = await page.eval(() => document.getElementById('embed-preview').src);
          return s.includes('theme=dark') ? s : null;
        }, { what: 'the preview to follow' });
        assert.equal(new URL(src).hash, new URL(chosen.match(/src="([^"]+)"/)[1]).hash);
        const previewFit = await until(async () => {
          const f = await page.frameEval('preview=', fit, null).catch(() => null);
          if (!f || !f.ready || !f.sized || !f.sample) return null;
          const h = await page.eval(() => document.getElementById('embed-preview').getBoundingClientRect().height);
          return Math.abs(h - f.content) <= 1 ? { ...f, h } : null;
        }, { what: 'the preview to train (autostart) and be sized to its content' });
        assert.deepEqual(previewFit.views, ['view-loss', 'view-samples', 'view-heatmap']);
        assert.equal(await page.frameEval('preview=', () => getComputedStyle(document.documentElement).colorScheme, null), 'dark');
        await screenshot(page, 'share-builder.png');
        // Back to the author's pick for the posts: loss and samples, autostart, auto theme.
        await choose(page, '#embed-view-heatmap', false);
        await choose(page, '#embed-theme', 'auto');
        code.auto = await until(async () => {
          const v = await value(page, '#share-iframe');
          return v.includes('views=loss,samples&autostart=1"') ? v : null;
        }, { what: 'the code without the heatmap' });
        code.element = await value(page, '#share-element');
        await choose(page, '#embed-sizing', 'fixed');
        code.fixed = await until(async () => {
          const v = await value(page, '#share-iframe');
          return v.includes('embed-host.js') ? null : v;
        }, { what: 'the fixed-height code' });
        assert.match(code.fixed, new RegExp(`height="${embedHeight(['loss', 'samples'], 'basic', NARROW_WIDTH) + FIXED_SLACK}"`));
        assert.match(await page.eval(() => document.getElementById('embed-sizing-note').textContent), /keeps its height/);
        await page.eval(() => document.querySelector('#share-dialog .row.spread button').click());
        await until(() => page.eval(() => document.getElementById('embed-preview').src === 'about:blank'), { what: 'closing the dialog to unload the preview' });
        await assertClean(page);
      } finally {
        await page.close();
      }
    });

    it('embed.html opened by itself, without settings, points an author to embedding.html', async () => {
      const page = await browser.newPage({ width: 800, height: 900 });
      try {
        await openReady(page, `${pg.url}embed.html`);
        assert.match(await text(page, '#alert [data-key="docs"]'), new RegExp(`see ${pg.url.replace(/[.]/g, '\\.')}embedding\\.html: it writes the code for you`));
        // (Let the nine views' fonts arrive first: leaving mid-download is reported as an error.)
        await until(() => page.eval(() => document.querySelector('.view-equations .katex') && document.fonts.status === 'loaded'), { what: 'the equations and their fonts' });
        await click(page, '#alert [data-key="docs"] .alert-actions button');
        await until(() => page.eval(() => location.pathname === '/embedding.html' && document.documentElement.dataset.ready === '1'), { what: 'embedding.html' });
        assert.match(await value(page, '#share-iframe'), /embed-host\.js/);
        await assertClean(page);
      } finally {
        await page.close();
      }
    });

    it('the iframe code, pasted as copied, fits at 375, 768 and 1280 px and never scrolls inside', async () => {
      assert.ok(code.auto, 'the Share test ran');
      // Twice, the second with a typo in its views and the helper pasted again after it.
      const typo = code.auto.replace('views=loss,samples', 'views=loss,sampels,samples').replace('title="Counting with an LSTM"', 'title="The second one"');
      post('post.html', `${code.auto}\n<p>Between the two.</p>\n${typo}`);
      for (const width of [375, 768, 1280]) {
        const page = await browser.newPage({ width, height: 900 });
        try {
          await page.goto(`${host.url}post.html`);
          for (const [part, which] of [['views=loss,samples&', 'first'], ['sampels', 'second']]) {
            if (which === 'second') await page.eval(() => document.querySelectorAll('iframe')[1].scrollIntoView());
            const f = await until(async () => {
              const x = await page.frameEval(part, fit, null).catch(() => null);
              return x && x.ready && x.sample ? x : null;
            }, { what: `the ${which} embed at ${width} px to train and show a sample` });
            assert.equal(f.sized, true, 'the helper told the embed it is sized');
            // Exactly as tall as its content, whatever came in since: checked until it settles.
            const settled = await until(async () => {
              const x = await page.frameEval(part, fit, null);
              const h = await page.eval((i) => document.querySelectorAll('iframe')[i].getBoundingClientRect().height, which === 'first' ? 0 : 1);
              return Math.abs(h - x.content) <= 1 && x.scrollY <= 0 ? { ...x, h } : null;
            }, { what: `the ${which} frame to be as tall as its content at ${width} px` });
            assert.ok(settled.scrollX <= 0, `the ${which} embed scrolls ${settled.scrollX} px sideways at ${width} px`);
            if (which === 'second') {
              assert.deepEqual(settled.views, ['view-loss', 'view-samples'], 'the valid views are kept');
              assert.match(settled.note, /views: unknown “sampels” left out/);
            }
          }
          const o = await sideways(page);
          assert.ok(o.overflow <= 0, `the post scrolls sideways at ${width} px: ${o.wide}`);
          await screenshot(page, `post-${width}.png`);
          if (width === 1280) {
            // The column narrows: the content grows taller and the frame follows (on screen: a
            // browser may not lay out a frame out of view until it comes back).
            await page.eval(() => document.querySelector('iframe').scrollIntoView());
            const before = await page.eval(() => document.querySelector('iframe').getBoundingClientRect().height);
            await page.setViewport(375, 900);
            await until(async () => {
              const x = await page.frameEval('views=loss,samples&', fit, null);
              const h = await page.eval(() => document.querySelector('iframe').getBoundingClientRect().height);
              return h > before && Math.abs(h - x.content) <= 1 && x.scrollY <= 0 && x.scrollX <= 0;
            }, { what: 'the frame to grow with its content in a narrower column' });
          }
          await assertClean(page);
        } finally {
          await page.close();
        }
      }
    });

    it('the fixed-height code fits a phone column without the helper', async () => {
      post('fixed.html', code.fixed, { script: false });
      const page = await browser.newPage({ width: NARROW_WIDTH, height: 900 });
      try {
        await page.goto(`${host.url}fixed.html`);
        const f = await until(async () => {
          const x = await page.frameEval('embed.html', fit, null).catch(() => null);
          return x && x.ready && x.sample ? x : null;
        }, { what: 'the fixed embed to train' });
        assert.equal(f.sized, false, 'no helper, so not sized');
        assert.ok(f.scrollY <= 0, `the fixed frame (${f.inner} px) scrolls ${f.scrollY} px inside its ${f.content} px of content`);
        await assertClean(page);
      } finally {
        await page.close();
      }
    });

    it('the element code, pasted as copied, on a site that hosts the folder', async () => {
      // Share was opened on the site's own copy of the playground: its URLs are the site's.
      const pasted = code.element.replaceAll(pg.url, `${host.url}rnn/`).replace('<rnn-playground ', '<rnn-playground id="x" ');
      writeFileSync(join(dir, 'element.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:">
<title>A post</title><link rel="stylesheet" href="post.css"></head><body><article><h1>A post</h1>${pasted}</article></body></html>`);
      const page = await browser.newPage({ width: 768, height: 900 });
      try {
        await page.goto(`${host.url}element.html`);
        await until(() => page.eval(() => !!document.getElementById('x').shadowRoot?.querySelector('#samples .sample pre')?.textContent), { what: 'the element to train (autostart) and show a sample' });
        const box = await page.eval(() => {
          const e = document.getElementById('x');
          return { height: e.getBoundingClientRect().height, fallback: e.querySelector('p').getBoundingClientRect().height, region: e.shadowRoot.querySelector('.rnn-root').getAttribute('aria-label') };
        });
        assert.ok(box.height > 300, `the element is ${box.height} px tall`);
        assert.equal(box.fallback, 0, 'the fallback line is not shown once the element is defined');
        assert.equal(box.region, 'Counting with an LSTM');
        const o = await sideways(page);
        assert.ok(o.overflow <= 0, `the post scrolls sideways: ${o.wide}`);
        await assertClean(page);
      } finally {
        await page.close();
      }
    });
  });
}
