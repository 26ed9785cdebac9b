// Presets that teach: every preset builds and trains (both browsers), and the English preset's
// validation loss is still improving after 2,000 steps with the default model (Chromium: the
// engine is the same in both, and 2,000 steps take about a minute).

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, click, fill, firstNumber, openReady, steps, text, until, value, inBrowsers } from './helpers.mjs';
import { PRESETS } from '../www/presets.js';

inBrowsers('presets', (name, env) => {
  it('every preset builds and trains a step', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, env.server.url);
      for (const p of PRESETS) {
        await fill(page, '#cfg-preset', p.id);
        await click(page, '#btn-reset');
        await until(async () => (await text(page, '#run-state')) === 'ready', { what: `${p.id} to build` });
        await click(page, '#btn-step');
        await until(async () => (await steps(page)) === 1, { what: `${p.id} to train a step` });
        const info = await text(page, '#model-info');
        assert.match(info, /validation (chars|tokens)/, `${p.id}: ${info}`);
        if (p.task) assert.match(await text(page, '#corpus-stats'), new RegExp(`made by the engine from \\(${p.id}, seed 1\\)`));
      }
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  if (name === 'chromium') {
    it('the English preset is still improving after 2,000 steps', { timeout: 600_000 }, async () => {
      const page = await env.browser.newPage();
      try {
        await openReady(page, env.server.url);
        assert.equal(await value(page, '#cfg-preset'), 'english');
        await click(page, '#btn-start');
        const seen = new Map(); // step → validation loss
        let last = '';
        await until(async () => {
          const v = await text(page, '#val-loss');
          const s = await steps(page);
          if (v !== last && Number.isFinite(firstNumber(v))) {
            last = v;
            seen.set(s, firstNumber(v));
          }
          return s >= 2300 && [...seen.keys()].some((k) => k > 2000);
        }, { timeout: 540_000, interval: 200, what: '2,300 steps' });
        await click(page, '#btn-pause');
        const best = (from, to) => Math.min(...[...seen].filter(([s]) => s >= from && s <= to).map(([, v]) => v));
        const early = best(0, 1000);
        const late = best(2000, Infinity);
        assert.ok(late < early - 0.02, `validation loss: best ≤ step 1,000 ${early}, best after step 2,000 ${late} (${JSON.stringify([...seen])})`);
        assert.equal(await text(page, '#alert [data-key="signal"]'), null, 'no memorising notice');
        await assertClean(page);
      } finally {
        await page.close();
      }
    });
  }
});
