// Nothing lost in the page, in Chromium and Firefox: the run is saved while it trains and on
// pause, a reload offers to resume it exactly (settings, step, curves), two tabs keep separate
// runs, "Forget saved run" forgets it, and without IndexedDB the page works and says saving is off.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClean, canvasDrawn, click, fill, lossFalls, openReady, sleep, steps, text, until, value, inBrowsers,
} from './helpers.mjs';

const savedRuns = (page) => page.eval(() => new Promise((ok, fail) => {
  const r = indexedDB.open('rnn-playground');
  r.onsuccess = () => {
    const db = r.result;
    if (!db.objectStoreNames.contains('runs')) return ok([]);
    const q = db.transaction('runs').objectStore('runs').getAll();
    q.onsuccess = () => ok(q.result.map((x) => ({ id: x.id, step: x.step, hidden: x.settings.hidden })));
    q.onerror = () => fail(q.error);
  };
  r.onerror = () => fail(r.error);
}));

inBrowsers('autosave', (name, env) => {
  it('a reload offers the saved run and resumes it exactly; Forget forgets it', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, `${env.server.url}#v=1&hidden=48&preset=anbn`);
      await click(page, '#btn-start');
      await lossFalls(page);
      await until(async () => /Saved in this browser/.test(await text(page, '#save-status')), { what: 'a save while training' });
      await click(page, '#btn-pause');
      await sleep(800);
      const at = await steps(page);
      await until(async () => (await savedRuns(page)).some((r) => r.step === at), { what: `the pause to save step ${at}` });

      // Reload with a link to other settings: the link wins, the saved run is offered.
      await page.goto(`${env.server.url}#v=1&hidden=32`);
      await page.reload();
      await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: 'the page' });
      const offer = await until(() => text(page, '#alert [data-key="saved"]'), { what: 'the offer to resume' });
      assert.match(offer, new RegExp(`LSTM 1 × 48 .*step ${at.toLocaleString('en-US')}`));
      assert.equal(await value(page, '#cfg-hidden'), '32', 'the link’s settings win until the saved run is resumed');
      await click(page, '#alert [data-key="saved"] .alert-actions button');
      await until(async () => /resumed your saved run exactly/i.test(await text(page, '[role="alert"]')), { what: 'the resumed note' });
      assert.equal(await steps(page), at);
      assert.equal(await value(page, '#cfg-hidden'), '48');
      assert.equal(await value(page, '#cfg-preset'), 'anbn');
      assert.equal(await text(page, '#run-state'), 'paused');
      assert.ok(await canvasDrawn(page, '#loss-chart canvas'), 'the curves came back');
      await click(page, '#btn-pause'); // Resume
      await until(async () => (await steps(page)) > at, { what: 'training to go on' });
      await click(page, '#btn-pause');
      await sleep(500);

      // Forget: the run is gone, and a reload offers nothing.
      await until(async () => !(await page.eval(() => document.getElementById('btn-forget-saved').hidden)), { what: 'the Forget button' });
      await click(page, '#btn-forget-saved');
      await until(async () => (await savedRuns(page)).length === 0, { what: 'the saved run to be forgotten' });
      await page.reload();
      await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: 'the page' });
      await sleep(1000);
      assert.equal(await text(page, '#alert [data-key="saved"]'), null);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('a run on your own text comes back with the text', async () => {
    const page = await env.browser.newPage();
    const mine = 'Ein eigener Text, mit Umlauten: äöü ß. '.repeat(120);
    try {
      await openReady(page, `${env.server.url}#v=1&hidden=20`);
      await fill(page, '#corpus', mine);
      await click(page, '#btn-start');
      await lossFalls(page);
      await click(page, '#btn-pause');
      await sleep(800);
      const at = await steps(page);
      await until(async () => (await savedRuns(page)).some((r) => r.step === at), { what: 'the save' });
      await page.goto(`${env.server.url}#v=1`);
      await page.reload();
      await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: 'the page' });
      await until(() => text(page, '#alert [data-key="saved"]'), { what: 'the offer' });
      await click(page, '#alert [data-key="saved"] .alert-actions button');
      await until(async () => /resumed your saved run exactly/i.test(await text(page, '[role="alert"]')), { what: 'the resume' });
      assert.equal(await value(page, '#corpus'), mine);
      assert.equal(await steps(page), at);
      await click(page, '#btn-forget-saved');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });

  it('two tabs keep two runs', async () => {
    const a = await env.browser.newPage();
    const b = await a.newTab();
    try {
      await openReady(a, `${env.server.url}#v=1&hidden=24`);
      await openReady(b, `${env.server.url}#v=1&hidden=40`);
      await click(a, '#btn-start');
      await click(b, '#btn-start');
      await lossFalls(a);
      await lossFalls(b);
      await click(a, '#btn-pause');
      await click(b, '#btn-pause');
      await until(async () => {
        const runs = await savedRuns(a);
        return runs.some((r) => r.hidden === 24) && runs.some((r) => r.hidden === 40);
      }, { what: 'one saved run per tab' });
      // Neither tab offers the other's run: it is still open (an earlier test's run may be offered).
      for (const t of [a, b]) assert.doesNotMatch((await text(t, '#alert [data-key="saved"]')) ?? '', /× (24|40) /);
      await assertClean(a);
      await assertClean(b);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('without IndexedDB the page trains and says saving is off', async () => {
    const page = await env.browser.newPage({ init: () => Object.defineProperty(window, 'indexedDB', { value: undefined }) });
    try {
      await openReady(page, env.server.url);
      assert.match(await text(page, '#save-status'), /Saving is off: this browser gives the page no storage here/);
      await click(page, '#btn-start');
      await lossFalls(page);
      await click(page, '#btn-pause');
      await assertClean(page);
    } finally {
      await page.close();
    }
  });
});
