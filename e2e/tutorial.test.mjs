// tutorial.html in Chromium and Firefox, briefly (the full 10,000 steps of every experiment and
// the prose's claims: `node e2e/tutorial-long.mjs`, opt-in): a pair's charts share their axes as
// the attributes set them, a notice in one playground of a pair leaves the charts level, samples
// start from a faded prime of validation text (or the one given), stat boxes hold their numbers at 1280 and 375 px,
// `steps` stops a run exactly there and Resume goes on.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, inBrowsers, sideways, until } from './helpers.mjs';
import { startSection } from './tutorial-page.mjs';

/** The playgrounds of section `n` as [{index, ...}] with what the test reads of each. */
const pair = (page, n) => page.eval((k) => {
  const all = [...document.querySelectorAll('rnn-playground')];
  return [...document.querySelectorAll(`section[aria-labelledby="s${k}"] rnn-playground`)].map((el) => {
    const root = el.shadowRoot;
    const sample = root.querySelector('.sample');
    return {
      index: all.indexOf(el),
      label: el.getAttribute('label'),
      state: el.state,
      step: el.app ? el.app.pg.run.get('step') : 0,
      chart: root.querySelector('#loss-chart')?.getAttribute('aria-label') ?? null,
      chartTop: root.querySelector('.view-loss')?.getBoundingClientRect().top ?? null,
      alert: root.querySelector('#alert')?.textContent ?? '',
      head: sample?.querySelector('header').textContent ?? null,
      prime: sample?.querySelector('.prime')?.textContent ?? null,
      cut: [...root.querySelectorAll('.stat dd')].filter((d) => d.scrollWidth > d.clientWidth + 0.5).map((d) => d.id),
    };
  });
}, n);

inBrowsers('the tutorial', (name, env) => {
  it('a pair shares its axes, stays level under a notice, and samples from a prime of validation text', async () => {
    const page = await env.browser.newPage({ width: 1280, height: 1600 });
    try {
      await page.goto(`${env.server.url}tutorial.html`);
      await page.eval(() => customElements.whenDefined('rnn-playground'));
      const labels = await page.eval(() => [...document.querySelectorAll('.pair rnn-playground')].map((e) => e.getAttribute('label')));
      assert.deepEqual(labels.map((l) => l.split(':')[0]), ['First', 'Second', 'First', 'Second', 'First', 'Second'], 'the prose says first and second');
      await startSection(page, 4);
      const both = await until(async () => {
        const p = await pair(page, 4);
        return p.every((e) => e.step >= 60 && e.prime && /over steps/.test(e.chart) && / to /.test(e.chart)) && p;
      }, { what: 'both GRUs to train, sample and draw' });
      for (const e of both) {
        // steps="10000", loss_min="0.15", loss_max="0.5": the same axes from the first step.
        assert.equal(e.chart, 'Training and validation loss over steps 0 to 10,000, 0.15 to 0.5 nats/char', e.label);
        assert.match(e.head, /primed with validation text \(faded\)/);
        assert.match(e.prime, /\n$/, 'the prime ends at a line end');
      }
      // A notice in the first (a bad attribute, as an author might write) leaves the charts level.
      await page.eval((i) => document.querySelectorAll('rnn-playground')[i].setAttribute('top_k', 'many'), both[0].index);
      const after = await until(async () => {
        const p = await pair(page, 4);
        return /top_k="many" is not valid/i.test(p[0].alert) && p;
      }, { what: 'the notice' });
      assert.equal(after[1].alert, '');
      assert.ok(Math.abs(after[0].chartTop - after[1].chartTop) <= 1, `the charts are level: ${after.map((e) => e.chartTop)}`);
      assert.deepEqual(after.flatMap((e) => e.cut), [], 'no number is cut');
      // A prime of the author's (or reader's) own is used as given, and named so.
      await page.eval((i) => document.querySelectorAll('rnn-playground')[i].setAttribute('prime', 'c..........c\nf'), both[1].index);
      const mine = await until(async () => {
        const p = await pair(page, 4);
        return p[1].prime === 'c..........c\nf' && p[1];
      }, { what: 'a sample after the given prime' });
      assert.match(mine.head, /after your prime \(faded\)/);
      await page.eval(() => { for (const el of document.querySelectorAll('rnn-playground')) el.pause(); });
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('steps stops a run exactly there and Resume goes on; a phone shows every number whole', async () => {
    const page = await env.browser.newPage({ width: 375, height: 800 });
    try {
      await page.goto(`${env.server.url}tutorial.html`);
      await page.eval(() => customElements.whenDefined('rnn-playground'));
      assert.equal((await sideways(page)).overflow, 0, 'no sideways scrolling at 375 px');
      // The clipped RNN of section 3, told to stop at step 40.
      const i = await page.eval(() => {
        const all = [...document.querySelectorAll('rnn-playground')];
        const el = document.querySelectorAll('section[aria-labelledby="s3"] rnn-playground')[1];
        el.setAttribute('steps', '40');
        el.scrollIntoView({ block: 'start' });
        el.start();
        return all.indexOf(el);
      });
      const state = (k) => page.eval((j) => {
        const el = document.querySelectorAll('rnn-playground')[j];
        return { state: el.state, step: el.app.pg.run.get('step'), cut: [...el.shadowRoot.querySelectorAll('.stat dd')].filter((d) => d.scrollWidth > d.clientWidth + 0.5).map((d) => `${d.id} ${d.textContent}`) };
      }, k);
      const done = await until(async () => {
        const s = await state(i);
        return s.state.startsWith('done') && s;
      }, { what: 'the run to stop at its steps' });
      assert.deepEqual([done.state, done.step], ['done: 40 steps', 40]);
      assert.deepEqual(done.cut, [], 'no number is cut at 375 px');
      await page.eval((j) => document.querySelectorAll('rnn-playground')[j].start(), i);
      await until(async () => (await state(i)).step > 60, { what: 'Resume to train past the steps' });
      await page.eval((j) => document.querySelectorAll('rnn-playground')[j].pause(), i);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });
});
