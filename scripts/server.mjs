#!/usr/bin/env node
// A tiny static file server for the page (no dependencies). Used by scripts/serve and the tests.
//
//   node scripts/server.mjs                 # serves the repo root on http://localhost:8080/
//   PORT=9000 node scripts/server.mjs       # another port; PORT=0 picks a free one
//   HOST=0.0.0.0 node scripts/server.mjs    # listen beyond loopback (default 127.0.0.1)
//   ROOT=some/dir node scripts/server.mjs   # serve another folder
//   import { startServer } from './server.mjs'   # the same from a test, with a request log
//
// Once listening it prints one line "Serving <root> at http://localhost:<port>/". Only GET and
// HEAD; only files under the root; nothing whose path has a segment starting with "." (.git,
// .cargo, …); symlinks may not lead outside the root. Every response carries no-cache, nosniff,
// and the Content-Security-Policy that the root's index.html declares in its
// <meta http-equiv="Content-Security-Policy"> (so the Web Worker, whose policy comes from its own
// script's response headers, gets the same policy as the page). `cors: true` adds
// Access-Control-Allow-Origin: * (for hosts that load <rnn-playground> from another origin).

import { createServer } from 'node:http';
import { createReadStream, promises as fsp } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.safetensors': 'application/octet-stream',
};

// The page's own CSP, read from index.html's meta tag (re-read when index.html changes).
async function pageCsp(root, cspCache) {
  const file = join(root, 'index.html');
  let st;
  try {
    st = await fsp.stat(file);
  } catch {
    return null;
  }
  if (st.mtimeMs !== cspCache.mtimeMs) {
    const html = await fsp.readFile(file, 'utf8');
    let value = null;
    for (const tag of html.match(/<meta\b[^>]*>/gi) || []) {
      if (!/http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag)) continue;
      const m = tag.match(/\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i);
      if (m) {
        value = (m[1] ?? m[2])
          .replace(/&quot;/g, '"')
          .replace(/&#39;|&apos;/g, "'")
          .replace(/&amp;/g, '&')
          .replace(/\s+/g, ' ')
          .trim();
      }
      break;
    }
    cspCache.mtimeMs = st.mtimeMs;
    cspCache.value = value;
  }
  return cspCache.value;
}

function send(res, status, text, extra = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : `${status} ${text}\n`);
}

function inside(root, p) {
  return p === root || p.startsWith(root + sep);
}

async function handle(req, res, ROOT, cspCache, cors) {
  const headers = {
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  if (cors) headers['Access-Control-Allow-Origin'] = '*';
  const csp = await pageCsp(ROOT, cspCache);
  if (csp) headers['Content-Security-Policy'] = csp;

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'Method Not Allowed', { ...headers, Allow: 'GET, HEAD' });
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(res, 400, 'Bad Request', headers);
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return send(res, 400, 'Bad Request', headers);
  const segments = pathname.split('/').filter(Boolean);
  if (segments.some((s) => s.startsWith('.'))) return send(res, 404, 'Not Found', headers);

  let file = resolve(ROOT, ...segments);
  if (!inside(ROOT, file)) return send(res, 404, 'Not Found', headers);
  let st;
  try {
    file = await fsp.realpath(file);
    if (!inside(ROOT, file)) return send(res, 404, 'Not Found', headers);
    st = await fsp.stat(file);
    if (st.isDirectory()) {
      if (!pathname.endsWith('/')) {
        return send(res, 301, 'Moved Permanently', { ...headers, Location: `${pathname}/` });
      }
      file = join(file, 'index.html');
      st = await fsp.stat(file);
    }
  } catch {
    return send(res, 404, 'Not Found', headers);
  }
  if (!st.isFile()) return send(res, 404, 'Not Found', headers);

  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
    'Content-Length': st.size,
  });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Starts a server. Resolves to {server, url, port, close()} once listening. `onRequest({method,
 * path, status})` sees every finished request (tests read which files a page asked for).
 */
export async function startServer({ root = join(here, '..'), host = '127.0.0.1', port = 0, quiet = true, cors = false, onRequest = null } = {}) {
  const ROOT = await fsp.realpath(resolve(root));
  const cspCache = { mtimeMs: -1, value: null };
  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => {
      if (!quiet) console.log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
      if (onRequest) onRequest({ method: req.method, path: req.url, status: res.statusCode });
    });
    handle(req, res, ROOT, cspCache, cors).catch((err) => {
      console.error(err);
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const actual = server.address().port;
  const shown = ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) ? 'localhost' : host;
  return {
    server,
    root: ROOT,
    port: actual,
    url: `http://${shown}:${actual}/`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const PORT = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
    console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
    process.exit(2);
  }
  const HOST = process.env.HOST || '127.0.0.1';
  try {
    const s = await startServer({ root: process.env.ROOT || join(here, '..'), host: HOST, port: PORT, quiet: process.env.QUIET === '1', cors: process.env.CORS === '1' });
    console.log(`Serving ${s.root} at ${s.url}`);
    for (const sig of ['SIGINT', 'SIGTERM']) {
      process.on(sig, () => {
        s.server.close();
        process.exit(0);
      });
    }
  } catch (err) {
    console.error(`cannot listen on ${HOST}:${PORT}: ${err.message}`);
    process.exit(1);
  }
}
