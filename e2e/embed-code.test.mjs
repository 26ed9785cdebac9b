// The code the Share dialog and embedding.html write (www/embed-code.js): in Node, what the iframe
// and element snippets hold; in Chromium and Firefox, that the measured heights they start from
// (www/embed-heights.js, made by e2e/measure-embeds.mjs) still match fresh measurements, so a
// change to a view's layout that leaves the table wrong fails here.

import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, launch } from './driver.mjs';
import { serve } from './helpers.mjs';
import { heights, steadyEmbed } from './measure-embeds.mjs';
import { FIXED_SLACK, NARROW_WIDTH, TYPICAL_WIDTH, elementCode, embedFragment, embedHeight, iframeCode } from '../www/embed-code.js';
import { BASE, GAP, VIEW_HEIGHTS, WIDTHS } from '../www/embed-heights.js';
import { VIEW_NAMES } from '../www/views/index.js';

const BASE_URL = 'https://example.org/rnn/';

test('the table covers every view and every kind of controls at every width', () => {
  assert.deepEqual(Object.keys(VIEW_HEIGHTS).sort(), [...VIEW_NAMES].sort());
  for (const c of ['none', 'basic', 'full']) {
    assert.equal(BASE[c].length, WIDTHS.length);
    for (const v of VIEW_NAMES) assert.ok(VIEW_HEIGHTS[v][c].every((h) => h > 100 && h < 5000), `${v} ${c}`);
  }
  // Heights add up: the chrome, each view, and the gaps between views; narrower is taller.
  const two = embedHeight(['loss', 'samples'], 'basic', 700);
  assert.equal(two, Math.ceil(BASE.basic[1] + VIEW_HEIGHTS.loss.basic[1] + GAP + VIEW_HEIGHTS.samples.basic[1]));
  assert.ok(embedHeight(['loss', 'samples'], 'basic', 375) > two);
  assert.ok(embedHeight(['loss', 'samples', 'heatmap'], 'basic', 700) > two);
  assert.ok(embedHeight(['loss'], 'full', 700) > embedHeight(['loss'], 'none', 700));
});

test('the iframe code: the settings in the fragment, a measured height, the helper line, no inline style', () => {
  const fragment = embedFragment('v=2&cell=gru&views=heatmap&text=abc', { views: ['loss', 'samples'], controls: 'none', autostart: true, theme: 'dark' });
  assert.equal(fragment, 'v=2&cell=gru&views=loss,samples&controls=none&autostart=1&theme=dark&text=abc');
  assert.equal(embedFragment('v=2', { views: ['loss'], controls: 'basic', autostart: false, theme: 'auto' }), 'v=2&views=loss', 'defaults are left out');
  const auto = iframeCode({ base: BASE_URL, fragment, views: ['loss', 'samples'], controls: 'none', title: 'A “GRU” & <friends>' });
  assert.equal(auto, `<iframe src="https://example.org/rnn/embed.html#${fragment}" title="A “GRU” &amp; &lt;friends&gt;" width="100%" height="${embedHeight(['loss', 'samples'], 'none', TYPICAL_WIDTH)}" frameborder="0" loading="lazy"></iframe>\n<script src="https://example.org/rnn/embed-host.js" async></script>`);
  const fixed = iframeCode({ base: BASE_URL, fragment, views: ['loss', 'samples'], controls: 'none', sizing: 'fixed' });
  assert.doesNotMatch(fixed, /script/);
  assert.match(fixed, new RegExp(`height="${embedHeight(['loss', 'samples'], 'none', NARROW_WIDTH) + FIXED_SLACK}"`));
  assert.doesNotMatch(auto + fixed, /style=|height="620"/);
});

test('the element code: attributes, plain text, the label, and a line naming the script while it is undefined', () => {
  const code = elementCode({ base: BASE_URL, fragment: 'v=2&hidden=64&autostart=1&views=loss&text=xyz', text: 'He said "<b>hi</b>" & left', label: 'Mine' });
  assert.equal(code, '<script type="module" src="https://example.org/rnn/rnn-playground.js"></script>\n'
    + '<rnn-playground hidden-size="64" autostart views="loss" text="He said &quot;&lt;b&gt;hi&lt;/b&gt;&quot; &amp; left" label="Mine">\n'
    + '  <p>Loading the RNN playground from https://example.org/rnn/rnn-playground.js … If this line stays, that script could not be loaded.</p>\n'
    + '</rnn-playground>');
});

for (const name of BROWSERS) {
  describe(`the measured heights still hold (${name})`, () => {
    it('two embeds measured afresh at 700 px are within 10 % of the table', async () => {
      const server = await serve();
      const browser = await launch(name);
      try {
        for (const [views, controls] of [[['loss', 'samples'], 'basic'], [['heatmap', 'gates'], 'none']]) {
          const page = await steadyEmbed(browser, server, 700, controls, views);
          const m = await page.eval(heights);
          await page.close();
          const want = embedHeight(views, controls, 700);
          assert.ok(Math.abs(m.total - want) <= 0.1 * want, `${views} with ${controls} controls: measured ${Math.round(m.total)} px, the table says ${want} px (rerun node e2e/measure-embeds.mjs)`);
        }
      } finally {
        await browser.close();
        await server.close();
      }
    });
  });
}
