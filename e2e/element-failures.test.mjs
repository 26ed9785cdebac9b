// <rnn-playground> when something cannot be loaded, in Chromium and Firefox: a copy of the folder
// with one file missing at a time (the module itself, a stylesheet, a view, the worker, the
// engine's wasm). Each time the element shows a message that names the URL it tried, and its box
// is never 0 px tall. The snippet is the one the Share dialog writes (embed-code.js).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS, launch } from './driver.mjs';
import { REPO_ROOT, assertClean, serve, until } from './helpers.mjs';
import { elementCode } from '../www/embed-code.js';

/** [name, file to take away (in the folder), the URL the message must name, when it shows]. */
const CASES = [
  ['the module (a wrong path)', null, 'nowhere/rnn-playground.js', 'at once'],
  ['a stylesheet', 'www/playground.css', 'rnn/www/playground.css', 'at once'],
  ['a view', 'www/views/loss.js', 'rnn/www/views/loss.js', 'at once'],
  ['the worker', 'www/worker.js', 'rnn/www/worker.js', 'on start'],
  ['the engine', ['www/pkg/rnn_playground_bg.wasm', 'www/pkg-relaxed/rnn_playground_bg.wasm'], 'rnn/www/pkg/rnn_playground_bg.wasm', 'on start'],
];

describe('the element names what it could not load', () => {
  let dir;
  let site;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnn-missing-'));
    cpSync(join(REPO_ROOT, 'www'), join(dir, 'rnn', 'www'), { recursive: true });
    cpSync(join(REPO_ROOT, 'rnn-playground.js'), join(dir, 'rnn', 'rnn-playground.js'));
    site = await serve({ root: dir });
    for (const [i, [label]] of CASES.entries()) {
      const base = label.startsWith('the module') ? `${site.url}nowhere/` : `${site.url}rnn/`;
      const code = elementCode({ base, fragment: 'v=2&views=loss,samples&hidden=8&preset=anbn&autostart=1', label: 'Missing parts' }).replace('<rnn-playground ', '<rnn-playground id="x" ');
      writeFileSync(join(dir, `${i}.html`), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:">
<title>A post</title></head><body><h1>A post</h1>${code}<p>After the playground.</p></body></html>`);
    }
  });
  after(async () => {
    await site?.close();
  });

  for (const name of BROWSERS) {
    it(`shows the URL it tried, never an empty box (${name})`, async () => {
      const browser = await launch(name);
      try {
        for (const [i, [label, missing, url, when]] of CASES.entries()) {
          const files = missing === null ? [] : [].concat(missing);
          for (const f of files) renameSync(join(dir, 'rnn', f), join(dir, 'rnn', `${f}.away`));
          const page = await browser.newPage({ width: 800, height: 900 });
          try {
            await page.goto(`${site.url}${i}.html`);
            // Everything the reader sees of the element: its light DOM while undefined, else its shadow tree.
            const shown = () => page.eval(() => {
              const e = document.getElementById('x');
              const r = e.getBoundingClientRect();
              const text = customElements.get('rnn-playground') ? e.shadowRoot?.textContent ?? '' : e.innerText;
              return { height: r.height, text };
            });
            const seen = await until(async () => {
              const s = await shown();
              return s.text.includes(`${site.url}${url}`) ? s : null;
            }, { timeout: 90_000, what: `${label}: a message naming ${url} (${when})` });
            assert.ok(seen.height >= 16, `${label}: the element is ${seen.height} px tall`);
            // The browser's own reports of the missing file are expected; nothing else.
            const expected = [/404|Failed to load|failed to fetch|Loading (module|failed)|error loading|NS_ERROR|not found|MIME|Worker|wasm|WebAssembly|dynamically imported module/i];
            await assertClean(page, { allowConsole: expected, allowPage: expected });
          } finally {
            await page.close();
            for (const f of files) renameSync(join(dir, 'rnn', `${f}.away`), join(dir, 'rnn', f));
          }
        }
      } finally {
        await browser.close();
      }
    });
  }
});
