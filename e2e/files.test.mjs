// Model files in Chromium and Firefox: a checkpoint that carries its text, loaded on a page with
// another text, says how much of that text it cannot read and offers to switch to its own, which
// then resumes exactly. The checkpoint is made by the same engine in Node.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, assertClean, chooseFile, fill, openReady, text, until, value, inBrowsers } from './helpers.mjs';

const TRAINED_ON = 'abcabcabd, the quick fox. '.repeat(300);
const OTHER = 'ЖЖЖ 汉字 zzz qqq! '.repeat(200);

/** A small checkpoint after 5 steps on TRAINED_ON, carrying that text. */
async function checkpoint() {
  const pkg = join(REPO_ROOT, 'www', 'pkg');
  const glue = await import(pathToFileURL(join(pkg, 'rnn_playground.js')).href);
  glue.initSync({ module: readFileSync(join(pkg, 'rnn_playground_bg.wasm')) });
  const t = new glue.WasmTrainer(JSON.stringify({ hidden: 16, embed: 8, seq_len: 16, batch: 4 }), TRAINED_ON);
  for (let i = 0; i < 5; i++) t.step();
  const bytes = t.saveCheckpoint(true);
  assert.equal(glue.WasmTrainer.fileCorpus(bytes), TRAINED_ON);
  return Array.from(bytes);
}

inBrowsers('model files', (name, env) => {
  let bytes;
  before(async () => {
    bytes = await checkpoint();
  });
  it('a checkpoint trained on another text says what it cannot read and offers its own text', async () => {
    const page = await env.browser.newPage();
    try {
      await openReady(page, env.server.url);
      await fill(page, '#corpus', OTHER);
      await chooseFile(page, '#model-file', { name: 'other.safetensors', bytes, type: 'application/octet-stream' });
      const note = await until(() => text(page, '#alert [data-key="main"]'), { what: 'the loaded note' });
      assert.match(note, /weights loaded; it was trained on another text, which it carries/);
      assert.match(note, /of the [\d,]+ characters of the current text \([\d.]+ %\) are not in its vocabulary/);
      assert.equal(await value(page, '#cfg-hidden'), '16', 'the file’s settings are shown');
      await page.eval(() => document.querySelector('#alert [data-key="main"] .alert-actions button').click());
      await until(async () => /checkpoint resumed exactly at step 5/.test(await text(page, '#alert [data-key="main"]')), { what: 'the exact resume on its own text' });
      assert.equal(await value(page, '#corpus'), TRAINED_ON);
      assert.equal(await value(page, '#cfg-preset'), 'custom');
      assert.equal(await text(page, '#steps'), '5');
      // Its text is small: a checkpoint downloaded now would carry it (the box is ticked).
      assert.equal(await page.eval(() => document.getElementById('ckpt-text').checked), true);
      await assertClean(page);
    } finally {
      await page.close();
    }
  });
});
