// Honest signals in Chromium and Firefox: a forced divergence stops training with an explanation
// and rolls back; memorising a tiny text brings the notice and the way back to the best weights;
// two runs share one chart.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClean, click, fill, lossFalls, openReady, screenshot, sleep, steps, text, until, inBrowsers,
} from './helpers.mjs';

const legend = (page) => page.eval(() => [...document.querySelectorAll('#loss-chart .u-legend .u-series')].map((e) => e.textContent.replace(/[–\d.,]+$/, '').trim()));

inBrowsers('honest signals', (name, env) => {
  it('a diverging run stops, says why, and rolls back', async () => {
    const page = await env.browser.newPage();
    try {
      // A tanh RNN, SGD at learning rate 0.5, clipping off: the loss explodes in the first steps.
      await openReady(page, `${env.server.url}#v=1&cell=rnn&init=identity&optimizer=sgd&lr=0.5&clip_mode=none`);
      await click(page, '#btn-start');
      await until(async () => (await text(page, '#run-state')) === 'stopped: diverged', { what: 'the run to stop as diverged' });
      const note = await text(page, '#alert [data-key="signal"]');
      assert.match(note, /Training stopped: the loss/);
      assert.match(note, /Gradient clipping is off/);
      assert.match(note, /learning rate \(now 0\.5\)/);
      assert.equal(await text(page, '#clip-badge'), 'clipping off');
      const at = await steps(page);
      await sleep(800);
      assert.equal(await steps(page), at, 'no training while diverged');
      // Clipping on, without a reset: it applies to the running model.
      await fill(page, '#cfg-clip_mode', 'norm');
      await fill(page, '#cfg-clip', '1');
      await sleep(600);
      assert.equal(await page.eval(() => document.getElementById('pending').hidden), true, 'no reset asked for');
      await click(page, '#alert [data-key="signal"] .alert-actions button');
      await until(async () => /Rolled back to step/.test(await text(page, '[role="alert"]')), { what: 'the rollback' });
      const back = await steps(page);
      assert.ok(back < at);
      await click(page, (await text(page, '#btn-pause')) === 'Resume' ? '#btn-pause' : '#btn-start');
      await until(async () => (await steps(page)) > back + 50, { what: 'training to go on' });
      assert.notEqual(await text(page, '#run-state'), 'stopped: diverged');
      assert.match(await text(page, '#grad-note'), /against max norm 1 /);
      // The learning rate changes during the run, from the next step.
      await fill(page, '#cfg-lr', '0.1');
      await until(async () => /lr 0\.100/.test(await text(page, '#grad-note')), { what: 'the new learning rate in use' });
      assert.equal(await text(page, '#run-state'), 'training');
      await screenshot(page, 'diverged-then-clipped.png');
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('memorising a tiny text brings the notice, and the best weights come back', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, `${env.server.url}#v=1&hidden=256&lr=0.01`);
      // Random letters: nothing to learn but the letters themselves, everything to memorise.
      let seed = 9;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 20;
      await fill(page, '#corpus', Array.from({ length: 6000 }, () => String.fromCharCode(97 + rnd())).join(''));
      await click(page, '#btn-start');
      const notice = await until(() => text(page, '#alert [data-key="signal"]'), { timeout: 180_000, what: 'the memorising notice' });
      assert.match(notice, /memorising its training text: the validation loss rose from its best, [\d.]+ nats at step [\d,]+, to [\d.]+ \(\+[\d.]+ ± [\d.]+\), while its loss on training text fell from [\d.]+ to [\d.]+/);
      const best = Number(/at step ([\d,]+)/.exec(notice)[1].replace(/,/g, ''));
      assert.equal(await text(page, '#run-state'), 'training', 'memorising is a notice; training goes on');
      await click(page, '#alert [data-key="signal"] .alert-actions button');
      await until(async () => /Rolled back to step .*the best validation point/.test(await text(page, '[role="alert"]')), { what: 'the rollback to the best' });
      assert.equal(await steps(page), best);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('Reset keeps the previous run on the chart, labelled by what changed', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, `${env.server.url}#v=1&preset=anbn&hidden=32`);
      await click(page, '#btn-start');
      await lossFalls(page);
      await sleep(3500); // a validation point or two
      await fill(page, '#cfg-cell', 'rnn');
      await click(page, '#btn-reset');
      await until(async () => (await text(page, '#run-state')) === 'ready', { what: 'the new model' });
      await click(page, '#btn-start');
      await lossFalls(page);
      await until(async () => (await legend(page)).some((l) => /^run 1: cell=lstm \((validation|train)\)/.test(l)), { what: 'the first run in the legend' });
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });
});
