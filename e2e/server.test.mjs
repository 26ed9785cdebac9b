// Tests of scripts/server.mjs (no browser): MIME types, the page's CSP as a header, and that
// nothing outside the repository (or under a dot-folder such as .git) can be read.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, serve } from './helpers.mjs';

const server = serve();
after(async () => (await server).close());
const baseUrl = async () => (await server).url;

/** Raw GET (or other method) with the path sent exactly as given (no URL normalisation). */
function get(path, method = 'GET') {
  return baseUrl().then(
    (base) =>
      new Promise((resolve, reject) => {
        const u = new URL(base);
        const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      }),
  );
}

test('serves the page, scripts and wasm with the right MIME types', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.body, /<title>/);

  for (const [path, type] of [
    ['/www/main.js', /^text\/javascript/],
    ['/www/playground.css', /^text\/css/],
    ['/embed.html', /^text\/html/],
    ['/rnn-playground.js', /^text\/javascript/],
    ['/www/pkg/settings.js', /^text\/javascript/],
    ['/package.json', /^application\/json/],
  ]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers['content-type'], type, path);
  }
  const wasm = await get('/www/pkg/rnn_playground_bg.wasm', 'HEAD');
  assert.equal(wasm.status, 200, 'www/pkg is built (scripts/build)');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
});

test("sends index.html's Content-Security-Policy as a header", async () => {
  const html = readFileSync(join(REPO_ROOT, 'index.html'), 'utf8');
  const m = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  assert.ok(m, 'index.html declares a CSP');
  for (const path of ['/', '/embed.html', '/www/main.js', '/www/worker.js']) {
    const r = await get(path, 'HEAD');
    assert.equal(r.headers['content-security-policy'], m[1].replace(/\s+/g, ' ').trim(), path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
});

test('refuses paths outside the repository, dot-folders and non-GET methods', async () => {
  for (const path of [
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/www/..%2f..%2f..%2fetc%2fpasswd',
    '/.git/config',
    '/.cargo/config.toml',
    '/www/%2e%2e/.git/HEAD',
  ]) {
    const r = await get(path);
    assert.ok(r.status === 404 || r.status === 400, `${path} gave ${r.status}`);
    assert.doesNotMatch(r.body, /root:|\[core\]|rustflags/, path);
  }
  assert.equal((await get('/%zz')).status, 400);
  assert.equal((await get('/www/%00')).status, 400);
  assert.equal((await get('/', 'POST')).status, 405);
  assert.equal((await get('/no/such/file.js')).status, 404);
});

test('the page, the embed and the tutorial declare one and the same CSP, and allow framing', async () => {
  const csp = (f) => readFileSync(join(REPO_ROOT, f), 'utf8').match(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i)[1];
  assert.equal(csp('embed.html'), csp('index.html'));
  assert.equal(csp('tutorial.html'), csp('index.html'));
  // An embed must load inside any page: nothing may forbid framing.
  const r = await get('/embed.html', 'HEAD');
  assert.equal(r.headers['x-frame-options'], undefined);
  assert.doesNotMatch(r.headers['content-security-policy'], /frame-ancestors/);
});
