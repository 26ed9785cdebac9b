// The folder `scripts/build --dist DIR` writes, served by a plain static server (Python's
// http.server, no special headers) under a sub-path, in Chromium and Firefox: the page, the
// embed, the tutorial and a host page using the element all work from /rnn/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSERS, launch } from './driver.mjs';
import { REPO_ROOT, assertClean, click, fill, CORPUS, lossFalls, openReady, screenshot, until, wasmPaths } from './helpers.mjs';

/** `python3 -m http.server` on a free port in `dir`; resolves to {url, log (request paths), close}. */
function pythonServer(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = [];
    let out = '';
    child.stderr.on('data', (d) => {
      for (const m of String(d).matchAll(/"GET (\S+) HTTP\/[\d.]+" (\d+)/g)) log.push({ path: m[1], status: Number(m[2]) });
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/port (\d+)/);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}/`, log, close: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`http.server exited (${code}): ${out}`)));
  });
}

describe('the dist folder', () => {
  let site;
  let server;
  before(async () => {
    site = mkdtempSync(join(tmpdir(), 'rnn-dist-'));
    execFileSync(join(REPO_ROOT, 'scripts', 'build'), ['--dist', join(site, 'rnn')], { stdio: 'inherit' });
    writeFileSync(join(site, 'post.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'">
<title>A blog that hosts the folder</title><script type="module" src="rnn/rnn-playground.js"></script></head>
<body><rnn-playground id="x" preset="remember" cell="gru" views="loss" autostart label="Hosted"></rnn-playground>
<iframe id="f" src="rnn/embed.html#v=1&hidden=24&views=samples&autostart=1" title="RNN playground" width="600" height="500" frameborder="0"></iframe>
<script src="rnn/embed-host.js" async></script></body></html>`);
    server = await pythonServer(site);
  });
  after(() => server?.close());

  it('holds everything, with relative URLs only', () => {
    const top = readdirSync(join(site, 'rnn')).sort();
    for (const f of ['embed.html', 'embed-host.js', 'embedding.html', 'index.html', 'rnn-playground.js', 'tutorial.html', 'www']) assert.ok(top.includes(f), `${f} in ${top}`);
    for (const f of ['www/pkg/rnn_playground_bg.wasm', 'www/pkg/settings.js', 'www/pkg-relaxed/rnn_playground_bg.wasm', 'www/vendor/uPlot.esm.js', 'www/worker.js']) {
      assert.ok(readFileSync(join(site, 'rnn', f)).length > 0, f);
    }
    for (const f of ['index.html', 'embed.html', 'embedding.html', 'tutorial.html']) {
      // Code shown to readers (in <pre>) is text, not a URL the page loads.
      const html = readFileSync(join(site, 'rnn', f), 'utf8').replace(/<pre[\s\S]*?<\/pre>/g, '');
      const absolute = html.match(/\s(src|href)="\/[^"]*"/g);
      assert.equal(absolute, null, `${f} loads root-relative URLs`);
    }
  });

  for (const name of BROWSERS) {
    it(`works under /rnn/ from python3 -m http.server (${name})`, async () => {
      const browser = await launch(name);
      try {
        let page = await browser.newPage();
        const mark = server.log.length;
        await openReady(page, `${server.url}rnn/#v=1&hidden=32`);
        await fill(page, '#corpus', CORPUS);
        await click(page, '#btn-start');
        await lossFalls(page);
        await click(page, '#btn-pause');
        assert.equal(wasmPaths(server.log.slice(mark).map((r) => r.path)).length, 1);
        await assertClean(page, { allowConsole: [] });
        await page.close();

        page = await browser.newPage();
        await page.goto(`${server.url}post.html`);
        await until(() => page.eval(() => document.getElementById('x').state === 'training'), { what: 'the hosted element to train' });
        await until(() => page.frameEval('embed.html', () => document.getElementById('run-state').textContent === 'training'), { what: 'the embed to train' });
        // The helper from the folder sizes the frame to its content.
        await until(async () => {
          const inner = await page.frameEval('embed.html', () => Math.ceil(document.documentElement.getBoundingClientRect().height));
          const outer = await page.eval(() => document.getElementById('f').getBoundingClientRect().height);
          return Math.abs(inner - outer) <= 1;
        }, { what: 'embed-host.js to size the frame' });
        await assertClean(page);
        await page.close();

        // The authors' page, made from the folder's own tables, writes code for this folder.
        page = await browser.newPage({ width: 1280, height: 900 });
        await openReady(page, `${server.url}rnn/embedding.html`);
        const code = await until(() => page.eval(() => document.getElementById('share-iframe').value || null), { what: 'the code on embedding.html' });
        assert.ok(code.startsWith(`<iframe src="${server.url}rnn/embed.html#v=2&views=loss,samples"`), code);
        assert.ok(code.endsWith(`<script src="${server.url}rnn/embed-host.js" async></script>`), code);
        await assertClean(page);
        await page.close();

        page = await browser.newPage({ width: 1280, height: 900 });
        await page.goto(`${server.url}rnn/tutorial.html`);
        await page.eval(() => document.querySelector('rnn-playground').start());
        await until(() => page.eval(() => document.querySelector('rnn-playground').state === 'training'), { what: 'the tutorial’s first playground to train' });
        await screenshot(page, 'tutorial-desktop.png');
        await page.setViewport(375, 812);
        await screenshot(page, 'tutorial-phone.png');
        await assertClean(page);
        await page.close();
        const missing = server.log.slice(mark).filter((r) => r.status >= 400);
        assert.deepEqual(missing, [], 'every file was found');
      } finally {
        await browser.close();
      }
    });
  }
});
