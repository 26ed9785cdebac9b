// A damaged saved run never breaks the start, in Chromium and Firefox. A real run is saved, then
// replaced in IndexedDB (before the page loads again) by: a record with garbage fields, one whose
// checkpoint is cut short, one whose text is of the wrong type, one written by an older version of
// the page, and one whose checkpoint reads whole but that the engine refuses. Each time the page
// starts and works (a step trains), says that the saved run could not be read and why, offers to
// forget it, and forgetting removes it; a good run saved beside a damaged one is still offered.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, click, inBrowsers, lossFalls, openReady, steps, text, until } from './helpers.mjs';

/** In the page: every saved run ({id, step}) in the page's database. */
const db = () => new Promise((ok, fail) => {
  const r = indexedDB.open('rnn-playground');
  r.onerror = () => fail(r.error);
  r.onsuccess = () => {
    const d = r.result;
    const tx = d.transaction(['runs', 'texts'], 'readonly');
    const runs = tx.objectStore('runs');
    const texts = tx.objectStore('texts');
    const all = runs.getAll();
    const keys = texts.getAllKeys();
    const values = texts.getAll();
    tx.oncomplete = () => {
      d.close();
      ok({ runs: all.result.map((x) => ({ id: x.id, step: x.step })), texts: keys.result.map((k, i) => [k, typeof values.result[i]]) });
    };
  };
});

/**
 * In the page: replaces every saved run by a damaged variant `kind` of the good run kept in this
 * tab's sessionStorage (self-contained: it runs in the page, under the page's CSP).
 */
const putDamaged = async (kind) => {
  const g = JSON.parse(sessionStorage.getItem('good'));
  const rec = { ...g, checkpoint: new Uint8Array(g.checkpoint), savedAt: Date.now() };
  let runs;
  let texts = [];
  if (kind === 'garbage') runs = [{ ...rec, id: 'garbage', step: 'many', summary: 'oops', settings: 42, curves: 7 }];
  else if (kind === 'cut') runs = [{ ...rec, id: 'cut', checkpoint: rec.checkpoint.slice(0, Math.floor(rec.checkpoint.length / 2)) }];
  else if (kind === 'text') {
    runs = [{ ...rec, id: 'text', settings: { ...rec.settings, preset: 'custom' } }];
    texts = [['text', 12345]];
  } else if (kind === 'older') runs = [{ id: 'older', format: 0, savedAt: Date.now(), step: 40, config: { hidden: 16 }, weights: new Uint8Array(16) }];
  else if (kind === 'refused') {
    // The header keeps its length and its offsets, but names a type the engine does not read.
    const bytes = rec.checkpoint.slice();
    const n = new DataView(bytes.buffer).getUint32(0, true);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n)).replace(/"F32"/g, '"I32"');
    bytes.set(new TextEncoder().encode(header), 8);
    runs = [{ ...rec, id: 'refused', checkpoint: bytes }];
  } else if (kind === 'beside') runs = [{ ...rec, id: 'fine' }, { ...rec, id: 'cut2', savedAt: Date.now() + 1, checkpoint: rec.checkpoint.slice(0, 100) }];
  await new Promise((ok, fail) => {
    const r = indexedDB.open('rnn-playground');
    r.onerror = () => fail(r.error);
    r.onsuccess = () => {
      const d = r.result;
      const tx = d.transaction(['runs', 'texts'], 'readwrite');
      tx.objectStore('runs').clear();
      tx.objectStore('texts').clear();
      for (const x of runs) tx.objectStore('runs').put(x);
      for (const [id, t] of texts) tx.objectStore('texts').put(t, id);
      tx.oncomplete = () => {
        d.close();
        ok();
      };
      tx.onerror = () => fail(tx.error);
    };
  });
};

const damagedNote = (page) => text(page, '#alert [data-key="saved-damaged"]');

inBrowsers('a damaged saved run', (name, env) => {
  it('never breaks the start: the page says so, offers to forget it, and works', async () => {
    const page = await env.browser.newPage();
    try {
      // A real saved run to damage.
      await openReady(page, `${env.server.url}#v=2&hidden=16&preset=anbn`);
      await click(page, '#btn-start');
      await lossFalls(page);
      await click(page, '#btn-pause');
      const at = await until(async () => {
        const s = await steps(page);
        const saved = await page.eval(db);
        return saved.runs.some((r) => r.step === s) ? s : null;
      }, { what: 'the paused run to be saved' });
      await page.eval(async (s) => {
        const r = indexedDB.open('rnn-playground');
        const all = await new Promise((ok) => {
          r.onsuccess = () => {
            const q = r.result.transaction('runs').objectStore('runs').getAll();
            q.onsuccess = () => ok(q.result);
          };
        });
        r.result.close();
        const good = all.find((x) => x.step === s);
        sessionStorage.setItem('good', JSON.stringify({ ...good, checkpoint: Array.from(good.checkpoint) }));
      }, at);

      const cases = [
        ['garbage', /its step is not a number/],
        ['cut', /its checkpoint is cut short \(tensor .* ends at byte [\d,]+ of [\d,]+\)/],
        ['text', /its text is missing or is not text/],
        ['older', /saved by an older version of the page/],
      ];
      for (const [kind, why] of cases) {
        await page.eval(putDamaged, kind);
        await page.reload();
        await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: `the page to start with the ${kind} record` });
        const note = await until(() => damagedNote(page), { what: `the note on the ${kind} record` });
        assert.match(note, /a run saved in this browser could not be read/i);
        assert.match(note, why, kind);
        assert.equal(await text(page, '#alert [data-key="saved"]'), null, `${kind}: nothing to resume`);
        assert.equal(await page.eval(() => document.getElementById('boot').hidden), true, 'no “failed to start”');
        // The page works: a step trains.
        await click(page, '#btn-step');
        await until(async () => (await steps(page)) === 1, { what: `a step after the ${kind} record` });
        // Forget it: the record is gone.
        await click(page, '#alert [data-key="saved-damaged"] .alert-actions button');
        await until(async () => !(await page.eval(db)).runs.some((r) => r.id === kind), { what: `the ${kind} record to be forgotten` });
        assert.equal(await damagedNote(page), null);
      }

      // A checkpoint that reads whole but that the engine refuses: resuming says so and offers to forget.
      await page.eval(putDamaged, 'refused');
      await page.reload();
      await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: 'the page' });
      await until(() => text(page, '#alert [data-key="saved"]'), { what: 'the offer to resume' });
      await click(page, '#alert [data-key="saved"] .alert-actions button');
      const refused = await until(() => damagedNote(page), { what: 'the engine’s refusal to be reported' });
      assert.match(refused, /the saved run could not be resumed: .+\. The page goes on without it/i);
      assert.equal(await text(page, '#run-state'), 'not started');
      await click(page, '#btn-step');
      await until(async () => (await steps(page)) === 1, { what: 'a fresh model to step' });
      await click(page, '#alert [data-key="saved-damaged"] .alert-actions button');
      await until(async () => !(await page.eval(db)).runs.some((r) => r.id === 'refused'), { what: 'the refused record to be forgotten' });

      // A good run beside a damaged one: both are said; the good one resumes exactly.
      await page.eval(putDamaged, 'beside');
      await page.reload();
      await until(() => page.eval(() => document.documentElement.dataset.ready === '1'), { what: 'the page' });
      assert.match(await until(() => damagedNote(page), { what: 'the damaged one' }), /cut short/);
      assert.match(await until(() => text(page, '#alert [data-key="saved"]'), { what: 'the good one' }), new RegExp(`LSTM 1 × 16 .*step ${at.toLocaleString('en-US')}`));
      await click(page, '#alert [data-key="saved"] .alert-actions button');
      await until(async () => /resumed your saved run exactly/i.test(await text(page, '[role="alert"]')), { what: 'the resume' });
      assert.equal(await steps(page), at);
      await assertClean(page, { allowConsole: [] });
    } finally {
      await page.close();
    }
  });
});
