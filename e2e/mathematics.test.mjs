// The mathematics made visible, in Chromium and Firefox: equations typeset with live numbers, the
// gradient-flow map (a tanh RNN's fades where an LSTM's stays bright, on the long-range task),
// the microscope, the gradient check, surprisal, gates and clipping, the entropy baselines; every
// region at 1280 and 375 px, and (Chromium) no main-thread task over 50 ms while training.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClean, click, lossFalls, openReady, screenshot, sideways, sleep, steps, text, until, inBrowsers,
} from './helpers.mjs';

const ALL = 'views=loss,gradients,samples,heatmap,equations,flow,microscope,surprisal,gates';

/** How far back the last loss reaches, per layer: {distance: value} from the flow view. */
const reach = (page) => page.eval(() => [...document.querySelectorAll('.flow-summary')].map((p) => JSON.parse(p.dataset.reach)));

inBrowsers('mathematics', (name, env) => {
  it('every region is there and updates while training; the gradient check reports small errors', async () => {
    const page = await env.browser.newPage({ width: 1280, height: 900 });
    try {
      await openReady(page, `${env.server.url}#v=2&hidden=24&preset=copy&${ALL}`);
      for (const region of ['Equations', 'Gradient flow', 'Microscope', 'Surprisal', 'Gates and clipping']) {
        assert.equal(await page.eval((r) => document.querySelectorAll(`[role="region"][aria-label="${r}"]`).length, region), 1, region);
      }
      // The equations are typeset from the settings before any model exists.
      await until(async () => (await page.eval(() => document.querySelectorAll('.view-equations .katex').length)) >= 8, { what: 'the equations to be typeset' });
      assert.equal(await text(page, '[data-live="W_hh"]'), '96 × 24 (4H × H)');
      if (name === 'chromium') {
        await page.eval(() => {
          window.__long = [];
          new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
        });
      }
      await click(page, '#btn-start');
      await lossFalls(page);
      // Equations: the model's real numbers beside them.
      await until(async () => /^11 × 32/.test(await text(page, '[data-live="E"]')), { what: 'the vocabulary size in the shapes' });
      await until(async () => /^i [\d.]+, f [\d.]+, g [\d.]+, o [\d.]+$/.test(await text(page, '[data-live="sigma"]')), { what: 'σ_max of each block' });
      await until(async () => /^i [\d.]+, f [\d.]+, g -?[\d.]+, o [\d.]+$/.test(await text(page, '[data-live="gates"]')), { what: 'the gate means' });
      assert.match(await text(page, '[data-live="lr"]'), /^0\.00200$/);
      // Hovering a linked symbol lights up its view.
      await page.eval(() => document.querySelector('.view-equations .eq-link[data-view="flow"]').dispatchEvent(new Event('mouseenter')));
      assert.equal(await page.eval(() => document.querySelector('.view-flow').classList.contains('highlighted')), true);
      await page.eval(() => document.querySelector('.view-equations .eq-link[data-view="flow"]').dispatchEvent(new Event('mouseleave')));
      // Gradient flow: a map and its summary.
      await until(async () => (await reach(page)).length === 1, { what: 'the gradient-flow map' });
      // Microscope: with H = 24 every number is shown; Next moves one step.
      await until(async () => (await page.eval(() => document.querySelectorAll('.view-microscope .vec-numbers').length)) > 0, { what: 'the microscope' });
      const where = await text(page, '#mic-where');
      await click(page, '#mic-next');
      assert.notEqual(await text(page, '#mic-where'), where);
      assert.match(await text(page, '#mic-where'), /^t = 1: reads/);
      const numbers = (label) => page.eval((l) => [...document.querySelectorAll('.view-microscope .mic-line')].find((x) => x.querySelector('.mic-label').textContent === l).querySelectorAll('.vec-cell').length, label);
      assert.equal(await numbers('h_t'), 24, 'every unit of h_t');
      assert.equal(await numbers('c_t'), 24, 'every unit of c_t');
      assert.equal(await numbers('i: pre-activation'), 24);
      assert.equal(await numbers('∂L/∂h_t'), 24);
      assert.equal(await numbers('x_t = E[“' + (await text(page, '#mic-where')).match(/reads “(.)”/)[1] + '”]'), 32, 'the embedding row (E = 32)');
      assert.equal(await page.eval(() => document.querySelectorAll('.mic-bars li.target').length), 1);
      // Surprisal: one span per character, and a readout on focus.
      await page.eval(() => document.querySelector('#surprisal-text span[tabindex="0"]').dispatchEvent(new Event('focus')));
      assert.match(await text(page, '#surprisal-readout'), /bits\. Expected: ((“.+”|\(the unknown token\)) [\d.]+ %.*){5}/);
      // Gates and clipping.
      await until(async () => /Saturated now: i \d+ % · f \d+ % · g \d+ % · o \d+ %/.test(await text(page, '.view-gates .meta')), { what: 'gate saturation' });
      await until(async () => /^The last [\d,]+ steps/.test(await text(page, '#norm-hist-note')), { what: 'the norm histogram' });
      // Baselines on the loss chart.
      const legend = await page.eval(() => [...document.querySelectorAll('#loss-chart .u-legend .u-series')].map((e) => e.textContent));
      assert.ok(legend.some((l) => l.startsWith('unigram entropy')) && legend.some((l) => l.startsWith('bigram entropy')), legend.join(' | '));
      if (name === 'chromium') {
        await sleep(8000); // training on, with every region open and refreshing
        const long = await page.eval(() => window.__long);
        assert.deepEqual(long.filter((d) => d > 50), [], `main-thread tasks over 50 ms while training: ${long.join(', ')}`);
      }
      await click(page, '#btn-pause');
      // The gradient check.
      await click(page, '#btn-gradcheck');
      await until(() => page.eval(() => document.querySelectorAll('.gradcheck-table tbody tr').length > 0), { what: 'the gradient check' });
      const rows = await page.eval(() => [...document.querySelectorAll('.gradcheck-table tbody tr')].map((r) => [r.cells[0].textContent, Number(r.cells[1].textContent), Number(r.cells[2].textContent), Number(r.cells[3].textContent)]));
      const names = rows.map((r) => r[0]);
      for (const n of ['embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']) assert.ok(names.includes(n), `${n} in ${names}`);
      const V = Number((await text(page, '#model-info')).match(/vocabulary (\d+)/)[1]);
      for (const [n, checked, err, mean] of rows) {
        // At least 20 of every tensor, or all of a smaller one (fc.bias has V entries).
        assert.ok(checked >= 20 || (n === 'fc.bias' && checked === V), `${n}: ${checked} checked`);
        // f32 rounding: measured up to 0.15 on models trained for 3,000 steps (gradcheck.rs); the
        // view marks a row wrong above 0.3, and a wrong derivative gives errors near 1.
        assert.ok(err < 0.3 && mean < 0.02, `${n}: relative error ${err}, mean ${mean}`);
      }
      assert.match(await text(page, '#gradcheck .explain'), /relative error|Relative error/);
      await screenshot(page, 'mathematics-desktop.png', true);
      await page.setViewport(375, 812);
      await sleep(500);
      const o = await sideways(page);
      assert.ok(o.overflow <= 0, `scrolls ${o.overflow} px sideways at 375 px: ${o.wide.join(', ')}`);
      await screenshot(page, 'mathematics-phone.png');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('on the long-range task the tanh RNN’s gradient fades where the LSTM’s reaches back', { timeout: 600_000 }, async () => {
    const far = {};
    for (const cell of ['rnn', 'lstm']) {
      const page = await env.browser.newPage();
      try {
        await openReady(page, `${env.server.url}#v=2&cell=${cell}&preset=remember&views=flow`);
        await click(page, '#btn-start');
        await until(async () => (await steps(page)) >= 300, { what: '300 steps' });
        await click(page, '#btn-pause');
        // A fresh map of the paused model.
        const before = JSON.stringify(await reach(page));
        await until(async () => JSON.stringify(await reach(page)) !== before || (await reach(page)).length === 1, { what: 'the map' });
        const [r] = await reach(page);
        const steps30 = r[30] / r[0];
        far[cell] = steps30;
        await assertClean(page);
      } finally {
        await page.close();
      }
    }
    // Seen: RNN 5e-4, LSTM 3e-2 after 300 steps (the RNN's fades geometrically with distance).
    assert.ok(far.lstm > 10 * far.rnn, `30 steps back, relative to the loss's own step: RNN ${far.rnn}, LSTM ${far.lstm}`);
  });
});
