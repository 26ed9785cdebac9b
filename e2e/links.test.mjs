// Links in Chromium and Firefox: the address bar always holds the settings (without adding
// history entries), a link restores every setting and a small text exactly, a tampered link
// falls back with a note and still trains, and Share shows the link and embed code.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClean, click, fill, lossFalls, openReady, screenshot, sleep, text, until, value, inBrowsers,
} from './helpers.mjs';

// Every kind of setting, none at its default.
const LINK = 'v=2&cell=gru&layers=2&hidden=48&embed=16&init=orthogonal&seed=7&seq_len=24&batch=8&optimizer=rmsprop&lr=0.004'
  + '&clip_mode=value&clip=0.5&lr_decay=0.9&lr_decay_every=300&momentum=0.5&beta1=0.8&beta2=0.99&eps=0.000001&val_fraction=0.2'
  + '&max_vocab=300&temperature=0.55&top_k=5&top_p=0.9&length=120&prime=Th%C3%A9+%26&preset=brackets&views=samples,loss&units=bits';

// The fragment with its parameters decoded (+ is a space in URLSearchParams syntax).
const hash = (page) => page.eval(() => [...new URLSearchParams(location.hash.slice(1))].map(([k, v]) => `${k}=${v}`).join('&'));

inBrowsers('links', (name, env) => {
  it('a link restores every setting, and the address bar keeps following the settings', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, `${env.server.url}#${LINK}`);
      const params = new URLSearchParams(LINK);
      for (const [k, v] of params) {
        if (k === 'v' || k === 'views') continue;
        assert.equal(await value(page, `#cfg-${k}`), v, `the ${k} control`);
      }
      assert.deepEqual(await page.eval(() => [...document.querySelectorAll('.views > section')].map((s) => s.className.split(' ').pop())), ['view-samples', 'view-loss']);
      const entries = (q) => [...new URLSearchParams(q)];
      assert.deepEqual(entries(await page.eval(() => location.hash.slice(1))), entries(LINK), 'the address bar holds the link as given');
      const length = await page.eval(() => history.length);
      await fill(page, '#cfg-hidden', '96');
      await until(async () => (await hash(page)).includes('hidden=96'), { what: 'hidden=96 in the address bar' });
      await click(page, '#view-heatmap');
      await until(async () => (await hash(page)).includes('views=samples,loss,heatmap'), { what: 'the views in the address bar' });
      assert.equal(await page.eval(() => history.length), length, 'changes replace the history entry');
      // Back to a default: the key leaves the link.
      await fill(page, '#cfg-cell', 'lstm');
      await until(async () => !(await hash(page)).includes('cell='), { what: 'cell to leave the link' });
      // Editing the fragment by hand applies it.
      await page.eval(() => {
        location.hash = 'v=1&hidden=40&preset=anbn';
      });
      await until(async () => (await value(page, '#cfg-hidden')) === '40' && (await value(page, '#cfg-preset')) === 'anbn', { what: 'the edited fragment to apply' });
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a pasted text travels in the link and comes back exactly; a large one stays home, and Share says why', async () => {
    const mine = 'Ma petite chanson: 汉字, emoji 🦊, <b>markup</b> & "quotes".\n'.repeat(25);
    const page = await env.browser.newPage();
    let link;
    try {
      await openReady(page, env.server.url);
      await fill(page, '#corpus', mine);
      await until(async () => (await page.eval(() => location.hash)).includes('text='), { what: 'text= in the address bar' });
      link = await page.eval(() => location.href);
      await click(page, '#btn-share');
      assert.equal(await value(page, '#share-link'), link);
      assert.match(await text(page, '#share-text-note'), /travels in the link/);
      assert.match(await until(() => value(page, '#share-iframe'), { what: 'the iframe code' }), /<iframe src="[^"]*embed\.html#v=2&[^"]*text=[^"]*" title="RNN playground" width="100%" height="\d+" frameborder="0" loading="lazy"><\/iframe>\n<script src="[^"]*embed-host\.js" async><\/script>/);
      assert.match(await value(page, '#share-element'), /<rnn-playground [^>]*preset="custom"[^>]*text="Ma petite chanson: 汉字, emoji 🦊, &lt;b&gt;markup&lt;\/b&gt; &amp; &quot;quotes&quot;\./);
      await click(page, '#share-dialog button[aria-label="Copy link"]');
      await until(() => text(page, '#share-dialog .share-row .meta'), { what: 'the copy status' });
      await screenshot(page, 'share-dialog.png');
      await click(page, '#share-dialog .row.spread button');

      // Incompressible text: more than 4 KB compressed.
      let seed = 3;
      const noise = Array.from({ length: 9000 }, () => String.fromCharCode(33 + ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 9) % 90)).join('');
      await fill(page, '#corpus', noise);
      await sleep(1200);
      assert.doesNotMatch(await page.eval(() => location.hash), /text=/);
      assert.match(await text(page, '#corpus-link-note'), /more than the 4 KB a link can carry/);
      assert.equal(await page.eval(() => document.getElementById('corpus-link-note').hidden), false);
      await click(page, '#btn-share');
      assert.match(await text(page, '#share-text-note'), /more than the 4,096 bytes a link can carry/);
      await assertClean(page);
    } finally {
      await page.close();
    }
    const again = await env.browser.newPage();
    try {
      await openReady(again, link);
      assert.equal(await value(again, '#corpus'), mine, 'the text came back exactly');
      assert.equal(await value(again, '#cfg-preset'), 'custom');
      await assertClean(again);
    } finally {
      await again.close();
    }
  });

  it('a tampered link falls back to defaults, names what it ignored, and still trains', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, `${env.server.url}#v=1&hidden=huge&cell=transformer&lr=-3&wat=1&text=%%%&seq_len=8&views=loss,nope`);
      const note = await text(page, '[role="alert"]');
      for (const part of ['hidden=huge', 'cell=transformer', 'lr=-3', '“wat”', 'text in this link is damaged', 'views: unknown “nope” left out']) {
        assert.ok(note.includes(part), `the note names ${part}: ${note}`);
      }
      assert.equal(await value(page, '#cfg-hidden'), '128');
      assert.equal(await value(page, '#cfg-seq_len'), '8', 'valid values of a tampered link are kept');
      // The valid view is kept, the unknown one dropped.
      assert.equal(await hash(page), 'v=2&seq_len=8&views=loss', 'the address bar drops what was ignored');
      await click(page, '#btn-start');
      await lossFalls(page);
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });
});
